"""/api/v1/units, /api/v1/periods, /api/v1/timeliness: what the decision system needs beside filings."""

from __future__ import annotations

from flask import request
from sqlalchemy import select

from ..clock import today
from ..extensions import db
from ..filing.deadlines import deadlines_for
from ..filing.periods import Period, last_complete, periods_between
from ..filing.timeliness import LATE, MISSING, ON_TIME, period_timeliness
from ..forms import FORMS
from ..models.unit import Unit
from ..scope import restrict, visible_unit_ids
from .base import PortalApi, endpoint, form_param, responses

FORM_PARAM = form_param(required=True)


def unit_json(u: Unit, codes: dict[int, str]) -> dict:
    return {"code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind,
            "parent_code": codes.get(u.parent_id), "valid_from": u.valid_from.isoformat(),
            "valid_to": u.valid_to.isoformat() if u.valid_to else None,
            "successor_code": codes.get(u.successor_id)}


class ReferenceApi(PortalApi):
    """What the decision system reads beside filings: under the Filing permission, tagged Reference."""

    class_permission_name = "Filing"
    openapi_spec_tag = "Reference"


class UnitApi(ReferenceApi):
    """Units in the caller's scope, with their history (closed units and successors)."""

    resource_name = "units"
    method_permission_name = {"get_list": "read"}
    openapi_spec_methods = {"get_list": {"get": {"responses": responses("UnitListSchema")}}}

    @endpoint("/")
    def get_list(self):
        """Units the caller may see.
        ---
        get:
          summary: List units
        """
        units = db.session.scalars(restrict(select(Unit).order_by(Unit.code), Unit.id)).all()
        codes = dict(db.session.execute(select(Unit.id, Unit.code)).all())
        return self.response(200, result=[unit_json(u, codes) for u in units])


class PeriodApi(ReferenceApi):
    """Reporting periods of a form with their deadlines in force."""

    resource_name = "periods"
    method_permission_name = {"get_list": "read"}
    openapi_spec_methods = {"get_list": {"get": {
        "parameters": [FORM_PARAM, {"in": "query", "name": "from_year", "schema": {"type": "integer"}}],
        "responses": responses("PeriodListSchema", "400")}}}

    @endpoint("/")
    def get_list(self):
        """Periods of a form from a year to the last complete one.
        ---
        get:
          summary: List periods
        """
        form = self.form_arg(request.args.get("form"))
        kind = FORMS[form].period_kind
        last = last_complete(kind, today())
        try:
            first_year = int(request.args.get("from_year", last.year - 2))
        except ValueError:
            return self.error(400, "「from_year」应为年份")
        if not 2000 <= first_year <= last.year:
            return self.error(400, f"「from_year」应在 2000 至 {last.year} 之间")
        periods = periods_between(kind, Period(first_year, kind, 1), last)
        dues = deadlines_for(form, periods)
        return self.response(200, form=form, result=[
            {"key": p.key, "label": p.label, "start": p.start.isoformat(), "end": p.end.isoformat(),
             "deadline": dues[p.key].isoformat()} for p in periods])


class TimelinessApi(ReferenceApi):
    """Who filed a form's period on time, late or not at all (scoped)."""

    resource_name = "timeliness"
    method_permission_name = {"get": "read"}
    openapi_spec_methods = {"get": {"get": {
        "parameters": [FORM_PARAM, {"in": "query", "name": "period", "required": True,
                                    "schema": {"type": "string", "example": "2026Q2"}}],
        "responses": responses("TimelinessSchema", "400")}}}

    @endpoint("/")
    def get(self):
        """Timeliness of one form and period.
        ---
        get:
          summary: Filing timeliness
        """
        form = self.form_arg(request.args.get("form"))
        period = self.period_arg(request.args.get("period", ""), form)
        t = period_timeliness(form, period, visible_unit_ids())
        rate = t.completion_rate
        return self.response(
            200, form=form, period=period.key, deadline=t.deadline.isoformat(), expected=t.expected,
            on_time=t.count(ON_TIME), late=t.count(LATE), missing=t.count(MISSING),
            completion_rate=None if rate is None else float(round(rate, 6)),
            result=[{"unit_code": r.unit.code, "unit_name": r.unit.short_name, "status": r.status,
                     "reported_on": r.reported_on.isoformat() if r.reported_on else None,
                     "days_late": r.days_late} for r in t.rows])
