"""Time in the portal: stored as naive UTC, deadlines compared as local (Beijing) dates."""

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context


def _zone() -> ZoneInfo:
    name = current_app.config.get("PORTAL_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Asia/Shanghai")


def utcnow() -> dt.datetime:
    """Now, naive UTC (as stored)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def local_date(stamp: dt.datetime, zone: ZoneInfo | None = None) -> dt.date:
    """The local calendar date of a stored (naive UTC) timestamp (`zone`: the portal's, read once
    by a caller converting many)."""
    return stamp.replace(tzinfo=dt.UTC).astimezone(zone or _zone()).date()


def today() -> dt.date:
    """Today's local date."""
    return local_date(utcnow())
