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
