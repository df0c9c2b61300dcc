"""信息报送: the yearly ranking per unit (items adopted in the year, by their score)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..clock import local_date
from ..extensions import db
from ..models.docflow import InfoItem
from ..models.unit import Unit
from . import ADOPTED, DRAFT, points, score_table


@dataclass
class UnitInfo:
    unit: Unit
    submitted: int = 0
    adopted: int = 0
    brief: int = 0
    special: int = 0
    instructions: int = 0
    points: float = 0
    rank: int = 0


def year_ranking(year: int, unit_ids: set[int] | None = None) -> list[UnitInfo]:
    """Units by points (adopted items decided in `year`; submitted counts items submitted in the
    year), ranked 1, 2, 2, 4 … on ties. `unit_ids` None: every unit."""
    table = score_table()
    q = select(InfoItem).options(joinedload(InfoItem.unit)).where(InfoItem.state != DRAFT)
    if unit_ids is not None:
        q = q.where(InfoItem.unit_id.in_(unit_ids or [-1]))
    out: dict[int, UnitInfo] = {}
    for item in db.session.scalars(q):
        if item.submitted_at is not None and local_date(item.submitted_at).year == year:
            out.setdefault(item.unit_id, UnitInfo(item.unit)).submitted += 1
        if item.state == ADOPTED and item.decided_at is not None and local_date(item.decided_at).year == year:
            s = out.setdefault(item.unit_id, UnitInfo(item.unit))
            s.adopted += 1
            s.brief += item.adoption == "brief"
            s.special += item.adoption == "special"
            s.instructions += bool(item.instruction)
            s.points += points(item, table)
    rows = sorted(out.values(), key=lambda s: (-s.points, s.unit.code))
    for i, row in enumerate(rows):
        row.rank = rows[i - 1].rank if i and rows[i - 1].points == row.points else i + 1
    return rows
