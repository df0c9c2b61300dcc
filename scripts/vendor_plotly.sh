#!/usr/bin/env bash
# How app/vendor/plotly/ was obtained: plotly.js's eval-free "strict" bundle from the npm
# registry, the same plotly.js version the Python plotly package bundles (plotly 7.1.0 → plotly.js
# 4.1.1; tests/test_csp.py fails when they drift apart). Run again after upgrading plotly, with the
# new version and the sha256 of the new file, then update PLOTLY_STRICT_SHA256 in app/charts/assets.py.
#   bash scripts/vendor_plotly.sh [VERSION SHA256]
# The portal never fetches it at run time: the file is committed and served by the portal itself.
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION="${1:-4.1.1}"
SHA256="${2:-4ac841837b31c1bfd2ab140e3a248ddcc6c2106978fbf2c1c18a7aada930a37a}"
PACKAGE="plotly.js-strict-dist-min@${VERSION}"
DEST=app/vendor/plotly
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$PACKAGE" >/dev/null && tar xzf ./*.tgz)
echo "$SHA256  $work/package/plotly-strict.min.js" | sha256sum -c -
head -c 200 "$work/package/plotly-strict.min.js" | grep -q "plotly.js (strict - minified) v${VERSION}"
mkdir -p "$DEST"
cp "$work/package/plotly-strict.min.js" "$work/package/LICENSE" "$DEST/"
echo "vendored $PACKAGE into $DEST (sha256 $SHA256)"
