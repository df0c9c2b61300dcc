"""Personal information protected at rest: citizen ids sealed with SM4-GCM, found by a blind index.

One mechanism for every protected field (the staff register's 身份证号 now; case registers'
applicants and plaintiffs as they come): a model declares the field with `protected_field`, which
gives it

- a sealed column (`<name>_sealed`: SM4-GCM under PII_KEY, see app/gmcrypto.py) and an index column
  (`<name>_index`: HMAC-SM3 of the normalised value, unique where the field is unique);
- a Python attribute `<name>` that seals on assignment and opens on reading, so forms, imports and
  the ORM constructor keep working with plain values;
- SQL equality on that attribute: `Model.citizen_id == "110…"` and `Model.citizen_id.in_([...])`
  compare blind indexes, so uniqueness checks and exact-match search need no plaintext in the
  database. Nothing else (LIKE, ordering) is possible on a protected field, by design.

The key (PII_KEY: 64 hex characters, from the environment or instance/pii_key like SECRET_KEY) is
never stored in the database; the database keeps only the id of the key in use (`pii_key_state`),
so that after `flask portal rotate-keys` a server still configured with the old key is refused
before it writes (and cannot open what the new key sealed).

Showing a value whole is a disclosure: `app.pii.disclosure.disclose` writes the audit row.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.sql import operators

from ..gmcrypto import SealError, derive, hmac_sm3, open_sealed, seal

__all__ = ["PiiKeys", "PiiKeyRefused", "SealError", "blind_index", "current_keys", "keys_from",
           "protected_field", "PROTECTED", "seal_value", "open_value", "seal_columns"]


class PiiKeyRefused(RuntimeError):
    """The configured PII_KEY is not the key the database is sealed under (rotated, or wrong)."""


@dataclass(frozen=True)
class PiiKeys:
    """The keys derived from one PII_KEY: SM4 for sealing, HMAC-SM3 for the blind index."""

    key_id: str
    seal_key: bytes
    index_key: bytes


def keys_from(master_hex: str) -> PiiKeys:
    """Derive the sealing and index keys (and the key's public id) from a PII_KEY."""
    try:
        master = bytes.fromhex(master_hex)
    except (TypeError, ValueError):
        raise PiiKeyRefused("PII_KEY must be hex (e.g. `openssl rand -hex 32`)") from None
    if len(master) < 16:
        raise PiiKeyRefused("PII_KEY must be at least 32 hex characters")
    return PiiKeys(key_id=derive(master, b"portal pii key id v1").hex()[:16],
                   seal_key=derive(master, b"portal pii sm4 v1", 16),
                   index_key=derive(master, b"portal pii blind index v1"))


def _configured() -> PiiKeys:
    master = current_app.config.get("PII_KEY")
    if not master:
        raise PiiKeyRefused("PII_KEY is not configured: personal information cannot be sealed or opened")
    cache = current_app.extensions.setdefault("pii_keys", {})
    if master not in cache:
        cache.clear()
        cache[master] = keys_from(master)
    return cache[master]


def _state_key_id(session) -> str | None:
    from ..models.pii import PiiKeyState

    return session.scalar(select(PiiKeyState.key_id).where(PiiKeyState.id == 1))


def current_keys(for_writing: bool = False) -> PiiKeys:
    """The configured keys. For writing, checked against the database's key id (one small query),
    which is recorded on first use: a server left on a rotated-out key is refused before it seals."""
    keys = _configured()
    if for_writing:
        from ..extensions import db
        from ..models.pii import PiiKeyState

        in_use = _state_key_id(db.session)
        if in_use is None:
            try:
                with db.session.begin_nested():
                    db.session.add(PiiKeyState(id=1, key_id=keys.key_id))
            except IntegrityError:  # another process recorded it first
                in_use = _state_key_id(db.session)
            else:
                in_use = keys.key_id
        if in_use != keys.key_id:
            raise PiiKeyRefused(
                f"配置的个人信息密钥（{keys.key_id}）不是数据库当前使用的密钥（{in_use}）：密钥可能已轮换，"
                "请使用新密钥（PII_KEY）")
    return keys


def normalise(value: str) -> str:
    """The canonical text of an id: no surrounding space, upper-case check letter."""
    return (value or "").strip().upper()


def blind_index(value: str, namespace: str = "citizen_id", keys: PiiKeys | None = None) -> str:
    """HMAC-SM3 of the normalised value under the index key, hex: equal values, equal indexes."""
    keys = keys or _configured()
    return hmac_sm3(keys.index_key, namespace.encode() + b"\x00" + normalise(value).encode()).hex()


def seal_value(value: str, aad: str, keys: PiiKeys | None = None) -> str:
    """Seal one value (SM4-GCM) bound to its field (`aad`, e.g. 'staff_member.citizen_id')."""
    keys = keys or current_keys(for_writing=True)
    return seal(keys.seal_key, keys.key_id, normalise(value), aad.encode())


def open_value(sealed: str | None, aad: str, keys: PiiKeys | None = None) -> str | None:
    """Open a sealed value; SealError names the key mismatch or the tampering."""
    if sealed is None:
        return None
    keys = keys or _configured()
    return open_sealed(keys.seal_key, keys.key_id, sealed, aad.encode())


@dataclass(frozen=True)
class ProtectedField:
    """A model's protected field: where its sealed text and index live, and its index namespace."""

    model: type
    name: str
    namespace: str

    @property
    def sealed_attr(self) -> str:
        return f"{self.name}_sealed"

    @property
    def index_attr(self) -> str:
        return f"{self.name}_index"

    @property
    def aad(self) -> str:
        return f"{self.model.__tablename__}.{self.name}"


PROTECTED: list[ProtectedField] = []


def seal_columns(field: ProtectedField, value: str | None, keys: PiiKeys | None = None) -> dict:
    """The column values for `value` (sealed text and index), for bulk inserts and updates."""
    if value is None:
        return {field.sealed_attr: None, field.index_attr: None}
    keys = keys or current_keys(for_writing=True)
    return {field.sealed_attr: seal_value(value, field.aad, keys),
            field.index_attr: blind_index(value, field.namespace, keys)}


class _IndexComparator(Comparator):
    """SQL on a protected field: = and IN compare blind indexes; nothing else is offered."""

    def __init__(self, index_column, namespace: str):
        super().__init__(index_column)
        self.namespace = namespace

    def operate(self, op, *other, **kwargs):
        col = self.expression
        if op is operators.eq:
            return col == blind_index(other[0], self.namespace)
        if op is operators.ne:
            return col != blind_index(other[0], self.namespace)
        if op is operators.in_op:
            return col.in_([blind_index(v, self.namespace) for v in other[0]])
        raise NotImplementedError("a protected field can only be compared for equality (blind index)")


def protected_field(model_name: str, name: str, namespace: str = "citizen_id") -> hybrid_property:
    """The attribute for a protected field of `model_name` (the model must define the columns
    `<name>_sealed` (Text) and `<name>_index` (String(64))); registers the field for rotation."""
    sealed_attr, index_attr = f"{name}_sealed", f"{name}_index"
    aad_holder: dict = {}

    def _field(cls) -> ProtectedField:
        if "field" not in aad_holder:
            aad_holder["field"] = ProtectedField(cls, name, namespace)
        return aad_holder["field"]

    def getter(self):
        return open_value(getattr(self, sealed_attr), _field(type(self)).aad)

    def setter(self, value):
        for attr, v in seal_columns(_field(type(self)), value).items():
            setattr(self, attr, v)

    def comparator(cls):
        return _IndexComparator(getattr(cls, index_attr), namespace)

    prop = hybrid_property(getter, setter, custom_comparator=comparator)
    PROTECTED.append(_LazyField(model_name, name, namespace))
    return prop


class _LazyField:
    """A registry entry resolved to its model once the models are mapped."""

    def __init__(self, model_name: str, name: str, namespace: str):
        self.model_name, self.name, self.namespace = model_name, name, namespace

    def resolve(self) -> ProtectedField:
        from flask_appbuilder import Model

        for mapper in Model.registry.mappers:
            if mapper.class_.__name__ == self.model_name:
                return ProtectedField(mapper.class_, self.name, self.namespace)
        raise LookupError(self.model_name)


def protected_fields() -> list[ProtectedField]:
    """Every protected field of every model (for rotation and retention)."""
    return [f.resolve() for f in PROTECTED]
