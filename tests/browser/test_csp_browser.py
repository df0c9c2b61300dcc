"""Issue 14, item 9 in a real browser: under the portal's strict Content-Security-Policy (no
'unsafe-inline', no 'unsafe-eval' for scripts), every page of every demo role raises no CSP
violation — neither a `securitypolicyviolation` event nor a console report — and the pages'
scripts still work: dropdown menus open, charts draw, FAB's delete asks for confirmation and
deletes, the language switch switches, the portal's own listeners (notice audience, print) run.

The pages walked for a role are tests/csp_helpers.py's `role_pages`: home, every menu link, the
user's own pages and one page of each kind linked from them (show, edit, add, a filing…).
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.demo import DEMO_ACCOUNTS
from app.extensions import db
from tests.browser.test_browser import login
from tests.csp_helpers import role_pages
from tests.test_csp import assert_strict
from tests.test_reporting_pages import figures  # noqa: F401  (a fixture: both units' figures)

# One demo account per role (gongan_filler and gongan_approver hold the same roles as the
# dongcheng accounts; tests/test_csp.py checks every account's pages over the test client).
ROLE_ACCOUNTS = [row[0] for i, row in enumerate(DEMO_ACCOUNTS) if row[3] not in {r[3] for r in DEMO_ACCOUNTS[:i]}]

# Reports every violation to the test (an init script: it runs before the page's own scripts,
# outside the page's policy, on every page the context opens).
_LISTEN = """document.addEventListener('securitypolicyviolation', function (e) {
  window.__cspViolation({page: location.pathname + location.search, directive: e.violatedDirective,
                         blocked: e.blockedURI, sample: e.sample, where: e.sourceFile + ':' + e.lineNumber});
});"""
# window.print() would open a dialog: the test only needs to know the button called it.
_STUB_PRINT = "window.print = function () { document.documentElement.dataset.printed = '1'; };"


@pytest.fixture
def csp_watch(context):
    """Everything CSP-related the browser reports: violation events, console messages, script
    errors. Attached to the context before any page opens."""
    seen = {"violations": [], "console": [], "errors": []}
    context.expose_binding("__cspViolation", lambda _source, v: seen["violations"].append(v))
    context.add_init_script(_LISTEN)
    context.add_init_script(_STUB_PRINT)
    return seen


@pytest.fixture
def watched_page(context, csp_watch):
    page = context.new_page()
    page.on("console", lambda m: csp_watch["console"].append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text else None)
    page.on("pageerror", lambda exc: csp_watch["errors"].append(f"{page.url}: {exc}"))
    page.set_default_timeout(60_000)
    page.set_default_navigation_timeout(60_000)
    return page


def assert_no_violation(seen, what: str) -> None:
    assert not seen["violations"], f"{what}: CSP violations: {seen['violations']}"
    assert not seen["console"], f"{what}: CSP reports in the console: {seen['console']}"
    assert not seen["errors"], f"{what}: script errors: {seen['errors']}"


def _settle(page) -> None:
    """After the load event (every script of the page has run): one more frame and task, for
    violation reports and listeners that run late. (Not "networkidle": it proved flaky here.)"""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")


def _charts_drawn(page) -> tuple[int, int, int]:
    """(chart panels, panels plotly drew an SVG in, panels whose plot holds at least one trace;
    a period without figures draws an empty plot)."""
    panels = page.locator(".portal-chart").count()
    if panels:
        page.wait_for_function("""n => document.querySelectorAll('.portal-chart svg.main-svg').length >= n""",
                               arg=panels)
    return panels, *page.evaluate("""() => {
        const els = Array.from(document.querySelectorAll('.portal-chart'));
        return [els.filter(el => el.querySelector('svg.main-svg')).length,
                els.filter(el => el.querySelector('svg.main-svg g.trace')).length];
    }""")


def _dropdown_opens(page) -> None:
    """Bootstrap's JS runs: the navbar's first dropdown opens on a click."""
    toggle = page.locator(".navbar .navbar-nav:not(.navbar-right) li.dropdown > a.dropdown-toggle").first
    toggle.click()
    menu = page.locator(".navbar .navbar-nav:not(.navbar-right) li.dropdown.open > .dropdown-menu")
    menu.wait_for(state="visible")


@pytest.mark.parametrize("username", ROLE_ACCOUNTS)
def test_no_csp_violation_on_any_page_of_any_role(live_server, client_for, watched_page, csp_watch,
                                                  figures, username):  # noqa: F811
    page = watched_page
    paths = list(role_pages(client_for(username)))
    assert len(paths) >= 4, f"{username}: too few pages: {paths}"
    login(page, live_server, username)
    _dropdown_opens(page)
    charts = 0
    for path in paths:
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == 200, f"{username} {path}: {response and response.status}"
        assert_strict(response.headers["content-security-policy"], f"{username} {path}")
        _settle(page)
        panels, drawn, with_traces = _charts_drawn(page)
        assert drawn == panels, f"{username} {path}: {panels - drawn} of {panels} charts not drawn"
        charts += with_traces
        assert_no_violation(csp_watch, f"{username} {path}")
    if username in ("leader", "reviewer", "dongcheng_filler"):
        assert charts >= 7, f"{username}: the walk drew only {charts} charts with data"


def test_fab_delete_asks_for_confirmation_and_deletes(live_server, app, watched_page, csp_watch):
    """FAB's list delete button (an inline script with the nonce, AdminActions from ab_actions.js)
    opens the confirm dialog; OK deletes the row."""
    from app.models import FormAssignment, Unit

    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "0100"))
        row = FormAssignment(unit_id=unit.id, form_code="penalty", required=False)
        db.session.add(row)
        db.session.commit()
        pk = row.id
    page = watched_page
    login(page, live_server, "admin")
    page.goto(live_server.url("/formassignmentview/list/"))
    _settle(page)
    page.click(f"[id='btn-delete-/formassignmentview/delete/{pk}']")
    dialog = page.locator("#modal-confirm")
    dialog.wait_for(state="visible")
    with page.expect_navigation():
        page.click("#modal-confirm-ok")
    with app.app_context():
        assert db.session.get(FormAssignment, pk) is None, "OK in the confirm dialog did not delete"
    assert_no_violation(csp_watch, "delete")


def test_language_switch_works(live_server, watched_page, csp_watch):
    page = watched_page
    login(page, live_server, "dongcheng_filler")
    page.click("#language-menu > a.dropdown-toggle")
    english = page.locator(".navbar-right .dropdown-menu a[href*='/lang/en']")
    english.wait_for(state="visible")
    with page.expect_navigation():
        english.click()
    assert page.get_attribute("html", "lang") == "en"
    assert "Penalties" in page.inner_text(".navbar") and "行政处罚" not in page.inner_text(".navbar")
    page.click("#language-menu > a.dropdown-toggle")
    with page.expect_navigation():
        page.click(".navbar-right .dropdown-menu a[href*='/lang/zh']")
    assert page.get_attribute("html", "lang") == "zh-CN" and "行政处罚" in page.inner_text(".navbar")
    assert_no_violation(csp_watch, "language switch")


def test_portal_listeners_run(live_server, watched_page, csp_watch, figures):  # noqa: F811
    """static/js/portal.js, in place of the inline script and onclick= the pages had: the notice
    form shows the unit list for 指定单位, and the analysis page's print button prints."""
    page = watched_page
    login(page, live_server, "reviewer")
    page.goto(live_server.url("/notices/new"))
    units, kinds = page.locator("#audience-units"), page.locator("#audience-kinds")
    assert not units.is_visible() and not kinds.is_visible()
    page.check("input[name=audience][value=units]")
    assert units.is_visible() and not kinds.is_visible()
    page.check("input[name=audience][value=kinds]")
    assert kinds.is_visible() and not units.is_visible()

    page.goto(live_server.url("/reports/analysis?period=2024"))
    page.click("[data-print]")
    assert page.get_attribute("html", "data-printed") == "1", "the print button did not call window.print()"
    assert_no_violation(csp_watch, "portal.js")


def test_plotly_draws_webgl_without_eval(live_server, watched_page, csp_watch):
    """The page refuses eval (no 'unsafe-eval'), and plotly.js still draws — also a WebGL trace,
    the one place where plotly's ordinary build compiles code from strings (regl's shaders);
    its strict build ships them precompiled. Both run from a click listener, as the page's own
    code: Playwright's evaluate() itself may compile strings whatever the policy."""
    page = watched_page
    login(page, live_server, "leader")
    page.goto(live_server.url("/dashboard/"))
    _settle(page)
    page.evaluate("""() => {
        const el = document.createElement('div');
        el.id = 'gl-probe'; el.style.width = '400px'; el.style.height = '300px';
        const probe = document.createElement('button');
        probe.id = 'eval-probe'; probe.textContent = 'eval';
        const draw = document.createElement('button');
        draw.id = 'gl-draw'; draw.textContent = 'draw';
        document.body.prepend(probe, draw, el);
        probe.addEventListener('click', () => {
            try { Function('return 1')(); probe.dataset.outcome = 'ran'; } catch (e) { probe.dataset.outcome = e.name; }
        });
        draw.addEventListener('click', () => {
            Plotly.newPlot(el, [{type: 'scattergl', mode: 'markers', x: [1, 2, 3], y: [2, 1, 3]}])
                .then(() => { draw.dataset.outcome = el.querySelector('canvas') ? 'drawn' : 'no canvas'; },
                      (e) => { draw.dataset.outcome = 'error: ' + e; });
        });
    }""")
    page.click("#eval-probe")
    assert page.get_attribute("#eval-probe", "data-outcome") == "EvalError", "the page may compile code from strings"
    _settle(page)
    csp_watch["violations"].clear()  # the probe's own violation
    csp_watch["console"].clear()
    page.click("#gl-draw")
    page.wait_for_selector("#gl-draw[data-outcome]")
    _settle(page)
    assert page.get_attribute("#gl-draw", "data-outcome") == "drawn"
    assert_no_violation(csp_watch, "plotly WebGL")
