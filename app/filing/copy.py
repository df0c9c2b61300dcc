"""复制上期: start an empty draft of a slow-moving form (the yearly institution report) from the
unit's previous filed period. One write path: the figures go through save_values (rules, lock,
scope and the per-field audit), read in this period's form version; figures the form derives
from the registers (prefill) are taken fresh, not copied."""

from __future__ import annotations

from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..forms import VERSIONS, form_of
from ..forms.versions import translate
from ..models.filing import Filing
from .errors import Conflict, Forbidden, Invalid
from .values import current_values, may_write, prefill_values, save_values


def previous_filed(filing: Filing) -> Filing | None:
    """The unit's latest filing of the same form for an earlier period that was signed off
    (已上报 or 已通过): what 复制上期 copies."""
    from .workflow import REPORTED

    return db.session.scalar(
        select(Filing).where(Filing.form_code == filing.form_code, Filing.unit_id == filing.unit_id,
                             Filing.state.in_(REPORTED), Filing.year <= filing.year,
                             Filing.period_key != filing.period_key)
        .order_by(Filing.year.desc(), Filing.sub.desc()).limit(1))


def _check(filing: Filing, user) -> None:
    """Refuse (Forbidden, Invalid, Conflict) what 复制上期 may not touch: the user's role and
    scope, a form that does not offer it, a locked filing, a filing with figures."""
    from .workflow import EDITABLE, state_label

    spec = form_of(filing)
    if not may_write(user, filing):
        raise Forbidden("您无权修改该报表")
    if not spec.copy_previous:
        raise Invalid(f"{spec.menu_title}不提供“复制上期”")
    if filing.state not in EDITABLE:
        raise Conflict(f"报表状态为“{state_label(filing.state)}”，已锁定，不能复制上期")
    if any(v is not None for v in current_values(filing).values()):
        raise Conflict("本期已填写数据：复制上期只用于尚未填写的报表")


def may_copy(filing: Filing, user) -> bool:
    """Whether the form offers 复制上期 for `filing` to `user` (the button; the same checks as
    :func:`copy_previous`, which makes them again when asked)."""
    from .errors import FilingError

    try:
        _check(filing, user)
    except FilingError:
        return False
    return True


def copy_previous(filing: Filing, user, commit: bool = True) -> dict:
    """Fill the empty, editable `filing` with the previous filed period's figures and save them
    (audited as filing.copy_previous plus the usual per-field filing.values row). Returns the
    changes. Raises Forbidden (role, scope), Conflict (locked, not empty) or Invalid (form not
    slow-moving, nothing to copy, or the copied figures break a rule: `exc.values` then holds
    them as typed, for the form to show with its errors); nothing is written in that case."""
    spec = form_of(filing)
    _check(filing, user)
    prev = previous_filed(filing)
    if prev is None:
        raise Invalid("没有可复制的上期数据：本单位此前没有已上报的该报表")
    source = form_of(prev)
    values = translate(VERSIONS[filing.form_code], current_values(prev), source, spec)
    values.update({k: v for k, v in prefill_values(filing).items() if v is not None and spec.has_field(k)})
    raw = {f.name: f.input_value(values.get(f.name)) for f in spec.fields}
    try:
        changes = save_values(filing, raw, user, source="copy_previous", commit=False)
    except Invalid as exc:
        db.session.rollback()
        exc.values = raw
        raise
    record("filing.copy_previous", "filing", filing.id,
           {"from_filing": prev.id, "from_period": prev.period_key, "fields": len(changes)}, user=user)
    if commit:
        db.session.commit()
    return changes
