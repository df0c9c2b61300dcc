"""Report filters from a query string (period or range, grouping, unit kinds, units, basis,
closed units, money unit) into a StatsQuery. No Flask here: any mapping with ``get`` and
``getlist`` (werkzeug's MultiDict) will do, so pages, exports and tests parse alike.

Units outside the user's scope are dropped silently (the scope decides what exists for them).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..filing.periods import HALF, QUARTER, YEAR, Period, PeriodError, last_complete, periods_between
from ..filing.workflow import ACCEPTED, SUBMITTED
from ..forms.base import FormSpec
from ..models.unit import UNIT_KINDS
from .aggregate import GROUPINGS, UNIT, StatsQuery
from .report import WAN, YUAN
from .rollup import COARSENESS, RangeError, check_range

ACCEPTED_ONLY, REPORTED = "accepted", "reported"
STATES = {ACCEPTED_ONLY: (ACCEPTED,), REPORTED: (ACCEPTED, SUBMITTED)}


@dataclass
class Filters:
    """The parsed filters, the query they make, and what was wrong with the input."""

    query: StatsQuery
    money: str = WAN
    basis: str = ACCEPTED_ONLY
    errors: list[str] = field(default_factory=list)
    selected_units: list[int] = field(default_factory=list)


def _period(text: str | None) -> Period | None:
    text = (text or "").strip()
    if not text:
        return None
    return Period.parse(text)


def parse_filters(spec: FormSpec, args, today: dt.date, visible: set[int] | None,
                  default_by: str = UNIT) -> Filters:
    """Filters for `spec` from `args`; bad input falls back to defaults with a message."""
    errors: list[str] = []
    default = last_complete(spec.period_kind, today)
    try:
        first = _period(args.get("from")) or default
        last = _period(args.get("to")) or first
        check_range(spec.period_kind, first, last)
    except (PeriodError, RangeError) as exc:
        errors.append(str(exc))
        first = last = default
    by = args.get("by") or default_by
    if by not in GROUPINGS:
        errors.append(_("未知的分组方式"))
        by = default_by
    kinds = frozenset(k for k in args.getlist("kind") if k in UNIT_KINDS) or None
    chosen = []
    for raw in args.getlist("unit"):
        if str(raw).isdigit() and (visible is None or int(raw) in visible):
            chosen.append(int(raw))
    basis = args.get("basis") if args.get("basis") in STATES else ACCEPTED_ONLY
    money = args.get("money") if args.get("money") in (WAN, YUAN) else WAN
    query = StatsQuery(spec.code, first, last, by=by, states=STATES[basis],
                       successor=args.get("successor") == "1",
                       unit_ids=frozenset(chosen) if chosen else None, kinds=kinds)
    return Filters(query, money, basis, errors, chosen)


def period_choices(spec: FormSpec, today: dt.date, years: int = 8) -> list[tuple[str, list[Period]]]:
    """Periods a report can be asked for, newest first, grouped by kind (for dropdowns)."""
    out = []
    labels = {QUARTER: _("季度"), HALF: _("半年"), YEAR: _("年度")}
    for kind in (QUARTER, HALF, YEAR):
        if COARSENESS[kind] < COARSENESS[spec.period_kind]:
            continue
        last = last_complete(kind, today)
        first = Period(today.year - years, kind, 1)
        out.append((labels[kind], list(reversed(periods_between(kind, first, last)))))
    return out
