"""/api/v1/filings: read scoped filings; a filler saves a draft and moves it through the engine.

Columns are explicit (no ORM objects leak); the unit always comes from the account; every
write goes through the same engine calls as the web form (rules, lock, state machine, audit).
"""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from ..extensions import db
from ..filing import workflow
from ..filing.errors import FilingError
from ..filing.periods import Period
from ..filing.values import current_values, open_filing, save_values, warnings_for
from ..forms import form_of
from ..forms.base import MONEY
from ..models.filing import Filing
from ..models.unit import Unit
from ..money import yuan_input
from ..scope import acting_user, restrict
from .base import PAGE_PARAMS, PK_PARAM, PortalApi, endpoint, form_param, json_body, responses

NOT_FOUND = "报表不存在或不在您的权限范围内"
DOCUMENT_MIMES = {"pdf": "application/pdf",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _value_json(spec, values):
    return {n: (yuan_input(v) if spec.field(n).kind == MONEY and v is not None else v)
            for n, v in values.items()}


def filing_json(filing: Filing, with_values: bool = False) -> dict:
    """The public shape of a filing."""
    spec = form_of(filing)
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
        "form_version": spec.version,
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
                              "put_values": "fill", "transition": "read", "document": "read"}
    openapi_spec_tag = "Filings"
    openapi_spec_methods = {
        "get_list": {"get": {"parameters": [
            form_param(required=False),
            {"in": "query", "name": "period", "schema": {"type": "string", "example": "2026Q2"}},
            {"in": "query", "name": "state", "schema": {"type": "string", "enum": list(workflow.STATES)}},
            *PAGE_PARAMS], "responses": responses("FilingListSchema", "400")}},
        "get": {"get": {"parameters": [PK_PARAM], "responses": responses("FilingResultSchema", "404")}},
        "post": {"post": {"requestBody": json_body("FilingCreateSchema"),
                          "responses": responses("FilingResultSchema", "400", "403", "409")}},
        "put_values": {"put": {"parameters": [PK_PARAM], "requestBody": json_body("ValuesPutSchema"),
                               "responses": responses("FilingSavedSchema", "400", "403", "404", "409")}},
        "transition": {"post": {"parameters": [PK_PARAM], "requestBody": json_body("TransitionPostSchema"),
                                "responses": responses("FilingResultSchema", "400", "403", "404", "409")}},
        "document": {"get": {"parameters": [
            PK_PARAM, {"in": "query", "name": "format", "schema": {"type": "string", "enum": ["pdf", "xlsx"],
                                                                   "default": "pdf"}}],
            "responses": {"200": {"description": "The filing as its printed form (草稿 watermark until signed off)",
                                  "content": {DOCUMENT_MIMES["pdf"]: {"schema": {"type": "string", "format": "binary"}},
                                              DOCUMENT_MIMES["xlsx"]: {"schema": {"type": "string",
                                                                                  "format": "binary"}}}},
                          **{k: v for k, v in responses("FilingResultSchema", "400", "404").items() if k != "200"}}}},
    }

    def _fail(self, exc: FilingError):
        db.session.rollback()
        return self.error(exc.status, exc.message, exc.errors)

    @endpoint("/")
    def get_list(self):
        """Filings in the caller's scope, newest period first.
        ---
        get:
          summary: List filings
        """
        q = restrict(select(Filing), Filing.unit_id)
        if request.args.get("form"):
            q = q.where(Filing.form_code == self.form_arg(request.args["form"]))
        if request.args.get("period"):
            q = q.where(Filing.period_key == self.period_arg(request.args["period"]).key)
        if request.args.get("state"):
            if request.args["state"] not in workflow.STATES:
                return self.error(400, "「state」应为：" + "、".join(workflow.STATES))
            q = q.where(Filing.state == request.args["state"])
        return self.page_of(q, q.join(Unit).order_by(Filing.period_key.desc(), Unit.code), filing_json)

    @endpoint("/<int:pk>")
    def get(self, pk):
        """One filing with its current values and rates.
        ---
        get:
          summary: Get a filing
        """
        filing = self.scoped_or_404(Filing, pk, NOT_FOUND)
        return self.response(200, result=filing_json(filing, with_values=True))

    @endpoint("/<int:pk>/document")
    def document(self, pk):
        """The filing as its printed official form, PDF or xlsx (the filing page's downloads).
        ---
        get:
          summary: Print a filing
        """
        import io

        from flask import send_file

        from ..audit import record
        from ..exports.filing import filing_document, filing_xlsx
        from ..exports.pdf import render_pdf

        fmt = request.args.get("format", "pdf")
        if fmt not in DOCUMENT_MIMES:
            return self.error(400, "「format」应为：pdf、xlsx")
        filing = self.scoped_or_404(Filing, pk, NOT_FOUND)
        doc = filing_document(filing)
        data = filing_xlsx(doc) if fmt == "xlsx" else render_pdf("print/filing.html", doc=doc, doc_title=doc.title)
        record("export.filing", "filing", filing.id, {"format": fmt, "draft": doc.draft, "api": True})
        db.session.commit()
        return send_file(io.BytesIO(data), mimetype=DOCUMENT_MIMES[fmt], as_attachment=True, max_age=0,
                         download_name=f"filing-{filing.id}-{filing.period_key}.{fmt}")

    @endpoint("/", "POST")
    def post(self):
        """Open (or find) the caller's own unit's filing for a period; the unit is the account's.
        ---
        post:
          summary: Open a filing
        """
        body = request.get_json(silent=True) or {}
        form = self.form_arg(body.get("form") if isinstance(body, dict) else None)
        period = self.period_arg(str(body.get("period", "")))
        try:
            filing = open_filing(form, period, acting_user())
        except FilingError as exc:
            return self._fail(exc)
        return self.response(200, result=filing_json(filing, with_values=True))

    @endpoint("/<int:pk>/values", "PUT")
    def put_values(self, pk):
        """Save a draft's values (same rules and lock as the web form); `version` required.
        ---
        put:
          summary: Save values
        """
        filing = self.scoped_or_404(Filing, pk, NOT_FOUND)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not isinstance(body.get("values"), dict):
            return self.error(400, "请求体应为 {\"values\": {...}, \"version\": …}")
        version = self.version_arg(body)
        try:
            changes = save_values(filing, body["values"], acting_user(), expected_version=version,
                                  explanation=body.get("explanation"), source="api")
        except FilingError as exc:
            return self._fail(exc)
        # The same warnings the web form shows: submitting needs an explanation for them.
        warnings = [w.message for w in warnings_for(filing, current_values(filing))]
        return self.response(200, changed=sorted(changes), warnings=warnings, result=filing_json(filing, True))

    @endpoint("/<int:pk>/transition", "POST")
    def transition(self, pk):
        """Move the filing through the state machine (submit, sign_off, unit_return, accept, return);
        `version` required.
        ---
        post:
          summary: Move a filing
        """
        filing = self.scoped_or_404(Filing, pk, NOT_FOUND)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.error(400, "请求体应为 JSON 对象")
        version = self.version_arg(body)
        try:
            workflow.apply(filing, str(body.get("action", "")), acting_user(), comment=body.get("comment"),
                           expected_version=version, explanation=body.get("explanation"),
                           reason_code=body.get("reason_code"))
        except FilingError as exc:
            return self._fail(exc)
        return self.response(200, result=filing_json(filing))
