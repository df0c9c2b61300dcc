"""Staff register, training and certificates: FAB CRUD wired to the one scope.

Units keep their own register (the unit comes from the account, never the form); people who
leave are marked, never deleted; citizen IDs are shown masked except to administrators.
Administrators keep courses, participation and certificates; units read their own staff's.
"""

from __future__ import annotations

import datetime as dt

from flask import abort, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, ModelView, expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from wtforms import BooleanField, SelectField, ValidationError
from wtforms.validators import DataRequired

from ..audit import record
from ..clock import today
from ..extensions import db
from ..imports import staff as staff_import
from ..imports.stash import stash, take
from ..imports.xlsx import MAX_UPLOAD, ImportFileError
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
from ..scope import UnitScopeFilter, acting_user, restrict, visible_unit_ids
from ..security import has_perm
from ..staff.citizen_id import CitizenIdError, mask, parse_citizen_id
from ..staff.stats import expiring_certificates, staff_stats
from .base import KnownActionsOnly

STAFF = "Staff"


def can_see_full_id(user=None) -> bool:
    """Only holders of can_full_citizen_id (administrators) see unmasked citizen IDs."""
    return has_perm(user or acting_user(), "can_full_citizen_id", STAFF)


def shown_id(number: str | None) -> str:
    """The citizen ID as the current user may see it."""
    return number or "" if can_see_full_id() else mask(number)


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
    if db.session.scalar(select(StaffMember.id).where(StaffMember.citizen_id == field.data.strip().upper())):
        raise ValidationError("「身份证号」已登记在名册中")


STAFF_LABELS = {
    "name": "姓名", "citizen_id": "身份证号", "sex": "性别", "birth_date": "出生日期", "ethnicity": "民族",
    "education": "学历", "major": "专业", "law_major": "法学专业", "political_status": "政治面貌",
    "post": "职务", "rank": "职级", "start_date": "参加工作时间", "passed_legal_exam": "通过法律职业资格考试",
    "status": "状态", "left_on": "离岗日期", "unit": "单位", "updated_at": "更新时间",
}


class StaffView(KnownActionsOnly, ModelView):
    """人员名册."""

    route_base = "/staff"
    datamodel = SQLAInterface(StaffMember)
    base_filters = [["unit_id", UnitScopeFilter, None]]
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
    formatters_columns = {"citizen_id": shown_id}
    # Check boxes must not be "required" (FAB makes non-null booleans so: unticked would fail).
    _flags = {
        "law_major": BooleanField("法学专业"),
        "passed_legal_exam": BooleanField("通过法律职业资格考试"),
    }
    add_form_extra_fields = {
        "education": SelectField("学历", choices=EDUCATION, validators=[DataRequired()]),
        **_flags,
    }
    edit_form_extra_fields = {
        "education": SelectField("学历", choices=EDUCATION, validators=[DataRequired()]),
        "status": SelectField("状态", choices=STAFF_STATUS, validators=[DataRequired()]),
        **_flags,
    }
    validators_columns = {"citizen_id": [DataRequired(), _valid_id]}

    def pre_add(self, item):
        user = acting_user()
        if getattr(user, "unit_id", None) is None or not has_perm(user, "can_fill", "Filing"):
            raise ValueError("只有单位填报员可以登记本单位人员")
        parsed = parse_citizen_id(item.citizen_id)
        item.citizen_id, item.birth_date, item.sex = parsed.number, parsed.birth_date, parsed.sex
        item.unit_id = user.unit_id  # from the account, never from the request

    def pre_update(self, item):
        if item.unit_id not in (visible_unit_ids() or {item.unit_id}):
            abort(404)
        if item.status != "在职" and item.left_on is None:
            item.left_on = today()
        if item.status == "在职":
            item.left_on = None

    def post_add(self, item):
        record("staff.create", "staff_member", item.id, {"name": item.name})
        db.session.commit()

    def post_update(self, item):
        record("staff.update", "staff_member", item.id, {"name": item.name, "status": item.status})
        db.session.commit()


class TrainingCourseView(KnownActionsOnly, ModelView):
    """培训课程 (administrators keep them; everyone may read)."""

    route_base = "/courses"
    datamodel = SQLAInterface(TrainingCourse)
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["name", "organiser", "start_date", "end_date", "hours"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"name": "课程", "organiser": "主办单位", "start_date": "开始日期", "end_date": "结束日期",
                     "hours": "学时"}
    base_order = ("start_date", "desc")

    def pre_add(self, item):
        if item.end_date < item.start_date:
            raise ValueError("「结束日期」不能早于「开始日期」")
        if item.hours is None or item.hours <= 0:
            raise ValueError("「学时」应大于0")

    pre_update = pre_add


class TrainingRecordView(KnownActionsOnly, ModelView):
    """培训记录: who took part in which course, with the assessment result."""

    route_base = "/trainings"
    datamodel = SQLAInterface(TrainingRecord)
    base_filters = [["staff_id", StaffScopeFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["course", "staff", "result"]
    add_columns = edit_columns = show_columns = list_columns
    label_columns = {"course": "课程", "staff": "人员", "result": "考核结果"}
    add_form_extra_fields = edit_form_extra_fields = {
        "result": SelectField("考核结果", choices=RESULTS, validators=[DataRequired()])}

    def pre_add(self, item):
        dup = db.session.scalar(select(TrainingRecord.id).where(
            TrainingRecord.course_id == item.course_id if item.course_id else item.course.id,
            TrainingRecord.staff_id == (item.staff_id or item.staff.id), TrainingRecord.id != item.id))
        if dup:
            raise ValueError("该人员已有此课程的培训记录")


class CertificateView(KnownActionsOnly, ModelView):
    """证书: type, number unique per type, issuer, dates, status."""

    route_base = "/certificates"
    datamodel = SQLAInterface(Certificate)
    base_filters = [["staff_id", StaffScopeFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit", "can_delete"]
    list_columns = ["staff", "cert_type", "number", "issuer", "issue_date", "valid_until", "status"]
    add_columns = edit_columns = show_columns = list_columns
    search_columns = ["cert_type", "number", "status", "valid_until"]
    label_columns = {"staff": "人员", "cert_type": "证书类型", "number": "证书编号", "issuer": "发证机关",
                     "issue_date": "发证日期", "valid_until": "有效期至", "status": "状态"}
    add_form_extra_fields = edit_form_extra_fields = {
        "cert_type": SelectField("证书类型", choices=CERT_TYPES, validators=[DataRequired()]),
        "status": SelectField("状态", choices=CERT_STATUS, validators=[DataRequired()]),
    }

    def pre_add(self, item):
        if item.valid_until and item.valid_until < item.issue_date:
            raise ValueError("「有效期至」不能早于「发证日期」")
        dup = db.session.scalar(select(Certificate.id).where(
            Certificate.cert_type == item.cert_type, Certificate.number == item.number,
            Certificate.id != (item.id or 0)))
        if dup:
            raise ValueError(f"「证书编号」{item.number} 在{item.cert_type}中已存在")

    pre_update = pre_add


class StaffStatsView(BaseView):
    """人员统计, expiring certificates, and the register import."""

    route_base = "/staffstats"
    class_permission_name = STAFF
    method_permission_name = {"index": "read", "expiring": "read", "template": "import",
                              "upload": "import", "confirm": "import"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        year = request.args.get("year", "")
        year = int(year) if year.isdigit() else today().year
        ids = visible_unit_ids()
        return self.render_template("staff/stats.html", stats=staff_stats(ids, today(), year), year=year,
                                    expiring=expiring_certificates(ids, today()), shown_id=shown_id)

    @expose("/expiring")
    @has_access
    def expiring(self):
        rows = expiring_certificates(visible_unit_ids(), today())
        return self.render_template("staff/expiring.html", rows=rows, on=today(),
                                    until=today() + dt.timedelta(days=90))

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
            upload = request.files.get("file")
            data = upload.read(MAX_UPLOAD + 1) if upload else b""
            try:
                if not data:
                    raise ImportFileError("请选择要上传的文件")
                result = staff_import.preview(data, user.unit_id)
                if result.ok:
                    stash("staff_import", data)
            except ImportFileError as exc:
                error = str(exc)
        return self.render_template("staff/import.html", result=result, error=error)

    @expose("/import/confirm", methods=["POST"])
    @has_access
    def confirm(self):
        user = acting_user()
        data = take("staff_import")
        if user.unit_id is None or data is None:
            flash("导入已过期，请重新上传", "danger")
            return redirect(url_for("StaffStatsView.upload"))
        try:
            result = staff_import.commit(data, user.unit_id, user)
        except ImportFileError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("StaffStatsView.upload"))
        if not result.ok:
            flash("；".join(result.errors[:5]), "danger")
        else:
            flash(f"导入完成：新增{len(result.adds)}人，更新{len(result.updates)}人，"
                  f"未变{result.unchanged}人", "success")
        return redirect(url_for("StaffView.list"))
