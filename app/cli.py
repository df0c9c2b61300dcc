"""Command line: `flask portal init | demo | remind | audit-verify | backup | restore`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

portal = AppGroup("portal", help="法制统计 portal administration.")


@portal.command("init")
def init_command():
    """Sync roles and permissions from code and load the unit list (idempotent)."""
    from .security import sync_roles
    from .unit_list import load_units

    added = load_units()
    counts = sync_roles()
    click.echo(f"units added: {added}")
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
def audit_verify_command():
    """Check the audit trail's hash chain; exit 1 at the first tampered, removed or inserted entry."""
    from .audit import verify_chain

    report = verify_chain()
    if report.ok:
        click.echo(f"audit chain intact: {report.checked} entries")
        return
    click.echo(f"audit chain BROKEN at entry {report.broken_at}: {report.reason} "
               f"({report.checked} entries checked)", err=True)
    raise SystemExit(1)


@portal.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
def backup_command(path):
    """Back up the whole database to PATH (SQLite online backup, or pg_dump -Fc)."""
    from .backup import BackupError, backup

    try:
        click.echo(backup(path))
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


def register_cli(app: Flask) -> None:
    app.cli.add_command(portal)
    # Also `flask backup` / `flask restore`, the names operators look for first.
    app.cli.add_command(backup_command, "backup")
    app.cli.add_command(restore_command, "restore")
