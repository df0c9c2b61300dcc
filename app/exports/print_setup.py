"""Page setup of an exported worksheet, so it prints legibly: no shrinking (100 %), A4 or A3
landscape as the table needs, column groups over several pages with the row titles (first
column) and the header rows repeated, the title and 表号 in the page header and
第 N 页 共 M 页 in the footer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from flask_babel import gettext as _

from .paging import plan_widths

PAPER_CODES = {"A4": 9, "A3": 8}
A4_PORTRAIT_CHARS = 70  # columns of at most this many characters in all fit an A4 portrait width
MARGIN_IN = 0.4  # side margins: the 10 mm the page plan assumes
# A column `w` characters wide is w × 7 + 5 px in Excel (Calibri 11); LibreOffice, with its own
# substitute font, draws it up to 2.6 mm a character. The larger is assumed, so that no program
# breaks a page inside a column group the plan keeps whole.
PX_PER_CHAR, PX_PAD, PX_PER_MM = 10, 5, 96 / 25.4


def width_mm(chars: float) -> float:
    """Printed width (mm) of a column `chars` wide."""
    return (chars * PX_PER_CHAR + PX_PAD) / PX_PER_MM


def header_text(text: str) -> str:
    """Text for an Excel page header/footer: '&' is a code there, so it is doubled."""
    return text.replace("&", "&&")


def page_plan(widths: Sequence[float], groups: Sequence[str]):
    """The page plan (app.exports.paging) of columns `widths` characters wide."""
    return plan_widths([width_mm(w) for w in widths], groups)


def setup_pages(ws, widths: Sequence[float], groups: Sequence[str], title: str, corner: str = "",
                header_rows: tuple[int, int] | None = None, draft: bool = False, portrait: bool = False) -> str:
    """Apply the page setup to `ws` whose columns are `widths` characters wide; returns the paper.
    `corner` goes to the header's right (表号 …); `draft` prints 草稿 in the header's centre;
    `portrait`: an A4 portrait form whose columns are sized to fit its width (no page plan)."""
    p = page_plan(widths, groups)
    if portrait:
        if sum(widths) > A4_PORTRAIT_CHARS:
            raise ValueError(f"columns of {sum(widths)} characters do not fit an A4 portrait page")
        ws.set_portrait()
        ws.set_paper(PAPER_CODES["A4"])
        p = replace(p, paper="A4", pages=[list(range(len(widths)))])
    else:
        ws.set_landscape()
        ws.set_paper(PAPER_CODES[p.paper])
    ws.set_print_scale(100)
    ws.set_margins(left=MARGIN_IN, right=MARGIN_IN, top=0.75, bottom=0.6)
    if header_rows is not None:
        ws.repeat_rows(*header_rows)
    if len(widths) > 1:
        ws.repeat_columns(0, 0)
    if p.breaks:
        ws.set_v_pagebreaks(p.breaks)
    font = '&"Noto Sans CJK SC,Regular"&9'
    centre = '&"Noto Sans CJK SC,Bold"&16' + _("草稿") if draft else ""
    ws.set_header(f"&L{font}{header_text(title)}&C{centre}&R{font}{header_text(corner)}", {"margin": 0.3})
    pages = header_text(_("第 %(n)s 页 共 %(m)s 页", n="\x00P", m="\x00N")).replace("\x00", "&")
    ws.set_footer(f"&C{font}{pages}", {"margin": 0.25})
    return p.paper
