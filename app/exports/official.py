"""The official layout around a form: its heading settings (表号, 制表机关, 批准文号, 有效期,
计量单位) per form version, and the sign-off block of one filing (单位负责人, 统计负责人,
填表人, 联系电话, 报出日期).

The heading settings are configuration: the defaults below, overridden per form version by
``FORM_HEADINGS`` in the app config, e.g. ``{"reconsideration@2024": {"approval": "京统函〔2024〕1号",
"valid_until": "2027年12月"}}`` (keys: a form code, or code@version for one version).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from flask import current_app
from flask_babel import gettext as _

from ..filing.periods import Period
from ..filing.workflow import REPORTED
from ..forms.base import FormSpec
from ..models.filing import Filing

ISSUER = "北京市人民政府法制办公室"


@dataclass(frozen=True)
class Heading:
    """What is printed above a form: 表号, 制表机关, 批准文号 and 有效期 (where applicable), 计量单位."""

    number: str
    issuer: str = ISSUER
    approval: str = ""
    valid_until: str = ""
    units: str = "件、元"


DEFAULTS: dict[str, Heading] = {
    "institution": Heading("法统1表", units="个、人"),
    "reconsideration": Heading("法统2表", units="件、人"),
    "litigation": Heading("法统3表", units="件"),
    "penalty": Heading("法统4表", units="件、元"),
}


# 计量单位 of a form's counts: the form's default, and the fields counted otherwise.
COUNT_UNIT = {"institution": "人"}
FIELD_UNITS = {
    "institution": {"q_issued": "个", "q_valid": "个"},
    "reconsideration": {"applicants": "人", "applicants_citizen": "人", "applicants_org": "个"},
}


def unit_of(spec: FormSpec, field) -> str:
    """The 计量单位 printed on a field's line: 元 for money, the count's unit, none for text."""
    from ..forms.base import MONEY

    if field.kind == MONEY:
        return _("元")
    if not field.numeric:
        return ""
    return FIELD_UNITS.get(spec.code, {}).get(field.name) or COUNT_UNIT.get(spec.code, "件")


def heading(spec: FormSpec) -> Heading:
    """The heading of `spec`'s version: the default for its form, then the settings for the form,
    then those for this very version (later ones win, field by field)."""
    found = DEFAULTS.get(spec.code, Heading(""))
    settings = current_app.config.get("FORM_HEADINGS") or {}
    for key in (spec.code, spec.template_kind):
        if key in settings:
            found = replace(found, **{k: str(v) for k, v in settings[key].items() if k in Heading.__dataclass_fields__})
    return found


def heading_lines(spec: FormSpec) -> list[tuple[str, str]]:
    """(label, text) pairs for the right-hand corner of a form, empty entries left out."""
    h = heading(spec)
    pairs = [(_("表号"), h.number), (_("制表机关"), h.issuer), (_("批准文号"), h.approval),
             (_("有效期至"), h.valid_until)]
    return [(k, v) for k, v in pairs if v]


@dataclass(frozen=True)
class SignOff:
    """The footer of a printed filing; empty strings print as blank lines to sign on."""

    head: str
    stats_head: str
    filler: str
    phone: str
    reported_on: dt.date | None
    signed: bool

    @property
    def reported_text(self) -> str:
        d = self.reported_on
        return _("%(y)d年%(m)d月%(d)d日", y=d.year, m=d.month, d=d.day) if d else ""

    def pairs(self) -> list[tuple[str, str]]:
        return [(_("单位负责人"), self.head), (_("统计负责人"), self.stats_head), (_("填表人"), self.filler),
                (_("联系电话"), self.phone), (_("报出日期"), self.reported_text)]


def _person(transition) -> str:
    """A transition's actor by name (姓 + 名 as the account has them), else the account name."""
    from ..extensions import db
    from ..models.user import PortalUser
    from ..people import full_name

    user = db.session.get(PortalUser, transition.user_id) if transition.user_id else None
    return (full_name(user) if user is not None else "") or transition.username


def sign_off(filing: Filing) -> SignOff:
    """Who filled the filing in (the last 提交单位审核), who signed it off (the last 审核签发)
    and when (报出日期: that sign-off, local date); the unit's 单位负责人, 统计负责人 and phone as
    the unit record holds them, the signer standing in where the record is empty. A filing not
    signed off (draft, pending, returned) has no 报出日期 and prints as a draft."""
    from ..clock import _zone

    submit = next((t for t in reversed(filing.transitions) if t.action == "submit"), None)
    head, phone = unit_contacts(filing.unit)
    signer = next((t for t in reversed(filing.transitions) if t.action == "sign_off"), None)
    signed = filing.state in REPORTED and signer is not None
    unit = filing.unit
    signer_name = _person(signer) if signed else ""
    reported = signer.at.replace(tzinfo=dt.UTC).astimezone(_zone()).date() if signed else None
    return SignOff(head=head or signer_name, stats_head=unit.stats_head_name or signer_name,
                   filler=_person(submit) if submit else "", phone=phone, reported_on=reported, signed=signed)


def unit_contacts(unit) -> tuple[str, str]:
    """(单位负责人, 联系电话) of a unit: its record's, else what its latest reported 法制机构和人员
    filing gives as 机构负责人 and 联系电话; empty strings when neither has them."""
    from sqlalchemy import select

    from ..extensions import db
    from ..filing.values import current_values

    head, phone = unit.head_name or "", unit.phone or ""
    if head and phone:
        return head, phone
    latest = db.session.scalar(select(Filing).where(
        Filing.unit_id == unit.id, Filing.form_code == "institution", Filing.state.in_(tuple(REPORTED)))
        .order_by(Filing.year.desc(), Filing.sub.desc()).limit(1))
    if latest is not None:
        values = current_values(latest)
        head = head or (values.get("head_name") or "")
        phone = phone or (values.get("phone") or "")
    return head, phone


def period_heading(period: Period) -> str:
    return _("报告期：%(period)s", period=period.label)
