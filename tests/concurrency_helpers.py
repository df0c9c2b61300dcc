"""Helpers for the concurrency, deadline-day and fault tests: extra accounts, JWTs, threads that
start together, and a barrier placed inside the engine so that racing requests really overlap."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from app.filing.periods import Period
from app.models import AuditLog, Filing, FilingTransition, PortalUser, Unit

BARRIER_TIMEOUT = 30


def add_account(username: str, role_name: str, unit_code: str) -> None:
    """An account like the demo ones (same password, reusing a demo hash: no slow hashing)."""
    from flask import current_app

    from app.unit_list import unit_by_code

    sm = current_app.appbuilder.sm
    template = db.session.scalar(select(PortalUser).where(PortalUser.username == "dongcheng_filler"))
    user = sm.add_user(username, username, "测试", f"{username}@test.local", [sm.find_role(role_name)],
                       hashed_password=template.password)
    assert user, f"could not add {username}"
    user.unit_id = unit_by_code(unit_code).id
    db.session.commit()


def add_fillers(count: int, period_key: str, skip=("0000", "0100", "2300")) -> list[tuple[str, str]]:
    """`count` filler accounts, one per unit active in the period: [(username, unit code)]."""
    from app.security import FILLER

    end = Period.parse(period_key).end
    units = [u for u in db.session.scalars(select(Unit).order_by(Unit.code)) if u.code not in skip
             and u.active_on(end)][:count]
    assert len(units) == count, "not enough active units"
    out = []
    for u in units:
        name = f"load_filler_{u.code}"
        add_account(name, FILLER, u.code)
        out.append((name, u.code))
    return out


def jwt(client, username: str, password: str = DEMO_PASSWORD) -> dict:
    resp = client.post("/api/v1/security/login", json={"username": username, "password": password,
                                                        "provider": "db"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return {"Authorization": f"Bearer {resp.json['access_token']}"}


def run_together(calls: list[Callable[[], object]], timeout: float = 60) -> list[object]:
    """Run the callables in threads released at the same instant; results (or the exception
    raised) in the callables' order."""
    start = threading.Barrier(len(calls), timeout=BARRIER_TIMEOUT)

    def go(fn):
        start.wait()
        try:
            return fn()
        except Exception as exc:  # reported to the test, not swallowed
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        futures = [pool.submit(go, fn) for fn in calls]
        return [f.result(timeout=timeout) for f in futures]


def meet_inside(monkeypatch, module, name: str, parties: int, when: Callable[..., bool] | None = None):
    """Make `module.name` wait at a barrier until `parties` calls (those for which `when` holds)
    have reached it, then run the original: every racer has read the same state before any of
    them writes. Returns the barrier."""
    barrier = threading.Barrier(parties, timeout=BARRIER_TIMEOUT)
    original = getattr(module, name)

    def waiting(*args, **kwargs):
        if when is None or when(*args, **kwargs):
            barrier.wait()
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, waiting)
    return barrier


def filing_counts(form: str, period_key: str) -> dict:
    """What the deadline-day tests check: filings, duplicates, submits and create audits."""
    db.session.expire_all()
    filings = db.session.scalars(select(Filing).where(
        Filing.form_code == form, Filing.period_key == period_key)).all()
    dupes = db.session.execute(
        select(Filing.unit_id, func.count()).where(Filing.form_code == form, Filing.period_key == period_key)
        .group_by(Filing.unit_id).having(func.count() > 1)).all()
    ids = [f.id for f in filings]
    submits = dict(db.session.execute(
        select(FilingTransition.filing_id, func.count()).where(
            FilingTransition.filing_id.in_(ids), FilingTransition.action == "submit")
        .group_by(FilingTransition.filing_id)).all())
    creates = dict(db.session.execute(
        select(AuditLog.object_id, func.count()).where(
            AuditLog.object_type == "filing", AuditLog.object_id.in_(ids), AuditLog.action == "filing.create")
        .group_by(AuditLog.object_id)).all())
    return {"units": sorted(f.unit.code for f in filings), "dupes": dupes,
            "states": {f.unit.code: f.state for f in filings},
            "submits": {f.unit.code: submits.get(f.id, 0) for f in filings},
            "creates": {f.unit.code: creates.get(f.id, 0) for f in filings}}

