"""The annual rule-of-law assessment (年度考核) per unit: filing timeliness (the filing engine's
yearly score), 备案 timeliness and 备案 quality (share of reviewed documents not corrected),
and 信息 scores (points against a yearly target), combined with configurable weights.

Each part is a score out of 100 or None (nothing to judge); the total is the weighted mean of
the parts a unit has (weights of missing parts are left out, not counted as zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from ..filing.timeliness import year_scores
from ..info.ranking import year_ranking
from ..models.unit import Unit
from ..normative.queries import year_stats

WEIGHTS = {"filing": 40, "normative": 20, "quality": 20, "info": 20}
PARTS = {"filing": "统计报送及时性", "normative": "规范性文件备案及时性", "quality": "备案审查纠错",
         "info": "信息报送"}
INFO_TARGET = 20  # points a year that earn the full 信息 score


def weights() -> dict[str, float]:
    return {**WEIGHTS, **(current_app.config.get("ASSESSMENT_WEIGHTS") or {})}


def info_target() -> float:
    return float(current_app.config.get("ASSESSMENT_INFO_TARGET") or INFO_TARGET)


@dataclass
class Assessment:
    unit: Unit
    parts: dict[str, float | None] = field(default_factory=dict)
    detail: dict[str, str] = field(default_factory=dict)
    total: float | None = None
    rank: int | None = None


def weighted(parts: dict[str, float | None], w: dict[str, float]) -> float | None:
    """Weighted mean of the parts present; None when none is."""
    present = {k: v for k, v in parts.items() if v is not None and w.get(k)}
    if not present:
        return None
    return round(sum(w[k] * v for k, v in present.items()) / sum(w[k] for k in present), 1)


def assess(year: int, unit_ids: set[int] | None = None) -> list[Assessment]:
    """Every unit with anything to judge in `year` (in `unit_ids`, None = all), best first."""
    w, target = weights(), info_target()
    filing = year_scores(year, unit_ids)
    normative = year_stats(year, unit_ids)
    info = {r.unit.id: r for r in year_ranking(year, unit_ids)}
    units = {**{k: v["unit"] for k, v in filing.items()}, **{k: v.unit for k, v in normative.items()},
             **{k: v.unit for k, v in info.items()}}
    rows = []
    for uid, unit in units.items():
        a = Assessment(unit)
        f, n, i = filing.get(uid), normative.get(uid), info.get(uid)
        a.parts["filing"] = f["score"] if f else None
        a.parts["normative"] = n.score if n else None
        a.parts["quality"] = (None if not n or not n.reviewed
                              else round(100 * (n.reviewed - n.corrected) / n.reviewed, 1))
        a.parts["info"] = round(min(100.0, 100 * (i.points if i else 0) / target), 1)  # none adopted: 0
        a.detail = {
            "filing": f"{f['on_time']}/{f['late']}/{f['missing']}" if f else "",
            "normative": f"{n.on_time}/{n.late}/{n.missing}" if n else "",
            "quality": f"{n.corrected}/{n.reviewed}" if n and n.reviewed else "",
            "info": f"{i.points:g}" if i else "",
        }
        a.total = weighted(a.parts, w)
        rows.append(a)
    rows.sort(key=lambda a: (a.total is None, -(a.total or 0), a.unit.code))
    for idx, a in enumerate(rows):
        if a.total is not None:
            prev = rows[idx - 1] if idx else None
            a.rank = prev.rank if prev is not None and prev.total == a.total else idx + 1
    return rows
