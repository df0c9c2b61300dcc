"""Backup and restore of the portal's database: `flask portal backup PATH`, `flask portal restore PATH`.

Everything the portal keeps in the database — units, accounts and roles, filings with every
revision, transitions, correction requests, the staff register, notices, and the audit log with
its hash chain, attachments and uploads waiting for confirmation (table blob) — is in one backup
file. The keys are not (SECRET_KEY, AUDIT_KEY, PII_KEY: instance/ or the environment): keep them
with the server's secrets, apart from the database backups.

SQLite (the default instance/app.db): the backup is a copy made with SQLite's online backup API
(sqlite3.Connection.backup), consistent even while the portal is writing; the copy is checked
with PRAGMA integrity_check. Restoring copies the backup back with the same API, page by page,
over the live database file.

PostgreSQL (DATABASE_URL=postgresql://…): the backup is `pg_dump --format=custom` (compressed;
list it with `pg_restore --list PATH`). Restoring runs
`pg_restore --clean --if-exists --no-owner --single-transaction --exit-on-error`: every table in
the backup is dropped and recreated with the backup's rows and sequence values inside one
transaction, so a failed restore changes nothing. pg_dump / pg_restore (the postgresql-client
package) must be on PATH, of the server's major version or newer. The password is passed in
PGPASSWORD, never on the command line.

Both: the file is written to PATH.part and renamed when complete, with mode 0600 (it holds
password hashes; citizen ids inside are sealed under PII_KEY). With BACKUP_KEY set (or
`--encrypt`), the whole file is encrypted with SM4-GCM (app/backup_crypto.py); a restore recognises
such a file and decrypts it with the configured BACKUP_KEY. A restore
checks the file first and refuses one that is not a portal backup. Stop the portal (or put it in
maintenance) while restoring; after restoring a backup made by an older release, run
`flask db upgrade`. A backup and a restore each add an entry to the audit log.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from .extensions import db


class BackupError(Exception):
    """The backup or restore could not be made; nothing was changed."""


def _url() -> URL:
    return db.engine.url


def _kind(url: URL) -> str:
    name = url.get_backend_name()
    if name == "sqlite":
        if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
            raise BackupError("only a SQLite database file can be backed up")
        return "sqlite"
    if name == "postgresql":
        return "postgresql"
    raise BackupError(f"unsupported database: {name}")


def _private(path: Path) -> None:
    os.chmod(path, 0o600)


def _audit(action: str, path: Path, **detail) -> None:
    from .audit import record

    record(action, "database", None, {"file": path.name, **detail})
    db.session.commit()


# --- SQLite -------------------------------------------------------------------------------

def _sqlite_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)


def _check_sqlite_file(path: Path) -> None:
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise BackupError(f"{path} is not a SQLite database")
    conn = _sqlite_ro(path)
    try:
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{path} fails SQLite's integrity check")
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a readable SQLite database: {exc}") from None
    finally:
        conn.close()
    if not {"alembic_version", "filing", "audit_log"} <= tables:
        raise BackupError(f"{path} is not a backup of this portal")


def _sqlite_copy(source: sqlite3.Connection, target: Path) -> None:
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()


def _sqlite_backup(url: URL, path: Path) -> None:
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    source = _sqlite_ro(Path(url.database))
    try:
        _sqlite_copy(source, part)
    finally:
        source.close()
    _private(part)
    _check_sqlite_file(part)
    os.replace(part, path)


def _sqlite_restore(url: URL, path: Path) -> None:
    _check_sqlite_file(path)
    source = _sqlite_ro(path)
    try:
        _sqlite_copy(source, Path(url.database))
    finally:
        source.close()


# --- PostgreSQL ---------------------------------------------------------------------------

def _pg_tool(name: str) -> str:
    tool = shutil.which(name)
    if tool is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return tool


def _pg_args(url: URL) -> tuple[str, dict]:
    """A libpq connection URI without the password, and the environment carrying it."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return conninfo, env


def _run(cmd: list[str], env: dict) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} failed: {done.stderr.strip()[-2000:]}")


def _check_pg_file(path: Path, env: dict) -> None:
    done = subprocess.run([_pg_tool("pg_restore"), "--list", str(path)], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{path} is not a pg_dump custom-format backup: {done.stderr.strip()[-500:]}")
    if " TABLE public filing " not in done.stdout or " TABLE public audit_log " not in done.stdout:
        raise BackupError(f"{path} is not a backup of this portal")


def _pg_backup(url: URL, path: Path) -> None:
    conninfo, env = _pg_args(url)
    part = path.with_name(path.name + ".part")
    part.unlink(missing_ok=True)
    part.touch(mode=0o600)
    try:
        _run([_pg_tool("pg_dump"), "--format=custom", "--file", str(part), "--dbname", conninfo], env)
        _private(part)
        _check_pg_file(part, env)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, path)


def _pg_restore(url: URL, path: Path) -> None:
    conninfo, env = _pg_args(url)
    _check_pg_file(path, env)
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--dbname", conninfo, str(path)], env)


# --- entry points -------------------------------------------------------------------------

def _release() -> None:
    """Close this process's connections: none may hold a lock or a stale page during restore."""
    db.session.remove()
    db.engine.dispose()


def _revision() -> str | None:
    from sqlalchemy import text

    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        db.session.rollback()


def backup(path: str | os.PathLike, encrypt: bool | None = None) -> str:
    """Write a backup of the whole database to `path`; returns a one-line summary. Encrypted with
    SM4 (app/backup_crypto.py) when `encrypt`, or by default when BACKUP_KEY is configured."""
    from flask import current_app

    from .backup_crypto import encrypt_file
    from .gmcrypto import SealError

    url = _url()
    kind = _kind(url)
    target = Path(path)
    if target.is_dir():
        raise BackupError(f"{target} is a directory")
    target.parent.mkdir(parents=True, exist_ok=True)
    encrypt = bool(current_app.config.get("BACKUP_KEY")) if encrypt is None else encrypt
    revision = _revision()
    plain = target.with_name(target.name + ".plain") if encrypt else target
    try:
        if kind == "sqlite":
            _sqlite_backup(url, plain)
        else:
            _pg_backup(url, plain)
        if encrypt:
            part = target.with_name(target.name + ".part")
            encrypt_file(plain, part)
            part.replace(target)
    except SealError as exc:
        raise BackupError(str(exc)) from None
    finally:
        if encrypt:
            plain.unlink(missing_ok=True)
    _audit("system.backup", target, database=kind, revision=revision, bytes=target.stat().st_size,
           encrypted="SM4-GCM" if encrypt else None)
    how = "SM4-encrypted " if encrypt else ""
    return f"{how}{kind} backup written to {target} ({target.stat().st_size} bytes, revision {revision})"


def restore(path: str | os.PathLike) -> str:
    """Replace the whole database with the backup at `path`; returns a one-line summary."""
    url = _url()
    kind = _kind(url)
    source = Path(path)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    from .backup_crypto import decrypt_file, is_encrypted
    from .gmcrypto import SealError

    plain = None
    if is_encrypted(source):
        plain = source.with_name(source.name + ".plain")
        try:
            decrypt_file(source, plain)
        except SealError as exc:
            raise BackupError(str(exc)) from None
    _release()
    try:
        if kind == "sqlite":
            _sqlite_restore(url, plain or source)
        else:
            _pg_restore(url, plain or source)
    finally:
        if plain is not None:
            plain.unlink(missing_ok=True)
    _release()
    revision = _revision()
    _audit("system.restore", source, database=kind, revision=revision)
    return (f"{kind} database restored from {source} (revision {revision}); "
            "run `flask db upgrade` if the backup comes from an older release")
