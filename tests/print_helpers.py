"""Looking at printed output as a reader would: PDFs through poppler (pdfinfo, pdffonts,
pdftotext) and pypdf (the size every character is printed at), workbooks and documents
rendered to PDF by LibreOffice headless first."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

MM_PER_PT = 25.4 / 72
PAPERS_MM = {"A4": (210, 297), "A3": (297, 420)}


def _run(args: list[str], data: bytes, suffix: str = ".pdf") -> str:
    with tempfile.NamedTemporaryFile(suffix=suffix) as fh:
        fh.write(data)
        fh.flush()
        return subprocess.run([*args, fh.name] if args[-1] != "-" else [*args[:-1], fh.name, "-"],
                              check=True, capture_output=True, text=True).stdout


def info(pdf: bytes) -> dict[str, str]:
    """pdfinfo's fields, e.g. {'Pages': '3', 'Page size': '841.89 x 1190.55 pts (A3)'}."""
    out = _run(["pdfinfo"], pdf)
    return {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in out.splitlines() if ":" in line)}


def page_sizes_mm(pdf: bytes) -> list[tuple[int, int]]:
    """(width, height) of every page, rounded to mm."""
    reader = PdfReader(io.BytesIO(pdf))
    return [(round(float(p.mediabox.width) * MM_PER_PT), round(float(p.mediabox.height) * MM_PER_PT))
            for p in reader.pages]


def paper_of(pdf: bytes) -> set[str]:
    """The papers used, e.g. {'A3 landscape'}."""
    out = set()
    for w, h in page_sizes_mm(pdf):
        for name, (a, b) in PAPERS_MM.items():
            if abs(w - a) <= 2 and abs(h - b) <= 2:
                out.add(f"{name} portrait")
            elif abs(w - b) <= 2 and abs(h - a) <= 2:
                out.add(f"{name} landscape")
    return out


def fonts(pdf: bytes) -> list[dict[str, str]]:
    """pdffonts' rows: name, type, emb (yes/no)."""
    lines = _run(["pdffonts"], pdf).splitlines()[2:]
    rows = []
    for line in lines:
        parts = line.split()
        # name type [encoding words …] emb sub uni object ID: emb is the 5th column from the right
        rows.append({"name": parts[0], "emb": parts[-5]})
    return rows


def pages_text(pdf: bytes, layout: bool = True) -> list[str]:
    """The text of each page (pdftotext, -layout unless told: rotated text such as a watermark
    only shows without it), in page order."""
    out = _run(["pdftotext", *(["-layout"] if layout else []), "-"], pdf)
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def smallest_font_pt(pdf: bytes) -> float:
    """The smallest size (pt) any visible character is printed at: the font size scaled by the
    text and transformation matrices, as pypdf reports each piece of text."""
    reader = PdfReader(io.BytesIO(pdf))
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            scale_y = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
            sizes.append(size * scale_y)

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    assert sizes, "no text in the PDF"
    return min(sizes)


def soffice_pdf(data: bytes, suffix: str) -> bytes:
    """`data` (an .xlsx or .docx) rendered to PDF by LibreOffice headless, as it would print."""
    import shutil

    if not shutil.which("soffice"):
        pytest.fail("LibreOffice (soffice) is not installed: scripts/_syspkgs.sh installs it")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / f"doc{suffix}"
        src.write_bytes(data)
        subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp}/profile", "--headless",
                        "--convert-to", "pdf", "--outdir", tmp, str(src)],
                       check=True, capture_output=True, timeout=180)
        return (Path(tmp) / "doc.pdf").read_bytes()


def large_text(pdf: bytes, min_pt: float) -> list[str]:
    """Per page, the characters printed at `min_pt` or larger (a watermark's)."""
    reader = PdfReader(io.BytesIO(pdf))
    out = []
    for page in reader.pages:
        found: list[str] = []

        def visit(text, cm, tm, font, size, found=found):
            scale_y = (tm[2] ** 2 + tm[3] ** 2) ** 0.5 * (cm[2] ** 2 + cm[3] ** 2) ** 0.5
            if text.strip() and size * scale_y >= min_pt:
                found.append(text.strip())

        page.extract_text(visitor_text=visit)
        out.append("".join(found))
    return out


def keep_sample(name: str, data: bytes) -> None:
    """With PRINT_SAMPLES_DIR set, keep a rendered output there (docs/img's pictures are made
    from these with pdftoppm)."""
    import os

    folder = os.environ.get("PRINT_SAMPLES_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(data)
