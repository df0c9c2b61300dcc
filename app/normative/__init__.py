"""规范性文件备案审查: a unit files each normative document it issued within the filing limit after
publication; the office registers it (or refuses, with a reason), reviews it, and follows the
unit's response within its deadline; documents are periodically marked 有效 / 失效 / 废止.

Everything here is a declaration on app.docflow (states, steps, effects) plus the queries of
the pages: search and statistics. Every write is app.docflow.apply or app.docflow.create.
"""

from __future__ import annotations

import datetime as dt

from flask import url_for

from ..clock import today, utcnow
from ..docflow import OFFICE, STAY, UNIT, DocKind, Step, create, declare
from ..docflow import files as docfiles
from ..docflow.timing import days_after, setting
from ..filing.errors import Invalid
from ..filing.workflow import clean_text
from ..models.docflow import NormativeDoc

NORMATIVE = "NormativeDoc"  # permission view: can_read, can_fill (units), can_review (the office)
FILING_DAYS, RESPONSE_DAYS = 30, 30  # defaults of NORMATIVE_FILING_DAYS and NORMATIVE_RESPONSE_DAYS

DRAFT, SUBMITTED, REGISTERED, REJECTED = "draft", "submitted", "registered", "rejected"
PASSED, AWAITING, RESPONDED, CLOSED = "passed", "awaiting", "responded", "closed"
STATES = {DRAFT: "草稿", SUBMITTED: "已报送", REGISTERED: "已登记", REJECTED: "不予登记",
          PASSED: "审查无问题", AWAITING: "待单位答复", RESPONDED: "单位已答复", CLOSED: "已办结"}
FILED = frozenset(STATES) - {DRAFT}
RESULTS = {"ok": "无问题", "suggest": "建议修改", "correct": "纠正", "revoke": "撤销"}
CORRECTED = frozenset({"correct", "revoke"})  # 审查纠错
VALIDITY = {"valid": "有效", "expired": "失效", "repealed": "废止"}
TEXT_MAX = 20_000

FIELDS = {  # name → (label, kind, required)
    "title": ("文件名称", "str", True),
    "doc_number": ("文号", "str", True),
    "issuer": ("制定机关", "str", True),
    "published_on": ("公布日期", "date", True),
    "effective_on": ("施行日期", "date", False),
    "valid_until": ("有效期至", "date", False),
    "drafting_note": ("起草说明", "text", False),
    "legal_basis": ("制定依据", "text", False),
    "legality_opinion": ("合法性审核意见", "text", False),
    "disclosure": ("公开情况", "text", False),
}


def filing_days() -> int:
    return int(setting("NORMATIVE_FILING_DAYS", FILING_DAYS))


def response_days() -> int:
    return int(setting("NORMATIVE_RESPONSE_DAYS", RESPONSE_DAYS))


def parse_date(value, label: str, field: str) -> dt.date | None:
    """A YYYY-MM-DD date, None when empty; Invalid naming the field otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise Invalid(f"「{label}」应为日期（年-月-日）", {field: f"「{label}」应为日期（年-月-日）"}) from None


def _clean_fields(data: dict) -> dict:
    out, errors = {}, {}
    for name, (label, kind, required) in FIELDS.items():
        try:
            if kind == "date":
                value = parse_date(data.get(name), label, name)
            else:
                value = clean_text(data.get(name), label, name)
                limit = 200 if name in ("title", "issuer") else 100 if name == "doc_number" else TEXT_MAX
                if value and len(value) > limit:
                    raise Invalid(f"「{label}」不能超过{limit}个字", {name: f"「{label}」不能超过{limit}个字"})
        except Invalid as exc:
            errors.update(exc.errors)
            continue
        if required and not value:
            errors[name] = f"「{label}」为必填项"
        out[name] = value
    if not errors and out["effective_on"] and out["effective_on"] < out["published_on"]:
        errors["effective_on"] = "「施行日期」不能早于「公布日期」"
    if not errors and out["valid_until"] and out["valid_until"] < out["published_on"]:
        errors["valid_until"] = "「有效期至」不能早于「公布日期」"
    if errors:
        raise Invalid("；".join(errors.values()), errors)
    return out


def write_fields(doc: NormativeDoc, data: dict, user) -> None:
    """Validate every field, then write them (the deadline follows the publication date); a new
    text file (data["text_file"], checked) replaces the old one."""
    values = _clean_fields(data)
    for name, value in values.items():
        setattr(doc, name, value)
    doc.due_on = days_after(doc.published_on, filing_days())
    if data.get("text_file") is not None and doc.id is not None:
        docfiles.store(KIND.code, doc.id, docfiles.TEXT, data["text_file"], user.username, replace=True)


def create_doc(user, data: dict) -> NormativeDoc:
    """A new draft for the user's own unit (never a unit the request names); flushes."""
    doc = NormativeDoc()
    write_fields(doc, data, user)
    create(KIND, doc, user, DRAFT)
    if data.get("text_file") is not None:
        docfiles.store(KIND.code, doc.id, docfiles.TEXT, data["text_file"], user.username)
    return doc


def _edit(doc, data, user, comment):
    write_fields(doc, data, user)


def _submit(doc, data, user, comment):
    if not docfiles.files_of(KIND.code, doc.id, docfiles.TEXT):
        raise Invalid("请先上传「文件文本」（PDF 或 Word）再报送备案", {"text_file": "「文件文本」为必填项"})
    if doc.filed_at is None:  # timeliness is judged on the first filing
        doc.filed_at = utcnow()


def _register(doc, data, user, comment):
    doc.registered_at = utcnow()


def _reject(doc, data, user, comment):
    doc.reject_reason = comment


def _review(doc, data, user, comment):
    result = data.get("result")
    if result not in RESULTS:
        raise Invalid("请选择「审查结论」：" + "、".join(RESULTS.values()), {"result": "请选择「审查结论」"})
    opinion = clean_text(data.get("opinion"), "审查意见", "opinion")
    if result != "ok" and not opinion:
        raise Invalid("审查结论不是“无问题”时，「审查意见」为必填项", {"opinion": "「审查意见」为必填项"})
    doc.review_result, doc.review_opinion, doc.reviewed_at = result, opinion, utcnow()
    if data.get("opinion_file") is not None:
        docfiles.store(KIND.code, doc.id, docfiles.OPINION, data["opinion_file"], user.username, replace=True)
    if result == "ok":
        return PASSED
    doc.response_due = days_after(today(), response_days())
    return AWAITING


def _respond(doc, data, user, comment):
    text = clean_text(data.get("response"), "答复意见", "response")
    if not text:
        raise Invalid("「答复意见」为必填项", {"response": "「答复意见」为必填项"})
    doc.response, doc.responded_at = text, utcnow()


def _mark(doc, data, user, comment):
    validity = data.get("validity")
    if validity not in VALIDITY:
        raise Invalid("请选择「清理结果」：" + "、".join(VALIDITY.values()), {"validity": "请选择「清理结果」"})
    on = parse_date(data.get("validity_on"), "清理日期", "validity_on")
    if validity != "valid" and on is None:
        raise Invalid("「失效或废止日期」为必填项", {"validity_on": "「失效或废止日期」为必填项"})
    doc.validity, doc.validity_on = validity, on


KIND = declare(
    DocKind("normative", "规范性文件", NormativeDoc, NORMATIVE, STATES,
            url=lambda doc: url_for("NormativeDocView.show", pk=doc.id)),
    Step("edit", "保存", frozenset({DRAFT, REJECTED}), STAY, UNIT, effect=_edit),
    Step("submit", "报送备案", frozenset({DRAFT, REJECTED}), SUBMITTED, UNIT, effect=_submit, style="success"),
    Step("register", "登记", frozenset({SUBMITTED}), REGISTERED, OFFICE, effect=_register, notify=True,
         style="success"),
    Step("reject", "不予登记", frozenset({SUBMITTED}), REJECTED, OFFICE, reason="不予登记理由", effect=_reject,
         notify=True, style="warning"),
    Step("review", "审查", frozenset({REGISTERED}), PASSED, OFFICE, effect=_review,
         targets=frozenset({PASSED, AWAITING}), notify=True),
    Step("respond", "提交答复", frozenset({AWAITING}), RESPONDED, UNIT, effect=_respond, style="success"),
    Step("close", "办结", frozenset({RESPONDED}), CLOSED, OFFICE, notify=True, style="success"),
    Step("mark", "清理标记", frozenset({REGISTERED, PASSED, AWAITING, RESPONDED, CLOSED}), STAY, OFFICE,
         effect=_mark, style="default"),
)
