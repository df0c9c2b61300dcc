"""How a wide table goes on paper: the paper it needs and, when even A3 landscape is too
narrow, which columns go on which page — whole column groups where they fit, the row-title
column repeated on every page. The PDF template and the workbook's page breaks both follow
:func:`plan`, so the two print the same pages.

Widths are millimetres at the printed size: nothing is scaled down, so the 9–10 pt text of a
report stays legible (the smallest printed character is 8 pt).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Printable widths (mm) of the papers, landscape, with 10 mm side margins.
PAPERS = (("A4", 297 - 20), ("A3", 420 - 20))
# Printed column widths (mm) by kind: the values of a 9 pt table and a header wrapped on 3–4 lines.
KIND_MM = {"count": 15.0, "money": 22.0, "rate": 14.0, "text": 40.0}


@dataclass(frozen=True)
class Plan:
    """`paper` (A4 | A3, landscape) and `pages`: per page the column indexes it prints (the first,
    the row titles, on every page)."""

    paper: str
    pages: list[list[int]]
    widths: list[float]

    @property
    def breaks(self) -> list[int]:
        """Column indexes that start a new page (for a worksheet's vertical page breaks)."""
        return [p[1] for p in self.pages[1:] if len(p) > 1]


def column_mm(kind: str, label: str = "") -> float:
    """A column's printed width; a long header widens it a little (it wraps on at most 4 lines)."""
    base = KIND_MM.get(kind, KIND_MM["count"])
    return max(base, min(len(label) * 3.4 / 4 + 3, 30.0)) if kind != "text" else base


def plan(kinds: Sequence[str], labels: Sequence[str], groups: Sequence[str]) -> Plan:
    """The paper and pages for columns of `kinds` (the first is the row title) whose header groups
    are `groups` (consecutive equal names form one group)."""
    return plan_widths([column_mm(k, lab) for k, lab in zip(kinds, labels, strict=True)], groups)


def plan_widths(widths: Sequence[float], groups: Sequence[str]) -> Plan:
    """:func:`plan` for columns of known printed widths (mm)."""
    widths = list(widths)
    total = sum(widths)
    for paper, room in PAPERS:
        if total <= room:
            return Plan(paper, [list(range(len(widths)))], widths)
    room = PAPERS[-1][1] - widths[0]
    runs: list[list[int]] = []
    for i in range(1, len(widths)):
        if runs and groups[i] == groups[runs[-1][-1]] and groups[i]:
            runs[-1].append(i)
        else:
            runs.append([i])
    pages: list[list[int]] = [[]]
    for run in runs:
        run_width = sum(widths[i] for i in run)
        used = sum(widths[i] for i in pages[-1])
        if used + run_width <= room:
            pages[-1].extend(run)
            continue
        if run_width <= room:  # the whole group on a fresh page
            pages.append(list(run))
            continue
        for i in run:  # a group wider than a page: split it column by column
            if sum(widths[j] for j in pages[-1]) + widths[i] > room and pages[-1]:
                pages.append([])
            pages[-1].append(i)
    return Plan("A3", [[0, *p] for p in pages if p], widths)
