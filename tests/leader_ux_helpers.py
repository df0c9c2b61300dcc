"""A city in the middle of reviewing its latest quarter (issue 18, leaders): four units filed a
year ago and last quarter; this quarter two are accepted, one is still waiting for the office,
one has not filed. A closed unit (前进区, taken over by 东城区) filed six quarters ago.

    unit      year ago (Y)   last quarter (M)   this quarter (P)
    东城区     1,000 accepted    900 accepted      1,100 accepted
    市公安局   2,000 accepted    1,800 accepted    2,200 accepted
    西城区     3,000 accepted    2,700 accepted    3,300 submitted (not counted)
    朝阳区     4,000 accepted    —                 —

Same units (东城区, 市公安局): 同比 3,300 vs 3,000 = +10.0%; all units: 3,300 vs 10,000 = −67.0%.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from app.clock import today
from app.extensions import db
from app.filing.periods import QUARTER, Period, last_complete
from app.models import Unit
from app.unit_list import unit_by_code
from tests.test_reporting import pen, put

FIGURES = {"0100": (1000, 900, 1100), "2300": (2000, 1800, 2200), "0200": (3000, 2700, 3300),
           "0500": (4000, None, None)}
MERGED_FIGURE = 500  # 前进区, six quarters back


@dataclass
class PartialCity:
    p: Period  # this quarter (partial)
    y: Period  # a year ago
    m: Period  # last quarter
    old: Period  # six quarters back: the closed unit's filing
    ids: dict  # code → unit id
    filings: dict  # (code, period key) → filing id


def build_partial_city() -> PartialCity:
    """Write the filings above (app context needed)."""
    p = last_complete(QUARTER, today())
    y, m = p.same_last_year(), p.previous()
    old = p
    for _i in range(6):
        old = old.previous()
    dongcheng = unit_by_code("0100")
    closed = Unit(code="T901", name="前进区人民政府法制办公室", short_name="前进区", kind="district",
                  parent_id=dongcheng.parent_id, valid_from=dt.date(2000, 1, 1), valid_to=old.next().end,
                  successor_id=dongcheng.id)
    db.session.add(closed)
    db.session.flush()
    filings = {}
    for code, (fy, fm, fp) in FIGURES.items():
        filings[(code, y.key)] = put("penalty", code, y.key, pen(fy))
        if fm is not None:
            filings[(code, m.key)] = put("penalty", code, m.key, pen(fm))
        if fp is not None:
            state = "submitted" if code == "0200" else "accepted"
            filings[(code, p.key)] = put("penalty", code, p.key, pen(fp), state=state)
    filings[("T901", old.key)] = put("penalty", "T901", old.key, pen(MERGED_FIGURE))
    ids = {code: unit_by_code(code).id for code in (*FIGURES, "T901")}
    db.session.commit()
    return PartialCity(p, y, m, old, ids, filings)


@pytest.fixture
def partial_city(app):
    with app.app_context():
        return build_partial_city()
