"""API keys: who may mint and revoke them (the one write path; app/views/apikeys.py only wires).

Everyone mints keys for their own account (a key acts as its account: role → permissions, unit →
scope). Keys for another account — a service account such as the leaders' decision system's —
are minted by the security administrator only, and never for a 三员 account. The session guard
(app.duties) audits every key created or revoked, naming who did it and whose key it is.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .duties import PRIVILEGED_ROLES, effective_roles
from .extensions import db
from .models.user import PortalUser
from .security import has_perm


class KeyRefused(PermissionError):
    """A key that may not be minted or revoked; the message is the Chinese reason."""


def manages_all_keys(user) -> bool:
    """The security administrator sees, mints and revokes keys of other accounts."""
    return has_perm(user, "can_assign_roles", "Security")


def visible_keys(user) -> list:
    """The keys `user` may see: their own, or every key for the security administrator."""
    model = current_app.appbuilder.sm.api_key_model
    q = select(model).order_by(model.id.desc())
    if not manages_all_keys(user):
        q = q.where(model.user_id == user.id)
    return list(db.session.scalars(q))


def key_owners(user) -> list[PortalUser]:
    """Accounts `user` may mint keys for."""
    if not manages_all_keys(user):
        return [user]
    active = db.session.scalars(select(PortalUser).where(PortalUser.active.is_(True))
                                .order_by(PortalUser.username)).all()
    return [u for u in active if u.id == user.id or not effective_roles(u) & set(PRIVILEGED_ROLES)]


def mint_key(actor, owner_id: int | None, name: str, days: int) -> str:
    """Create a key for `owner_id` (default: the actor) valid for `days`; returns the raw key,
    shown once and never stored. Raises KeyRefused."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise KeyRefused(_l("请填写「名称」（不超过100字）"))
    if not 1 <= days <= 3650:
        raise KeyRefused(_l("「有效天数」应为 1–3650"))
    owner = actor if owner_id in (None, actor.id) else db.session.get(PortalUser, owner_id)
    if owner is None or owner not in key_owners(actor):
        raise KeyRefused(_l("只能为本人账号创建密钥；为服务账号创建密钥须由安全管理员办理"))
    info = current_app.appbuilder.sm.create_api_key(
        owner, name, expires_on=dt.datetime.now() + dt.timedelta(days=days))
    return info["key"]


def revoke_key(actor, uuid: str) -> None:
    """Revoke a key: one's own, or any for the security administrator. Raises KeyRefused, or
    LookupError when there is no such key."""
    sm = current_app.appbuilder.sm
    key = sm.get_api_key_by_uuid(uuid)
    if key is None:
        raise LookupError(uuid)
    if key.user_id != actor.id and not manages_all_keys(actor):
        raise KeyRefused(_l("只能吊销本人的密钥"))
    sm.revoke_api_key(uuid)
