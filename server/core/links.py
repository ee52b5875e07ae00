"""Respondent links that can be sent again: the token is derived, never stored.

A link's token is ``HMAC-SHA256(SECRET_KEY, "link/<purpose>/<nonce>")`` in URL-safe base64
(43 characters, 256 bits). The database keeps the nonce and the token's SHA-256 (as
before, the hash is what a request is looked up by), so:

- a reminder carries the link the person already has (derived again from the nonce);
- a database reader without ``SECRET_KEY`` cannot make a working link from the nonce;
- re-issuing a link is a new nonce: the old token's hash no longer matches anything.

Rows written before links were derived have no nonce; their links cannot be sent again
(the message says so, and staff issue a new link).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from server.core.tokens import token_hash

__all__ = ["derive", "new_link"]


def derive(secret_key: str, purpose: str, nonce: str) -> str:
    """The token of the link ``purpose`` (``take``, ``rate``, ``nominate``) with ``nonce``."""
    if not nonce:
        raise ValueError("nonce: empty (a link issued before links could be sent again)")
    mac = hmac.new(secret_key.encode(), f"link/{purpose}/{nonce}".encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def new_link(secret_key: str, purpose: str) -> tuple[str, str, str]:
    """A fresh ``(nonce, token, token hash)`` for a link of ``purpose``."""
    nonce = secrets.token_hex(16)
    token = derive(secret_key, purpose, nonce)
    return nonce, token, token_hash(token)
