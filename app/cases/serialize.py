"""A reconsideration case as the API and the exports give it: explicit fields, choices as their
labels, applicants' ids as the caller may see them (app.cases.applicant_id)."""

from __future__ import annotations

from ..models.cases import INTAKES, ReconCase
from . import fields as F
from .applicant_id import read_applicant_id
from .timelimits import Calendar, recon_deadline


def _iso(day) -> str | None:
    return day.isoformat() if day else None


def recon_json(case: ReconCase, full_ids: bool, calendar: Calendar | None = None) -> dict:
    """The public shape of a case; `full_ids` decides whether applicants' ids are shown in full."""
    day = case.receipt_date
    deadline = recon_deadline(case, calendar)
    return {
        "id": case.id, "version": case.version, "case_no": case.case_no,
        "unit_code": case.unit.code, "unit_name": case.unit.short_name,
        "receipt_date": _iso(case.receipt_date), "receipt_channel": case.receipt_channel,
        "group_size": case.group_size, "people": case.people,
        "applicants": [{"kind": a.kind, "name": a.name, "id_number": read_applicant_id(a.id_number, full_ids),
                        "phone": a.phone} for a in case.applicants],
        "respondent_unit": case.respondent_unit.code if case.respondent_unit else None,
        "respondent_name": case.respondent_name,
        "respondent_level": F.LEVELS.get(case.respondent_level, case.respondent_level),
        "domain": F.DOMAINS.get(case.domain, case.domain),
        "matter": F.matters(day).get(case.matter, case.matter),
        "act_name": case.act_name, "act_number": case.act_number, "act_date": _iso(case.act_date),
        "amend_requested": _iso(case.amend_requested), "amend_received": _iso(case.amend_received),
        "intake": INTAKES.get(case.intake) if case.intake else None, "intake_date": _iso(case.intake_date),
        "refusal_reason": F.refusal_reasons(day).get(case.refusal_reason) if case.refusal_reason else None,
        "procedure": case.procedure, "hearing": case.hearing, "committee": case.committee,
        "extension_days": case.extension_days, "extension_reason": case.extension_reason,
        "extension_approver": case.extension_approver,
        "suspended_on": _iso(case.suspended_on), "resumed_on": _iso(case.resumed_on),
        "decided_on": _iso(case.decided_on),
        "outcome": F.outcomes(day).get(case.outcome) if case.outcome else None,
        "opinion_issued": case.opinion_issued, "suggestion_issued": case.suggestion_issued,
        "note": case.note,
        "deadline": _iso(deadline.due), "deadline_rule": deadline.rule,
    }
