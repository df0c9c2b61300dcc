"""案号: numbered by the portal per unit, register and year, without gaps or duplicates.

The counter row is taken and raised in the transaction that inserts the case: on PostgreSQL the
row is locked (SELECT … FOR UPDATE) until commit, so concurrent registrations queue and each
gets the next number; a transaction that rolls back returns its number with it (no gap). The row
is created on first use by INSERT … ON CONFLICT DO NOTHING, which on SQLite also takes the
database write lock first (the audit chain's pattern, app.audit._head).
"""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models.cases import CaseCounter, CasePrefix
from ..models.unit import Unit

RECON = "recon"


def prefix_of(unit: Unit) -> str:
    """The unit's 案号 prefix: its own setting (CasePrefix), else 京政复 for the city office, 京 + the
    first character of a district's name + 复 (京东复), 京 + two characters of a department's name +
    复 (京公安复). 案号 are unique per unit; a prefix two units share is told apart by the unit."""
    own = db.session.get(CasePrefix, unit.id)
    if own:
        return own.prefix
    if unit.kind == "city_office":
        return "京政复"
    name = unit.short_name.removeprefix("市").removeprefix("北京市")
    return f"京{name[:1]}复" if unit.kind in ("district", "county") else f"京{name[:2]}复"


def format_no(prefix: str, year: int, seq: int) -> str:
    return f"{prefix}〔{year}〕{seq}号"


def _insert_if_missing(unit_id: int, register: str, year: int):
    if db.session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(CaseCounter).values(unit_id=unit_id, register=register, year=year, last=0) \
        .on_conflict_do_nothing(index_elements=["unit_id", "register", "year"])


def next_number(unit: Unit, year: int, register: str = RECON) -> tuple[int, str]:
    """(seq, 案号) for the next case of `unit` in `year`; the counter stays locked until commit."""
    db.session.execute(_insert_if_missing(unit.id, register, year))
    counter = db.session.scalar(
        select(CaseCounter).where(CaseCounter.unit_id == unit.id, CaseCounter.register == register,
                                  CaseCounter.year == year)
        .with_for_update().execution_options(populate_existing=True))
    counter.last += 1
    return counter.last, format_no(prefix_of(unit), year, counter.last)
