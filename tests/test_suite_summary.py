"""The test run's closing line (tests/suite_summary.py) counts browser, PostgreSQL and property
tests: checked on a small suite run by pytest in a subprocess, with the same plugin."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SUITE = '''
import os

import pytest
from hypothesis import given, strategies as st
from sqlalchemy import create_engine, text


@pytest.fixture
def browser():  # stands in for tests/browser's fixture of the same name
    return "chromium"


def test_drives_the_browser(browser):
    assert browser


@given(st.integers())
def test_a_property(n):
    assert n == n


@pytest.mark.parametrize("url", [os.environ.get("SUMMARY_PG_URL") or "sqlite://", "sqlite://"])
def test_runs_sql(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    engine.dispose()


def test_plain():
    assert True


@pytest.mark.skip(reason="not run, not counted")
def test_skipped(browser):
    pass
'''


def _run(tmp_path, pg_url: str | None):
    (tmp_path / "conftest.py").write_text('pytest_plugins = ("tests.suite_summary",)\n')
    (tmp_path / "test_small.py").write_text(SUITE)
    env = dict(os.environ, PYTHONPATH=str(ROOT), SUMMARY_PG_URL=pg_url or "")
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--rootdir", str(tmp_path),
                           str(tmp_path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_the_closing_line_counts_browser_postgresql_and_property_tests(tmp_path):
    url = os.environ.get("TEST_DATABASE_URL", "")
    pg = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else None
    run = _run(tmp_path, pg)
    assert run.returncode == 0, run.stdout[-2000:]
    lines = run.stdout.splitlines()
    line = next(x for x in lines if x.startswith("suite: "))
    if pg:
        assert line == "suite: 5 tests ran — 1 browser (headless Chromium), 1 PostgreSQL, 1 property (hypothesis)"
    else:
        assert line == ("suite: 5 tests ran — 1 browser (headless Chromium), 0 PostgreSQL, 1 property (hypothesis); "
                        "on SQLite (2 used the database; TEST_DATABASE_URL=postgresql://… for PostgreSQL)")
    assert lines.index(line) == len(lines) - 2  # just above pytest's own "N passed" line
