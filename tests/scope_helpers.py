"""Helpers for the organisation-scope tests (tests/test_scope.py): driving filings over HTTP,
API tokens, snapshots that prove nothing changed, and HTML attribute parsing."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from sqlalchemy import func, select

from app.demo import DEMO_PASSWORD
from app.extensions import db
from tests.helpers import post_form

LOGIN_PATHS = ("/login", "/login/")


# --- driving filings through the real engine over HTTP ------------------------------------

def fid_from_location(resp) -> int:
    """The filing id of a redirect to /filings/<id> or /filings/<id>/edit."""
    m = re.search(r"/filings/(\d+)", resp.headers.get("Location", ""))
    assert m, f"not a redirect to a filing: {resp.status_code} {resp.headers.get('Location')}"
    return int(m.group(1))


def open_penalty(client, period: str, **extra) -> int:
    """POST /filings/penalty/open as the client's user; returns the filing id."""
    resp = post_form(client, "/filings/penalty/open", {"period": period, **extra}, "/filings/penalty/")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return fid_from_location(resp)


def save_penalty(client, fid: int, values: dict) -> None:
    resp = post_form(client, f"/filings/{fid}/edit", values, f"/filings/{fid}/edit")
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/filings/{fid}"), \
        resp.get_data(as_text=True)[:500]


def act(client, fid: int, action: str, **extra):
    return post_form(client, f"/filings/{fid}/act", {"action": action, **extra}, f"/filings/{fid}")


# --- API ------------------------------------------------------------------------------------

def api_token(app, username: str, password: str = DEMO_PASSWORD) -> str:
    resp = app.test_client().post("/api/v1/security/login", json={
        "username": username, "password": password, "provider": "db"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return resp.get_json()["access_token"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- proving nothing changed ------------------------------------------------------------------

def filing_state(app, fid: int) -> tuple:
    """State, revision, version, explanation, every value row, transitions and corrections of a
    filing (read in a fresh app context)."""
    from app.filing.values import revisions
    from app.models import Filing

    with app.app_context():
        f = db.session.get(Filing, fid)
        assert f is not None, f"filing {fid} vanished"
        return (f.unit_id, f.state, f.revision, f.version, f.explanation,
                tuple((rev, tuple(sorted(v.items()))) for rev, v in revisions(f)),
                tuple((t.action, t.to_state) for t in f.transitions),
                tuple((c.id, c.state) for c in f.corrections))


def row_count(app, model, *where) -> int:
    with app.app_context():
        q = select(func.count()).select_from(model)
        for cond in where:
            q = q.where(cond)
        return db.session.scalar(q)


def table_counts(app) -> dict[str, int]:
    """Row count of every table: a cheap proof that a refused request wrote nothing."""
    with app.app_context():
        return {name: db.session.scalar(select(func.count()).select_from(table))
                for name, table in db.metadata.tables.items()}


# --- responses --------------------------------------------------------------------------------

def is_login_redirect(resp) -> bool:
    return resp.status_code == 302 and urlsplit(resp.headers.get("Location", "")).path in LOGIN_PATHS


def refused(resp) -> bool:
    """Refused without data: a redirect to the login page, 401, 403 or 404."""
    return is_login_redirect(resp) or resp.status_code in (401, 403, 404)


def dummy_path(rule) -> str:
    """The rule's path with every argument replaced by 1 (a dummy int works for every converter)."""
    return re.sub(r"<[^>]+>", "1", rule.rule)


# --- HTML ---------------------------------------------------------------------------------------

class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: (v or "") for k, v in attrs}))

    handle_startendtag = handle_starttag


def tags(html: str) -> list[tuple[str, dict[str, str]]]:
    """Every start tag of the page with its attributes."""
    p = _Collector()
    p.feed(html)
    return p.tags


def url_attrs(html: str) -> list[tuple[str, str, str]]:
    """(tag, attribute, url) for every src, href, srcset, action, poster and data attribute."""
    out = []
    for tag, attrs in tags(html):
        for name in ("src", "href", "action", "poster", "data", "background"):
            if attrs.get(name):
                out.append((tag, name, attrs[name].strip()))
        for name in ("srcset", "imagesrcset"):
            for part in (attrs.get(name) or "").split(","):
                if part.strip():
                    out.append((tag, name, part.strip().split()[0]))
    return out


def is_same_origin(url: str) -> bool:
    """Relative, fragment, data: or an absolute URL on the test client's own host."""
    parts = urlsplit(url)
    if parts.scheme in ("", "http", "https"):
        return parts.netloc in ("", "localhost")
    return parts.scheme in ("data", "mailto", "javascript")


def select_options(html: str, name: str) -> list[str] | None:
    """The option values of <select name=...>, or None when the page has no such select."""
    inside, found, values = False, False, []
    for tag, attrs in tags(html):
        if tag == "select":
            inside = attrs.get("name") == name
            found = found or inside
        elif tag == "option" and inside:
            values.append(attrs.get("value", ""))
    return values if found else None


def menu_links(html: str) -> list[str]:
    """Hrefs of the navigation bar (the role's menu), in order, without the language switch,
    logout and dropdown toggles."""
    head = html.split("<header", 1)[-1].split("</header>", 1)[0]
    out = []
    for tag, attrs in tags(head):
        href = attrs.get("href", "")
        if tag == "a" and href.startswith("/") and not href.startswith(("/lang/", "/logout")):
            if href not in out:
                out.append(href)
    return out


def page_links(html: str, base: str = "/") -> list[str]:
    """Same-origin GET links of a page (a href, resolved against `base`), for a bounded crawl."""
    out = []
    for tag, attrs in tags(html):
        href = attrs.get("href", "").strip()
        if tag != "a" or not href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        parts = urlsplit(urljoin(base, href))
        if parts.netloc not in ("", "localhost"):
            continue
        link = parts.path + (f"?{parts.query}" if parts.query else "")
        if not any(s in link for s in ("/logout", "/lang/", "/delete/", "/action/", "/static/")):
            out.append(link)
    return out
