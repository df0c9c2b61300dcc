"""Money: the one place that turns typed 元 into stored fen and fen back into 元 / 万元 text.

Amounts are stored as integer fen (分) so sums are exact; floats never touch them.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN_PER_YUAN = 100
MAX_FEN = 10**15  # 10 万亿元: far above any unit's figures, well inside BIGINT


class MoneyError(ValueError):
    """A value that is not an amount of 元 with at most two decimals."""


def parse_yuan(text) -> int:
    """Parse '1,234.5' (元) into fen. Raises MoneyError on text, >2 decimals or NaN."""
    if isinstance(text, bool):
        raise MoneyError(text)
    if isinstance(text, int):
        return text * FEN_PER_YUAN
    if isinstance(text, float):
        text = repr(text)
    s = str(text).strip().replace(",", "").replace("，", "")
    try:
        amount = Decimal(s)
    except InvalidOperation as exc:
        raise MoneyError(text) from exc
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise MoneyError(text)
    if amount.adjusted() > 30:
        # Far beyond any limit a caller checks; clamped so '1e999999' neither overflows the
        # decimal context nor builds a million-digit int. Still out of range for every field.
        amount = Decimal(10**31).copy_sign(amount)
    return int(amount * FEN_PER_YUAN)


def fen_to_yuan(fen: int | None) -> Decimal | None:
    """Fen as a Decimal number of 元 (two places)."""
    if fen is None:
        return None
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"))


def fen_to_wan(fen: int | None) -> Decimal | None:
    """Fen as a Decimal number of 万元, rounded half-up to two places."""
    if fen is None:
        return None
    return (Decimal(fen) / (FEN_PER_YUAN * 10000)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def format_yuan(fen: int | None) -> str:
    """'1,234,567.80' — for pages; '—' when unknown."""
    value = fen_to_yuan(fen)
    return "—" if value is None else f"{value:,.2f}"


def format_wan(fen: int | None) -> str:
    """'123.46' 万元 — for reports; '—' when unknown."""
    value = fen_to_wan(fen)
    return "—" if value is None else f"{value:,.2f}"


def yuan_input(fen: int | None) -> str:
    """The value to put back into an input box: plain 元, no separators."""
    value = fen_to_yuan(fen)
    return "" if value is None else format(value, "f")
