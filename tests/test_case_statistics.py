"""The half-yearly reconsideration form prefilled from the register equals an independent count;
figures link to their cases; hand-filed figures that differ are flagged; units without a
register file by hand."""

from __future__ import annotations

import datetime as dt
import random

import pytest
import time_machine
from sqlalchemy import func, select

from app.cases.recon import create_recon_case
from app.cases.stats import cases_behind, derived_figures
from app.extensions import db
from app.filing.periods import Period
from app.filing.values import open_filing, prefill_values
from app.forms import get_form
from app.forms import reconsideration as R
from app.models import FormAssignment
from app.unit_list import unit_by_code
from tests.case_helpers import user
from tests.staff_helpers import make_id

D = dt.date
TODAY = D(2026, 7, 5)
H1 = Period.parse("2026H1")
LEVELS = dict(R.LEVELS)
DOMAINS = dict(R.DOMAINS)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(dt.datetime(2026, 7, 5, 2, 0, tzinfo=dt.UTC), tick=False):
        yield


def _random_cases(n: int, seed: int = 17, start: dt.date = D(2025, 7, 1)) -> list[dict]:
    """Cases received over a year from `start`, in every state, as plain dicts (the test's own record)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        receipt = start + dt.timedelta(days=rnd.randrange(365))
        matters_ = R.MATTER_FIELDS_2024 if receipt >= D(2024, 1, 1) else R.MATTER_FIELDS
        c = {"receipt_date": receipt, "matter": rnd.choice(matters_)[0], "respondent_level": rnd.choice(R.LEVELS)[0],
             "domain": rnd.choice(R.DOMAINS)[0], "procedure": rnd.choice(["普通程序", "简易程序"]),
             "hearing": rnd.random() < 0.2, "committee": rnd.random() < 0.1, "respondent_name": f"被申请人{i % 7}",
             "act_number": f"京文〔2025〕{i}号"}
        kinds = [rnd.choice(["公民", "公民", "法人或其他组织"]) for _ in range(rnd.choice([1, 1, 1, 2, 3]))]
        c["applicants"] = [{"kind": k, "name": f"申请人{i}-{j}",
                            **({"id_number": make_id("19800101", f"{(i * 3 + j) % 1000:03d}")} if k == "公民" else {})}
                           for j, k in enumerate(kinds)]
        if rnd.random() < 0.05:
            c["group_size"] = rnd.choice([6, 12, 40])
        if rnd.random() < 0.15 and receipt + dt.timedelta(days=12) <= TODAY:
            c["amend_requested"] = receipt + dt.timedelta(days=2)
            c["amend_received"] = receipt + dt.timedelta(days=rnd.randrange(3, 12))
        ready = c.get("amend_received", receipt)
        roll = rnd.random()
        if ready + dt.timedelta(days=5) > TODAY or roll < 0.05:
            pass  # intake still undecided
        elif roll < 0.2:
            c.update(intake="rejected", intake_date=ready + dt.timedelta(days=3),
                     refusal_reason=rnd.choice(R.REJECT_FIELDS)[0])
        elif roll < 0.3:
            c.update(intake="other", intake_date=ready + dt.timedelta(days=2))
        else:
            accepted = ready + dt.timedelta(days=rnd.randrange(0, 6))
            c.update(intake="accepted", intake_date=accepted)
            if c["procedure"] == "普通程序" and rnd.random() < 0.2:
                c.update(extension_days=rnd.randrange(1, 31), extension_reason="复杂", extension_approver="主任")
            if rnd.random() < 0.15 and accepted + dt.timedelta(days=10) <= TODAY:
                c["suspended_on"] = accepted + dt.timedelta(days=10)
                if rnd.random() < 0.7 and accepted + dt.timedelta(days=30) <= TODAY:
                    c["resumed_on"] = accepted + dt.timedelta(days=30)
            decided = accepted + dt.timedelta(days=rnd.randrange(15, 100))
            if decided <= TODAY and rnd.random() < 0.8 and (not c.get("suspended_on") or c.get("resumed_on")):
                decided = max(decided, c.get("resumed_on", decided))
                if decided <= TODAY:
                    outcomes = R.OUTCOME_FIELDS_2024 if receipt >= D(2024, 1, 1) else R.OUTCOME_FIELDS
                    c.update(decided_on=decided, outcome=rnd.choice(outcomes)[0],
                             opinion_issued=rnd.random() < 0.1, suggestion_issued=rnd.random() < 0.05)
        out.append(c)
    return out


def _independent_count(cases: list[dict], period: Period) -> dict[str, int]:
    """The form's figures counted in plain Python from the test's own record of the cases."""
    s, e = period.start, period.end
    f: dict[str, int] = {}

    def add(name, n=1):
        f[name] = f.get(name, 0) + n

    for c in cases:
        r, intake, decided = c["receipt_date"], c.get("intake"), c.get("decided_on")
        people = max(c.get("group_size") or 0, len(c["applicants"]))
        orgs = sum(1 for a in c["applicants"] if a["kind"] != "公民")
        received = s <= r <= e
        carried = intake == "accepted" and r < s and (decided is None or decided >= s)
        accepted_in = received and intake == "accepted"
        if carried:
            add("carried_over")
        if received:
            add("new_applications")
            add("applicants", people)
            add("applicants_org", orgs)
            add("applicants_citizen", people - orgs)
            if people >= 2:
                add("joint_applications")
                band = "band_2_4" if people <= 4 else "band_5_9" if people <= 9 else \
                    "band_10_29" if people <= 29 else "band_30_plus"
                add(band)
            if c.get("amend_requested"):
                add("p_amended")
            if intake == "rejected":
                add("rejected")
                add(c["refusal_reason"])
            if intake == "other":
                add("other_handled")
        if accepted_in:
            add("accepted")
            add(c["matter"])
            add(f"x_{c['respondent_level']}_{c['domain']}")
        if carried or accepted_in:
            for name, flag in (("p_simplified", c["procedure"] == "简易程序"), ("p_hearing", c["hearing"]),
                               ("p_committee", c["committee"]), ("p_extended", bool(c.get("extension_days"))),
                               ("p_suspended", bool(c.get("suspended_on")))):
                if flag:
                    add(name)
        if decided and s <= decided <= e:
            add("concluded")
            add(c["outcome"])
            if c.get("opinion_issued"):
                add("opinions_issued")
            if c.get("suggestion_issued"):
                add("suggestions_issued")
        if intake == "accepted" and r <= e and (decided is None or decided > e):
            add("pending")
    return f


def _as_input(c: dict) -> dict:
    data = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in c.items()}
    data["respondent_level"] = LEVELS[c["respondent_level"]]  # labels, as a person types them
    data["domain"] = DOMAINS[c["domain"]]
    if c.get("intake"):
        data["intake"] = {"accepted": "受理", "rejected": "不予受理", "other": "告知及其他处理"}[c["intake"]]
    return data


def _load(app, cases, username="dongcheng_filler"):
    with app.app_context():
        for c in cases:
            create_recon_case(_as_input(c), user(username))
        db.session.commit()


def _keep_register(unit_code="0100"):
    db.session.add(FormAssignment(unit_id=unit_by_code(unit_code).id, form_code="reconsideration", required=True,
                                  from_register=True))
    db.session.commit()


def test_prefilled_form_equals_an_independent_count(app):
    cases = _random_cases(160)
    _load(app, cases)
    with app.app_context():
        filing = open_filing("reconsideration", H1, user("dongcheng_filler"))
        assert prefill_values(filing) == {}  # no register setting: the unit files by hand
        _keep_register()
        prefill = prefill_values(filing)
        expected = _independent_count(cases, H1)
        spec = get_form("reconsideration", H1)
        derived = {k: v for k, v in prefill.items()}
        for name, value in derived.items():
            assert value == expected.get(name, 0), name
        assert derived["new_applications"] > 30 and derived["carried_over"] > 0 and derived["concluded"] > 0
        # the derived figures keep the form's own balances (intake undecided cases aside)
        assert derived["pending"] == derived["carried_over"] + derived["accepted"] - derived["concluded"]
        assert derived["accepted"] == sum(derived[n] for n, _ in R.MATTER_FIELDS_2024)
        assert derived["concluded"] == sum(derived[n] for n, _ in R.OUTCOME_FIELDS_2024)
        assert derived["applicants"] == derived["applicants_citizen"] + derived["applicants_org"]
        assert set(derived) <= set(spec.field_names)
        # this half's 未审结 is the next half's 上期结转
        assert derived_figures([filing.unit_id], H1.next())["carried_over"] == derived["pending"]
        # every figure links to exactly the cases it counts
        for name in ("accepted", "concluded", "pending", "carried_over", "m_penalty", "o_revoked"):
            q = cases_behind([filing.unit_id], H1, name)
            assert db.session.scalar(select(func.count()).select_from(q.subquery())) == derived[name]


def test_2015_version_period_is_counted_in_its_own_fields(app):
    cases = _random_cases(80, seed=3, start=D(2023, 1, 1))
    _load(app, cases)
    period = Period.parse("2023H2")
    with app.app_context():
        got = derived_figures([unit_by_code("0100").id], period)
        assert "x_cg_ps" not in got and "p_hearing" not in got  # not fields of the 2015 form
        assert got["new_applications"] > 20
        expected = _independent_count(cases, period)
        assert got == {k: expected.get(k, 0) for k in got}


def test_hand_filed_figures_that_differ_are_flagged_for_the_reviewer(app, client_for):
    # every intake decided (a case still under intake review is new but neither accepted nor refused,
    # which the form's own balance refuses until it is decided)
    cases = [c for c in _random_cases(40, seed=5) if c.get("intake")]
    _load(app, cases)
    with app.app_context():
        _keep_register()
        filing = open_filing("reconsideration", H1, user("dongcheng_filler"))
        fid, unit_id = filing.id, filing.unit_id
        derived = derived_figures([unit_id], H1)
    c = client_for("dongcheng_filler")
    edit = c.get(f"/filings/{fid}/edit").get_data(as_text=True)
    assert f'name="accepted" id="accepted" value="{derived["accepted"]}"' in edit  # prefilled
    # the clerk files one concluded case under another outcome than the register's
    from app.filing.values import save_values
    from app.models import Filing

    with app.app_context():
        filing = db.session.get(Filing, fid)
        values = dict(prefill_values(filing))
        src = next(n for n, _ in R.OUTCOME_FIELDS_2024 if n != "o_other" and values.get(n))
        values[src] -= 1
        values["o_other"] += 1
        values.update(pre_mediated=0, incidental_reviews=0, compensation_cases=0, compensation_amount=0,
                      opinions_implemented=0, suggestions_implemented=0)
        save_values(filing, {k: str(v) for k, v in values.items()}, user("dongcheng_filler"),
                    expected_version=filing.version)
        db.session.commit()
    page = client_for("reviewer").get(f"/filings/{fid}").get_data(as_text=True)
    assert 'id="register-differences"' in page and "2项与登记不一致" in page
    panel = page.split('id="register-check"')[1].split("</table>")[0]
    row = panel.split(f'data-field="{src}"')[1].split("</tr>")[0]
    assert "register-differs" in panel.split(f'data-field="{src}"')[0][-80:]
    assert f">{derived[src] - 1}</td>" in row and f">{derived[src]}</a>" in row
    link = row.split('href="')[1].split('"')[0].replace("&amp;", "&")
    drill = client_for("reviewer").get(link).get_data(as_text=True)
    assert f"共{derived[src]}件" in drill
    assert client_for("gongan_filler").get(link).status_code == 404  # another unit's cases: refused
    warn = c.get(f"/filings/{fid}").get_data(as_text=True)
    assert "与案件登记数" in warn  # the clerk must explain the difference to submit


def test_litigation_form_prefilled_from_the_suits_equals_an_independent_count(app):
    """Suits against 东城区 in every stage, 2025H2–2026H1; the 2026H1 form from the register equals
    a count in plain Python of the same suits."""
    from app.cases.litigation import create_litigation_case, update_litigation_case
    from app.forms import litigation as LF

    rnd = random.Random(11)
    suits = []
    with app.app_context():
        f = user("dongcheng_filler")
        for i in range(60):
            received = D(2025, 7, 1) + dt.timedelta(days=rnd.randrange(360))
            s = {"court_case_no": f"（2026）京0101行初{i}号", "court": "东城区人民法院", "plaintiffs": f"原告{i}",
                 "complaint_received": received, "matter": rnd.choice(R.MATTER_FIELDS_2024)[0],
                 "co_defendant": rnd.random() < 0.3, "instance": "一审"}
            first = create_litigation_case({**s, "complaint_received": received.isoformat()}, f)
            db.session.flush()
            s["id"] = first.id
            judged = received + dt.timedelta(days=rnd.randrange(20, 150))
            if judged <= TODAY and rnd.random() < 0.8:
                hearing = received + dt.timedelta(days=15)
                head = rnd.random() < 0.5
                s.update(hearing_date=hearing, head_attended=head, head_rank=rnd.choice(["正职", "副职"]),
                         judgement_date=judged, outcome=rnd.choice(LF.OUTCOME_FIELDS)[0])
                update_litigation_case(first.id, {
                    "hearing_date": hearing.isoformat(), "head_attended": head, "head_name": "局长",
                    "head_rank": s["head_rank"], "judgement_kind": "判决", "judgement_date": judged.isoformat(),
                    "outcome": s["outcome"]}, first.version, f)
                db.session.flush()
                if rnd.random() < 0.3 and judged + dt.timedelta(days=10) <= TODAY:
                    appeal = {"instance": "二审", "complaint_received": judged + dt.timedelta(days=10),
                              "matter": s["matter"], "co_defendant": False}
                    create_litigation_case({"court_case_no": f"（2026）京02行终{i}号", "court": "二中院",
                                            "plaintiffs": f"原告{i}", "instance": "二审", "previous": first.id,
                                            "complaint_received": appeal["complaint_received"].isoformat(),
                                            "matter": s["matter"]}, f)
                    suits.append(appeal)
            suits.append(s)
        db.session.commit()
        filing = open_filing("litigation", H1, user("dongcheng_filler"))
        assert prefill_values(filing) == {}
        db.session.add(FormAssignment(unit_id=unit_by_code("0100").id, form_code="litigation", required=True,
                                      from_register=True))
        db.session.commit()
        got = prefill_values(filing)
    s_, e_ = H1.start, H1.end
    exp: dict[str, int] = {}

    def add(k, n=1):
        exp[k] = exp.get(k, 0) + n

    for s in suits:
        r, j = s["complaint_received"], s.get("judgement_date")
        if s_ <= r <= e_:
            add("new_total")
            add({"一审": "first_instance", "二审": "appeals"}[s["instance"]])
            add("t_" + s["matter"][2:])
            if s["co_defendant"]:
                add("co_defendant")
        if r < s_ and (j is None or j >= s_):
            add("carried_over")
        if r <= e_ and (j is None or j > e_):
            add("pending")
        if j and s_ <= j <= e_:
            add("concluded")
            add("f1_concluded")
            add("f1_" + s["outcome"][2:])
        if s.get("hearing_date") and s_ <= s["hearing_date"] <= e_:
            add("hearings_held")
            if s["head_attended"]:
                add("head_attended")
                add("head_principal" if s["head_rank"] == "正职" else "head_deputy")
    assert got["new_total"] > 10 and got["concluded"] > 5
    assert got == {k: exp.get(k, 0) for k in got}
    assert got["pending"] == got["carried_over"] + got["new_total"] - got["concluded"]
