"""Helpers of the document-workflow tests: small valid files, posting forms with files."""

from __future__ import annotations

import io
import re

from sqlalchemy import delete

from app.extensions import db
from tests.helpers import csrf_token

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes(text: str = "正文") -> bytes:
    from docx import Document

    out = io.BytesIO()
    d = Document()
    d.add_paragraph(text)
    d.save(out)
    return out.getvalue()


def post_multipart(client, path: str, data: dict, token_from: str = "/"):
    """POST multipart form data (files as (bytes, name) tuples) with the session's CSRF token."""
    body = {"csrf_token": csrf_token(client, token_from)}
    for k, v in data.items():
        body[k] = (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v
    return client.post(path, data=body, content_type="multipart/form-data")


def created_id(resp, prefix: str) -> int:
    m = re.search(rf"/{prefix}/(\d+)", resp.headers.get("Location", ""))
    assert m, (resp.status_code, resp.headers.get("Location"), resp.get_data(as_text=True)[:800])
    return int(m.group(1))


def clean_docflow(app) -> None:
    from app.models import Blob, DocFile, DocTransition, InfoBrief, InfoItem, NormativeDoc, Notice, NoticeTarget

    with app.app_context():
        for model in (DocTransition, DocFile, InfoItem, InfoBrief, NormativeDoc, NoticeTarget, Notice):
            db.session.execute(delete(model))
        db.session.execute(delete(Blob).where(Blob.purpose == "docfile"))
        db.session.commit()
