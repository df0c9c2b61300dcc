"""催报: overdue filings listed per unit, mailed to the unit's users when SMTP is configured."""

from __future__ import annotations

import smtplib
from collections import defaultdict
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..models.user import PortalUser
from .timeliness import overdue


def send_reminders() -> list[str]:
    """One line per overdue unit; a mail to each of its active users if MAIL_SERVER is set."""
    by_unit = defaultdict(list)
    for item in overdue():
        by_unit[item.unit].append(item)
    server = current_app.config.get("MAIL_SERVER")
    lines = []
    for unit, items in sorted(by_unit.items(), key=lambda kv: kv[0].code):
        body = "\n".join(f"{o.form_title} {o.period.label}（截止 {o.deadline}）" for o in items)
        lines.append(f"{unit.short_name}: " + "；".join(body.splitlines()))
        if not server:
            continue
        users = db.session.scalars(select(PortalUser).where(
            PortalUser.unit_id == unit.id, PortalUser.active.is_(True))).all()
        for user in users:
            msg = EmailMessage()
            msg["Subject"] = "【催报】法制统计报表逾期未报"
            msg["From"] = current_app.config.get("MAIL_DEFAULT_SENDER", "noreply@localhost")
            msg["To"] = user.email
            msg.set_content(f"{unit.name}：\n以下报表已超过截止日期仍未上报，请尽快办理：\n{body}")
            with smtplib.SMTP(server, int(current_app.config.get("MAIL_PORT", 25))) as smtp:
                smtp.send_message(msg)
    return lines
