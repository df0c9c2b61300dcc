"""FAB's user, extended with the unit the account belongs to (FAB's extendsecurity pattern)."""

from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer
from sqlalchemy.orm import relationship


class PortalUser(User):
    """An account; `unit_id` decides the organisation scope of everything it sees."""

    __tablename__ = "ab_user"

    unit_id = Column(Integer, ForeignKey("unit.id"), nullable=True, index=True)
    must_change_password = Column(Boolean, default=False, nullable=False, server_default="0")
    # Sessions and tokens carry the epoch of their sign-in; moving it on ends them all
    # (logout, password change or reset, deactivation, lockout: app.sessions, app.duties).
    session_epoch = Column(Integer, default=0, nullable=False, server_default="0")
    # Set after too many failed logins; cleared by time or by an administrator.
    locked_until = Column(DateTime, nullable=True)
    unit = relationship("Unit", foreign_keys=[unit_id])
