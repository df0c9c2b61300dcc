"""Crawling the portal as one user: every same-site link from the home page, breadth-first, with
the Flask test client (GET only). What a user reaches by clicking must open: no 403, no 404, no
500, no "access denied" bounce to the login page — and its visible text must hold no raw Python
value and no stray English in the Chinese interface.

Bounded: at most `limit` pages per user and `per_shape` addresses per shape of address (digits
in the path replaced, the query's parameter names kept), so 3 filings stand for all of them;
sorting, paging and page-size links of lists are followed once per list."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlencode, urljoin, urlsplit

# Links that change something, sign out, switch language, or download a file (their pages are
# tested by their own modules): not followed.
SKIP = re.compile(
    r"^/(logout|lang/|static/|favicon|swagger|api/)|/delete|/export|/download|/document|/print|"
    r"format=(pdf|xlsx|docx|csv)|\.(xlsx|pdf|docx|csv|zip)(\?|$)|/chart-assets/|/action/|/unlock"
)
_VOLATILE = re.compile(r"^(_oc_|_od_|psize_|page_)")

# Latin tokens at home in the Chinese interface: units, codes, formats, product names, and the
# Latin letters of ids and numbers (处罚 2025Q1, 表号 法统1表 …).
LATIN_OK = {
    "API", "PDF", "Excel", "ID", "Word", "CSV", "JSON", "XLSX", "xlsx", "pdf", "docx", "csv", "json",
    "GB", "UTC", "URL", "IP", "SM", "HTTP", "HTTPS", "Key", "KB", "MB", "H1", "H2", "Q1", "Q2", "Q3", "Q4",
    "OpenAPI", "Swagger", "REST", "IT", "TLCP", "SQL", "No", "YYYY", "MM", "DD", "Bearer", "Authorization",
    "Redis", "PostgreSQL", "SMTP", "WCAG", "AA", "PNG", "SVG", "ZIP", "UTF", "BOM", "HTML", "JPEG", "txt",
}
RAW_VALUES = re.compile(r"(?<![A-Za-z_])(True|False|None|__None|nan|NaN)(?![A-Za-z_])")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_'-]*[A-Za-z0-9]|[A-Za-z]")  # u0300_filler is one token


class _Page(HTMLParser):
    """Links and visible text of one page (no script, style, or hidden template)."""

    # not interface text: scripts and styles, identifiers shown as code, and what a user typed
    # into a text area (a notice's HTML source)
    HIDDEN = {"script", "style", "template", "noscript", "code", "pre", "textarea"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for name in ("title", "placeholder", "aria-label", "alt"):
            if a.get(name) and not self._hidden:
                self.text.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.text.append(a["value"])

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def parse(html: str) -> tuple[list[str], list[str]]:
    """(hrefs, visible text pieces) of a page."""
    p = _Page()
    p.feed(html)
    return p.links, p.text


def text_problems(pieces: list[str], allowed: set[str] = frozenset()) -> list[str]:
    """Raw Python values and English words found in a page's visible text."""
    found = []
    for piece in pieces:
        for m in RAW_VALUES.finditer(piece):
            found.append(m.group(1))
        for word in LATIN_WORD.findall(piece):
            if RAW_VALUES.fullmatch(word) or word in LATIN_OK or word in allowed or word.upper() in LATIN_OK \
                    or len(word) == 1:
                continue
            if re.fullmatch(r"[A-Z]{1,3}\d*", word):  # codes: H, Q, GB, …
                continue
            found.append(word)
    return found


def _shape(path: str, query: list[tuple[str, str]]) -> str:
    names = sorted({k for k, _v in query if not _VOLATILE.match(k)})
    volatile = any(_VOLATILE.match(k) for k, _v in query)
    return re.sub(r"\d+", "N", path) + "?" + "&".join(names) + ("&~" if volatile else "")


@dataclass
class Crawl:
    """The result of crawling as one user."""

    user: str
    visited: dict[str, int] = field(default_factory=dict)  # address → status
    broken: list[tuple[str, str, str]] = field(default_factory=list)  # (address, what, linked from)
    text: list[tuple[str, str]] = field(default_factory=list)  # (address, offending string)


def crawl(client, user: str, start: str = "/", limit: int = 400, per_shape: int = 2,
          allowed: set[str] = frozenset()) -> Crawl:
    """Breadth-first from `start` through every same-site link; see the module's docstring."""
    result = Crawl(user)
    queue: deque[tuple[str, str]] = deque([(start, "(start)")])
    seen: set[str] = {start}
    shapes: dict[str, int] = {}
    while queue and len(result.visited) < limit:
        address, source = queue.popleft()
        resp = client.get(address)
        result.visited[address] = resp.status_code
        if resp.status_code in (301, 302, 303, 307, 308):
            target = urlsplit(resp.headers.get("Location", ""))
            if target.path.startswith("/login"):
                result.broken.append((address, "redirected to the login page (access denied)", source))
                continue
            links = [urljoin(address, resp.headers["Location"])]
        elif resp.status_code != 200:
            result.broken.append((address, str(resp.status_code), source))
            continue
        elif not resp.mimetype.startswith("text/html"):
            continue
        else:
            links, pieces = parse(resp.get_data(as_text=True))
            for word in dict.fromkeys(text_problems(pieces, allowed)):
                result.text.append((address, word))
        for href in links:
            href = urldefrag(urljoin(address, href)).url
            parts = urlsplit(href)
            if parts.netloc not in ("", "localhost") or parts.scheme not in ("", "http"):
                continue
            if not parts.path.startswith("/"):
                continue
            query = parse_qsl(parts.query, keep_blank_values=True)
            target = parts.path + ("?" + urlencode(query) if query else "")
            if target in seen or SKIP.search(target):
                continue
            shape = _shape(parts.path, query)
            if shapes.get(shape, 0) >= per_shape:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            seen.add(target)
            queue.append((target, address))
    return result
