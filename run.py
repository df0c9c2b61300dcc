"""Start the portal: `python run.py [--demo] [--host H] [--port P]`.

Migrates the database and syncs roles and units (and with --demo loads, into an empty database,
the demo accounts and figures), says in a few lines what it did, then prints where the portal is,
the demo accounts with their roles and password, and what the city holds — before serving it with
the development server.
"""

import argparse
import contextlib
import io
import logging
import os
import sys

from app import create_app


def _migrate() -> str:
    """`flask db upgrade` with Alembic's per-step log kept back (shown only if it fails)."""
    from flask_migrate import upgrade
    from sqlalchemy import text

    from app.extensions import db

    log = io.StringIO()
    try:
        with contextlib.redirect_stderr(log):  # Alembic's logging config binds its handler to stderr now
            upgrade()
    except BaseException:
        sys.stderr.write(log.getvalue())
        raise
    finally:
        for handler in logging.root.handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is log:
                handler.setStream(sys.stderr)
    steps = log.getvalue().count("Running upgrade")
    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return f"schema: {steps} migration(s) applied, now at {head}" if steps else f"schema: up to date ({head})"


def prepare(app, demo: bool) -> None:
    """Migrate to the latest schema, sync roles and units; load demo data when asked."""
    from sqlalchemy.engine import make_url

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).render_as_string(hide_password=True)
    print(f"database: {url}", flush=True)
    with app.app_context():
        print(_migrate(), flush=True)
        result = app.test_cli_runner().invoke(args=["portal", "init"])
        print(result.output, end="", flush=True)
        if result.exception:
            raise result.exception
        if demo:
            from app.demo import load_demo

            print("loading the demo city into an empty database (a minute or so the first time)…", flush=True)
            print(load_demo(), flush=True)


def banner(app, host: str, port: int) -> str:
    """Where the portal is, its demo accounts and what it holds (app/demo/summary.py)."""
    from app.demo.summary import describe

    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{shown}:{port}/" + (f"  (listening on {host})" if shown != host else "")
    with app.app_context():
        return describe(url)


def main() -> None:
    parser = argparse.ArgumentParser(description="法制统计 portal")
    parser.add_argument("--demo", action="store_true", help="load demo accounts and data")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = parser.parse_args()
    app = create_app()
    prepare(app, args.demo)
    rule = "─" * 72
    print(f"\n{rule}\n{banner(app, args.host, args.port)}\n{rule}\n", flush=True)
    app.run(host=args.host, port=args.port, debug=False)


if __name__ == "__main__":
    main()
