"""Issue 8: exports and imports are in the audit log — who, what, when, from which address."""

from __future__ import annotations

import io

from sqlalchemy import select

from app.extensions import db
from app.models import AuditLog
from tests.engine_helpers import drive
from tests.helpers import penalty_values, post_form
from tests.test_form_import import _confirm, _set, _template, _upload

ADDRESS = "10.1.2.3"


def _entries_since(app, last_id: int) -> list[AuditLog]:
    with app.app_context():
        return list(db.session.scalars(select(AuditLog).where(AuditLog.id > last_id).order_by(AuditLog.id)))


def _last_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AuditLog.id).order_by(AuditLog.id.desc()).limit(1)) or 0


def test_every_report_download_is_audited_with_user_address_and_filters(app, client_for):
    c = client_for("leader")
    c.environ_base["REMOTE_ADDR"] = ADDRESS
    downloads = ["/reports/penalty/export.xlsx?from=2025&kind=district",
                 "/reports/reconsideration/compare.xlsx?from=2025H2",
                 "/reports/penalty/filings.xlsx?from=2025",
                 "/reports/analysis.docx?period=2025H2",
                 # issue 19: the PDFs
                 "/reports/penalty/export.pdf?from=2025&kind=district",
                 "/reports/reconsideration/compare.pdf?from=2025H2",
                 "/reports/analysis.pdf?period=2025H2"]
    for url in downloads:
        before = _last_id(app)
        resp = c.get(url)
        assert resp.status_code == 200 and resp.headers["Content-Disposition"].startswith("attachment"), url
        entries = [e for e in _entries_since(app, before) if e.action == "export.report"]
        assert len(entries) == 1, url
        e = entries[0]
        assert (e.username, e.ip, e.object_type) == ("leader", ADDRESS, "report")
        assert e.detail["path"] == url.split("?")[0]
        name = resp.headers["Content-Disposition"]
        assert e.detail["file"].rsplit(".", 1)[1] in name
    kind = [e for e in _entries_since(app, 0) if e.action == "export.report"
            and e.detail["path"] == "/reports/penalty/export.xlsx"][-1]
    assert kind.detail["filters"] == {"from": ["2025"], "kind": ["district"]}


def test_a_refused_download_writes_no_audit_row(app, client_for):
    before = _last_id(app)
    assert client_for("leader").get("/reports/nosuchform/export.xlsx").status_code == 404
    assert not [e for e in _entries_since(app, before) if e.action == "export.report"]


def test_form_import_and_its_template_are_audited(app, client_for):
    with app.app_context():
        drive("penalty", "0100", "2026Q2", penalty_values(), "draft")
        db.session.commit()
    c = client_for("dongcheng_filler")
    c.environ_base["REMOTE_ADDR"] = ADDRESS
    before = _last_id(app)
    data = _template(c)
    page = _upload(c, _set(data, "罚款金额（元）", 61000.0))
    assert "1 份报表将有变化" in page
    _confirm(c)
    actions = {e.action: e for e in _entries_since(app, before)}
    assert {"export.template", "import.form", "filing.values"} <= set(actions)
    imp = actions["import.form"]
    assert (imp.username, imp.ip, imp.detail["form"], imp.detail["changed"]) == (
        "dongcheng_filler", ADDRESS, "penalty", 1)


def test_staff_export_is_audited(app, client_for):
    c = client_for("admin")
    c.environ_base["REMOTE_ADDR"] = ADDRESS
    before = _last_id(app)
    resp = c.get("/staffstats/export.xlsx")
    assert resp.status_code == 200
    from openpyxl import load_workbook

    load_workbook(io.BytesIO(resp.data))
    entries = [e for e in _entries_since(app, before) if e.action == "export.staff"]
    assert len(entries) == 1 and (entries[0].username, entries[0].ip) == ("admin", ADDRESS)


def _actions(app, before: int, prefix: str) -> list[AuditLog]:
    return [e for e in _entries_since(app, before) if e.action.startswith(prefix)]


def test_unit_edit_is_audited_old_to_new(app, client_for, units):
    from app.models import Unit

    c = client_for("admin")
    with app.app_context():
        u = db.session.get(Unit, units["gongan"])
        form = {"code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind,
                "valid_from": u.valid_from.isoformat(), "parent": str(u.parent_id)}
        old_short = u.short_name
    before = _last_id(app)
    try:
        resp = post_form(c, f"/unitmodelview/edit/{units['gongan']}", {**form, "short_name": "公安局（改）"},
                         f"/unitmodelview/edit/{units['gongan']}")
        assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
        (entry,) = _actions(app, before, "unit.")
        assert entry.action == "unit.update" and entry.username == "admin"
        assert entry.detail == {"changes": {"short_name": [old_short, "公安局（改）"]}}
    finally:
        with app.app_context():
            db.session.get(Unit, units["gongan"]).short_name = old_short
            db.session.commit()


def test_form_assignment_add_edit_delete_are_audited(app, client_for, units):
    from app.models import FormAssignment

    c = client_for("admin")
    before = _last_id(app)
    add = {"unit": str(units["gongan"]), "form_code": "litigation", "required": "y"}
    assert post_form(c, "/formassignmentview/add", add, "/formassignmentview/add").status_code == 302
    with app.app_context():
        aid = db.session.scalar(select(FormAssignment.id).where(
            FormAssignment.unit_id == units["gongan"], FormAssignment.form_code == "litigation"))
    edit = {"unit": str(units["gongan"]), "form_code": "litigation"}  # box unticked: not required
    resp = post_form(c, f"/formassignmentview/edit/{aid}", edit, f"/formassignmentview/edit/{aid}")
    assert resp.status_code == 302, resp.get_data(as_text=True)
    assert post_form(c, f"/formassignmentview/delete/{aid}", {}, "/formassignmentview/list/").status_code == 302
    entries = _actions(app, before, "form_assignment.")
    assert [e.action for e in entries] == ["form_assignment.create", "form_assignment.update",
                                           "form_assignment.delete"]
    assert entries[0].detail == {"unit_id": units["gongan"], "form_code": "litigation", "required": True,
                                 "valid_from": "1900-01-01"}  # left out: holds for every period
    assert entries[1].detail == {"changes": {"required": [True, False]}}
    assert entries[2].detail["required"] is False and {e.object_id for e in entries} == {aid}


def test_form_assignment_picks_a_declared_form_and_refuses_a_forged_one(app, client_for, units):
    from app.models import FormAssignment

    c = client_for("admin")
    html = c.get("/formassignmentview/add").get_data(as_text=True)
    assert '<option value="penalty">行政处罚</option>' in html
    with app.app_context():
        before = db.session.query(FormAssignment).count()
    resp = post_form(c, "/formassignmentview/add", {"unit": str(units["gongan"]), "form_code": "nosuch",
                                                     "required": "y"}, "/formassignmentview/add")
    assert resp.status_code == 200 and "「报表」应为：" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(FormAssignment).count() == before
