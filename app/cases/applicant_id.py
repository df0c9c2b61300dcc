"""Applicants' citizen ids: how the register validates and shows them. At rest they are sealed
(ReconApplicant.id_number is a protected field, app/pii: SM4-GCM with an HMAC-SM3 blind index).

Validation and masking are the staff register's (app.staff.citizen_id). Who sees a full id:
holders of ``can_full_applicant_id`` on ``CaseRegister`` (the unit that handles the case), and
only for the cases of their own unit; everyone else — respondents, the office's reviewers and
leaders, the API keys of other systems — sees 110101********1234.
"""

from __future__ import annotations

from ..staff.citizen_id import CitizenIdError, mask, parse_citizen_id

__all__ = ["CitizenIdError", "store_applicant_id", "read_applicant_id"]


def store_applicant_id(text: str | None) -> str | None:
    """The value to store for a typed id: validated (CitizenIdError naming 「身份证号」), normalised;
    None when empty."""
    if not (text or "").strip():
        return None
    return parse_citizen_id(text).number


def read_applicant_id(stored: str | None, full: bool) -> str:
    """The stored id as shown: in full when `full`, else masked."""
    if not stored:
        return ""
    return stored if full else mask(stored)


def lookup_value(text: str) -> str | None:
    """The stored form of an id typed in a search (exact match), or None when it is not one."""
    try:
        return store_applicant_id(text)
    except CitizenIdError:
        return None


def applicant_number(sealed: str | None) -> str | None:
    """The plain id from a sealed value selected in SQL (ReconApplicant.id_number_sealed)."""
    from ..models.cases import ReconApplicant
    from ..pii import open_value, protected_fields

    field = next(f for f in protected_fields() if f.model is ReconApplicant)
    return open_value(sealed, field.aad)
