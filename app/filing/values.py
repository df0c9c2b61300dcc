"""Reading and writing a filing's figures: the one path by which values enter the database.

The web form, the Excel import and the API all call save_values(); it parses with the
form's declaration, runs its rules, enforces the lock, and audits old → new per field.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

from ..audit import record
from ..clock import utcnow
from ..extensions import db
from ..forms import VERSIONS, form_of, get_form
from ..forms.base import CheckContext, CrossForm, Issue
from ..models.filing import Filing
from ..models.values import value_model
from ..scope import in_scope
from ..security import FILING, has_perm
from .errors import Conflict, Forbidden, Invalid
from .periods import Period

HISTORY_PERIODS = 4


def printable(text, limit: int = 64) -> str:
    """`text` safe to keep in a log or audit row: control characters replaced, length bounded."""
    from ..forms.base import bad_char

    text = "".join("\ufffd" if bad_char(c) else c for c in str(text))
    return text if len(text) <= limit else text[:limit] + "…"


def period_of_filing(filing: Filing) -> Period:
    return Period.parse(filing.period_key)


def value_row(filing: Filing, revision: int | None = None):
    """The value row of a revision (default: the current one), or None."""
    model = value_model(filing.form_code)
    rev = filing.revision if revision is None else revision
    return db.session.scalar(
        select(model).where(model.filing_id == filing.id, model.revision == rev)
    )


def row_values(spec_or_code, row) -> dict[str, Any]:
    """A value row's figures for the fields of a form version (a code: its newest version)."""
    spec = get_form(spec_or_code) if isinstance(spec_or_code, str) else spec_or_code
    return {name: (getattr(row, name) if row is not None else None) for name in spec.field_names}


def current_values(filing: Filing) -> dict[str, Any]:
    """The filing's figures at its current revision (None for never-saved fields)."""
    return row_values(form_of(filing), value_row(filing))


def revisions(filing: Filing) -> list[tuple[int, dict[str, Any]]]:
    """Every kept revision of the filing, oldest first."""
    model = value_model(filing.form_code)
    rows = db.session.scalars(
        select(model).where(model.filing_id == filing.id).order_by(model.revision)
    )
    spec = form_of(filing)
    return [(r.revision, row_values(spec, r)) for r in rows]


def _reported_values(form_code: str, unit_id: int, keys: list[str], as_of: Period) -> dict[str, dict]:
    """Current values of the unit's filed (signed-off) filings for the given period keys, read
    as the fields of the version in force for `as_of` (older versions through its mapping)."""
    from ..forms.versions import translate
    from .workflow import REPORTED

    target = get_form(form_code, as_of)

    model = value_model(form_code)
    rows = db.session.execute(
        select(Filing.period_key, model)
        .join(model, (model.filing_id == Filing.id) & (model.revision == Filing.revision))
        .where(
            Filing.form_code == form_code,
            Filing.unit_id == unit_id,
            Filing.period_key.in_(keys),
            Filing.state.in_(REPORTED),
        )
    ).all()
    versions = VERSIONS[form_code]
    out = {}
    for key, row in rows:
        source = get_form(form_code, key)
        out[key] = translate(versions, row_values(source, row), source, target)
    return out


def comparison(filing: Filing) -> dict[str, tuple[Period, dict | None]]:
    """The unit's own previous period (环比) and same period last year (同比), as filed."""
    period = period_of_filing(filing)
    prev, last_year = period.previous(), period.same_last_year()
    past = _reported_values(filing.form_code, filing.unit_id, [prev.key, last_year.key], period)
    return {"previous": (prev, past.get(prev.key)), "last_year": (last_year, past.get(last_year.key))}


def check_context(filing) -> CheckContext:
    """What the rules compare a filing with: the unit's last four filed periods, the previous
    period's carry-over, and the same unit's other forms over the period (CrossForm rules).
    `filing` needs only form_code, unit_id and period_key: an import row not yet filed is
    checked with the same context as the web form."""
    spec = form_of(filing)
    period = period_of_filing(filing)
    keys, p = [], period
    for _ in range(HISTORY_PERIODS):
        p = p.previous()
        keys.append(p.key)
    past = _reported_values(filing.form_code, filing.unit_id, keys, period)
    history = {f.name: [past[k][f.name] for k in keys if k in past] for f in spec.numeric_fields}
    others = {r.other_form: _other_form_sums(r.other_form, filing.unit_id, period)
              for r in spec.rules if isinstance(r, CrossForm)}
    titles = {code: get_form(code).menu_title for code in others}
    from ..models.unit import Unit

    return CheckContext(history=history, prefill=prefill_values(filing),
                        others={k: v for k, v in others.items() if v}, other_titles=titles,
                        unit=db.session.get(Unit, filing.unit_id))


def _other_form_sums(form_code: str, unit_id: int, period: Period) -> dict[str, int]:
    """The unit's signed-off figures of `form_code` for the periods inside `period`, summed
    (each filing read in its own version; a field some filing lacks is left out)."""
    from .periods import periods_between
    from .workflow import REPORTED

    kind = get_form(form_code).period_kind
    try:
        inside = periods_between(kind, _first_inside(kind, period), _last_inside(kind, period))
    except ValueError:
        return {}
    model = value_model(form_code)
    rows = db.session.execute(
        select(Filing.period_key, model)
        .join(model, (model.filing_id == Filing.id) & (model.revision == Filing.revision))
        .where(Filing.form_code == form_code, Filing.unit_id == unit_id,
               Filing.period_key.in_([p.key for p in inside]), Filing.state.in_(REPORTED))
    ).all()
    sums: dict[str, int] = {}
    missing: set[str] = set()
    for key, row in rows:
        for name, value in row_values(get_form(form_code, key), row).items():
            if isinstance(value, int) and name not in missing:
                sums[name] = sums.get(name, 0) + value
            else:
                missing.add(name)
                sums.pop(name, None)
    return sums


def _first_inside(kind: str, period: Period) -> Period:
    from .periods import period_of

    first = period_of(kind, period.start)
    if first.start < period.start:
        raise ValueError("coarser")
    return first


def _last_inside(kind: str, period: Period) -> Period:
    from .periods import period_of

    return period_of(kind, period.end)


def prefill_values(filing: Filing) -> dict[str, Any]:
    """Pre-filled figures: carried over from the unit's previous accepted period, plus what the
    form's own hook computes (e.g. headcount from the staff register). {} when none."""
    from .workflow import ACCEPTED

    spec = form_of(filing)
    out: dict[str, Any] = {}
    if spec.carry_over:
        prev = period_of_filing(filing).previous()
        model = value_model(filing.form_code)
        row = db.session.execute(
            select(model)
            .join(Filing, (model.filing_id == Filing.id) & (model.revision == Filing.revision))
            .where(
                Filing.form_code == filing.form_code,
                Filing.unit_id == filing.unit_id,
                Filing.period_key == prev.key,
                Filing.state == ACCEPTED,
            )
        ).scalar()
        if row is not None:
            out.update({this: getattr(row, before) for this, before in spec.carry_over.items()
                        if getattr(row, before, None) is not None})
    if spec.prefill_hook is not None:
        out.update(spec.prefill_hook(filing))
    return out


def check_all(spec, raw: Mapping[str, Any], ctx: CheckContext) -> tuple[dict, dict[str, str], list[Issue]]:
    """Parse every field and run every rule at once: (values, {field: parse error}, issues).

    Rules run on the fields that parsed (a rule skips a field that did not), so one save
    reports a bad cell *and* a broken part ≤ whole together, never one per save. The web
    form, the API (through save_values) and the import all call this."""
    values, errors = spec.parse(raw)
    return values, errors, spec.check(values, ctx)


def parse_and_check(filing: Filing, raw: Mapping[str, Any]) -> tuple[dict, list[Issue]]:
    """Parse raw input and run the rules. Raises Invalid naming every field error, every broken
    rule and (to fix in the same pass) every warning that will need an explanation."""
    spec = form_of(filing)
    values, errors, issues = check_all(spec, raw, check_context(filing))
    warnings = [i for i in issues if i.level == "warning"]
    blocking = [i for i in issues if i.level == "error"]
    if errors or blocking:
        messages = list(dict.fromkeys([*errors.values(), *(i.message for i in blocking)]))
        for issue in blocking:
            for name in issue.fields:
                errors.setdefault(name, issue.message)
        message = "；".join(messages)
        if warnings:
            message += "。另需说明：" + "；".join(w.message for w in warnings)
        raise Invalid(message, errors, [*blocking, *warnings])
    return values, warnings


def warnings_for(filing: Filing, values: Mapping[str, Any]) -> list[Issue]:
    """Warnings the filing's current values raise (shown on the page; need an explanation)."""
    spec = form_of(filing)
    if any(values.get(n) is None for n in spec.field_names if spec.field(n).required):
        return []
    return [i for i in spec.check(values, check_context(filing)) if i.level == "warning"]


def recount_neighbours(filing: Filing, commit: bool = False) -> int:
    """Recount the stored warnings (the review list's 校验提示) of the unit's other filings
    awaiting sign-off or review: their rules compare with the unit's filed periods
    (HistoryOutlier) and its other forms (CrossForm), which `filing` has just joined, left or
    changed. A plain UPDATE, as the review list's other stored facts: a page open on one of them
    stays valid. Returns how many changed.

    With `commit` it runs after the change was committed, in a transaction of its own, holding no
    other lock: it may wait for a filing another transaction is moving (and then counts with that
    one's result) but cannot deadlock with it; rows are updated in id order. A failure there
    leaves the counts as they were and never undoes the committed change."""
    from .workflow import PENDING, SUBMITTED

    table = Filing.__table__
    changed = 0
    try:
        for other in db.session.scalars(select(Filing).where(
                Filing.unit_id == filing.unit_id, Filing.id != filing.id, Filing.state.in_([PENDING, SUBMITTED]))
                .order_by(Filing.id)):
            count = len(warnings_for(other, current_values(other)))
            if other.warning_count != count:
                db.session.execute(update(table).where(table.c.id == other.id).values(warning_count=count))
                changed += 1
        if commit:
            db.session.commit()
    except SQLAlchemyError:
        if not commit:
            raise
        db.session.rollback()  # the change itself is committed; the counts wait for the next one
        logging.getLogger(__name__).warning("warning counts of unit %s not recounted", filing.unit_id,
                                            exc_info=True)
        return 0
    return changed


def validate_for_submit(filing: Filing, values: Mapping[str, Any], explanation: str | None) -> list[Issue]:
    """Submitting needs complete values, no blocking error, and an explanation for warnings;
    returns the warnings (explained)."""
    spec = form_of(filing)
    raw = {f.name: (f.input_value(values.get(f.name)) if values.get(f.name) is not None else None)
           for f in spec.fields}
    _, warnings = parse_and_check(filing, {k: v for k, v in raw.items()})
    if warnings and not (explanation or "").strip():
        msg = "以下情况需填写说明后才能提交：" + "；".join(w.message for w in warnings)
        raise Invalid(msg, {"explanation": msg})
    return warnings


def may_write(user, filing: Filing) -> bool:
    """Who may write a filing's values (while it is editable): the unit's fillers, and importers
    (municipal reviewers loading units' spreadsheets) — always within the scope."""
    return in_scope(filing.unit_id, user) and (
        has_perm(user, "can_fill", FILING) or has_perm(user, "can_import", FILING))


def save_values(filing: Filing, raw: Mapping[str, Any], user, expected_version=None,
                explanation: str | None = None, source: str = "web", commit: bool = True) -> dict:
    """Write the filing's figures from raw input; returns {field: (old, new)} of what changed.

    Only holders of can_fill within the scope, only while the filing is editable. Raises
    Forbidden, Conflict or Invalid and writes nothing in that case.
    """
    from .workflow import EDITABLE, apply, check_version, clean_text, state_label

    if not may_write(user, filing):
        raise Forbidden("您无权修改该报表")
    check_version(filing, expected_version)
    if filing.state not in EDITABLE:
        raise Conflict(
            f"报表状态为“{state_label(filing.state)}”，已锁定，不能直接修改；如需更正请提交修改申请"
        )
    spec = form_of(filing)
    # Ignored keys go into the audit row: shown printable and bounded, whatever was sent.
    unknown = [printable(k) for k in spec.unknown_keys({k: v for k, v in raw.items() if not k.startswith("_")})][:20]
    values, _warnings = parse_and_check(filing, raw)
    new_explanation = clean_text(explanation, "情况说明", "explanation")
    row = value_row(filing)
    model = value_model(filing.form_code)
    if row is None:
        row = model(filing_id=filing.id, revision=filing.revision)
        db.session.add(row)
    changes = {}
    for name, new in values.items():
        old = getattr(row, name)
        if old != new:
            changes[name] = (old, new)
            setattr(row, name, new)
    if explanation is not None and new_explanation != filing.explanation:
        changes["explanation"] = (filing.explanation, new_explanation)
        filing.explanation = new_explanation
    if not changes:
        return {}
    filing.updated_at = utcnow()
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise Conflict("该报表已被他人修改，请刷新后重试") from None
    record("filing.values", "filing", filing.id,
           {"revision": filing.revision, "source": source, "ignored": unknown,
            "changes": {k: [o, n] for k, (o, n) in changes.items()}}, user=user)
    if filing.state != "draft":
        apply(filing, "reopen", user, comment="修改退回的报表", commit=False)
    if commit:
        db.session.commit()
    return changes


def open_filing(form_code: str, period: Period, user, unit=None, commit: bool = True) -> Filing:
    """A unit's filing for a period, created as a draft if absent (not for a period not yet open,
    unless the office allows early drafts of the form: app/filing/deadlines.py).

    The unit is the account's own; only importers (can_import) name another unit, which must
    be in their scope. The unit never comes from a request body. With commit=False the new
    filing and its audit row join the caller's transaction (an import: all rows or none).
    """
    spec = get_form(form_code)
    if period.kind != spec.period_kind:
        raise Invalid("报告期类型与报表不符")
    unit = check_may_open(user, unit)
    existing = _find(form_code, unit.id, period)
    if existing:
        return existing
    from .timeliness import is_expected

    if not is_expected(unit, form_code, period):
        raise Conflict(f"{unit.short_name}无需填报{period.label}的{spec.menu_title or spec.title}")
    from .deadlines import check_may_draft

    check_may_draft(form_code, period)  # not before the period opens, unless early drafts are allowed
    created = _insert_once(dict(form_code=form_code, unit_id=unit.id, period_key=period.key,
                                year=period.year, sub=period.index, state="draft", revision=1))
    filing = _find(form_code, unit.id, period)
    if filing is None:  # not ours and not yet visible: the other request rolled back
        raise Conflict("该报表正在由他人创建，请稍后重试")
    if not created:
        # A concurrent request created it first: the unique constraint holds; use that one.
        return filing
    record("filing.create", "filing", filing.id, {"form": form_code, "period": period.key}, user=user)
    if commit:
        db.session.commit()
    return filing


def check_may_open(user, unit=None):
    """The unit whose filings `user` may open (create): their own with can_fill; another one in
    their scope with can_import. Raises Forbidden otherwise."""
    if unit is None or unit.id == user.unit_id:
        if not has_perm(user, "can_fill", FILING) or user.unit_id is None:
            raise Forbidden("您无权填报")
        return user.unit
    if not (has_perm(user, "can_import", FILING) and in_scope(unit.id, user)):
        raise Forbidden("您无权为该单位填报")
    return unit


def _insert_once(row: dict) -> bool:
    """Insert a filing unless its (form, unit, period) exists; True when this call inserted it.

    INSERT … ON CONFLICT DO NOTHING on PostgreSQL and SQLite: losing the race to a concurrent
    request raises nothing, so the caller's transaction — e.g. an import's earlier rows — is
    kept (a rollback here would silently drop it). On PostgreSQL the statement waits for the
    other request's commit, then does nothing. Other databases: a savepoint around the insert.
    """
    table = Filing.__table__
    dialect = db.session.get_bind().dialect.name
    if dialect in ("postgresql", "sqlite"):
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table).values(**row).on_conflict_do_nothing(
            index_elements=["form_code", "unit_id", "period_key"]).returning(table.c.id)
        # A row comes back only when this statement inserted it (rowcount is -1 with RETURNING).
        return db.session.execute(stmt).first() is not None
    try:
        with db.session.begin_nested():
            db.session.execute(table.insert().values(**row))
    except IntegrityError:
        return False
    return True


def _find(form_code: str, unit_id: int, period: Period) -> Filing | None:
    return db.session.scalar(select(Filing).where(
        Filing.form_code == form_code, Filing.unit_id == unit_id, Filing.period_key == period.key))
