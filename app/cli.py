"""Command line: `flask portal init | demo | remind | audit-verify | audit-anchor | backup | restore`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

portal = AppGroup("portal", help="法制统计 portal administration.")


@portal.command("init")
def init_command():
    """Sync roles and permissions from code and load the unit list with its history since 2006 and
    the filing assignments of the reforms (idempotent: into an existing database too)."""
    from .extensions import db
    from .filing.review import backfill
    from .security import sync_roles
    from .unit_list import load_assignments, load_units

    added = load_units()
    assigned = load_assignments()
    counts = sync_roles()
    late, warned = backfill()  # the reviewers' list facts of filings from before they were kept
    db.session.commit()
    click.echo(f"units added: {added}; filing assignments added: {assigned}")
    click.echo(f"review facts filled: days late {late}, warnings {warned}")
    click.echo("roles synced (permissions): " + ", ".join(f"{role} {n}" for role, n in counts.items()))


@portal.command("demo")
def demo_command():
    """Load demo accounts and data into an empty database; name the accounts and what it holds."""
    from .demo import load_demo
    from .demo.summary import describe

    click.echo(load_demo())
    click.echo(describe())


@portal.command("remind")
def remind_command():
    """List overdue filings (催报) and mail the units' users when SMTP is configured."""
    from .filing.reminders import send_reminders

    for line in send_reminders():
        click.echo(line)


@portal.command("audit-verify")
@click.option("--anchors", "anchors_file", type=click.Path(dir_okay=False),
              help="Anchors file to check against (default: AUDIT_ANCHOR_FILE).")
def audit_verify_command(anchors_file):
    """Check the audit chain (keyed links, head) and every anchor; exit 1 at the first thing that fails."""
    from flask import current_app

    from .audit import verify_chain
    from .audit_anchor import check_anchors

    report = verify_chain()
    anchors = check_anchors(anchors_file or current_app.config["AUDIT_ANCHOR_FILE"])
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} entries")
    else:
        click.echo(f"audit chain BROKEN at entry {report.broken_at}: {report.reason} "
                   f"({report.checked} entries checked)", err=True)
    if not anchors.present:
        click.echo(f"no anchors file at {anchors.path}: a tail cut back together with the head "
                   "cannot be detected (run `flask portal audit-anchor` from cron)", err=True)
    elif anchors.ok:
        click.echo(f"anchors hold: {anchors.checked} in {anchors.path}")
    else:
        click.echo(f"anchors file {anchors.path} CONTRADICTED: {anchors.problem} "
                   f"({anchors.checked} earlier anchors hold)", err=True)
    if not (report.ok and anchors.ok):
        raise SystemExit(1)


@portal.command("audit-anchor")
@click.option("--file", "anchors_file", type=click.Path(dir_okay=False),
              help="Append-only anchors file (default: AUDIT_ANCHOR_FILE).")
@click.option("--syslog", "to_syslog", is_flag=True, help="Also send the line to syslog (authpriv.notice).")
def audit_anchor_command(anchors_file, to_syslog):
    """Verify the audit chain, then append its head (number, link, MAC) to the anchors file; exit 1 if broken."""
    from flask import current_app

    from .audit_anchor import AnchorError, write_anchor

    try:
        click.echo(write_anchor(anchors_file or current_app.config["AUDIT_ANCHOR_FILE"], to_syslog))
    except AnchorError as exc:
        click.echo(f"audit-anchor: {exc}", err=True)
        raise SystemExit(1) from None


@portal.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--encrypt/--no-encrypt", default=None,
              help="SM4-encrypt the file with BACKUP_KEY (default: whenever BACKUP_KEY is set).")
def backup_command(path, encrypt):
    """Back up the whole database to PATH (SQLite online backup, or pg_dump -Fc)."""
    from .backup import BackupError, backup

    try:
        click.echo(backup(path, encrypt))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@portal.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(path, yes):
    """Replace the WHOLE database with the backup at PATH (stop the portal first)."""
    from .backup import BackupError, restore

    if not yes:
        click.confirm(f"Every row of the current database will be replaced by {path}. Continue?", abort=True)
    try:
        click.echo(restore(path))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None


@portal.command("rotate-keys")
@click.option("--new-key-env", default=None, metavar="NAME",
              help="Take the new PII_KEY from this environment variable (when PII_KEY comes from the "
                   "environment); by default a new key is generated and written to instance/pii_key.")
def rotate_keys_command(new_key_env):
    """Re-seal every citizen id under a new PII_KEY and rebuild the blind index, in one transaction."""
    import os

    from config import INSTANCE_DIR

    from .pii import PiiKeyRefused
    from .pii.rotation import new_key, rotate_keys

    from_env = bool(os.environ.get("PII_KEY"))
    if from_env and not new_key_env:
        raise click.ClickException("PII_KEY comes from the environment: put the new key in another variable "
                                   "and pass --new-key-env NAME; then replace PII_KEY on every server")
    key = os.environ.get(new_key_env, "") if new_key_env else new_key()
    try:
        done = rotate_keys(key)
    except (PiiKeyRefused, ValueError) as exc:
        raise click.ClickException(str(exc)) from None
    if not from_env:  # the instance file follows the database (written only after the commit)
        path = INSTANCE_DIR / "pii_key"
        tmp = path.with_name("pii_key.new")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        tmp.replace(path)
    click.echo(f"re-sealed under key {done['new']} (was {done['old']}): "
               + ", ".join(f"{k} {v}" for k, v in done.items() if k not in ("old", "new")))
    click.echo("The old key is refused from now on: install the new one on every server and restart them.")


@portal.command("anonymise")
@click.option("--dry-run", is_flag=True, help="Count what would be anonymised; change nothing.")
def anonymise_command(dry_run):
    """Anonymise personal data whose retention period has passed (names and ids; statistics unchanged)."""
    from .clock import today
    from .pii.retention import anonymise

    done = anonymise(today(), dry_run=dry_run)
    verb = "would anonymise" if dry_run else "anonymised"
    click.echo(f"{verb}: " + ", ".join(f"{k} {v}" for k, v in done.items()))


@portal.command("audit-scheme")
@click.argument("scheme", type=click.Choice(["hmac-sm3", "hmac-sha256"]))
def audit_scheme_command(scheme):
    """Switch the audit chain's MAC scheme from its head on (history is kept; anchor before and after)."""
    from flask import current_app

    from .audit_scheme import switch_scheme_on
    from .extensions import db

    changed = switch_scheme_on(db.session.connection(), scheme, current_app.config["AUDIT_KEY"])
    db.session.commit()
    click.echo(f"audit chain now uses {scheme}" if changed else f"audit chain already uses {scheme}")


@portal.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker_command(burst):
    """Run the export jobs (RQ on REDIS_URL); run as its own service, one or more per site."""
    from flask import current_app

    from .jobs import work

    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: there is no job queue (exports are answered inline)")
    work(burst=burst)


@portal.command("purge-uploads")
def purge_uploads_command():
    """Delete uploads whose confirmation window has passed, and expired export files."""
    from .blobs import purge_expired
    from .extensions import db

    n = purge_expired()
    db.session.commit()
    click.echo(f"deleted {n} expired files")


def register_cli(app: Flask) -> None:
    app.cli.add_command(portal)
    # Also `flask backup` / `flask restore`, the names operators look for first.
    app.cli.add_command(backup_command, "backup")
    app.cli.add_command(restore_command, "restore")
