"""/api/v1/forms: the declaration of a form in force for a period — fields, rules' fields, rates.

What a client needs to build the values of PUT /filings/<id>/values for a period: the version
follows the period (行政复议 2015 until 2023H2, 2024 from 2024H1), like the web form and the
Excel template. The same declaration also gives the per-version value schemas of the spec.
"""

from __future__ import annotations

from flask import request

from ..forms import VERSIONS, get_form
from ..forms.base import FormSpec
from .base import PortalApi, endpoint, form_param, responses


def form_json(spec: FormSpec) -> dict:
    """The public shape of one form version."""
    return {
        "form": spec.code, "version": spec.version, "valid_from": spec.valid_from or None,
        "title": spec.title, "period_kind": spec.period_kind, "note": spec.version_note,
        "fields": [{"name": f.name, "label": f.label, "kind": f.kind, "group": f.group, "required": f.required,
                    "choices": [k for k, _ in f.choices]} for f in spec.fields],
        "rates": [{"name": r.name, "label": r.label, "numerator": list(r.numerator),
                   "denominator": list(r.denominator)} for r in spec.rates],
    }


class FormApi(PortalApi):
    """Form declarations: no unit data (under the Filing read permission, tagged Reference)."""

    resource_name = "forms"
    class_permission_name = "Filing"
    openapi_spec_tag = "Reference"
    method_permission_name = {"get": "read"}
    openapi_spec_methods = {"get": {"get": {
        "parameters": [form_param(required=True),
                       {"in": "query", "name": "period", "schema": {"type": "string", "example": "2024H1"}}],
        "responses": responses("FormVersionSchema", "400")}}}

    @endpoint("/")
    def get(self):
        """The form version in force for `period` (default: the newest), and every version's span.
        ---
        get:
          summary: Form declaration
        """
        form = self.form_arg(request.args.get("form"))
        period = request.args.get("period")
        spec = get_form(form) if not period else get_form(form, self.period_arg(period, form))
        return self.response(200, result=form_json(spec), versions=[
            {"version": v.version, "valid_from": v.valid_from or None} for v in VERSIONS[form]])
