"""Registration of every view and menu entry."""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from ..forms import FORMS


def register_views(appbuilder) -> None:
    """Add the portal's views to FAB; menus follow the declared forms."""
    from .admin import AuditLogView, FormAssignmentView, UnitModelView
    from .apikeys import ApiKeysView
    from .dashboard import ChartAssetView, DashboardView
    from .filings import FilingView
    from .jobs import ExportJobView
    from .reports import ReportView
    from .staff import CertificateView, StaffStatsView, StaffView, TrainingCourseView, TrainingRecordView
    from .timeliness import TimelinessView

    appbuilder.add_view_no_menu(FilingView)
    appbuilder.add_view_no_menu(ExportJobView)
    for spec in FORMS.values():
        entry = f"{spec.menu_title}报表"  # msgids of these labels: app/i18n.py
        appbuilder.add_link(
            entry, href=f"/filings/{spec.code}/", category=spec.menu_title,
            icon="fa-table", label=_l(entry), category_label=_l(spec.menu_title),
        )
    appbuilder.add_link("修改申请", href="/filings/corrections/", icon="fa-pencil", label=_l("修改申请"))
    staff = "法制机构和人员"
    appbuilder.add_view(StaffView, "人员名册", category=staff, icon="fa-users", label=_l("人员名册"),
                        category_label=_l("法制机构和人员"))
    appbuilder.add_view(StaffStatsView, "人员统计", category=staff, icon="fa-bar-chart", label=_l("人员统计"))
    appbuilder.add_link("导入人员名册", href="/staffstats/import", category=staff, icon="fa-upload",
                        label=_l("导入人员名册"))
    appbuilder.add_link("即将到期证书", href="/staffstats/expiring", category=staff, icon="fa-calendar",
                        label=_l("即将到期证书"))
    appbuilder.add_view(TrainingCourseView, "培训课程", category=staff, icon="fa-book", label=_l("培训课程"))
    appbuilder.add_view(TrainingRecordView, "培训记录", category=staff, icon="fa-check", label=_l("培训记录"))
    appbuilder.add_view(CertificateView, "证书", category=staff, icon="fa-id-card", label=_l("证书"))
    _register_cases(appbuilder)
    appbuilder.add_view(TimelinessView, "报送情况", category="统计分析", icon="fa-clock-o", label=_l("报送情况"),
                        category_label=_l("统计分析"))
    stats = "统计分析"  # statistics for every role; the scope decides what they cover
    appbuilder.add_view(DashboardView, "数据看板", category=stats, icon="fa-tachometer", label=_l("数据看板"),
                        category_label=_l("统计分析"))
    appbuilder.add_view(ReportView, "统计报表", category=stats, icon="fa-table", label=_l("统计报表"))
    appbuilder.add_link("对比分析", href="/reports/penalty/compare", category=stats, icon="fa-sort-amount-desc",
                        label=_l("对比分析"))
    appbuilder.add_link("分析报告", href="/reports/analysis", category=stats, icon="fa-file-text-o",
                        label=_l("分析报告"))
    appbuilder.add_view_no_menu(ChartAssetView)
    units = lazy_pgettext("plural", "单位")  # Units (单位 alone is Unit)
    appbuilder.add_view(UnitModelView, "单位", category="单位", icon="fa-sitemap", label=units, category_label=units)
    appbuilder.add_view(FormAssignmentView, "填报范围", category="单位", icon="fa-check-square-o",
                        label=_l("填报范围"))
    audit_view = appbuilder.add_view(AuditLogView, "审计日志", category="Security", icon="fa-history",
                                     label=_l("审计日志"))
    # the link belongs to the audit view, so it is the audit administrator's duty like the view
    appbuilder.add_link("身份证号查看记录", href="/auditlogview/disclosures/", category="Security",
                        icon="fa-id-card", label=_l("身份证号查看记录"), baseview=audit_view)
    appbuilder.add_view(ApiKeysView, "API 密钥", category="Security", icon="fa-key", label=_l("API 密钥"))
    _register_notices(appbuilder)
    _register_docflow(appbuilder)
    from flask import current_app

    from .base import register_list_guard

    register_list_guard(current_app._get_current_object())  # FAB's list paging, for its views too


def _register_cases(appbuilder) -> None:
    from .cases import HolidayView, LitigationCaseView, ReconCaseView

    menu = "案件登记"
    appbuilder.add_view(ReconCaseView, "行政复议案件", category=menu, icon="fa-folder-open",
                        label=_l("行政复议案件"), category_label=_l("案件登记"))
    appbuilder.add_view(LitigationCaseView, "行政应诉案件", category=menu, icon="fa-gavel",
                        label=_l("行政应诉案件"))
    appbuilder.add_link("督办案件", href="/cases/recon/supervise", category=menu, icon="fa-bell",
                        label=_l("督办案件"))
    appbuilder.add_link("导入复议案件", href="/cases/recon/import", category=menu, icon="fa-upload",
                        label=_l("导入复议案件"))
    appbuilder.add_link("案件热点", href="/cases/recon/hotspots", category=menu, icon="fa-fire",
                        label=_l("案件热点"))
    appbuilder.add_view(HolidayView, "法定节假日", category="单位", icon="fa-calendar", label=_l("法定节假日"))


def _register_notices(appbuilder) -> None:
    """通知公告 / 问题反馈 / 联系方式 (one menu; contacts kept by administrators)."""
    from .notices import ContactsView, ContactView, DivisionView, FeedbackView, NoticeView

    menu = "通知公告"
    appbuilder.add_view(NoticeView, "通知公告", category=menu, icon="fa-bullhorn", label=_l("通知公告"),
                        category_label=_l("通知公告"))
    appbuilder.add_link("发布通知", href="/notices/new", category=menu, icon="fa-plus", label=_l("发布通知"))
    appbuilder.add_view(FeedbackView, "问题反馈", category=menu, icon="fa-comments", label=_l("问题反馈"))
    appbuilder.add_view(ContactsView, "联系方式", category=menu, icon="fa-phone", label=_l("联系方式"))
    appbuilder.add_view(DivisionView, "处室", category=menu, icon="fa-building", label=_l("处室"))
    appbuilder.add_view(ContactView, "联系人", category=menu, icon="fa-address-book", label=_l("联系人"))


def _register_docflow(appbuilder) -> None:
    """规范性文件备案审查, 信息报送 (app.docflow) and 年度考核."""
    from .docflow import AssessmentView, InfoItemView, NormativeDocView

    menu = "规范性文件备案"
    appbuilder.add_view(NormativeDocView, "规范性文件", category=menu, icon="fa-file-text", label=_l("规范性文件"),
                        category_label=_l("规范性文件备案"))
    appbuilder.add_link("备案统计", href="/normative/stats", category=menu, icon="fa-bar-chart",
                        label=_l("备案统计"))
    menu = "信息报送"
    appbuilder.add_view(InfoItemView, "法治工作信息", category=menu, icon="fa-newspaper-o", label=_l("法治工作信息"),
                        category_label=_l("信息报送"))
    appbuilder.add_link("信息排名", href="/info/ranking", category=menu, icon="fa-trophy", label=_l("信息排名"))
    appbuilder.add_link("法治信息简报", href="/info/briefs", category=menu, icon="fa-book", label=_l("法治信息简报"))
    appbuilder.add_view(AssessmentView, "年度考核", category="统计分析", icon="fa-star", label=_l("年度考核"))
