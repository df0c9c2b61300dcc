"""Shared test helpers: logging in with CSRF, valid form values, filings in known states."""

from __future__ import annotations

import re

from app.demo import DEMO_PASSWORD

CSRF_RE = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"|name="csrf-token" content="([^"]+)"'
)


def csrf_token(client, path: str = "/login/") -> str:
    """The CSRF token of the page at `path` (the session's token)."""
    html = client.get(path).get_data(as_text=True)
    m = CSRF_RE.search(html)
    assert m, f"no csrf token on {path}"
    return m.group(1) or m.group(2) or m.group(3)


def login(client, username: str, password: str = DEMO_PASSWORD):
    """Log `client` in through the real login form (with its CSRF token)."""
    token = csrf_token(client)
    resp = client.post("/login/", data={"username": username, "password": password,
                                        "csrf_token": token})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    return client


def post_form(client, path: str, data: dict, token_from: str = "/"):
    """POST a form with the session's CSRF token."""
    data = dict(data)
    data["csrf_token"] = csrf_token(client, token_from)
    return client.post(path, data=data)


def penalty_values(total: int = 100, fines_yuan: str = "50000.00") -> dict[str, str]:
    """A consistent set of penalty figures as typed into the form (strings)."""
    v = {
        "cases_opened": 60, "cases_closed": 55, "decisions_total": total,
        "k_warning": total - 70, "k_criticism": 0, "k_fine": 60, "k_gains": 5, "k_property": 5,
        "k_suspend_licence": 0, "k_downgrade": 0, "k_revoke_licence": 0,
        "k_restrict_business": 0, "k_suspend_operations": 0, "k_closure": 0,
        "k_occupation_ban": 0, "k_detention": 0, "k_other": 0,
        "proc_summary": total - 50, "proc_ordinary": 50,
        "hearings_notified": 4, "hearings_held": 2, "legal_reviews": 50, "no_penalty": 1,
        "reduced_penalty": 2, "reconsidered": 3, "reconsidered_corrected": 1, "sued": 2,
        "sued_lost": 0, "referred": 1,
    }
    out = {k: str(val) for k, val in v.items()}
    out.update(amount_fines=fines_yuan, amount_gains="3000.50", amount_property="800")
    return out


def reconsideration_values(accepted: int = 40, concluded: int = 30, carried: int = 10,
                           version: str = "2024") -> dict[str, str]:
    """Consistent reconsideration figures: 50 new = 40 accepted + 6 rejected + 4 other. The 2024
    version (periods from 2024H1) by default; version="2015" for periods up to 2023H2."""
    v = {"carried_over": carried, "new_applications": accepted + 10, "accepted": accepted,
         "rejected": 6, "other_handled": 4, "applicants": accepted + 15,
         "r_no_party": 1, "r_no_interest": 1, "r_late": 2, "r_remit": 0, "r_no_request": 0,
         "r_duplicate": 0, "r_scope": 2, "r_other": 0,
         "m_penalty": accepted - 13, "m_enforcement": 3, "m_levy": 0, "m_licence": 2, "m_ownership": 0,
         "m_confirmation": 0, "m_information": 5, "m_complaint": 2, "m_inaction": 1, "m_other": 0,
         "concluded": concluded, "o_dismissed": 5, "o_upheld": concluded - 17, "o_unlawful": 1,
         "o_revoked": 2, "o_varied": 0, "o_ordered": 1, "o_mediated": 2, "o_settled": 3,
         "o_terminated": 2, "o_other": 1, "pending": carried + accepted - concluded,
         "incidental_reviews": 1, "compensation_cases": 1, "opinions_issued": 2, "opinions_implemented": 1}
    if version == "2024":
        v.update(_reconsideration_2024(accepted, concluded, v))
    if concluded == 0:
        v.update({k: 0 for k in v if k.startswith("o_")})
    out = {k: str(val) for k, val in v.items()}
    out["compensation_amount"] = "12000.00"
    return out


def _reconsideration_2024(accepted: int, concluded: int, v: dict) -> dict:
    """The fields the 2024 version adds, consistent with the shared ones in `v`."""
    from app.forms.reconsideration import BAND_FIELDS, PROCEDURE_FIELDS, RESPONDENT_FIELDS

    out = {"pre_mediated": 1, "applicants_citizen": v["applicants"] - 5, "applicants_org": 5,
           "joint_applications": 2, "p_amended": 1, "o_void": 0, "o_withdrawn_corrected": 0,
           "m_agreement": 0, "m_compensation": 0, "m_injury": 0, "m_social": 0, "m_expropriation": 0,
           "suggestions_issued": 1, "suggestions_implemented": 0, "sued_after": min(concluded, 1)}
    out.update({name: 0 for name, _ in BAND_FIELDS})
    out.update(band_2_4=1, band_5_9=1)
    out.update({name: 0 for name, _ in PROCEDURE_FIELDS})
    out.update(p_simplified=2, p_hearing=1, p_extended=1)
    out.update({f.name: 0 for f in RESPONDENT_FIELDS})
    out["x_dd_ps"] = accepted - min(accepted, 10)  # 区政府部门·公安
    out.update(x_cg_nr=min(accepted, 10) // 2, x_dg_hc=min(accepted, 10) - min(accepted, 10) // 2)
    return out


def litigation_values(new: int = 20, concluded: int = 18, carried: int = 8, version: str = "2024") -> dict[str, str]:
    """Consistent litigation figures: new = 14 first instance + 5 appeals + 1 retrial (for 20)."""
    v = {"carried_over": carried, "first_instance": new - 6, "appeals": 5, "retrials": 1, "new_total": new,
         "after_reconsideration": 6, "co_defendant": 3,
         "t_penalty": new - 8, "t_enforcement": 2, "t_levy": 1, "t_licence": 1, "t_ownership": 0,
         "t_confirmation": 0, "t_information": 2, "t_complaint": 1, "t_inaction": 1, "t_other": 0,
         "concluded": concluded, "o_claims_dismissed": concluded - 9, "o_suit_dismissed": 3,
         "o_revoked": 1, "o_varied": 0, "o_unlawful": 1, "o_void": 0, "o_perform": 0, "o_pay": 0,
         "o_withdrawn": 3, "o_mediated": 0, "o_other": 1, "pending": carried + new - concluded,
         "hearings_held": 12, "head_attended": 9}
    if version == "2024":  # outcomes per instance (一审 5+, 二审 3, 再审 1); the same 2 lost at first instance
        v = {k: val for k, val in v.items() if not k.startswith("o_")}
        f1 = concluded - 4
        v.update(t_agreement=0, t_compensation=0, t_injury=0, t_social=0, t_expropriation=0,
                 f1_concluded=f1, f1_claims_dismissed=f1 - 5, f1_suit_dismissed=1, f1_revoked=1, f1_varied=0,
                 f1_unlawful=1, f1_void=0, f1_perform=0, f1_pay=0, f1_withdrawn_changed=1, f1_withdrawn=1,
                 f1_mediated=0, f1_other=0, a_concluded=3, a_upheld=2, a_reversed=1, a_remanded=0,
                 a_withdrawn=0, a_other=0, a_lost=0, rt_concluded=1, rt_upheld=1, rt_reversed=0, rt_remanded=0,
                 rt_other=0, rt_lost=0, head_notified=10, head_principal=4, head_deputy=5,
                 suggestions_received=2, suggestions_answered=1)
    return {k: str(val) for k, val in v.items()}


def add_filler(app, username: str, password: str = DEMO_PASSWORD) -> int:
    """A throwaway filler account in 东城区 (the conftest cleanup removes it); returns its id."""
    from app.extensions import db
    from app.unit_list import unit_by_code

    with app.app_context():
        sm = app.appbuilder.sm
        user = sm.add_user(username, "临时", "用户", f"{username}@demo.local", [sm.find_role("填报员")], password)
        user.unit_id = unit_by_code("0100").id
        db.session.commit()
        return user.id


def api_version(client, headers: dict, filing_id: int) -> int:
    """The filing's current `version`, read through the API as a caller must before writing."""
    return client.get(f"/api/v1/filings/{filing_id}", headers=headers).json["result"]["version"]
