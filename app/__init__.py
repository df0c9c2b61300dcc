"""Application factory of the 法制统计 portal."""

import logging
from pathlib import Path

from flask import Flask
from flask_appbuilder import AppBuilder

from .extensions import csrf, db, migrate

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


# FAB's security REST API declares searches on relationship columns (roles.name, users.id) that
# its filter converter does not know; it warns about each at every start. Nothing is wrong.
logging.getLogger("flask_appbuilder.models.filters").setLevel(logging.ERROR)
# FAB's permission clean-up warns for every pair sync_roles keeps on purpose (app.security): noise.
logging.getLogger("flask_appbuilder.security.sqla.manager").setLevel(logging.ERROR)


def create_app(config=None) -> Flask:
    """Build the portal. `config` is a config object; default: config.Config()."""
    app = Flask(__name__, instance_relative_config=False)
    if config is None:
        from config import Config

        config = Config()
    app.config.from_object(config)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True)
    # CSRF must wrap every POST before AppBuilder registers its views.
    csrf.init_app(app)

    from . import models  # noqa: F401  (register the tables on the metadata)
    from .duties import install as install_duty_guard

    install_duty_guard(db.session)  # 三员分立 and the audit of security changes, on every surface

    from .views.base import install_blank_choice_text

    install_blank_choice_text()  # before FAB builds any form (its security views' too)
    appbuilder = AppBuilder(update_perms=False)
    with app.app_context():
        appbuilder.init_app(app, db.session)
        from .api import register_apis
        from .views import register_views

        register_views(appbuilder)
        register_apis(appbuilder)
        appbuilder.post_init()
        # The APIs authenticate by bearer token (JWT or API key), never by the session cookie,
        # so CSRF tokens do not apply to them.
        for view in appbuilder.baseviews:
            if getattr(view, "resource_name", None) or view.__class__.__name__.endswith("Api"):
                csrf.exempt(view.blueprint)

    from .cli import register_cli
    from .errors import register_error_handlers
    from .ops import register_ops
    from .proxy import register_proxy
    from .sessions import register_session_policies
    from .web import register_web_hooks

    register_ops(app)
    register_cli(app)
    register_web_hooks(app)
    register_session_policies(app)
    register_error_handlers(app)
    register_proxy(app)
    return app
