"""Attachments of notices and feedback: checked by content, stored in the database.

An upload is accepted only when its bytes are one of the allowed kinds (PNG, JPEG, PDF, Excel
.xlsx, Word .docx, plain text) AND its extension names that same kind: the extension is never
trusted alone, the browser's declared type not at all. Refusals raise AttachmentError with a
Chinese message naming the file and the problem; every upload of a request is checked before
anything is written.

The bytes live in the database (app/blobs.py: every app server sees them, a backup holds them)
under a random key; the original name is kept only as the download name. Downloads are always
``Content-Disposition: attachment`` with the type found at upload and ``nosniff``.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from flask import current_app, send_file
from werkzeug.exceptions import RequestEntityTooLarge

from .. import blobs
from ..extensions import db
from ..models.notice import Attachment

MAX_ATTACHMENT = 5 * 1024 * 1024       # bytes per file (config ATTACHMENT_MAX_BYTES overrides)
MAX_FILES = 5                          # files per upload
MAX_UNCOMPRESSED = 50 * 1024 * 1024    # .xlsx/.docx: bytes inside the zip
MAX_RATIO = 100                        # .xlsx/.docx: uncompressed / compressed per large member
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class AttachmentError(ValueError):
    """The upload is refused; nothing was written."""


@dataclass(frozen=True)
class Kind:
    label: str
    mimetype: str
    extensions: tuple[str, ...]


KINDS: dict[str, Kind] = {
    "png": Kind("PNG 图片", "image/png", (".png",)),
    "jpeg": Kind("JPEG 图片", "image/jpeg", (".jpg", ".jpeg")),
    "pdf": Kind("PDF 文档", "application/pdf", (".pdf",)),
    "xlsx": Kind("Excel 工作簿（.xlsx）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 (".xlsx",)),
    "docx": Kind("Word 文档（.docx）", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 (".docx",)),
    "text": Kind("纯文本", "text/plain", (".txt",)),
}
KIND_OF_EXTENSION = {ext: key for key, kind in KINDS.items() for ext in kind.extensions}
ALLOWED_TEXT = "PNG、JPEG 图片，PDF，Excel（.xlsx），Word（.docx），纯文本（.txt）"
ACCEPT = ",".join(KIND_OF_EXTENSION)  # for <input type=file accept=…>

# The main part an Office Open XML package must declare in [Content_Types].xml.
_OOXML_MAIN = {
    "xlsx": ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
    "docx": ("/word/document.xml",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"),
}
_OVERRIDE = re.compile(rb"<Override\b[^>]*>", re.I)
_ATTR = re.compile(rb'(PartName|ContentType)\s*=\s*"([^"]*)"', re.I)


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or MAX_ATTACHMENT)


def limit_label(n: int | None = None) -> str:
    n = max_bytes() if n is None else n
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n // 1024} KB"


def safe_name(name: str | None) -> str:
    """The file's own name without any folder part or control characters, at most 120 characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    stem, dot, ext = name.rpartition(".")
    if dot and len(ext) <= 10:
        return (stem[: 120 - len(ext) - 1] or "附件") + "." + ext
    return name[:120] or "附件"


def _ooxml_kind(data: bytes) -> str | None:
    """'xlsx' or 'docx' for a well-formed Office Open XML package, else None; refuses bombs and macros."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    with zf:
        total = 0
        names = set()
        for info in zf.infolist():
            total += info.file_size
            if total > MAX_UNCOMPRESSED:
                raise AttachmentError("解压后过大，已拒绝")
            if info.compress_size and info.file_size > 1024 * 1024 \
                    and info.file_size / info.compress_size > MAX_RATIO:
                raise AttachmentError("内容异常（压缩比过高），已拒绝")
            names.add(info.filename)
        if any(PurePosixPath(n).name.lower() == "vbaproject.bin" for n in names):
            raise AttachmentError("含有宏，已拒绝")
        if "[Content_Types].xml" not in names:
            return None
        try:
            types = zf.read("[Content_Types].xml")[: 1024 * 1024]
        except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError):
            return None
    declared = {}
    for tag in _OVERRIDE.findall(types):
        attrs = {k.lower(): v for k, v in _ATTR.findall(tag)}
        if b"partname" in attrs and b"contenttype" in attrs:
            declared[attrs[b"partname"].decode("utf-8", "replace")] = attrs[b"contenttype"].decode(
                "utf-8", "replace")
    for kind, (part, ctype) in _OOXML_MAIN.items():
        if declared.get(part) == ctype and part.lstrip("/") in names:
            return kind
    return None


def _text_charset(data: bytes) -> str | None:
    if _CONTROL.search(data):
        return None
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    for charset in ("utf-8", "gb18030"):
        try:
            body.decode(charset)
        except UnicodeDecodeError:
            continue
        return charset
    return None


def detect(data: bytes) -> str | None:
    """The kind the content is (a key of KINDS), or None when it is none of them.
    Raises AttachmentError for Office files that are encrypted, legacy, macro-laden or bombs."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(OLE_MAGIC):
        raise AttachmentError("已加密或为旧版 Office 格式（.doc/.xls），请另存为不加密的 .docx/.xlsx 后再上传")
    if data.startswith(b"PK\x03\x04"):
        return _ooxml_kind(data)
    if _text_charset(data):
        return "text"
    return None


@dataclass
class Checked:
    """An upload that passed every check (not yet stored)."""

    filename: str
    kind: str
    mimetype: str
    data: bytes


def check(filename: str | None, data: bytes) -> Checked:
    """Check one upload; raise AttachmentError naming the file and the problem."""
    name = safe_name(filename)
    prefix = f"附件「{name}」"
    limit = max_bytes()
    if len(data) > limit:
        raise AttachmentError(f"{prefix}超过大小限制（{limit_label(limit)}），未上传")
    if not data:
        raise AttachmentError(f"{prefix}是空文件，未上传")
    ext = os.path.splitext(name)[1].lower()
    expected = KIND_OF_EXTENSION.get(ext)
    if expected is None:
        raise AttachmentError(f"{prefix}的类型（{ext or '无扩展名'}）不允许上传，只接受：{ALLOWED_TEXT}")
    try:
        found = detect(data)
    except AttachmentError as exc:
        raise AttachmentError(f"{prefix}{exc}") from None
    if found is None:
        raise AttachmentError(f"{prefix}的内容与扩展名不符：扩展名为 {ext}，但内容不是{KINDS[expected].label}，未上传")
    if found != expected:
        raise AttachmentError(f"{prefix}的内容与扩展名不符：扩展名为 {ext}，但内容是{KINDS[found].label}，未上传")
    mimetype = KINDS[found].mimetype
    if found == "text":
        mimetype += f"; charset={_text_charset(data)}"
    return Checked(name, found, mimetype, data)


def read_uploads(files) -> list[Checked]:
    """Read and check every file of a multipart field (request.files.getlist(...)); empty file
    inputs are skipped. All are checked before any is stored."""
    files = [f for f in files if f and f.filename]
    if len(files) > MAX_FILES:
        raise AttachmentError(f"一次最多上传 {MAX_FILES} 个附件")
    limit = max_bytes()
    try:
        return [check(f.filename, f.read(limit + 1)) for f in files]
    except RequestEntityTooLarge:
        raise AttachmentError(f"上传的文件超过大小限制（{limit_label(limit)}）") from None


def store(checked: Checked, uploaded_by: str, *, notice=None, feedback=None) -> Attachment:
    """Keep the file and add its row to the session: both are committed (or rolled back) by the caller."""
    key = blobs.put(checked.data, "attachment")
    att = Attachment(filename=checked.filename, content_type=checked.mimetype, size=len(checked.data),
                     sha256=hashlib.sha256(checked.data).hexdigest(), storage_key=key, uploaded_by=uploaded_by,
                     notice=notice, feedback=feedback)
    db.session.add(att)
    return att


def remove(att: Attachment) -> None:
    """Delete an attachment's row and its bytes (in the session; the caller commits)."""
    blobs.drop(att.storage_key)
    db.session.delete(att)
    db.session.flush()


def download(att: Attachment):
    """The attachment as a download: attachment disposition, its checked type, nosniff."""
    data = blobs.get(att.storage_key)
    if data is None:
        from flask import abort

        abort(404)
    return send_checked(io.BytesIO(data), att.content_type, att.filename)


def send_checked(fh, content_type: str, filename: str):
    """A checked file (an open handle or BytesIO) as a download: attachment disposition, the
    type found at upload, nosniff, no caching, a sandboxing CSP."""
    resp = send_file(fh, mimetype=content_type, as_attachment=True, download_name=filename,
                     conditional=False, etag=False, max_age=0)
    resp.headers["Content-Type"] = content_type  # as checked at upload (no second charset)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Cache-Control"] = "private, no-store"
    resp.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return resp
