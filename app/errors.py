"""Failures the user meets: a clear page in the user's language (Chinese by default, or JSON under
/api/), never a traceback, and nothing half-written.

- Input no database column can keep (NUL characters in a query string, a form field or a JSON
  body) is refused up front with 400, on every page and API, before any view or query runs; a
  path id beyond the integer range (or not a number, for FAB's <pk>) is a 404 there too.
- A stale version that escaped the engine's own checks (StaleDataError) is a 409 conflict.
- The database too busy to answer (SQLite's lock wait ran out, a PostgreSQL deadlock or
  serialisation failure: the database rolled this request back) or out of reach (down,
  restarting, refusing connections) is a 503 "busy, retry", on pages and under /api/.
- An upload or form larger than MAX_CONTENT_LENGTH is a 413 that names the limit.
- HTTP errors (400, 403, 404, 405, 429, …) get the same page (or JSON) with a plain message.
- Any other unhandled exception: the transaction is rolled back (so a failure in the middle of
  a transition leaves state, transitions and audit rows as they were), the traceback goes to the
  log under an error number, and the user gets 500 with that number and a plain message.

The error page is self-contained: it needs neither the database nor the menu nor a template,
which may be what failed. Its texts go through gettext (app/translations/en); the JSON errors have
the shape of app.api.base.PortalApi.error: {"message": …, "errors": {}}.
"""

from __future__ import annotations

import re
import uuid

from flask import Flask, current_app, jsonify, request
from flask_babel import LazyString, gettext
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .extensions import db

PAGE = """<!doctype html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<link rel="icon" href="/favicon.ico" type="image/x-icon"></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 4em auto; line-height: 1.6">
<h1 style="font-size: 1.4em">{title}</h1>
<p>{message}</p>
<p style="color: #666; font-size: 0.9em">{rid_label}{rid}</p>
<p><a href="/">{home}</a></p>
</body></html>
"""


def translate(msgid: str, **variables) -> str:
    """gettext(msgid), or the Chinese msgid itself if translating fails: the error page must come
    out whatever else is broken (the session, the locale selector)."""
    try:
        return gettext(msgid, **variables)
    except Exception:
        return msgid % variables if variables else msgid


def _l(msgid: str, **variables) -> LazyString:
    """Like flask_babel.lazy_gettext (and extracted as it is, by its name), through translate()."""
    return LazyString(translate, msgid, **variables)


# Lazy: each is translated when used, in the language of the request (app.api.base uses the first
# three too; SERVER_ERROR keeps its str.format placeholder for it).
SERVER_ERROR = _l("系统处理请求时出错，本次操作未完成，所做修改均未保存。"
                  "请稍后重试；如仍出错，请联系管理员并告知错误编号 {ref}。")
STALE = _l("该数据已被他人修改或处理，本次操作未保存，请刷新后重试。")
BUSY = _l("系统繁忙，本次操作未完成、未保存，请稍后重试。")
BAD_CHARACTERS = _l("请求中含有无效字符（如 NUL），已拒绝。")
CSRF_FAILED = _l("页面已过期或安全校验未通过，本次提交未处理。请刷新页面后重试。")

# Title and message of the page for an HTTP error (a description given to abort() wins over the
# message). Codes not listed get werkzeug's English name and description.
HTTP_ERRORS = {
    400: (_l("请求无效"), _l("请求无效或不完整，未作处理。请返回上一页后重试。")),
    401: (_l("需要登录"), _l("请先登录。")),
    403: (_l("无权访问"), _l("您没有权限访问此页面或执行此操作；如需权限，请联系系统管理员。")),
    404: (_l("页面不存在"), _l("您要访问的页面或数据不存在，可能已被删除，或链接有误。")),
    405: (_l("请求方式不允许"), _l("此页面不接受这种请求方式。")),
    409: (_l("数据已变化"), STALE),
    413: (_l("上传内容过大"), _l("上传的文件或提交的内容过大，未作处理。请缩小文件或分批上传。")),
    429: (_l("请求过于频繁"), _l("请求过于频繁，请稍后再试。")),
    500: (_l("操作未完成"), SERVER_ERROR),
    503: (_l("系统繁忙"), BUSY),
}
_BUSY_SIGNS = ("database is locked", "deadlock detected", "could not serialize access",
               "lock timeout", "could not obtain lock")
# The database cannot be reached: down, restarting, refusing connections, a dropped connection
# (psycopg and sqlite3 wordings).
_DOWN_SIGNS = ("connection refused", "could not connect", "connection failed", "unable to open database file",
               "server closed the connection", "terminating connection", "the database system is",
               "too many clients", "connection timed out", "timeout expired", "no route to host",
               "could not translate host name", "connection is closed", "connection is lost",
               "consuming input failed", "ssl syscall")


# Row ids are PostgreSQL `integer`s: a larger id names nothing, and the database would refuse it
# (SQLite past 64 bits) with a 500 if it were sent.
MAX_ID = 2**31 - 1
_ID_TEXT = re.compile(r"[0-9]{1,10}")


def is_id_text(value: str) -> bool:
    """`value` is a row id as text: ASCII digits, within MAX_ID."""
    return bool(_ID_TEXT.fullmatch(value)) and int(value) <= MAX_ID


def _bad_path_id() -> bool:
    """A path id (an <int:…> argument, or FAB's <pk>) that no row can have."""
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not 0 <= value <= MAX_ID:
            return True
        if name == "pk" and not (isinstance(value, int) or is_id_text(str(value))):
            return True
    return False


def is_busy(exc: BaseException | None) -> bool:
    """The database cannot serve this request now: it refused it for contention (and rolled it
    back), or it cannot be reached at all (down, restarting, out of connections, or this
    process's pool exhausted). Either way: 503, retry later."""
    if isinstance(exc, SQLAlchemyTimeoutError):  # no pooled connection came free in time
        return True
    if not isinstance(exc, DBAPIError):
        return False
    if exc.connection_invalidated:  # SQLAlchemy saw the connection drop
        return True
    message = str(exc.orig).lower()
    if isinstance(exc, OperationalError) and any(s in message for s in _BUSY_SIGNS):
        return True
    return isinstance(exc, (OperationalError, InterfaceError)) and any(s in message for s in _DOWN_SIGNS)


def _answer(status: int, title, message, headers: dict | None = None):
    """The error page (or, under /api/, the JSON error) with `title` and `message` translated."""
    message = str(message)
    from .ops import request_id

    rid = request_id() or ""
    if request.path.startswith("/api/"):
        return jsonify(message=message, errors={}, request_id=rid), status, headers or {}
    from .i18n import html_lang

    page = PAGE.format(lang=html_lang(), title=escape(str(title)), message=escape(message),
                       home=escape(str(_l("返回首页"))), rid_label=escape(str(_l("请求编号："))), rid=escape(rid))
    return page, status, {**(headers or {}), "Content-Type": "text/html; charset=utf-8"}


def size_label(size: int) -> str:
    """A byte count for people: 10 MB, 512 KB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    return f"{max(size // 1024, 1)} KB"


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
    def _refuse_unstorable_input():
        if _has_nul():
            return _answer(400, HTTP_ERRORS[400][0], BAD_CHARACTERS)
        if _bad_path_id():
            return _answer(404, *HTTP_ERRORS[404])
        return None

    @app.errorhandler(StaleDataError)
    def _stale(exc):
        _rollback()
        return _answer(409, *HTTP_ERRORS[409])

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        # werkzeug raises it where the body is first read (the CSRF check, a form, request.files)
        title, message = HTTP_ERRORS[413]
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit:
            message = _l("上传的文件或提交的内容超过大小限制（%(limit)s），未作处理。请缩小文件或分批上传。",
                         limit=size_label(limit))
        return _answer(413, title, message)

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _answer(400, HTTP_ERRORS[400][0], CSRF_FAILED)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if exc.code is None or exc.code < 400 or exc.response is not None:
            return exc  # a redirect, or an exception that carries its own response
        title, message = HTTP_ERRORS.get(exc.code, (exc.name, exc.description))
        if exc.description and exc.description != type(exc).description:
            message = exc.description  # abort(404, "…"): the view's own words
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}  # Allow, Retry-After
        return _answer(exc.code, title, message or exc.name, headers)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if isinstance(exc, HTTPException):
            return _http_error(exc)
        _rollback()
        if is_busy(exc):
            app.logger.warning("database busy or unreachable on %s %s: %s", request.method, request.path, exc)
            return _answer(503, *HTTP_ERRORS[503], {"Retry-After": "5"})
        from .ops import request_id

        ref = request_id() or uuid.uuid4().hex[:12]  # the same number in the log and on the page
        app.logger.exception("unhandled error %s on %s %s", ref, request.method, request.path)
        return _answer(500, HTTP_ERRORS[500][0], SERVER_ERROR.format(ref=ref))
