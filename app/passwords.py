"""Password complexity (等保 2.0 level 3): at least 10 characters with upper- and lower-case
letters, digits and symbols, and not one of the well-known weak passwords."""

from __future__ import annotations

from flask_appbuilder.exceptions import PasswordComplexityValidationError

MIN_LENGTH = 10
WEAK = {"password", "admin", "12345678", "qwerty", "p@ssw0rd", "admin@123"}


def validate_password(password: str) -> None:
    """Raise PasswordComplexityValidationError with a Chinese message when too weak."""
    pw = password or ""
    missing = []
    if not any(c.isupper() for c in pw):
        missing.append("大写字母")
    if not any(c.islower() for c in pw):
        missing.append("小写字母")
    if not any(c.isdigit() for c in pw):
        missing.append("数字")
    if not any(not c.isalnum() for c in pw):
        missing.append("特殊符号")
    if len(pw) < MIN_LENGTH or missing:
        need = f"至少{MIN_LENGTH}位" + ("，且须包含" + "、".join(missing) if missing else "")
        raise PasswordComplexityValidationError(f"「密码」不符合要求：{need}")
    if pw.lower().rstrip("!") in WEAK:
        raise PasswordComplexityValidationError("「密码」过于常见，请换一个")
