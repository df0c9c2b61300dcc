"""Comparisons: absolute and relative change against a base (同比 / 环比), and shares.

A missing or zero base gives None, shown as "—": never inf, NaN or an error.
"""

from __future__ import annotations

from decimal import Decimal


def change(current, base) -> int | None:
    """current − base, or None when either is unknown."""
    if current is None or base is None:
        return None
    return current - base


def pct_change(current, base) -> Decimal | None:
    """(current − base) / base as a fraction, or None for a missing or zero base."""
    if current is None or base is None or base == 0:
        return None
    return (Decimal(current) - Decimal(base)) / Decimal(base)


def share(part, whole) -> Decimal | None:
    """part / whole as a fraction, or None for a missing or zero whole."""
    if part is None or whole is None or whole == 0:
        return None
    return Decimal(part) / Decimal(whole)


def format_pct(value: Decimal | None, signed: bool = True) -> str:
    """'+12.5%', '-3.0%' or '—'."""
    if value is None:
        return "—"
    return f"{value * 100:+.1f}%" if signed else f"{value * 100:.1f}%"
