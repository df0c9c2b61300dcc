"""Disclosures: every time a protected value is shown, exported or served whole, an audit row.

Pages, lists, exports and API answers show citizen ids masked (110101********1234). Holders of
`can_full_citizen_id` may ask for one person's number (the staff page's 显示完整号码, the API's
/staff/<id>/citizen-id) or for an export with full numbers; each such disclosure writes one
`pii.disclose` row per person (who — from the row's user and address —, whose record, which
surface), in the same transaction as the answer's other audit rows. The audit administrator lists
them per person (AuditLogView.disclosures).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..audit import record

ACTION = "pii.disclose"

SURFACES = {
    "staff.page": "人员信息页面",
    "staff.export": "人员名册导出",
    "api.staff": "接口",
}


def disclose(object_type: str, object_ids: Iterable[int], surface: str, field: str = "citizen_id") -> int:
    """Record that the whole `field` of these records was shown on `surface`; returns the count.
    The caller commits (with the answer), so a disclosure that fails to be recorded is not made."""
    if surface not in SURFACES:
        raise ValueError(f"unknown disclosure surface {surface!r}")
    count = 0
    for object_id in object_ids:
        record(ACTION, object_type, object_id, {"field": field, "surface": surface})
        count += 1
    return count
