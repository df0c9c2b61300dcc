"""Issue 8, Reliability — production configuration: ProxyFix only when PROXY_FIX=1 (the client's
address reaches request.remote_addr and the audit log only through a trusted proxy), and the
shipped gunicorn.conf.py is a valid gunicorn configuration driven by the environment."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest
from flask import request
from sqlalchemy import select
from werkzeug.middleware.proxy_fix import ProxyFix

import config
from app import create_app
from app.extensions import db
from app.models import AuditLog
from tests.concurrency_helpers import jwt

ROOT = Path(__file__).resolve().parent.parent
FORWARDED = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}


def _opened_from(app, client) -> str | None:
    """Open a filing through the API with forwarding headers; the audit row's ip."""
    h = jwt(client, "dongcheng_filler")
    resp = client.post("/api/v1/filings/", json={"form": "penalty", "period": "2026Q1"}, headers={**h, **FORWARDED})
    assert resp.status_code == 200
    with app.app_context():
        return db.session.scalar(select(AuditLog.ip).where(
            AuditLog.action == "filing.create", AuditLog.object_id == resp.json["result"]["id"]))


def _whoami(app):
    @app.route("/_test_whoami")
    def whoami():
        return {"addr": request.remote_addr, "scheme": request.scheme}


def test_forwarded_headers_ignored_without_proxy_fix(app):
    assert not isinstance(app.wsgi_app, ProxyFix)
    assert _opened_from(app, app.test_client()) == "127.0.0.1"  # a client cannot forge its address


@pytest.fixture
def proxied_app(app, monkeypatch):
    monkeypatch.setenv("PROXY_FIX", "1")
    proxied = create_app(config.TestConfig(app.config["SQLALCHEMY_DATABASE_URI"]))
    _whoami(proxied)
    yield proxied
    with proxied.app_context():
        db.session.remove()
        db.engine.dispose()


def test_proxy_fix_trusts_one_hop_when_enabled(app, proxied_app):
    fix = proxied_app.wsgi_app
    assert isinstance(fix, ProxyFix) and (fix.x_for, fix.x_proto, fix.x_host, fix.x_port) == (1, 1, 0, 0)
    c = proxied_app.test_client()
    assert c.get("/_test_whoami", headers=FORWARDED).json == {"addr": "203.0.113.7", "scheme": "https"}
    # Only the proxy's own hop is believed: a client-supplied earlier hop is ignored.
    forged = {"X-Forwarded-For": "10.6.6.6, 203.0.113.8"}
    assert c.get("/_test_whoami", headers=forged).json["addr"] == "203.0.113.8"
    assert _opened_from(proxied_app, c) == "203.0.113.7"  # and so the audit log's ip


def test_gunicorn_conf_reads_the_environment(monkeypatch):
    from gunicorn.config import KNOWN_SETTINGS

    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8123")
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "90")
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    settings = {k: v for k, v in conf.items() if not k.startswith("_") and not callable(v)
                and type(v).__name__ != "module"}
    known = {s.name for s in KNOWN_SETTINGS}
    assert set(settings) <= known, set(settings) - known  # no misspelt setting silently ignored
    assert settings["wsgi_app"] == "app:create_app()"
    assert settings["bind"] == "0.0.0.0:8123" and settings["workers"] == 3 and settings["timeout"] == 90
    assert settings["worker_class"] == "sync" and settings["preload_app"] is False
    assert settings["forwarded_allow_ips"] == "127.0.0.1"
    monkeypatch.delenv("WEB_CONCURRENCY")
    assert 1 <= runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] <= 9
