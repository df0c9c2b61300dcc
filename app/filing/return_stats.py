"""退回原因统计: the municipal reviewers' returns (退回单位) counted by reason, unit, form and period.

One grouped query over the transitions (scope applied in SQL); the page's four tables and the
workbook's cross table are folded from its rows. A return without a code (none made since the
list exists; migration 0020 gave older ones 其他) counts as 其他.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import func, select

from ..clock import today
from ..extensions import db
from ..forms import FORMS, get_form
from ..models.filing import Filing, FilingTransition
from ..models.unit import Unit
from .periods import Period
from .return_reasons import OTHER, REASONS

ALL = "all"


@dataclass(frozen=True)
class Criteria:
    """Which returns: a year (of the filings' periods; None for all years), a form, a reason."""

    year: int | None
    form_code: str = ""
    reason: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Criteria:
        """Unknown values fall back to the defaults (latest year with returns, all forms and reasons)."""
        raw = args.get("year", "")
        if raw == ALL:
            year = None
        elif raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100:
            year = int(raw)
        else:
            year = (years() or [today().year])[0]
        form = args.get("form", "")
        reason = args.get("reason", "")
        return cls(year, form if form in FORMS else "", reason if reason in REASONS else "")


@dataclass
class Stats:
    """Counts of returns: in total, per reason, and per reason within each unit, form and period."""

    crit: Criteria
    total: int = 0
    by_reason: dict[str, int] = field(default_factory=dict)
    by_unit: list[tuple[Unit, dict[str, int]]] = field(default_factory=list)
    by_form: list[tuple[str, dict[str, int]]] = field(default_factory=list)
    by_period: list[tuple[Period, dict[str, int]]] = field(default_factory=list)
    cells: list[tuple[Unit, str, Period, dict[str, int]]] = field(default_factory=list)  # unit × form × period

    def share(self, reason: str) -> Decimal | None:
        """The reason's part of all returns (None when there are none)."""
        return Decimal(self.by_reason.get(reason, 0)) / Decimal(self.total) if self.total else None


def years() -> list[int]:
    """Years (newest first) whose filings were returned by a reviewer at least once."""
    return list(db.session.scalars(
        select(Filing.year).join(FilingTransition, FilingTransition.filing_id == Filing.id)
        .where(FilingTransition.action == "return").distinct().order_by(Filing.year.desc())))


def statistics(crit: Criteria, unit_ids: set[int] | None) -> Stats:
    """The returns the criteria select among the units `unit_ids` (None: every unit)."""
    reason = func.coalesce(FilingTransition.reason_code, OTHER)
    q = (select(Filing.unit_id, Filing.form_code, Filing.period_key, reason, func.count(FilingTransition.id))
         .join(Filing, Filing.id == FilingTransition.filing_id)
         .where(FilingTransition.action == "return")
         .group_by(Filing.unit_id, Filing.form_code, Filing.period_key, reason))
    if unit_ids is not None:
        q = q.where(Filing.unit_id.in_(unit_ids))
    if crit.year is not None:
        q = q.where(Filing.year == crit.year)
    if crit.form_code:
        q = q.where(Filing.form_code == crit.form_code)
    if crit.reason:
        q = q.where(reason == crit.reason)
    rows = db.session.execute(q).all()
    units = {u.id: u for u in db.session.scalars(select(Unit).where(Unit.id.in_({r[0] for r in rows})))}
    stats = Stats(crit)
    per_unit, per_form, per_period = defaultdict(dict), defaultdict(dict), defaultdict(dict)
    cells: dict[tuple, dict[str, int]] = defaultdict(dict)
    for unit_id, form_code, period_key, code, n in rows:
        code = code if code in REASONS else OTHER
        stats.total += n
        for bucket, key in ((stats.by_reason, None), (per_unit, unit_id), (per_form, form_code),
                            (per_period, period_key), (cells, (unit_id, form_code, period_key))):
            target = bucket if key is None else bucket[key]
            target[code] = target.get(code, 0) + n
    stats.by_unit = sorted(((units[u], c) for u, c in per_unit.items()), key=lambda uc: uc[0].code)
    stats.by_form = [(code, per_form[code]) for code in FORMS if code in per_form]
    stats.by_period = sorted(((Period.parse(k), c) for k, c in per_period.items()),
                             key=lambda pc: (pc[0].start, pc[0].kind), reverse=True)
    stats.cells = sorted(((units[u], f, Period.parse(p), c) for (u, f, p), c in cells.items()),
                         key=lambda x: (x[0].code, list(FORMS).index(x[1]), x[2].start))
    return stats


def table(stats: Stats):
    """(title, heading lines, columns, rows) of the workbook: one row per unit × form × period,
    a column per reason and the total (for app.exports' sheet writer)."""
    from ..exports.sheet import Col
    from ..exports.styles import COUNT, TEXT

    crit = stats.crit
    title = f"退回原因统计（{crit.year}年）" if crit.year else "退回原因统计（全部年度）"
    meta = [("报表", get_form(crit.form_code).menu_title if crit.form_code else "全部"),
            ("退回原因", REASONS[crit.reason] if crit.reason else "全部"),
            ("退回次数", str(stats.total)), ("导出日期", today().isoformat())]
    cols = [Col("单位", TEXT), Col("报表", TEXT), Col("报告期", TEXT),
            *(Col(label, COUNT, "退回原因") for label in REASONS.values()), Col("合计", COUNT)]
    titles = {code: get_form(code).menu_title for code in FORMS}
    codes = list(REASONS)
    rows = []
    for unit, form, period, c in stats.cells:
        counts = [c.get(code, 0) for code in codes]
        rows.append([unit.name, titles[form], period.label, *counts, sum(counts)])
    return title, meta, cols, rows
