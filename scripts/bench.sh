#!/usr/bin/env bash
# The benchmarks: bash scripts/bench.sh [--quick] [--database-url URL]   (see bench/README.md)
# Uses .venv (created and filled from requirements.txt when needed), then runs bench/run.py; its
# last line of output is one JSON object with report_vs_sql, export_vs_xlsxwriter, list_vs_bare_fab.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements.txt
exec .venv/bin/python bench/run.py "$@"
