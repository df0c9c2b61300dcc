"""Keeping an uploaded file between its preview and the user's confirmation.

Files wait in IMPORT_DIR (outside the web root) under a random token kept in the session;
confirming reads and deletes the file, so one upload commits at most once.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import current_app, session


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
