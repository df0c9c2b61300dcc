"""Notice bodies: a small allow-list of formatting tags, nothing that can run script.

Bodies are cleaned when saved and again when shown (rows written by other means, e.g. the
demo loader or an old version, are never trusted). Plain text (no tag at all) keeps its
paragraphs and line breaks.
"""

from __future__ import annotations

import re

import nh3
from markupsafe import Markup, escape

TAGS = {"p", "br", "strong", "b", "em", "i", "u", "h3", "h4", "ul", "ol", "li", "blockquote", "a",
        "table", "thead", "tbody", "tr", "th", "td"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}
MAX_BODY = 50_000
_TAG = re.compile(r"<[a-zA-Z!/]")


def clean(text: str | None) -> str:
    """The body as safe HTML: tags outside TAGS are dropped (script and style with their
    content), attributes outside ATTRIBUTES (on*, style, …) are dropped, and links keep only
    http, https, mailto or relative addresses."""
    text = (text or "").replace("\r\n", "\n").strip()
    if not _TAG.search(text):
        paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
        text = "".join("<p>" + str(escape(p.strip())).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return nh3.clean(text, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style"}, link_rel="noopener noreferrer nofollow",
                     strip_comments=True)


def render(body: str | None) -> Markup:
    """A stored body, cleaned again, ready for a template."""
    return Markup(clean(body))  # cleaned by nh3 just above


def plain(body: str | None, limit: int = 120) -> str:
    """The body's text without tags (list previews)."""
    text = nh3.clean(body or "", tags=set(), clean_content_tags={"script", "style"})
    text = re.sub(r"\s+", " ", Markup(text).unescape()).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
