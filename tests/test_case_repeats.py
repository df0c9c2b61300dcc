"""Repeated challenges, hotspots, chains, and the litigation register (instances, limits, links)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import func, select

from app.cases import repeats
from app.cases.litigation import create_litigation_case, instance_chain, update_litigation_case
from app.cases.recon import CaseError, CaseForbidden, create_recon_case
from app.cases.supervision import due_cases
from app.cases.timelimits import answer_deadline, appeal_deadline
from app.extensions import db
from app.models.cases import LitigationCase
from tests.case_helpers import case_data, user
from tests.staff_helpers import make_id

D = dt.date


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 6, 1, 4, 0, tzinfo=dt.UTC), tick=False):
        yield


def _person(i: int, name: str | None = None) -> list[dict]:
    return [{"kind": "公民", "name": name or f"申请人{i}", "id_number": make_id("19800101", f"{i:03d}")}]


def _cases(app):
    """Three applicants against one 文号 (written three ways), one repeated applicant, a group
    application, a close-name pair without 文号, and unrelated cases."""
    with app.app_context():
        f = user("dongcheng_filler")
        same = [create_recon_case(case_data(f"2026-02-0{i + 1}", act_number=n, applicants=_person(i)), f).id
                for i, n in enumerate(["京东城管罚〔2026〕7号", "京东城管罚[2026]7号", "京东城管罚 (2026) 7号"])]
        frequent = [create_recon_case(case_data(f"2026-03-0{i}", act_number=f"京东信公〔2026〕{i}号",
                                                applicants=_person(50, "王重复")), f).id for i in range(1, 5)]
        group = create_recon_case(case_data("2026-03-10", act_number="京东征〔2026〕1号", group_size=40,
                                            applicants=_person(60, "代表人甲") + _person(61, "代表人乙")), f).id
        close = [create_recon_case(case_data(f"2026-04-0{i}", act_number="", act_name=name,
                                             respondent_name="东城区某街道办事处", applicants=_person(70 + i)), f).id
                 for i, name in enumerate(["关于拆除违法建设的决定", "关于拆除违法建设的决定书"], 1)]
        other = create_recon_case(case_data("2026-04-20", act_number="京东住〔2026〕2号", applicants=_person(90)),
                                  f).id
        db.session.commit()
    return {"same": same, "frequent": frequent, "group": group, "close": close, "other": other}


def test_the_same_act_challenged_by_several_applicants_is_found(app):
    ids = _cases(app)
    with app.app_context():
        found = repeats.repeated_acts(D(2026, 1, 1), D(2026, 6, 1), user("reviewer"))
        by_cases = {tuple(sorted(r.case_ids)): r for r in found}
        top = by_cases[tuple(sorted(ids["same"]))]
        assert top.applicant_count == 3 and top.how == "文号" and top.act == "京东城管罚〔2026〕7号"
        close = by_cases[tuple(sorted(ids["close"]))]
        assert close.how == "名称相近" and close.applicant_count == 2
        # one applicant's four cases on four acts are not a repeated act
        assert not any(set(r.case_ids) & set(ids["frequent"]) for r in found)
        # outside the period, and outside the scope, nothing
        assert repeats.repeated_acts(D(2025, 1, 1), D(2025, 12, 31), user("reviewer")) == []
        assert repeats.repeated_acts(D(2026, 1, 1), D(2026, 6, 1), user("gongan_approver")) == []
        freq = repeats.frequent_applicants(D(2026, 1, 1), D(2026, 6, 1), user("reviewer"))
        assert [(g.name, sorted(g.case_ids)) for g in freq] == [("王重复", sorted(ids["frequent"]))]
        groups = repeats.group_applications(D(2026, 1, 1), D(2026, 6, 1), user("reviewer"))
        assert [(c.id, c.people) for c in groups] == [(ids["group"], 40)]
        spots = repeats.hotspots("respondent", D(2026, 1, 1), D(2026, 6, 1), user("reviewer"))
        assert spots[0] == ("东城区市场监督管理局", "东城区市场监督管理局", 9)


def test_hotspots_page_is_scoped_and_drills_down(app, client_for):
    ids = _cases(app)
    page = client_for("dongcheng_approver").get("/cases/recon/hotspots?from=2026-01-01&to=2026-06-01")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "京东城管罚〔2026〕7号" in html and "王重复" in html
    assert make_id("19800101", "050") not in html  # ids masked in the frequent-applicant list
    link = html.split('id="repeated-acts"')[1].split('href="')[1].split('"')[0].replace("&amp;", "&")
    drill = client_for("dongcheng_approver").get(link).get_data(as_text=True)
    assert "共3件" in drill
    other = client_for("gongan_approver").get("/cases/recon/hotspots?from=2026-01-01&to=2026-06-01")
    assert "京东城管罚" not in other.get_data(as_text=True)
    leak = client_for("gongan_approver").get(link).get_data(as_text=True)  # forged ids: the scope still holds
    assert "共0件" in leak
    hot = html.split('id="hot-domain"')[1].split("</table>")[0]
    domain_link = hot.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert "共11件" in client_for("dongcheng_approver").get(domain_link).get_data(as_text=True)
    assert len(ids["same"]) == 3


def test_litigation_register_instances_limits_links_and_sued_after_rate(app):
    with app.app_context():
        f = user("dongcheng_filler")
        decided = create_recon_case(case_data("2026-01-05", intake="受理", intake_date="2026-01-06",
                                              decided_on="2026-02-20", outcome="维持"), f)
        other_decided = create_recon_case(case_data("2026-01-07", intake="受理", intake_date="2026-01-08",
                                                    decided_on="2026-02-21", outcome="撤销"), f)
        gongan_case = create_recon_case(case_data("2026-01-07"), user("gongan_filler"))
        db.session.commit()
        first = create_litigation_case({
            "court_case_no": "（2026）京0101行初12号", "court": "东城区人民法院", "instance": "一审",
            "plaintiffs": "张三", "act_name": "行政复议决定", "recon_case": decided.id,
            "complaint_received": "2026-03-02", "co_defendant": True}, f)
        db.session.commit()
        assert answer_deadline(first).due == D(2026, 3, 17)  # 15 days (Tuesday)
        answers = due_cases(f, D(2026, 6, 1))["answers"]
        assert [(s.id, dl.status(D(2026, 6, 1))) for s, dl in answers] == [(first.id, "overdue")]
        assert due_cases(user("gongan_filler"), D(2026, 6, 1))["answers"] == []
        with pytest.raises(CaseError) as exc:  # another unit's reconsideration case: a forged link
            create_litigation_case({"court_case_no": "（2026）京0101行初13号", "court": "东城区人民法院",
                                    "plaintiffs": "李四", "recon_case": gongan_case.id,
                                    "complaint_received": "2026-03-02"}, f)
        assert "经复议案件" in exc.value.errors["recon_case"]
        db.session.rollback()
        with pytest.raises(CaseError) as exc:
            create_litigation_case({"court_case_no": "（2026）京02行终1号", "court": "北京市第二中级人民法院",
                                    "instance": "二审", "plaintiffs": "张三", "complaint_received": "2026-05-02"}, f)
        assert "原审案件" in exc.value.errors["previous"]
        db.session.rollback()
        with pytest.raises(CaseError) as exc:
            update_litigation_case(first.id, {"head_attended": True, "hearing_date": "2026-04-01"}, first.version, f)
        assert "正职/副职" in exc.value.errors["head_name"]
        db.session.rollback()
        suit = update_litigation_case(first.id, {
            "answered_on": "2026-03-10", "hearing_date": "2026-04-01", "head_attended": True, "head_name": "赵局长",
            "head_rank": "正职", "judgement_kind": "判决", "judgement_date": "2026-04-20", "served_on": "2026-04-22",
            "outcome": "驳回诉讼请求", "suggestion_received": "2026-04-25"}, first.version, f)
        db.session.commit()
        assert answer_deadline(suit).due is None
        assert due_cases(f, D(2026, 6, 1))["answers"] == []
        assert appeal_deadline(suit).due == D(2026, 5, 7) and "15日" in appeal_deadline(suit).rule
        appeal = create_litigation_case({"court_case_no": "（2026）京02行终1号", "court": "北京市第二中级人民法院",
                                         "instance": "二审", "previous": first.id, "plaintiffs": "张三",
                                         "complaint_received": "2026-05-06"}, f)
        db.session.commit()
        assert [s.instance for s in instance_chain(appeal)] == ["一审", "二审"]
        assert [s.instance for s in instance_chain(db.session.get(LitigationCase, first.id))] == ["一审", "二审"]
        assert [s.id for s in decided.suits] == [first.id]
        # 复议后被诉率: of the two cases concluded in February, one was sued
        assert repeats.sued_after_rate(D(2026, 2, 1), D(2026, 2, 28), user("reviewer")) == (1, 2)
        chains = repeats.chains(D(2026, 1, 1), D(2026, 6, 1), user("dongcheng_approver"))
        assert [(c.id, s.id) for c, s in chains] == [(decided.id, first.id)]
        assert other_decided.suits == []
        # a unit not sued sees none of it
        with pytest.raises(CaseForbidden):
            update_litigation_case(first.id, {"court": "x"}, suit.version, user("gongan_filler"))


def test_litigation_pages_are_scoped(app, client_for):
    with app.app_context():
        f = user("dongcheng_filler")
        decided = create_recon_case(case_data("2026-01-05", intake="受理", intake_date="2026-01-06",
                                              decided_on="2026-02-20", outcome="维持"), f)
        db.session.flush()
        first = create_litigation_case({"court_case_no": "（2026）京0101行初12号", "court": "东城区人民法院",
                                        "plaintiffs": "张三", "recon_case": decided.id,
                                        "complaint_received": "2026-05-25"}, f)
        db.session.commit()
        sid, case_no = first.id, decided.case_no
    page = client_for("dongcheng_approver").get(f"/cases/litigation/{sid}").get_data(as_text=True)
    assert "（2026）京0101行初12号" in page and case_no in page and "2026-06-09" in page  # 答辩: 15 days
    assert "（2026）京0101行初12号" in client_for("leader").get("/cases/litigation/").get_data(as_text=True)
    assert client_for("gongan_approver").get(f"/cases/litigation/{sid}").status_code == 404
    assert "京0101行初12号" not in client_for("gongan_approver").get("/cases/litigation/").get_data(as_text=True)
    # register and edit through the form: the unit is the account's; other units and roles refused
    from tests.helpers import csrf_token

    c = client_for("dongcheng_filler")
    token = csrf_token(c, "/cases/litigation/add")
    form = {"court_case_no": "（2026）京0101行初20号", "court": "东城区人民法院", "instance": "一审",
            "plaintiffs": "李四", "matter": "行政处罚", "complaint_received": "2026-05-20", "answered_on": "2026-05-10",
            "csrf_token": token}
    bad = c.post("/cases/litigation/add", data=form)
    assert bad.status_code == 400 and "「答辩日期」2026-05-10早于「收到起诉状日期」" in bad.get_data(as_text=True)
    ok = c.post("/cases/litigation/add", data={**form, "answered_on": "2026-05-28"})
    assert ok.status_code == 302
    new_id = int(ok.headers["Location"].rstrip("/").split("/")[-1])
    edit = c.get(f"/cases/litigation/{new_id}/edit").get_data(as_text=True)
    assert 'name="version"' in edit
    gongan = client_for("gongan_filler")
    assert gongan.post(f"/cases/litigation/{new_id}/edit",
                       data={**form, "version": 1, "csrf_token": csrf_token(gongan, "/")}).status_code == 404
    approver = client_for("dongcheng_approver")
    refused = approver.post("/cases/litigation/add", data={**form, "court_case_no": "x",
                                                            "csrf_token": csrf_token(approver, "/")})
    assert refused.status_code in (302, 403)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LitigationCase)) == 2
