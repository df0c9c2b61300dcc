"""The demo city's people: besides the named demo accounts (app.demo.DEMO_ACCOUNTS), every unit
has its own 填报员 and 单位审核人 with a person's name, so that each demo transition is done by an
account of the unit that filed (shown as 姓名（单位）, app.people). Their password is the demo
password; accounts of units that no longer exist are inactive."""

from __future__ import annotations

import random

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from ..clock import today
from ..extensions import db
from ..models.unit import Unit
from ..models.user import PortalUser
from ..security import APPROVER, FILLER
from .summary import demo_email

# 东城区 and 市公安局 have the named accounts of DEMO_ACCOUNTS.
NAMED = {"0100": "dongcheng", "2300": "gongan"}
ROLES = {"filler": FILLER, "approver": APPROVER}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英",
         "霞", "平", "刚", "桂英", "建华", "文", "华", "红梅", "晓东", "志刚", "海燕", "国庆", "建国", "丹", "鹏", "宇",
         "晨", "琳", "博", "凯", "佳", "思远")


def unit_username(unit: Unit, role: str) -> str:
    """The login name of `unit`'s demo `role` ('filler' or 'approver')."""
    own = NAMED.get(unit.code)
    return f"{own}_{role}" if own else f"u{unit.code}_{role}"


def person_name(unit_code: str, role: str) -> tuple[str, str]:
    """(姓, 名) of a unit's demo account, the same on every load."""
    rng = random.Random(f"{unit_code}-{role}")
    return rng.choice(SURNAMES), rng.choice(GIVEN)


def create_unit_accounts(password: str) -> int:
    """A filler and an approver for every unit without named accounts; returns how many were
    added (none when they exist). One password hash for all: hashing a hundred times would
    take most of the demo's load time."""
    sm_roles = {key: db.session.scalar(select(_role_model()).where(_role_model().name == name))
                for key, name in ROLES.items()}
    existing = set(db.session.scalars(select(PortalUser.username)))
    hashed = generate_password_hash(password)
    now, added = today(), 0
    for unit in db.session.scalars(select(Unit).order_by(Unit.code)):
        if unit.code in NAMED:
            continue
        for role, role_obj in sm_roles.items():
            username = unit_username(unit, role)
            if username in existing:
                continue
            last, first = person_name(unit.code, role)
            db.session.add(PortalUser(
                username=username, first_name=first, last_name=last, email=demo_email(username),
                password=hashed, active=unit.active_on(now), unit_id=unit.id, roles=[role_obj]))
            added += 1
    db.session.flush()
    return added


def _role_model():
    from flask import current_app

    return current_app.appbuilder.sm.role_model
