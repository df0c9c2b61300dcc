"""规范性文件备案审查, 信息报送 and the annual assessment: pages wired to app.normative, app.info,
app.docflow (every write) and app.scope (every load: another unit's document answers 404 on
every path — show, edit, step, file, export row)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import info, normative
from ..clock import today
from ..docflow import apply, available_steps, history
from ..docflow import files as docfiles
from ..docflow.engine import may
from ..docflow.timing import judge
from ..errors import is_id_text
from ..exports.docflow import table_xlsx
from ..exports.sheet import Col
from ..exports.styles import COUNT, TEXT
from ..extensions import db
from ..filing.errors import FilingError
from ..filing.timeliness import STATUS_LABELS
from ..info import brief as briefs
from ..info.ranking import year_ranking
from ..models.docflow import InfoBrief, InfoItem, NormativeDoc
from ..normative.queries import due_for_unit, search, year_stats
from ..notices.attachments import ACCEPT, ALLOWED_TEXT, AttachmentError, limit_label
from ..notices.html import plain, render
from ..reporting.assessment import PARTS, assess, weights
from ..scope import acting_user, get_or_404, is_city_wide, scoped_units, visible_unit_ids
from .reports import _download

PAGE_SIZE = 50


def _year() -> int:
    value = request.args.get("year", "")
    return int(value) if value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100 else today().year


def _page() -> int:
    value = request.args.get("page", "")
    return max(int(value), 1) if value.isascii() and value.isdigit() and len(value) <= 6 else 1


def _step_data(step: str) -> dict:
    """The posted fields of a step, with its uploads checked (AttachmentError when refused)."""
    data = request.form.to_dict()
    if step in ("edit", "office_edit") and "files" in request.files:
        data["files"] = docfiles.check_attachments(request.files.getlist("files"))
    if "text_file" in request.files:
        data["text_file"] = docfiles.check_document(request.files.get("text_file"), "文件文本")
    if "opinion_file" in request.files:
        data["opinion_file"] = docfiles.check_document(request.files.get("opinion_file"), "审查意见书")
    return data


class _DocView(BaseView):
    """What both document pages share: the document page, a step, a file."""

    kind = None
    model = None
    template = ""

    def _doc(self, pk):
        return get_or_404(self.model, pk)

    def _show_context(self, doc) -> dict:
        return {}

    @expose("/<int:pk>")
    @has_access
    def show(self, pk):
        doc = self._doc(pk)
        user = acting_user()
        return self.render_template(
            f"{self.template}/show.html", doc=doc, kind=self.kind, steps=available_steps(user, self.kind, doc),
            history=history(self.kind, doc), files=docfiles.files_of(self.kind.code, doc.id),
            accept=ACCEPT, allowed=ALLOWED_TEXT, limit=limit_label(), **self._show_context(doc))

    @expose("/<int:pk>/act", methods=["POST"])
    @has_access
    def act(self, pk):
        doc = self._doc(pk)
        step = request.form.get("step", "")
        try:
            apply(self.kind, doc, step, acting_user(), reason=request.form.get("reason"),
                  data=_step_data(step), expected_version=request.form.get("version"))
        except (FilingError, AttachmentError) as exc:
            db.session.rollback()
            flash(getattr(exc, "message", str(exc)), "danger")
        else:
            flash(_("已完成：%(step)s", step=_(self.kind.steps[step].label)), "success")
        return redirect(url_for(f"{type(self).__name__}.show", pk=pk))

    @expose("/<int:pk>/files/<int:fid>")
    @has_access
    def download(self, pk, fid):
        doc = self._doc(pk)
        row = docfiles.file_of(self.kind.code, doc.id, fid)
        if row is None:
            abort(404)
        return docfiles.download(row)

    def _form(self, doc, values: dict, error: str | None = None, errors: dict | None = None):
        return self.render_template(f"{self.template}/form.html", doc=doc, values=values, error=error,
                                    errors=errors or {}, kind=self.kind, accept=ACCEPT, allowed=ALLOWED_TEXT,
                                    limit=limit_label(), **self._form_context())

    def _form_context(self) -> dict:
        return {}

    def _save(self, doc, create, step: str):
        """A new document (create) or an edit (a step): the form again with the message on refusal."""
        values = request.form.to_dict()
        try:
            data = _step_data(step)
            if doc is None:
                doc = create(acting_user(), data)
                db.session.commit()
            else:
                apply(self.kind, doc, step, acting_user(), data=data,
                      expected_version=request.form.get("version"))
        except (FilingError, AttachmentError) as exc:
            db.session.rollback()
            return self._form(doc, values, getattr(exc, "message", str(exc)), getattr(exc, "errors", {}))
        flash(_("已保存"), "success")
        return redirect(url_for(f"{type(self).__name__}.show", pk=doc.id))


# --- 规范性文件备案审查 ------------------------------------------------------------------------------

class NormativeDocView(_DocView):
    route_base = "/normative"
    class_permission_name = normative.NORMATIVE
    method_permission_name = {"index": "read", "show": "read", "act": "read", "download": "read",
                              "stats": "read", "new": "fill", "edit": "fill"}
    default_view = "index"
    kind, model, template = normative.KIND, NormativeDoc, "normative"

    def _criteria(self) -> dict:
        a = request.args
        unit = a.get("unit", "")
        return {"number": a.get("number", "").strip()[:100], "title": a.get("title", "").strip()[:200],
                "unit_id": int(unit) if is_id_text(unit) else None, "state": a.get("state", ""),
                "validity": a.get("validity", ""),
                "year": int(a["year"]) if a.get("year", "").isascii() and a.get("year", "").isdigit()
                and len(a["year"]) == 4 else None}

    @expose("/")
    @has_access
    def index(self):
        crit = self._criteria()
        q = search(**crit)
        if request.args.get("format") == "xlsx":
            rows = [[d.doc_number, d.title, d.unit.short_name, d.issuer, d.published_on.isoformat(),
                     d.due_on.isoformat(), d.filed_at and d.filed_at.date().isoformat(),
                     normative.STATES[d.state], normative.RESULTS.get(d.review_result, ""),
                     normative.VALIDITY.get(d.validity, "")] for d in db.session.scalars(q)]
            cols = [Col(h) for h in ("文号", "文件名称", "单位", "制定机关", "公布日期", "备案期限", "报送日期", "状态",
                                     "审查结论", "清理标记")]
            return _download(table_xlsx("规范性文件备案", [("导出日期", today().isoformat())], cols, rows),
                             f"规范性文件备案-{today().isoformat()}.xlsx")
        total = db.session.scalar(select(db.func.count()).select_from(q.subquery()))
        page = _page()
        rows = db.session.scalars(q.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).unique().all()
        user = acting_user()
        return self.render_template(
            "normative/list.html", rows=rows, crit=crit, total=total, page=page,
            pages=max((total - 1) // PAGE_SIZE + 1, 1), units=scoped_units(), states=normative.STATES,
            validity=normative.VALIDITY, results=normative.RESULTS, judge=judge, labels=STATUS_LABELS,
            can_file=may(user, self.kind, _OwnUnit(user), self.kind.steps["edit"]))

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "POST":
            return self._save(None, normative.create_doc, "edit")
        return self._form(None, {})

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        doc = self._doc(pk)
        if request.method == "POST":
            return self._save(doc, None, "edit")
        values = {n: ("" if getattr(doc, n) is None else str(getattr(doc, n))) for n in normative.FIELDS}
        return self._form(doc, values)

    def _form_context(self) -> dict:
        return {"fields": normative.FIELDS, "filing_days": normative.filing_days()}

    def _show_context(self, doc) -> dict:
        return {"results": normative.RESULTS, "validity": normative.VALIDITY, "labels": STATUS_LABELS,
                "filing_status": judge(doc.filed_at, doc.due_on),
                "response_status": judge(doc.responded_at, doc.response_due),
                "fields": normative.FIELDS, "response_days": normative.response_days()}

    @expose("/stats")
    @has_access
    def stats(self):
        year = _year()
        rows = list(year_stats(year, visible_unit_ids()).values())
        heads = ("应备案", "已备案", "按时", "迟报", "逾期未报", "已审查", "审查纠错", "答复逾期", "备案及时性得分")
        cols = [Col("单位", TEXT)] + [Col(h, COUNT) for h in heads]
        cells = [[r.unit.short_name, r.expected, r.filed, r.on_time, r.late, r.missing, r.reviewed, r.corrected,
                  r.response_overdue, r.score] for r in rows]
        if request.args.get("format") == "xlsx":
            return _download(table_xlsx(f"规范性文件备案统计（{year}年）", [("年度", str(year))], cols, cells),
                             f"规范性文件备案统计-{year}.xlsx")
        return self.render_template("normative/stats.html", year=year, columns=cols, cells=cells)


class _OwnUnit:
    """A stand-in document of the user's own unit: may the user file one at all?"""

    def __init__(self, user):
        self.unit_id = getattr(user, "unit_id", None)


# --- 信息报送 ------------------------------------------------------------------------------------

class InfoItemView(_DocView):
    route_base = "/info"
    class_permission_name = info.INFO
    method_permission_name = {"index": "read", "show": "read", "act": "read", "download": "read",
                              "ranking": "read", "new": "fill", "edit": "read", "briefs": "read",
                              "brief_file": "read", "compile": "review"}
    default_view = "index"
    kind, model, template = info.KIND, InfoItem, "info"

    @expose("/")
    @has_access
    def index(self):
        from ..scope import restrict

        q = restrict(select(InfoItem).options(joinedload(InfoItem.unit)), InfoItem.unit_id)  # one query a page
        state = request.args.get("state", "")
        if state in info.STATES:
            q = q.where(InfoItem.state == state)
        unit = request.args.get("unit", "")
        if is_id_text(unit):
            q = q.where(InfoItem.unit_id == int(unit))
        q = q.order_by(InfoItem.id.desc())
        if request.args.get("format") == "xlsx":
            table = info.score_table()
            rows = [[i.title, i.unit.short_name, info.CATEGORIES.get(i.category, ""), info.STATES[i.state],
                     info.ADOPTIONS.get(i.adoption, ""), info.LEVELS.get(i.level, ""), i.instruction or "",
                     info.points(i, table)] for i in db.session.scalars(q)]
            heads = ("标题", "单位", "类别", "状态", "采用类型", "采用层级", "领导批示")
            cols = [Col(h) for h in heads] + [Col("得分", COUNT)]
            return _download(table_xlsx("法治工作信息", [("导出日期", today().isoformat())], cols, rows),
                             f"法治工作信息-{today().isoformat()}.xlsx")
        total = db.session.scalar(select(db.func.count()).select_from(q.subquery()))
        page = _page()
        rows = db.session.scalars(q.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
        user = acting_user()
        return self.render_template(
            "info/list.html", rows=rows, total=total, page=page, pages=max((total - 1) // PAGE_SIZE + 1, 1),
            states=info.STATES, categories=info.CATEGORIES, adoptions=info.ADOPTIONS, units=scoped_units(),
            preview=plain, points=info.points, office=is_city_wide(user),
            can_file=may(user, self.kind, _OwnUnit(user), self.kind.steps["edit"]))

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        if request.method == "POST":
            return self._save(None, info.create_item, "edit")
        return self._form(None, {"category": "news"})

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        doc = self._doc(pk)
        step = "edit" if doc.state == info.DRAFT else "office_edit"
        if request.method == "POST":
            return self._save(doc, None, step)
        if not may(acting_user(), self.kind, doc, self.kind.steps[step]):
            abort(403)
        return self._form(doc, {"title": doc.title, "body": doc.body, "category": doc.category})

    def _form_context(self) -> dict:
        return {"categories": info.CATEGORIES}

    def _show_context(self, doc) -> dict:
        return {"body": render(doc.body), "categories": info.CATEGORIES, "adoptions": info.ADOPTIONS,
                "levels": info.LEVELS, "points": info.points(doc)}

    @expose("/ranking")
    @has_access
    def ranking(self):
        year = _year()
        rows = year_ranking(year, visible_unit_ids())
        cols = [Col("排名", COUNT), Col("单位")] + [Col(h, COUNT) for h in ("报送", "采用", "简报", "专报", "领导批示",
                                                                            "得分")]
        cells = [[r.rank, r.unit.short_name, r.submitted, r.adopted, r.brief, r.special, r.instructions, r.points]
                 for r in rows]
        if request.args.get("format") == "xlsx":
            return _download(table_xlsx(f"信息报送排名（{year}年）", [("年度", str(year))], cols, cells),
                             f"信息报送排名-{year}.xlsx")
        table = info.score_table()
        return self.render_template("info/ranking.html", year=year, columns=cols, cells=cells,
                                    table=[(info.SCORE_LABELS.get(k, k), v) for k, v in table.items()])

    def _city_only(self):
        if not is_city_wide(acting_user()):
            abort(404)  # an issue holds many units' items: the office's and the leaders'

    @expose("/briefs", methods=["GET"])
    @has_access
    def briefs(self):
        self._city_only()
        issued = db.session.scalars(select(InfoBrief).order_by(InfoBrief.id.desc())).all()
        ready = db.session.scalars(select(InfoItem).where(InfoItem.state == info.ADOPTED,
                                                          InfoItem.brief_id.is_(None)).order_by(InfoItem.id)).all()
        return self.render_template("info/briefs.html", issued=issued, ready=ready, adoptions=info.ADOPTIONS,
                                    can_compile=may(acting_user(), self.kind, _OwnUnit(acting_user()),
                                                    self.kind.steps["adopt"]))

    @expose("/briefs", methods=["POST"])
    @has_access
    def compile(self):
        ids = [int(x) for x in request.form.getlist("items") if is_id_text(x)]
        try:
            brief = briefs.compile_brief(acting_user(), ids, request.form.get("title"))
            db.session.commit()
        except FilingError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
            return redirect(url_for("InfoItemView.briefs"))
        flash(_("已编成%(title)s", title=brief.title), "success")
        return redirect(url_for("InfoItemView.briefs"))

    @expose("/briefs/<int:bid>.<fmt>")
    @has_access
    def brief_file(self, bid, fmt):
        self._city_only()
        brief = db.session.get(InfoBrief, bid) or abort(404)
        if fmt == "docx":
            return _download(briefs.brief_docx(brief), f"{brief.title}.docx", briefs_mime())
        if fmt == "pdf":
            return _download(briefs.brief_pdf(brief), f"{brief.title}.pdf", "application/pdf")
        abort(404)


def briefs_mime() -> str:
    from ..exports.docx import DOCX_MIME

    return DOCX_MIME


# --- 年度考核 ------------------------------------------------------------------------------------

class AssessmentView(BaseView):
    """年度考核: per unit and year, the parts and the weighted total (office and leaders)."""

    route_base = "/assessment"
    class_permission_name = "Assessment"
    method_permission_name = {"index": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        year = _year()
        rows = assess(year, visible_unit_ids())
        w = weights()
        cols = [Col("排名", COUNT), Col("单位")] + [Col(f"{PARTS[k]}（权重{w[k]:g}）", COUNT) for k in PARTS] \
            + [Col("综合得分", COUNT)]
        cells = [[a.rank, a.unit.short_name, *[a.parts[k] for k in PARTS], a.total] for a in rows]
        if request.args.get("format") == "xlsx":
            return _download(table_xlsx(f"年度考核（{year}年）", [("年度", str(year))], cols, cells),
                             f"年度考核-{year}.xlsx")
        return self.render_template("assessment/index.html", year=year, rows=rows, parts=PARTS, weights=w,
                                    columns=cols, cells=cells, years=range(today().year, today().year - 6, -1))




# --- the home page and the leaders' dashboard ------------------------------------------------------

def home_context(user) -> dict:
    """What the documents ask of the user now: for a unit, drafts with their filing deadline,
    refused ones and reviews awaiting its response; for the office, what awaits it."""
    from ..scope import restrict

    def count(model, state):
        return db.session.scalar(restrict(select(db.func.count()).select_from(model).where(model.state == state),
                                          model.unit_id, user)) or 0

    if is_city_wide(user):
        return {"docflow_office": {
            "to_register": count(NormativeDoc, normative.SUBMITTED),
            "to_review": count(NormativeDoc, normative.REGISTERED),
            "to_close": count(NormativeDoc, normative.RESPONDED),
            "to_decide": count(InfoItem, info.SUBMITTED)}}
    due, returned, awaiting = due_for_unit(user)
    return {"docflow_unit": {
        "due": due, "returned": returned, "awaiting": awaiting,
        "declined": db.session.scalars(restrict(select(InfoItem).where(InfoItem.state == info.DECLINED),
                                                InfoItem.unit_id, user).order_by(InfoItem.id.desc()).limit(5)).all(),
        "today": today()}}


def dashboard_cards(unit_ids) -> dict:
    """The leaders' two cards: this year's 备案 figures and 信息 ranking (the scope's units)."""
    year = today().year
    stats = list(year_stats(year, unit_ids).values())
    ranking = year_ranking(year, unit_ids)
    return {"year": year,
            "normative": {k: sum(getattr(s, k) for s in stats)
                          for k in ("expected", "filed", "on_time", "late", "missing", "corrected")},
            "info": {"submitted": sum(r.submitted for r in ranking), "adopted": sum(r.adopted for r in ranking),
                     "top": ranking[:3]}}
