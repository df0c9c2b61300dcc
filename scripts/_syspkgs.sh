# Sourced by scripts/test.sh: the system packages the browser tests need — Debian's Chromium
# (driven by Playwright, never `playwright install`), CJK fonts (the pages are Chinese) and npm
# (axe-core, the accessibility checker, comes from the npm registry: ensure_axe below).
# Missing ones are installed with apt-get when running as root; otherwise the one command to run
# is printed and the caller stops. PORTAL_CHROMIUM is the browser's path (default
# /usr/bin/chromium; tests/browser/conftest.py reads the same variable).

# Print the Debian packages that are missing, space-separated (nothing when all are there).
missing_system_packages() {
    local chromium="${PORTAL_CHROMIUM:-/usr/bin/chromium}" missing=()
    [ -x "$chromium" ] || missing+=(chromium)
    dpkg-query -W -f='${Status}' fonts-noto-cjk 2>/dev/null | grep -q "ok installed" || missing+=(fonts-noto-cjk)
    # The print tests (issue 19): poppler's pdfinfo/pdffonts/pdftotext/pdftoppm, and LibreOffice
    # headless to render the exported workbooks and documents as they print.
    command -v pdfinfo > /dev/null || missing+=(poppler-utils)
    command -v soffice > /dev/null || missing+=(libreoffice-calc libreoffice-writer)
    # The two-server test (issue 20): Debian's nginx in front of two gunicorn servers.
    [ -x /usr/sbin/nginx ] || command -v nginx > /dev/null || missing+=(nginx)
    # The accessibility test (issue 18): axe-core from npm (Debian's npm brings Node.js).
    command -v npm > /dev/null || missing+=(npm)
    echo "${missing[*]}"
}

# Install what is missing (root), or say what to run and return 1 (anyone else).
ensure_system_packages() {
    local missing log
    missing="$(missing_system_packages)"
    [ -z "$missing" ] && return 0
    if ! command -v apt-get > /dev/null; then
        echo "The browser tests need Chromium and a CJK font, missing here: $missing." >&2
        echo "Install them with the system's package manager (PORTAL_CHROMIUM=/path/to/chromium if it is not /usr/bin/chromium), then run bash scripts/test.sh again." >&2
        return 1
    fi
    if [ "$(id -u)" != 0 ]; then
        echo "The browser tests need system packages that are not installed: $missing." >&2
        echo "Run this once, then run bash scripts/test.sh again:" >&2
        echo "" >&2
        echo "    sudo apt-get install -y $missing" >&2
        echo "" >&2
        return 1
    fi
    echo "installing the system packages the browser tests need: $missing (apt-get, about a minute)" >&2
    log="$(mktemp)"
    # shellcheck disable=SC2086  # one word per package
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "apt-get install $missing failed (the lines above are its last output)." >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    missing="$(missing_system_packages)"
    if [ -n "$missing" ]; then
        echo "still missing after apt-get install: $missing (PORTAL_CHROMIUM=${PORTAL_CHROMIUM:-/usr/bin/chromium})" >&2
        return 1
    fi
}

# axe-core for tests/browser/test_accessibility.py, pinned in tests/browser/axe/package.json and
# package-lock.json: `npm ci` when node_modules is missing or the lock file changed since.
ensure_axe() {
    local dir=tests/browser/axe stamp sum log
    stamp="$dir/node_modules/.installed-package-lock"
    sum="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
    if [ -f "$dir/node_modules/axe-core/axe.min.js" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
        return 0
    fi
    echo "installing axe-core for the accessibility test (npm ci in $dir)" >&2
    log="$(mktemp)"
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) > "$log" 2>&1; then
        tail -n 30 "$log" >&2
        echo "npm ci in $dir failed (the lines above are its last output); the npm registry must be reachable." >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
    echo "$sum" > "$stamp"
}
