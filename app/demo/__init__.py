"""Demo mode: accounts for every role and realistic figures, loaded into an empty database."""

from __future__ import annotations

from sqlalchemy import func, select

from ..extensions import db
from ..models.filing import Filing
from ..security import ADMIN, APPROVER, AUDIT_ADMIN, FILLER, LEADER, REVIEWER, SECURITY_ADMIN
from ..unit_list import unit_by_code
from .summary import demo_email

DEMO_PASSWORD = "DemoPass@2026!"
DEMO_ACCOUNTS = [
    # username, first name, last name, role, unit code
    ("admin", "系统", "管理员", ADMIN, "0000"),
    ("security_admin", "安全", "管理员", SECURITY_ADMIN, "0000"),
    ("audit_admin", "审计", "管理员", AUDIT_ADMIN, "0000"),
    ("reviewer", "市级", "审核员", REVIEWER, "0000"),
    ("leader", "市", "领导", LEADER, "0000"),
    ("dongcheng_filler", "东城区", "填报员", FILLER, "0100"),
    ("dongcheng_approver", "东城区", "审核人", APPROVER, "0100"),
    ("gongan_filler", "市公安局", "填报员", FILLER, "2300"),
    ("gongan_approver", "市公安局", "审核人", APPROVER, "2300"),
]


def create_demo_accounts() -> int:
    """Add the demo accounts that do not exist yet; returns how many were added."""
    from flask import current_app

    sm = current_app.appbuilder.sm
    added = 0
    for username, first, last, role_name, code in DEMO_ACCOUNTS:
        if sm.find_user(username=username):
            continue
        role = sm.find_role(role_name)
        user = sm.add_user(username, first, last, demo_email(username), [role], DEMO_PASSWORD)
        user.unit_id = unit_by_code(code).id
        added += 1
    db.session.commit()
    return added


def load_demo() -> str:
    """Accounts and every module's demo figures, only into a database without filings."""
    from .cases import load_case_demo
    from .notices import load_notices_demo
    from .penalty import load_penalty_demo
    from .registers import load_registers_demo
    from .staff import load_staff_demo

    accounts = create_demo_accounts()
    if db.session.scalar(select(func.count()).select_from(Filing)):
        return f"demo accounts added: {accounts}; filings already present, data left as it is"
    counts = {"penalty": load_penalty_demo(), **load_case_demo(), **load_staff_demo(), **load_notices_demo(),
              **load_registers_demo()}
    return f"demo accounts added: {accounts}; filings: {counts}"
