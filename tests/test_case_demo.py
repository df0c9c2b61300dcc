"""The demo registers: a few thousand cases in every state, found by the register's own views."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.cases import repeats
from app.cases.supervision import due_cases
from app.clock import today
from app.demo.registers import load_registers_demo
from app.extensions import db
from app.models.cases import LitigationCase, ReconCase
from tests.case_helpers import user


def test_demo_registers_hold_every_state(ctx):
    counts = load_registers_demo()
    assert counts["recon_cases"] > 1900 and counts["litigation_cases"] >= 1
    n = db.session.scalar(select(func.count()).select_from(ReconCase))
    assert n == counts["recon_cases"]

    def count(*where):
        return db.session.scalar(select(func.count()).select_from(ReconCase).where(*where))

    assert count(ReconCase.extension_days.is_not(None)) > 10
    assert count(ReconCase.suspended_on.is_not(None), ReconCase.resumed_on.is_(None)) >= 1
    assert count(ReconCase.suspended_on.is_not(None), ReconCase.resumed_on.is_not(None)) >= 1
    assert count(ReconCase.group_size == 36) == 1
    on = today()
    lists = due_cases(user("reviewer"), on)
    assert lists["overdue"] and lists["soon"]
    found = repeats.repeated_acts(on - dt.timedelta(days=60), on, user("reviewer"))
    assert found[0].applicant_count == 12 and found[0].act.startswith("东城管拆〔")
    freq = repeats.frequent_applicants(on - dt.timedelta(days=365), on, user("reviewer"))
    assert len(freq[0].case_ids) >= 5
    assert db.session.scalar(select(func.count()).select_from(LitigationCase)
                             .where(LitigationCase.recon_case_id.is_not(None))) >= 1
