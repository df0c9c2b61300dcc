#!/usr/bin/env bash
# The test command (README and .ci/run both call it): bash scripts/test.sh [pytest arguments]
# Uses .venv (created and filled from requirements-dev.txt when needed), then runs the whole suite,
# browser tests included (Debian's /usr/bin/chromium). TEST_DATABASE_URL=postgresql://… runs it
# on PostgreSQL instead of a throwaway SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements-dev.txt
exec .venv/bin/python -m pytest -q "$@"
