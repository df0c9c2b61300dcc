"""The OpenAPI spec at /api/<version>/_openapi: FAB's, completed with the statuses every endpoint
can answer whatever it declares itself.

Layers in front of every endpoint answer for it: the input guard (400: NUL characters; 404: a
path id no row can have), FAB's @protect (401 without credentials, 403 without the permission),
and the last-resort handlers (500; 503 when the database is busy or out of reach). FAB's own
endpoints (the menu, the spec itself, the security API) do not list these, so a client following
the spec met statuses it does not know. complete() adds them, with the error body they carry.
"""

from __future__ import annotations

from flask import current_app
from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.api.manager import OpenApi as FabOpenApi

# The body of an error: the portal's {"message", "errors"} or FAB's {"message"}; a 401 from the
# JWT layer says {"msg"} instead.
_ERROR = {"application/json": {"schema": {"type": "object", "required": ["message"], "properties": {
    "message": {"description": "中文错误信息"}, "errors": {"type": "object"}}}}}
_UNAUTHENTICATED = {"application/json": {"schema": {"type": "object"}}}
EVERY_ENDPOINT = {
    "400": "Bad request (e.g. NUL characters in the request)",
    "401": "Not authenticated",
    "403": "Forbidden: the account lacks the permission",
    "500": "Unexpected error (answered with an error number)",
    "503": "Database busy or out of reach: retry later (Retry-After)",
}
WITH_PATH_ARGUMENTS = {"404": "Not found (also: an id beyond the integer range)"}
METHODS = ("get", "put", "post", "delete", "patch")


def _menu_separators(spec: dict) -> None:
    """FAB's menu answer puts its separator, the string "-", among a category's children, where
    FAB's spec allows only objects: allow it."""
    try:
        item = spec["paths"]["/api/v1/menu/"]["get"]["responses"]["200"]["content"]["application/json"]
        children = item["schema"]["properties"]["result"]["items"]["properties"]["childs"]
    except KeyError:
        return
    children["items"] = {"anyOf": [children.get("items", {"type": "object"}), {"type": "string", "enum": ["-"]}]}


def _structured_messages(spec: dict) -> None:
    """FAB's error responses (components/responses) say `message` is a string; FAB answers a
    request body that fails its schema with the field errors there, an object: allow both."""
    for response in spec.get("components", {}).get("responses", {}).values():
        schema = response.get("content", {}).get("application/json", {}).get("schema", {})
        if "message" in schema.get("properties", {}):
            schema["properties"]["message"] = {"anyOf": [{"type": "string"}, {"type": "object"}]}


def complete(spec: dict) -> dict:
    """Add to every operation of `spec` the statuses the layers in front of it may answer (and
    correct two bodies FAB's spec describes wrongly)."""
    _menu_separators(spec)
    _structured_messages(spec)
    for path, item in spec.get("paths", {}).items():
        extra = {**EVERY_ENDPOINT, **(WITH_PATH_ARGUMENTS if "{" in path else {})}
        for method in METHODS:
            if method in item:
                responses = item[method].setdefault("responses", {})
                for code, description in extra.items():
                    content = _UNAUTHENTICATED if code == "401" else _ERROR
                    responses.setdefault(code, {"description": description, "content": content})
    return spec


class OpenApi(FabOpenApi):
    """FAB's spec endpoint (same name, route and permission: can_get on OpenApi), answering the
    completed spec. Registered instead of FAB's (FAB_ADD_OPENAPI_VIEWS = False)."""

    @expose("/<version>/_openapi")
    @protect()
    @safe
    def get(self, version):
        """The OpenAPI spec of one API version, with every status each endpoint may answer.
        ---
        get:
          description: >-
            Get the OpenAPI spec for a specific API version
          parameters:
          - in: path
            schema:
              type: string
            name: version
          responses:
            200:
              description: The OpenAPI spec
              content:
                application/json:
                  schema:
                    type: object
            404:
              $ref: '#/components/responses/404'
        """
        api_spec = self._create_api_spec(version)
        found = False
        for view in current_app.appbuilder.baseviews:
            if isinstance(view, BaseApi) and view.version == version:
                view.add_api_spec(api_spec)
                found = True
        if not found:
            return self.response_404()
        return self.response(200, **complete(api_spec.to_dict()))


def register_openapi(appbuilder) -> None:
    """The spec endpoint and, when FAB_API_SWAGGER_UI is on, FAB's Swagger UI (served from FAB's
    own static files: no CDN)."""
    from flask_appbuilder.api.manager import SwaggerView

    appbuilder.add_api(OpenApi)
    if current_app.config.get("FAB_API_SWAGGER_UI"):
        appbuilder.add_view_no_menu(SwaggerView)
