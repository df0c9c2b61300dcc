"""Uploads of workflow documents: checked by app.notices.attachments (size, content sniffing,
extension agreeing with content, no macros or bombs), their bytes kept by app.blobs (the
database), downloaded with the notice attachments' headers."""

from __future__ import annotations

import hashlib
import io

from sqlalchemy import select

from .. import blobs
from ..extensions import db
from ..models.docflow import DocFile
from ..notices import attachments
from ..notices.attachments import AttachmentError, Checked

TEXT, OPINION, ATTACHMENT = "text", "opinion", "attachment"
DOCUMENT_KINDS = ("pdf", "docx")  # a document's text or an 审查意见书: PDF or Word only
DOCUMENT_ACCEPT = ".pdf,.docx"


def check_document(upload, label: str) -> Checked | None:
    """One uploaded PDF or DOCX (a werkzeug FileStorage), checked; None when the input was empty.
    Raises AttachmentError naming the field and the file."""
    if upload is None or not upload.filename:
        return None
    (checked,) = attachments.read_uploads([upload])
    if checked.kind not in DOCUMENT_KINDS:
        raise AttachmentError(f"「{label}」只接受 PDF 或 Word（.docx）文件，「{checked.filename}」是"
                              f"{attachments.KINDS[checked.kind].label}")
    return checked


def check_attachments(uploads) -> list[Checked]:
    """The files of a multipart field, each checked like a notice's attachments."""
    return attachments.read_uploads(uploads)


def store(kind_code: str, doc_id: int, role: str, checked: Checked, username: str, replace: bool = False) -> DocFile:
    """Add the file's row (bytes included) to the session; `replace` drops the document's
    earlier files of the same role."""
    if replace:
        for old in files_of(kind_code, doc_id, role):
            blobs.drop(old.storage_key)
            db.session.delete(old)
    row = DocFile(kind=kind_code, doc_id=doc_id, role=role, filename=checked.filename,
                  content_type=checked.mimetype, size=len(checked.data),
                  sha256=hashlib.sha256(checked.data).hexdigest(),
                  storage_key=blobs.put(checked.data, "docfile"), uploaded_by=username)
    db.session.add(row)
    return row


def files_of(kind_code: str, doc_id: int, role: str | None = None) -> list[DocFile]:
    q = select(DocFile).where(DocFile.kind == kind_code, DocFile.doc_id == doc_id).order_by(DocFile.id)
    if role is not None:
        q = q.where(DocFile.role == role)
    return list(db.session.scalars(q))


def file_of(kind_code: str, doc_id: int, file_id: int) -> DocFile | None:
    """The file `file_id` when it belongs to that document (the caller checked the document's scope)."""
    row = db.session.get(DocFile, file_id)
    return row if row is not None and row.kind == kind_code and row.doc_id == doc_id else None


def download(row: DocFile):
    data = blobs.get(row.storage_key)
    if data is None:
        from flask import abort

        abort(404)
    return attachments.send_checked(io.BytesIO(data), row.content_type, row.filename)
