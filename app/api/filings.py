"""/api/v1/filings: read scoped filings; a filler saves a draft and moves it through the engine.

Columns are explicit (no ORM objects leak); the unit always comes from the account.
"""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, expose, protect, safe
from sqlalchemy import func, select

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
from ..scope import acting_user, get_scoped, restrict  # acting_user: the token's user (fix, see scope.py)

MAX_PAGE_SIZE = 100


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


def _error(exc: FilingError):
    return {"message": exc.message, "errors": exc.errors}, exc.status


class FilingApi(BaseApi):
    """Filings of every declared form."""

    resource_name = "filings"
    class_permission_name = "Filing"
    method_permission_name = {"get_list": "read", "get": "read", "post": "fill",
                              "put_values": "fill", "transition": "read"}
    openapi_spec_tag = "Filings"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def get_list(self):
        """List filings in the caller's scope.
        ---
        get:
          parameters:
          - {in: query, name: form, schema: {type: string}}
          - {in: query, name: period, schema: {type: string}}
          - {in: query, name: state, schema: {type: string}}
          - {in: query, name: page, schema: {type: integer}}
          - {in: query, name: page_size, schema: {type: integer}}
          responses:
            200: {description: filings}
            400: {$ref: '#/components/responses/400'}
        """
        q = restrict(select(Filing), Filing.unit_id)
        form = request.args.get("form")
        if form:
            if form not in FORMS:
                return self.response_400(message="未知的报表：" + form)
            q = q.where(Filing.form_code == form)
        if request.args.get("period"):
            q = q.where(Filing.period_key == request.args["period"])
        if request.args.get("state"):
            q = q.where(Filing.state == request.args["state"])
        try:
            page = max(int(request.args.get("page", 1)), 1)
            size = min(max(int(request.args.get("page_size", 20)), 1), MAX_PAGE_SIZE)
        except ValueError:
            return self.response_400(message="page 与 page_size 应为整数")
        total = db.session.scalar(select(func.count()).select_from(q.subquery()))
        rows = db.session.scalars(
            q.join(Unit).order_by(Filing.period_key.desc(), Unit.code).limit(size).offset((page - 1) * size)
        ).all()
        return self.response(200, count=total, page=page, page_size=size,
                             result=[filing_json(f) for f in rows])

    @expose("/<int:pk>", methods=["GET"])
    @protect()
    @safe
    def get(self, pk):
        """One filing with its current values.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: filing}
            404: {$ref: '#/components/responses/404'}
        """
        filing = get_scoped(Filing, pk)
        if filing is None:
            return self.response_404()
        return self.response(200, result=filing_json(filing, with_values=True))

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def post(self):
        """Open (or find) the caller's own unit's filing for a period.
        ---
        post:
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {form: {type: string}, period: {type: string}}}
          responses:
            200: {description: filing}
            400: {$ref: '#/components/responses/400'}
        """
        body = request.get_json(silent=True) or {}
        form = body.get("form")
        if form not in FORMS:
            return self.response_400(message="「form」应为：" + "、".join(FORMS))
        try:
            filing = open_filing(form, Period.parse(body.get("period", "")), acting_user())
        except PeriodError as exc:
            return self.response_400(message=str(exc))
        except FilingError as exc:
            db.session.rollback()
            return _error(exc)
        return self.response(200, result=filing_json(filing, with_values=True))

    @expose("/<int:pk>/values", methods=["PUT"])
    @protect()
    @safe
    def put_values(self, pk):
        """Save a draft's values (same rules and lock as the web form).
        ---
        put:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema: {type: object, properties: {values: {type: object}, version: {type: integer}}}
          responses:
            200: {description: saved}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        filing = get_scoped(Filing, pk)
        if filing is None:
            return self.response_404()
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("values"), dict):
            return self.response_400(message="请求体应为 {\"values\": {...}}")
        try:
            changes = save_values(filing, body["values"], acting_user(),
                                  expected_version=body.get("version"),
                                  explanation=body.get("explanation"), source="api")
        except FilingError as exc:
            db.session.rollback()
            return _error(exc)
        return self.response(200, changed=sorted(changes), result=filing_json(filing, True))

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    def transition(self, pk):
        """Move the filing through the state machine.
        ---
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            content:
              application/json:
                schema:
                  type: object
                  properties:
                    action: {type: string}
                    comment: {type: string}
                    version: {type: integer}
                    explanation: {type: string}
          responses:
            200: {description: moved}
            400: {$ref: '#/components/responses/400'}
            404: {$ref: '#/components/responses/404'}
        """
        filing = get_scoped(Filing, pk)
        if filing is None:
            return self.response_404()
        body = request.get_json(silent=True) or {}
        try:
            workflow.apply(filing, str(body.get("action", "")), acting_user(),
                           comment=body.get("comment"), expected_version=body.get("version"),
                           explanation=body.get("explanation"))
        except FilingError as exc:
            db.session.rollback()
            return _error(exc)
        return self.response(200, result=filing_json(filing))
