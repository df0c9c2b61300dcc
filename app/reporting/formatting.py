"""Template filters for the statistics pages: counts, money, percentages and percentage
points, each "—" when there is nothing to show. Money text comes from app.money."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import gettext as _

from ..money import format_wan, format_yuan
from .compare import format_pct


def count(value) -> str:
    return "—" if value is None else f"{value:,}"


def money(fen, unit: str = "wan", signed: bool = False) -> str:
    """Fen as 万元 (default) or 元 text; `signed` adds + to increases."""
    if fen is None:
        return "—"
    text = format_wan(abs(fen)) if unit == "wan" else format_yuan(abs(fen))
    sign = "-" if fen < 0 else ("+" if signed and fen > 0 else "")
    return sign + text


def points(value) -> str:
    """A change of a rate (a fraction) in percentage points: '+1.2个百分点'."""
    if value is None:
        return "—"
    return _("%(pp)s个百分点", pp=f"{Decimal(value) * 100:+.1f}")


def pct_signed(value) -> str:
    return format_pct(value)


def pct_plain(value) -> str:
    return format_pct(value, signed=False)


def form_title(code: str) -> str:
    """A form's menu title from its code ('penalty' → 行政处罚)."""
    from ..forms import FORMS

    spec = FORMS.get(code)
    return code if spec is None else (spec.menu_title or spec.title)


def headline(h, attr: str = "current") -> str:
    """An analysis headline's value (or base) as text."""
    from .analysis import show

    return show(h.kind, getattr(h, attr), h.suffix)


def headline_change(h, attr: str) -> str:
    """An analysis headline's change against a base: '增长12.5%', '下降1.2个百分点' or '—'."""
    from .analysis import change_phrase

    now = {"yoy_base": h.yoy_current, "mom_base": h.mom_current}.get(attr, h.current)
    return change_phrase(h.kind, now, getattr(h, attr), "") or "—"


TEMPLATE_FILTERS = {"count": count, "money": money, "points": points, "pct_signed": pct_signed,
                    "pct_plain": pct_plain, "form_title": form_title,
                    "headline": headline, "headline_change": headline_change}
