"""Behind a reverse proxy (nginx terminating HTTPS): trust its X-Forwarded-For / -Proto.

Enabled by PROXY_FIX=1 (environment, or the PROXY_FIX config key). Then the client's address
(request.remote_addr, and so the audit log's ip) is the one the proxy saw, and the scheme is
https when the proxy says so (secure cookies, external URLs). Exactly one proxy hop is trusted
(x_for=1, x_proto=1): the proxy must overwrite, not append to, what clients send, and the
portal must not be reachable except through it (gunicorn binds 127.0.0.1 by default).
Without a proxy leave it off, or any client could forge its address in the audit trail.
"""

from __future__ import annotations

import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

TRUE = {"1", "true", "yes", "on"}


def proxy_fix_enabled(app: Flask) -> bool:
    value = app.config.get("PROXY_FIX", os.environ.get("PROXY_FIX", "0"))
    return str(value).strip().lower() in TRUE


def register_proxy(app: Flask) -> None:
    """Wrap the WSGI app in ProxyFix when enabled."""
    if proxy_fix_enabled(app):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)
