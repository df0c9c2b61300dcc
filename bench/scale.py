"""A city beyond any real one, for benchmarks: 500 units, 20 years of quarterly penalty filings
and (optionally) half-yearly reconsideration and litigation filings, all accepted — every tenth
corrected once (two value rows, revision 2) — each with its three transitions (submit, sign-off,
acceptance) and their chained audit rows; and a staff register of 10,000 people with trainings
and certificates. Written with the driver's executemany.

The case forms' figures come from the demo city's generators (app/demo: parts add up to their
totals, rates stay under 100 %; a unit's penalty decisions 10–2,000 a quarter, reconsideration
applications 0–40 a half-year), the institution form's are random counts; rows are reused in turn
and written without the engine (the benchmarks measure speed).
"""

from __future__ import annotations

import datetime as dt
import json
import random

from sqlalchemy import func, insert, select

from app.audit import GENESIS, chain_hash, head_mac
from app.demo.cases import litigation_values, reconsideration_values
from app.demo.filings import advance_sequence
from app.demo.penalty import penalty_values
from app.extensions import db
from app.filing.periods import Period, periods_between
from app.forms import get_form
from app.forms.base import COUNT, MONEY
from app.models import Filing, FilingTransition, Unit, value_model
from app.models.audit import AuditChainHead, AuditLog
from app.models.staff import Certificate, StaffMember, TrainingCourse, TrainingRecord
from app.pii import current_keys, protected_fields, seal_columns
from app.staff.citizen_id import check_digit

CHUNK = 5_000


def add_units(total: int) -> list[int]:
    """Top the unit list up to `total` reporting units besides the city office (synthetic bureaus)."""
    have = db.session.scalar(select(func.count()).select_from(Unit))
    city = db.session.scalar(select(Unit.id).where(Unit.code == "0000"))
    start = db.session.scalar(select(func.count()).select_from(Unit).where(Unit.code.like("B%")))  # topped up before
    rows = [dict(code=f"B{i:04d}", name=f"基准测试单位{i:04d}法制处", short_name=f"测试单位{i:04d}",
                 kind="department" if i % 5 else "district", parent_id=city, valid_from=dt.date(2000, 1, 1))
            for i in range(start, start + max(total + 1 - have, 0))]
    if rows:
        db.session.execute(insert(Unit), rows)
    db.session.commit()
    return list(db.session.scalars(select(Unit.id).where(Unit.code != "0000").order_by(Unit.id)))[:total]


def _consistent(spec, rng: random.Random):
    """One unit-period's figures for `spec` that pass its rules (parts add up to their totals, no
    rate above 100 %), drawn by the demo city's generators at a unit's usual magnitudes; None for a
    form without one."""
    if not spec.valid_from:  # the generators draw by the version in force for a period
        return None
    period = Period.parse(spec.valid_from)
    if spec.code == "penalty":
        return penalty_values(rng.choice((10, 100, 500, 2_000)), period, rng)
    if spec.code == "reconsideration":
        return reconsideration_values(rng.choice((0, 3, 12, 40)), rng.choice((0, 2, 8)), period, rng)
    if spec.code == "litigation":
        return litigation_values(rng.choice((0, 2, 6, 20)), rng.choice((0, 2, 6)), period, rng)
    return None


def _value_pool(spec, rng: random.Random, size: int = 997) -> list[tuple]:
    """`size` distinct rows of figures, reused in turn: consistent ones (`_consistent`) for the
    case forms; for the others random counts 10²–10⁴ and amounts in fen."""
    pool = []
    for _ in range(size):
        found = _consistent(spec, rng)
        if found is not None:
            pool.append(tuple(found.get(f.name) if f.kind in (COUNT, MONEY) else None for f in spec.fields))
            continue
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


class _Writer:
    """Bulk INSERTs of plain tuples through the driver, flushed every CHUNK rows."""

    def __init__(self):
        self.conn = db.session.connection()
        self.mark = "?" if self.conn.dialect.paramstyle == "qmark" else "%s"
        self.tables: dict[str, tuple[str, list]] = {}

    def table(self, name: str, columns: list[str]) -> None:
        sql = f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join([self.mark] * len(columns))})"
        self.tables[name] = (sql, [])

    def add(self, name: str, row: tuple) -> None:
        rows = self.tables[name][1]
        rows.append(row)
        if len(rows) >= CHUNK and name == next(iter(self.tables)):
            self.flush()  # the first table's rows are what the others refer to: flush all, in order

    def flush(self) -> None:
        for sql, rows in self.tables.values():
            if rows:
                self.conn.exec_driver_sql(sql, rows)
                rows.clear()

    def close(self) -> None:
        """Flush; on PostgreSQL move each table's id sequence past the explicit ids."""
        self.flush()
        for name in self.tables:
            advance_sequence(name)


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


class _Audit:
    """Audit rows chained as `app.audit.record` chains them (the log stays verifiable)."""

    COLUMNS = ["id", "at", "user_id", "username", "ip", "action", "object_type", "object_id", "detail",
               "prev_hash", "hash"]

    def __init__(self, writer: _Writer):
        self.writer = writer
        writer.table(AuditLog.__tablename__, self.COLUMNS)
        head = db.session.get(AuditChainHead, 1)
        self.last = head.last_hash if head else GENESIS
        self.next_id = _next_id(AuditLog)

    def add(self, at: dt.datetime, username: str, action: str, object_type: str, object_id: int, detail: dict):
        entry = AuditLog(id=self.next_id, at=at, user_id=None, username=username, ip="10.0.0.1", action=action,
                         object_type=object_type, object_id=object_id, detail=detail)
        link = chain_hash(self.last, entry)
        self.writer.add(AuditLog.__tablename__, (entry.id, at, None, username, "10.0.0.1", action, object_type,
                                                 object_id, json.dumps(detail, ensure_ascii=False), self.last, link))
        self.last, self.next_id = link, self.next_id + 1

    def close(self) -> None:
        head = db.session.get(AuditChainHead, 1)
        if head is None:
            head = AuditChainHead(id=1, last_id=0, last_hash=GENESIS)
            db.session.add(head)
        head.last_id, head.last_hash = self.next_id - 1, self.last
        head.mac = head_mac(head.last_id, head.last_hash)


STEPS = (("submit", "draft", "pending", "filler"), ("sign_off", "pending", "submitted", "approver"),
         ("accept", "submitted", "accepted", "reviewer"))


def add_filings(form_code: str, unit_ids: list[int], first: Period, last: Period, seed: int = 9,
                revised_every: int = 10) -> int:
    """One accepted filing per unit and period with its value row (two for every
    `revised_every`-th filing: corrected once), its three transitions and their audit rows;
    returns how many filings."""
    spec = get_form(form_code)
    pool = _value_pool(spec, random.Random(seed))
    w = _Writer()
    w.table(Filing.__tablename__, ["id", "form_code", "unit_id", "period_key", "year", "sub", "state", "revision",
                                   "version", "first_reported_at", "created_at", "updated_at"])
    w.table(value_model(form_code).__tablename__, ["filing_id", "revision", *spec.field_names])
    w.table(FilingTransition.__tablename__, ["id", "filing_id", "action", "from_state", "to_state", "username", "at"])
    audit = _Audit(w)
    next_id, next_tr = _next_id(Filing), _next_id(FilingTransition)
    periods = periods_between(spec.period_kind, first, last)
    n = 0
    for uid in unit_ids:
        for p in periods:
            revision = 2 if revised_every and next_id % revised_every == 0 else 1
            reported = dt.datetime.combine(p.end, dt.time(2)) + dt.timedelta(days=10)
            w.add(Filing.__tablename__, (next_id, form_code, uid, p.key, p.year, p.index, "accepted", revision,
                                         revision * 3, reported, reported, reported))
            for rev in range(1, revision + 1):
                w.add(value_model(form_code).__tablename__, (next_id, rev, *pool[(next_id + rev) % len(pool)]))
            for action, before, after, who in STEPS:
                at = reported + dt.timedelta(hours=len(before))
                w.add(FilingTransition.__tablename__, (next_tr, next_id, action, before, after, who, at))
                audit.add(at, who, f"filing.{action}", "filing", next_id, {"from": before, "to": after})
                next_tr += 1
            next_id += 1
            n += 1
    w.close()
    audit.close()
    db.session.commit()
    return n


EDUCATION = ("研究生", "大学本科", "大学专科", "中专及以下")


def add_staff(unit_ids: list[int], total: int = 10_000, seed: int = 11) -> dict:
    """`total` staff members spread over the units, two trainings each (of 40 courses) and a
    reconsideration qualification certificate for about half; returns the counts."""
    rng = random.Random(seed)
    w = _Writer()
    w.table(TrainingCourse.__tablename__, ["id", "name", "organiser", "start_date", "end_date", "hours"])
    w.table(StaffMember.__tablename__, ["id", "unit_id", "name", "citizen_id_sealed", "citizen_id_index", "sex",
                                        "birth_date", "ethnicity",
                                        "education", "major", "law_major", "political_status", "post", "rank",
                                        "start_date", "passed_legal_exam", "status", "updated_at"])
    w.table(TrainingRecord.__tablename__, ["id", "course_id", "staff_id", "result"])
    w.table(Certificate.__tablename__, ["id", "staff_id", "cert_type", "number", "issuer", "issue_date",
                                        "valid_until", "status"])
    course0, staff0 = _next_id(TrainingCourse), _next_id(StaffMember)
    record0, cert0 = _next_id(TrainingRecord), _next_id(Certificate)
    courses = 40
    for i in range(courses):
        start = dt.date(2005 + i // 2, 3 + (i % 2) * 6, 10)
        w.add(TrainingCourse.__tablename__, (course0 + i, f"基准测试法治培训第{i + 1}期", "市司法局", start,
                                             start + dt.timedelta(days=2), 16))
    w.flush()
    now = dt.datetime(2024, 12, 31)
    certs = 0
    field = next(f for f in protected_fields() if f.model is StaffMember)
    keys = current_keys(for_writing=True)
    for i in range(total):
        sid = staff0 + i
        born = dt.date(1965, 1, 1) + dt.timedelta(days=rng.randrange(30 * 365))
        first17 = f"{110101 + sid // 1000:06d}{born:%Y%m%d}{sid % 1000:03d}"  # unique: (sid // 1000, sid % 1000)
        number = first17 + check_digit(first17)
        if i and i % CHUNK == 0:
            w.flush()
        sealed = seal_columns(field, number, keys)  # citizen ids sealed as the portal seals them (app/pii)
        w.add(StaffMember.__tablename__, (
            sid, unit_ids[i % len(unit_ids)], f"测试{sid:05d}", sealed[field.sealed_attr], sealed[field.index_attr],
            "男" if i % 2 else "女",
            born, "汉族", rng.choice(EDUCATION), "法学" if i % 3 else "行政管理", i % 3 != 0, "中共党员", "科员",
            "", dt.date(2010, 7, 1), i % 4 == 0, "在职", now))
        for k in range(2):
            w.add(TrainingRecord.__tablename__, (record0 + 2 * i + k, course0 + (i + 17 * k) % courses, sid, "合格"))
        if i % 2 == 0:
            issued = dt.date(2015 + i % 8, 6, 1)
            w.add(Certificate.__tablename__, (cert0 + certs, sid, "行政复议人员资格", f"XFZ{sid:08d}", "市司法局",
                                              issued, issued.replace(year=issued.year + 5), "有效"))
            certs += 1
    w.close()
    db.session.commit()
    return {"staff": total, "trainings": 2 * total, "certificates": certs, "courses": courses}
