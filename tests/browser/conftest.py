"""Browser fixtures: the session `app` served over real HTTP, and Debian's headless Chromium.

The portal runs in a background thread (werkzeug `make_server`, threaded, on 127.0.0.1 and a
free port); Playwright's sync API drives /usr/bin/chromium (never `playwright install`).
A missing browser fails the tests with a clear message instead of skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from urllib.parse import urlsplit

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """The portal on a real socket; `url('/x')` gives an absolute address."""

    def __init__(self, app) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.host, self.port = self._server.server_address[:2]
        self.base = f"http://{self.host}:{self.port}"
        self.netloc = f"{self.host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, name="live-server", daemon=True)

    def url(self, path: str = "/") -> str:
        return self.base + path

    def is_own(self, address: str) -> bool:
        parts = urlsplit(address)
        if parts.scheme in ("data", "blob", "about"):
            return True
        return parts.scheme in ("http", "https") and parts.netloc == self.netloc

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(app):
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - environment problem, reported loudly
        pytest.fail(f"the Python package 'playwright' is missing ({exc}); pip install -r requirements-dev.txt")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        hint = shutil.which("chromium") or "not on PATH either"
        pytest.fail(
            f"Chromium not found at {CHROMIUM} (chromium on PATH: {hint}). Install Debian's browser: "
            "apt-get install -y chromium fonts-noto-cjk  (do not run `playwright install`)",
            pytrace=False,
        )
    fc_list = shutil.which("fc-list")
    if fc_list and not subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, text=True).stdout.strip():
        pytest.fail(
            "no Chinese font for Chromium (pages would show boxes): apt-get install -y fonts-noto-cjk", pytrace=False
        )
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def context(browser):
    # An English-speaking browser on purpose: the portal must still answer in Chinese.
    ctx = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    # Generous: on a busy 2-core machine a page with charts can take many seconds to settle.
    ctx.set_default_timeout(30_000)
    ctx.set_default_navigation_timeout(60_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    return context.new_page()
