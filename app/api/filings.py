"""/api/v1/filings: read scoped filings; a filler saves a draft and moves it through the engine.

Columns are explicit (no ORM objects leak); the unit always comes from the account; every
write goes through the same engine calls as the web form (rules, lock, state machine, audit).
"""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import expose, protect, safe
from sqlalchemy import select

from ..extensions import db
from ..filing import workflow
from ..filing.errors import FilingError
from ..filing.periods import Period, PeriodError
from ..filing.values import current_values, open_filing, save_values
from ..forms import FORMS, get_form
from ..forms.base import MONEY
from ..models.filing import Filing
from ..models.unit import Unit
from ..money import yuan_input
from ..scope import acting_user, get_scoped, restrict
from .base import PortalApi, responses


def _value_json(spec, values):
    return {n: (yuan_input(v) if spec.field(n).kind == MONEY and v is not None else v)
            for n, v in values.items()}


def filing_json(filing: Filing, with_values: bool = False) -> dict:
    """The public shape of a filing."""
    spec = get_form(filing.form_code)
    out = {
        "id": filing.id,
        "form": filing.form_code,
        "unit_code": filing.unit.code,
        "unit_name": filing.unit.short_name,
        "period": filing.period_key,
        "period_label": Period.parse(filing.period_key).label,
        "state": filing.state,
        "state_label": workflow.state_label(filing.state),
        "revision": filing.revision,
        "version": filing.version,
    }
    if with_values:
        values = current_values(filing)
        out["values"] = _value_json(spec, values)
        out["rates"] = {r.name: (None if v is None else float(round(v, 6)))
                        for r, v in spec.compute_rates(values)}
    return out


class FilingApi(PortalApi):
    """Filings of every declared form."""

    resource_name = "filings"
    class_permission_name = "Filing"
    method_permission_name = {"get_list": "read", "get": "read", "post": "fill",
                              "put_values": "fill", "transition": "read"}
    openapi_spec_tag = "Filings"
    openapi_spec_methods = {
        "get_list": {"get": {"responses": responses("FilingListSchema", "400")}},
        "get": {"get": {"responses": responses("FilingResultSchema", "404")}},
        "post": {"post": {"responses": responses("FilingResultSchema", "400", "403", "409")}},
        "put_values": {"put": {"responses": responses("FilingSavedSchema", "400", "403", "404", "409")}},
        "transition": {"post": {"responses": responses("FilingResultSchema", "400", "403", "404", "409")}},
    }

    def _fail(self, exc: FilingError):
        db.session.rollback()
        return self.error(exc.status, exc.message, exc.errors)

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """Filings in the caller's scope, newest period first.
        ---
        get:
          summary: List filings
          parameters:
          - {in: query, name: form, schema: {type: string, enum: [institution, reconsideration, litigation, penalty]}}
          - {in: query, name: period, schema: {type: string, example: 2026Q2}}
          - {in: query, name: state, schema: {type: string, enum: [draft, pending, submitted, accepted, returned]}}
          - {in: query, name: page, schema: {type: integer, minimum: 1, default: 1}}
          - {in: query, name: page_size, schema: {type: integer, minimum: 1, maximum: 100, default: 20}}
        """
        q = restrict(select(Filing), Filing.unit_id)
        form = request.args.get("form")
        if form:
            if form not in FORMS:
                return self.error(400, "「form」应为：" + "、".join(FORMS))
            q = q.where(Filing.form_code == form)
        if request.args.get("period"):
            try:
                q = q.where(Filing.period_key == Period.parse(request.args["period"]).key)
            except PeriodError as exc:
                return self.error(400, str(exc))
        if request.args.get("state"):
            if request.args["state"] not in workflow.STATES:
                return self.error(400, "「state」应为：" + "、".join(workflow.STATES))
            q = q.where(Filing.state == request.args["state"])
        return self.page_of(q, q.join(Unit).order_by(Filing.period_key.desc(), Unit.code), filing_json)

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get(self, pk):
        """One filing with its current values and rates.
        ---
        get:
          summary: Get a filing
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
        """
        filing = get_scoped(Filing, pk)
        if filing is None:
            return self.error(404, "报表不存在或不在您的权限范围内")
        return self.response(200, result=filing_json(filing, with_values=True))

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def post(self):
        """Open (or find) the caller's own unit's filing for a period; the unit is the account's.
        ---
        post:
          summary: Open a filing
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/FilingCreateSchema'}
        """
        body = request.get_json(silent=True) or {}
        form = body.get("form") if isinstance(body, dict) else None
        if form not in FORMS:
            return self.error(400, "「form」应为：" + "、".join(FORMS))
        try:
            filing = open_filing(form, Period.parse(str(body.get("period", ""))), acting_user())
        except PeriodError as exc:
            return self.error(400, str(exc))
        except FilingError as exc:
            return self._fail(exc)
        return self.response(200, result=filing_json(filing, with_values=True))

    @expose("/<int:pk>/values", methods=["PUT"])
    @protect()
    @safe
    def put_values(self, pk):
        """Save a draft's values (same rules and lock as the web form).
        ---
        put:
          summary: Save values
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/ValuesPutSchema'}
        """
        filing = get_scoped(Filing, pk)
        if filing is None:
            return self.error(404, "报表不存在或不在您的权限范围内")
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("values"), dict):
            return self.error(400, "请求体应为 {\"values\": {...}}")
        try:
            changes = save_values(filing, body["values"], acting_user(), expected_version=body.get("version"),
                                  explanation=body.get("explanation"), source="api")
        except FilingError as exc:
            return self._fail(exc)
        return self.response(200, changed=sorted(changes), result=filing_json(filing, True))

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    def transition(self, pk):
        """Move the filing through the state machine (submit, sign_off, unit_return, accept, return).
        ---
        post:
          summary: Move a filing
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/TransitionPostSchema'}
        """
        filing = get_scoped(Filing, pk)
        if filing is None:
            return self.error(404, "报表不存在或不在您的权限范围内")
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.error(400, "请求体应为 JSON 对象")
        try:
            workflow.apply(filing, str(body.get("action", "")), acting_user(), comment=body.get("comment"),
                           expected_version=body.get("version"), explanation=body.get("explanation"))
        except FilingError as exc:
            return self._fail(exc)
        return self.response(200, result=filing_json(filing))
