"""Response and request schemas of the portal's API, published in the OpenAPI spec.

Every endpoint names its response schema exactly, and the tests validate every response
against the spec the portal serves at /api/v1/_openapi.
"""

from marshmallow import Schema, fields


class ErrorSchema(Schema):
    message = fields.Raw(required=True, metadata={"description": "中文错误信息"})
    errors = fields.Dict(keys=fields.String(), values=fields.String())


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
    values = fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True),
                         metadata={"description": "counts as integers, money as 元 strings"})
    rates = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))


class FilingResultSchema(Schema):
    result = fields.Nested(FilingSchema, required=True)


class FilingSavedSchema(Schema):
    changed = fields.List(fields.String(), required=True)
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
    citizen_id = fields.String(required=True, metadata={"description": "masked except for administrators"})
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


ALL = (ErrorSchema, FilingSchema, FilingResultSchema, FilingSavedSchema, FilingListSchema, FilingCreateSchema,
       ValuesPutSchema, TransitionPostSchema, CertificateBriefSchema, StaffSchema, StaffResultSchema,
       StaffListSchema, UnitSchema, UnitListSchema, PeriodSchema, PeriodListSchema, TimelinessRowSchema,
       TimelinessSchema)
