"""修改申请: changing figures already signed off, by a request the municipal office decides."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from ..audit import record
from ..clock import utcnow
from ..extensions import db
from ..forms import form_of
from ..models.filing import CorrectionRequest, Filing
from ..models.values import value_model
from ..scope import in_scope
from ..security import FILING, has_perm
from .errors import Conflict, Forbidden, Invalid
from .values import current_values, parse_and_check, recount_neighbours, warnings_for
from .workflow import REPORTED, clean_text, state_label

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
CORRECTION_STATES = {PENDING: "待审核", APPROVED: "已批准", REJECTED: "已驳回"}


def pending_request(filing: Filing) -> CorrectionRequest | None:
    return db.session.scalar(
        select(CorrectionRequest).where(
            CorrectionRequest.filing_id == filing.id, CorrectionRequest.state == PENDING
        )
    )


def request_correction(filing: Filing, raw: Mapping[str, Any], reason: str, user,
                       commit: bool = True) -> CorrectionRequest:
    """File a request to change a signed-off filing. The proposed values meet the same rules."""
    if not (has_perm(user, "can_fill", FILING) and in_scope(filing.unit_id, user)):
        raise Forbidden("您无权为该报表提交修改申请")
    if filing.state not in REPORTED:
        raise Conflict(f"报表状态为“{state_label(filing.state)}”，可直接修改，无需修改申请")
    if pending_request(filing):
        raise Conflict("该报表已有待审核的修改申请")
    reason = clean_text(reason, "修改原因", "reason")
    if not reason:
        raise Invalid("「修改原因」为必填项", {"reason": "「修改原因」为必填项"})
    values, _ = parse_and_check(filing, raw)
    if values == current_values(filing):
        raise Invalid("修改后的数据与现有数据相同，无需申请")
    req = CorrectionRequest(
        filing_id=filing.id, base_revision=filing.revision, reason=reason, proposed=values,
        state=PENDING, requested_by_id=user.id, requested_by=user.username,
    )
    db.session.add(req)
    # Touching the filing bumps its version: of two requests filed at once, one conflicts.
    filing.updated_at = utcnow()
    _flush_or_conflict("该报表刚有其他修改申请或操作，请刷新后查看")
    record("correction.request", "correction_request", req.id,
           {"filing": filing.id, "changes": {k: v for k, v in diff(req).items()}}, user=user)
    if commit:
        db.session.commit()
    return req


def _flush_or_conflict(message: str) -> None:
    """Flush; a concurrent change of the same filing (version, or the revision's unique row)
    becomes a Conflict with nothing written."""
    try:
        db.session.flush()
    except (StaleDataError, IntegrityError):
        db.session.rollback()
        raise Conflict(message) from None


def diff(req: CorrectionRequest) -> dict[str, list]:
    """{field: [old, new]} for the fields the request changes, against its base revision."""
    from .values import row_values, value_row

    base = row_values(form_of(req.filing), value_row(req.filing, req.base_revision))
    return {k: [base.get(k), v] for k, v in req.proposed.items() if base.get(k) != v}


def diff_rows(req: CorrectionRequest) -> list[tuple[str, str, str]]:
    """(label, old, new) display rows for the reviewer."""
    spec = form_of(req.filing)
    return [(spec.field(k).label, spec.field(k).display(o), spec.field(k).display(n))
            for k, (o, n) in diff(req).items()]


def decide(req: CorrectionRequest, approve: bool, comment: str | None, user,
           commit: bool = True) -> None:
    """Approve (new revision with the proposed values) or reject (reason required)."""
    filing = req.filing
    if not (has_perm(user, "can_review", FILING) and in_scope(filing.unit_id, user)):
        raise Forbidden("您无权审核修改申请")
    if req.state != PENDING:
        raise Conflict("该修改申请已处理")
    comment = clean_text(comment, "驳回原因" if not approve else "意见", "comment")
    if not approve and not comment:
        raise Invalid("「驳回原因」为必填项", {"comment": "「驳回原因」为必填项"})
    changes = None
    if approve:
        if filing.revision != req.base_revision:
            raise Conflict("报表数据在申请后已变化，请驳回后由单位重新申请")
        changes = diff(req)
        # the reviewer's list shows the warnings of the figures in force; read before anything
        # changes: a query after the changes would flush them outside the conflict check below
        # (a second reviewer deciding at once then met a bare StaleDataError)
        warning_count = len(warnings_for(filing, req.proposed))
        model = value_model(filing.form_code)
        db.session.add(model(filing_id=filing.id, revision=filing.revision + 1, **req.proposed))
        filing.revision += 1
        filing.warning_count = warning_count
    req.state = APPROVED if approve else REJECTED
    req.decided_by, req.decided_at, req.decision_comment = user.username, utcnow(), comment
    # Both decisions bump the filing's version, so two reviewers deciding at once cannot both
    # win (one approving while the other rejects would leave new figures on a rejected request).
    filing.updated_at = utcnow()
    _flush_or_conflict("该修改申请已被他人处理，请刷新后查看")
    if changes is not None:
        record("filing.values", "filing", filing.id,
               {"revision": filing.revision, "source": "correction", "correction": req.id,
                "changes": changes}, user=user)
    record("correction." + req.state, "correction_request", req.id,
           {"filing": filing.id, "comment": comment}, user=user)
    if commit:
        db.session.commit()
    if changes is not None:  # the unit's open filings compare with these figures
        recount_neighbours(filing, commit=commit)
