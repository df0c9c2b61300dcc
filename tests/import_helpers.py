"""Building form imports for the all-or-nothing tests: many units × periods, filled with
consistent figures, as a reviewer (city-wide can_import) would upload them."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.filing.periods import Period, periods_between
from app.filing.timeliness import is_expected
from app.forms import get_form
from app.imports.forms import template_bytes
from app.models import VALUE_MODELS, AuditLog, Filing, Unit
from tests.helpers import penalty_values
from tests.xlsx_helpers import fill

HEADER_ROW = 4
# The audit actions an import writes: its own row, and per filing its creation and its values.
IMPORT_ACTIONS = ("import.form", "filing.create", "filing.values")


def row_values(spec, raw: dict) -> list:
    """A row's cells for `raw` (the web form's strings): money as 元, counts as integers."""
    return [float(raw[f.name]) if f.kind == "money" else int(raw[f.name]) for f in spec.fields]


def big_import(first: str, last: str, max_units: int | None = None, total: int = 100,
               skip=("0000", "7900")) -> tuple[bytes, int]:
    """A penalty import with a row for every expected unit (up to `max_units`, by code) and every
    quarter from `first` to `last`, except `skip` (市法制办 and 市司法局, which runs the portal since
    2018: the reviewer's own unit, whose filings a reviewer cannot create):
    (file, number of rows). App context needed."""
    periods = periods_between("quarter", Period.parse(first), Period.parse(last))
    spec = get_form("penalty", periods[0])  # the version of the file's periods
    units = list(db.session.scalars(select(Unit).order_by(Unit.code)))
    rows = []
    for period in periods:
        expected = [u for u in units if u.code not in skip and is_expected(u, "penalty", period)][:max_units]
        assert get_form("penalty", period) is spec, "one template version per file"
        rows += [[u.code, u.short_name, period.key] + row_values(spec, penalty_values(total)) for u in expected]
    blank = template_bytes(spec, periods[0], [])
    return fill(blank, rows, start_row=HEADER_ROW + 1), len(rows)


def traces(period_keys: list[str]) -> dict:
    """What an import of penalty figures for these periods left in the database (app context)."""
    db.session.expire_all()
    filing_ids = select(Filing.id).where(Filing.form_code == "penalty", Filing.period_key.in_(period_keys))
    model = VALUE_MODELS["penalty"]
    return {
        "filings": db.session.scalar(select(func.count()).select_from(filing_ids.subquery())),
        "values": db.session.scalar(select(func.count()).select_from(model).where(model.filing_id.in_(filing_ids))),
        "audit": db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action.in_(IMPORT_ACTIONS))),
    }
