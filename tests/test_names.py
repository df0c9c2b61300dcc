"""People shown by name: 姓名（单位） through one filter (app.people.person) on transitions, audit
rows and lists; the demo's transitions done by real accounts of each unit; the demo's return
reasons true of the figures they speak of."""

from __future__ import annotations

import random
import re

import pytest
from sqlalchemy import select

from app.demo.reasons import MUCH, PLAIN_REASONS, largest_change, return_reason
from app.extensions import db
from app.filing.periods import Period
from app.forms import get_form
from app.models.filing import Filing, FilingTransition
from app.models.user import PortalUser
from app.models.values import value_model
from app.people import person
from tests.cycle import act
from tests.helpers import penalty_values, post_form


@pytest.fixture(autouse=True)
def _declared_names(app):
    """The demo accounts with the names app.demo declares (another test may have renamed them)."""
    from app.demo import DEMO_ACCOUNTS

    with app.app_context():
        for username, first, last, *_rest in DEMO_ACCOUNTS:
            user = db.session.scalar(select(PortalUser).where(PortalUser.username == username))
            user.first_name, user.last_name = first, last
        db.session.commit()


def test_person_is_name_and_unit_for_an_account_or_its_login_name(app):
    with app.test_request_context():
        filler = db.session.scalar(select(PortalUser).where(PortalUser.username == "dongcheng_filler"))
        assert person("dongcheng_filler") == "杨芳（东城区）"
        assert person(filler) == "杨芳（东城区）"
        assert person("reviewer") == "刘伟（市司法局）"
        assert person("gone_account") == "gone_account"  # a deleted account keeps its login name
        assert person("system") == "系统"
        assert person(None) == "" and person("") == ""


def _submitted_filing(client_for) -> int:
    filler = client_for("dongcheng_filler")
    resp = post_form(filler, "/filings/penalty/open", {"period": "2025Q1"}, "/filings/penalty/")
    fid = int(re.search(r"/filings/(\d+)", resp.headers["Location"]).group(1))
    assert post_form(filler, f"/filings/{fid}/edit", penalty_values(), f"/filings/{fid}/edit").status_code == 302
    act(filler, fid, "submit")
    act(client_for("dongcheng_approver"), fid, "sign_off")
    return fid


def _history(html: str) -> str:
    return html[html.index("流转记录"):]


def test_transitions_and_audit_rows_name_people_not_logins(app, client_for):
    fid = _submitted_filing(client_for)
    reviewer = client_for("reviewer")
    act(reviewer, fid, "return", comment="请补充说明")
    page = reviewer.get(f"/filings/{fid}").get_data(as_text=True)
    history = _history(page)
    assert "杨芳（东城区）" in history and "赵军（东城区）" in history and "刘伟（市司法局）" in history
    assert "dongcheng_filler" not in history and "dongcheng_approver" not in history
    assert "（刘伟（市司法局）" in page  # the return reason names who returned it
    audit = client_for("audit_admin").get("/auditlogview/list/").get_data(as_text=True)
    assert "赵军（东城区）" in audit and ">dongcheng_approver<" not in audit
    # the login name stays searchable: the filter on username still finds the rows
    found = client_for("audit_admin").get("/auditlogview/list/?_flt_0_username=dongcheng_approver")
    assert "赵军（东城区）" in found.get_data(as_text=True)


def test_fab_lists_show_yes_no_and_blank_not_python_values(app, client_for):
    html = client_for("security_admin").get("/users/list/").get_data(as_text=True)
    cells = re.findall(r"<td>\s*([^<]*?)\s*</td>", html)
    assert "是" in cells and "True" not in cells and "False" not in cells and "None" not in cells
    form = client_for("admin").get("/users/add").get_data(as_text=True)
    assert ">__None<" not in form and "（无）" in form and "LDAP" not in form


def test_return_reason_speaks_of_a_change_only_when_there_is_one():
    spec = get_form("penalty", Period.parse("2025Q2"))
    before = {"decisions_total": 1000, "amount_fines": 10_000_000}
    small = {"decisions_total": 1010, "amount_fines": 10_290_000}  # 罚款 +2.9 %
    assert return_reason(spec, small, before, 1) == PLAIN_REASONS[1]
    assert "变化" not in return_reason(spec, small, before, 0)
    big = {"decisions_total": 1010, "amount_fines": 15_000_000}
    text = return_reason(spec, big, before, 0)
    assert text.startswith("「罚款金额」由上期的100,000.00元变为150,000.00元（环比+50.0%）")
    assert "变化" not in return_reason(spec, big, None, 2)  # no previous period: no claim


def test_demo_transitions_are_done_by_each_units_accounts_and_reasons_match_figures(app):
    """A sample of the demo (penalties 2022Q1–2024Q4 for every unit): every step is done by an
    existing account of the filing's own unit (the reviewer: the office's), and every return
    reason that speaks of a change names the figure that did change by 30 % or more."""
    from app.demo import DEMO_PASSWORD
    from app.demo.accounts import create_unit_accounts
    from app.demo.filings import load_form_demo
    from app.demo.penalty import penalty_values as demo_values

    with app.app_context():
        assert create_unit_accounts(DEMO_PASSWORD) > 100
        rng = random.Random(7)
        n = load_form_demo("penalty", Period.parse("2022Q1"),
                           lambda unit, p: demo_values(40 * rng.uniform(0.5, 1.5), p, rng, unit),
                           random.Random(18), audit=[], last=Period.parse("2024Q4"))
        db.session.commit()
        assert n > 500
        users = {u.username: u for u in db.session.scalars(select(PortalUser))}
        rows = db.session.execute(select(FilingTransition, Filing).join(Filing)).all()
        for t, f in rows:
            user = users.get(t.username)
            assert user is not None, t.username
            if t.action in ("accept", "return"):
                assert t.username == "reviewer"
            else:
                assert user.unit_id == f.unit_id, (t.username, f.unit_id)
            assert user.last_name and user.first_name
        returns = [(t, f) for t, f in rows if t.action == "return"]
        assert len(returns) >= 5
        values = value_model("penalty")
        spec = get_form("penalty", Period.parse("2024Q4"))
        changed = 0
        for t, f in returns:
            now = db.session.scalar(select(values).where(values.filing_id == f.id))
            prev_key = Period.parse(f.period_key).previous().key
            prev_f = db.session.scalar(select(Filing).where(Filing.unit_id == f.unit_id, Filing.form_code == "penalty",
                                                            Filing.period_key == prev_key))
            prev = db.session.scalar(select(values).where(values.filing_id == prev_f.id)) if prev_f else None
            as_dict = lambda row: {c: getattr(row, c) for c in ("decisions_total", "amount_fines")}  # noqa: E731
            found = largest_change(spec, as_dict(now), as_dict(prev) if prev is not None else None)
            if "变化较大" in t.comment:
                changed += 1
                name, before_v, now_v, change = found
                assert abs(change) >= MUCH and spec.field(name).quoted in t.comment
                assert f"{change * 100:+.1f}%" in t.comment
            else:
                assert t.comment in PLAIN_REASONS and (found is None or abs(found[3]) < MUCH)
        print(f"{len(returns)} returns, {changed} about a change")
