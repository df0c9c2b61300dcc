"""通知公告, 问题反馈, 联系方式: pages wired to app.notices (the rules) and app.scope (who sees what).

Notices are not unit-owned: app.notices.audience decides who may read one (its addressees, or
the municipal office). Feedback is unit-owned: every load goes through app.scope.get_or_404, so
another unit's report answers 404 on every path (show, reply, status, attachment). Attachments
are served only through their notice or report, after the same check.
"""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, select
from wtforms.validators import DataRequired

from ..audit import record
from ..clock import today, utcnow
from ..errors import is_id_text
from ..extensions import db
from ..models.notice import (
    AUDIENCE_ALL,
    FEEDBACK_CATEGORIES,
    FEEDBACK_STATES,
    Attachment,
    Contact,
    Division,
    Feedback,
    Notice,
)
from ..models.unit import UNIT_KINDS, Unit
from ..notices import attachments as files
from ..notices import audience, feedback
from ..notices.attachments import AttachmentError
from ..notices.audience import AudienceError
from ..notices.feedback import FeedbackError
from ..notices.html import MAX_BODY, clean, plain, render
from ..scope import acting_user, get_or_404, is_city_wide
from .base import KnownActionsOnly

PAGE_SIZE = 50


class NoticeFormError(ValueError):
    """A notice form that cannot be saved; nothing was written."""


def _page() -> int:
    value = request.args.get("page", "")
    # ASCII digits only ("²".isdigit() is True), and short: no OFFSET the database refuses.
    return max(int(value), 1) if value.isascii() and value.isdigit() and len(value) <= 9 else 1


def _commit_with_files(stored: list[Attachment]) -> None:
    """Commit the rows with their files' bytes (one transaction: app/blobs.py), or roll both back."""
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


# --- 通知公告 ------------------------------------------------------------------------------------

class NoticeView(BaseView):
    """Notices: units read those addressed to them (unread first); the office publishes and
    sees per notice which units have read it."""

    route_base = "/notices"
    class_permission_name = audience.NOTICE
    method_permission_name = {"index": "read", "show": "read", "download": "read",
                              "new": "publish", "edit": "publish", "remove_attachment": "publish"}
    default_view = "index"

    def _notice_or_404(self, nid: int) -> Notice:
        notice = db.session.get(Notice, nid)
        if not audience.may_read(notice):
            abort(404)
        return notice

    @expose("/")
    @has_access
    def index(self):
        user = acting_user()
        notices = audience.visible_notices(user)
        office = audience.sees_all(user)
        read = audience.read_ids(user, [n.id for n in notices]) if not office else set()
        if not office:  # unread first, each group newest first
            notices = [n for n in notices if n.id not in read] + [n for n in notices if n.id in read]
        total, page = len(notices), _page()
        rows = notices[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        counts = audience.read_counts(rows) if office else {}
        return self.render_template(
            "notice/list.html", rows=rows, read=read, office=office, counts=counts, total=total, page=page,
            pages=max((total - 1) // PAGE_SIZE + 1, 1), can_publish=audience.can_publish(user),
            audience_label=audience.audience_label, preview=plain)

    @expose("/<int:nid>")
    @has_access
    def show(self, nid):
        user = acting_user()
        notice = self._notice_or_404(nid)
        if audience.mark_read(notice, user) is not None:
            db.session.commit()
        office = audience.sees_all(user)
        return self.render_template(
            "notice/show.html", notice=notice, body=render(notice.body), office=office,
            receipts=audience.receipts(notice) if office else None,
            audience_text=audience.audience_label(notice, with_units=office),
            can_publish=audience.can_publish(user))

    @expose("/<int:nid>/attachments/<int:aid>")
    @has_access
    def download(self, nid, aid):
        notice = self._notice_or_404(nid)
        att = db.session.get(Attachment, aid)
        if att is None or att.notice_id != notice.id:
            abort(404)
        return files.download(att)

    # -- publishing ---------------------------------------------------------------------------

    def _form_values(self, notice: Notice | None = None) -> dict:
        if request.method == "POST":
            f = request.form
            return {"title": f.get("title", ""), "body": f.get("body", ""), "audience": f.get("audience", ""),
                    "groups": f.getlist("groups"),
                    # ids as ids: "²".isdigit() is True, and a 20-digit one reaches no row (nor SQLite)
                    "units": [int(x) for x in f.getlist("units") if is_id_text(x)]}
        if notice is None:
            return {"title": "", "body": "", "audience": AUDIENCE_ALL, "groups": [], "units": []}
        kinds = set(audience.target_kinds(notice))
        return {"title": notice.title, "body": notice.body, "audience": notice.audience,
                "groups": [g for g, (_label, ks) in audience.KIND_GROUPS.items() if set(ks) <= kinds],
                "units": audience.target_unit_ids(notice)}

    def _render_form(self, values: dict, notice: Notice | None = None, error: str | None = None):
        units = [u for u in db.session.scalars(select(Unit).where(Unit.kind != audience.CITY_OFFICE)
                                               .order_by(Unit.code)) if u.active_on(today())
                 or u.id in values["units"]]
        groups: dict[str, list[Unit]] = {}
        for u in units:
            groups.setdefault(UNIT_KINDS.get(u.kind, u.kind), []).append(u)
        return self.render_template(
            "notice/form.html", values=values, notice=notice, error=error, unit_groups=groups,
            kind_groups=audience.KIND_GROUPS, audiences=audience.AUDIENCES, accept=files.ACCEPT,
            allowed=files.ALLOWED_TEXT, limit=files.limit_label(), max_files=files.MAX_FILES,
            allowed_tags=Markup("、").join(Markup("<code>&lt;{}&gt;</code>").format(t) for t in sorted(
                {"p", "br", "strong", "em", "u", "ul", "ol", "li", "a", "h3", "h4", "blockquote", "table"})))

    def _save(self, notice: Notice | None, values: dict) -> Notice:
        """Validate everything, then write; raises (nothing written) on any refusal."""
        title = values["title"].strip()
        if not title:
            raise NoticeFormError("「标题」为必填项")
        if len(title) > 200:
            raise NoticeFormError("「标题」不能超过200个字")
        body = clean(values["body"])
        if not plain(body, MAX_BODY):
            raise NoticeFormError("「正文」为必填项")
        if len(values["body"]) > MAX_BODY:
            raise NoticeFormError(f"「正文」不能超过{MAX_BODY}个字符")
        uploads = files.read_uploads(request.files.getlist("files"))
        user, now = acting_user(), utcnow()
        creating = notice is None
        if creating:
            notice = Notice(author_id=user.id, author=user.username, published_at=now)
        audience.set_audience(notice, values["audience"], values["groups"], values["units"])
        if creating:
            db.session.add(notice)
        notice.title, notice.body, notice.updated_at = title, body, now
        db.session.flush()
        stored = [files.store(c, user.username, notice=notice) for c in uploads]
        record("notice.publish" if creating else "notice.update", "notice", notice.id,
               {"title": title, "audience": notice.audience, "kinds": audience.target_kinds(notice),
                "units": audience.target_unit_ids(notice), "attachments": [a.filename for a in stored]})
        _commit_with_files(stored)
        return notice

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        values = self._form_values()
        if request.method == "POST":
            try:
                notice = self._save(None, values)
            except (NoticeFormError, AudienceError, AttachmentError) as exc:
                db.session.rollback()
                return self._render_form(values, error=str(exc))
            flash(_("通知「%(title)s」已发布", title=notice.title), "success")
            return redirect(url_for("NoticeView.show", nid=notice.id))
        return self._render_form(values)

    @expose("/<int:nid>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, nid):
        notice = db.session.get(Notice, nid) or abort(404)
        values = self._form_values(notice)
        if request.method == "POST":
            try:
                self._save(notice, values)
            except (NoticeFormError, AudienceError, AttachmentError) as exc:
                db.session.rollback()
                return self._render_form(values, notice, error=str(exc))
            flash(_("通知已保存"), "success")
            return redirect(url_for("NoticeView.show", nid=notice.id))
        return self._render_form(values, notice)

    @expose("/<int:nid>/attachments/<int:aid>/delete", methods=["POST"])
    @has_access
    def remove_attachment(self, nid, aid):
        att = db.session.get(Attachment, aid)
        if att is None or att.notice_id != nid:
            abort(404)
        name = att.filename
        files.remove(att)
        record("notice.attachment_remove", "notice", nid, {"attachment": name})
        db.session.commit()
        flash(_("附件「%(name)s」已删除", name=name), "success")
        return redirect(url_for("NoticeView.edit", nid=nid))


# --- 问题反馈 ------------------------------------------------------------------------------------

class FeedbackView(BaseView):
    """Feedback: a unit files and follows its own reports; the office sees all, answers them and
    counts them by category and state."""

    route_base = "/feedback"
    class_permission_name = feedback.FEEDBACK
    method_permission_name = {"index": "read", "show": "read", "download": "read", "reply": "read",
                              "new": "file", "status": "answer"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        q = feedback.scoped_query()
        state, category = request.args.get("state", ""), request.args.get("category", "")
        if state in FEEDBACK_STATES:
            q = q.where(Feedback.state == state)
        if category in FEEDBACK_CATEGORIES:
            q = q.where(Feedback.category == category)
        total = db.session.scalar(select(func.count()).select_from(q.subquery()))
        page = _page()
        rows = db.session.scalars(q.order_by(Feedback.updated_at.desc(), Feedback.id.desc())
                                  .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        office = is_city_wide()
        counts = feedback.counts() if office else None
        state_totals = {s: sum(c[s] for c in counts.values()) for s in FEEDBACK_STATES} if office else {}
        return self.render_template(
            "notice/feedback_list.html", rows=rows, total=total, page=page,
            pages=max((total - 1) // PAGE_SIZE + 1, 1), state=state, category=category, office=office,
            counts=counts, state_totals=state_totals, states=FEEDBACK_STATES, categories=FEEDBACK_CATEGORIES,
            can_file=feedback.can_file(), args=request.args)

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        user = acting_user()
        if not feedback.can_file(user):
            abort(403)
        values = {"category": request.form.get("category", ""), "title": request.form.get("title", ""),
                  "description": request.form.get("description", "")}
        error = None
        if request.method == "POST":
            stored = []
            try:
                uploads = files.read_uploads(request.files.getlist("files"))
                fb = feedback.create(user, values["category"], values["title"], values["description"], uploads)
                stored = list(fb.attachments)
                _commit_with_files(stored)
            except (FeedbackError, AttachmentError) as exc:
                db.session.rollback()
                error = str(exc)
            else:
                flash(_("问题反馈已提交，市法制办处理后会在此答复"), "success")
                return redirect(url_for("FeedbackView.show", fid=fb.id))
        return self.render_template("notice/feedback_form.html", values=values, error=error,
                                    categories=FEEDBACK_CATEGORIES, accept=files.ACCEPT,
                                    allowed=files.ALLOWED_TEXT, limit=files.limit_label(),
                                    max_files=files.MAX_FILES)

    @expose("/<int:fid>")
    @has_access
    def show(self, fid):
        fb = get_or_404(Feedback, fid)
        office = feedback.can_answer()
        return self.render_template(
            "notice/feedback_show.html", fb=fb, office=office, states=FEEDBACK_STATES,
            moves=feedback.allowed_moves(fb) if office else (),
            can_follow_up=not office and fb.unit_id == getattr(acting_user(), "unit_id", None))

    def _reply(self, fid: int, to_state: str | None):
        fb = get_or_404(Feedback, fid)  # another unit's report: 404, before anything else
        try:
            feedback.reply(fb, acting_user(), request.form.get("body"), to_state)
            db.session.commit()
        except FeedbackError as exc:
            db.session.rollback()
            flash(str(exc), "danger")
        return redirect(url_for("FeedbackView.show", fid=fid))

    @expose("/<int:fid>/reply", methods=["POST"])
    @has_access
    def reply(self, fid):
        return self._reply(fid, request.form.get("state") or None)

    @expose("/<int:fid>/status", methods=["POST"])
    @has_access
    def status(self, fid):
        state = request.form.get("state", "")
        if not state:
            get_or_404(Feedback, fid)
            flash(_("请选择处理状态"), "danger")
            return redirect(url_for("FeedbackView.show", fid=fid))
        return self._reply(fid, state)

    @expose("/<int:fid>/attachments/<int:aid>")
    @has_access
    def download(self, fid, aid):
        fb = get_or_404(Feedback, fid)
        att = db.session.get(Attachment, aid)
        if att is None or att.feedback_id != fb.id:
            abort(404)
        return files.download(att)


# --- 联系方式 ------------------------------------------------------------------------------------

class ContactsView(BaseView):
    """The office's divisions, what each is responsible for, and whom to call: every user."""

    route_base = "/contacts"
    class_permission_name = "Contacts"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        divisions = db.session.scalars(select(Division).order_by(Division.sort_order, Division.id)).all()
        return self.render_template("notice/contacts.html", divisions=divisions)


class DivisionView(KnownActionsOnly, ModelView):
    """处室 (administrators keep them)."""

    route_base = "/divisions"
    datamodel = SQLAInterface(Division)
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["name", "duties", "sort_order"]
    search_columns = ["name", "duties"]
    add_columns = edit_columns = show_columns = list_columns
    base_order = ("sort_order", "asc")
    label_columns = {"name": "处室", "duties": "负责事项", "sort_order": "排序"}
    list_title, show_title, add_title, edit_title = "处室", "处室", "新增处室", "修改处室"
    validators_columns = {"name": [DataRequired()]}

    def post_add(self, item):
        record("division.create", "division", item.id, {"name": item.name})
        db.session.commit()

    def post_update(self, item):
        record("division.update", "division", item.id, {"name": item.name, "duties": item.duties})
        db.session.commit()


class ContactView(KnownActionsOnly, ModelView):
    """联系人 of a division (administrators keep them)."""

    route_base = "/contactpeople"
    datamodel = SQLAInterface(Contact)
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["division", "post", "name", "phone", "sort_order"]
    search_columns = ["division", "post", "name", "phone"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"division": "处室", "post": "职务", "name": "姓名", "phone": "电话", "sort_order": "排序"}
    list_title, show_title, add_title, edit_title = "联系人", "联系人", "新增联系人", "修改联系人"
    base_order = ("division_id", "asc")
    validators_columns = {"name": [DataRequired()], "phone": [DataRequired()]}

    def post_add(self, item):
        record("contact.create", "contact", item.id, {"name": item.name, "phone": item.phone})
        db.session.commit()

    def post_update(self, item):
        record("contact.update", "contact", item.id, {"name": item.name, "phone": item.phone})
        db.session.commit()

    def post_delete(self, item):
        record("contact.delete", "contact", item.id, {"name": item.name})
        db.session.commit()

