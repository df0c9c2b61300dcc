"""催报: reminding units of overdue filings — mailed to the unit's users when SMTP is configured,
and always recorded (who, when, which unit, form and period) in the database and the audit log,
so every app server shows the same 已催报 marks.

Mail settings are Flask's usual keys: MAIL_SERVER (unset: reminders are recorded, not mailed),
MAIL_PORT, MAIL_USE_TLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD, MAIL_DEFAULT_SENDER.
"""

from __future__ import annotations

import smtplib
from collections import defaultdict
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..forms import FORMS, get_form
from ..models.filing import Reminder
from ..models.unit import Unit
from ..models.user import PortalUser
from ..scope import in_scope
from ..security import FILING, has_perm
from .errors import Conflict, Forbidden, Invalid
from .periods import Period, PeriodError
from .timeliness import MISSING, Overdue, overdue, period_timeliness

SUBJECT = "【催报】法制统计报表逾期未报"
MAIL_TIMEOUT = 10  # seconds: a stuck mail server must not hold a page for long


def _line(item: Overdue) -> str:
    return f"{item.form_title} {item.period.label}（截止 {item.deadline}）"


def mail_unit(unit: Unit, items: list[Overdue]) -> tuple[int, str | None]:
    """Mail the overdue `items` to the unit's active users with an address: (mails the server
    accepted, error or None). Nothing is sent (0, None) when MAIL_SERVER is not set."""
    cfg = current_app.config
    server = cfg.get("MAIL_SERVER")
    if not server:
        return 0, None
    users = db.session.scalars(select(PortalUser).where(
        PortalUser.unit_id == unit.id, PortalUser.active.is_(True), PortalUser.email.is_not(None))).all()
    if not users:
        return 0, "该单位没有可接收邮件的账号"
    body = "\n".join(_line(o) for o in items)
    sent = 0
    try:
        smtp_class = smtplib.SMTP_SSL if cfg.get("MAIL_USE_SSL") else smtplib.SMTP
        with smtp_class(server, int(cfg.get("MAIL_PORT") or (465 if cfg.get("MAIL_USE_SSL") else 25)),
                        timeout=MAIL_TIMEOUT) as smtp:
            if cfg.get("MAIL_USE_TLS"):
                smtp.starttls()
            if cfg.get("MAIL_USERNAME"):
                smtp.login(cfg["MAIL_USERNAME"], cfg.get("MAIL_PASSWORD") or "")
            for user in users:
                msg = EmailMessage()
                msg["Subject"] = SUBJECT
                msg["From"] = cfg.get("MAIL_DEFAULT_SENDER") or "noreply@localhost"
                msg["To"] = user.email
                msg.set_content(f"{unit.name}：\n以下报表已超过截止日期仍未上报，请尽快办理：\n{body}")
                smtp.send_message(msg)
                sent += 1
    except (OSError, smtplib.SMTPException) as exc:
        current_app.logger.warning("reminder mail to unit %s failed: %s", unit.code, exc)
        return sent, f"邮件发送失败：{type(exc).__name__}"
    return sent, None


def _keep(unit: Unit, item: Overdue, user, mailed: int, error: str | None) -> Reminder:
    """The record of one reminder, with its audit row (in the caller's transaction)."""
    row = Reminder(unit_id=unit.id, form_code=item.form_code, period_key=item.period.key,
                   sent_by_id=getattr(user, "id", None),
                   sent_by=getattr(user, "username", None) or "flask portal remind",
                   mailed=mailed, mail_error=error)
    db.session.add(row)
    db.session.flush()
    record("filing.remind", "reminder", row.id,
           {"unit": unit.code, "form": item.form_code, "period": item.period.key,
            "mailed": mailed, "error": error}, user=user)
    return row


def remind(unit_id, form_code, period_key, user) -> Reminder:
    """催报 one unit about one form and period, by a reviewer (can_review, the unit in scope): the
    filing must be past its deadline and not signed off. Mails the unit when configured and
    records the reminder (committed). Raises Forbidden, Invalid or Conflict, writing nothing."""
    if not has_perm(user, "can_review", FILING):
        raise Forbidden("您无权催报")
    try:
        wanted = int(unit_id)
    except (TypeError, ValueError, OverflowError):
        wanted = 0
    # an id beyond the column's range is no unit (PostgreSQL would refuse the query itself)
    unit = db.session.get(Unit, wanted) if 0 < wanted < 2**31 else None
    if unit is None or not in_scope(unit.id, user):
        raise Forbidden("单位不存在或不在您的管理范围内")
    if form_code not in FORMS:
        raise Invalid("「报表」无效", {"form": "「报表」无效"})
    try:
        period = Period.parse(str(period_key or ""))
    except PeriodError:
        raise Invalid("「报告期」无效", {"period": "「报告期」无效"}) from None
    if period.kind != get_form(form_code).period_kind:
        raise Invalid("「报告期」与报表不符", {"period": "「报告期」与报表不符"})
    report = period_timeliness(form_code, period, {unit.id})
    row = next((r for r in report.rows if r.unit.id == unit.id), None)
    if not report.overdue() or row is None or row.status != MISSING:
        raise Conflict(f"{unit.short_name}的{period.label}报表未逾期或已上报，无需催报")
    item = Overdue(form_code, period, report.deadline, unit, row.state)
    mailed, error = mail_unit(unit, [item])
    kept = _keep(unit, item, user, mailed, error)
    db.session.commit()
    return kept


def last_reminders(keys) -> dict[tuple[int, str, str], tuple]:
    """{(unit id, form, period key): (last sent at, by whom, how many times)} for the given keys —
    (unit id, form, period key) tuples or Overdue items — with one query over their units and periods."""
    keys = {(k.unit.id, k.form_code, k.period.key) if isinstance(k, Overdue) else tuple(k) for k in keys}
    if not keys:
        return {}
    out: dict[tuple[int, str, str], tuple] = {}
    for u, f, p, at, who in db.session.execute(
            select(Reminder.unit_id, Reminder.form_code, Reminder.period_key, Reminder.sent_at, Reminder.sent_by)
            .where(Reminder.unit_id.in_({k[0] for k in keys}), Reminder.period_key.in_({k[2] for k in keys}))
            .order_by(Reminder.sent_at, Reminder.id)):
        if (u, f, p) in keys:
            out[u, f, p] = (at, who, out.get((u, f, p), (None, None, 0))[2] + 1)
    return out


def send_reminders() -> list[str]:
    """`flask portal remind`: every overdue unit at once — one line each; a mail to its users when
    MAIL_SERVER is set; each reminder recorded as the web's one-click reminder is."""
    by_unit = defaultdict(list)
    for item in overdue():
        by_unit[item.unit].append(item)
    lines = []
    for unit, items in sorted(by_unit.items(), key=lambda kv: kv[0].code):
        mailed, error = mail_unit(unit, items)
        for item in items:
            _keep(unit, item, None, mailed, error)
        lines.append(f"{unit.short_name}: " + "；".join(_line(o) for o in items) + (f"（{error}）" if error else ""))
    db.session.commit()
    return lines
