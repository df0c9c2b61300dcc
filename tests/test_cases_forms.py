"""Issue 4: reconsideration and litigation forms on the same engine — cycle, rules, rates, scope."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.forms import get_form
from app.models import Filing
from tests.cycle import full_cycle
from tests.engine_helpers import drive, snapshot
from tests.helpers import litigation_values, post_form, reconsideration_values


def test_reconsideration_full_cycle(app, client_for):
    full_cycle(app, client_for, "reconsideration", "2026H1", reconsideration_values(),
               fix={"applicants": "60", "applicants_citizen": "55"},
               correction={"o_upheld": "12", "o_dismissed": "6"})  # still sums to 30 concluded


def test_litigation_full_cycle(app, client_for):
    full_cycle(app, client_for, "litigation", "2026H1", litigation_values(),
               fix={"head_attended": "10", "head_principal": "5"}, correction={"hearings_held": "13"})


RULES = [
    # (form, changes, fields the message must name)
    ("reconsideration", {"other_handled": "5"}, ["「本期新收」", "「受理」", "「不予受理」", "「告知及其他处理」"]),
    ("reconsideration", {"r_other": "1"}, ["「不予受理」", "「其他原因」"]),
    ("reconsideration", {"m_other": "1"}, ["「受理」", "「行政处罚」", "「其他事项」"]),
    ("reconsideration", {"o_other": "2"}, ["「已审结」", "「驳回复议请求」", "「其他结果」"]),
    ("reconsideration", {"pending": "21"}, ["「未审结」", "「上期结转」", "「受理」", "「已审结」"]),
    ("reconsideration", {"opinions_implemented": "3"},
     ["「行政复议意见书已落实」", "不能大于", "「行政复议意见书制发」"]),
    ("litigation", {"retrials": "2"}, ["「新收合计」", "「一审新收」", "「二审」", "「再审」"]),
    ("litigation", {"t_other": "1"}, ["「新收合计」", "「行政处罚」"]),
    ("litigation", {"f1_other": "2"}, ["「一审审结」", "「驳回诉讼请求」", "「给付」"]),
    ("litigation", {"a_lost": "4"}, ["「其中：二审本机关败诉」", "不能大于", "「二审审结」"]),
    ("litigation", {"head_principal": "5"}, ["「负责人出庭应诉」", "「正职负责人出庭」", "「副职负责人出庭」"]),
    ("litigation", {"suggestions_answered": "3"}, ["「司法建议已回复」", "不能大于", "「收到司法建议」"]),
    ("litigation", {"pending": "11"}, ["「未审结」", "「上期结转」", "「新收合计」", "「已审结」"]),
    ("litigation", {"co_defendant": "7"}, ["「复议机关共同被告」", "不能大于", "「经复议」"]),
    ("litigation", {"head_attended": "11", "head_principal": "6"},
     ["「负责人出庭应诉」", "不能大于", "「法院通知负责人出庭」"]),
    ("litigation", {"head_notified": "13"}, ["「法院通知负责人出庭」", "不能大于", "「开庭审理」"]),
]
VALID = {"reconsideration": reconsideration_values, "litigation": litigation_values}


@pytest.mark.parametrize("form,changes,names", RULES)
def test_blocking_rule_names_fields_and_writes_nothing(app, client_for, form, changes, names):
    with app.app_context():
        fid = drive(form, "0100", "2026H1", VALID[form](), "draft").id
        db.session.commit()
        before = snapshot(fid)
    c = client_for("dongcheng_filler")
    resp = post_form(c, f"/filings/{fid}/edit", {**VALID[form](), **changes}, f"/filings/{fid}/edit")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    for name in names:
        assert name in page, name
    with app.app_context():
        assert snapshot(fid) == before


def test_rates_from_sums_and_zero_base():
    rec, lit = get_form("reconsideration"), get_form("litigation")
    r = dict((x.name, v) for x, v in rec.compute_rates({**_ints(reconsideration_values())}))
    assert r["correction_rate"] == Decimal(4) / Decimal(30)  # 1 unlawful + 2 revoked + 0 varied + 1 ordered
    assert r["mediation_rate"] == Decimal(5) / Decimal(30)
    l_ = dict((x.name, v) for x, v in lit.compute_rates(_ints(litigation_values())))
    assert l_["loss_rate"] == Decimal(2) / Decimal(18)
    assert l_["head_attendance_rate"] == Decimal(9) / Decimal(10)  # over the hearings the court notified (2024)
    assert l_["loss_rate_first"] == Decimal(2) / Decimal(14) and l_["loss_rate_appeal"] == 0
    assert l_["loss_rate_with_withdrawals"] == Decimal(3) / Decimal(18)  # 被告改变行为后原告撤诉: a hidden loss
    old = dict((x.name, v) for x, v in get_form("litigation", "2023H2").compute_rates(
        _ints(litigation_values(version="2015"), "2023H2")))
    assert old["loss_rate"] == Decimal(2) / Decimal(18) and old["head_attendance_rate"] == Decimal(9) / Decimal(12)
    zero = _ints(reconsideration_values(concluded=0))
    assert all(v is None for _, v in rec.compute_rates(zero))


def test_zero_concluded_shows_dash(app, client_for):
    vals = reconsideration_values(concluded=0)
    with app.app_context():
        fid = drive("reconsideration", "0100", "2026H1", vals, "draft").id
        db.session.commit()
    page = client_for("dongcheng_filler").get(f"/filings/{fid}").get_data(as_text=True)
    rates = page.split('id="rates"')[1].split("</table>")[0]
    assert "纠错率" in rates and "—" in rates and "%" not in rates and "nan" not in rates.lower()


def _ints(raw, period=None):
    spec_rec = get_form("reconsideration" if "new_applications" in raw else "litigation", period)
    values, errors = spec_rec.parse(raw)
    assert not errors
    return values


def test_carried_over_prefilled_and_warned_when_changed(app, client_for):
    with app.app_context():
        drive("reconsideration", "0100", "2025H2", reconsideration_values(accepted=40, concluded=30, carried=10))
        db.session.commit()
    c = client_for("dongcheng_filler")
    resp = post_form(c, "/filings/reconsideration/open", {"period": "2026H1"}, "/filings/reconsideration/")
    fid = int(resp.headers["Location"].split("/")[-2])
    page = c.get(f"/filings/{fid}/edit").get_data(as_text=True)
    assert 'name="carried_over" id="carried_over" value="20"' in page  # previous pending 10+40-30
    vals = reconsideration_values(carried=25)
    post_form(c, f"/filings/{fid}/edit", vals, f"/filings/{fid}/edit")
    page = c.get(f"/filings/{fid}").get_data(as_text=True)
    assert "「上期结转」（25）与上期期末数（20）不一致" in page
    # Submitting needs the explanation.
    from tests.cycle import act, state

    act(c, fid, "submit")
    assert state(app, fid) == "draft"
    act(c, fid, "submit", _explanation="上期有5件案件经核实后补录")
    assert state(app, fid) == "pending"


def test_half_year_comparisons(app, client_for):
    with app.app_context():
        drive("litigation", "0100", "2025H1", litigation_values(new=10, concluded=9, carried=8))
        drive("litigation", "0100", "2025H2", litigation_values(new=40, concluded=18, carried=9),
              explanation="集中起诉")
        fid = drive("litigation", "0100", "2026H1", litigation_values(new=20, concluded=18, carried=31)).id
        db.session.commit()
    page = client_for("dongcheng_filler").get(f"/filings/{fid}").get_data(as_text=True)
    assert "2025年下半年" in page and "2025年上半年" in page
    row = page.split('data-field="new_total"')[1].split("</tr>")[0]
    cells = [c.split("<")[0].strip() for c in row.split('class="text-right">')[1:]]
    assert cells == ["40", "-50.0%", "10", "+100.0%"]


@pytest.mark.parametrize("form,values", [("reconsideration", reconsideration_values),
                                         ("litigation", litigation_values)])
def test_dongcheng_cannot_touch_gongan_cases(app, client_for, form, values):
    with app.app_context():
        fid = drive(form, "2300", "2026H1", values(), "submitted").id
        draft = drive(form, "2300", "2025H2", values(), "draft").id
        db.session.commit()
        before, before_draft = snapshot(fid), snapshot(draft)
    c = client_for("dongcheng_filler")
    assert "市公安局" not in c.get(f"/filings/{form}/").get_data(as_text=True)
    for path in (f"/filings/{fid}", f"/filings/{fid}/edit", f"/filings/{draft}/edit", f"/filings/{fid}/correct"):
        assert c.get(path).status_code == 404
    assert post_form(c, f"/filings/{draft}/edit", values(), "/").status_code == 404
    assert post_form(c, f"/filings/{fid}/correct", {**values(), "_reason": "x"}, "/").status_code == 404
    assert post_form(c, f"/filings/{fid}/act", {"action": "accept"}, "/").status_code == 404
    approver = client_for("dongcheng_approver")
    assert post_form(approver, f"/filings/{fid}/act", {"action": "unit_return", "comment": "x"}, "/").status_code == 404
    tok = c.post("/api/v1/security/login", json={"username": "dongcheng_filler", "password": "DemoPass@2026!",
                                                  "provider": "db"}).json["access_token"]
    h = {"Authorization": f"Bearer {tok}"}
    listing = c.get(f"/api/v1/filings/?form={form}&page_size=100", headers=h).json
    assert all(r["unit_code"] == "0100" for r in listing["result"])
    assert c.get(f"/api/v1/filings/{fid}", headers=h).status_code == 404
    assert c.put(f"/api/v1/filings/{draft}/values", json={"values": values()}, headers=h).status_code == 404
    assert c.post(f"/api/v1/filings/{fid}/transition", json={"action": "accept"}, headers=h).status_code == 404
    with app.app_context():
        assert snapshot(fid) == before and snapshot(draft) == before_draft
        assert db.session.query(Filing).filter(Filing.unit_id != db.session.get(Filing, fid).unit_id).count() == 0
