"""i18n: Chinese by default, English selectable (FAB's /lang/<locale>), FAB's missing Chinese strings
filled by our zh catalog, every msgid of ours translated into English, and the committed .mo files
compiled from the committed .po files."""

from __future__ import annotations

import html as htmllib
import io
import re
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from tests.helpers import login

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]")
NAVBAR = re.compile(r'<div class="navbar.*?</header>', re.S)
TAGS = re.compile(r"<[^>]+>")


def _po(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


def _navbar(html: str) -> str:
    m = NAVBAR.search(html)
    assert m, "no navbar on the page"
    return m.group(0)


def _text(html: str) -> str:
    return " ".join(htmllib.unescape(TAGS.sub(" ", html)).split())


def _foreign_free(navbar_html: str, username: str, app) -> str:
    """The navbar's text without what is data, not UI: the user's own name and the language names
    (each language is named in itself: 中文 / English)."""
    from app.extensions import db
    from app.models import PortalUser
    from app.people import full_name

    with app.app_context():
        user = db.session.query(PortalUser).filter_by(username=username).one()
        name = full_name(user)  # the navbar names the account by its 姓名 (app.people)
    text = _text(navbar_html).replace(name, "")
    for lang in app.config["LANGUAGES"].values():
        text = text.replace(lang["name"], "")
    return text


def _english(client):
    r = client.get("/lang/en", headers={"Referer": "/"})
    assert r.status_code == 302
    return client


# --- pages -------------------------------------------------------------------------------------------

def test_login_page_is_chinese_by_default(app):
    html = app.test_client().get("/login/").get_data(as_text=True)
    assert "<title>法制统计</title>" in html
    assert "登录" in html  # FAB's "Sign In", through FAB's zh catalog
    assert "Sign In" not in _text(html)


def test_filler_pages_are_chinese_by_default(client_for):
    c = client_for("dongcheng_filler")
    home = c.get("/").get_data(as_text=True)
    assert "本期应报" in home and "最近的报表" in home
    nav = _text(_navbar(home))
    assert "行政处罚报表" in nav and "人员名册" in nav and "通知公告" in nav
    listing = c.get("/filings/penalty/").get_data(as_text=True)
    assert "行政处罚 · 行政处罚情况统计表" in listing
    for header in ("报告期", "单位", "状态", "版本", "更新时间"):
        assert f"<th>{header}</th>" in listing
    assert "开始填报" in listing and "全部年度" in listing


def test_english_after_switching_and_back(app, client_for):
    c = _english(client_for("dongcheng_filler"))
    listing = c.get("/filings/penalty/").get_data(as_text=True)
    nav = _navbar(listing)
    nav_text = _text(nav)
    # The menus: categories and entries, the brand, FAB's user menu.
    for label in ("Penalties", "Penalty filings", "Correction requests", "Institutions & Staff", "Staff register",
                  "Notices", "Statistics", "Legal Affairs Statistics", "Profile", "Logout"):
        assert label in nav_text, f"{label!r} not in the navbar: {nav_text}"
    leftover = CJK.findall(_foreign_free(nav, "dongcheng_filler", app))
    assert not leftover, f"Chinese left in the English navbar: {leftover}"
    # The filing list's chrome.
    assert "<title>Legal Affairs Statistics</title>" in listing
    assert "Penalties · Administrative Penalty Statistics" in listing
    for header in ("Reporting period", "Unit", "Status", "Revision", "Updated at"):
        assert f"<th>{header}</th>" in listing
    for text in ("Start", "All years", "All statuses", "Filter", "Excel import"):
        assert text in listing
    home = c.get("/").get_data(as_text=True)
    assert "Due now" in home and "Recent filings" in home and "本期应报" not in home
    # And back.
    assert c.get("/lang/zh", headers={"Referer": "/"}).status_code == 302
    listing = c.get("/filings/penalty/").get_data(as_text=True)
    assert "<th>报告期</th>" in listing and "行政处罚报表" in _text(_navbar(listing))
    assert "Reporting period" not in listing and "Penalty filings" not in listing


def test_english_reporting_periods_and_states(app, client_for):
    from tests.helpers import post_form

    c = client_for("dongcheng_filler")
    r = post_form(c, "/filings/penalty/open", {"period": "2026Q1"}, "/filings/penalty/")
    assert r.status_code == 302
    fid = int(r.headers["Location"].rstrip("/").split("/")[-2])
    _english(c)
    show = c.get(f"/filings/{fid}").get_data(as_text=True)
    assert "Q1 2026" in show and "2026年第1季度" not in show
    assert '<strong id="state">Draft</strong>' in show
    assert "Submit for unit approval" in show and "History" in show
    listing = c.get("/filings/penalty/").get_data(as_text=True)
    assert ">Draft</span>" in listing and "Q1 2026" in listing


def test_english_staff_register_titles_and_labels(client_for):
    c = _english(client_for("dongcheng_filler"))
    html = c.get("/staff/list/").get_data(as_text=True)
    assert "Staff register" in html and "List Staff Member" not in html
    form = c.get("/staff/add").get_data(as_text=True)
    assert "Add staff member" in form and "Add Staff Member" not in form
    for label in ("Citizen ID", "Education", "Law graduate", "Passed the national legal qualification exam"):
        assert label in form


def test_chinese_staff_register_titles(client_for):
    html = client_for("dongcheng_filler").get("/staff/list/").get_data(as_text=True)
    assert "人员名册" in html and "List Staff Member" not in html


def test_fab_strings_missing_from_fabs_catalog_are_chinese(client_for):
    """FAB's zh catalog has no "List Groups", no "Edit"/"Show" button texts, and FAB prints its confirm
    dialog's Cancel/OK as they are: our zh catalog (and template override) fills them."""
    html = client_for("security_admin").get("/users/list/").get_data(as_text=True)
    assert "用户组列表" in _text(_navbar(html)) and "List Groups" not in html
    assert '<span class="sr-only">编辑</span>' in html and '<span class="sr-only">Edit</span>' not in html
    assert 'data-dismiss="modal">取消</button>' in html and ">Cancel<" not in html
    # FAB's own column labels (our user view adds 所属单位 to them), and the user menu.
    assert "用户名" in html and "所属单位" in html and "Username" not in _text(html)
    assert "用户信息" in _text(_navbar(html))


@pytest.mark.parametrize("username", ["dongcheng_filler", "dongcheng_approver", "reviewer", "leader", "admin",
                                      "security_admin", "audit_admin"])
def test_every_menu_page_renders_in_english(client_for, username):
    """A translation can break a page (a stray %, a bad placeholder): open every menu entry in English."""
    c = _english(client_for(username))
    nav = _navbar(c.get("/").get_data(as_text=True))
    links = {h for h in re.findall(r'href="(/[^"#]*)"', nav) if not h.startswith(("/lang/", "/logout"))}
    assert links
    for href in sorted(links):
        r = c.get(href)
        assert r.status_code < 500, f"{username}: {href} → {r.status_code}"


def test_switch_needs_no_login_and_anonymous_login_page_turns_english(app):
    c = app.test_client()
    _english(c)
    html = c.get("/login/").get_data(as_text=True)
    assert "<title>Legal Affairs Statistics</title>" in html and "Sign In" in html


def test_switch_keeps_an_account_english_after_logging_in(app):
    c = _english(app.test_client())
    login(c, "gongan_filler")
    assert "Due now" in c.get("/").get_data(as_text=True)


# --- catalogs ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("locale", ["en", "zh"])
def test_every_msgid_is_translated(locale):
    catalog = _po(locale)
    assert len(catalog) > 0
    untranslated = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
    assert not untranslated, f"{locale}: untranslated or fuzzy: {untranslated[:20]}"
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems, f"{locale}: placeholders differ: {problems[:10]}"


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_no_stray_percent_signs(locale):
    """Templates always %-format a translation (Jinja's newstyle gettext), even without variables:
    a bare % (e.g. "Change (%)") raises ValueError on the page. Placeholders are %(name)s."""
    stray = [(m.id, m.string) for m in _po(locale)
             if m.id and "%" in re.sub(r"%\([a-z_]+\)[sd]|%%", "", m.string)]
    assert not stray, stray


def test_english_translations_are_english():
    leftover = [(m.id, m.string) for m in _po("en") if m.id and CJK.search(m.string)]
    assert not leftover, leftover[:20]


def test_zh_catalog_only_fills_fab_strings():
    """zh translates English msgids (FAB's, and FAB's words in our overrides) into Chinese; our Chinese
    msgids need no zh entry."""
    for m in _po("zh"):
        if m.id:
            assert not CJK.search(m.id), m.id
            assert CJK.search(m.string), (m.id, m.string)


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_mo_files_are_compiled_from_the_po_files(locale):
    buf = io.BytesIO()
    write_mo(buf, _po(locale))
    buf.seek(0)
    fresh = {m.id: m.string for m in read_mo(buf)}
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        committed = {m.id: m.string for m in read_mo(fh)}
    assert committed == fresh, f"{locale}: messages.mo is stale; run scripts/i18n.sh"


def test_the_engine_and_form_labels_shown_on_pages_are_in_english():
    """Pages show these app/filing and app/forms labels with _(…) (app/i18n.py declares them)."""
    from app.filing.corrections import CORRECTION_STATES
    from app.filing.timeliness import STATUS_LABELS
    from app.filing.workflow import ACTIONS, STATES
    from app.forms import FORMS

    translated = {m.id for m in _po("en") if m.id and m.string}
    labels = [*STATES.values(), *(a.label for a in ACTIONS.values()), *CORRECTION_STATES.values(),
              *STATUS_LABELS.values(), *(s.menu_title for s in FORMS.values()), *(s.title for s in FORMS.values()),
              *(f"{s.menu_title}报表" for s in FORMS.values())]  # the menu entries (app/views/__init__.py)
    missing = [label for label in labels if label not in translated]
    assert not missing, f"declare these in app/i18n.py and run scripts/i18n.sh: {missing}"


def test_the_en_catalog_covers_every_string_in_the_sources():
    """What `pybabel extract` finds in app/ (babel.cfg) is all in the en catalog: run scripts/i18n.sh
    and translate the new entries after adding strings."""
    from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg") as fh:
        method_map, options_map = parse_mapping_cfg(fh)
    keywords = dict(DEFAULT_KEYWORDS, lazy_gettext=None, _l=None, lazy_pgettext=((1, "c"), 2))
    found = {(msg if isinstance(msg, str) else msg[0], ctx)
             for _f, _l, msg, _c, ctx in extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords)}
    catalog = {(m.id, m.context) for m in _po("en")}
    missing = sorted(m for m in found if m[0] and m not in catalog)
    assert not missing, f"not in app/translations/en (run scripts/i18n.sh): {missing[:20]}"
