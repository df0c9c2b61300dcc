"""Who a notice is addressed to, which notices a user sees, and read receipts.

A notice goes to every unit ("all"), to units of chosen kinds ("kinds", e.g. 区县 = district +
county) or to chosen units ("units"). The municipal office itself is never an addressee. The
addressees are the matching units that exist on the day the notice is published (a unit set up
later does not see it, and is not counted as "unread").

A unit's user sees the notices addressed to their own unit; the municipal office (city-wide
scope, or whoever may publish) sees every notice. A receipt is kept per user; a unit has read a
notice when at least one of its users opened it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..clock import local_date, utcnow
from ..extensions import db
from ..models.notice import AUDIENCE_ALL, AUDIENCE_KINDS, AUDIENCE_UNITS, Notice, NoticeRead, NoticeTarget
from ..models.unit import Unit
from ..scope import acting_user, is_city_wide
from ..security import has_perm

NOTICE = "Notice"
CITY_OFFICE = "city_office"
# The kinds a notice can be addressed to, as the office names them.
KIND_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "district_county": ("区县", ("district", "county")),
    "department": ("市政府部门", ("department",)),
    "zone_committee": ("开发区管委会", ("zone_committee",)),
}
AUDIENCES = {AUDIENCE_ALL: "全部单位", AUDIENCE_KINDS: "按单位类型", AUDIENCE_UNITS: "指定单位"}


class AudienceError(ValueError):
    """An addressee choice that names nobody or something unknown."""


def can_publish(user=None) -> bool:
    return has_perm(user or acting_user(), "can_publish", NOTICE)


def sees_all(user=None) -> bool:
    """The municipal office: every notice, with its receipts."""
    user = user or acting_user()
    return is_city_wide(user) or can_publish(user)


def kinds_from_groups(groups: list[str]) -> list[str]:
    kinds: list[str] = []
    for g in groups:
        if g not in KIND_GROUPS:
            raise AudienceError(f"未知的单位类型：{g}")
        kinds.extend(k for k in KIND_GROUPS[g][1] if k not in kinds)
    return kinds


def set_audience(notice: Notice, audience: str, groups: list[str] | None = None,
                 unit_ids: list[int] | None = None) -> None:
    """Address `notice`; raises AudienceError (nothing changed) when the choice names nobody."""
    if audience not in AUDIENCES:
        raise AudienceError("请选择接收范围")
    targets: list[NoticeTarget] = []
    if audience == AUDIENCE_KINDS:
        kinds = kinds_from_groups(groups or [])
        if not kinds:
            raise AudienceError("「接收范围」为按单位类型时，请至少选择一种单位类型")
        targets = [NoticeTarget(kind=k) for k in kinds]
    elif audience == AUDIENCE_UNITS:
        ids = sorted(set(unit_ids or []))
        found = set(db.session.scalars(select(Unit.id).where(Unit.id.in_(ids), Unit.kind != CITY_OFFICE)))
        if not ids:
            raise AudienceError("「接收范围」为指定单位时，请至少选择一个单位")
        if found != set(ids):
            raise AudienceError("所选单位不存在或不能接收通知")
        targets = [NoticeTarget(unit_id=i) for i in ids]
    notice.audience = audience
    notice.targets = targets


def target_kinds(notice: Notice) -> list[str]:
    return [t.kind for t in notice.targets if t.kind]


def target_unit_ids(notice: Notice) -> list[int]:
    return [t.unit_id for t in notice.targets if t.unit_id]


def audience_label(notice: Notice, with_units: bool = True) -> str:
    """「全部单位」, 「区县、市政府部门」 or the chosen units (names only for the office)."""
    if notice.audience == AUDIENCE_KINDS:
        kinds = set(target_kinds(notice))
        names = [label for label, ks in KIND_GROUPS.values() if set(ks) <= kinds]
        return "、".join(names)
    if notice.audience == AUDIENCE_UNITS:
        if not with_units:
            return AUDIENCES[AUDIENCE_UNITS]
        return "、".join(t.unit.short_name for t in notice.targets if t.unit_id)
    return AUDIENCES[AUDIENCE_ALL]


def _matches(notice: Notice, unit: Unit) -> bool:
    if unit.kind == CITY_OFFICE:
        return False
    if notice.audience == AUDIENCE_KINDS:
        return unit.kind in target_kinds(notice)
    if notice.audience == AUDIENCE_UNITS:
        return unit.id in target_unit_ids(notice)
    return notice.audience == AUDIENCE_ALL


def addressed_to(notice: Notice, unit: Unit | None) -> bool:
    """True when `unit` is one of the notice's addressees."""
    return unit is not None and _matches(notice, unit) and unit.active_on(local_date(notice.published_at))


def addressed_units(notice: Notice, all_units: list[Unit] | None = None) -> list[Unit]:
    """The notice's addressees, by unit code."""
    if all_units is None:
        all_units = list(db.session.scalars(select(Unit).order_by(Unit.code)))
    return [u for u in all_units if addressed_to(notice, u)]


def _for_unit(unit: Unit):
    """Notices addressed to `unit` (before the check that it existed on the publication day)."""
    target = exists().where(NoticeTarget.notice_id == Notice.id,
                            or_(NoticeTarget.kind == unit.kind, NoticeTarget.unit_id == unit.id))
    return or_(Notice.audience == AUDIENCE_ALL, target)


def visible_notices(user=None) -> list[Notice]:
    """The notices the user may read, newest first."""
    user = user or acting_user()
    if not getattr(user, "is_authenticated", False):
        return []
    q = (select(Notice).options(selectinload(Notice.attachments))  # listed per row: load with the page
         .order_by(Notice.published_at.desc(), Notice.id.desc()))
    if sees_all(user):
        return list(db.session.scalars(q))
    unit = getattr(user, "unit", None)
    if unit is None or unit.kind == CITY_OFFICE:
        return []
    return [n for n in db.session.scalars(q.where(_for_unit(unit))) if addressed_to(n, unit)]


def may_read(notice: Notice | None, user=None) -> bool:
    user = user or acting_user()
    if notice is None or not getattr(user, "is_authenticated", False):
        return False
    return sees_all(user) or addressed_to(notice, getattr(user, "unit", None))


def read_ids(user, notice_ids=None) -> set[int]:
    """Ids of the notices `user` has opened."""
    q = select(NoticeRead.notice_id).where(NoticeRead.user_id == user.id)
    if notice_ids is not None:
        q = q.where(NoticeRead.notice_id.in_(list(notice_ids)))
    return set(db.session.scalars(q))


def unread_for(user=None) -> list[Notice]:
    """A unit user's notices not yet opened by them, newest first (empty for the office)."""
    user = user or acting_user()
    if sees_all(user):
        return []
    notices = visible_notices(user)
    seen = read_ids(user, [n.id for n in notices])
    return [n for n in notices if n.id not in seen]


def mark_read(notice: Notice, user=None, at: dt.datetime | None = None) -> NoticeRead | None:
    """Keep the receipt of a user of an addressed unit (the first opening only). The office's
    own reading is no receipt. Flushes; the caller commits."""
    user = user or acting_user()
    unit = getattr(user, "unit", None)
    if not addressed_to(notice, unit):
        return None
    existing = db.session.scalar(select(NoticeRead).where(NoticeRead.notice_id == notice.id,
                                                          NoticeRead.user_id == user.id))
    if existing is not None:
        return existing
    receipt = NoticeRead(notice_id=notice.id, unit_id=unit.id, user_id=user.id, username=user.username,
                         read_at=at or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(receipt)
    except IntegrityError:  # the same user in two tabs at once: the first receipt stands
        return db.session.scalar(select(NoticeRead).where(NoticeRead.notice_id == notice.id,
                                                          NoticeRead.user_id == user.id))
    return receipt


@dataclass
class UnitReceipt:
    unit: Unit
    readers: list[NoticeRead] = field(default_factory=list)

    @property
    def first_read_at(self) -> dt.datetime | None:
        return min((r.read_at for r in self.readers), default=None)


@dataclass
class Receipts:
    """Per notice: the addressed units that read it (with who and when) and those that did not."""

    read: list[UnitReceipt]
    unread: list[Unit]

    @property
    def total(self) -> int:
        return len(self.read) + len(self.unread)


def receipts(notice: Notice, all_units: list[Unit] | None = None) -> Receipts:
    units = addressed_units(notice, all_units)
    by_unit: dict[int, list[NoticeRead]] = {}
    for r in db.session.scalars(select(NoticeRead).where(NoticeRead.notice_id == notice.id)
                                .order_by(NoticeRead.read_at, NoticeRead.id)):
        by_unit.setdefault(r.unit_id, []).append(r)
    read = [UnitReceipt(u, by_unit[u.id]) for u in units if u.id in by_unit]
    unread = [u for u in units if u.id not in by_unit]
    return Receipts(read=read, unread=unread)


def read_counts(notices: list[Notice]) -> dict[int, tuple[int, int]]:
    """notice id → (units that read it, units addressed), with two queries in all."""
    all_units = list(db.session.scalars(select(Unit).order_by(Unit.code)))
    pairs = db.session.execute(select(NoticeRead.notice_id, NoticeRead.unit_id).distinct().where(
        NoticeRead.notice_id.in_([n.id for n in notices]))).all()
    read_units: dict[int, set[int]] = {}
    for nid, uid in pairs:
        read_units.setdefault(nid, set()).add(uid)
    out = {}
    for n in notices:
        ids = {u.id for u in addressed_units(n, all_units)}
        out[n.id] = (len(ids & read_units.get(n.id, set())), len(ids))
    return out
