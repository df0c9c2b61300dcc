"""The navigation menu is rendered once per set of permissions, language and mount point (issue
20: FAB checks every item and translates every label on every page), and follows a change of
roles at once: a role set is its key, so a changed one is never served the old menu."""

from __future__ import annotations

import flask

from app.extensions import db
from tests.engine_helpers import user

MENU = "appbuilder/navbar_menu.html"
ITEM = 'href="/dashboard/"'  # 数据看板 in the 统计分析 menu


def _menu(page: str) -> str:
    return page[page.index('<ul class="nav navbar-nav">'):page.index("navbar-right")]


def test_the_menu_is_rendered_once_per_role_set_and_a_change_of_roles_shows_at_once(app, client_for, monkeypatch):
    leader, filler = client_for("leader"), client_for("dongcheng_filler")
    renders = []
    real = flask.render_template
    monkeypatch.setattr(flask, "render_template", lambda name, **kw: renders.append(name) or real(name, **kw))
    app.extensions.pop("portal_menus", None)
    first = _menu(leader.get("/reports/").get_data(as_text=True))
    again = _menu(leader.get("/timeliness/").get_data(as_text=True))
    assert renders.count(MENU) == 1 and again == first and ITEM in first  # the second page: the kept menu
    other = _menu(filler.get("/reports/").get_data(as_text=True))  # another role set: its own menu
    assert renders.count(MENU) == 2 and other != first
    leader.get("/lang/en", headers={"Referer": "/"})
    english = _menu(leader.get("/reports/").get_data(as_text=True))  # another language: its own menu
    assert renders.count(MENU) == 3 and "Dashboard" in english
    leader.get("/lang/zh", headers={"Referer": "/"})
    sm = app.appbuilder.sm
    with app.app_context():
        sm.del_permission_role(user("leader").roles[0], sm.find_permission_view_menu("menu_access", "数据看板"))
        db.session.commit()
    try:
        assert ITEM not in _menu(leader.get("/reports/").get_data(as_text=True))  # at once, not the kept one
    finally:
        with app.app_context():
            sm.add_permission_role(user("leader").roles[0], sm.find_permission_view_menu("menu_access", "数据看板"))
            db.session.commit()
    assert _menu(leader.get("/reports/").get_data(as_text=True)) == first
