"""Reading the registers within the organisation scope: a unit sees the cases it handles and
those naming it as respondent (or defendant); the city sees all."""

from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from ..models.cases import LitigationCase, ReconCase
from ..scope import restrict, restrict_any


def recon_query(user=None):
    """SELECT of the reconsideration cases the user may see."""
    return restrict_any(select(ReconCase), ReconCase.unit_id, ReconCase.respondent_unit_id, user=user)


def get_recon(pk, user=None) -> ReconCase | None:
    """One case when it exists and the user may see it."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(recon_query(user).where(ReconCase.id == pk))


def litigation_query(user=None):
    """SELECT of the suits the user may see (against a unit of the scope)."""
    return restrict(select(LitigationCase), LitigationCase.unit_id, user)


def get_litigation(pk, user=None) -> LitigationCase | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return db.session.scalar(litigation_query(user).where(LitigationCase.id == pk))
