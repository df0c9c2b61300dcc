"""Pieces shared by the portal's FAB views."""

from flask import abort, g, request
from flask_appbuilder import expose


class KnownActionsOnly:
    """FAB's ``/action/<name>/<pk>`` and ``/action_post`` carry no ``@has_access`` and look the
    action up with ``self.actions.get(name).func``: an unknown name (these views declare no
    actions) raised AttributeError → HTTP 500 for anyone, even anonymous. Answer 404 for an
    unknown action; a known one still goes through FAB's own permission check.
    (Scope/security fix found by tests/test_scope.py::test_modelview_actions_refused.)"""

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions:
            abort(404)
        return super().action(name, pk)

    @expose("/action_post", methods=["POST"])
    def action_post(self):
        if request.form.get("action") not in self.actions:
            abort(404)
        return super().action_post()


def _plain(value):
    """A column value as the audit row keeps it (JSON: dates as text)."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


class AuditedModelView:
    """FAB ModelView hooks writing every add, edit and delete to the audit log: the new row, the
    changed columns as [old, new], or the deleted row. Declare `audit_object` (the object type
    and the action prefix, e.g. "unit" → unit.create / unit.update / unit.delete) and
    `audit_columns` (the columns kept)."""

    audit_object: str = ""
    audit_type: str = ""  # the audit row's object type, when it differs from audit_object
    audit_columns: tuple[str, ...] = ()

    def _row(self, item) -> dict:
        return {c: _plain(getattr(item, c)) for c in self.audit_columns}

    def _audit(self, action: str, item, detail: dict) -> None:
        from ..audit import record
        from ..extensions import db

        record(f"{self.audit_object}.{action}", self.audit_type or self.audit_object, item.id, detail)
        db.session.commit()

    def process_form(self, form, is_created):
        # FAB calls this on an edit after validation and before it applies the form to the row:
        # the last moment the row still holds its old values (form._id is the row's key).
        if not is_created:
            from ..extensions import db

            item = db.session.get(self.datamodel.obj, getattr(form, "_id", None))
            g.audit_before = self._row(item) if item is not None else {}
        super().process_form(form, is_created)

    def post_add(self, item):
        self._audit("create", item, self._row(item))

    def post_update(self, item):
        before, after = g.pop("audit_before", {}), self._row(item)
        changes = {c: [before.get(c), value] for c, value in after.items() if before.get(c) != value}
        self._audit("update", item, {"changes": changes})

    def pre_delete(self, item):
        g.audit_deleted = self._row(item)
        super().pre_delete(item)

    def post_delete(self, item):
        self._audit("delete", item, g.pop("audit_deleted", {}))
