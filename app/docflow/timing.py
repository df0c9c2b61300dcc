"""Deadlines of workflow documents, judged by the filing engine's rule (app.filing.timeliness):
on time when done on or before the due date (local), late after it, missing when not done and
the date has passed; scored on the same 1 / 0.5 / 0 points."""

from __future__ import annotations

import datetime as dt

from flask import current_app

from ..clock import today
from ..filing.timeliness import LATE, MISSING, ON_TIME, STATUS_LABELS, score_of, status_of

__all__ = ["LATE", "MISSING", "ON_TIME", "STATUS_LABELS", "days_after", "judge", "score_of", "setting"]


def setting(name: str, default):
    """A configurable rule (config.py or the instance's settings), with its default."""
    return current_app.config.get(name, default)


def days_after(start: dt.date, days: int) -> dt.date:
    """The due date `days` calendar days after `start` (the day itself not counted)."""
    return start + dt.timedelta(days=int(days))


def judge(done_at: dt.datetime | None, due: dt.date | None, on: dt.date | None = None) -> str | None:
    """ON_TIME / LATE / MISSING for a deadline; None while it is not done and not yet due (or
    there is no deadline)."""
    if due is None:
        return None
    status = status_of(done_at, due)[0]
    if status == MISSING and due >= (on or today()):
        return None
    return status
