"""Filing completion over periods, from the filing engine's own timeliness rules
(``app.filing.timeliness.timeliness_over``): expected, on time, late, missing per period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..filing.periods import Period
from ..filing.timeliness import LATE, MISSING, ON_TIME, UnitStatus, timeliness_over


@dataclass
class CompletionPoint:
    period: Period
    on_time: int
    late: int
    missing: int
    rows: list[UnitStatus] = field(default_factory=list, repr=False)

    @property
    def expected(self) -> int:
        return self.on_time + self.late + self.missing

    @property
    def rate(self) -> Decimal | None:
        """(on time + late) / expected; None when nobody was expected."""
        if not self.expected:
            return None
        return Decimal(self.on_time + self.late) / Decimal(self.expected)


def completion_series(form_code: str, periods: list[Period], unit_ids: set[int] | None) -> list[CompletionPoint]:
    """One point per period for the units `unit_ids` (None: all) — pass the scope's ids."""
    return [CompletionPoint(r.period, r.count(ON_TIME), r.count(LATE), r.count(MISSING), r.rows)
            for r in timeliness_over(form_code, periods, unit_ids)]
