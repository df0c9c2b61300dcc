"""What every portal API shares: JSON errors, page parameters, the schemas in the spec."""

from __future__ import annotations

import sys
import uuid

from flask import current_app, request
from flask_appbuilder.api import BaseApi
from sqlalchemy.orm.exc import StaleDataError

from . import schemas

MAX_PAGE_SIZE = 100
MAX_PAGE = 100_000  # beyond any real listing; keeps OFFSET inside the database's integer range
PAGE_ERROR = f"「page」应为不超过{MAX_PAGE}的整数，「page_size」应为整数"

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


class PortalApi(BaseApi):
    """A FAB API whose errors are JSON with a Chinese message and whose schemas are published."""

    openapi_spec_component_schemas = schemas.ALL

    def error(self, status: int, message: str, errors: dict | None = None):
        return self.response(status, message=message, errors=errors or {})

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


def responses(ok_schema: str, *errors: str) -> dict:
    """An OpenAPI responses object: 200 with `ok_schema`, plus the named error codes."""
    out = {"200": {"description": "OK", "content": {"application/json": {
        "schema": {"$ref": f"#/components/schemas/{ok_schema}"}}}}}
    for code in errors:
        out[code] = ERROR_RESPONSES[code]
    out["401"] = {"description": "Not authenticated"}
    return out
