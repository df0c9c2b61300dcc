"""Issue 15 items 1 and 2: form versions by effective date — a filing uses its period's version
on the web form, the Excel template and import, the API and in reports; cross-version figures
go through the declared mapping ("not collected before" is —, never 0); who must file changes
from a date on; the 2024 reconsideration form and the 2015 one kept for periods up to 2023H2."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.filing.errors import Conflict, Invalid
from app.filing.periods import Period
from app.forms import VERSIONS, get_form
from app.forms.versions import not_collected, translate
from app.models import Filing, FormAssignment
from app.reporting.aggregate import CITY, StatsQuery, aggregate
from tests.engine_helpers import drive, snapshot, user
from tests.helpers import api_version, csrf_token, post_form, reconsideration_values
from tests.test_api import token
from tests.xlsx_helpers import fill

REC = "reconsideration"
# The 2015 national form's fields, as they were before versions existed: unchanged for ≤ 2023H2.
FIELDS_2015 = [
    "carried_over", "new_applications", "accepted", "rejected", "other_handled", "applicants",
    "r_no_party", "r_no_interest", "r_late", "r_remit", "r_no_request", "r_duplicate", "r_scope", "r_other",
    "m_penalty", "m_enforcement", "m_levy", "m_licence", "m_ownership", "m_confirmation", "m_information",
    "m_complaint", "m_inaction", "m_other", "concluded", "o_dismissed", "o_upheld", "o_unlawful", "o_revoked",
    "o_varied", "o_ordered", "o_mediated", "o_settled", "o_terminated", "o_other", "pending",
    "incidental_reviews", "compensation_cases", "compensation_amount", "opinions_issued", "opinions_implemented",
]
NEW_2024 = ["o_void", "x_cd_mk", "m_agreement", "m_compensation", "m_injury", "m_social", "m_expropriation",
            "p_simplified", "p_hearing", "p_committee", "p_amended", "p_extended", "p_suspended",
            "applicants_citizen", "applicants_org", "joint_applications", "band_30_plus", "pre_mediated",
            "o_settled", "suggestions_issued", "suggestions_implemented", "sued_after"]


def v2015(**kw):
    return reconsideration_values(version="2015", **kw)


def test_each_period_gets_its_version():
    assert [v.version for v in VERSIONS[REC]] == ["2015", "2024"]
    assert get_form(REC, "2023H2").version == "2015"
    assert get_form(REC, Period.parse("2024H1")).version == "2024"
    assert get_form(REC).version == "2024"  # the newest without a period
    assert get_form(REC, "2023H2").field_names == FIELDS_2015
    new = get_form(REC, "2024H1")
    assert set(NEW_2024) <= set(new.field_names)
    # 被申请人层级 × 行政管理领域: 6 levels × 11 domains, summing to 受理
    assert len([n for n in new.field_names if n.startswith("x_")]) == 66


def test_mapping_reads_old_figures_and_never_invents_zeros():
    old, new = VERSIONS[REC]
    values = {n: 1 for n in old.field_names}
    read = translate(VERSIONS[REC], values, old, new)
    assert read["o_revoked"] == 1 and read["concluded"] == 1
    assert read["o_void"] is None and read["x_cg_ps"] is None  # not collected before: None, never 0
    assert "o_void" in not_collected(VERSIONS[REC], new, old)


def test_web_form_follows_the_period(app, client_for):
    with app.app_context():
        old = drive(REC, "0100", "2023H2", v2015(), "draft").id
        new = drive(REC, "0100", "2024H1", reconsideration_values(), "draft").id
        db.session.commit()
    c = client_for("dongcheng_filler")
    page_old = c.get(f"/filings/{old}/edit").get_data(as_text=True)
    page_new = c.get(f"/filings/{new}/edit").get_data(as_text=True)
    assert "2015版" in page_old and 'name="o_void"' not in page_old and 'name="x_cg_ps"' not in page_old
    assert "2024版" in page_new and 'name="o_void"' in page_new and 'name="x_cg_ps"' in page_new
    # a 2023H2 filing is saved under the 2015 rules: the 2024 fields are neither asked nor stored
    resp = post_form(c, f"/filings/{old}/edit", {**v2015(), "_version": "2"}, f"/filings/{old}/edit")
    assert resp.status_code in (200, 302)
    # and a 2024H1 filing without the new fields is refused, naming one of them
    with app.app_context():
        before = snapshot(new)
    values = reconsideration_values()
    del values["o_void"]
    resp = post_form(c, f"/filings/{new}/edit", values, f"/filings/{new}/edit")
    assert resp.status_code == 200 and "「确认无效」为必填项" in resp.get_data(as_text=True)
    with app.app_context():
        assert snapshot(new) == before


def _template(client, period):
    resp = client.get(f"/filings/{REC}/template?period={period}")
    assert resp.status_code == 200
    return resp.data


def _headers(data):
    ws = load_workbook(io.BytesIO(data)).worksheets[0]
    return ws["A1"].value, [c.value for c in ws[4]]


def _upload(client, data):
    tok = csrf_token(client, f"/filings/{REC}/import")
    return client.post(f"/filings/{REC}/import", content_type="multipart/form-data",
                       data={"csrf_token": tok, "file": (io.BytesIO(data), "x.xlsx")}).get_data(as_text=True)


def _filled(data, values):
    ws_headers = _headers(data)[1]
    spec_for = {h: n for n, h in zip(["_code", "_name", "_period", *[f.name for f in _spec(data).fields]],
                                     ws_headers, strict=True)}

    def edit(ws):
        for col, h in enumerate(ws_headers, start=1):
            name = spec_for[h]
            if not name.startswith("_"):
                raw = values[name]
                ws.cell(5, col, float(raw) if "." in raw else int(raw))
    return fill(data, [], edit=edit)


def _spec(data):
    marker = _headers(data)[0]
    return get_form(REC, "2023H2") if marker.endswith("@2015:v1") else get_form(REC, "2024H1")


def test_template_and_import_follow_the_period(app, client_for):
    c = client_for("dongcheng_filler")
    old, new = _template(c, "2023H2"), _template(c, "2024H1")
    marker_old, cols_old = _headers(old)
    marker_new, cols_new = _headers(new)
    assert marker_old.endswith(":reconsideration@2015:v1") and marker_new.endswith(":reconsideration@2024:v1")
    assert "确认无效" not in cols_old and "确认无效" in cols_new and "市政府·公安" in cols_new
    # each template imports its own period's figures
    assert "1 份报表将有变化" in _upload(c, _filled(new, reconsideration_values()))
    post_form(c, f"/filings/{REC}/import/confirm", {}, f"/filings/{REC}/import")
    with app.app_context():
        f = db.session.scalar(select(Filing).where(Filing.period_key == "2024H1"))
        from app.filing.values import current_values

        assert current_values(f)["x_dd_ps"] == 30 and current_values(f)["o_void"] == 0
    # a 2015 template whose row names a 2024 period is refused, naming the version to use
    wrong = fill(_filled(old, v2015()), [], edit=lambda ws: ws.cell(5, 3, "2024H2"))
    page = _upload(c, wrong)
    assert "2024年下半年应使用2024版模板填报" in page and "本文件为2015版模板" in page


def test_api_follows_the_period(app):
    with app.app_context():
        old = drive(REC, "0100", "2023H2", v2015(), "draft").id
        new = drive(REC, "0100", "2024H1", reconsideration_values(), "draft").id
        db.session.commit()
    c = app.test_client()
    h = token(c, "dongcheng_filler")
    body = c.get(f"/api/v1/forms/?form={REC}&period=2023H2", headers=h).json
    assert body["result"]["version"] == "2015"
    assert [f["name"] for f in body["result"]["fields"]] == FIELDS_2015
    assert [v["version"] for v in body["versions"]] == ["2015", "2024"]
    body = c.get(f"/api/v1/forms/?form={REC}&period=2024H1", headers=h).json
    assert "o_void" in [f["name"] for f in body["result"]["fields"]]
    rate = next(r for r in body["result"]["rates"] if r["name"] == "correction_rate")
    assert "o_void" in rate["numerator"]
    assert c.get(f"/api/v1/filings/{old}", headers=h).json["result"]["form_version"] == "2015"
    got = c.get(f"/api/v1/filings/{new}", headers=h).json["result"]
    assert got["form_version"] == "2024" and "o_void" in got["values"] and "o_void" not in \
        c.get(f"/api/v1/filings/{old}", headers=h).json["result"]["values"]
    # the same rules as the web form: the 2024 fields are required for a 2024 period
    values = reconsideration_values()
    del values["x_dd_ps"]
    resp = c.put(f"/api/v1/filings/{new}/values", headers=h,
                 json={"values": values, "version": api_version(c, h, new)})
    assert resp.status_code == 400 and "「区政府部门·公安」为必填项" in resp.json["message"]
    # every version's values are a published schema
    spec = c.get("/api/v1/_openapi", headers=token(c, "admin")).json
    schemas = spec["components"]["schemas"]
    assert "o_void" in schemas["ReconsiderationValues2024"]["properties"]
    assert "o_void" not in schemas["ReconsiderationValues2015"]["properties"]


def test_report_across_the_change_uses_the_mapping_and_each_sides_rates(app):
    with app.app_context():
        drive(REC, "0100", "2023H2", v2015(concluded=30), "accepted")
        new = reconsideration_values(concluded=30, carried=20)  # 2023H2's pending carried over
        new.update(o_upheld=str(int(new["o_upheld"]) - 3), o_void="3")  # 3 declared void
        drive(REC, "0100", "2024H1", new, "accepted")
        db.session.commit()
        admin = user("admin")
        q = StatsQuery(REC, Period.parse("2023H2"), Period.parse("2024H1"), split=True, by=CITY)
        table = aggregate(q, admin)
        assert table.spec.version == "2024"  # the report speaks the newest version's fields
        series = dict(table.series("o_void"))
        assert series[Period.parse("2023H2")] is None  # not collected before: —, never 0
        assert series[Period.parse("2024H1")] == 3
        rates = dict(table.series("correction_rate"))
        # each side by its own definition: 2015 (1+2+0+1)/30, 2024 adds the 3 declared void
        assert rates[Period.parse("2023H2")] == Decimal(4) / 30
        assert rates[Period.parse("2024H1")] == Decimal(7) / 30
        # 综合化解率 did not exist in 2015 (no split of withdrawals after correction): —
        assert rates and dict(table.series("resolution_rate"))[Period.parse("2023H2")] is None
        # one bucket over both versions: shared fields summed, new ones — (never a partial sum)
        whole = aggregate(q.but(split=False), admin).total()
        assert whole.get("concluded") == 60 and whole.get("o_void") is None
        assert whole.get("correction_rate") is None  # no single definition spans both


def test_report_page_shows_dash_for_not_collected(app, client_for):
    with app.app_context():
        drive(REC, "0100", "2023H2", v2015(), "accepted")
        drive(REC, "0100", "2024H1", reconsideration_values(carried=20), "accepted")
        db.session.commit()
    from tests.test_reporting_pages import page_table

    html = client_for("admin").get(f"/reports/{REC}/?from=2023H2&to=2024H1&by=city").get_data(as_text=True)
    rows = page_table(html, "report")
    assert rows["total"]["o_void"] == "—" and rows["total"]["concluded"] == "60"


def test_assignment_changes_from_a_date_on(app, units):
    """From 2022-07-01 the municipal departments no longer decide reconsideration cases."""
    from app.filing.timeliness import is_expected, period_timeliness

    with app.app_context():
        db.session.add(FormAssignment(unit_id=units["gongan"], form_code=REC, required=False,
                                      valid_from=dt.date(2022, 7, 1)))
        db.session.commit()
        gongan = db.session.get(type(user("admin").unit), units["gongan"])
        assert is_expected(gongan, REC, Period.parse("2022H1"))
        assert not is_expected(gongan, REC, Period.parse("2022H2"))
        assert not is_expected(gongan, REC, Period.parse("2026H1"))
        assert is_expected(gongan, "penalty", Period.parse("2026Q1"))  # other forms unchanged
        codes = [r.unit.code for r in period_timeliness(REC, Period.parse("2022H2")).rows]
        assert "2300" not in codes and "0100" in codes
        assert "2300" in [r.unit.code for r in period_timeliness(REC, Period.parse("2022H1")).rows]
        with pytest.raises(Conflict, match="无需填报"):
            drive(REC, "2300", "2024H1", reconsideration_values(), "draft")
        filing = drive(REC, "2300", "2022H1", v2015(), "draft")  # still files the earlier half
        assert filing.period_key == "2022H1"


def test_schema_matches_the_declarations(app):
    """A new version is a declaration and a migration: the migrated tables have every column."""
    from sqlalchemy import inspect

    from app.models import VALUE_MODELS

    with app.app_context():
        insp = inspect(db.session.connection())
        for model in (*VALUE_MODELS.values(), FormAssignment):
            table = model.__table__
            assert {c["name"] for c in insp.get_columns(table.name)} == set(table.columns.keys()), table.name


def test_2015_rules_still_apply_to_old_periods(app):
    with app.app_context():
        f = drive(REC, "0100", "2023H1", v2015(), "draft")
        bad = {**v2015(), "o_other": "9"}
        with pytest.raises(Invalid, match="「驳回」"):  # the 2015 label of the 2015 rule
            from app.filing.values import save_values

            save_values(f, bad, user("dongcheng_filler"))


def test_litigation_counts_instances_apart_from_2024(app, client_for):
    """2023H2: the 2015 form (outcomes of all instances together); 2024H1: 一审/二审/再审 apart."""
    from tests.helpers import litigation_values

    old, new = get_form("litigation", "2023H2"), get_form("litigation", "2024H1")
    assert old.has_field("o_claims_dismissed") and not old.has_field("f1_concluded")
    assert {"f1_withdrawn_changed", "a_lost", "rt_lost", "head_principal", "suggestions_received",
            "t_agreement"} <= set(new.field_names)
    assert {r.name for r in new.rates} >= {"loss_rate_first", "loss_rate_appeal", "loss_rate_retrial"}
    c = client_for("dongcheng_filler")
    cols_old = _headers(c.get("/filings/litigation/template?period=2023H2").data)[1]
    cols_new = _headers(c.get("/filings/litigation/template?period=2024H1").data)[1]
    assert "被告改变行为后原告撤诉" not in cols_old and "被告改变行为后原告撤诉" in cols_new
    with app.app_context():
        fid = drive("litigation", "0100", "2024H1", litigation_values(), "draft").id
        db.session.commit()
    h = token(app.test_client(), "dongcheng_filler")
    got = app.test_client().get(f"/api/v1/filings/{fid}", headers=h).json["result"]
    assert got["form_version"] == "2024" and got["rates"]["loss_rate_first"] == pytest.approx(2 / 14)
    body = app.test_client().get("/api/v1/forms/?form=litigation&period=2023H2", headers=h).json
    assert "f1_concluded" not in [f["name"] for f in body["result"]["fields"]]
