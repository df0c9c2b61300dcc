"""Pieces shared by the portal's FAB views."""

import re

from flask import Flask, abort, current_app, g, request
from flask_appbuilder import expose
from flask_appbuilder.baseviews import BaseCRUDView
from werkzeug.datastructures import ImmutableMultiDict

from ..errors import MAX_ID, is_id_text

# FAB's list arguments, found as flask_appbuilder.urltools finds them (re.findall: anywhere in
# the name, whatever view the name goes on to name). Page numbers and sizes are read with int()
# and a page number goes into OFFSET (PostgreSQL refuses a negative one, SQLite one past 64 bits).
PAGE_ARG = re.compile("page_(.*)")
PSIZE_ARG = re.compile("psize_(.*)")
ORDER_ARG = re.compile("_oc_(.*)")
FILTER_ARG = re.compile(r"_flt_(\d)_(.*)")
SIGNED_INT = re.compile(r"-?[0-9]{1,19}")
MAX_LIST_PAGE = 100_000
MAX_LIST_PAGE_SIZE = 100


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


def _list_views() -> dict[str, BaseCRUDView]:
    """Every FAB list view (ModelView and kin, FAB's own included) by its blueprint's name."""
    views = current_app.extensions.get("portal_list_views")
    if views is None:
        views = {v.blueprint.name: v for v in current_app.appbuilder.baseviews
                 if isinstance(v, BaseCRUDView) and getattr(v, "blueprint", None) is not None}
        current_app.extensions["portal_list_views"] = views
    return views


def _label(view, column: str) -> str:
    return str(view.label_columns.get(column, column))


def _paging(key: str, value: str) -> str:
    """A page number or page size as an integer within range; 400 in Chinese when not one."""
    try:
        number = int(value)
    except ValueError:
        kind = "每页条数" if PSIZE_ARG.search(key) else "页码"
        abort(400, f"「{key}」（{kind}）应为整数，请返回列表重新翻页。")
    if PAGE_ARG.search(key):
        number = min(max(number, 0), MAX_LIST_PAGE)
    if PSIZE_ARG.search(key):
        number = min(max(number, 1), MAX_LIST_PAGE_SIZE)
    return str(number)


def _check_filter(view, index: int, column: str, value: str) -> None:
    """A search filter FAB will apply: a filter the column has, and a value its column can hold
    (FAB indexes the column's filter list blindly and sends numbers to the database unchecked)."""
    filters = getattr(view._filters, "_all_filters", {}).get(column)
    if filters is None:
        return  # FAB ignores a column it has no filter for
    if index >= len(filters):
        abort(400, f"「{_label(view, column)}」没有这种筛选方式，请返回列表重新搜索。")
    model = view.datamodel
    if model.is_relation(column):
        ok = is_id_text(value)
    elif model.is_integer(column):
        ok = bool(SIGNED_INT.fullmatch(value)) and abs(int(value)) <= MAX_ID
    elif model.is_boolean(column):  # FAB turns "y" (its checkbox) into True, passes anything else on as text
        if value != "y":
            abort(400, f"「{_label(view, column)}」的筛选值应为“是”或“否”，请返回列表重新搜索。")
        return
    elif model.is_float(column) or model.is_numeric(column):
        if not _finite_number(value):
            abort(400, f"「{_label(view, column)}」的筛选值应为数字，请返回列表重新搜索。")
        return
    else:
        return  # text and dates: FAB parses them itself and drops what does not parse
    if not ok:
        abort(400, f"「{_label(view, column)}」的筛选值应为整数，请返回列表重新搜索。")


def _finite_number(value: str) -> bool:
    """A number a NUMERIC or REAL column can hold (no NaN, no infinity, below 10^12)."""
    try:
        number = float(value)
    except ValueError:
        return False
    return number == number and abs(number) < 1e12


def _checked(view, key: str, value: str) -> str:
    if PAGE_ARG.search(key) or PSIZE_ARG.search(key):
        return _paging(key, value)
    order = ORDER_ARG.search(key)
    if order and order.group(1) == type(view).__name__ and value not in view.order_columns:
        abort(400, f"「{key}」不是可排序的列，请返回列表后点击列标题排序。")
    flt = FILTER_ARG.search(key)
    if flt:
        _check_filter(view, int(flt.group(1)), flt.group(2), value)
    return value


def clean_list_args() -> None:
    """Before a FAB list view (or its show, add and edit pages, which read the same arguments)
    runs: page numbers and sizes clamped into range; a non-integer page, an unknown sort column,
    a filter the column does not have or a filter value its column cannot hold refused with a 400
    in Chinese. FAB itself answers all of them with a 500."""
    view = _list_views().get(request.blueprint)
    if view is None:
        return
    given = list(request.args.items(multi=True))
    cleaned = [(key, _checked(view, key, value)) for key, value in given]
    if cleaned != given:
        request.args = ImmutableMultiDict(cleaned)


def register_list_guard(app: Flask) -> None:
    """Attach clean_list_args to every request of the app."""
    app.before_request(clean_list_args)


def install_blank_choice_text() -> None:
    """FAB's select of an optional related row (a user's unit, a unit's successor) offers an empty
    choice with no text, which WTForms then prints as its value, "__None". Give that choice the
    words （无） on every form FAB builds, in this one place."""
    from flask_appbuilder import fields as fab_fields
    from flask_appbuilder import forms as fab_forms
    from flask_babel import lazy_gettext

    class QuerySelectField(fab_fields.QuerySelectField):
        def __init__(self, *args, blank_text="", **kwargs):
            super().__init__(*args, blank_text=blank_text or lazy_gettext("（无）"), **kwargs)

    fab_forms.QuerySelectField = QuerySelectField
