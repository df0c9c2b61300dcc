# Sourced by the scripts in this folder: make sure .venv exists and holds the pinned packages of
# the requirements file given as $1. Reinstalls only when that file (or one it includes) changed.
ensure_venv() {
    local req="$1" python="${PYTHON:-python3}" stamp sum
    if [ ! -x .venv/bin/python ]; then
        echo "creating .venv with $("$python" --version 2>&1)" >&2
        "$python" -m venv .venv
    fi
    stamp=".venv/.installed-$(basename "$req")"
    sum="$(cat "$req" requirements.txt | sha256sum | cut -d' ' -f1)"
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$sum" ]; then
        echo "installing $req into .venv" >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$req"
        echo "$sum" > "$stamp"
    fi
}
