"""Fresh candidate links kept for the redirect after an invitation (no HTTP).

A candidate's token is stored only as its SHA-256, so a link can be shown only in the
answer that creates it. The pages answer every POST with a redirect, so the links must
survive one more request. The choice made here:

- each link is *sealed* (encrypted and authenticated) with a key derived from the staff
  session's own token, which only that browser's cookie holds (the database keeps the
  session token's hash alone). A database reader, another user and even another session
  of the same user cannot open it;
- the sealed links are stored in ``issued_link`` with the SHA-256 of the issuing session's
  token, a random batch id (in the redirect's URL) and an expiry :data:`KEEP` ahead;
  expired rows are deleted whenever links are stored. Logging out ends the session, and
  the rows can no longer be opened by anyone;
- the cipher is HMAC-SHA256 as a pseudo-random function in counter mode with an
  encrypt-then-MAC tag (standard library only), a 16-byte random nonce per link.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

__all__ = ["KEEP", "new_batch", "open_sealed", "seal"]

KEEP = timedelta(minutes=30)
"""How long the links of one invitation can be shown again (and downloaded as CSV)."""

_NONCE = 16
_TAG = 16


def _key(session_token: str, purpose: bytes) -> bytes:
    return hmac.new(session_token.encode(), b"issued-link/" + purpose, hashlib.sha256).digest()


def _stream(key: bytes, nonce: bytes, size: int) -> bytes:
    out = b""
    n = 0
    while len(out) < size:
        out += hmac.new(key, nonce + n.to_bytes(4, "big"), hashlib.sha256).digest()
        n += 1
    return out[:size]


def new_batch() -> str:
    return secrets.token_hex(16)


def seal(session_token: str, text: str) -> str:
    """``text`` encrypted and authenticated under the session's key, as hex."""
    data = text.encode()
    nonce = secrets.token_bytes(_NONCE)
    body = bytes(
        a ^ b
        for a, b in zip(data, _stream(_key(session_token, b"enc"), nonce, len(data)), strict=True)
    )
    tag = hmac.new(_key(session_token, b"mac"), nonce + body, hashlib.sha256).digest()[:_TAG]
    return (nonce + tag + body).hex()


def open_sealed(session_token: str, sealed: str) -> str | None:
    """The sealed text, or ``None`` when another key sealed it or it was altered."""
    try:
        raw = bytes.fromhex(sealed)
    except ValueError:
        return None
    nonce, tag, body = raw[:_NONCE], raw[_NONCE : _NONCE + _TAG], raw[_NONCE + _TAG :]
    want = hmac.new(_key(session_token, b"mac"), nonce + body, hashlib.sha256).digest()[:_TAG]
    if len(raw) < _NONCE + _TAG or not hmac.compare_digest(tag, want):
        return None
    stream = _stream(_key(session_token, b"enc"), nonce, len(body))
    return bytes(a ^ b for a, b in zip(body, stream, strict=True)).decode()
