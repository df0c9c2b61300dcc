#!/usr/bin/env bash
# Translations: bash scripts/i18n.sh — extract → update → compile, for en and zh.
#
# Our msgids are Chinese (the UI is Chinese first):
#   app/translations/en  translates every msgid of ours (babel.cfg: app/**.py, app/templates/**.html);
#   app/translations/zh  fills the English strings that FAB's Chinese catalog lacks (missing, fuzzy or
#                        left in English): FAB's own, and the few English msgids of ours (FAB's words in
#                        our overrides, e.g. Cancel/OK); FAB loads our catalogs after its own, so ours win.
# New msgids arrive with an empty msgstr (and, in en, possibly a fuzzy guess): translate them in the
# .po files, then run this again. The compiled .mo files are committed; the portal never compiles at
# run time. tests/test_i18n.py fails on an untranslated, fuzzy or stale entry.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/_venv.sh
ensure_venv requirements.txt

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
pybabel=.venv/bin/pybabel
common=(--no-wrap)

# 1. Extract ours. N_ marks msgids that are data elsewhere (see app/i18n.py); it is a default keyword, as
#    are gettext, _ and pgettext (msgctxt "plural": 单位 → Units where 单位 alone is Unit).
"$pybabel" -q extract -F babel.cfg -k lazy_gettext -k _l -k lazy_pgettext:1c,2 "${common[@]}" --add-location=file \
    --project="法制统计" --copyright-holder="法制统计" -o "$tmp/messages.pot" .

# 2. Extract FAB's msgids; with our English ones, keep those FAB's zh catalog does not translate into Chinese.
.venv/bin/python - "$tmp/messages.pot" "$tmp/fab-zh.pot" <<'PY'
import os
import re
import sys

import flask_appbuilder
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po

fab = os.path.dirname(flask_appbuilder.__file__)
keywords = dict(DEFAULT_KEYWORDS, lazy_gettext=None, lazy_formatter_gettext=None, __=None)
method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
options_map = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
with open(os.path.join(fab, "translations", "zh", "LC_MESSAGES", "messages.mo"), "rb") as fh:
    fab_zh = read_mo(fh)


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def chinese(text) -> bool:
    texts = text if isinstance(text, tuple) else (text,)
    return all(t and CJK.search(t) for t in texts)


def english(msgid: str) -> bool:
    """Words in Latin letters (placeholders aside) and no Chinese at all."""
    return not CJK.search(msgid) and re.search(r"[A-Za-z]", re.sub(r"%\([^)]*\)[a-z]", "", msgid)) is not None


pot = Catalog(project="Flask-AppBuilder (missing zh)", version=flask_appbuilder.__version__)
found = [(message, "flask_appbuilder/" + filename, context) for filename, _lineno, message, _comments, context
         in extract_from_dir(fab, method_map, options_map, keywords=keywords)]
with open(sys.argv[1], "rb") as fh:  # ours: only the English msgids need a Chinese translation
    found += [(m.id, m.locations[0][0], m.context) for m in read_po(fh) if m.id and english(m.id)]
for message, location, context in found:
    msgid = message if isinstance(message, str) else message[0]
    if not msgid:
        continue
    known = fab_zh.get(msgid)
    if known is None or not chinese(known.string):
        pot.add(message, None, [(location, None)], context=context)
with open(sys.argv[2], "wb") as fh:
    write_po(fh, pot, width=0, include_lineno=False)
print(f"English msgids without a Chinese translation in FAB's zh catalog: {len(pot)}")
PY

# 3. Update (creating a catalog when missing); messages gone from the sources are dropped.
"$pybabel" update -i "$tmp/messages.pot" -d app/translations -l en --init-missing --ignore-obsolete "${common[@]}"
"$pybabel" update -i "$tmp/fab-zh.pot" -d app/translations -l zh --init-missing --ignore-obsolete "${common[@]}"

# 4. Compile (fuzzy entries are left out, as at run time they would be).
"$pybabel" compile -d app/translations --statistics
