"""Units (单位): the municipal office, district offices and bureaus' legal divisions."""

import datetime as dt

from flask_appbuilder import Model
from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

UNIT_KINDS = {
    "city_office": "市政府法制办",
    "district": "区",
    "county": "县",
    "department": "市政府部门",
    "zone_committee": "开发区管委会",
}


class Unit(Model):
    """One reporting unit; closed units keep their rows and point at their successor."""

    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True, nullable=False)
    name: Mapped[str] = mapped_column(String(128), nullable=False)
    short_name: Mapped[str] = mapped_column(String(64), nullable=False)
    kind: Mapped[str] = mapped_column(String(20), nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date, nullable=False)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    # The penalty kinds the unit may impose, as their labels separated by 、 (e.g. 警告、罚款);
    # empty: every kind the law does not reserve to other bodies (app.forms.penalty.RESERVED).
    penalty_kinds: Mapped[str | None] = mapped_column(String(400))
    # The sign-off block printed under the unit's forms (单位负责人 / 统计负责人 / 联系电话);
    # 填表人 and 报出日期 come from the filing's own transitions.
    head_name: Mapped[str | None] = mapped_column(String(64))
    stats_head_name: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(64))

    parent = relationship("Unit", remote_side=[id], foreign_keys=[parent_id])
    successor = relationship("Unit", remote_side=[id], foreign_keys=[successor_id])

    def __repr__(self) -> str:
        return self.short_name

    @property
    def kind_label(self) -> str:
        return UNIT_KINDS.get(self.kind, self.kind)

    def active_on(self, day: dt.date) -> bool:
        """True when the unit exists on `day` (valid_to is the first day it no longer does)."""
        return self.valid_from <= day and (self.valid_to is None or day < self.valid_to)
