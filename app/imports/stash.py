"""Keeping an uploaded file between its preview and the user's confirmation.

Files wait in IMPORT_DIR (outside the web root) under a random token kept in the session;
confirming reads and deletes the file, so one upload commits at most once. `check_upload` and
`confirm_upload` are that flow for an import page: upload → preview → stash, then confirm → commit.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app, flash, request, session
from flask_babel import gettext as _

from .xlsx import MAX_UPLOAD, ImportFileError


def _folder() -> Path:
    folder = Path(current_app.config["IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def stash(key: str, data: bytes) -> None:
    """Keep `data` for this session under `key` (one pending upload per key)."""
    token = secrets.token_hex(16)
    (_folder() / token).write_bytes(data)
    old = session.get(key)
    session[key] = token
    if old:
        take(None, old)


def take(key: str | None, token: str | None = None) -> bytes | None:
    """Return and forget the file kept under `key` (or an explicit token); None when absent."""
    token = session.pop(key, None) if key else token
    if not token or not token.isalnum():
        return None
    path = _folder() / token
    if not path.exists():
        return None
    data = path.read_bytes()
    path.unlink()
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
