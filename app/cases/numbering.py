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
    """The unit's 案号 prefix: its own setting, else 京 + the first character of its name + 复."""
    own = db.session.get(CasePrefix, unit.id)
    return own.prefix if own else f"京{unit.short_name[:1]}复"


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
