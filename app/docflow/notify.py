"""Telling a unit what the office did to its document: a notice addressed to that unit
(app.notices), so it appears in the unit's unread notices on its home page."""

from __future__ import annotations

from markupsafe import escape

from ..clock import utcnow
from ..extensions import db
from ..models.notice import AUDIENCE_UNITS, Notice
from ..notices.audience import set_audience


def tell_unit(kind, doc, step, comment: str | None, user) -> Notice:
    """Publish a short notice to the document's unit naming the document, the step and its reason."""
    title = f"{kind.label}「{kind.title_of(doc)}」：{step.label}"[:200]
    name, now_in = escape(kind.title_of(doc)), escape(kind.state_label(doc.state))
    lines = [f"<p>{escape(kind.label)}「{name}」当前状态：{now_in}。</p>"]
    if comment:
        lines.append(f"<p>{escape(step.reason or '意见')}：{escape(comment)}</p>")
    if kind.url is not None:
        lines.append(f'<p><a href="{escape(kind.url(doc))}">查看详情</a></p>')
    now = utcnow()
    notice = Notice(title=title, body="".join(lines), author_id=user.id, author=user.username,
                    published_at=now, updated_at=now)
    set_audience(notice, AUDIENCE_UNITS, unit_ids=[doc.unit_id])
    db.session.add(notice)
    db.session.flush()
    return notice
