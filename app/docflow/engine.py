"""THE write path of document workflows: create a document for the user's own unit, and apply
a declared step (role, scope, version, state, reason, effect, transition row, audit, notice)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from ..audit import record
from ..clock import utcnow
from ..extensions import db
from ..filing.errors import Conflict, Forbidden, Invalid
from ..filing.workflow import check_version, clean_text
from ..models.docflow import DocTransition
from ..scope import in_scope, is_city_wide
from ..security import has_perm
from .spec import CAPABILITY, STAY, UNIT, DocKind, Step

CREATED = "create"


def may(user, kind: DocKind, doc, step: Step) -> bool:
    """Role and scope allow `user` to take `step` on `doc` (state aside). A unit's steps are
    the unit's own staff's (never the office's, whose scope is the whole city)."""
    if not has_perm(user, CAPABILITY[step.actor], kind.view) or not in_scope(doc.unit_id, user):
        return False
    return step.actor != UNIT or not is_city_wide(user)


def available_steps(user, kind: DocKind, doc) -> list[Step]:
    """The steps the user can take on the document now (for buttons)."""
    return [s for s in kind.steps.values() if doc.state in s.sources and may(user, kind, doc, s)]


def _log(kind: DocKind, doc, action: str, source: str | None, user, comment: str | None) -> DocTransition:
    step = DocTransition(kind=kind.code, doc_id=doc.id, action=action, from_state=source, to_state=doc.state,
                         user_id=user.id, username=user.username, comment=comment)
    db.session.add(step)
    return step


def create(kind: DocKind, doc, user, state: str) -> None:
    """Add a new document for the user's own unit (whatever a request said) in `state`; flushes
    and audits. The caller filled and validated the kind's own fields."""
    if not has_perm(user, CAPABILITY[UNIT], kind.view) or getattr(user, "unit_id", None) is None \
            or is_city_wide(user):
        raise Forbidden(f"只有单位用户可以新建{kind.label}")
    doc.unit_id, doc.state, doc.author = user.unit_id, state, user.username
    doc.created_at = doc.updated_at = utcnow()
    db.session.add(doc)
    db.session.flush()
    _log(kind, doc, CREATED, None, user, None)
    record(f"{kind.code}.{CREATED}", kind.code, doc.id, {"unit_id": doc.unit_id, "state": state}, user=user)


def apply(kind: DocKind, doc, step_name: str, user, *, reason: str | None = None, data: dict | None = None,
          expected_version=None, commit: bool = True) -> DocTransition:
    """Take step `step_name` on `doc`. Raises Forbidden (role/scope), Conflict (state/version) or
    Invalid (a missing reason, a bad field of the step); on any error nothing is written."""
    step = kind.steps.get(step_name)
    if step is None:
        raise Invalid("未知的操作")
    if not may(user, kind, doc, step):
        raise Forbidden(f"您无权执行“{step.label}”")
    check_version(doc, expected_version)
    if doc.state not in step.sources:
        raise Conflict(f"当前状态为“{kind.state_label(doc.state)}”，不能执行“{step.label}”")
    comment = clean_text(reason, step.reason or "意见", "reason")
    if step.reason and not comment:
        raise Invalid(f"「{step.reason}」为必填项", {"reason": f"「{step.reason}」为必填项"})
    source = doc.state
    target = source if step.target == STAY else step.target
    if step.effect is not None:
        chosen = step.effect(doc, data or {}, user, comment)
        if step.targets:
            assert chosen in step.targets, (step.name, chosen)
            target = chosen
    doc.state = target
    doc.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("该记录已被他人处理，请刷新后查看最新状态") from None
    entry = _log(kind, doc, step.name, source, user, comment)
    db.session.flush()
    record(f"{kind.code}.{step.name}", kind.code, doc.id, {"from": source, "to": target, "reason": comment},
           user=user)
    if step.notify:
        from .notify import tell_unit

        tell_unit(kind, doc, step, comment, user)
    if commit:
        db.session.commit()
    return entry


def history(kind: DocKind, doc) -> list[DocTransition]:
    """The document's steps, oldest first."""
    return list(db.session.scalars(select(DocTransition).where(
        DocTransition.kind == kind.code, DocTransition.doc_id == doc.id).order_by(DocTransition.id)))
