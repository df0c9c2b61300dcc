"""信息报送: units submit 法治工作信息 items; the office edits, adopts (in 简报 or 专报, at a level,
with 领导批示 recorded) or declines with a reason; items score per a configurable table and
units are ranked per year. A declaration on app.docflow; every write is apply or create.
"""

from __future__ import annotations

from flask import url_for

from ..clock import utcnow
from ..docflow import OFFICE, STAY, UNIT, DocKind, Step, create, declare
from ..docflow import files as docfiles
from ..docflow.timing import setting
from ..filing.errors import Invalid
from ..filing.workflow import clean_text
from ..models.docflow import InfoItem
from ..notices.html import MAX_BODY, clean, plain

INFO = "InfoItem"  # permission view: can_read, can_fill (units), can_review (the office)

DRAFT, SUBMITTED, ADOPTED, DECLINED = "draft", "submitted", "adopted", "declined"
STATES = {DRAFT: "草稿", SUBMITTED: "已报送", ADOPTED: "已采用", DECLINED: "未采用"}
CATEGORIES = {"news": "工作动态", "practice": "经验做法", "issue": "问题建议", "research": "调研报告", "other": "其他"}
ADOPTIONS = {"brief": "简报", "special": "专报"}
LEVELS = {"city": "市级", "province": "省级", "national": "国家级"}
# The score table (INFO_SCORES overrides any entry): per adoption, plus a level bonus and 领导批示.
SCORES = {"brief": 2, "special": 5, "instruction": 5, "city": 0, "province": 2, "national": 4}
SCORE_LABELS = {"brief": "简报采用", "special": "专报采用", "instruction": "领导批示（加分）",
                "city": "市级采用（加分）", "province": "省级采用（加分）", "national": "国家级采用（加分）"}


def score_table() -> dict[str, float]:
    return {**SCORES, **(setting("INFO_SCORES", None) or {})}


def points(item: InfoItem, table: dict | None = None) -> float:
    """An item's score: its adoption, its level's bonus and 领导批示'S bonus; 0 unless adopted."""
    if item.state != ADOPTED:
        return 0
    table = table or score_table()
    total = table.get(item.adoption, 0) + table.get(item.level or "city", 0)
    if item.instruction:
        total += table.get("instruction", 0)
    return total


def _fields(item: InfoItem, data: dict) -> None:
    errors = {}
    title = clean_text(data.get("title"), "标题", "title")
    if not title:
        errors["title"] = "「标题」为必填项"
    elif len(title) > 200:
        errors["title"] = "「标题」不能超过200个字"
    raw = data.get("body") if isinstance(data.get("body"), str) else ""
    body = clean(raw)
    if len(raw) > MAX_BODY:
        errors["body"] = f"「正文」不能超过{MAX_BODY}个字符"
    elif not plain(body, MAX_BODY):
        errors["body"] = "「正文」为必填项"
    category = data.get("category")
    if category not in CATEGORIES:
        errors["category"] = "请选择「信息类别」：" + "、".join(CATEGORIES.values())
    if errors:
        raise Invalid("；".join(errors.values()), errors)
    item.title, item.body, item.category = title, body, category


def _edit(item, data, user, comment):
    _fields(item, data)
    for checked in data.get("files") or ():
        docfiles.store(KIND.code, item.id, docfiles.ATTACHMENT, checked, user.username)


def create_item(user, data: dict) -> InfoItem:
    """A new draft for the user's own unit; flushes."""
    item = InfoItem()
    _fields(item, data)
    create(KIND, item, user, DRAFT)
    for checked in data.get("files") or ():
        docfiles.store(KIND.code, item.id, docfiles.ATTACHMENT, checked, user.username)
    return item


def _submit(item, data, user, comment):
    item.submitted_at = utcnow()


def _adopt(item, data, user, comment):
    if data.get("adoption") not in ADOPTIONS:
        raise Invalid("请选择「采用类型」：简报或专报", {"adoption": "请选择「采用类型」"})
    if data.get("level") not in LEVELS:
        raise Invalid("请选择「采用层级」：" + "、".join(LEVELS.values()), {"level": "请选择「采用层级」"})
    item.adoption, item.level = data["adoption"], data["level"]
    item.instruction = clean_text(data.get("instruction"), "领导批示", "instruction")
    item.decided_at = utcnow()


def _decline(item, data, user, comment):
    item.decline_reason, item.decided_at = comment, utcnow()


def _instruct(item, data, user, comment):
    text = clean_text(data.get("instruction"), "领导批示", "instruction")
    if not text:
        raise Invalid("「领导批示」为必填项", {"instruction": "「领导批示」为必填项"})
    item.instruction = text


KIND = declare(
    DocKind("info", "法治工作信息", InfoItem, INFO, STATES, url=lambda item: url_for("InfoItemView.show", pk=item.id)),
    Step("edit", "保存", frozenset({DRAFT}), STAY, UNIT, effect=_edit),
    Step("submit", "报送", frozenset({DRAFT}), SUBMITTED, UNIT, effect=_submit, style="success"),
    Step("office_edit", "编辑", frozenset({SUBMITTED}), STAY, OFFICE, effect=_edit, style="default"),
    Step("adopt", "采用", frozenset({SUBMITTED}), ADOPTED, OFFICE, effect=_adopt, notify=True, style="success"),
    Step("decline", "不予采用", frozenset({SUBMITTED}), DECLINED, OFFICE, reason="不予采用理由", effect=_decline,
         notify=True, style="warning"),
    Step("instruct", "记录领导批示", frozenset({ADOPTED}), STAY, OFFICE, effect=_instruct, notify=True,
         style="default"),
)
