"""Response and request schemas of the portal's API, published in the OpenAPI spec.

Every endpoint names its response schema exactly, and the tests validate every response
against the spec the portal serves at /api/v1/_openapi.
"""

from marshmallow import Schema, fields

from ..filing.return_reasons import REASONS


class ErrorSchema(Schema):
    message = fields.Raw(required=True, metadata={"description": "中文错误信息"})
    errors = fields.Dict(keys=fields.String(), values=fields.String())
    request_id = fields.String(metadata={"description": "请求编号（日志、审计记录中的同一编号）"})


class FilingSchema(Schema):
    id = fields.Integer(required=True)
    form = fields.String(required=True)
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    period = fields.String(required=True, metadata={"example": "2026Q2"})
    period_label = fields.String(required=True)
    state = fields.String(required=True, metadata={"enum": ["draft", "pending", "submitted", "accepted",
                                                            "returned"]})
    state_label = fields.String(required=True)
    revision = fields.Integer(required=True)
    version = fields.Integer(required=True)
    form_version = fields.String(required=True, metadata={
        "description": "the form version of the filing's period (\"\" for a form with one version); "
                       "its fields: GET /api/v1/forms/?form=…&period=…"})
    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                         metadata={"description": "counts as integers, money as 元 strings"})
    rates = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class FilingResultSchema(Schema):
    result = fields.Nested(FilingSchema, required=True)


class FilingSavedSchema(Schema):
    changed = fields.List(fields.String(), required=True)
    warnings = fields.List(fields.String(), required=True, metadata={
        "description": "情况需说明：提交（submit）时须填写 explanation"})
    result = fields.Nested(FilingSchema, required=True)


class FilingListSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    result = fields.List(fields.Nested(FilingSchema), required=True)


class FilingCreateSchema(Schema):
    form = fields.String(required=True)
    period = fields.String(required=True)


VERSION_DOC = {"description": "the filing's version as last read (GET): a missing one is a 400, a stale one "
                              "a 409 — no write overwrites a change the caller has not seen"}


class ValuesPutSchema(Schema):
    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True)
    version = fields.Integer(required=True, metadata=VERSION_DOC)
    explanation = fields.String()


class TransitionPostSchema(Schema):
    action = fields.String(required=True, metadata={"enum": ["submit", "sign_off", "unit_return", "accept",
                                                             "return"]})
    comment = fields.String()
    version = fields.Integer(required=True, metadata=VERSION_DOC)
    explanation = fields.String()
    reason_code = fields.String(metadata={
        "enum": list(REASONS),
        "description": "退回（return, unit_return）时的退回原因代码（app/filing/return_reasons.py）；"
                       "不填则记为 other（其他），此时 comment 必填"})


class CertificateBriefSchema(Schema):
    type = fields.String(required=True)
    number = fields.String(required=True)
    valid_until = fields.String(allow_none=True, required=True)
    status = fields.String(required=True)


class StaffSchema(Schema):
    id = fields.Integer(required=True)
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    name = fields.String(required=True)
    citizen_id = fields.String(required=True, metadata={"description": "masked (110101********1234)"})
    sex = fields.String(required=True)
    birth_date = fields.String(required=True)
    education = fields.String(required=True)
    major = fields.String(required=True)
    post = fields.String(required=True)
    rank = fields.String(required=True)
    status = fields.String(required=True)
    certificates = fields.List(fields.Nested(CertificateBriefSchema), required=True)


class StaffResultSchema(Schema):
    result = fields.Nested(StaffSchema, required=True)


class CitizenIdBodySchema(Schema):
    id = fields.Integer(required=True)
    citizen_id = fields.String(required=True, metadata={"description": "whole; the read is audited"})


class CitizenIdSchema(Schema):
    result = fields.Nested(CitizenIdBodySchema, required=True)


class StaffListSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    result = fields.List(fields.Nested(StaffSchema), required=True)


class UnitSchema(Schema):
    code = fields.String(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    kind = fields.String(required=True)
    parent_code = fields.String(allow_none=True, required=True)
    valid_from = fields.String(required=True)
    valid_to = fields.String(allow_none=True, required=True)
    successor_code = fields.String(allow_none=True, required=True)


class UnitListSchema(Schema):
    result = fields.List(fields.Nested(UnitSchema), required=True)


class PeriodSchema(Schema):
    key = fields.String(required=True)
    label = fields.String(required=True)
    start = fields.String(required=True)
    end = fields.String(required=True)
    deadline = fields.String(required=True)


class PeriodListSchema(Schema):
    form = fields.String(required=True)
    result = fields.List(fields.Nested(PeriodSchema), required=True)


class TimelinessRowSchema(Schema):
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["on_time", "late", "missing"]})
    reported_on = fields.String(allow_none=True, required=True)
    days_late = fields.Integer(required=True)


class TimelinessSchema(Schema):
    form = fields.String(required=True)
    period = fields.String(required=True)
    deadline = fields.String(required=True)
    expected = fields.Integer(required=True)
    on_time = fields.Integer(required=True)
    late = fields.Integer(required=True)
    missing = fields.Integer(required=True)
    completion_rate = fields.Float(allow_none=True, required=True)
    result = fields.List(fields.Nested(TimelinessRowSchema), required=True)


class FormFieldSchema(Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["count", "money", "text", "choice"]})
    group = fields.String(required=True)
    required = fields.Boolean(required=True)
    choices = fields.List(fields.String(), required=True)


class FormRateSchema(Schema):
    name = fields.String(required=True)
    label = fields.String(required=True)
    numerator = fields.List(fields.String(), required=True)
    denominator = fields.List(fields.String(), required=True)


class FormDeclarationSchema(Schema):
    form = fields.String(required=True)
    version = fields.String(required=True)
    valid_from = fields.String(allow_none=True, required=True)
    title = fields.String(required=True)
    period_kind = fields.String(required=True)
    note = fields.String(required=True)
    fields_ = fields.List(fields.Nested(FormFieldSchema), required=True, data_key="fields")
    rates = fields.List(fields.Nested(FormRateSchema), required=True)


class VersionSpanSchema(Schema):
    version = fields.String(required=True)
    valid_from = fields.String(allow_none=True, required=True)


class FormVersionSchema(Schema):
    result = fields.Nested(FormDeclarationSchema, required=True)
    versions = fields.List(fields.Nested(VersionSpanSchema), required=True)


def values_schema_name(spec) -> str:
    """e.g. ReconsiderationValues2024: the values object of one form version."""
    return "".join(p.title() for p in spec.code.split("_")) + "Values" + spec.version


def _values_schemas() -> tuple:
    """One schema per form version, from its declaration: what PUT …/values takes for its periods."""
    from ..forms import VERSIONS
    from ..forms.base import COUNT, MONEY

    out = []
    for versions in VERSIONS.values():
        for spec in versions:
            attrs = {}
            for f in spec.fields:
                meta = {"description": f.label + (f"（{spec.version_label}，{spec.valid_from or '起始'}起）"
                                                  if spec.version else "")}
                if f.kind == COUNT:
                    attrs[f.name] = fields.Integer(required=f.required, allow_none=not f.required, metadata=meta)
                elif f.kind == MONEY:
                    attrs[f.name] = fields.String(required=f.required, metadata={**meta, "example": "12000.00"})
                else:
                    attrs[f.name] = fields.String(required=f.required, allow_none=not f.required, metadata=meta)
            out.append(type(values_schema_name(spec), (Schema,), attrs))
    return tuple(out)


class ApplicantSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": ["公民", "法人或其他组织"]})
    name = fields.String(required=True)
    id_number = fields.String(allow_none=True, metadata={
        "description": "身份证号：仅办理该案件的单位登记人员可见全文，其他人为 110101********1234；"
                       "写入时原样带回打码的号码表示不变"})
    phone = fields.String(allow_none=True)


_CASE_TEXT = ("receipt_channel", "respondent_name", "respondent_level", "domain", "matter", "act_name",
              "act_number", "intake", "refusal_reason", "procedure", "extension_reason", "extension_approver",
              "outcome", "note")
_CASE_DATES = ("receipt_date", "act_date", "amend_requested", "amend_received", "intake_date", "suspended_on",
               "resumed_on", "decided_on")


def _case_fields(write: bool) -> dict:
    out = {name: fields.String(allow_none=True) for name in _CASE_TEXT}
    out.update({name: fields.String(allow_none=True, metadata={"format": "date", "example": "2026-03-02"})
                for name in _CASE_DATES})
    out.update({name: fields.Boolean() for name in ("hearing", "committee", "opinion_issued", "suggestion_issued")})
    out.update(group_size=fields.Integer(allow_none=True), extension_days=fields.Integer(allow_none=True),
               respondent_unit=fields.String(allow_none=True, metadata={"description": "被申请人的单位代码"}),
               applicants=fields.List(fields.Nested(ApplicantSchema)))
    if write:
        out["version"] = fields.Integer(metadata=VERSION_DOC)
    else:
        out.update(id=fields.Integer(required=True), version=fields.Integer(required=True),
                   case_no=fields.String(required=True), unit_code=fields.String(required=True),
                   unit_name=fields.String(required=True), people=fields.Integer(required=True),
                   deadline=fields.String(allow_none=True), deadline_rule=fields.String(required=True))
    return out


ReconCaseSchema = Schema.from_dict(_case_fields(False), name="ReconCaseSchema")
ReconCaseWriteSchema = Schema.from_dict(_case_fields(True), name="ReconCaseWriteSchema")


class ReconCaseResultSchema(Schema):
    result = fields.Nested(ReconCaseSchema, required=True)


class ReconCaseListSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    result = fields.List(fields.Nested(ReconCaseSchema), required=True)


ALL = (ErrorSchema, ApplicantSchema, ReconCaseSchema, ReconCaseWriteSchema, ReconCaseResultSchema,
       ReconCaseListSchema, FilingSchema, FilingResultSchema, FilingSavedSchema, FilingListSchema, FilingCreateSchema,
       ValuesPutSchema, TransitionPostSchema, CertificateBriefSchema, StaffSchema, StaffResultSchema, CitizenIdSchema,
       StaffListSchema, UnitSchema, UnitListSchema, PeriodSchema, PeriodListSchema, TimelinessRowSchema,
       TimelinessSchema, FormFieldSchema, FormRateSchema, FormDeclarationSchema, VersionSpanSchema,
       FormVersionSchema, *_values_schemas())


# The statistics feed (/api/v1/statistics/): figures keyed by name (see the catalogue).
FIGURES = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True, metadata={
    "description": "name → figure: counts as integers, money as 元 strings, rates as fractions (6 places); "
                   "null where the report shows “—”",
    "example": {"decisions_total": 1240, "amount_fines": "7655321.09", "challenge_correction_rate": 0.0357}})


class CoverageSchema(Schema):
    expected = fields.Integer(required=True, metadata={"description": "filings expected (unit × period) by the "
                                                                      "filing engine's rules (报送情况)"})
    reported = fields.Integer(required=True, metadata={"description": "of those, signed off (on time or late)"})
    counted = fields.Integer(required=True, metadata={"description": "filings the figures count (in `states`)"})
    states = fields.List(fields.String(), required=True, metadata={"example": ["accepted"]})


class ComparedSchema(Schema):
    period = fields.String(allow_none=True, required=True, metadata={
        "description": "the base period (2023Q2) or range (2023Q1-2023Q4)", "example": "2023Q2"})
    figures = FIGURES
    change = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True), required=True, metadata={
        "description": "current − base (rates: difference of fractions, i.e. points ÷ 100)"})
    pct = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True), required=True, metadata={
        "description": "(current − base) ÷ base; null for rates, zero or missing bases"})


class StatisticsRowSchema(Schema):
    period = fields.String(allow_none=True, required=True, metadata={
        "description": "the bucket (split=1) or null (the whole range)", "example": "2024Q1"})
    period_label = fields.String(required=True, metadata={"example": "2024年第1季度"})
    code = fields.String(required=True, metadata={"description": "unit code, unit kind, parent unit code, or "
                                                                 "\"\" (city, totals)", "example": "0100"})
    label = fields.String(required=True, metadata={"example": "东城区"})
    filings = fields.Integer(required=True)
    coverage = fields.Nested(CoverageSchema, required=True)
    figures = FIGURES
    small_base = fields.List(fields.String(), required=True, metadata={
        "description": "rates over fewer cases than RATE_MIN_BASE (shown with * and never ranked)"})
    yoy = fields.Nested(ComparedSchema, metadata={"description": "同比 (compare=yoy)"})
    mom = fields.Nested(ComparedSchema, metadata={"description": "环比 (compare=mom; not for years)"})


class StatisticsColumnSchema(Schema):
    name = fields.String(required=True, metadata={"example": "amount_fines"})
    label = fields.String(required=True, metadata={"example": "罚款金额（元）"})
    kind = fields.String(required=True, metadata={"enum": ["count", "money", "rate"]})
    unit = fields.String(required=True, metadata={"enum": ["count", "元", "fraction"]})


class StatisticsSchema(Schema):
    form = fields.String(required=True, metadata={"example": "penalty"})
    form_version = fields.String(required=True, metadata={"example": "2021"})
    title = fields.String(required=True)
    versions = fields.List(fields.String(), required=True, metadata={
        "description": "form versions the range spans"})
    partial = fields.List(fields.String(), required=True, metadata={
        "description": "fields an older version in the range did not collect (null where so)"})
    first = fields.String(required=True, metadata={"example": "2024Q1"})
    last = fields.String(required=True, metadata={"example": "2024Q4"})
    period_label = fields.String(required=True)
    split = fields.Boolean(required=True)
    by = fields.String(required=True, metadata={"enum": ["unit", "kind", "parent", "city"]})
    successor = fields.Boolean(required=True)
    basis = fields.String(required=True, metadata={"enum": ["accepted", "reported"]})
    states = fields.List(fields.String(), required=True)
    scope = fields.String(required=True, metadata={"example": "全市"})
    generated_at = fields.String(required=True, metadata={"example": "2026-11-29T21:40:00.000000Z"})
    last_change = fields.String(allow_none=True, required=True, metadata={
        "description": "the latest acceptance, sign-off, return or correction of the form in scope"})
    columns = fields.List(fields.Nested(StatisticsColumnSchema), required=True)
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    result = fields.List(fields.Nested(StatisticsRowSchema), required=True)
    totals = fields.List(fields.Nested(StatisticsRowSchema), required=True, metadata={
        "description": "合计 of every group, one per bucket"})


class IndicatorPartSchema(Schema):
    name = fields.String(allow_none=True, required=True)
    label = fields.String(required=True)


class IndicatorVersionSchema(Schema):
    version = fields.String(required=True)
    version_label = fields.String(required=True)
    periods = fields.String(required=True, metadata={"example": "2024年上半年起"})
    definition = fields.String()
    numerator = fields.List(fields.Nested(IndicatorPartSchema))
    denominator = fields.List(fields.Nested(IndicatorPartSchema))


class IndicatorSchema(Schema):
    form = fields.String(allow_none=True, required=True, metadata={"description": "null: 报送情况 (every form)"})
    name = fields.String(required=True, metadata={"example": "correction_rate"})
    label = fields.String(required=True)
    kind = fields.String(required=True, metadata={"enum": ["field", "choice", "combined", "rate", "timeliness"]})
    group = fields.String(required=True)
    unit = fields.String(required=True, metadata={"description": "unit of measure", "example": "%"})
    definition = fields.String(required=True)
    numerator = fields.List(fields.Nested(IndicatorPartSchema), required=True)
    denominator = fields.List(fields.Nested(IndicatorPartSchema), required=True)
    source = fields.String()
    versions = fields.List(fields.Nested(IndicatorVersionSchema), required=True)


class IndicatorListSchema(Schema):
    count = fields.Integer(required=True)
    result = fields.List(fields.Nested(IndicatorSchema), required=True)


class ChangeEventSchema(Schema):
    at = fields.String(required=True, metadata={"example": "2026-11-29T08:15:02.123456Z"})
    event = fields.String(required=True, metadata={"enum": ["sign_off", "accept", "return", "correction"]})
    form = fields.String(required=True)
    period = fields.String(required=True)
    period_label = fields.String(required=True)
    unit_code = fields.String(required=True)
    unit_name = fields.String(required=True)
    filing_id = fields.Integer(required=True)
    state = fields.String(required=True)
    revision = fields.Integer(allow_none=True, required=True, metadata={
        "description": "the revision an approved correction made current"})
    bases = fields.List(fields.String(), required=True, metadata={
        "description": "the bases (basis=…) whose figures the event changes"})


class ChangeListSchema(Schema):
    count = fields.Integer(required=True)
    page = fields.Integer(required=True)
    page_size = fields.Integer(required=True)
    generated_at = fields.String(required=True)
    result = fields.List(fields.Nested(ChangeEventSchema), required=True)


ALL = (*ALL, CoverageSchema, ComparedSchema, StatisticsRowSchema, StatisticsColumnSchema, StatisticsSchema,
       IndicatorPartSchema, IndicatorVersionSchema, IndicatorSchema, IndicatorListSchema, ChangeEventSchema,
       ChangeListSchema)
