"""The README's screenshots, taken with headless Chromium (Debian's, through Playwright) from a
running demo: `.venv/bin/python scripts/screenshots.py http://127.0.0.1:5000` (after scripts/demo.sh).

Writes docs/img/login.png (the login page of the demo, with its accounts), docs/img/dashboard.png
(the leaders' dashboard) and docs/img/home-<role>.png, the home page of each role as it opens
after signing in (1366 × 768, the office's usual screen), each kept under 200 KB.
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
# (file, demo account): every role's home page
HOMES = [
    ("home-filler.png", "dongcheng_filler"),
    ("home-approver.png", "dongcheng_approver"),
    ("home-reviewer.png", "reviewer"),
    ("home-leader.png", "leader"),
    ("home-admin.png", "admin"),
    ("home-security-admin.png", "security_admin"),
    ("home-audit-admin.png", "audit_admin"),
]


def sign_in(browser, base: str, username: str, width: int = 1366, height: int = 768):
    """A new page of a fresh context, signed in as `username`, on the page the login leads to."""
    page = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN").new_page()
    page.goto(base + "/login/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("input[type=submit]")
    return page


def main(base: str) -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    written = ["login.png", "dashboard.png"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="zh-CN")
        page.goto(base + "/login/")
        page.screenshot(path=str(IMG / "login.png"), full_page=True)  # every account
        page = sign_in(browser, base, "leader", 1280, 800)
        page.wait_for_selector(".portal-chart svg", timeout=60_000)
        page.wait_for_timeout(1500)  # the last charts finish drawing
        page.screenshot(path=str(IMG / "dashboard.png"), full_page=False)
        for name, username in HOMES:
            page = sign_in(browser, base, username)
            if page.locator(".portal-chart").count():
                page.wait_for_selector(".portal-chart svg", timeout=60_000)
                page.wait_for_timeout(1500)
            page.screenshot(path=str(IMG / name), full_page=False)
            page.context.close()
            written.append(name)
        browser.close()
    for name in written:
        size = (IMG / name).stat().st_size
        print(f"docs/img/{name}: {size // 1024} KB")
        if size > LIMIT:
            sys.exit(f"docs/img/{name} is larger than 200 KB: take it with a smaller viewport")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:5000")
