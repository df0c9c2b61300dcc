"""Request-wide hooks: security headers, template filters, JSON errors for the API."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from .clock import _zone
from .forms.base import format_rate
from .i18n import period_label, sub_period_label
from .reporting.compare import format_pct, pct_change
from .reporting.formatting import TEMPLATE_FILTERS as REPORT_FILTERS

# Everything is served by the portal itself: no third-party origin anywhere.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def _localtime(value) -> str:
    if value is None:
        return ""
    import datetime as dt

    return value.replace(tzinfo=dt.UTC).astimezone(_zone()).strftime("%Y-%m-%d %H:%M")


def _query_with(args, **changes) -> str:
    merged = {k: v for k, v in args.items()}
    merged.update({k: v for k, v in changes.items()})
    return urlencode(merged)


def register_web_hooks(app: Flask) -> None:
    """Attach headers, filters and error handlers to the app."""
    app.jinja_env.filters["localtime"] = _localtime
    app.jinja_env.filters["rate"] = format_rate
    app.jinja_env.filters["query_with"] = _query_with
    app.jinja_env.filters["pct_change"] = lambda current, base: format_pct(pct_change(current, base))
    app.jinja_env.filters.update(REPORT_FILTERS)  # count, money, points, pct_signed, pct_plain
    app.jinja_env.filters["period_label"] = period_label  # a Period in the current language
    app.jinja_env.filters["sub_period_label"] = sub_period_label

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        return resp

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        if request.path.startswith("/api/"):
            return jsonify(message=exc.description or exc.name), exc.code
        return exc
