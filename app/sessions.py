"""Session policies: idle timeout, the first-login password change, and audited logouts."""

from __future__ import annotations

import time

from flask import Flask, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user, user_logged_out

# Endpoints a user who must change the password may still reach.
_ALLOWED_WHILE_CHANGING = ("ResetMyPasswordView.", "AuthDBView.", "static", "appbuilder.static",
                           "LocaleView.", "favicon")


def _audit_logout(sender, user) -> None:
    from .audit import record
    from .extensions import db

    if getattr(user, "id", None):
        record("logout", "user", user.id, {"username": user.username}, user=user)
        db.session.commit()


def register_session_policies(app: Flask) -> None:
    """Attach the idle timeout and first-login password change to every request."""
    user_logged_out.connect(_audit_logout, app)

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
