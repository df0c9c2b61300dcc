"""The demo says what it is: the console names the URL, the demo accounts with their roles and the
password, and what the city holds (computed from the database); the login page of a demo database
shows the same accounts — and a production database's login page never does."""

from __future__ import annotations

import csv
import datetime as dt
import html as htmllib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from app.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from app.extensions import db

ROOT = Path(__file__).resolve().parent.parent
ORGS = list(csv.DictReader(open(ROOT / "app" / "data" / "orgs.csv", encoding="utf-8")))
SHORT = {row["code"]: row["short_name"] for row in ORGS}
# What the demo must show for each account: username, role, unit — from the declaration, not the code shown.
EXPECTED = [(name, role, f"{SHORT[code]} ({code})") for name, _first, _last, role, code in DEMO_ACCOUNTS]
ROW = re.compile(r"<tr><td><code>([^<]+)</code></td><td>([^<]*)</td><td>([^<]*)</td></tr>")


def _login_rows(app):
    html = app.test_client().get("/login/").get_data(as_text=True)
    return html, [tuple(htmllib.unescape(c) for c in m) for m in ROW.findall(html)]


def test_login_page_of_a_demo_database_lists_the_accounts_roles_and_password(app):
    html, rows = _login_rows(app)
    assert rows == EXPECTED
    assert f'<code class="demo-password">{htmllib.escape(DEMO_PASSWORD)}</code>' in html
    assert "这是演示数据库" in html


@pytest.fixture
def production_accounts(app):
    """The same usernames as a production database would have them: real addresses, not the demo's."""
    from app.models import PortalUser

    names = [a[0] for a in DEMO_ACCOUNTS]
    with app.app_context():
        db.session.execute(update(PortalUser).where(PortalUser.username.in_(names))
                           .values(email=PortalUser.username + "@sfj.example.gov.cn"))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(update(PortalUser).where(PortalUser.username.in_(names))
                           .values(email=PortalUser.username + "@demo.local"))
        db.session.commit()


def test_login_page_of_a_production_database_shows_no_account(app, production_accounts):
    html, rows = _login_rows(app)
    assert rows == []
    assert DEMO_PASSWORD not in html and "演示账号" not in html and "demo-accounts" not in html
    assert 'name="username"' in html and 'name="password"' in html  # still the login form


def test_only_the_demo_loaders_accounts_are_shown(app):
    """An account that merely borrows a demo address (another username) or is deactivated is left out."""
    from app.models import PortalUser

    with app.app_context():
        db.session.execute(update(PortalUser).where(PortalUser.username == "leader").values(active=False))
        db.session.execute(update(PortalUser).where(PortalUser.username == "reviewer")
                           .values(email="admin@demo.local.example"))
        db.session.commit()
    try:
        _html, rows = _login_rows(app)
        assert [r[0] for r in rows] == [a[0] for a in EXPECTED if a[0] not in ("leader", "reviewer")]
    finally:
        with app.app_context():
            db.session.execute(update(PortalUser).where(PortalUser.username == "leader").values(active=True))
            db.session.execute(update(PortalUser).where(PortalUser.username == "reviewer")
                               .values(email="reviewer@demo.local"))
            db.session.commit()


def test_the_console_account_of_the_database_is_computed_from_it(app, ctx):
    from app.demo.summary import describe
    from app.models.filing import Filing
    from app.unit_list import unit_by_code

    dongcheng, gongan = unit_by_code("0100").id, unit_by_code("2300").id
    rows = [("penalty", dongcheng, "2023Q4", 2023, 4), ("penalty", gongan, "2023Q4", 2023, 4),
            ("penalty", dongcheng, "2025Q1", 2025, 1), ("institution", gongan, "2021", 2021, 1)]
    for form, unit, key, year, sub in rows:
        db.session.add(Filing(form_code=form, unit_id=unit, period_key=key, year=year, sub=sub))
    db.session.commit()

    text = describe("http://127.0.0.1:5000/")
    lines = text.splitlines()
    assert lines[0] == "法制统计 is at http://127.0.0.1:5000/"
    assert lines[1] == f"Demo accounts — the password of every one is {DEMO_PASSWORD}"
    shown = [line.split() for line in lines[2:2 + len(EXPECTED)]]
    assert [(s[0], s[1], " ".join(s[2:])) for s in shown] == EXPECTED
    today = dt.date.today().isoformat()
    active = sum(r["valid_from"] <= today and (not r["valid_to"] or today < r["valid_to"]) for r in ORGS)
    city = f"The demo city: {len(ORGS)} units ({active} active today), filings of 2021–2025:"
    assert lines[2 + len(EXPECTED)] == city
    assert lines[3 + len(EXPECTED)] == "  行政处罚 3 · 行政复议 0 · 行政应诉 0 · 法制机构和人员 1"


def test_the_console_of_a_production_database_names_no_account(app, ctx, production_accounts):
    from app.demo.summary import describe

    text = describe("http://127.0.0.1:5000/")
    assert DEMO_PASSWORD not in text and "admin" not in text
    assert text.splitlines()[1].startswith(f"The database: {len(ORGS)} units")
    assert "filings of none yet" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_demos_first_screen_names_the_url_the_accounts_and_the_city(tmp_path):
    """`python run.py --demo` (what scripts/demo.sh runs) on a fresh SQLite file: within the first 24
    lines, before the server's own banner, the URL, every account with its role, the password, and
    the city's figures, which match the database it made."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env.update(PORTAL_INSTANCE_DIR=str(tmp_path), PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "run.py", "--demo", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line.rstrip("\n"))
            if "Running on" in line:
                break
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    out = "\n".join(lines)
    assert any("Running on" in x for x in lines), out
    screen = lines[:24]
    assert f"法制统计 is at http://127.0.0.1:{port}/" in screen, out
    assert f"Demo accounts — the password of every one is {DEMO_PASSWORD}" in screen, out
    for username, role, unit in EXPECTED:
        assert any(x.split()[:2] == [username, role] and x.endswith(unit) for x in screen), (username, out)

    con = sqlite3.connect(tmp_path / "app.db")
    try:
        units = con.execute("SELECT COUNT(*) FROM unit").fetchone()[0]
        first, last = con.execute("SELECT MIN(year), MAX(year) FROM filing").fetchone()
        per_form = dict(con.execute("SELECT form_code, COUNT(*) FROM filing GROUP BY form_code").fetchall())
    finally:
        con.close()
    city = next(x for x in screen if x.startswith("The demo city: "))
    assert city.startswith(f"The demo city: {units} units (") and city.endswith(f"filings of {first}–{last}:")
    figures = screen[screen.index(city) + 1]
    assert figures == "  " + " · ".join(f"{title} {per_form[code]:,}" for title, code in (
        ("行政处罚", "penalty"), ("行政复议", "reconsideration"), ("行政应诉", "litigation"),
        ("法制机构和人员", "institution")))
    assert min(per_form.values()) > 0
