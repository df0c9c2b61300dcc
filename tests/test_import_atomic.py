"""Issue 14, item 5: an import is all-or-nothing. Confirming one writes every new filing, its
values, revisions and audit rows, and the import's own audit row in ONE transaction: when row
N+1 fails (the engine refuses it, or the database errors), nothing of rows 1..N remains, a draft
the file would have updated keeps its figures, and the user is told in Chinese which row (and
cell) stopped it. The same file then goes in whole. Runs on SQLite and on PostgreSQL (the suite's
second pass). The server-kill proof is tests/test_import_kill.py.
"""

from __future__ import annotations

import io

import pytest
from sqlalchemy import delete, func, select, text

from app.extensions import db
from app.filing.errors import Invalid
from app.imports import forms as forms_import
from app.imports import staff as staff_import
from app.models import AuditLog, StaffMember
from app.models.unit import Unit
from tests.engine_helpers import drive, snapshot
from tests.helpers import csrf_token, penalty_values, post_form
from tests.import_helpers import big_import, traces
from tests.staff_helpers import make_id

PERIOD = "2026Q1"
ROWS = 6       # 0100 东城区 (an existing draft, updated) and the next five units, by code
FAILS_AT = 4   # rows 1–3 have been written when the 4th fails


def _upload(client, data: bytes, path: str) -> str:
    token = csrf_token(client, path)
    return client.post(path, content_type="multipart/form-data",
                       data={"csrf_token": token, "file": (io.BytesIO(data), "data.xlsx")}).get_data(as_text=True)


def _confirm(client, path: str) -> str:
    """Confirm the pending upload; the page the user lands on, with the flashed outcome."""
    resp = post_form(client, path + "/confirm", {}, path)
    assert resp.status_code == 302
    return client.get(resp.headers["Location"]).get_data(as_text=True)


def _fail_at(monkeypatch, module, name: str, call: int, how: str, only=None):
    """Make the `call`-th call of module.name (counting calls for which `only(*args)` holds) fail:
    "invalid" — the engine refuses the row, naming a field; "database" — a real SQL error."""
    real, calls = getattr(module, name), []

    def wrapper(*args, **kwargs):
        if only is None or only(*args):
            calls.append(args)
            if len(calls) == call:
                if how == "invalid":
                    raise Invalid("「罚款金额」超出范围", {"amount_fines": "「罚款金额」超出范围"})
                db.session.execute(text("INSERT INTO no_such_table (x) VALUES (1)"))
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def _all_audit() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditLog))


@pytest.mark.parametrize("how", ["invalid", "database"])
def test_form_import_failing_at_row_n_plus_1_leaves_nothing(app, client_for, monkeypatch, how):
    with app.app_context():
        draft = drive("penalty", "0100", PERIOD, penalty_values(100), "draft").id
        data, rows = big_import(PERIOD, PERIOD, max_units=ROWS, total=140)
    assert rows == ROWS
    c = client_for("reviewer")
    path = "/filings/penalty/import"
    assert f"{ROWS} 份报表将有变化" in _upload(c, data, path)
    with app.app_context():
        before = snapshot(draft), _all_audit()
        assert traces([PERIOD]) == {"filings": 1, "values": 1, "audit": 2}  # the draft: created, filled
    calls = _fail_at(monkeypatch, forms_import, "save_values", FAILS_AT, how)

    page = _confirm(c, path)

    assert len(calls) == FAILS_AT  # rows 1..3 went through the engine before row 4 failed
    with app.app_context():
        assert traces([PERIOD]) == {"filings": 1, "values": 1, "audit": 2}
        assert (snapshot(draft), _all_audit()) == before  # the draft keeps its figures; no audit row
    row = 4 + FAILS_AT  # the header is row 4
    assert f"第{row}行（" in page and "导入已全部撤销，未写入任何数据" in page, page[-3000:]
    if how == "invalid":
        assert f"（{_letter('amount_fines')}{row}）：「罚款金额」超出范围" in page, page[-3000:]
    else:
        assert "数据库写入失败" in page

    # The same file, uploaded again without the fault, goes in whole: the test's file was good.
    monkeypatch.undo()
    assert f"{ROWS} 份报表将有变化" in _upload(c, data, path)
    with app.app_context():
        last_id = db.session.scalar(select(func.max(AuditLog.id)))
    assert "导入完成：6份报表有变化" in _confirm(c, path)
    with app.app_context():
        # the draft's 2 + the import's own row, 5 creations and 6 value changes
        assert traces([PERIOD]) == {"filings": ROWS, "values": ROWS, "audit": 2 + 1 + (ROWS - 1) + ROWS}
        # The import's own row came first: it took the audit chain's lock before any filing row.
        ids = dict(db.session.execute(select(AuditLog.action, func.min(AuditLog.id)).where(
            AuditLog.action.in_(["import.form", "filing.create"]), AuditLog.id > last_id
        ).group_by(AuditLog.action)).all())
        assert ids["import.form"] < ids["filing.create"], ids


def _letter(name: str) -> str:
    from app.forms import get_form

    return forms_import._letters(get_form("penalty"))[name]


def _remove_staff(app):
    from app.models.staff import Certificate, TrainingRecord

    with app.app_context():
        for model in (Certificate, TrainingRecord, StaffMember):  # children first (PostgreSQL checks)
            db.session.execute(delete(model))
        db.session.commit()


@pytest.fixture
def _no_staff(app):
    """An empty register before and after (other tests' people would blur the counts)."""
    _remove_staff(app)
    yield
    _remove_staff(app)


def _staff_row(name, number):
    return [name, number, "汉族", "本科", "法学", "是", "中共党员", "科员", "一级科员", "2012-07-01", "否", "在职"]


@pytest.mark.usefixtures("_no_staff")
def test_staff_import_failing_at_person_n_plus_1_leaves_nothing(app, client_for, monkeypatch):
    from tests.xlsx_helpers import fill

    people = [_staff_row(f"人员{i}", make_id("19800101", f"{i:03d}")) for i in range(1, 7)]
    data = fill(staff_import.template_bytes(), people)
    c = client_for("dongcheng_filler")
    path = "/staffstats/import"
    assert "新增 6 人" in _upload(c, data, path)
    with app.app_context():
        before = _all_audit()
    calls = _fail_at(monkeypatch, staff_import, "record", FAILS_AT, "database",
                     only=lambda action, *a: action == "staff.create")

    page = _confirm(c, "/staffstats/import")

    assert len(calls) == FAILS_AT
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 0
        assert _all_audit() == before
    assert f"第{3 + FAILS_AT}行（人员{FAILS_AT}）：数据库写入失败" in page, page[-3000:]
    assert "导入已全部撤销，未写入任何数据" in page

    monkeypatch.undo()
    assert "新增 6 人" in _upload(c, data, path)
    assert "导入完成：新增6人" in _confirm(c, "/staffstats/import")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(StaffMember)) == 6


def test_import_losing_the_create_race_keeps_one_transaction(app, client_for, monkeypatch):
    """Another user creates one of the import's filings after the confirmation's check found none:
    the import's INSERT does nothing (ON CONFLICT inside the import's transaction, no commit, no
    rollback), takes that filing, and every row still commits together — no duplicate filing."""
    from sqlalchemy.orm import Session

    from app.filing import values as values_module
    from app.models import Filing
    from app.unit_list import unit_by_code

    with app.app_context():
        data, rows = big_import(PERIOD, PERIOD, max_units=ROWS, total=140)
        racer_unit = unit_by_code("0100").id
    c = client_for("reviewer")
    path = "/filings/penalty/import"
    assert f"{ROWS} 份报表将有变化" in _upload(c, data, path)
    real_preview, real_find, stale = forms_import.preview, values_module._find, []

    def preview_then_other_user_creates(*args):
        result = real_preview(*args)
        with Session(db.engine) as other:  # the other request, its own connection and commit
            other.add(Filing(form_code="penalty", unit_id=racer_unit, period_key=PERIOD, year=2026, sub=1))
            other.commit()
        return result

    def stale_find(form_code, unit_id, period):  # our lookup ran just before the other commit
        if unit_id == racer_unit and not stale:
            stale.append(unit_id)
            return None
        return real_find(form_code, unit_id, period)

    monkeypatch.setattr(forms_import, "preview", preview_then_other_user_creates)
    monkeypatch.setattr(values_module, "_find", stale_find)

    assert f"导入完成：{ROWS}份报表有变化" in _confirm(c, path)

    assert stale == [racer_unit]
    with app.app_context():
        from app.filing.values import current_values

        # 0100's filing is the other user's, filled by the import; the import created the other five.
        assert traces([PERIOD]) == {"filings": ROWS, "values": ROWS, "audit": 1 + (ROWS - 1) + ROWS}
        f = db.session.scalar(select(Filing).where(Filing.unit_id == racer_unit))
        assert current_values(f)["decisions_total"] == 140


def test_preview_refuses_a_filing_the_importer_may_not_create(app, client_for):
    """The reviewer may import for other units, not create its own unit's filing (市司法局, the root
    since the 2018 reform; that takes can_fill): the preview names the row, so the confirmation
    cannot stop half-way on it."""
    with app.app_context():
        others = tuple(u.code for u in db.session.scalars(select(Unit)) if u.code not in ("0100", "0200", "7900"))
        data, _ = big_import(PERIOD, PERIOD, max_units=3, skip=others)
    c = client_for("reviewer")
    page = _upload(c, data, "/filings/penalty/import")
    assert "A7：您无权填报（市司法局）" in page and "确认导入" not in page, page[-3000:]
    with app.app_context():
        assert traces([PERIOD]) == {"filings": 0, "values": 0, "audit": 0}
