"""The filings list behind a report (明细): one row per filing with its current figures, in the
user's scope, for the same filters as the report. Streamed from the database in chunks so an
export of 100,000 filings keeps flat memory.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import and_, select

from ..clock import local_date
from ..extensions import db
from ..filing.periods import Period
from ..filing.workflow import STATES
from ..forms import VERSIONS, get_form
from ..forms.base import CHOICE, COUNT, MONEY
from ..forms.versions import all_fields
from ..models.filing import Filing
from ..models.unit import Unit
from ..models.values import value_model
from ..scope import restrict
from .aggregate import StatsQuery
from .rollup import check_range, range_clause, range_params
from .units import unit_key

CHUNK = 2000


def detail_fields(form_code: str):
    """Every field of every version of the form (every kind: text and choices too); a filing
    shows the figures its own version collected, the rest blank."""
    return all_fields(VERSIONS[form_code])


def detail_rows(q: StatsQuery, user=None) -> Iterator[list]:
    """[unit code, unit name, period label, state label, reported on (local date), *values] per
    filing, ordered by unit and period. Choice fields come as their labels."""
    spec = get_form(q.form)
    check_range(spec.period_kind, q.first, q.end)
    values = value_model(spec.code)
    fields = detail_fields(q.form)
    stmt = (
        select(Unit.code, Unit.short_name, Filing.period_key, Filing.state, Filing.first_reported_at,
               *[getattr(values, f.name) for f in fields])
        .select_from(Filing)
        .join(values, and_(values.filing_id == Filing.id, values.revision == Filing.revision))
        .join(Unit, Unit.id == Filing.unit_id)
        .where(Filing.form_code == spec.code, Filing.state.in_(q.states),
               range_clause(spec.period_kind))
        .order_by(Unit.code, Filing.year, Filing.sub)
    )
    stmt = restrict(stmt, Filing.unit_id, user)
    if q.unit_ids is not None:
        stmt = stmt.where(unit_key(q.successor).in_(q.unit_ids))
    if q.kinds is not None:
        stmt = stmt.where(Unit.kind.in_(q.kinds))
    choices = {i: dict(f.choices) for i, f in enumerate(fields) if f.kind == CHOICE}
    labels: dict[str, str] = {}
    params = range_params(spec.period_kind, q.first, q.end)
    result = db.session.execute(stmt.execution_options(yield_per=CHUNK), params)
    for r in result:
        key = r[2]
        if key not in labels:
            labels[key] = Period.parse(key).label
        reported = local_date(r[4]).isoformat() if r[4] is not None else ""
        row = [r[0], r[1], labels[key], STATES.get(r[3], r[3]), reported, *r[5:]]
        for i, names in choices.items():
            row[5 + i] = names.get(row[5 + i], row[5 + i])
        yield row


def field_kind(f) -> str:
    """count, money or text (choices and text are written as text)."""
    return f.kind if f.kind in (COUNT, MONEY) else "text"
