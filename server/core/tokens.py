"""Unguessable tokens for sessions and respondent links; only their SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    """256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 of a token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token: str) -> bool:
    """Whether a link's token could be one of ours (43 characters; 20-100 accepted):
    anything else is refused before any database lookup."""
    return 20 <= len(token) <= 100
