"""Demo mode: accounts for every role and realistic figures, loaded into an empty database."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models.filing import Filing
from ..models.unit import Unit
from ..security import ADMIN, APPROVER, AUDIT_ADMIN, FILLER, LEADER, REVIEWER, SECURITY_ADMIN
from ..unit_list import unit_by_code
from .summary import demo_email

DEMO_PASSWORD = "DemoPass@2026!"
DEMO_ACCOUNTS = [
    # username, first name (名), last name (姓), role, unit code — people's names: pages show
    # 姓名（单位）, never the login name (app.people).
    # The city's accounts belong to 市司法局 (7900), which runs the portal since the 2018 reform
    # (市法制办 0000 merged into it; its history is 市司法局's now).
    ("admin", "建国", "王", ADMIN, "7900"),
    ("security_admin", "敏", "李", SECURITY_ADMIN, "7900"),
    ("audit_admin", "静", "张", AUDIT_ADMIN, "7900"),
    ("reviewer", "伟", "刘", REVIEWER, "7900"),
    ("leader", "志强", "陈", LEADER, "7900"),
    ("dongcheng_filler", "芳", "杨", FILLER, "0100"),
    ("dongcheng_approver", "军", "赵", APPROVER, "0100"),
    ("gongan_filler", "磊", "黄", FILLER, "2300"),
    ("gongan_approver", "洋", "周", APPROVER, "2300"),
]


def create_demo_accounts() -> int:
    """Add the demo accounts that do not exist yet; returns how many were added. A demo account
    of an older demo database that sits on a unit since merged (the reviewer on 市法制办) moves
    to the unit its declaration names now."""
    from flask import current_app

    sm = current_app.appbuilder.sm
    added = 0
    for username, first, last, role_name, code in DEMO_ACCOUNTS:
        user = sm.find_user(username=username)
        if user:
            unit = unit_by_code(code)
            if user.email == demo_email(username) and user.unit_id != unit.id and user.unit_id is not None \
                    and db.session.get(Unit, user.unit_id).successor_id == unit.id:
                user.unit_id = unit.id
            continue
        role = sm.find_role(role_name)
        user = sm.add_user(username, first, last, demo_email(username), [role], DEMO_PASSWORD)
        user.unit_id = unit_by_code(code).id
        added += 1
    db.session.commit()
    return added


def load_demo() -> str:
    """Accounts and every module's demo figures, only into a database without filings.

    The modules run in order (staff after the cases and penalties: its posts follow their
    caseloads); their filings' audit rows are collected and chained once, in time order."""
    from ..audit import record_many
    from .accounts import create_unit_accounts
    from .cases import load_case_demo
    from .notices import load_notices_demo
    from .penalty import load_penalty_demo
    from .registers import load_registers_demo
    from .staff import load_staff_demo

    accounts = create_demo_accounts()
    accounts += create_unit_accounts(DEMO_PASSWORD)  # every unit's own filler and approver
    if db.session.scalar(select(func.count()).select_from(Filing)):
        return f"demo accounts added: {accounts}; filings already present, data left as it is"
    audit: list[dict] = []
    counts = {"penalty": load_penalty_demo(audit=audit), **load_case_demo(audit=audit)}
    counts.update(load_staff_demo(audit=audit))
    counts.update(load_notices_demo())
    audit.sort(key=lambda e: e["at"])
    counts["audit"] = record_many(audit)
    db.session.commit()
    # Other modules' demo data, each returning {what: count}, after the filings' chained audit rows:
    # the case registers (issue 17) write theirs through the register's own write path.
    counts.update(load_registers_demo())
    # The reviewers' list shows the warnings of the filings awaiting a decision (kept at submission
    # by the engine; the demo's filings were inserted in bulk).
    from ..filing.review import backfill

    backfill()
    db.session.commit()
    return f"demo accounts added: {accounts}; filings: {counts}"
