"""Units for statistics: closed units counted under their successor, and scope labels.

A closed unit keeps its own filings; with ``successor=True`` the statistics count them under
the unit that finally took over (following chains such as A → B → C), in SQL, by mapping the
filing's unit id through a CASE built from the (small) set of closed units.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import case, select

from ..extensions import db
from ..models.filing import Filing
from ..models.unit import Unit


def final_successors() -> dict[int, int]:
    """{closed unit id: the id of the last unit in its successor chain}. Cycles stop safely."""
    direct = dict(db.session.execute(
        select(Unit.id, Unit.successor_id).where(Unit.successor_id.is_not(None))).all())
    out = {}
    for start in direct:
        seen, uid = {start}, direct[start]
        while uid in direct and direct[uid] not in seen:
            seen.add(uid)
            uid = direct[uid]
        out[start] = uid
    return out


def unit_key(successor: bool, mapping: dict[int, int] | None = None):
    """The unit a filing counts under: its own, or its final successor's (`mapping` from
    final_successors(), read when not given)."""
    if not successor:
        return Filing.unit_id
    if mapping is None:
        mapping = final_successors()
    if not mapping:
        return Filing.unit_id
    return case(mapping, value=Filing.unit_id, else_=Filing.unit_id)


def scope_label(unit_ids: set[int] | None, own_unit=None) -> str:
    """How a page names what it covers: 全市, a unit (and its sub-units), or nothing."""
    if unit_ids is None:
        return _("全市")
    if not unit_ids:
        return _("无可查看的单位")
    if own_unit is not None:
        if len(unit_ids) == 1:
            return own_unit.name
        return _("%(name)s及下级单位", name=own_unit.name)
    return _("%(n)d个单位", n=len(unit_ids))


def units_behind(unit_ids, successor: bool) -> set[int]:
    """The units whose filings count under `unit_ids`: themselves, and with `successor` every
    closed unit whose final successor is one of them."""
    ids = set(unit_ids)
    if successor:
        ids |= {old for old, new in final_successors().items() if new in unit_ids}
    return ids
