"""The change feed: which filings' figures entered, left or changed the statistics, and when.

Read from what the filing engine already records — its transitions (``FilingTransition``: 签报
sign_off, 审核通过 accept, 退回 return of a signed-off filing) and the decided correction
requests (``CorrectionRequest`` approved: a new current revision) — in the caller's scope. A
decision system that fetched the statistics at time T asks for the events after T and fetches
again only the forms and periods they name. Nothing is stored twice: no event table of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Integer, String, cast, func, literal, select, union_all

from ..extensions import db
from ..filing.corrections import APPROVED
from ..filing.workflow import ACCEPTED, SUBMITTED
from ..models.filing import CorrectionRequest, Filing, FilingTransition
from ..models.unit import Unit
from ..scope import restrict
from .params import ACCEPTED_ONLY, REPORTED

# The moves that change what a basis counts: into 已上报 / 已通过, or out of 已上报 (退回).
MOVES = ("sign_off", "accept", "return")
CORRECTION = "correction"


@dataclass(frozen=True)
class Event:
    at: dt.datetime  # naive UTC, as stored
    event: str  # sign_off | accept | return | correction
    filing_id: int
    form: str
    period_key: str
    unit_code: str
    unit_name: str
    state: str  # the filing's state after the event (a correction keeps it)
    revision: int | None  # the revision a correction made current

    @property
    def bases(self) -> list[str]:
        """The data bases (params.STATES) whose figures the event changes."""
        if self.event == "accept" or (self.event == CORRECTION and self.state == ACCEPTED):
            return [ACCEPTED_ONLY, REPORTED]
        if self.state in (SUBMITTED, ACCEPTED) or self.event == "return":
            return [REPORTED]
        return []


def _events(since: dt.datetime | None, form: str | None, user):
    moves = (select(FilingTransition.at.label("at"), FilingTransition.action.label("event"),
                    FilingTransition.filing_id.label("filing_id"), FilingTransition.to_state.label("state"),
                    cast(literal(None), Integer).label("revision"), FilingTransition.id.label("seq"))
             .where(FilingTransition.action.in_(MOVES)))
    fixes = (select(CorrectionRequest.decided_at.label("at"), cast(literal(CORRECTION), String).label("event"),
                    CorrectionRequest.filing_id.label("filing_id"), cast(literal(None), String).label("state"),
                    (CorrectionRequest.base_revision + 1).label("revision"), CorrectionRequest.id.label("seq"))
             .where(CorrectionRequest.state == APPROVED))
    if since is not None:
        moves = moves.where(FilingTransition.at > since)
        fixes = fixes.where(CorrectionRequest.decided_at > since)
    e = union_all(moves, fixes).subquery("e")
    q = (select(e.c.at, e.c.event, e.c.filing_id, Filing.form_code, Filing.period_key, Unit.code, Unit.short_name,
                func.coalesce(e.c.state, Filing.state), e.c.revision)
         .select_from(e).join(Filing, Filing.id == e.c.filing_id).join(Unit, Unit.id == Filing.unit_id))
    if form is not None:
        q = q.where(Filing.form_code == form)
    return restrict(q, Filing.unit_id, user), e


def count_events(since: dt.datetime | None = None, form: str | None = None, user=None) -> int:
    q, _e = _events(since, form, user)
    return db.session.scalar(select(func.count()).select_from(q.subquery()))


def events(since: dt.datetime | None = None, form: str | None = None, user=None,
           limit: int | None = None, offset: int = 0) -> list[Event]:
    """Events after `since` (all when None), oldest first, in `user`'s scope."""
    q, e = _events(since, form, user)
    q = q.order_by(e.c.at, e.c.event, e.c.seq).offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return [Event(*row) for row in db.session.execute(q).all()]


def last_change(form: str, user=None) -> dt.datetime | None:
    """When the latest event of `form` in `user`'s scope happened (None: never)."""
    q, e = _events(None, form, user)
    return db.session.scalar(select(func.max(q.subquery().c.at)))
