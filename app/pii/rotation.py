"""`flask portal rotate-keys`: every protected field re-sealed under a new PII_KEY, in one transaction.

Every sealed value is opened with the current key and sealed again under the new one, every blind
index rebuilt, and `pii_key_state` set to the new key's id, with one audit row — all committed
together or not at all. Afterwards a server configured with the old key is refused before it seals
(app.pii.current_keys) and cannot open a value (its key id no longer matches).
"""

from __future__ import annotations

import secrets

from sqlalchemy import select, update

from ..audit import record
from ..extensions import db
from ..models.pii import PiiKeyState
from . import blind_index, current_keys, keys_from, open_value, protected_fields, seal_value

BATCH = 1000


def new_key() -> str:
    """A fresh PII_KEY (64 hex characters)."""
    return secrets.token_hex(32)


def rotate_keys(new_master_hex: str) -> dict:
    """Re-seal every protected field under `new_master_hex` and make it the database's key; the
    caller (the CLI) then installs the new key. Returns {field: count, 'old': id, 'new': id}."""
    old, new = current_keys(for_writing=True), keys_from(new_master_hex)
    if old.key_id == new.key_id:
        raise ValueError("the new key is the key in use")
    state = db.session.scalar(select(PiiKeyState).where(PiiKeyState.id == 1).with_for_update())
    counts: dict = {}
    for field in protected_fields():
        model = field.model
        sealed_col = getattr(model, field.sealed_attr)
        rows = db.session.execute(select(model.id, sealed_col).where(sealed_col.is_not(None))
                                  .order_by(model.id)).all()
        for start in range(0, len(rows), BATCH):
            chunk = rows[start:start + BATCH]
            values = [(pk, open_value(sealed, field.aad, old)) for pk, sealed in chunk]
            for pk, plain in values:
                db.session.execute(update(model).where(model.id == pk).values({
                    field.sealed_attr: seal_value(plain, field.aad, new),
                    field.index_attr: blind_index(plain, field.namespace, new)}))
        counts[field.aad] = len(rows)
    state.key_id = new.key_id
    record("pii.rotate_keys", "pii_key_state", 1, {"old_key_id": old.key_id, "new_key_id": new.key_id,
                                                    "fields": counts})
    db.session.commit()
    return {**counts, "old": old.key_id, "new": new.key_id}
