"""Request-wide hooks: security headers, template filters and globals, the page's language, the
favicon. (Error pages and JSON errors: app.errors.)"""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from flask import Flask, g, has_request_context, send_from_directory
from jinja2 import BaseLoader
from markupsafe import Markup, escape

from .clock import _zone
from .forms.base import format_rate
from .i18n import html_lang, period_label, sub_period_label
from .people import full_name, person
from .reporting.compare import format_pct, pct_change
from .reporting.formatting import TEMPLATE_FILTERS as REPORT_FILTERS

# Everything is served by the portal itself: no third-party origin anywhere. Scripts run only
# from the portal's files or from an inline <script> carrying this response's nonce (FAB's
# templates print it through baselib.get_nonce(), which calls the csp_nonce() global): the script
# directive grants neither inline code nor eval (plotly.js is its eval-free "strict" build,
# app/charts/assets.py), and inline event handlers are refused (script-src-attr 'none';
# tests/test_csp.py asserts all three on every page).
# The style directive alone allows inline styles: plotly.js writes style attributes and <style>
# rules at run time, and FAB's templates and ours carry style="…" attributes; CSS cannot run code.
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; script-src-attr 'none'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def csp_nonce() -> str:
    """This response's script nonce (a Jinja global: ``<script nonce="{{ csp_nonce() }}">``).
    Fresh for every request, 128 random bits; the Content-Security-Policy header names it."""
    if not has_request_context():
        return ""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy() -> str:
    """The Content-Security-Policy header of the current response."""
    return CSP.format(nonce=csp_nonce())


def _localtime(value) -> str:
    if value is None:
        return ""
    import datetime as dt

    return value.replace(tzinfo=dt.UTC).astimezone(_zone()).strftime("%Y-%m-%d %H:%M")


def display(value):
    """A plain value as the Chinese interface shows it: 是/否 for booleans, nothing for None (FAB's
    list and show widgets print every value without a formatter through this filter)."""
    from flask_babel import gettext

    if value is None:
        return ""
    if value is True or value is False:
        return gettext("是") if value else gettext("否")
    return value


def _query_with(args, **changes) -> str:
    merged = {k: v for k, v in args.items()}
    merged.update({k: v for k, v in changes.items()})
    return urlencode(merged)


# FAB's appbuilder/init.html, which every page extends (through portal/base.html), opens the page
# with a bare <html> outside any block, so no template of ours can give it a lang attribute.
_PLAIN_HTML_TAG = "<html>"
_LANG_HTML_TAG = '<html lang="{{ html_lang() }}">'


class HtmlLangLoader(BaseLoader):
    """The app's template loader, with FAB's page skeleton served with ``<html lang="…">`` (zh-CN or
    en, from the current locale): screen readers, the browser's translation offer and hyphenation
    need it. Only appbuilder/init.html is changed, and only that tag (tests/test_i18n_messages.py
    fails if FAB's skeleton no longer has it)."""

    TEMPLATE = "appbuilder/init.html"

    def __init__(self, inner: BaseLoader) -> None:
        self.inner = inner

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template == self.TEMPLATE:
            source = source.replace(_PLAIN_HTML_TAG, _LANG_HTML_TAG, 1)
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()


def _favicon():
    """Browsers ask for /favicon.ico whatever the page says: the portal's own icon (static/)."""
    from flask import current_app

    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/x-icon",
                               max_age=7 * 24 * 3600)


def _may(permission: str, view: str) -> bool:
    """Templates: whether the signed-in user holds `permission` on `view` (app.security.has_perm)."""
    from flask_login import current_user

    from .security import has_perm

    return current_user.is_authenticated and has_perm(current_user, permission, view)


MENUS_MAX = 64  # menus kept per app: one per set of permissions, language and mount point


def _menu_html():
    """The navigation menu (appbuilder/navbar_menu.html), rendered once per set of permissions,
    language and mount point and kept on the app: FAB asks for every item's visibility and
    translates every label on every page (≈ 3 ms of each request). The menu is registered at
    start-up; what it shows a user follows only from the user's permissions (app.security
    answers FAB's menu_access checks from them), so a change of roles is another key, never a
    stale menu. Signed-out pages render it as FAB does."""
    from flask import current_app, render_template, request
    from flask_babel import get_locale
    from flask_login import current_user

    from .security import user_permissions

    menu = current_app.appbuilder.menu
    if not current_user.is_authenticated:
        return Markup(render_template("appbuilder/navbar_menu.html", menu=menu))
    kept = current_app.extensions.setdefault("portal_menus", {})
    key = (user_permissions(current_user), str(get_locale()), request.script_root)
    html = kept.get(key)
    if html is None:
        if len(kept) >= MENUS_MAX:
            kept.clear()
        html = kept[key] = Markup(render_template("appbuilder/navbar_menu.html", menu=menu))
    return html


def unit_options(units, selected) -> Markup:
    """<option>s of a unit select (500 units and more) in one pass: `selected` is the chosen id
    or ids (as the request gives them: text or int). A template loop costs ~10 ms here, most of it
    reading request.args through its proxy once per unit."""
    chosen = {str(s) for s in selected} if isinstance(selected, list | set | frozenset | tuple) else {
        str(selected) if selected not in (None, "") else None}
    return Markup("".join(
        f'<option value="{int(u.id)}"{" selected" if str(u.id) in chosen else ""}>{escape(u.short_name)}</option>'
        for u in units))


def register_web_hooks(app: Flask) -> None:
    """Attach headers, filters, template globals, the page language and the favicon to the app."""
    app.jinja_env.loader = HtmlLangLoader(app.jinja_env.loader)
    app.jinja_env.globals["html_lang"] = html_lang
    from .demo import DEMO_PASSWORD
    from .demo.summary import demo_accounts

    app.jinja_env.globals.update(demo_accounts=demo_accounts, demo_password=DEMO_PASSWORD)  # the login page
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.globals["may"] = _may  # a link only where its user may open the page
    app.jinja_env.globals["portal_menu"] = _menu_html  # the navigation menu, rendered once per role set
    app.jinja_env.globals["unit_options"] = unit_options
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters["rate"] = format_rate
    app.jinja_env.filters["query_with"] = _query_with
    app.jinja_env.filters["pct_change"] = lambda current, base: format_pct(pct_change(current, base))
    app.jinja_env.filters.update(REPORT_FILTERS)  # count, money, points, pct_signed, pct_plain
    app.jinja_env.filters["period_label"] = period_label  # a Period in the current language
    app.jinja_env.filters["sub_period_label"] = sub_period_label
    app.jinja_env.filters["person"] = person  # 姓名（单位） of an account or a login name
    app.jinja_env.filters["full_name"] = full_name
    app.jinja_env.filters["display"] = display  # 是/否, None → blank

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", content_security_policy())
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp
