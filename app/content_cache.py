"""Bytes kept by the digest of everything they are made from: a drawn chart, a generated
document. Two levels — a bounded dict in the process, then Redis (REDIS_URL) shared by every
worker and app server — and never stale: the key is the SHA-256 of the whole input (figures,
texts) and of what makes the bytes (the generator's source files, its libraries' versions, the
interface's translations: `made_by`), so a changed figure or a new release is a new key.
Without Redis, or with Redis away, the bytes are built; a cache never fails a download."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

TTL = 7 * 24 * 3600
_clients: dict[str, object] = {}


def shared_client():
    """The Redis client of REDIS_URL (one per process), or None without Redis or an app."""
    from flask import current_app, has_app_context

    url = current_app.config.get("REDIS_URL") if has_app_context() else None
    if not url:
        return None
    if url not in _clients:
        import redis

        _clients[url] = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    return _clients[url]


TRANSLATIONS = sorted((Path(__file__).parent / "translations").glob("*/LC_MESSAGES/messages.mo"))


def made_by(*files: str | Path, packages: tuple[str, ...] = ()) -> str:
    """The digest of what makes some bytes: source files, the installed versions of `packages`
    and the translation catalogues (a document's headings are translated)."""
    h = hashlib.sha256()
    for f in (*files, *TRANSLATIONS):
        h.update(Path(f).read_bytes())
    for name in packages:
        h.update(f"{name}={version(name)}".encode())
    return h.hexdigest()


class ContentCache:
    """`get(material, build)`: the bytes `build()` makes from `material` (a text holding the
    whole input), kept under `prefix` + the digest of `made_by` and the material."""

    def __init__(self, prefix: str, made_by: str, max_local: int = 64, ttl: int = TTL) -> None:
        self.prefix, self.made_by, self.max_local, self.ttl = prefix, made_by, max_local, ttl
        self.local: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()  # a threaded worker (gthread) shares `local` between requests

    def get(self, material: str, build: Callable[[], bytes]) -> bytes:
        digest = hashlib.sha256(f"{self.made_by}|{material}".encode()).hexdigest()
        with self._lock:
            found = self.local.get(digest)
            if found is not None:
                self.local.move_to_end(digest)
                return found
        client = shared_client()
        found = self._shared_get(client, digest) if client is not None else None
        if found is None:
            found = build()
            if client is not None:
                self._shared_put(client, digest, found)
        with self._lock:
            self.local[digest] = found
            while len(self.local) > self.max_local:
                self.local.popitem(last=False)
        return found

    def _shared_get(self, client, digest: str) -> bytes | None:
        try:
            return client.get(self.prefix + digest)
        except Exception:  # noqa: BLE001 — Redis away: build, never fail the download
            return None

    def _shared_put(self, client, digest: str, data: bytes) -> None:
        try:
            client.set(self.prefix + digest, data, ex=self.ttl)
        except Exception:  # noqa: BLE001 — as above: the cache is an optimisation
            pass
