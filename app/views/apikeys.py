"""API keys for the leaders' decision system: created for a service account, shown once, revocable.

A key acts as its account: the account's role gives its permissions, its unit its scope
(a 领导 account without a unit restriction reads the whole city, read-only).
"""

from __future__ import annotations

import datetime as dt

from flask import abort, current_app, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..models.user import PortalUser


class ApiKeysView(BaseView):
    """Administrators list, create and revoke API keys."""

    route_base = "/apikeys"
    class_permission_name = "ApiKeys"
    method_permission_name = {"index": "read", "create": "write", "revoke": "write"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        sm = current_app.appbuilder.sm
        keys = db.session.scalars(select(sm.api_key_model).order_by(sm.api_key_model.id.desc())).all()
        users = db.session.scalars(select(PortalUser).where(PortalUser.active.is_(True))
                                   .order_by(PortalUser.username)).all()
        return self.render_template("portal/apikeys.html", keys=keys, users=users, new_key=None)

    @expose("/create", methods=["POST"])
    @has_access
    def create(self):
        sm = current_app.appbuilder.sm
        name = (request.form.get("name") or "").strip()
        user = db.session.get(PortalUser, int(request.form.get("user_id", "0") or 0))
        try:
            days = int(request.form.get("days") or 365)
        except ValueError:
            days = 0
        if not name or user is None or not 1 <= days <= 3650:
            flash(_("请填写「名称」、选择「账号」，「有效天数」为 1–3650"), "danger")
            return redirect(url_for("ApiKeysView.index"))
        info = sm.create_api_key(user, name, expires_on=dt.datetime.now() + dt.timedelta(days=days))
        record("apikey.create", "api_key", None, {"name": name, "user": user.username, "uuid": info["uuid"]})
        db.session.commit()
        keys = db.session.scalars(select(sm.api_key_model).order_by(sm.api_key_model.id.desc())).all()
        users = db.session.scalars(select(PortalUser).where(PortalUser.active.is_(True))).all()
        # The raw key is shown this once and never stored.
        return self.render_template("portal/apikeys.html", keys=keys, users=users, new_key=info["key"])

    @expose("/<uuid>/revoke", methods=["POST"])
    @has_access
    def revoke(self, uuid):
        sm = current_app.appbuilder.sm
        if sm.get_api_key_by_uuid(uuid) is None:
            abort(404)
        sm.revoke_api_key(uuid)
        record("apikey.revoke", "api_key", None, {"uuid": uuid})
        db.session.commit()
        flash(_("已吊销该密钥"), "success")
        return redirect(url_for("ApiKeysView.index"))
