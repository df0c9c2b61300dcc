"""The pages a role reaches, and how to read a Content-Security-Policy: shared by the CSP tests
(tests/test_csp.py over the test client, tests/browser/test_csp_browser.py in Chromium)."""

from __future__ import annotations

import re

from tests.scope_helpers import page_links

# Pages besides the menu: the user menu (profile), the API keys and FAB's Swagger UI (both for
# administrators; a role without them gets no 200 and skips them).
USER_PAGES = ("/users/userinfo/", "/apikeys/", "/swagger/v1")
# Links that download files, export or leave the page: not pages to walk.
NOT_PAGES = ("export", "download", "template", ".xlsx", ".docx", "/api/", "/attachments/", "/charts/",
             "/favicon.ico", "/login")
_SHAPE = re.compile(r"\d+")


def shape(path: str) -> str:
    """A page's kind: the path without query and with every number as N (/unitview/show/7 →
    /unitview/show/N), so that a walk visits each kind of page once."""
    return _SHAPE.sub("N", path.split("?", 1)[0])


def role_pages(client, limit: int = 60) -> dict:
    """The HTML pages a signed-in client reaches, {path: response}: home, every menu link, the
    user's own pages, and one page of each kind linked from those (a record's show and edit page,
    an add form, a filing, a notice…) — each answering 200 with HTML."""
    from tests.scope_helpers import menu_links

    home = client.get("/").get_data(as_text=True)
    first = list(dict.fromkeys(["/", *menu_links(home), *USER_PAGES]))
    seen_shapes: set[str] = set()
    pages: dict = {}

    def visit(path: str) -> str | None:
        if shape(path) in seen_shapes or any(s in path for s in NOT_PAGES) or len(pages) >= limit:
            return None
        seen_shapes.add(shape(path))
        resp = client.get(path)
        if resp.status_code != 200 or resp.mimetype != "text/html":
            return None
        pages[path] = resp
        return resp.get_data(as_text=True)

    linked: list[str] = []
    for path in first:
        html = visit(path)
        if html:
            linked += page_links(html, path)
    for path in linked:
        visit(path)
    return pages


def directives(policy: str) -> dict[str, list[str]]:
    """A CSP header as {directive: [sources]}."""
    out = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out


def script_nonce(policy: str) -> str | None:
    """The nonce that script-src allows, or None."""
    found = [s[len("'nonce-"):-1] for s in directives(policy).get("script-src", []) if s.startswith("'nonce-")]
    return found[0] if len(found) == 1 else None
