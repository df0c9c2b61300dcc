"""The suite's closing line: how many browser, PostgreSQL and property tests ran (hooks used by
tests/conftest.py).

- browser: the test drives headless Chromium (it uses the `browser` fixture, tests/browser/);
- PostgreSQL: the test itself ran SQL on PostgreSQL (setup or call; the cleanup after every test
  does not count) — 0 on a SQLite run;
- property: a hypothesis test (`@given`).
"""

from __future__ import annotations

import pytest

_state: dict = {"current": None, "sql": {}, "items": []}  # nodeid of the running phase; nodeid → dialects used


def _on_sql(conn, cursor, statement, parameters, context, executemany) -> None:
    if _state["current"] is not None:
        _state["sql"].setdefault(_state["current"], set()).add(conn.dialect.name)


def pytest_configure(config) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "before_cursor_execute", _on_sql):
        event.listen(Engine, "before_cursor_execute", _on_sql)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    _state["current"] = item.nodeid
    try:
        return (yield)
    finally:
        _state["current"] = None


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    _state["current"] = item.nodeid
    try:
        return (yield)
    finally:
        _state["current"] = None


def kinds_of(item) -> set[str]:
    """Which of the counted kinds a collected test is, apart from PostgreSQL (known once it ran)."""
    kinds = set()
    if "browser" in getattr(item, "fixturenames", ()):
        kinds.add("browser")
    if getattr(getattr(item, "obj", None), "is_hypothesis_test", False):
        kinds.add("property")
    return kinds


def summary_line(items, stats: dict, sql: dict) -> str:
    """'suite: N tests ran — B browser (headless Chromium), P PostgreSQL, H property (hypothesis); …'."""
    ran = set()
    for key in ("passed", "failed", "error", "xfailed", "xpassed"):
        ran.update(getattr(r, "nodeid", None) for r in stats.get(key, ()))
    tests = [i for i in items if i.nodeid in ran]
    browser = sum("browser" in kinds_of(i) for i in tests)
    prop = sum("property" in kinds_of(i) for i in tests)
    pg = sum("postgresql" in sql.get(i.nodeid, ()) for i in tests)
    sqlite = sum("sqlite" in sql.get(i.nodeid, ()) for i in tests)
    line = (f"suite: {len(tests)} tests ran — {browser} browser (headless Chromium), {pg} PostgreSQL, "
            f"{prop} property (hypothesis)")
    if not pg:
        line += f"; on SQLite ({sqlite} used the database; TEST_DATABASE_URL=postgresql://… for PostgreSQL)"
    return line


def pytest_collection_finish(session) -> None:
    _state["items"] = list(session.items)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    terminalreporter.write_line(summary_line(_state["items"], terminalreporter.stats, _state["sql"]), bold=True)
