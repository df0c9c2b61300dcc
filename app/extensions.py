"""The process-wide singletons, created unbound and attached in create_app().

AppBuilder is not one of them: it keeps per-app state (its list of views), so
create_app() makes one per app and it is reached as ``current_app.appbuilder``.
"""

from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

db = get_sqla_class()()
csrf = CSRFProtect()
migrate = Migrate()
