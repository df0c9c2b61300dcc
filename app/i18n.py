"""Translations: the pieces shared by the portal's pages.

The portal's msgids are Chinese (the UI is Chinese first); app/translations/en translates them,
app/translations/zh fills FAB's own English strings that FAB's Chinese catalog lacks. Catalogs are
built by scripts/i18n.sh (extract → update → compile); the compiled .mo files are committed.

The filing engine (app/filing) and the form declarations (app/forms) keep their Chinese wording:
it is the official wording of the forms, also used as Excel headers and in exports. The labels of
those modules that pages show (states, actions, form names) are declared below with ``N_`` so that
extraction picks them up; templates translate them where they are shown: ``{{ _(states[f.state]) }}``.
tests/test_i18n.py checks that every one of them has an English translation.
"""

from __future__ import annotations

from flask_babel import gettext


def N_(text: str) -> str:
    """Mark `text` as a msgid without translating it (it is translated where it is shown)."""
    return text


APP_NAME = N_("法制统计")

# app/filing/workflow.py STATES and ACTIONS, corrections.CORRECTION_STATES, timeliness.STATUS_LABELS.
ENGINE_LABELS = (
    N_("草稿"), N_("待单位审核"), N_("已上报"), N_("已通过"), N_("已退回"),
    N_("提交单位审核"), N_("审核签发并上报"), N_("退回填报人"), N_("审核通过"), N_("退回单位"), N_("重新编辑"),
    N_("待审核"), N_("已批准"), N_("已驳回"),
    N_("按时"), N_("迟报"), N_("未报"),
)

# app/forms/*: menu_title and title of every declared form, and its menu entry (app/views/__init__.py).
FORM_LABELS = (
    N_("行政处罚"), N_("行政处罚情况统计表"), N_("行政处罚报表"),
    N_("行政复议"), N_("行政复议案件情况统计表"), N_("行政复议报表"),
    N_("行政应诉"), N_("行政应诉案件情况统计表"), N_("行政应诉报表"),
    N_("法制机构和人员"), N_("法制机构和人员情况统计表"), N_("法制机构和人员报表"),
)


def period_label(period) -> str:
    """A reporting period in the current language: 2024年第3季度 / Q3 2024 (Period.label stays Chinese)."""
    if period is None:
        return ""
    if period.kind == "quarter":
        return gettext("%(year)s年第%(n)s季度", year=period.year, n=period.index)
    if period.kind == "half":
        if period.index == 1:
            return gettext("%(year)s年上半年", year=period.year)
        return gettext("%(year)s年下半年", year=period.year)
    return gettext("%(year)s年度", year=period.year)


def sub_period_label(kind: str, index: int) -> str:
    """The part of a period within its year: 第3季度 / 上半年 (for filters by quarter or half)."""
    if kind == "quarter":
        return gettext("第%(n)s季度", n=index)
    return gettext("上半年") if index == 1 else gettext("下半年")



def html_lang() -> str:
    """The page's ``<html lang>``: zh-CN for Chinese, else the locale as a language tag (en)."""
    from flask_babel import get_locale

    try:
        locale = get_locale()
    except Exception:  # no request, or the locale selector failed: the default language
        locale = None
    if locale is None or locale.language == "zh":
        return "zh-CN"
    return "-".join(p for p in (locale.language, locale.territory) if p)
