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
    """Top the unit list up to `total` units (synthetic bureaus under the city office)."""
    have = db.session.scalar(select(func.count()).select_from(Unit))
    city = db.session.scalar(select(Unit.id).where(Unit.code == "0000"))
    rows = [dict(code=f"B{i:04d}", name=f"基准测试单位{i:04d}法制处", short_name=f"测试单位{i:04d}",
                 kind="department" if i % 5 else "district", parent_id=city, valid_from=dt.date(2000, 1, 1))
            for i in range(max(total - have, 0))]
    if rows:
        db.session.execute(insert(Unit), rows)
    db.session.commit()
    return list(db.session.scalars(select(Unit.id).where(Unit.code != "0000").order_by(Unit.id)))[:total]


def _values(spec, rng: random.Random, scale: int) -> dict:
    out = {}
    for f in spec.fields:
        if f.kind == COUNT:
            out[f.name] = rng.randint(0, scale)
        elif f.kind == MONEY:
            out[f.name] = rng.randint(0, scale) * rng.randint(100, 300_000)
    return out


def add_filings(form_code: str, unit_ids: list[int], first: Period, last: Period, seed: int = 9) -> int:
    """One accepted filing with one value row per unit and period; returns how many."""
    spec = get_form(form_code)
    rng = random.Random(seed)
    model = value_model(form_code)
    next_id = (db.session.scalar(select(func.max(Filing.id))) or 0) + 1
    reported = dt.datetime(2000, 1, 1)
    filings, values, n = [], [], 0
    for uid in unit_ids:
        scale = rng.choice((100, 500, 2_000, 10_000))
        for p in periods_between(spec.period_kind, first, last):
            filings.append(dict(id=next_id, form_code=form_code, unit_id=uid, period_key=p.key, year=p.year,
                                sub=p.index, state="accepted", revision=1, version=1,
                                first_reported_at=reported, created_at=reported, updated_at=reported))
            values.append(dict(filing_id=next_id, revision=1, **_values(spec, rng, scale)))
            next_id += 1
            n += 1
            if len(filings) >= CHUNK:
                _flush(model, filings, values)
    _flush(model, filings, values)
    db.session.commit()
    return n


def _flush(model, filings: list, values: list) -> None:
    if filings:
        db.session.execute(insert(Filing), filings)
        db.session.execute(insert(model), values)
        filings.clear()
        values.clear()
