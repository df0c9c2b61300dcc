"""What every portal API shares: JSON errors, page parameters, the schemas in the spec."""

from __future__ import annotations

import functools
import sys
import uuid

from flask import current_app, request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from sqlalchemy.orm.exc import StaleDataError

from ..filing.periods import Period, PeriodError
from ..forms import FORMS
from ..scope import get_scoped
from . import schemas

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # beyond any real listing; keeps OFFSET inside the database's integer range
PAGE_ERROR = f"「page」应为不超过{MAX_PAGE}的整数，「page_size」应为整数"
VERSION_MISSING = ("缺少「version」：请先读取该记录（GET），原样带上其中的 version；"
                   "写入时核对版本，以免覆盖他人在此期间的修改")
VERSION_NOT_INT = "「version」应为整数：该记录最近一次读取时的 version"

ERROR_RESPONSES = {
    "400": {"description": "Bad request", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorSchema"}}}},
    "403": {"description": "Forbidden", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorSchema"}}}},
    "404": {"description": "Not found", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorSchema"}}}},
    "409": {"description": "Conflict (state or version)", "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/ErrorSchema"}}}},
}
PK_PARAM = {"in": "path", "name": "pk", "required": True, "schema": {"type": "integer"}}
PAGE_PARAMS = [
    {"in": "query", "name": "page", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"in": "query", "name": "page_size", "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE,
                                                    "default": 20}},
]


def form_param(required: bool) -> dict:
    """The `form` query parameter: one of the declared forms."""
    param = {"in": "query", "name": "form", "schema": {"type": "string", "enum": list(FORMS)}}
    return {**param, "required": True} if required else param


def json_body(schema: str) -> dict:
    """An OpenAPI requestBody: a required JSON object of the named schema."""
    return {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


class ApiError(Exception):
    """A refusal raised inside an `endpoint`: answered as JSON with `status` and the Chinese `message`."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def endpoint(rule: str, method: str = "GET"):
    """One portal API endpoint: FAB's expose, protect (the method's permission) and safe (JSON 500),
    with an ApiError raised inside answered as its JSON error."""

    def decorate(f):
        @functools.wraps(f)
        def answer(self, *args, **kwargs):
            try:
                return f(self, *args, **kwargs)
            except ApiError as exc:
                return self.error(exc.status, exc.message)

        return expose(rule, methods=[method])(protect()(safe(answer)))

    return decorate


class PortalApi(BaseApi):
    """A FAB API whose errors are JSON with a Chinese message and whose schemas are published."""

    openapi_spec_component_schemas = schemas.ALL

    def error(self, status: int, message: str, errors: dict | None = None):
        from ..ops import request_id

        return self.response(status, message=message, errors=errors or {}, request_id=request_id())

    def response_500(self, message: str | None = None):
        """FAB's @safe answer to an unexpected error (called inside its `except`): the transaction
        is rolled back; a stale version is a 409, a busy database a 503; otherwise a plain
        message with an error number instead of "Fatal error" (the stack trace only with
        FAB_API_SHOW_STACKTRACE, to debug)."""
        from ..errors import BUSY, SERVER_ERROR, STALE, _rollback, is_busy

        _rollback()
        exc = sys.exc_info()[1]
        if isinstance(exc, StaleDataError):
            return self.error(409, STALE)
        if is_busy(exc):
            resp = self.error(503, BUSY)
            resp.headers["Retry-After"] = "5"
            return resp
        if current_app.config.get("FAB_API_SHOW_STACKTRACE"):
            return super().response_500(message=message)
        ref = uuid.uuid4().hex[:12]
        current_app.logger.error("API error %s on %s %s (traceback above)", ref, request.method, request.path)
        return self.error(500, SERVER_ERROR.format(ref=ref))

    def page_args(self) -> tuple[int, int] | None:
        """(page, page_size) from the query, page size capped; None when not integers or the
        page is past MAX_PAGE."""
        try:
            page = max(int(request.args.get("page", 1)), 1)
            size = min(max(int(request.args.get("page_size", 20)), 1), MAX_PAGE_SIZE)
        except ValueError:
            return None
        if page > MAX_PAGE:
            return None
        return page, size

    def page_of(self, query, ordered, to_json):
        """The list response of an already scoped `query`: count, one page of `ordered` rows
        (a select sorted for paging) and their JSON; a 400 when the page arguments are bad."""
        from sqlalchemy import func, select

        from ..extensions import db

        paging = self.page_args()
        if paging is None:
            return self.error(400, PAGE_ERROR)
        page, size = paging
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
        rows = db.session.scalars(ordered.limit(size).offset((page - 1) * size)).all()
        return self.response(200, count=total, page=page, page_size=size, result=[to_json(r) for r in rows])

    @staticmethod
    def scoped_or_404(model, pk, message: str):
        """The row `pk` of `model` when it is in the caller's organisation scope; an ApiError 404
        with `message` otherwise."""
        obj = get_scoped(model, pk)
        if obj is None:
            raise ApiError(404, message)
        return obj

    @staticmethod
    def version_arg(body: dict) -> int:
        """The `version` a write must carry (the row's version as last read): an ApiError 400 naming
        it when missing or not an integer. The engine answers 409 when it is not the current one."""
        if body.get("version") is None:
            raise ApiError(400, VERSION_MISSING)
        if type(body["version"]) is not int:  # bool is an int subclass; 1.0 and "1" are not versions
            raise ApiError(400, VERSION_NOT_INT)
        return body["version"]

    @staticmethod
    def form_arg(form) -> str:
        """`form` when it names a declared form; an ApiError 400 otherwise."""
        if form not in FORMS:
            raise ApiError(400, "「form」应为：" + "、".join(FORMS))
        return form

    @staticmethod
    def period_arg(key, form: str | None = None) -> Period:
        """The period `key` names, of `form`'s period kind when a form is given; an ApiError 400
        otherwise."""
        try:
            period = Period.parse(key)
            if form is not None and period.kind != FORMS[form].period_kind:
                raise PeriodError("报告期类型与报表不符")
        except PeriodError as exc:
            raise ApiError(400, str(exc)) from None
        return period


def responses(ok_schema: str, *errors: str) -> dict:
    """An OpenAPI responses object: 200 with `ok_schema`, plus the named error codes."""
    out = {"200": {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ok_schema}"}}}}}
    for code in errors:
        out[code] = ERROR_RESPONSES[code]
    out["401"] = {"description": "Not authenticated"}
    return out
