"""The home pages of the security administrator (accounts and roles) and of the audit
administrator (the audit log and the state of its chain): each sees its own duty, and every
link on them opens for it (tests/browser/test_roles_ux.py crawls them)."""

from __future__ import annotations

from sqlalchemy import func, or_, select

from ..audit import VERIFY_ACTION
from ..clock import utcnow
from ..extensions import db
from ..models.audit import AuditLog
from ..models.user import PortalUser
from ..security import has_perm

ROLE_ACTIONS = ("role.membership", "role.create", "role.delete", "role.permissions")


def security_home(user) -> dict:
    """What the security administrator looks after: locked accounts, accounts without a unit,
    accounts that must still change their password, how many accounts hold each role, and the
    latest changes of roles (from the audit trail, read-only here)."""
    from flask_appbuilder.security.sqla.models import Role, assoc_user_role

    now = utcnow()
    accounts = db.session.scalar(select(func.count()).select_from(PortalUser))
    inactive = db.session.scalar(select(func.count()).select_from(PortalUser).where(
        or_(PortalUser.active.is_(False), PortalUser.active.is_(None))))
    locked = db.session.scalars(select(PortalUser).where(PortalUser.locked_until > now)
                                .order_by(PortalUser.username)).all()
    no_unit = db.session.scalars(select(PortalUser).where(PortalUser.unit_id.is_(None))
                                 .order_by(PortalUser.username)).all()
    must_change = db.session.scalar(select(func.count()).select_from(PortalUser).where(
        PortalUser.must_change_password.is_(True)))
    roles = db.session.execute(
        select(Role.id, Role.name, func.count(assoc_user_role.c.user_id))
        .outerjoin(assoc_user_role, assoc_user_role.c.role_id == Role.id)
        .group_by(Role.id, Role.name).order_by(Role.name)).all()
    changes = db.session.scalars(select(AuditLog).where(AuditLog.action.in_(ROLE_ACTIONS))
                                 .order_by(AuditLog.id.desc()).limit(10)).all()
    return {"accounts": accounts, "inactive": inactive, "locked": locked, "no_unit": no_unit,
            "must_change": must_change, "roles": roles, "role_changes": changes,
            "can_users": has_perm(user, "can_list", "PortalUserDBModelView"),
            "can_roles": has_perm(user, "can_list", "RoleModelView"),
            "can_keys": has_perm(user, "can_read", "ApiKeys")}


def audit_home(user) -> dict:
    """What the audit administrator looks after: the size of the log, the last verification of
    its chain (run from this page or by ``flask portal audit-verify``; each run is itself an
    audit entry), the latest entries and the latest disclosures of citizen ids."""
    from ..pii.disclosure import ACTION as DISCLOSED
    from ..pii.disclosure import SURFACES

    total = db.session.scalar(select(func.count()).select_from(AuditLog))
    last_verify = db.session.scalar(select(AuditLog).where(AuditLog.action == VERIFY_ACTION)
                                    .order_by(AuditLog.id.desc()).limit(1))
    since = db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.id > last_verify.id)) if last_verify is not None else None
    recent = db.session.scalars(select(AuditLog).order_by(AuditLog.id.desc()).limit(10)).all()
    disclosures = db.session.scalars(select(AuditLog).where(AuditLog.action == DISCLOSED)
                                     .order_by(AuditLog.id.desc()).limit(5)).all()
    failures = db.session.scalar(select(func.count()).select_from(AuditLog).where(
        AuditLog.action.in_(("login.failure", "login.lockout", "login.refused_locked")),
        AuditLog.at > utcnow().replace(hour=0, minute=0, second=0, microsecond=0)))
    return {"total": total, "last_verify": last_verify, "since_verify": since, "recent": recent,
            "disclosures": disclosures, "surfaces": SURFACES, "failures_today": failures,
            "can_disclosures": has_perm(user, "can_disclosures", "AuditLogView"),
            "can_verify": has_perm(user, "can_verify", "AuditLogView")}
