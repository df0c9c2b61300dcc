"""Issue 9: the number of SQL statements of every list, report and dashboard page does not grow
with the number of rows shown (no N+1). Pages are discovered from the menus and from the
parameterless GET routes under /reports/ and /dashboard/; each is counted with few rows, then
again after ~30 more filings, correction requests, staff, trainings, certificates, units, notices
and feedback reports have been added."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import delete, event, func, select

from app.extensions import db

ADMIN = "admin"
EXTRA = 30
# Pages that are not lists (forms, uploads, downloads): nothing there grows with the rows.
# Statements that run once there is at least one row, however many rows there are — a constant,
# not one per row: the rows' attachments eager-loaded with one "selectin" query (notices,
# feedback), and the names of the people the rows show, 姓名（单位） of every account loaded once
# per request (app.people.person: notices, feedback, correction requests).
SELECTIN_ONCE = {"/notices/": 2, "/feedback/": 2, "/filings/corrections/": 1}
SKIP_SUFFIXES = ("/new", "/import", "/add", "export.xlsx", ".xlsx", ".csv", ".png", ".svg", ".docx")


def _menu_urls(app) -> list[str]:
    urls = []

    def walk(items):
        for item in items:
            if item.childs:
                walk(item.childs)
            elif item.name != "-":
                href = item.get_url()
                if href and href.startswith("/") and not href.startswith("//"):
                    urls.append(href)

    with app.test_request_context():
        walk(app.appbuilder.menu.get_list())
    return urls


def _route_urls(app) -> list[str]:
    return [r.rule for r in app.url_map.iter_rules()
            if r.rule.startswith(("/reports/", "/dashboard/")) and not r.arguments and "GET" in r.methods]


def _pages(app) -> list[str]:
    pages = dict.fromkeys(_menu_urls(app) + _route_urls(app))
    return [p for p in pages if not p.endswith(SKIP_SUFFIXES) and "logout" not in p and "/lang/" not in p]


def _count(app, client, path) -> tuple[int, int]:
    statements = []

    def on_execute(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        resp = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    return resp.status_code, len(statements)


def _max_ids(models) -> dict:
    return {m: db.session.scalar(select(func.max(m.id))) or 0 for m in models}


@pytest.fixture
def many_rows(app, units):
    """Adds EXTRA rows of every listed kind (in scope of dongcheng); removes them afterwards."""
    from app.filing.periods import Period
    from app.models import CorrectionRequest, Filing
    from app.models.notice import Feedback, Notice
    from app.models.staff import Certificate, StaffMember, TrainingCourse, TrainingRecord
    from bench.scale import add_filings, add_units

    owned = (Certificate, TrainingRecord, StaffMember, TrainingCourse, Feedback, Notice)

    def add():
        with app.app_context():
            base = _max_ids(owned)
            now = dt.datetime(2026, 1, 5, 8, 0)
            uid = units["dongcheng"]
            add_filings("penalty", [uid, units["gongan"]], Period(2010, "quarter", 1), Period(2013, "quarter", 4))
            add_filings("reconsideration", [uid], Period(2000, "half", 1), Period(2014, "half", 2))
            add_filings("litigation", [uid], Period(2000, "half", 1), Period(2014, "half", 2))
            add_filings("institution", [uid], Period(1995, "year", 1), Period(2024, "year", 1))
            fids = db.session.scalars(select(Filing.id).where(Filing.unit_id == uid,
                                                              Filing.form_code == "penalty").limit(EXTRA))
            db.session.add_all(CorrectionRequest(filing_id=f, base_revision=1, reason="测试", proposed={},
                                                 requested_by="dongcheng_filler", requested_at=now)
                               for f in fids)
            course = TrainingCourse(name="测试培训", organiser="市法制办", start_date=dt.date(2025, 3, 1),
                                    end_date=dt.date(2025, 3, 2), hours=8)
            db.session.add(course)
            for i in range(EXTRA):
                s = StaffMember(unit_id=uid if i % 2 else units["gongan"], name=f"测试{i:02d}",
                                citizen_id=f"11010119900101{i:04d}", sex="男",
                                birth_date=dt.date(1990, 1, 1), education="本科", updated_at=now)
                db.session.add(s)
                db.session.flush()
                db.session.add(Certificate(staff_id=s.id, cert_type="执法证", number=f"Z{i:05d}",
                                           issuer="市政府", issue_date=dt.date(2024, 1, 1),
                                           valid_until=dt.date(2026, 2, 1)))
                db.session.add(TrainingRecord(course_id=course.id, staff_id=s.id))
                db.session.add(Notice(title=f"通知{i}", body="<p>测试</p>", author="admin",
                                      published_at=now, updated_at=now))
                db.session.add(Feedback(unit_id=uid, category="network", title=f"问题{i}", description="测试",
                                        author="dongcheng_filler", created_at=now, updated_at=now))
            db.session.commit()
            add_units(_unit_total() + EXTRA)
            added["base"] = base

    added = {}
    yield add
    if added:
        with app.app_context():
            db.session.execute(delete(CorrectionRequest))
            for model in owned:
                db.session.execute(delete(model).where(model.id > added["base"][model]))
            db.session.commit()


def _unit_total() -> int:
    from app.models import Unit

    return db.session.scalar(select(func.count()).select_from(Unit)) - 1


def test_pages_are_discovered(app):
    pages = _pages(app)
    for expected in ("/filings/penalty/", "/filings/corrections/", "/staff/list/", "/certificates/list/",
                     "/unitmodelview/list/", "/dashboard/"):
        assert expected in pages, (expected, pages)
    assert any(p.startswith("/reports/") for p in pages)


@pytest.mark.parametrize("username", [ADMIN, "reviewer", "dongcheng_filler"])
def test_query_count_independent_of_rows(app, client_for, many_rows, username):
    client = client_for(username)
    pages = _pages(app)
    for p in pages:  # warm-up: first-request caches (units, roles, translations) are not per row
        client.get(p)
    before = {p: _count(app, client, p) for p in pages}
    many_rows()
    after = {p: _count(app, client, p) for p in pages}
    shown = {p: before[p] for p in pages if before[p][0] == 200}
    assert shown, "no page reachable"
    grew = {p: (before[p][1], after[p][1]) for p in shown
            if not 0 <= after[p][1] - before[p][1] <= SELECTIN_ONCE.get(p, 0)}
    assert not grew, f"statements per page grew with the rows (before, after): {grew}"
