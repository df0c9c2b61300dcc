"""/api/v1/recon_cases: the reconsideration register — list (search, paging), show, create,
update; scoped like the pages, applicants' ids masked unless the caller handles the case, every
write through app.cases.recon with the `version` it read."""

from __future__ import annotations

from flask import request
from sqlalchemy.orm import selectinload

from ..cases.query import get_recon
from ..cases.recon import CaseError, CaseForbidden, CaseStale, create_recon_case, sees_full_ids, update_recon_case
from ..cases.search import STATUSES, CaseFilter, matching, ordered
from ..cases.serialize import recon_json
from ..cases.timelimits import Calendar
from ..extensions import db
from ..models.cases import ReconCase
from ..scope import acting_user
from .base import PAGE_PARAMS, PK_PARAM, ApiError, PortalApi, endpoint, json_body, responses

NOT_FOUND = "案件不存在或不在您的权限范围内"


class ReconCaseApi(PortalApi):
    """Reconsideration cases of the caller's scope."""

    resource_name = "recon_cases"
    class_permission_name = "CaseRegister"
    method_permission_name = {"get_list": "read", "get": "read", "post": "keep", "put": "keep"}
    openapi_spec_tag = "Reconsideration cases"
    openapi_spec_methods = {
        "get_list": {"get": {"parameters": [
            {"in": "query", "name": "q", "schema": {"type": "string"},
             "description": "案号、申请人（姓名或身份证号）、被申请人、文号"},
            {"in": "query", "name": "year", "schema": {"type": "integer"}},
            {"in": "query", "name": "status", "schema": {"type": "string", "enum": list(STATUSES)}},
            *PAGE_PARAMS], "responses": responses("ReconCaseListSchema", "400")}},
        "get": {"get": {"parameters": [PK_PARAM], "responses": responses("ReconCaseResultSchema", "404")}},
        "post": {"post": {"requestBody": json_body("ReconCaseWriteSchema"),
                          "responses": responses("ReconCaseResultSchema", "400", "403")}},
        "put": {"put": {"parameters": [PK_PARAM], "requestBody": json_body("ReconCaseWriteSchema"),
                        "responses": responses("ReconCaseResultSchema", "400", "404", "409")}},
    }

    @staticmethod
    def _body() -> dict:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise ApiError(400, "请求体应为 JSON 对象")
        return body

    def _result(self, case: ReconCase):
        return self.response(200, result=recon_json(case, sees_full_ids(case)))

    @endpoint("/")
    def get_list(self):
        """Cases in the caller's scope, newest first; `q` searches.
        ---
        get:
          summary: List reconsideration cases
        """
        q = matching(CaseFilter.from_args(request.args))
        user, cal = acting_user(), Calendar.load()
        return self.page_of(q, ordered(q).options(selectinload(ReconCase.applicants), selectinload(ReconCase.unit),
                                                  selectinload(ReconCase.respondent_unit)),
                            lambda c: recon_json(c, sees_full_ids(c, user), cal))

    @endpoint("/<int:pk>")
    def get(self, pk):
        """One case.
        ---
        get:
          summary: Get a reconsideration case
        """
        case = get_recon(pk)
        if case is None:
            raise ApiError(404, NOT_FOUND)
        return self._result(case)

    @endpoint("/", "POST")
    def post(self):
        """Register a case for the caller's own unit (numbered by the portal).
        ---
        post:
          summary: Register a reconsideration case
        """
        try:
            case = create_recon_case(self._body())
            db.session.commit()
        except CaseForbidden as exc:
            db.session.rollback()
            return self.error(403, str(exc))
        except CaseError as exc:
            db.session.rollback()
            return self.error(400, str(exc), exc.errors)
        return self._result(case)

    @endpoint("/<int:pk>", "PUT")
    def put(self, pk):
        """Change the fields sent (`applicants`, when sent, replaces the list); `version` required.
        ---
        put:
          summary: Update a reconsideration case
        """
        body = self._body()
        version = self.version_arg(body)
        data = {k: v for k, v in body.items() if k != "version"}
        try:
            case = update_recon_case(pk, data, version)
            db.session.commit()
        except CaseForbidden:
            db.session.rollback()
            return self.error(404, NOT_FOUND)
        except CaseStale as exc:
            db.session.rollback()
            return self.error(409, str(exc))
        except CaseError as exc:
            db.session.rollback()
            return self.error(400, str(exc), exc.errors)
        return self._result(case)
