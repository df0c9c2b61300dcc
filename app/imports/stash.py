"""Keeping an uploaded file between its preview and the user's confirmation.

Files wait in the database (app/blobs.py: whichever app server confirms sees the upload another
one previewed) under a random token kept in the session, for UPLOAD_TTL; confirming takes it
(deletes and reads it, committed at once, before the import's own transaction), so one upload
commits at most once even when two servers receive the same confirmation. `check_upload` and
`confirm_upload` are that flow for an import page: upload → preview → stash, then confirm → commit.
"""

from __future__ import annotations

import datetime as dt

from flask import flash, request, session
from flask_babel import gettext as _

from .. import blobs
from ..extensions import db
from .xlsx import MAX_UPLOAD, ImportFileError

UPLOAD_TTL = dt.timedelta(hours=2)


def stash(key: str, data: bytes) -> None:
    """Keep `data` for this session under `key` (one pending upload per key), committed at once."""
    old = session.get(key)
    if old:
        blobs.drop(old)
    blobs.purge_expired()
    session[key] = blobs.put(data, "import", UPLOAD_TTL)
    db.session.commit()


def take(key: str | None, token: str | None = None) -> bytes | None:
    """Return and forget the file kept under `key` (or an explicit token); None when absent. The
    deletion is committed here: a second confirmation finds nothing, whatever the first one's fate."""
    token = session.pop(key, None) if key else token
    if not token or not token.isalnum():
        return None
    data = blobs.take(token)
    db.session.commit()
    return data


def check_upload(key: str, preview):
    """The file POSTed as `file`, checked by `preview(data)` (nothing written): (result, None), the
    file kept under `key` when the result is ok; (None, message) when the file cannot be read."""
    upload = request.files.get("file")
    data = upload.read(MAX_UPLOAD + 1) if upload else b""
    try:
        if not data:
            raise ImportFileError(_("请选择要上传的文件"))
        result = preview(data)
        if result.ok:
            stash(key, data)
    except ImportFileError as exc:
        return None, str(exc)
    return result, None


def confirm_upload(key: str, commit, done, usable: bool = True) -> bool:
    """Commit the file kept under `key` with `commit(data)` and flash the outcome: `done(result)`
    when it went in, its first errors when not. False, with the reason flashed, when there was
    nothing to commit (expired, or not `usable` any more, or unreadable): the caller sends the user
    back to the upload page."""
    data = take(key)
    if data is None or not usable:
        flash(_("导入已过期，请重新上传"), "danger")
        return False
    try:
        result = commit(data)
    except ImportFileError as exc:
        flash(str(exc), "danger")
        return False
    if result.ok:
        flash(done(result), "success")
    else:
        flash("；".join(result.errors[:5]), "danger")
    return True
