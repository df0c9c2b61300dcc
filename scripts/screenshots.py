"""The README's screenshots, taken with headless Chromium (Debian's, through Playwright) from a
running demo: `.venv/bin/python scripts/screenshots.py http://127.0.0.1:5000` (after scripts/demo.sh).

Writes docs/img/login.png (the login page of the demo, with its accounts) and docs/img/dashboard.png
(the leaders' dashboard), each kept under 200 KB.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

IMG = Path(__file__).resolve().parent.parent / "docs" / "img"
CHROMIUM = os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "DemoPass@2026!"
LIMIT = 200 * 1024


def main(base: str) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.goto(base + "/login/")
        page.screenshot(path=str(IMG / "login.png"), full_page=True)  # every account
        page.fill("#username", "leader")
        page.fill("#password", PASSWORD)
        with page.expect_navigation():
            page.click("input[type=submit]")
        page.wait_for_selector(".portal-chart svg", timeout=60_000)
        page.wait_for_timeout(1500)  # the last charts finish drawing
        page.screenshot(path=str(IMG / "dashboard.png"), full_page=False)
        browser.close()
    for name in ("login.png", "dashboard.png"):
        size = (IMG / name).stat().st_size
        print(f"docs/img/{name}: {size // 1024} KB")
        if size > LIMIT:
            sys.exit(f"docs/img/{name} is larger than 200 KB: take it with a smaller viewport")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:5000")
