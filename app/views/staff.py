"""Staff register, training and certificates: FAB CRUD wired to the one scope.

Units keep their own register (the unit comes from the account, never the form); people who
leave are marked, never deleted; citizen IDs are shown masked everywhere; a holder of
can_full_citizen_id asks for one person's whole number (audited: app/pii/disclosure.py).
Administrators keep courses, participation and certificates; units read their own staff's.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired

from ..audit import record
from ..clock import today
from ..extensions import db
from ..imports import staff as staff_import
from ..imports.stash import check_upload, confirm_upload
from ..models.staff import (
    CERT_STATUS,
    CERT_TYPES,
    EDUCATION,
    RESULTS,
    STAFF_STATUS,
    Certificate,
    StaffMember,
    TrainingCourse,
    TrainingRecord,
)
from ..models.unit import Unit
from ..pii.disclosure import disclose
from ..scope import UnitScopeFilter, acting_user, restrict, visible_unit_ids
from ..security import has_perm
from ..staff.citizen_id import CitizenIdError, mask, parse_citizen_id
from ..staff.duplicates import duplicate_message
from ..staff.stats import expiring_certificates, staff_stats
from .base import AuditedModelView, KnownActionsOnly

STAFF = "Staff"


def can_see_full_id(user=None) -> bool:
    """Only holders of can_full_citizen_id (administrators) may ask for a whole citizen ID."""
    return has_perm(user or acting_user(), "can_full_citizen_id", STAFF)


def full_ids_for(people, surface: str) -> dict[int, str]:
    """Whole citizen IDs of `people` for a holder of can_full_citizen_id, each disclosure audited
    (the caller commits); PermissionError for anyone else."""
    if not can_see_full_id():
        raise PermissionError("can_full_citizen_id")
    people = list(people)
    disclose("staff_member", [p.id for p in people], surface)
    return {p.id: p.citizen_id or "" for p in people}


class StaffScopeFilter(BaseFilter):
    """Rows that belong to a person of a unit in the user's scope (training, certificates)."""

    name = "单位范围"
    arg_name = None

    def apply(self, query, value):
        ids = restrict(select(StaffMember.id), StaffMember.unit_id)
        return query.filter(self.model.staff_id.in_(ids))


def _valid_id(form, field):
    try:
        parse_citizen_id(field.data)
    except CitizenIdError as exc:
        raise ValidationError(str(exc)) from None
    message = duplicate_message(parse_citizen_id(field.data).number)  # who holds it, within the scope
    if message:
        raise ValidationError(message)


STAFF_LABELS = {
    "name": _l("姓名"), "citizen_id": _l("身份证号"), "sex": _l("性别"), "birth_date": _l("出生日期"),
    "ethnicity": _l("民族"), "education": _l("学历"), "major": _l("专业"), "law_major": _l("法学专业"),
    "political_status": _l("政治面貌"), "post": _l("职务"), "rank": _l("职级"), "start_date": _l("参加工作时间"),
    "passed_legal_exam": _l("通过法律职业资格考试"), "status": _l("状态"), "left_on": _l("离岗日期"),
    "unit": _l("单位"), "updated_at": _l("更新时间"),
}


class StaffView(KnownActionsOnly, AuditedModelView, ModelView):
    """人员名册. The audit trail keeps the citizen id masked only (personal data)."""

    route_base = "/staff"
    datamodel = SQLAInterface(StaffMember)
    show_template = "staff/show.html"
    method_permission_name = {"reveal_citizen_id": "show"}  # plus can_full_citizen_id, checked inside
    audit_object, audit_type = "staff", "staff_member"
    audit_columns = ("unit_id", "name", "sex", "birth_date", "ethnicity", "education", "major", "law_major",
                     "political_status", "post", "rank", "start_date", "passed_legal_exam", "status", "left_on")
    base_filters = [["unit_id", UnitScopeFilter, None]]

    def _row(self, item) -> dict:
        return {**super()._row(item), "citizen_id": mask(item.citizen_id)}

    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["unit", "name", "citizen_id", "sex", "birth_date", "education", "post", "rank", "status"]
    show_columns = ["unit", "name", "citizen_id", "sex", "birth_date", "ethnicity", "education", "major",
                    "law_major", "political_status", "post", "rank", "start_date", "passed_legal_exam",
                    "status", "left_on", "updated_at"]
    add_columns = ["name", "citizen_id", "ethnicity", "education", "major", "law_major", "political_status",
                   "post", "rank", "start_date", "passed_legal_exam"]
    edit_columns = ["name", "ethnicity", "education", "major", "law_major", "political_status", "post", "rank",
                    "start_date", "passed_legal_exam", "status", "left_on"]
    search_columns = ["name", "education", "post", "rank", "status", "unit"]
    order_columns = ["name", "birth_date", "education", "status"]
    label_columns = STAFF_LABELS
    list_title = _l("人员名册")
    show_title = _l("人员信息")
    add_title = _l("登记人员")
    edit_title = _l("修改人员信息")
    formatters_columns = {"citizen_id": mask}
    # Check boxes must not be "required" (FAB makes non-null booleans so: unticked would fail).
    _flags = {
        "law_major": BooleanField(_l("法学专业")),
        "passed_legal_exam": BooleanField(_l("通过法律职业资格考试")),
    }
    add_form_extra_fields = {
        "citizen_id": StringField(_l("身份证号"), validators=[DataRequired(), _valid_id], widget=BS3TextFieldWidget()),
        "education": SelectField(_l("学历"), choices=EDUCATION, validators=[DataRequired()]),
        **_flags,
    }
    edit_form_extra_fields = {
        "education": SelectField(_l("学历"), choices=EDUCATION, validators=[DataRequired()]),
        "status": SelectField(_l("状态"), choices=STAFF_STATUS, validators=[DataRequired()]),
        **_flags,
    }

    def pre_add(self, item):
        user = acting_user()
        if getattr(user, "unit_id", None) is None or not has_perm(user, "can_fill", "Filing"):
            raise ValueError(_("只有单位填报员可以登记本单位人员"))
        parsed = parse_citizen_id(item.citizen_id)
        item.citizen_id, item.birth_date, item.sex = parsed.number, parsed.birth_date, parsed.sex
        item.unit_id = user.unit_id  # from the account, never from the request

    def render_template(self, template, **kwargs):
        if template == self.show_template:
            kwargs["can_full_citizen_id"] = can_see_full_id()
        return super().render_template(template, **kwargs)

    @expose("/citizen-id/<int:pk>", methods=["POST"])
    @has_access
    def reveal_citizen_id(self, pk):
        """One person's whole citizen ID, for holders of can_full_citizen_id; the disclosure is audited."""
        person = db.session.get(StaffMember, pk)
        if person is None or person.unit_id not in (visible_unit_ids() or {person.unit_id}):
            abort(404)
        try:
            number = full_ids_for([person], "staff.page")[person.id]
        except PermissionError:
            abort(403)
        db.session.commit()
        return self.render_template("staff/citizen_id.html", person=person, number=number)

    def pre_update(self, item):
        if item.unit_id not in (visible_unit_ids() or {item.unit_id}):
            abort(404)
        if item.status != "在职" and item.left_on is None:
            item.left_on = today()
        if item.status == "在职":
            item.left_on = None


class TrainingCourseView(KnownActionsOnly, AuditedModelView, ModelView):
    """培训课程 (administrators keep them; everyone may read)."""

    route_base = "/courses"
    datamodel = SQLAInterface(TrainingCourse)
    audit_object = "training_course"
    audit_columns = ("name", "organiser", "start_date", "end_date", "hours")
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["name", "organiser", "start_date", "end_date", "hours"]
    # not by hours: FAB filters a NUMERIC column with text, which PostgreSQL refuses
    search_columns = ["name", "organiser", "start_date", "end_date"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"name": _l("课程"), "organiser": _l("主办单位"), "start_date": _l("开始日期"),
                     "end_date": _l("结束日期"), "hours": _l("学时")}
    list_title = _l("培训课程")
    show_title = _l("培训课程信息")
    add_title = _l("添加培训课程")
    edit_title = _l("修改培训课程")
    base_order = ("start_date", "desc")

    def pre_add(self, item):
        if item.end_date < item.start_date:
            raise ValueError(_("「结束日期」不能早于「开始日期」"))
        if item.hours is None or item.hours <= 0:
            raise ValueError(_("「学时」应大于0"))

    pre_update = pre_add


class TrainingRecordView(KnownActionsOnly, AuditedModelView, ModelView):
    """培训记录: who took part in which course, with the assessment result."""

    route_base = "/trainings"
    datamodel = SQLAInterface(TrainingRecord)
    audit_object = "training_record"
    audit_columns = ("course_id", "staff_id", "result")
    base_filters = [["staff_id", StaffScopeFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["course", "staff", "result"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"course": _l("课程"), "staff": _l("人员"), "result": _l("考核结果")}
    list_title = _l("培训记录")
    show_title = _l("培训记录信息")
    add_title = _l("添加培训记录")
    edit_title = _l("修改培训记录")
    add_form_extra_fields = edit_form_extra_fields = {
        "result": SelectField(_l("考核结果"), choices=RESULTS, validators=[DataRequired()])}

    def pre_add(self, item):
        dup = db.session.scalar(select(TrainingRecord.id).where(
            TrainingRecord.course_id == item.course_id if item.course_id else item.course.id,
            TrainingRecord.staff_id == (item.staff_id or item.staff.id), TrainingRecord.id != item.id))
        if dup:
            raise ValueError(_("该人员已有此课程的培训记录"))


class _CertificateInterface(SQLAInterface):
    """The list shows each certificate's person: loaded in the page's query, not one query per row.
    FAB builds the interface of a related model (the add form's staff dropdown) from this class
    too: the join applies to certificate queries only."""

    def apply_all(self, query, *args, **kwargs):
        from sqlalchemy.orm import joinedload

        query = super().apply_all(query, *args, **kwargs)
        return query.options(joinedload(Certificate.staff)) if self.obj is Certificate else query


class CertificateView(KnownActionsOnly, AuditedModelView, ModelView):
    """证书: type, number unique per type, issuer, dates, status."""

    route_base = "/certificates"
    datamodel = _CertificateInterface(Certificate)
    audit_object = "certificate"
    audit_columns = ("staff_id", "cert_type", "number", "issuer", "issue_date", "valid_until", "status")
    base_filters = [["staff_id", StaffScopeFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["staff", "cert_type", "number", "issuer", "issue_date", "valid_until", "status"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["cert_type", "number", "status", "valid_until"]
    label_columns = {"staff": _l("人员"), "cert_type": _l("证书类型"), "number": _l("证书编号"),
                     "issuer": _l("发证机关"), "issue_date": _l("发证日期"), "valid_until": _l("有效期至"),
                     "status": _l("状态")}
    list_title = _l("证书")
    show_title = _l("证书信息")
    add_title = _l("添加证书")
    edit_title = _l("修改证书")
    add_form_extra_fields = edit_form_extra_fields = {
        "cert_type": SelectField(_l("证书类型"), choices=CERT_TYPES, validators=[DataRequired()]),
        "status": SelectField(_l("状态"), choices=CERT_STATUS, validators=[DataRequired()]),
    }

    def pre_add(self, item):
        if item.valid_until and item.valid_until < item.issue_date:
            raise ValueError(_("「有效期至」不能早于「发证日期」"))
        dup = db.session.scalar(select(Certificate.id).where(
            Certificate.cert_type == item.cert_type, Certificate.number == item.number,
            Certificate.id != (item.id or 0)))
        if dup:
            raise ValueError(_("「证书编号」%(number)s 在%(type)s中已存在", number=item.number, type=item.cert_type))

    pre_update = pre_add


class StaffStatsView(BaseView):
    """人员统计, expiring certificates, and the register import."""

    route_base = "/staffstats"
    class_permission_name = STAFF
    method_permission_name = {"index": "read", "expiring": "read", "export": "read", "template": "import",
                              "upload": "import", "confirm": "import"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        year = request.args.get("year", "")
        year = int(year) if year.isdigit() else today().year
        ids = visible_unit_ids()
        return self.render_template("staff/stats.html", stats=staff_stats(ids, today(), year), year=year,
                                    expiring=expiring_certificates(ids, today()))

    @expose("/expiring")
    @has_access
    def expiring(self):
        rows = expiring_certificates(visible_unit_ids(), today())
        return self.render_template("staff/expiring.html", rows=rows, on=today(),
                                    until=today() + dt.timedelta(days=90))

    @expose("/export.xlsx")
    @has_access
    def export(self):
        """The register of the user's scope as .xlsx; citizen IDs masked, or whole with ?full_ids=1 for
        holders of can_full_citizen_id (each person's disclosure audited)."""
        import io

        from ..exports.sheet import Col, write_sheet
        from ..exports.styles import Styles, open_workbook

        people = db.session.scalars(restrict(select(StaffMember), StaffMember.unit_id)
                                    .order_by(StaffMember.unit_id, StaffMember.id)).all()
        units = {u.id: u.short_name for u in db.session.scalars(
            restrict(select(Unit), Unit.id))}
        buf = io.BytesIO()
        wb = open_workbook(buf)
        cols = [Col(str(STAFF_LABELS[k])) for k in ("unit", "name", "citizen_id", "sex", "birth_date", "education",
                                               "major", "post", "rank", "status")]
        if request.args.get("full_ids") == "1":
            try:
                numbers = full_ids_for(people, "staff.export")
            except PermissionError:
                abort(403)
        else:
            numbers = {p.id: mask(p.citizen_id) for p in people}
        rows = [[units.get(p.unit_id, ""), p.name, numbers[p.id], p.sex, str(p.birth_date), p.education,
                 p.major, p.post, p.rank, p.status] for p in people]
        write_sheet(wb, Styles(wb), _("人员名册"), _("人员名册"), [(_("导出时间"), str(today()))], cols, rows,
                    samples=rows[:20])
        wb.close()
        record("export.staff", "staff_member", None, {"rows": len(rows),
                                                     "full_ids": request.args.get("full_ids") == "1"})
        db.session.commit()
        return send_file(io.BytesIO(buf.getvalue()), as_attachment=True, download_name=_("人员名册") + ".xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @expose("/import/template")
    @has_access
    def template(self):
        import io

        record("export.template", "staff_member", None, {"kind": "staff"})
        db.session.commit()
        return send_file(io.BytesIO(staff_import.template_bytes()), as_attachment=True,
                         download_name="人员名册导入模板.xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")

    @expose("/import", methods=["GET", "POST"])
    @has_access
    def upload(self):
        user = acting_user()
        if user.unit_id is None or not has_perm(user, "can_fill", "Filing"):
            abort(403)
        result, error = None, None
        if request.method == "POST":
            result, error = check_upload("staff_import", lambda data: staff_import.preview(data, user.unit_id))
        return self.render_template("staff/import.html", result=result, error=error)

    @expose("/import/confirm", methods=["POST"])
    @has_access
    def confirm(self):
        user = acting_user()

        def done(result):
            return _("导入完成：新增%(adds)s人，更新%(updates)s人，未变%(same)s人", adds=len(result.adds),
                     updates=len(result.updates), same=result.unchanged)

        if not confirm_upload("staff_import", lambda data: staff_import.commit(data, user.unit_id, user), done,
                              usable=user.unit_id is not None):
            return redirect(url_for("StaffStatsView.upload"))
        return redirect(url_for("StaffView.list"))
