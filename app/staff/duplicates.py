"""A 身份证号 already on a register: who holds it, told within the user's scope.

Equality on the sealed field compares blind indexes (app/pii), so the holder is found without
decrypting anything. A holder in a unit the user may see is named (name and unit); one elsewhere
is not: the user learns only that another unit registered the number."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models.staff import StaffMember
from ..scope import acting_user, in_scope


def holder_of(citizen_id: str) -> StaffMember | None:
    """The person registered under `citizen_id` (any unit), or None."""
    return db.session.scalar(select(StaffMember).where(StaffMember.citizen_id == citizen_id))


def duplicate_message(citizen_id: str, user=None) -> str | None:
    """One Chinese sentence when `citizen_id` is on a register, else None: "「身份证号」已登记在名册中：
    张三（东城区，在职）" for a holder the user may see, without the name for one they may not."""
    person = holder_of(citizen_id)
    if person is None:
        return None
    if in_scope(person.unit_id, user or acting_user()):
        return _("「身份证号」已登记在名册中：%(name)s（%(unit)s，%(status)s），请勿重复登记",
                 name=person.name, unit=person.unit.short_name, status=person.status)
    return _("「身份证号」已登记在其他单位的名册中，不能重复登记；如该人员已调入本单位，请联系市司法局办理")
