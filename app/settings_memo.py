"""Small settings tables read once per request: the deadlines an administrator moved, the units'
filing duties (FormAssignment) and the units themselves (for the timeliness rules). A leader's page
asks for them per form and per group of periods — twelve queries on the analysis page for two tiny
tables — so each is read once a request (the moved deadlines whole, the duties per form, the units
per scope) into `flask.g` (one request, or one app context in a script or test).

Never stale within the request either: any write to one of the tables through the session (an
object flushed, or an INSERT / UPDATE / DELETE statement) forgets what was read. Nothing is kept
across requests, so nothing needs invalidating across workers or servers.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "_settings_memo"
TABLES = ("deadline_override", "form_assignment", "unit")


def memo(table: str, key, load: Callable[[], object]):
    """`load()` — what is read of `table` for `key` (a form, or None for the whole table) — once
    per request."""
    if not has_app_context():
        return load()
    store = g.setdefault(_KEY, {}).setdefault(table, {})
    if key not in store:
        store[key] = load()
    return store[key]


def forget(table: str | None = None) -> None:
    """Drop what was read of `table` (None: of every table) in this request."""
    if has_app_context() and _KEY in g:
        if table is None:
            g.pop(_KEY)
        else:
            g.get(_KEY).pop(table, None)


@event.listens_for(Session, "after_flush")
def _flushed(session, _context) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        name = getattr(obj, "__tablename__", None)
        if name in TABLES:
            forget(name)


@event.listens_for(Session, "do_orm_execute")
def _statement(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(getattr(state.statement, "table", None), "name", None)
        if table in TABLES or table is None:
            forget(table if table in TABLES else None)
