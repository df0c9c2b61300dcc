"""Backup files encrypted with SM4-GCM under BACKUP_KEY (from the environment, never in the database).

    PORTAL-BACKUP-SM4GCM-v1\\n ‖ key id (16 hex) ‖ nonce (12) ‖ ciphertext ‖ tag (16)

The header is authenticated with the data; the file is processed in chunks, so a backup of any
size needs no more memory than a chunk. A file that does not authenticate (another key, a changed
byte, a cut tail) is refused and its partial plaintext removed.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import current_app

from .gmcrypto import NONCE_BYTES, TAG_BYTES, SealError, StreamSealer, derive

MAGIC = b"PORTAL-BACKUP-SM4GCM-v1\n"
CHUNK = 1 << 20


def _keys(backup_key: str | None = None) -> tuple[bytes, str]:
    hex_key = backup_key or current_app.config.get("BACKUP_KEY")
    if not hex_key:
        raise SealError("BACKUP_KEY is not configured (e.g. `openssl rand -hex 32` in the environment)")
    try:
        master = bytes.fromhex(hex_key)
    except ValueError:
        raise SealError("BACKUP_KEY must be hex") from None
    if len(master) < 16:
        raise SealError("BACKUP_KEY must be at least 32 hex characters")
    return derive(master, b"portal backup sm4 v1", 16), derive(master, b"portal backup key id v1").hex()[:16]


def is_encrypted(path: Path) -> bool:
    """Whether the file at `path` is an encrypted backup."""
    with open(path, "rb") as fh:
        return fh.read(len(MAGIC)) == MAGIC


def encrypt_file(plain: Path, target: Path, backup_key: str | None = None) -> None:
    """Encrypt `plain` into `target` (mode 0600)."""
    key, key_id = _keys(backup_key)
    nonce = os.urandom(NONCE_BYTES)
    header = MAGIC + key_id.encode("ascii") + nonce
    sealer = StreamSealer(key, nonce)
    sealer.authenticate(header)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, open(plain, "rb") as src:
        out.write(header)
        while chunk := src.read(CHUNK):
            out.write(sealer.update(chunk))
        out.write(sealer.finish())


def decrypt_file(source: Path, target: Path, backup_key: str | None = None) -> None:
    """Decrypt an encrypted backup into `target` (mode 0600); SealError, and no `target`, if it fails."""
    key, key_id = _keys(backup_key)
    size = source.stat().st_size
    head_len = len(MAGIC) + 16 + NONCE_BYTES
    with open(source, "rb") as src:
        header = src.read(head_len)
        if len(header) < head_len or not header.startswith(MAGIC):
            raise SealError(f"{source} is not an encrypted portal backup")
        file_key_id = header[len(MAGIC):len(MAGIC) + 16].decode("ascii", "replace")
        if file_key_id != key_id:
            raise SealError(f"{source} was encrypted under key {file_key_id}, not the configured BACKUP_KEY ({key_id})")
        src.seek(size - TAG_BYTES)
        tag = src.read(TAG_BYTES)
        src.seek(head_len)
        sealer = StreamSealer(key, header[-NONCE_BYTES:], decrypt_tag=tag)
        sealer.authenticate(header)
        remaining = size - head_len - TAG_BYTES
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                while remaining > 0:
                    chunk = src.read(min(CHUNK, remaining))
                    remaining -= len(chunk)
                    out.write(sealer.update(chunk))
                sealer.finish()
        except BaseException:
            target.unlink(missing_ok=True)
            raise
