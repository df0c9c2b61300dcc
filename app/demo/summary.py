"""What a demo database holds, read from the database: its demo accounts (for the console and the
login page) and the demo city (units, years, filings per form).

A database is a demo database when it holds the accounts the demo loader made: a username of
DEMO_ACCOUNTS with that account's demo address (`admin@demo.local`). A production database has
none — its `admin` made by `flask fab create-admin` has another address — so nothing is shown there.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db

DEMO_EMAIL_DOMAIN = "demo.local"
_PERIOD_ORDER = ("quarter", "half", "year")


def demo_email(username: str) -> str:
    """The address the demo loader gives a demo account: the mark of a demo database."""
    return f"{username}@{DEMO_EMAIL_DOMAIN}"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    roles: tuple[str, ...]
    unit: str  # "东城区法制办 (0100)"


def demo_accounts() -> list[DemoAccount]:
    """The active demo accounts of this database, in DEMO_ACCOUNTS order; [] on a production database.
    One query of plain columns: the login page asks on every visit."""
    from flask_appbuilder.security.sqla.models import Role, assoc_user_role

    from ..models import PortalUser
    from ..models.unit import Unit
    from . import DEMO_ACCOUNTS

    order = {name: i for i, (name, *_rest) in enumerate(DEMO_ACCOUNTS)}
    rows = db.session.execute(
        select(PortalUser.username, PortalUser.email, Role.name, Unit.short_name, Unit.code)
        .outerjoin(assoc_user_role, assoc_user_role.c.user_id == PortalUser.id)
        .outerjoin(Role, Role.id == assoc_user_role.c.role_id)
        .outerjoin(Unit, Unit.id == PortalUser.unit_id)
        .where(PortalUser.email.in_([demo_email(name) for name in order]), PortalUser.active.is_(True))
    ).all()
    accounts: dict[str, tuple[set[str], str]] = {}
    for username, email, role, unit_name, unit_code in rows:
        if username not in order or email != demo_email(username):
            continue
        roles, _unit = accounts.setdefault(username, (set(), f"{unit_name} ({unit_code})" if unit_code else ""))
        if role:
            roles.add(role)
    return [DemoAccount(name, tuple(sorted(roles)), unit)
            for name, (roles, unit) in sorted(accounts.items(), key=lambda kv: order[kv[0]])]


@dataclass(frozen=True)
class CitySummary:
    units: int
    active_units: int
    first_year: int | None
    last_year: int | None
    filings: dict[str, int]  # form (menu title) → filings: quarterly forms first, then half-yearly, yearly


def city_summary(today: dt.date | None = None) -> CitySummary:
    """Units (all, and active today), the years filed and the filings per form."""
    from ..clock import today as clock_today
    from ..forms import FORMS
    from ..models.filing import Filing
    from ..models.unit import Unit

    day = today or clock_today()
    units = db.session.scalars(select(Unit)).all()
    first, last = db.session.execute(select(func.min(Filing.year), func.max(Filing.year))).one()
    per_form = dict(db.session.execute(select(Filing.form_code, func.count()).group_by(Filing.form_code)).all())
    return CitySummary(units=len(units), active_units=sum(u.active_on(day) for u in units),
                       first_year=first, last_year=last,
                       filings={spec.menu_title or spec.title: per_form.get(spec.code, 0)
                                for spec in sorted(FORMS.values(), key=lambda s: _PERIOD_ORDER.index(s.period_kind))})


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def describe(url: str | None = None) -> str:
    """The console's account of a demo database: where to go, the accounts with their roles and the
    password, and what the demo city holds. Without demo accounts, only the URL and the city."""
    from . import DEMO_PASSWORD

    lines = []
    if url:
        lines.append(f"法制统计 is at {url}")
    accounts = demo_accounts()
    if accounts:
        lines.append(f"Demo accounts — the password of every one is {DEMO_PASSWORD}")
        role_width = max(_width("、".join(a.roles)) for a in accounts)
        for a in accounts:
            lines.append(f"  {a.username:<20} {_pad('、'.join(a.roles), role_width)}  {a.unit}")
    city = city_summary()
    years = (f"{city.first_year}–{city.last_year}" if city.first_year is not None else "none yet")
    what = "The demo city" if accounts else "The database"
    lines.append(f"{what}: {city.units} units ({city.active_units} active today), filings of {years}:")
    lines.append("  " + " · ".join(f"{title} {n:,}" for title, n in city.filings.items()))
    return "\n".join(lines)
