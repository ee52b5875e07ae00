"""Password hashing with argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).

The test suite swaps in argon2-cffi's cheapest parameters for its own process only
(``use_parameters``, called by tests/conftest.py), as Django's tests use a fast hasher;
nothing reads it from the environment, so every server process uses the defaults.
"""

from __future__ import annotations

import threading

import anyio.to_thread
from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id

# Verified against when the e-mail is unknown, so both cases take the same time. Made by
# dummy_hash, which the server calls at start-up (server.app), not at import: a hash takes
# tens of ms, which every process importing the app (each CLI command) would pay.
_DUMMY_HASH: str | None = None


def dummy_hash() -> str:
    """The hash an unknown e-mail's password is checked against (made once per process)."""
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = _hasher.hash("not a password of anyone")
    return _DUMMY_HASH


def use_parameters(parameters: Parameters) -> None:
    """Hash (and check the dummy) with these argon2 parameters from now on, in this process.

    For the test suite only (argon2-cffi's ``profiles.CHEAPEST``); a server never calls it.
    Hashes made before keep verifying: argon2 reads the parameters from each hash.
    """
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher.from_parameters(parameters)
    _DUMMY_HASH = None


# Password checks at once in this process: each argon2id check takes its memory cost
# (tens of MiB) for tens of ms, so a flood of logins waits in turn instead of exhausting
# memory and the event loop's threads.
HASHING_SLOTS = 4
_HASHING = threading.BoundedSemaphore(HASHING_SLOTS)


async def hash_password(password: str) -> str:
    def hashed() -> str:
        with _HASHING:
            return _hasher.hash(password)

    return await anyio.to_thread.run_sync(hashed)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; ``None`` hashes are checked against a dummy."""

    def verify() -> bool:
        with _HASHING:
            try:
                return _hasher.verify(password_hash or dummy_hash(), password) and bool(
                    password_hash
                )
            except (VerificationError, InvalidHashError):
                return False

    return await anyio.to_thread.run_sync(verify)
