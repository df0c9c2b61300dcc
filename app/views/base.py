"""Pieces shared by the portal's FAB views."""

from flask import abort, request
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
