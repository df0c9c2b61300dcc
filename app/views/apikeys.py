"""API keys page: list, mint (shown once) and revoke. Rules and audit: app.apikeys."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from ..apikeys import KeyRefused, key_owners, manages_all_keys, mint_key, revoke_key, visible_keys
from ..scope import acting_user


class ApiKeysView(BaseView):
    """Every account lists, mints and revokes its own keys; the security administrator also
    those of service accounts."""

    route_base = "/apikeys"
    class_permission_name = "ApiKeys"
    method_permission_name = {"index": "read", "create": "write", "revoke": "write"}
    default_view = "index"

    def _page(self, new_key=None):
        user = acting_user()
        return self.render_template("portal/apikeys.html", keys=visible_keys(user), users=key_owners(user),
                                    all_keys=manages_all_keys(user), new_key=new_key)

    @expose("/")
    @has_access
    def index(self):
        return self._page()

    @expose("/create", methods=["POST"])
    @has_access
    def create(self):
        raw_owner = request.form.get("user_id") or ""
        try:
            days = int(request.form.get("days") or 365)
            owner = int(raw_owner) if raw_owner else None
        except ValueError:
            flash(_("「有效天数」应为 1–3650"), "danger")
            return redirect(url_for("ApiKeysView.index"))
        try:
            key = mint_key(acting_user(), owner, request.form.get("name", ""), days)
        except KeyRefused as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ApiKeysView.index"))
        return self._page(new_key=key)  # the raw key is shown this once and never stored

    @expose("/<uuid>/revoke", methods=["POST"])
    @has_access
    def revoke(self, uuid):
        try:
            revoke_key(acting_user(), uuid)
        except LookupError:
            abort(404)
        except KeyRefused as exc:
            flash(str(exc), "danger")
            return redirect(url_for("ApiKeysView.index"))
        flash(_("已吊销该密钥"), "success")
        return redirect(url_for("ApiKeysView.index"))
