"""Administrators' CRUD: units (create, rename, close, merge), filing assignments, audit log."""

from __future__ import annotations

import json

from flask import g, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from markupsafe import Markup
from wtforms import BooleanField, DateField, SelectField, ValidationError
from wtforms.fields.choices import SelectChoice

from ..audit import record
from ..extensions import db
from ..forms import FORMS
from ..models.audit import AuditLog
from ..models.filing import ALWAYS, FormAssignment
from ..models.unit import UNIT_KINDS, Unit
from ..people import person
from ..scope import UnitScopeFilter, UnitSelfScopeFilter
from .base import AuditedModelView, KnownActionsOnly


def _kind_choice(form, field):
    if field.data not in UNIT_KINDS:
        kinds = "、".join(f"{k}（{v}）" for k, v in UNIT_KINDS.items())
        raise ValidationError(_("「类型」应为：%(kinds)s", kinds=kinds))


def _dates(form, field):
    if field.data and form.valid_from.data and field.data <= form.valid_from.data:
        raise ValidationError(_("「撤销日期」应晚于「设立日期」"))


def _penalty_kinds(form, field):
    from ..forms.penalty import KIND_FIELDS

    known = {f.label for f in KIND_FIELDS}
    given = [x.strip() for x in (field.data or "").replace(",", "、").replace("，", "、").split("、") if x.strip()]
    unknown = [x for x in given if x not in known]
    if unknown:
        raise ValidationError(_("「可作出的处罚种类」中没有这些种类：%(bad)s；应为：%(known)s",
                                bad="、".join(unknown)[:100], known="、".join(sorted(known))))
    field.data = "、".join(dict.fromkeys(given)) or None


class UnitModelView(KnownActionsOnly, AuditedModelView, ModelView):
    """Units: closing sets 撤销日期; merging also names the successor. Never deleted."""

    datamodel = SQLAInterface(Unit)
    audit_object = "unit"
    audit_columns = ("code", "name", "short_name", "kind", "parent_id", "valid_from", "valid_to", "successor_id",
                     "penalty_kinds", "head_name", "stats_head_name", "phone")
    base_filters = [["id", UnitSelfScopeFilter, None]]
    base_permissions = ["can_list", "can_show", "can_add", "can_edit"]
    list_columns = ["code", "short_name", "name", "kind_label", "parent", "valid_from", "valid_to", "successor"]
    show_columns = [*list_columns, "penalty_kinds", "head_name", "stats_head_name", "phone"]
    add_columns = ["code", "name", "short_name", "kind", "parent", "valid_from", "valid_to", "successor",
                   "penalty_kinds", "head_name", "stats_head_name", "phone"]
    edit_columns = add_columns
    search_columns = ["code", "name", "short_name", "kind", "valid_to"]
    order_columns = ["code", "short_name", "valid_from", "valid_to"]
    base_order = ("code", "asc")
    page_size = 100
    label_columns = {
        "code": _l("编码"), "name": _l("全称"), "short_name": _l("简称"), "kind": _l("类型"),
        "kind_label": _l("类型"), "parent": _l("上级单位"), "valid_from": _l("设立日期"), "valid_to": _l("撤销日期"),
        "successor": _l("承继单位"), "penalty_kinds": _l("可作出的处罚种类"),
        "head_name": _l("单位负责人"), "stats_head_name": _l("统计负责人"), "phone": _l("联系电话"),
    }
    list_title = lazy_pgettext("plural", "单位")
    show_title = _l("单位信息")
    add_title = _l("新增单位")
    edit_title = _l("修改单位")
    description_columns = {
        "valid_to": _l("撤销或合并之日；留空表示现存单位"),
        "successor": _l("合并时填写承继其数据的单位"),
        "penalty_kinds": _l("以顿号分隔，如：警告、罚款；留空表示法律未专属其他机关的全部种类（行政拘留仅公安机关）"),
        "head_name": _l("打印报表表尾的单位负责人；留空时为审核签发人"),
        "phone": _l("打印报表表尾的联系电话"),
    }
    validators_columns = {"kind": [_kind_choice], "valid_to": [_dates], "penalty_kinds": [_penalty_kinds]}
    # The kind is chosen by its Chinese name (the stored code is the key); a forged code is refused.
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": SelectField(_l("类型"), choices=[SelectChoice(k, v) for k, v in UNIT_KINDS.items()],
                            validate_choice=False, validators=[_kind_choice])}



def _form_choice(form, field):
    if field.data not in FORMS:
        raise ValidationError(_("「报表」应为：%(forms)s", forms="、".join(s.menu_title for s in FORMS.values())))


class FormAssignmentView(KnownActionsOnly, AuditedModelView, ModelView):
    """Which units must file which form, where it differs from the default (all active units)."""

    datamodel = SQLAInterface(FormAssignment)
    audit_object = "form_assignment"
    audit_columns = ("unit_id", "form_code", "required", "valid_from")
    base_filters = [["unit_id", UnitScopeFilter, None]]
    base_permissions = ["can_list", "can_add", "can_edit", "can_delete"]
    list_columns = ["unit", "form_code", "required", "valid_from"]
    search_columns = ["unit", "form_code", "required", "valid_from"]
    add_columns = edit_columns = ["unit", "form_code", "required", "valid_from"]
    label_columns = {"unit": _l("单位"), "form_code": _l("报表"), "required": _l("需要填报"),
                     "valid_from": _l("生效日期")}
    description_columns = {"valid_from": _l("自该日起适用（按报告期最后一天判断）；1900-01-01 表示一直适用")}
    list_title = _l("填报范围")
    show_title = _l("填报范围")
    add_title = _l("新增填报范围")
    edit_title = _l("修改填报范围")
    formatters_columns = {"form_code": lambda code: FORMS[code].menu_title if code in FORMS else code}
    # The form is picked by its title from the declared forms (a forged code is refused in
    # Chinese). FAB makes a NOT NULL boolean "required", so an unticked box (不需要填报, the point of
    # most entries) was refused; a plain checkbox stores True or False.
    add_form_extra_fields = edit_form_extra_fields = {
        "form_code": SelectField(_l("报表"), choices=[SelectChoice(k, spec.menu_title) for k, spec in FORMS.items()],
                                 validate_choice=False, validators=[_form_choice]),
        "required": BooleanField(_l("需要填报"), default=True, description=_l("不勾选：该单位不必填报此表")),
        # Left out of a POST it is ALWAYS (the default); an unreadable date is refused by the field.
        "valid_from": DateField(_l("生效日期"), default=ALWAYS,
                                description=_l("自该日起适用（按报告期最后一天判断）；1900-01-01 表示一直适用"))}


def _code(value) -> Markup:
    return Markup("<code>{}</code>").format(value) if value else Markup("")


class AuditLogView(KnownActionsOnly, ModelView):
    """The audit trail: searchable, exportable, never editable (the audit administrator's)."""

    datamodel = SQLAInterface(AuditLog)
    base_permissions = ["can_list", "can_show", "can_export", "can_disclosures", "can_verify"]
    list_template = "portal/audit_list.html"
    list_columns = ["at", "username", "ip", "action", "object_type", "object_id"]
    show_columns = ["at", "username", "ip", "action", "object_type", "object_id", "detail"]
    search_columns = ["username", "action", "object_type", "object_id", "at"]
    base_order = ("id", "desc")
    label_columns = {
        "at": _l("时间（UTC）"), "username": _l("用户"), "ip": _l("地址"), "action": _l("操作"),
        "object_type": _l("对象"), "object_id": _l("对象编号"), "detail": _l("详情"),
    }
    # 姓名（单位）, the login name stays searchable; actions and object types are the trail's own
    # identifiers (what the chain seals and searches match), shown as codes.
    formatters_columns = {"username": person, "action": _code, "object_type": _code,
                          "detail": lambda d: _code(json.dumps(d, ensure_ascii=False) if d is not None else "")}
    list_title = _l("审计日志")
    show_title = _l("审计日志条目")

    @expose("/disclosures/")
    @has_access
    def disclosures(self):
        """身份证号查看记录: every whole citizen ID shown, exported or served, per person (app/pii/disclosure.py);
        ?person=<身份证号> narrows to one person, found by the blind index."""
        from sqlalchemy import func, select

        from ..models.staff import StaffMember
        from ..pii.disclosure import ACTION, SURFACES
        from ..staff.citizen_id import mask

        q = select(AuditLog).where(AuditLog.action == ACTION, AuditLog.object_type == "staff_member")
        wanted = (request.args.get("person") or "").strip()
        if wanted:
            ids = select(StaffMember.id).where(StaffMember.citizen_id == wanted)
            q = q.where(AuditLog.object_id.in_(ids))
        entries = db.session.scalars(q.order_by(AuditLog.id.desc()).limit(500)).all()
        people = {p.id: p for p in db.session.scalars(select(StaffMember).where(
            StaffMember.id.in_({e.object_id for e in entries})))}
        per_person = db.session.execute(
            select(AuditLog.object_id, func.count(), func.max(AuditLog.at))
            .where(AuditLog.action == ACTION, AuditLog.object_type == "staff_member")
            .group_by(AuditLog.object_id).order_by(func.count().desc()).limit(200)).all()
        for pid, _count, _last in per_person:
            if pid not in people and (p := db.session.get(StaffMember, pid)) is not None:
                people[pid] = p
        return self.render_template("portal/disclosures.html", entries=entries, people=people,
                                    per_person=per_person, surfaces=SURFACES, mask=mask, wanted=wanted)

    @expose("/verify/", methods=["POST"])
    @has_access
    def verify(self):
        """验证审计链 now, from the audit administrator's home page; the result is an audit entry."""
        from flask import flash, redirect

        from ..audit import verify_and_record

        result = verify_and_record(g.user)
        if result["ok"]:
            flash(_("审计链完整：已验证 %(n)s 条记录", n=result["checked"]), "success")
        else:
            flash(_("审计链在第 %(id)s 条记录处断开：%(reason)s", id=result["broken_at"], reason=result["reason"]),
                  "danger")
        return redirect(self.appbuilder.get_url_for_index)

    @expose("/export/")
    @has_access
    def export(self):
        """The entries matching the list's current search, as a streamed .xlsx."""
        import tempfile

        from flask import redirect, send_file, url_for
        from flask_appbuilder.urltools import get_filter_args

        from .. import jobs
        from ..exports.sheet import Col, write_sheet
        from ..exports.styles import Styles, open_workbook

        if jobs.should_queue():  # the whole log can be large: built by the export worker
            job = jobs.submit(g.user, _("审计日志"))
            return redirect(url_for("ExportJobView.show", job_id=job.id))
        get_filter_args(self._filters)
        query = self.datamodel.session.query(AuditLog)
        query = self._filters.apply_all(query)
        query = query.order_by(AuditLog.id)
        tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
        wb = open_workbook(tmp.name, large=True)
        columns = [Col(_("时间（UTC）")), Col(_("用户")), Col(_("地址")), Col(_("操作")), Col(_("对象")),
                   Col(_("对象编号")), Col(_("详情"), width=80), Col(_("哈希"), width=66)]
        rows = ((str(e.at), e.username or "", e.ip or "", e.action, e.object_type or "",
                 "" if e.object_id is None else str(e.object_id),
                 json.dumps(e.detail, ensure_ascii=False) if e.detail is not None else "", e.hash or "")
                for e in query.yield_per(2000))
        write_sheet(wb, Styles(wb), _("审计日志"), _("审计日志"), [(_("导出人"), g.user.username)], columns, rows,
                    streaming=True)
        wb.close()
        record("export.audit_log", "audit_log", None, {"filters": dict(request.args)})
        db.session.commit()
        return send_file(tmp.name, as_attachment=True, download_name=_("审计日志") + ".xlsx",
                         mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
