"""A city beyond any real one, for benchmarks: 500 units, 20 years of quarterly penalty filings
and (optionally) half-yearly reconsideration and litigation filings, all accepted, one value
row each, written with bulk INSERTs.

Figures are random but plausible (penalty counts 10²–10⁴ a quarter, amounts in fen); the
benchmarks measure speed, not validity, so the forms' rules are not enforced here.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, insert, select

from app.extensions import db
from app.filing.periods import Period, periods_between
from app.forms import get_form
from app.forms.base import COUNT, MONEY
from app.models import Filing, Unit, value_model

CHUNK = 5_000


def add_units(total: int) -> list[int]:
    """Top the unit list up to `total` reporting units besides the city office (synthetic bureaus)."""
    have = db.session.scalar(select(func.count()).select_from(Unit))
    city = db.session.scalar(select(Unit.id).where(Unit.code == "0000"))
    rows = [dict(code=f"B{i:04d}", name=f"基准测试单位{i:04d}法制处", short_name=f"测试单位{i:04d}",
                 kind="department" if i % 5 else "district", parent_id=city, valid_from=dt.date(2000, 1, 1))
            for i in range(max(total + 1 - have, 0))]
    if rows:
        db.session.execute(insert(Unit), rows)
    db.session.commit()
    return list(db.session.scalars(select(Unit.id).where(Unit.code != "0000").order_by(Unit.id)))[:total]


def _value_pool(spec, rng: random.Random, size: int = 997) -> list[tuple]:
    """`size` distinct rows of figures (counts 10²–10⁴, amounts in fen), reused in turn."""
    pool = []
    for _ in range(size):
        scale = rng.choice((100, 500, 2_000, 10_000))
        row = []
        for f in spec.fields:
            if f.kind == COUNT:
                row.append(rng.randint(0, scale))
            elif f.kind == MONEY:
                row.append(rng.randint(0, scale) * rng.randint(100, 300_000))
            else:
                row.append(None)
        pool.append(tuple(row))
    return pool


def add_filings(form_code: str, unit_ids: list[int], first: Period, last: Period, seed: int = 9) -> int:
    """One accepted filing with one value row per unit and period, written with the driver's
    executemany (plain tuples: the fastest path); returns how many."""
    spec = get_form(form_code)
    pool = _value_pool(spec, random.Random(seed))
    model = value_model(form_code)
    conn = db.session.connection()
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    filing_cols = ["id", "form_code", "unit_id", "period_key", "year", "sub", "state", "revision", "version",
                   "first_reported_at", "created_at", "updated_at"]
    value_cols = ["filing_id", "revision", *spec.field_names]
    insert_filing = (f"INSERT INTO {Filing.__tablename__} ({', '.join(filing_cols)}) "
                     f"VALUES ({', '.join([mark] * len(filing_cols))})")
    insert_values = (f"INSERT INTO {model.__tablename__} ({', '.join(value_cols)}) "
                     f"VALUES ({', '.join([mark] * len(value_cols))})")
    next_id = (db.session.scalar(select(func.max(Filing.id))) or 0) + 1
    reported = dt.datetime(2000, 1, 1)
    periods = periods_between(spec.period_kind, first, last)
    filings, values, n = [], [], 0
    for uid in unit_ids:
        for p in periods:
            filings.append((next_id, form_code, uid, p.key, p.year, p.index, "accepted", 1, 1,
                            reported, reported, reported))
            values.append((next_id, 1, *pool[next_id % len(pool)]))
            next_id += 1
            n += 1
            if len(filings) >= CHUNK:
                _flush(conn, insert_filing, insert_values, filings, values)
    _flush(conn, insert_filing, insert_values, filings, values)
    db.session.commit()
    return n


def _flush(conn, insert_filing: str, insert_values: str, filings: list, values: list) -> None:
    if filings:
        conn.exec_driver_sql(insert_filing, filings)
        conn.exec_driver_sql(insert_values, values)
        filings.clear()
        values.clear()
