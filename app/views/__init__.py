"""Registration of every view and menu entry."""

from ..forms import FORMS


def register_views(appbuilder) -> None:
    """Add the portal's views to FAB; menus follow the declared forms."""
    from .admin import AuditLogView, FormAssignmentView, UnitModelView
    from .apikeys import ApiKeysView
    from .dashboard import ChartAssetView, DashboardView
    from .filings import FilingView
    from .reports import ReportView
    from .staff import CertificateView, StaffStatsView, StaffView, TrainingCourseView, TrainingRecordView
    from .timeliness import TimelinessView

    appbuilder.add_view_no_menu(FilingView)
    for spec in FORMS.values():
        appbuilder.add_link(
            f"{spec.menu_title}报表", href=f"/filings/{spec.code}/", category=spec.menu_title,
            icon="fa-table",
        )
    appbuilder.add_link("修改申请", href="/filings/corrections/", icon="fa-pencil")
    staff = "法制机构和人员"
    appbuilder.add_view(StaffView, "人员名册", category=staff, icon="fa-users")
    appbuilder.add_view(StaffStatsView, "人员统计", category=staff, icon="fa-bar-chart")
    appbuilder.add_link("导入人员名册", href="/staffstats/import", category=staff, icon="fa-upload")
    appbuilder.add_link("即将到期证书", href="/staffstats/expiring", category=staff, icon="fa-calendar")
    appbuilder.add_view(TrainingCourseView, "培训课程", category=staff, icon="fa-book")
    appbuilder.add_view(TrainingRecordView, "培训记录", category=staff, icon="fa-check")
    appbuilder.add_view(CertificateView, "证书", category=staff, icon="fa-id-card")
    appbuilder.add_view(TimelinessView, "报送情况", category="统计", icon="fa-clock-o")
    stats = "统计分析"  # statistics for every role; the scope decides what they cover
    appbuilder.add_view(DashboardView, "数据看板", category=stats, icon="fa-tachometer")
    appbuilder.add_view(ReportView, "统计报表", category=stats, icon="fa-table")
    appbuilder.add_link("对比分析", href="/reports/penalty/compare", category=stats, icon="fa-sort-amount-desc")
    appbuilder.add_link("分析报告", href="/reports/analysis", category=stats, icon="fa-file-text-o")
    appbuilder.add_view_no_menu(ChartAssetView)
    appbuilder.add_view(UnitModelView, "单位", category="单位", icon="fa-sitemap")
    appbuilder.add_view(FormAssignmentView, "填报范围", category="单位", icon="fa-check-square-o")
    appbuilder.add_view(AuditLogView, "审计日志", category="Security", icon="fa-history")
    appbuilder.add_view(ApiKeysView, "API 密钥", category="Security", icon="fa-key")
    _register_notices(appbuilder)


def _register_notices(appbuilder) -> None:
    """通知公告 / 问题反馈 / 联系方式 (one menu; contacts kept by administrators)."""
    from .notices import ContactsView, ContactView, DivisionView, FeedbackView, NoticeView

    menu = "通知公告"
    appbuilder.add_view(NoticeView, "通知公告", category=menu, icon="fa-bullhorn")
    appbuilder.add_link("发布通知", href="/notices/new", category=menu, icon="fa-plus")
    appbuilder.add_view(FeedbackView, "问题反馈", category=menu, icon="fa-comments")
    appbuilder.add_view(ContactsView, "联系方式", category=menu, icon="fa-phone")
    appbuilder.add_view(DivisionView, "处室", category=menu, icon="fa-building")
    appbuilder.add_view(ContactView, "联系人", category=menu, icon="fa-address-book")
