"""People as the portal shows them: 姓名（单位）, never a login name.

Transitions, audit rows, notices, feedback and document histories store the acting account's
login name (it survives the account's deletion); every page shows it through `person` (the Jinja
filter of the same name), the one place that turns an account into 姓名（单位简称）.
"""

from __future__ import annotations

from flask import g, has_request_context
from sqlalchemy import select

from .extensions import db

SYSTEM = "system"  # the acting name of the server's own commands in the audit trail


def full_name(user) -> str:
    """姓 + 名 as the account has them (Chinese order, no space); '' when both are empty."""
    return _join(getattr(user, "last_name", None), getattr(user, "first_name", None))


def _join(last: str | None, first: str | None) -> str:
    last, first = (last or "").strip(), (first or "").strip()
    if last and first and (last + first).isascii():
        return f"{first} {last}"  # a Latin name keeps its own order
    return f"{last}{first}"


def _label(name: str, unit: str | None) -> str:
    return f"{name}（{unit}）" if unit else name


def _labels() -> dict[str, str]:
    """username → 姓名（单位） for every account, one query per request (accounts are few:
    hundreds at most, and a list page names many of them)."""
    if has_request_context() and "_person_labels" in g:
        return g._person_labels
    from .models.unit import Unit
    from .models.user import PortalUser

    rows = db.session.execute(
        select(PortalUser.username, PortalUser.last_name, PortalUser.first_name, Unit.short_name)
        .outerjoin(Unit, Unit.id == PortalUser.unit_id)).all()
    labels = {}
    for username, last, first, unit in rows:
        labels[username] = _label(_join(last, first) or username, unit)
    if has_request_context():
        g._person_labels = labels
    return labels


def person(value) -> str:
    """姓名（单位） of an account, given the account itself or its login name (a transition's
    `username`, an audit row's, a notice's author). An unknown name (a deleted account, the
    system) is shown as it is; None as ''."""
    if value is None or value == "":
        return ""
    if value == SYSTEM:
        from flask_babel import gettext

        return gettext("系统")  # the server's own commands (app.audit writes "system")
    if not isinstance(value, str):  # an account
        unit = getattr(getattr(value, "unit", None), "short_name", None)
        return _label(full_name(value) or value.username, unit)
    return _labels().get(value, value)
