"""THE organisation scope: which units a user may see. Every view, API, chart, export and
import asks here; nothing else decides it.

A user sees their own unit, the units below it and the closed units it succeeded (with theirs):
after a merger the successor answers for its predecessors' history (崇文区's filings are 东城区's
now), as the merged statistics already count them. A user holding ``can_all_units`` on ``Scope``
(municipal reviewers, leaders, administrators) sees every unit.
"""

from __future__ import annotations

from collections import defaultdict

from flask import abort, g
from flask_appbuilder.models.filters import BaseFilter
from flask_jwt_extended import get_current_user as _jwt_user
from flask_login import current_user
from sqlalchemy import false, or_, select

from .extensions import db
from .models.unit import Unit
from .security import SCOPE, has_perm


class OutOfScope(PermissionError):
    """A unit that the user may not see or act for."""


def acting_user():
    """The user of this request: the session's, or — for the API — the API key's or JWT's.

    FAB's ``@protect()`` puts an API key's user in ``g.user`` (with ``g._api_key_user``) and a
    JWT's user in flask_jwt_extended only; flask_login's ``current_user`` stays anonymous for
    both, so without this the API would see an empty scope and the engine an anonymous user.
    """
    if getattr(current_user, "is_authenticated", False):
        return current_user
    if g.get("_api_key_user") and g.get("user") is not None:
        return g.user
    try:
        user = _jwt_user()
    except RuntimeError:  # not inside a JWT-verified request
        user = None
    return user if user is not None else current_user


def _children_map() -> dict[int | None, list[int]]:
    """{unit id: the units it answers for}: the units below it and those it succeeded."""
    cache = g.get("_unit_children")
    if cache is None:
        cache = defaultdict(list)
        for uid, parent, successor in db.session.execute(select(Unit.id, Unit.parent_id, Unit.successor_id)):
            cache[parent].append(uid)
            if successor is not None:
                cache[successor].append(uid)
        g._unit_children = cache
    return cache


def is_city_wide(user=None) -> bool:
    """True when the user sees every unit."""
    user = acting_user() if user is None else user
    return has_perm(user, "can_all_units", SCOPE)


def visible_unit_ids(user=None) -> set[int] | None:
    """Unit ids the user may see; None means all units. An account without a unit sees none."""
    user = acting_user() if user is None else user
    if not getattr(user, "is_authenticated", False):
        return set()
    if is_city_wide(user):
        return None
    root = getattr(user, "unit_id", None)
    if root is None:
        return set()
    children = _children_map()
    seen, stack = set(), [root]
    while stack:
        uid = stack.pop()
        if uid not in seen:
            seen.add(uid)
            stack.extend(children.get(uid, ()))
    return seen


def in_scope(unit_id: int | None, user=None) -> bool:
    """True when the user may see unit `unit_id`."""
    ids = visible_unit_ids(user)
    return ids is None or unit_id in ids


def restrict(query, unit_column, user=None):
    """Filter a SQLAlchemy query or select to the units the user may see."""
    ids = visible_unit_ids(user)
    if ids is None:
        return query
    if not ids:
        return query.where(false())
    return query.where(unit_column.in_(ids))


def restrict_any(query, *unit_columns, user=None):
    """Filter to rows where any of `unit_columns` names a unit the user may see (a case register:
    the deciding unit or the respondent)."""
    ids = visible_unit_ids(user)
    if ids is None:
        return query
    if not ids:
        return query.where(false())
    return query.where(or_(*(column.in_(ids) for column in unit_columns)))


def get_scoped(model, pk, unit_attr: str = "unit_id", user=None):
    """Load one row by primary key; None when it is absent or outside the scope."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    obj = db.session.get(model, pk)
    if obj is None or not in_scope(getattr(obj, unit_attr), user):
        return None
    return obj


def get_or_404(model, pk, unit_attr: str = "unit_id", user=None):
    """Load one row by primary key, answering 404 when it is absent or outside the scope."""
    obj = get_scoped(model, pk, unit_attr, user)
    if obj is None:
        abort(404)
    return obj


def scoped_units(user=None, only_active_on=None) -> list[Unit]:
    """The units the user may see, ordered by code (for dropdowns and filters)."""
    q = restrict(select(Unit).order_by(Unit.code), Unit.id, user)
    units = list(db.session.scalars(q))
    if only_active_on is not None:
        units = [u for u in units if u.active_on(only_active_on)]
    return units


def unit_choices(user=None) -> list:
    """(id, code, short_name) rows of the units the user may see, ordered by code: what a unit
    dropdown needs, without loading a whole ORM object per unit (5,000 of them at a large city)."""
    q = restrict(select(Unit.id, Unit.code, Unit.short_name).order_by(Unit.code), Unit.id, user)
    return list(db.session.execute(q))


class UnitScopeFilter(BaseFilter):
    """FAB base filter: ``base_filters = [["unit_id", UnitScopeFilter, None]]``."""

    name = "单位范围"
    arg_name = None

    def apply(self, query, value):
        column = getattr(self.model, self.column_name)
        return restrict(query, column)


class UnitSelfScopeFilter(BaseFilter):
    """FAB base filter on the Unit table itself (its own id is the unit)."""

    name = "单位范围"
    arg_name = None

    def apply(self, query, value):
        return restrict(query, self.model.id)
