"""Start the portal: `python run.py [--demo] [--host H] [--port P]`.

--demo migrates the database, syncs roles, loads the units and, on an empty database,
the demo accounts and figures; then serves the portal (development server).
"""

import argparse
import os

from app import create_app


def prepare(app, demo: bool) -> None:
    """Migrate to the latest schema, sync roles and units; load demo data when asked."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        runner = app.test_cli_runner()
        for args in (["portal", "init"], ["portal", "demo"] if demo else None):
            if args:
                result = runner.invoke(args=args)
                print(result.output, end="")
                if result.exception:
                    raise result.exception


def main() -> None:
    parser = argparse.ArgumentParser(description="法制统计 portal")
    parser.add_argument("--demo", action="store_true", help="load demo accounts and data")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "5000")))
    args = parser.parse_args()
    app = create_app()
    prepare(app, args.demo)
    app.run(host=args.host, port=args.port, debug=False)


if __name__ == "__main__":
    main()
