"""The half-yearly reconsideration form derived from the register.

Each figure is a condition on the cases (``figure_conditions``): the same definition counts
the figure (one aggregate query per unit and half-year) and lists the cases behind it (the
drill-down from a figure to its cases). Only the fields of the form version in force are given,
and only those the register can know (compensation and 意见书 implementation stay hand-filed).

Definitions, for a half-year [S, E]:

- 本期新收: received in [S, E]; 受理 / 不予受理 / 告知及其他处理: of those, by the intake decision
  (a case whose intake is still undecided is new but in none of the three);
- 上期结转: accepted, received before S, not decided before S; 未审结: accepted, received by E,
  not decided by E — so 未审结 = 上期结转 + 受理 − 已审结, and this half's 未审结 is the next one's 上期结转;
- 已审结 and the outcomes: decided in [S, E];
- procedures (简易程序, 听证, 委员会, 延期, 中止): cases carried over or accepted in the half-year;
- applicants: people of the cases received (a group's size; 法人或其他组织 by their rows).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import and_, exists, func, or_, select

from ..extensions import db
from ..filing.periods import Period
from ..forms import get_form
from ..forms import reconsideration as recon_form
from ..models.cases import LitigationCase, ReconCase
from ..models.filing import FormAssignment

FORM = "reconsideration"
BANDS = {"band_2_4": (2, 4), "band_5_9": (5, 9), "band_10_29": (10, 29), "band_30_plus": (30, None)}
PEOPLE_FIELDS = {"applicants": ReconCase.people, "applicants_org": ReconCase.org_applicants,
                 "applicants_citizen": ReconCase.people - ReconCase.org_applicants}


def keeps_register(unit_id: int, period: Period, form_code: str = FORM) -> bool:
    """The assignment setting in force for the period: the unit's form comes from its register."""
    flag = db.session.scalar(
        select(FormAssignment.from_register)
        .where(FormAssignment.unit_id == unit_id, FormAssignment.form_code == form_code,
               FormAssignment.valid_from <= period.end)
        .order_by(FormAssignment.valid_from.desc()).limit(1))
    return bool(flag)


def figure_conditions(period: Period) -> dict[str, object]:
    """{field: condition on ReconCase} for every field the register can count (any version)."""
    s, e = period.start, period.end
    received = ReconCase.receipt_date.between(s, e)
    accepted = ReconCase.intake == "accepted"
    accepted_in = and_(received, accepted)
    carried = and_(accepted, ReconCase.receipt_date < s, or_(ReconCase.decided_on.is_(None), ReconCase.decided_on >= s))
    active = or_(carried, accepted_in)
    concluded = ReconCase.decided_on.between(s, e)
    out: dict[str, object] = {
        "carried_over": carried, "new_applications": received, "accepted": accepted_in,
        "rejected": and_(received, ReconCase.intake == "rejected"),
        "other_handled": and_(received, ReconCase.intake == "other"),
        "joint_applications": and_(received, ReconCase.people >= 2),
        "p_amended": and_(received, ReconCase.amend_requested.is_not(None)),
        "p_simplified": and_(active, ReconCase.procedure == "简易程序"),
        "p_hearing": and_(active, ReconCase.hearing.is_(True)),
        "p_committee": and_(active, ReconCase.committee.is_(True)),
        "p_extended": and_(active, ReconCase.extension_days.is_not(None)),
        "p_suspended": and_(active, ReconCase.suspended_on.is_not(None)),
        "concluded": concluded,
        "pending": and_(accepted, ReconCase.receipt_date <= e,
                        or_(ReconCase.decided_on.is_(None), ReconCase.decided_on > e)),
        "opinions_issued": and_(concluded, ReconCase.opinion_issued.is_(True)),
        "suggestions_issued": and_(concluded, ReconCase.suggestion_issued.is_(True)),
        "sued_after": and_(concluded, exists().where(LitigationCase.recon_case_id == ReconCase.id)),
    }
    for name, (lo, hi) in BANDS.items():
        out[name] = and_(received, ReconCase.people >= lo, *([ReconCase.people <= hi] if hi else []))
    for name, _label in recon_form.REJECT_FIELDS:
        out[name] = and_(received, ReconCase.intake == "rejected", ReconCase.refusal_reason == name)
    for name, _label in recon_form.MATTER_FIELDS_2024:
        out[name] = and_(accepted_in, ReconCase.matter == name)
    for lv, _l in recon_form.LEVELS:
        for dm, _d in recon_form.DOMAINS:
            out[f"x_{lv}_{dm}"] = and_(accepted_in, ReconCase.respondent_level == lv, ReconCase.domain == dm)
    for name, _label in recon_form.OUTCOME_FIELDS_2024:
        out[name] = and_(concluded, ReconCase.outcome == name)
    return out


def _window(period: Period):
    """Every case any figure of the half-year can count: received by its end, open at its start."""
    return and_(ReconCase.receipt_date <= period.end,
                or_(ReconCase.decided_on.is_(None), ReconCase.decided_on >= period.start,
                    ReconCase.receipt_date >= period.start))


def _units(q, unit_ids):
    return q if unit_ids is None else q.where(ReconCase.unit_id.in_(unit_ids))


def _band(people: int) -> str | None:
    for name, (lo, hi) in BANDS.items():
        if people >= lo and (hi is None or people <= hi):
            return name
    return None


def derived_figures(unit_ids: list[int] | None, period: Period) -> dict[str, int]:
    """{field: figure} of the form version in force, counted from the cases of `unit_ids` (None:
    every unit) for the half-year.

    Six GROUP BY statements on index ranges (covering on PostgreSQL), each answering few groups —
    cases received in the half-year (intake and people; accepted ones by kind; by size), accepted
    cases carried over into it (still open; decided since), cases decided in it — summed here. They
    count what ``figure_conditions`` (the drill-down) lists; tests/test_case_statistics.py holds
    both to an independent count.
    """
    s, e = period.start, period.end
    out: dict[str, int] = defaultdict(int)
    in_half = ReconCase.receipt_date.between(s, e)
    flags = (ReconCase.procedure, ReconCase.hearing, ReconCase.committee, ReconCase.extension_days.is_not(None),
             ReconCase.suspended_on.is_not(None))
    pending = or_(ReconCase.decided_on.is_(None), ReconCase.decided_on > e)

    def count_flags(was_carried, is_pending, procedure, hearing, committee, extended, suspended, n):
        if was_carried:
            out["carried_over"] += n
        if is_pending:
            out["pending"] += n
        for name, flag in (("p_simplified", procedure == "简易程序"), ("p_hearing", hearing),
                           ("p_committee", committee), ("p_extended", extended), ("p_suspended", suspended)):
            if flag:
                out[name] += n

    # Received in the half-year (each statement small in groups: few rows come back):
    # the intake decision with the people, and — accepted — the procedures and whether still pending
    intake = _units(select(ReconCase.intake, ReconCase.refusal_reason, ReconCase.amend_requested.is_not(None),
                           ReconCase.intake == "accepted", and_(ReconCase.intake == "accepted", pending), *flags,
                           func.count(), func.sum(ReconCase.people), func.sum(ReconCase.org_applicants))
                    .where(in_half), unit_ids)
    for row in db.session.execute(intake.group_by(*intake.selected_columns[:-3])):
        what, reason, amended, accepted, is_pending, *flag_values, n, people, orgs = row
        out["new_applications"] += n
        out["applicants"] += people
        out["applicants_org"] += orgs
        out["applicants_citizen"] += people - orgs
        if amended:
            out["p_amended"] += n
        if what == "accepted":
            out["accepted"] += n
            count_flags(False, is_pending, *flag_values, n)
        elif what == "rejected":
            out["rejected"] += n
            out[reason] += n
        elif what == "other":
            out["other_handled"] += n
    #   the accepted ones by 事项 and by 被申请人层级 × 领域
    kinds = _units(select(ReconCase.matter, ReconCase.respondent_level, ReconCase.domain, func.count())
                   .where(in_half, ReconCase.intake == "accepted"), unit_ids)
    for matter, level, domain, n in db.session.execute(kinds.group_by(*kinds.selected_columns[:-1])):
        out[matter] += n
        out[f"x_{level}_{domain}"] += n
    #   joint applications by size
    sizes = _units(select(ReconCase.people, func.count()).where(in_half, ReconCase.people >= 2), unit_ids)
    for people, n in db.session.execute(sizes.group_by(ReconCase.people)):
        out["joint_applications"] += n
        out[_band(people)] += n
    # Carried over: accepted before the half-year and open at its start (two index ranges: an OR
    # of them misleads the planner into a full scan)
    for still_open in (True, False):
        carried = _units(select(pending, *flags, func.count()).where(
            ReconCase.intake == "accepted", ReconCase.receipt_date < s,
            ReconCase.decided_on.is_(None) if still_open else ReconCase.decided_on >= s), unit_ids)
        for row in db.session.execute(carried.group_by(*carried.selected_columns[:-1])):
            count_flags(True, *row)
    sued = ReconCase.id.in_(select(LitigationCase.recon_case_id).where(LitigationCase.recon_case_id.is_not(None)))
    decided = _units(select(ReconCase.outcome, ReconCase.opinion_issued, ReconCase.suggestion_issued, sued,
                            func.count()).where(ReconCase.decided_on.between(s, e)), unit_ids)
    cols = decided.selected_columns
    for outcome, opinion, suggestion, was_sued, n in db.session.execute(decided.group_by(*cols[:-1])):
        out["concluded"] += n
        out[outcome] += n
        for name, flag in (("opinions_issued", opinion), ("suggestions_issued", suggestion), ("sued_after", was_sued)):
            if flag:
                out[name] += n
    spec = get_form(FORM, period)
    conds = figure_conditions(period)
    return {f.name: int(out.get(f.name, 0)) for f in spec.fields if f.name in conds or f.name in PEOPLE_FIELDS}


def cases_behind(unit_ids: list[int] | None, period: Period, field: str):
    """SELECT of the cases a figure counts (for the drill-down); None when the register has no such figure."""
    conds = figure_conditions(period)
    cond = conds.get("new_applications" if field in PEOPLE_FIELDS else field)
    if cond is None:
        return None
    q = select(ReconCase).where(_window(period), cond)
    if unit_ids is not None:
        q = q.where(ReconCase.unit_id.in_(unit_ids))
    return q


def prefill_from_register(filing) -> dict:
    """The form's prefill hook: the derived figures, when the unit keeps its register here."""
    period = Period.parse(filing.period_key)
    if not keeps_register(filing.unit_id, period):
        return {}
    return derived_figures([filing.unit_id], period)


def register_panel(filing) -> dict:
    """The filing page's comparison with the register: every derivable field's filed and derived
    figure, the differences flagged (the reviewer sees them) and a link to the cases behind it."""
    period = Period.parse(filing.period_key)
    if not keeps_register(filing.unit_id, period):
        return {"keeps": False}
    from ..filing.values import current_values

    derived = derived_figures([filing.unit_id], period)
    filed = current_values(filing)
    spec = get_form(FORM, period)
    rows = [(spec.field(name), filed.get(name), value, filed.get(name) is not None and filed.get(name) != value)
            for name, value in derived.items()]
    return {"keeps": True, "rows": rows, "differences": sum(1 for r in rows if r[3]), "period": period,
            "unit_id": filing.unit_id}


def half_of(day: dt.date) -> Period:
    from ..filing.periods import HALF, period_of

    return period_of(HALF, day)
