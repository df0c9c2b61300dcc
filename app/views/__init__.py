"""Registration of every view and menu entry."""

from ..forms import FORMS


def register_views(appbuilder) -> None:
    """Add the portal's views to FAB; menus follow the declared forms."""
    from .admin import AuditLogView, FormAssignmentView, UnitModelView
    from .filings import FilingView
    from .timeliness import TimelinessView

    appbuilder.add_view_no_menu(FilingView)
    for spec in FORMS.values():
        appbuilder.add_link(
            f"{spec.menu_title}报表", href=f"/filings/{spec.code}/", category=spec.menu_title,
            icon="fa-table",
        )
    appbuilder.add_link("修改申请", href="/filings/corrections/", icon="fa-pencil")
    appbuilder.add_view(TimelinessView, "报送情况", category="统计", icon="fa-clock-o")
    appbuilder.add_view(UnitModelView, "单位", category="单位", icon="fa-sitemap")
    appbuilder.add_view(FormAssignmentView, "填报范围", category="单位", icon="fa-check-square-o")
    appbuilder.add_view(AuditLogView, "审计日志", category="Security", icon="fa-history")
