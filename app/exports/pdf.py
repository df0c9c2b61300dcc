"""PDF on the server: a Jinja template (the same one the browser's print view shows) rendered
by WeasyPrint, with the CJK fonts embedded from local files. Nothing is fetched from the
network: the URL fetcher serves only the font files and the portal's own static folder.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from flask import current_app, render_template

PDF_MIME = "application/pdf"
FONT_DIR = "/usr/share/fonts/opentype/noto"  # Debian's fonts-noto-cjk
FONT_FILES = {"serif": "NotoSerifCJK-Regular.ttc", "serif_bold": "NotoSerifCJK-Bold.ttc",
              "sans": "NotoSansCJK-Regular.ttc", "sans_bold": "NotoSansCJK-Bold.ttc"}

logging.getLogger("weasyprint").setLevel(logging.ERROR)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def font_urls() -> dict[str, str]:
    """file:// URLs of the fonts the print stylesheet declares (@font-face), from PRINT_FONT_DIR."""
    folder = Path(current_app.config.get("PRINT_FONT_DIR") or FONT_DIR)
    return {k: (folder / name).as_uri() for k, name in FONT_FILES.items()}


def _allowed_roots() -> list[Path]:
    return [Path(current_app.config.get("PRINT_FONT_DIR") or FONT_DIR).resolve(),
            Path(current_app.static_folder).resolve()]


def _fetcher(roots: list[Path]):
    """A WeasyPrint URL fetcher for local files under `roots` and data: URLs; anything else
    (http, other files) is refused, so a document never reaches the network or the rest of
    the disk."""
    from weasyprint.urls import URLFetcher

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if not (path.is_file() and any(path.is_relative_to(r) for r in roots)):
                    raise ValueError(f"refused to fetch {url[:80]}")
            elif parsed.scheme != "data":
                raise ValueError(f"refused to fetch {url[:80]}")
            return super().fetch(url, headers)

    return LocalFetcher(allowed_protocols=("file", "data"), allow_redirects=False, fail_on_errors=False)


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document (its CSS inline or under static/) to PDF bytes."""
    from weasyprint import HTML

    roots = _allowed_roots()
    base = Path(current_app.static_folder).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=_fetcher(roots)).write_pdf()


def render_pdf(template: str, **context) -> bytes:
    """The template rendered for print (``for_pdf`` set, fonts as file URLs), then to PDF."""
    html = render_template(template, for_pdf=True, fonts=font_urls(), **context)
    return html_to_pdf(html)
