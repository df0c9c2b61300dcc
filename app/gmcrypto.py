"""The national algorithms the portal uses (GB/T 32905 SM3, GB/T 32907 SM4), from `cryptography`.

Nothing here is hand-written cryptography: SM3, HMAC-SM3 and SM4 in GCM mode (RFC 8998) come from
the OpenSSL that `cryptography` ships with. This module only fixes how the portal calls them:
digests as hex, keys derived per purpose, and one sealed format for protected values:

    <scheme>:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>

`sm4gcm` is the only scheme; the key id (16 hex) names the key that sealed the value, so that a value
sealed under another key is refused with a clear message instead of a decryption error.
"""

from __future__ import annotations

import base64
import hashlib
import hmac as std_hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as c_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

SCHEME = "sm4gcm"
NONCE_BYTES = 12
TAG_BYTES = 16


class SealError(ValueError):
    """A sealed value that cannot be opened: another key, another scheme, or tampered."""


def sm3_hex(data: bytes) -> str:
    """SM3 digest (GB/T 32905), hex."""
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()


def hmac_sm3(key: bytes, data: bytes) -> bytes:
    """HMAC-SM3 of `data` under `key` (raw bytes)."""
    m = c_hmac.HMAC(key, hashes.SM3())
    m.update(data)
    return m.finalize()


def hmac_digest(scheme: str, key: bytes, data: bytes) -> bytes:
    """HMAC under the named scheme: 'hmac-sm3' (the national algorithm) or 'hmac-sha256'."""
    if scheme == "hmac-sm3":
        return hmac_sm3(key, data)
    if scheme == "hmac-sha256":
        return std_hmac.new(key, data, hashlib.sha256).digest()
    raise ValueError(f"unknown MAC scheme {scheme!r}")


def derive(master: bytes, purpose: bytes, length: int = 32) -> bytes:
    """A key for one purpose, HMAC-SM3(master, purpose), so that no key serves two purposes."""
    return hmac_sm3(master, purpose)[:length]


def sm4_gcm_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes = b"") -> tuple[bytes, bytes]:
    """SM4-GCM encryption: (ciphertext, 16-byte tag)."""
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    if aad:
        enc.authenticate_additional_data(aad)
    ct = enc.update(plaintext) + enc.finalize()
    return ct, enc.tag


def sm4_gcm_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, tag: bytes, aad: bytes = b"") -> bytes:
    """SM4-GCM decryption; raises InvalidTag when the key, the data or the AAD do not match."""
    dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    if aad:
        dec.authenticate_additional_data(aad)
    return dec.update(ciphertext) + dec.finalize()


def seal(key: bytes, key_id: str, plaintext: str, aad: bytes) -> str:
    """Encrypt `plaintext` with SM4-GCM under `key` (a fresh random nonce), bound to `aad`."""
    nonce = os.urandom(NONCE_BYTES)
    ct, tag = sm4_gcm_encrypt(key, nonce, plaintext.encode("utf-8"), aad)
    return f"{SCHEME}:{key_id}:" + base64.urlsafe_b64encode(nonce + ct + tag).decode("ascii")


def sealed_key_id(sealed: str) -> str:
    """The key id a sealed value names (SealError if it is not a sealed value)."""
    parts = sealed.split(":", 2)
    if len(parts) != 3 or parts[0] != SCHEME:
        raise SealError("not a sealed value")
    return parts[1]


def open_sealed(key: bytes, key_id: str, sealed: str, aad: bytes) -> str:
    """Decrypt a value `seal` produced; SealError when it was sealed under another key or altered."""
    if sealed_key_id(sealed) != key_id:
        raise SealError(f"sealed under key {sealed_key_id(sealed)}, not the configured key {key_id}")
    raw = base64.urlsafe_b64decode(sealed.split(":", 2)[2])
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    try:
        return sm4_gcm_decrypt(key, nonce, body, tag, aad).decode("utf-8")
    except InvalidTag:
        raise SealError("the sealed value does not authenticate (altered, or another field's)") from None


class StreamSealer:
    """SM4-GCM over a stream (backups): feed chunks, then `finish()` returns the tag."""

    def __init__(self, key: bytes, nonce: bytes, decrypt_tag: bytes | None = None):
        mode = modes.GCM(nonce, decrypt_tag) if decrypt_tag is not None else modes.GCM(nonce)
        cipher = Cipher(algorithms.SM4(key), mode)
        self._ctx = cipher.decryptor() if decrypt_tag is not None else cipher.encryptor()
        self._decrypting = decrypt_tag is not None

    def authenticate(self, aad: bytes) -> None:
        """Bind `aad` (a file header, say) to the stream; before the first chunk."""
        self._ctx.authenticate_additional_data(aad)

    def update(self, chunk: bytes) -> bytes:
        """Process one chunk."""
        return self._ctx.update(chunk)

    def finish(self) -> bytes:
        """Finish: the tag when encrypting; when decrypting, b'' or SealError if the tag fails."""
        try:
            tail = self._ctx.finalize()
        except InvalidTag:
            raise SealError("the encrypted file does not authenticate (another key, or altered)") from None
        assert tail == b""  # GCM is a stream mode: nothing is held back
        return b"" if self._decrypting else self._ctx.tag
