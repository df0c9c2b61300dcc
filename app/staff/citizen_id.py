"""居民身份证号 (GB 11643): validation with the ISO 7064 MOD 11-2 check digit, and masking.

The full number is shown only to administrators; everyone else sees 110101********1234.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


class CitizenIdError(ValueError):
    """A number that is not a valid 18-character citizen ID; the message names the field."""


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: dt.date
    sex: str  # 男 / 女


def check_digit(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character for the first 17 digits."""
    return CHECK[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def parse_citizen_id(text: str) -> CitizenId:
    """Validate length, digits, birth date and check digit; derive birth date and sex."""
    number = (text or "").strip().upper()
    if len(number) != 18:
        raise CitizenIdError(f"「身份证号」应为18位，当前为{len(number)}位")
    if not (number[:17].isdigit() and number[:17].isascii()) or not (number[17].isdigit() or number[17] == "X"):
        raise CitizenIdError("「身份证号」前17位应为数字，最后一位为数字或X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CitizenIdError(f"「身份证号」中的出生日期{number[6:14]}不存在") from None
    if birth.year < 1900 or birth > dt.date.today():
        raise CitizenIdError(f"「身份证号」中的出生日期{number[6:14]}不合理")
    if check_digit(number[:17]) != number[17]:
        raise CitizenIdError("「身份证号」校验位错误，请核对")
    return CitizenId(number, birth, "男" if int(number[16]) % 2 else "女")


def mask(number: str | None) -> str:
    """110101********1234 — the first six and last four characters only."""
    if not number:
        return ""
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]
