"""Command line: `flask portal init | demo | remind`."""

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
    for role, n in counts.items():
        click.echo(f"role {role}: {n} permissions")


@portal.command("demo")
def demo_command():
    """Load demo accounts and data into an empty database."""
    from .demo import load_demo

    click.echo(load_demo())


@portal.command("remind")
def remind_command():
    """List overdue filings (催报) and mail the units' users when SMTP is configured."""
    from .filing.reminders import send_reminders

    for line in send_reminders():
        click.echo(line)


def register_cli(app: Flask) -> None:
    app.cli.add_command(portal)
