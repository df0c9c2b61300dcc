"""Helpers for the case-register tests: accounts by name, a valid case, ids."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import PortalUser
from tests.staff_helpers import make_id


def user(name: str) -> PortalUser:
    return db.session.scalar(select(PortalUser).where(PortalUser.username == name))


def case_data(receipt: str = "2026-03-02", **extra) -> dict:
    """A minimal valid application received on `receipt` (a citizen with an id)."""
    data = {
        "receipt_date": receipt, "respondent_name": "东城区市场监督管理局", "respondent_level": "区政府部门",
        "domain": "市场监管", "matter": "行政处罚", "act_name": "行政处罚决定书", "act_number": "京东市监罚〔2026〕1号",
        "applicants": [{"kind": "公民", "name": "张三", "id_number": make_id("19800101", "011"),
                        "phone": "13800000000"}],
    }
    data.update(extra)
    return data
