#!/usr/bin/env bash
# The test command (README and .ci/run both call it): bash scripts/test.sh [pytest arguments]
# 1. Chromium, CJK fonts and npm for the browser tests: installed with apt-get when missing (as root;
#    otherwise the one command to run is printed and the script stops) — scripts/_syspkgs.sh.
# 2. axe-core for the accessibility test: `npm ci` in tests/browser/axe when node_modules is
#    missing or package-lock.json changed — scripts/_syspkgs.sh ensure_axe.
# 3. .venv, created and filled from requirements-dev.txt when needed.
# 4. The whole suite, browser tests included: one line per test file, the 15 slowest tests, and a
#    closing line counting the browser, PostgreSQL and property tests. TEST_DATABASE_URL=postgresql://…
#    runs it on PostgreSQL (that database's schema is dropped and rebuilt) instead of a throwaway
#    SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_syspkgs.sh
. scripts/_venv.sh

ensure_system_packages || exit 1
ensure_axe || exit 1
ensure_venv requirements-dev.txt
if [ -n "${TEST_DATABASE_URL:-}" ]; then
    where="$(echo "$TEST_DATABASE_URL" | sed -E 's#//[^@/]*@#//#; s#\?.*##')"  # no password on the console
    echo "running the test suite on PostgreSQL ($where), about 10 minutes on 2 cores" >&2
else
    echo "running the test suite on SQLite (a throwaway file), about 10 minutes on 2 cores" >&2
fi
exec .venv/bin/python -m pytest --durations=15 "$@"
