"""Issue 3 acceptance 4: bad input names the field in Chinese and writes nothing — on the web
form and the API alike (both call the same parse-and-check code)."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.forms import get_form
from tests.engine_helpers import audit_count, drive, snapshot
from tests.helpers import penalty_values, post_form

CASES = [
    # (field, typed value, words the message must contain)
    ("cases_opened", "十二", ["「立案数」", "整数"]),
    ("cases_opened", "12.5", ["「立案数」", "整数"]),
    ("k_fine", "-3", ["「罚款」", "负数"]),
    ("amount_fines", "-100", ["「罚款金额」", "负数"]),
    ("amount_fines", "12.345", ["「罚款金额」", "两位小数"]),
    ("amount_fines", "abc", ["「罚款金额」", "金额"]),
    ("cases_closed", "99999999999", ["「结案数」", "范围"]),
    ("amount_gains", "1e30", ["「没收违法所得金额」"]),
    ("referred", "", ["「移送司法机关」", "必填"]),
    ("k_warning", "31", ["「处罚决定总数」", "「警告」", "之和"]),   # kinds no longer sum
    ("proc_summary", "10", ["「处罚决定总数」", "「简易程序」"]),
    ("hearings_held", "9", ["「举行听证」", "不能大于", "「告知听证」"]),
    ("sued_lost", "5", ["「其中：败诉」", "「被提起行政诉讼」"]),
]


@pytest.mark.parametrize("field,typed,words", CASES)
def test_bad_value_named_and_nothing_written(app, client_for, field, typed, words):
    with app.app_context():
        fid = drive("penalty", "0100", "2026Q2", penalty_values(), "draft").id
        db.session.commit()
        before = snapshot(fid)
        n_audit = audit_count()
    bad = penalty_values()
    bad[field] = typed
    c = client_for("dongcheng_filler")
    resp = post_form(c, f"/filings/{fid}/edit", bad, f"/filings/{fid}/edit")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200  # the form again, with the message
    for w in words:
        assert w in page, (w, field)
    assert f'value="{typed}"' in page  # what was typed is kept in the form, not lost
    # The API gets the same message.
    tok = c.post("/api/v1/security/login", json={"username": "dongcheng_filler",
                                                  "password": "DemoPass@2026!", "provider": "db"}).json
    api = c.put(f"/api/v1/filings/{fid}/values", json={"values": bad, "version": before[2]},
                headers={"Authorization": f"Bearer {tok['access_token']}"})
    assert api.status_code == 400
    for w in words:
        assert w in api.json["message"]
    with app.app_context():
        assert snapshot(fid) == before
        assert audit_count() == n_audit


def test_every_field_parses_its_own_bad_input():
    spec = get_form("penalty")
    for f in spec.fields:
        value, err = f.parse("x!")
        assert value is None and f.quoted in err


def test_money_is_exact_fen():
    spec = get_form("penalty")
    assert spec.field("amount_fines").parse("1,234.56") == (123456, None)
    assert spec.field("amount_fines").parse("0.1") == (10, None)
    assert spec.field("amount_fines").parse(0.29) == (29, None)
    assert spec.field("amount_fines").display(123456) == "1,234.56"
