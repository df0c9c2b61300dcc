#!/usr/bin/env bash
# The demo command: bash scripts/demo.sh [--host H] [--port P]
# Uses .venv (created and filled from requirements.txt when needed), migrates the database
# (instance/app.db unless DATABASE_URL is set), loads units, roles, demo accounts and figures,
# and serves the portal on http://127.0.0.1:5000/ (development server).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements.txt
exec .venv/bin/python run.py --demo "$@"
