"""Session policies: sessions that end (server-side epoch), idle timeout, the first-login
password change, and audited logouts.

The session cookie is signed but kept by the browser, so ending a session needs a server-side
check: each session remembers its account's ``session_epoch`` at sign-in, and a request whose
epoch is not the account's current one is signed out. Logout, a password change or reset,
deactivation and lockout move the epoch on (app.security.end_sessions, app.duties), which ends
every session — and every JWT, which carries the same epoch — of that account.
"""

from __future__ import annotations

import time

from flask import Flask, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_in, user_logged_out

# Endpoints a user who must change the password may still reach.
_ALLOWED_WHILE_CHANGING = ("ResetMyPasswordView.", "AuthDBView.", "static", "appbuilder.static",
                           "LocaleView.", "favicon")


def _audit_logout(sender, user) -> None:
    """Logout ends every session and token of the account (a copied cookie dies with it)."""
    from .audit import record
    from .extensions import db
    from .security import end_sessions

    if g.pop("_session_expired", False):  # this session alone ended (idle, or ended elsewhere)
        return
    if getattr(user, "id", None):
        end_sessions(user)
        record("logout", "user", user.id, {"username": user.username}, user=user)
        db.session.commit()


def _remember_epoch(sender, user) -> None:
    session["_epoch"] = getattr(user, "session_epoch", 0) or 0


def register_session_policies(app: Flask) -> None:
    """Attach the idle timeout and first-login password change to every request."""
    user_logged_out.connect(_audit_logout, app)
    user_logged_in.connect(_remember_epoch, app)

    @app.before_request
    def _ended_elsewhere():
        if not current_user.is_authenticated or request.path.startswith("/api/"):
            return None
        if session.get("_epoch") == (getattr(current_user, "session_epoch", 0) or 0):
            return None
        locale = session.get("locale")
        g._session_expired = True
        logout_user()
        session.clear()
        if locale:
            session["locale"] = locale
        flash(_("您的登录已结束（已退出、密码已修改或账号已停用），请重新登录"), "warning")
        return redirect(url_for(app.appbuilder.sm.auth_view.endpoint + ".login"))

    @app.before_request
    def _idle_timeout():
        if request.path.startswith("/api/") or not current_user.is_authenticated:
            return None
        now = int(time.time())
        last = session.get("_last_seen")
        limit = app.config.get("IDLE_TIMEOUT_MINUTES", 30) * 60
        if last is not None and now - last > limit:
            from .audit import record
            from .extensions import db

            record("session.timeout", "user", current_user.id, {"idle_seconds": now - last})
            db.session.commit()
            locale = session.get("locale")  # the language chosen (/lang/en) outlives the session
            g._session_expired = True
            logout_user()
            session.clear()
            if locale:
                session["locale"] = locale
            flash(_("超过%(minutes)s分钟未操作，已自动退出，请重新登录", minutes=limit // 60), "warning")
            return redirect(url_for(app.appbuilder.sm.auth_view.endpoint + ".login"))
        session["_last_seen"] = now
        return None

    @app.before_request
    def _must_change_password():
        if request.path.startswith("/api/") or not current_user.is_authenticated:
            return None
        if not getattr(current_user, "must_change_password", False):
            return None
        endpoint = request.endpoint or ""
        if endpoint.startswith(_ALLOWED_WHILE_CHANGING):
            return None
        flash(_("首次登录或密码被重置后，请先修改密码"), "warning")
        return redirect(url_for("ResetMyPasswordView.this_form_get"))
