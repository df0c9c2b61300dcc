"""Failures the user meets: a clear Chinese page (or JSON under /api/), never a traceback, and
nothing half-written.

- Input no database column can keep (NUL characters in a query string, a form field or a JSON
  body) is refused up front with 400, on every page and API, before any view or query runs.
- A stale version that escaped the engine's own checks (StaleDataError) is a 409 conflict.
- The database too busy to answer (SQLite's lock wait ran out, a PostgreSQL deadlock or
  serialisation failure: the database rolled this request back) is a 503 "busy, retry".
- Any other unhandled exception: the transaction is rolled back (so a failure in the middle of
  a transition leaves state, transitions and audit rows as they were), the traceback goes to the
  log under an error number, and the user gets 500 with that number and a plain message.

HTTP errors (404, 403, …) keep their own handlers (app.web). The error page is self-contained:
it needs neither the database nor the menu, which may be what failed.
"""

from __future__ import annotations

import uuid

from flask import Flask, jsonify, request
from markupsafe import escape
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from .extensions import db

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.6">
<h1 style="font-size: 1.4em">{title}</h1>
<p>{message}</p>
<p><a href="/">返回首页</a></p>
</body></html>
"""

SERVER_ERROR = ("系统处理请求时出错，本次操作未完成，所做修改均未保存。"
                "请稍后重试；如仍出错，请联系管理员并告知错误编号 {ref}。")
STALE = "该数据已被他人修改或处理，本次操作未保存，请刷新后重试。"
BAD_CHARACTERS = "请求中含有无效字符（如 NUL），已拒绝。"
BUSY = "系统繁忙，本次操作未完成、未保存，请稍后重试。"
_BUSY_SIGNS = ("database is locked", "deadlock detected", "could not serialize access",
               "lock timeout", "could not obtain lock")


def is_busy(exc: BaseException | None) -> bool:
    """The database refused this request for contention, having rolled it back: retry later."""
    return isinstance(exc, OperationalError) and any(s in str(exc.orig).lower() for s in _BUSY_SIGNS)


def _answer(status: int, title: str, message: str, headers: dict | None = None):
    if request.path.startswith("/api/"):
        return jsonify(message=message, errors={}), status, headers or {}
    return PAGE.format(title=escape(title), message=escape(message)), status, {
        "Content-Type": "text/html; charset=utf-8", **(headers or {})}


def _rollback() -> None:
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be what failed
        db.session.remove()


def _has_nul() -> bool:
    if any("\x00" in k or "\x00" in v for k, v in request.args.items(multi=True)):
        return True
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        if request.is_json:
            return b"\\u0000" in request.get_data(cache=True)
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            return any("\x00" in k or "\x00" in v for k, v in request.form.items(multi=True))
    return False


def register_error_handlers(app: Flask) -> None:
    """Attach the input guard and the last-resort handlers to the app."""

    @app.before_request
    def _refuse_nul():
        if _has_nul():
            return _answer(400, "请求无效", BAD_CHARACTERS)
        return None

    @app.errorhandler(StaleDataError)
    def _stale(exc):
        _rollback()
        return _answer(409, "数据已变化", STALE)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, HTTPException):  # not ours: 404, 405, … keep their own answer
            return exc
        _rollback()
        if is_busy(exc):
            app.logger.warning("database busy on %s %s: %s", request.method, request.path, exc.orig)
            return _answer(503, "系统繁忙", BUSY, {"Retry-After": "5"})
        ref = uuid.uuid4().hex[:12]
        app.logger.exception("unhandled error %s on %s %s", ref, request.method, request.path)
        return _answer(500, "操作未完成", SERVER_ERROR.format(ref=ref))
