"""Engine-level helpers shared by every form's tests: users, filings driven to a state."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.filing import workflow
from app.filing.periods import Period
from app.filing.values import open_filing, save_values
from app.models import AuditLog, Filing, PortalUser

UNIT_USERS = {"0100": ("dongcheng_filler", "dongcheng_approver"),
              "2300": ("gongan_filler", "gongan_approver")}


def user(username: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == username))


def drive(form: str, unit_code: str, period_key: str, raw: dict, to_state: str = "accepted",
          explanation: str | None = None) -> Filing:
    """Open, fill and move a filing through the real engine up to `to_state` (app context needed)."""
    filler, approver = (user(n) for n in UNIT_USERS[unit_code])
    reviewer = user("reviewer")
    filing = open_filing(form, Period.parse(period_key), filler)
    save_values(filing, raw, filler, explanation=explanation)
    path = {"draft": [], "pending": [("submit", filler)],
            "submitted": [("submit", filler), ("sign_off", approver)],
            "accepted": [("submit", filler), ("sign_off", approver), ("accept", reviewer)]}[to_state]
    for action, who in path:
        workflow.apply(filing, action, who, explanation=explanation)
    return filing


def audit_actions(filing_id: int) -> list[str]:
    return list(db.session.scalars(
        select(AuditLog.action).where(AuditLog.object_type == "filing", AuditLog.object_id == filing_id)
        .order_by(AuditLog.id)))


def snapshot(filing_id: int) -> tuple:
    """State, revision, version and every value row of a filing: to prove nothing changed."""
    from app.filing.values import revisions

    db.session.expire_all()
    f = db.session.get(Filing, filing_id)
    return (f.state, f.revision, f.version, f.explanation, tuple(
        (rev, tuple(sorted(v.items()))) for rev, v in revisions(f)), len(f.transitions))


AUTH_EVENTS = ("login.%", "logout", "session.%")


def audit_count() -> int:
    """Audit rows about data (logins and logouts left out: every test client logs in)."""
    q = db.session.query(AuditLog)
    for pattern in AUTH_EVENTS:
        q = q.filter(~AuditLog.action.like(pattern))
    return q.count()
