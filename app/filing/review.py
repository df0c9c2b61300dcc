"""The municipal reviewer's list (待审核) and its batch acceptance.

The list filters and sorts in SQL on facts kept on the filing when they come about — 上报时间
(first_reported_at), 逾期天数 (days_late, app.filing.timeliness), 有情况说明 (explanation) and the
number of validation warnings (warning_count) — so a page of a city's 40,000 filings costs one
indexed query, whatever the sort. Batch 审核通过 sends each chosen filing through the state
machine (app.filing.workflow.apply) on its own: its own transition, audit row and commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, select, update

from ..extensions import db
from ..forms import get_form
from ..models.filing import Filing
from ..models.unit import Unit
from ..scope import in_scope
from ..security import FILING, has_perm
from .errors import FilingError, Forbidden
from .periods import Period
from .workflow import PENDING, SUBMITTED, apply, state_label

YES, NO = "yes", "no"
# sort key → the column it orders by (nulls last either way)
SORTS = {
    "reported": Filing.first_reported_at,
    "late": Filing.days_late,
    "explained": case((Filing.explanation.is_not(None), 1), else_=0),
    "warnings": Filing.warning_count,
}
BATCH_MAX = 200  # filings one batch may name (a list page shows 50)


@dataclass(frozen=True)
class Criteria:
    """The review facts' filters and the sort, as read from a query string."""

    late: str = ""        # yes: past the deadline at sign-off; no: on time
    explained: str = ""   # yes / no: a 情况说明 was given
    warnings: str = ""    # yes / no: the figures raise warnings
    sort: str = ""        # a key of SORTS, or "" for the period order
    desc: bool = False

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> Criteria:
        """Unknown values are ignored (the list shows everything), never an error."""
        def yes_no(name):
            value = args.get(name, "")
            return value if value in (YES, NO) else ""

        sort = args.get("sort", "")
        return cls(yes_no("late"), yes_no("explained"), yes_no("warnings"),
                   sort if sort in SORTS else "", args.get("dir") == "desc")


def filtered(q, crit: Criteria):
    """`q` (a select of Filing) narrowed by the review facts (the filing's own columns only, so
    the list can count without joining the units)."""
    if crit.late == YES:
        q = q.where(Filing.days_late > 0)
    elif crit.late == NO:
        q = q.where(Filing.days_late == 0)
    if crit.explained == YES:
        q = q.where(Filing.explanation.is_not(None))
    elif crit.explained == NO:
        q = q.where(Filing.explanation.is_(None))
    if crit.warnings == YES:
        q = q.where(Filing.warning_count > 0)
    elif crit.warnings == NO:
        q = q.where(Filing.warning_count == 0)
    return q


def ordered(q, crit: Criteria):
    """`q` (a select of Filing joined with Unit) in the list's order: the chosen column, then
    the newest period first and the unit's code."""
    period_order = (Filing.year.desc(), Filing.sub.desc(), Unit.code)
    if not crit.sort:
        return q.order_by(*period_order)
    column = SORTS[crit.sort]
    key = column.desc() if crit.desc else column.asc()
    return q.order_by(key.nulls_last(), *period_order, Filing.id)


def filing_name(filing: Filing) -> str:
    """东城区 · 行政处罚 · 2026年第3季度: how a message names a filing."""
    spec = get_form(filing.form_code)
    return f"{filing.unit.short_name} · {spec.menu_title or spec.title} · {Period.parse(filing.period_key).label}"


@dataclass
class BatchResult:
    """What a batch did: the filings accepted and those refused, each with its reason."""

    passed: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)  # (name or #id, why)


def _parse_choice(token: str) -> tuple[int, int | None] | None:
    """"<id>" or "<id>:<version>" (the version the list showed) → (id, version)."""
    fid, _, version = str(token).partition(":")
    if not (fid.isascii() and fid.isdigit() and len(fid) <= 9):
        return None
    if version and not (version.isascii() and version.isdigit() and len(version) <= 9):
        return None
    return int(fid), (int(version) if version else None)


def accept_many(choices: list[str], user) -> BatchResult:
    """批量审核通过: accept each chosen filing that awaits acceptance, is in the user's scope and
    raises no validation warning, through workflow.apply on its own (own transition, audit row,
    commit). The others are refused by name with the reason; a refusal writes nothing for that
    filing and does not stop the rest. Raises Forbidden when the user may not review at all."""
    from .values import current_values, warnings_for

    if not has_perm(user, "can_review", FILING):
        raise Forbidden("您无权执行“审核通过”")
    result = BatchResult()
    seen: set[int] = set()
    for token in choices[:BATCH_MAX]:
        parsed = _parse_choice(token)
        if parsed is None:
            result.refused.append((f"“{str(token)[:20]}”", "不是有效的报表编号"))
            continue
        fid, version = parsed
        if fid in seen:
            continue
        seen.add(fid)
        filing = db.session.get(Filing, fid)
        if filing is None or not in_scope(filing.unit_id, user):
            # the same answer for a filing that does not exist and one the user may not see
            result.refused.append((f"#{fid}", "报表不存在或无权查看"))
            continue
        name = filing_name(filing)
        if filing.state != SUBMITTED:
            result.refused.append((name, f"当前状态为“{state_label(filing.state)}”，不在待审核之列"))
            continue
        warned = warnings_for(filing, current_values(filing))
        if warned:
            result.refused.append((name, f"有{len(warned)}条校验提示，请打开报表逐份审核"))
            continue
        try:
            apply(filing, "accept", user, expected_version=version)
        except FilingError as exc:
            db.session.rollback()
            result.refused.append((name, exc.message))
            continue
        result.passed.append(name)
    if len(choices) > BATCH_MAX:
        result.refused.append((f"{len(choices) - BATCH_MAX}份", f"一次最多审核{BATCH_MAX}份，其余未处理"))
    return result


def backfill() -> tuple[int, int]:
    """Fill the kept facts of filings from before they were kept (`flask portal init`, the demo):
    days late of every signed-off filing, warnings of those awaiting a decision (pending,
    submitted) — accepted ones keep NULL (shown blank). Returns (days late set, warnings set).
    Written without touching the filings' edit version."""
    from .deadlines import deadline
    from .timeliness import status_of
    from .values import current_values, warnings_for

    table = Filing.__table__
    dues: dict[tuple[str, str], object] = {}
    changes = []
    for fid, code, key, reported in db.session.execute(
        select(Filing.id, Filing.form_code, Filing.period_key, Filing.first_reported_at)
        .where(Filing.first_reported_at.is_not(None), Filing.days_late.is_(None))
    ).all():
        if (code, key) not in dues:
            dues[code, key] = deadline(code, Period.parse(key))
        changes.append({"fid": fid, "late": status_of(reported, dues[code, key])[2]})
    if changes:  # one executemany
        from sqlalchemy import bindparam

        db.session.execute(update(table).where(table.c.id == bindparam("fid")).values(days_late=bindparam("late")),
                           changes)
    late = len(changes)
    warned = 0
    for filing in db.session.scalars(select(Filing).where(
            Filing.state.in_([PENDING, SUBMITTED]), Filing.warning_count.is_(None))).all():
        count = len(warnings_for(filing, current_values(filing)))
        db.session.execute(update(table).where(table.c.id == filing.id).values(warning_count=count))
        warned += 1
    return late, warned

