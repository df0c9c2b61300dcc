"""Minimisation: personal data kept no longer than needed, then anonymised — statistics unchanged.

`flask portal anonymise` replaces the name and clears the citizen id (sealed text and index) of
staff who left more than PII_RETENTION_STAFF_YEARS ago, and blanks their certificates' numbers; the
rows stay (with sex, birth date, education, post…), so every staff statistic and frozen snapshot
counts them as before. Each person anonymised gets an audit row; the audit rows already written
keep only masked ids. Nothing else in the portal deletes personal data (staff are never deleted).
Closed cases older than PII_RETENTION_CASE_YEARS (default 30: 行政复议 case files are kept long;
the office's records schedule decides) lose their applicants' and plaintiffs' names, ids and phones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..models.staff import Certificate, StaffMember

ANONYMISED_NAME = "（已匿名化）"


@dataclass(frozen=True)
class Rule:
    """What one kind of record keeps, for how long (a setting), and how it is anonymised."""

    name: str
    setting: str
    default_years: int
    apply: Callable[[dt.date, bool], int]  # (cut-off date, dry_run) → records anonymised


def _years_before(on: dt.date, years: int) -> dt.date:
    try:
        return on.replace(year=on.year - years)
    except ValueError:  # 29 February
        return on.replace(year=on.year - years, day=28)


def _staff(cutoff: dt.date, dry_run: bool) -> int:
    people = db.session.scalars(select(StaffMember).where(
        StaffMember.status != "在职", StaffMember.left_on.is_not(None), StaffMember.left_on < cutoff,
        StaffMember.anonymised_on.is_(None)).order_by(StaffMember.id)).all()
    if dry_run:
        return len(people)
    from ..clock import today

    for person in people:
        person.name, person.citizen_id, person.anonymised_on = ANONYMISED_NAME, None, today()
        for cert in db.session.scalars(select(Certificate).where(Certificate.staff_id == person.id)):
            cert.number = f"（已匿名化）{cert.id}"  # unique per type: the id keeps it so
        record("pii.anonymise", "staff_member", person.id, {"left_on": str(person.left_on)}, user=None)
    return len(people)


def _cases(cutoff: dt.date, dry_run: bool) -> int:
    """Reconsideration cases decided before `cutoff`: applicants' names, ids and phones; the
    plaintiffs of litigation cases judged before it. The cases stay: every figure is unchanged."""
    from ..models.cases import LitigationCase, ReconApplicant, ReconCase

    applicants = db.session.scalars(select(ReconApplicant).join(ReconCase).where(
        ReconCase.decided_on.is_not(None), ReconCase.decided_on < cutoff,
        ReconApplicant.name != ANONYMISED_NAME).order_by(ReconApplicant.id)).all()
    suits = db.session.scalars(select(LitigationCase).where(
        LitigationCase.judgement_date.is_not(None), LitigationCase.judgement_date < cutoff,
        LitigationCase.plaintiffs != ANONYMISED_NAME).order_by(LitigationCase.id)).all()
    if dry_run:
        return len(applicants) + len(suits)
    cases = set()
    for a in applicants:
        a.name, a.id_number, a.phone = ANONYMISED_NAME, None, None
        cases.add(a.case_id)
    for case_id in sorted(cases):
        record("pii.anonymise", "recon_case", case_id, {"before": str(cutoff)}, user=None)
    for suit in suits:
        suit.plaintiffs = ANONYMISED_NAME
        record("pii.anonymise", "litigation_case", suit.id, {"before": str(cutoff)}, user=None)
    return len(applicants) + len(suits)


RULES: list[Rule] = [Rule("staff", "PII_RETENTION_STAFF_YEARS", 5, _staff),
                     Rule("cases", "PII_RETENTION_CASE_YEARS", 30, _cases)]


def anonymise(on: dt.date, dry_run: bool = False) -> dict[str, int]:
    """Anonymise what every rule's retention period has passed on `on`; one transaction."""
    done = {}
    for rule in RULES:
        years = int(current_app.config.get(rule.setting, rule.default_years))
        done[rule.name] = rule.apply(_years_before(on, years), dry_run)
    if dry_run:
        db.session.rollback()
    else:
        db.session.commit()
    return done
