"""Helpers of the statistics-feed tests: the service account and its key, seeded filings over
many units, periods and form versions, the report page's cells, and the figures in hand-written SQL."""

from __future__ import annotations

import html
import random
import re
from decimal import Decimal

from sqlalchemy import select, text

from app.extensions import db
from app.filing.periods import Period, period_of, periods_between
from app.forms import VERSIONS, get_form
from app.forms.base import MONEY, SmallBase
from app.forms.versions import sources
from app.models import Filing, PortalUser, Unit, value_model
from app.reporting.measures import CHOICE_COUNT, CLOSING, OPENING, measures
from app.reporting.report import YUAN, Column, formatter
from app.unit_list import unit_by_code
from tests.helpers import litigation_values, penalty_values, reconsideration_values

PER_YEAR = {"quarter": 4, "half": 2, "year": 1}
SERVICE_USER = "decision_system"


def service_key(app) -> dict:
    """The decision system's account (role 统计数据服务, no unit) and a key minted for it by the
    security administrator through app.apikeys (the one write path); the request headers."""
    from app.apikeys import mint_key
    from app.security import STATS_SERVICE

    with app.app_context():
        sm = app.appbuilder.sm
        account = sm.find_user(username=SERVICE_USER) or sm.add_user(
            SERVICE_USER, "领导决策", "系统", "decision@example.invalid", [sm.find_role(STATS_SERVICE)],
            "Svc-Pass@2026!x")
        account.must_change_password = False
        db.session.commit()
        admin = db.session.scalar(select(PortalUser).where(PortalUser.username == "security_admin"))
        raw = mint_key(admin, account.id, "领导决策系统", 30)
        db.session.commit()
    return {"Authorization": f"Bearer {raw}"}


def _put(form: str, unit_id: int, key: str, raw: dict, state: str, older: dict | None) -> None:
    """A filing with its current value row (and, when `older`, a superseded revision 1)."""
    p = Period.parse(key)
    spec = get_form(form, p)
    values, errors = spec.parse(raw)
    assert not errors, errors
    revision = 2 if older else 1
    f = Filing(form_code=form, unit_id=unit_id, period_key=p.key, year=p.year, sub=p.index, state=state,
               revision=revision)
    db.session.add(f)
    db.session.flush()
    model = value_model(form)
    if older:
        old, errors = spec.parse(older)
        assert not errors, errors
        db.session.add(model(filing_id=f.id, revision=1, **old))
    db.session.add(model(filing_id=f.id, revision=revision, **values))


def _raw(form: str, rng: random.Random, key: str) -> dict:
    if form == "penalty":
        fines = f"{rng.randint(0, 900000)}.{rng.randint(0, 99):02d}"
        raw = penalty_values(total=rng.randint(70, 300), fines_yuan=fines)
        reconsidered = rng.randint(0, 25)
        raw.update(reconsidered=str(reconsidered), reconsidered_corrected=str(rng.randint(0, reconsidered)))
        return raw
    version = "2024" if Period.parse(key) >= Period.parse("2024H1") else "2015"
    if form == "reconsideration":
        accepted = rng.randint(20, 60)
        return reconsideration_values(accepted=accepted, concluded=rng.randint(17, accepted),
                                      carried=rng.randint(0, 20), version=version)
    new = rng.randint(10, 40)
    return litigation_values(new=new, concluded=rng.randint(10, new), carried=rng.randint(0, 15), version=version)


def seed_city(seed: int = 23) -> dict[str, int]:
    """Filings of three forms over 2021–2026 for nine units — among them 崇文区 (closed, → 东城区),
    密云县 (→ 密云区) and a chain of test units under 东城区 (A → B → C) — in every state, some
    with a superseded revision. Returns {code: unit id} of the test units."""
    import datetime as dt

    rng = random.Random(seed)
    dongcheng = unit_by_code("0100")
    chain = {}
    for code, name, to in (("9903", "测试管委会丙", None), ("9902", "测试管委会乙", dt.date(2024, 7, 1)),
                           ("9901", "测试管委会甲", dt.date(2023, 1, 1))):
        u = Unit(code=code, name=name, short_name=name, kind="zone_committee", parent_id=dongcheng.id,
                 valid_from=dt.date(2000, 1, 1), valid_to=to,
                 successor_id=chain[str(int(code) + 1)] if to else None)
        db.session.add(u)
        db.session.flush()
        chain[code] = u.id
    units = [unit_by_code(c).id for c in ("0100", "0200", "0300", "2300", "1700", "1701")] + list(chain.values())
    states = ["accepted"] * 6 + ["submitted"] * 2 + ["draft", "returned"]
    for form, first, last in (("penalty", "2021Q1", "2026Q4"), ("reconsideration", "2021H1", "2026H1"),
                              ("litigation", "2021H1", "2026H1")):
        kind = VERSIONS[form][0].period_kind
        for p in periods_between(kind, Period.parse(first), Period.parse(last)):
            for uid in units:
                if rng.random() < 0.65:
                    older = _raw(form, rng, p.key) if rng.random() < 0.2 else None
                    _put(form, uid, p.key, _raw(form, rng, p.key), rng.choice(states), older)
    db.session.commit()
    return chain


def random_choice(rng: random.Random) -> dict:
    """One choice of form, period range (a roll-up where the kind is coarser), grouping,
    successor switch, split, basis and perhaps a unit filter."""
    form = rng.choice(["penalty", "reconsideration", "litigation"])
    native = VERSIONS[form][0].period_kind
    kind = rng.choice([k for k in ("quarter", "half", "year") if PER_YEAR[k] <= PER_YEAR[native]])
    first = period_of(kind, rng.choice([Period(y, "half", h) for y in range(2021, 2026) for h in (1, 2)]).start)
    last = first
    for _i in range(rng.randint(0, 3)):
        last = last.next()
    choice = {"form": form, "from": first.key, "to": last.key, "by": rng.choice(["unit", "kind", "parent", "city"]),
              "successor": rng.choice(["0", "1"]), "split": rng.choice(["0", "1"]),
              "basis": rng.choice(["accepted", "accepted", "reported"])}
    if rng.random() < 0.25:
        choice["unit"] = ",".join(rng.sample(["0100", "0200", "2300", "1701", "9903"], 2))
    return choice


ROW = re.compile(r'<tr(?: class="total")? data-key="([^"]*)">(.*?)</tr>', re.S)
CELL = re.compile(r'<td(?: class="name[^"]*")?(?: data-col="([^"]*)")?(?: colspan="\d+")?>(.*?)</td>', re.S)


LINK = re.compile(r'^<a href="(/reports/\w+/sources\?[^"]+)">(.*)</a>$', re.S)


def _cell_text(value: str) -> str:
    """A cell's figure; a figure linked to its sources must link to the sources page of a report."""
    linked = LINK.match(value)
    return html.unescape(linked.group(2) if linked else value)


def page_rows(page_html: str) -> dict[str, dict[str, str]]:
    """{row label: {column name: text}} of the report page's table (合计 included)."""
    out = {}
    for _key, body in ROW.findall(page_html):
        cells = CELL.findall(body)
        label = html.unescape(cells[0][1])
        out[label] = {name: _cell_text(value) for name, value in cells[1:]}
    return out


def fen(value) -> int | None:
    return None if value is None else int(Decimal(value) * 100)


def as_page_text(column: dict, value, small: bool) -> str:
    """The API's figure as the report page shows it (money in 元), through the page's formatter."""
    kind = column["kind"]
    if kind == MONEY:
        value = fen(value)
    elif kind == "rate" and value is not None:
        value = (SmallBase if small else Decimal)(str(value))
    return formatter(Column(column["name"], column["label"], kind), YUAN)(value)


def identical_columns(form: str, first: Period, last: Period) -> tuple[object, list]:
    """(spec at the end, measures whose column every version in the range collected under that
    very name): the figures the hand-written SQL below can sum without the versions' mappings."""
    from app.forms.versions import versions_between

    native = VERSIONS[form][0].period_kind
    spec = get_form(form, period_of(native, last.end))
    spanned = versions_between(VERSIONS[form], first, last)
    keep = [m for m in measures(spec)
            if all(v is spec or sources(VERSIONS[form], spec, v)[m.column] == (m.column,) for v in spanned)]
    return spec, keep, spanned


def hand_sql(choice: dict, unit_ids: list[int] | None):
    """The figures by hand: {(group code, bucket key or None): {"filings": n, name: sum}} —
    successors by a recursive CTE, roll-ups by integer division, stocks by correlated MIN/MAX."""
    form = choice["form"]
    first, last = Period.parse(choice["from"]), Period.parse(choice["to"])
    spec, keep, _spanned = identical_columns(form, first, last)
    native = spec.period_kind
    per, target = PER_YEAR[native], PER_YEAR[first.kind]
    lo, hi = period_of(native, first.start), period_of(native, last.end)
    split = choice["split"] == "1"
    states = ("accepted",) if choice["basis"] == "accepted" else ("accepted", "submitted")
    gid = "fin.cur_id" if choice["successor"] == "1" else "f.unit_id"
    cols = sorted({m.column for m in keep})
    bucket = f"((f.sub - 1) / {per // target} + 1)" if split else "0"
    where_units = f" AND {gid} IN ({', '.join(str(i) for i in unit_ids)})" if unit_ids else ""
    key = {"unit": "g.code", "kind": "g.kind", "parent": "COALESCE(p.code, '')", "city": "''"}[choice["by"]]

    def agg(m) -> str:
        c = f"b.v_{m.column}"
        if m.how == CHOICE_COUNT:
            return f"SUM(CASE WHEN {c} = '{m.choice}' THEN 1 ELSE 0 END)"
        if m.how in (OPENING, CLOSING):
            fn = "MIN" if m.how == OPENING else "MAX"
            return (f"SUM(CASE WHEN b.ord = (SELECT {fn}(b2.ord) FROM base b2 WHERE b2.unit_id = b.unit_id "
                    f"AND b2.by_ = b.by_ AND b2.bs = b.bs) THEN {c} END)")
        return f"SUM({c})"

    sql = f"""
    WITH RECURSIVE chain(start_id, cur_id, depth) AS (
        SELECT id, id, 0 FROM unit
        UNION ALL
        SELECT c.start_id, u.successor_id, c.depth + 1 FROM chain c JOIN unit u ON u.id = c.cur_id
        WHERE u.successor_id IS NOT NULL AND c.depth < 20),
    fin AS (SELECT c.start_id, c.cur_id FROM chain c JOIN unit u ON u.id = c.cur_id WHERE u.successor_id IS NULL),
    base AS (
        SELECT f.unit_id, {gid} AS gid, f.year * {per} + f.sub AS ord,
               {'f.year' if split else '0'} AS by_, {bucket} AS bs,
               {', '.join(f'v.{c} AS v_{c}' for c in cols)}
        FROM filing f JOIN values_{form} v ON v.filing_id = f.id AND v.revision = f.revision
        JOIN fin ON fin.start_id = f.unit_id
        WHERE f.form_code = :form AND f.state IN ({', '.join(f"'{s}'" for s in states)})
          AND f.year * {per} + f.sub BETWEEN {lo.year * per + lo.index} AND {hi.year * per + hi.index}
          {where_units})
    SELECT {key} AS k, b.by_, b.bs, COUNT(*), {', '.join(agg(m) for m in keep)}
    FROM base b JOIN unit g ON g.id = b.gid LEFT JOIN unit p ON p.id = g.parent_id
    GROUP BY 1, 2, 3"""
    out = {}
    for row in db.session.execute(text(sql), {"form": form}).all():
        k, year, sub, n = row[0], row[1], row[2], row[3]
        bucket_key = Period(year, first.kind, sub).key if split else None
        out[(k, bucket_key)] = {"filings": n, **{m.name: None if v is None else int(v)
                                                 for m, v in zip(keep, row[4:], strict=True)}}
    return spec, keep, out
