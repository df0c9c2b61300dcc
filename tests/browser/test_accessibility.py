"""Issue 18, accessibility: axe-core's WCAG 2.1 AA rules (tags wcag2a, wcag2aa, wcag21a, wcag21aa)
find nothing — of any impact — on the main pages of every role, in Debian's headless Chromium.

axe-core comes from npm, pinned in tests/browser/axe/package.json and package-lock.json;
scripts/test.sh installs it (`npm ci`) when node_modules is missing. The portal's CSP refuses
inline scripts, so the library is not added as a <script> tag: Playwright's evaluate() runs its
source through the DevTools protocol, which the page's policy does not govern (see
test_axe_is_injected_under_the_strict_csp).

PAGES is the list to extend: (demo account, path), with {draft}, {filing}, {notice}, {staff},
{case} filled in from the rows the `seeded` fixture makes. A failure names the rule, the page
and the element (its CSS selector and HTML), one line each.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import delete, select

from app.extensions import db
from tests.browser.test_browser import login
from tests.test_reporting_pages import figures  # noqa: F401  (a fixture: both units' figures 2023–2024)

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# The main pages of every role: (demo account, path). The unit roles' accounts are 东城区's; the
# city roles, and the three administrators, are 市司法局's.
PAGES = [
    # 填报员: home, the filing list, a draft's edit form and a filing's page, its statistics
    ("dongcheng_filler", "/"),
    ("dongcheng_filler", "/filings/penalty/"),
    ("dongcheng_filler", "/filings/{draft}/edit"),
    ("dongcheng_filler", "/filings/{filing}"),
    ("dongcheng_filler", "/filings/corrections/"),
    ("dongcheng_filler", "/dashboard/"),
    ("dongcheng_filler", "/staff/list/"),
    ("dongcheng_filler", "/staff/show/{staff}"),
    ("dongcheng_filler", "/staffstats/"),
    ("dongcheng_filler", "/cases/recon/"),
    ("dongcheng_filler", "/cases/recon/{case}"),
    ("dongcheng_filler", "/cases/recon/add"),
    ("dongcheng_filler", "/notices/"),
    ("dongcheng_filler", "/notices/{notice}"),
    ("dongcheng_filler", "/feedback/"),
    ("dongcheng_filler", "/filings/penalty/import"),
    ("dongcheng_filler", "/cases/recon/hotspots"),
    ("dongcheng_filler", "/cases/litigation/"),
    ("dongcheng_filler", "/normative/"),
    ("dongcheng_filler", "/info/"),
    # 单位审核人
    ("dongcheng_approver", "/"),
    ("dongcheng_approver", "/filings/penalty/"),
    ("dongcheng_approver", "/filings/{filing}"),
    ("dongcheng_approver", "/filings/corrections/"),
    ("dongcheng_approver", "/dashboard/"),
    # 市级审核员
    ("reviewer", "/"),
    ("reviewer", "/filings/penalty/"),
    ("reviewer", "/filings/{filing}"),
    ("reviewer", "/timeliness/"),
    ("reviewer", "/timeliness/overdue"),
    ("reviewer", "/reports/"),
    ("reviewer", "/notices/"),
    ("reviewer", "/notices/new"),
    ("reviewer", "/assessment/"),
    ("reviewer", "/normative/stats"),
    ("reviewer", "/info/ranking"),
    # 领导
    ("leader", "/"),
    ("leader", "/dashboard/"),
    ("leader", "/reports/"),
    ("leader", "/reports/penalty/?from=2024"),
    ("leader", "/reports/penalty/compare?period=2024"),
    ("leader", "/reports/reconsideration/trend"),
    ("leader", "/staffstats/"),
    ("leader", "/timeliness/"),
    ("leader", "/timeliness/scores"),
    ("leader", "/reports/penalty/sources?period=2024Q4"),
    ("leader", "/reports/penalty/compare?period=2024&compare=all"),
    # 系统管理员
    ("admin", "/"),
    ("admin", "/unitmodelview/list/"),
    ("admin", "/formassignmentview/list/"),
    ("admin", "/users/list/"),
    ("admin", "/users/add"),
    ("admin", "/users/userinfo/"),
    ("admin", "/apikeys/"),
    # 安全管理员, 审计管理员
    ("security_admin", "/"),
    ("security_admin", "/users/list/"),
    ("security_admin", "/roles/list/"),
    ("security_admin", "/users/list/?_flt_0_username=dong"),
    ("audit_admin", "/"),
    ("audit_admin", "/auditlogview/list/"),
]
ACCOUNTS = list(dict.fromkeys(account for account, _ in PAGES))


def axe_source() -> str:
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed ({AXE} missing): run `npm ci` in {AXE.parents[2]} "
                    "(bash scripts/test.sh does it)", pytrace=False)
    return AXE.read_text(encoding="utf-8")


def run_axe(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now (every impact)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate("""tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                                       resultTypes: ['violations']})
        .then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.replace(/\\s+/g, ' ').slice(0, 160),
                                      summary: (n.failureSummary || '').replace(/\\s+/g, ' ').slice(0, 200)}))})))""",
                         WCAG_TAGS)


def describe(path: str, violations: list[dict]) -> list[str]:
    """One line per element: rule (impact) · page · selector · html · why."""
    return [f"{v['id']} ({v['impact']}) on {path}: {n['target']}  {n['html']}  — {n['summary']}"
            for v in violations for n in v["nodes"]]


def settle(page) -> None:
    """Every chart drawn and one more frame: axe looks at the page as the user sees it."""
    panels = page.locator(".portal-chart").count()
    if panels:
        page.wait_for_function("n => document.querySelectorAll('.portal-chart svg.main-svg').length >= n",
                               arg=panels)
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")


@pytest.fixture
def seeded(app, client_for, figures):  # noqa: F811
    """A draft (东城区 2026Q3 penalties, opened by its filler), an accepted filing (from `figures`),
    a notice to everyone, a staff member and a reconsideration case of 东城区."""
    from app.cases.recon import create_recon_case
    from app.models import Certificate, Filing, StaffMember, TrainingCourse, TrainingRecord
    from app.models.cases import ReconCase
    from app.models.notice import Notice, NoticeRead, NoticeTarget
    from app.models.staff import StaffSnapshot
    from app.unit_list import unit_by_code
    from tests.case_helpers import case_data, user
    from tests.scope_helpers import open_penalty
    from tests.staff_helpers import person
    from tests.test_notices import publish

    draft = open_penalty(client_for("dongcheng_filler"), "2026Q3")
    notice = publish(client_for("reviewer"), "关于报送2026年第三季度统计数据的通知")
    with app.app_context():
        dongcheng = unit_by_code("0100").id
        filing = db.session.scalar(select(Filing.id).where(Filing.unit_id == dongcheng, Filing.state == "accepted")
                                   .order_by(Filing.id))
        staff = person("0100", "王五").id
        create_recon_case(case_data((dt.date.today() - dt.timedelta(days=3)).isoformat()), user("dongcheng_filler"))
        db.session.commit()
        case = db.session.scalar(select(ReconCase.id))
    yield {"draft": draft, "filing": filing, "notice": notice, "staff": staff, "case": case}
    with app.app_context():
        db.session.rollback()
        for model in (NoticeRead, NoticeTarget, Notice, TrainingRecord, Certificate, TrainingCourse, StaffSnapshot,
                      StaffMember):
            db.session.execute(delete(model))
        db.session.commit()


@pytest.mark.parametrize("account", ACCOUNTS)
def test_main_pages_have_no_axe_violation(live_server, page, seeded, account):
    """Every page of PAGES for this account: 200, then axe-core finds no WCAG 2.1 A/AA violation."""
    login(page, live_server, account)
    found: list[str] = []
    for who, template in PAGES:
        if who != account:
            continue
        path = template.format(**seeded)
        response = page.goto(live_server.url(path))
        assert response is not None and response.status == 200, f"{account} {path}: {response and response.status}"
        settle(page)
        found += describe(path, run_axe(page))
        if path == "/":  # and once with the menus open: the bar's and the user's
            page.locator(".navbar .navbar-nav:not(.navbar-right) a.dropdown-toggle").first.click()
            found += describe("/ (first menu open)", run_axe(page))
            page.locator(".navbar .navbar-right a.dropdown-toggle").last.click()
            found += describe("/ (user menu open)", run_axe(page))
    assert not found, f"{account}: {len(found)} accessibility problems:\n" + "\n".join(found)


def test_login_page_has_no_axe_violation(live_server, page):
    page.goto(live_server.url("/login/"))
    assert not (found := describe("/login/", run_axe(page))), "\n".join(found)


def test_axe_runs_under_the_strict_csp(live_server, page):
    """Why the library goes in through evaluate(): the page's policy refuses an inline <script>
    (what Playwright's add_script_tag writes, from a path or from content), while evaluate() runs
    outside it. The version that runs is the one package.json pins."""
    import json

    from tests.csp_helpers import directives

    response = page.goto(live_server.url("/login/"))
    script_src = directives(response.headers["content-security-policy"])["script-src"]
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, script_src
    try:
        page.add_script_tag(content="window.__inlineRan = true;")
    except Exception:  # noqa: BLE001 - Playwright reports the refused script as an error, or not at all
        pass
    assert page.evaluate("typeof window.__inlineRan") == "undefined", "the CSP let an inline script run"
    assert run_axe(page) == []
    pinned = json.loads((AXE.parents[2] / "package.json").read_text())["dependencies"]["axe-core"]
    assert page.evaluate("axe.version") == pinned
