"""Issue 14, item 9: a strict Content-Security-Policy on every page — scripts only from the
portal's files or carrying the response's fresh nonce; no 'unsafe-inline', no 'unsafe-eval', no
inline event handlers; plotly.js is its eval-free strict build. (In the browser, with zero
violations on every page of every role: tests/browser/test_csp_browser.py.)"""

from __future__ import annotations

import hashlib
import re

import pytest

from app.charts.assets import BUNDLE, PLOTLY_STRICT_SHA256, PYTHON_BUNDLE, bundle_version, plotly_js
from app.demo import DEMO_ACCOUNTS
from tests.csp_helpers import directives, role_pages, script_nonce
from tests.scope_helpers import tags
from tests.test_reporting_pages import figures  # noqa: F401  (a fixture: both units' figures)

DEMO_USERS = [row[0] for row in DEMO_ACCOUNTS]
INLINE_HANDLER = re.compile(r"^on[a-z]+$")
DATA_TYPES = ("application/json", "application/ld+json")


def assert_strict(policy: str, what: str) -> str:
    """The policy allows scripts only from 'self' and one nonce; returns the nonce."""
    d = directives(policy)
    script = d.get("script-src")
    assert script, f"{what}: no script-src in {policy!r}"
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script, f"{what}: {policy!r}"
    assert "'self'" in script and not [s for s in script if s != "'self'" and not s.startswith("'nonce-")], \
        f"{what}: script-src allows more than the portal and its nonce: {script}"
    assert d.get("script-src-attr") == ["'none'"], f"{what}: inline event handlers not forbidden"
    assert d.get("default-src") == ["'self'"] and d.get("object-src") == ["'none'"]
    assert "'unsafe-eval'" not in policy, f"{what}: {policy!r}"
    nonce = script_nonce(policy)
    assert nonce and len(nonce) >= 22, f"{what}: no nonce of 128 bits in {policy!r}"
    return nonce


def assert_scripts_carry(html: str, nonce: str, what: str) -> None:
    """Every inline script of the page carries the response's nonce; no on…= handler, no
    javascript: address."""
    for tag, attrs in tags(html):
        if tag == "script" and not attrs.get("src") and attrs.get("type") not in DATA_TYPES:
            assert attrs.get("nonce") == nonce, f"{what}: an inline script without this response's nonce: {attrs}"
        handlers = [name for name in attrs if INLINE_HANDLER.match(name)]
        assert not handlers, f"{what}: <{tag}> has inline event handlers {handlers}"
        for name in ("href", "src", "action", "formaction"):
            assert not attrs.get(name, "").strip().lower().startswith("javascript:"), f"{what}: <{tag} {name}=…>"


def test_login_page_policy_and_a_fresh_nonce_per_response(app):
    c = app.test_client()
    nonces = []
    for _ in range(3):
        resp = c.get("/login/")
        nonce = assert_strict(resp.headers["Content-Security-Policy"], "/login/")
        assert_scripts_carry(resp.get_data(as_text=True), nonce, "/login/")
        nonces.append(nonce)
    assert len(set(nonces)) == 3, f"the nonce is reused across responses: {nonces}"


@pytest.mark.parametrize("username", DEMO_USERS)
def test_every_page_of_every_role_has_a_strict_policy(app, client_for, figures, username):  # noqa: F811
    """For every demo role: home, every menu page, the user's own pages and one page of each kind
    linked from them (show, edit, add, a filing…): script-src without 'unsafe-inline'/'unsafe-eval',
    a nonce that no other response had, and every inline script carrying it."""
    c = client_for(username)
    pages = role_pages(c)
    assert len(pages) >= 4, f"{username}: too few pages to check: {pages}"
    nonces: dict[str, str] = {}
    inline_scripts = 0
    for path, resp in pages.items():
        html = resp.get_data(as_text=True)
        nonce = assert_strict(resp.headers["Content-Security-Policy"], f"{username} {path}")
        assert nonce not in nonces, f"{username} {path} reuses the nonce of {nonces[nonce]}"
        nonces[nonce] = path
        assert_scripts_carry(html, nonce, f"{username} {path}")
        inline_scripts += html.count(f'nonce="{nonce}"')
    assert inline_scripts, f"{username}: no page carried the nonce at all (is csp_nonce() wired to FAB?)"


def test_json_and_file_responses_carry_the_policy_too(app, client_for):
    c = client_for("dongcheng_filler")
    for path in ("/charts/plotly.min.js", "/static/js/portal.js", "/favicon.ico"):
        resp = c.get(path)
        assert resp.status_code == 200, path
        assert_strict(resp.headers["Content-Security-Policy"], path)


def test_plotly_is_the_strict_build_of_the_python_packages_version():
    """The vendored bundle is the file scripts/vendor_plotly.sh fetched (its sha256), plotly's
    eval-free strict build, of the same plotly.js version as the Python package bundles, with its
    MIT licence beside it and its header kept; the portal serves that one."""
    raw = BUNDLE.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == PLOTLY_STRICT_SHA256
    assert raw.startswith(b"/**") and b"plotly.js (strict - minified)" in raw[:200] and b"MIT" in raw[:300]
    assert bundle_version(BUNDLE) == bundle_version(PYTHON_BUNDLE) != ""
    assert "MIT License" in (BUNDLE.parent / "LICENSE").read_text(encoding="utf-8")
    served, _etag = plotly_js()
    assert b"plotly.js (strict - minified)" in served[:200]


def test_nonce_is_empty_outside_a_request(app):
    from app.web import csp_nonce

    with app.app_context():
        assert csp_nonce() == ""
