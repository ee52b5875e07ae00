"""The suite hashes with argon2-cffi's cheapest parameters (tests/conftest.py); a server, and
anything else that imports server.core.passwords without the suite, hashes with the
production defaults (argon2id, RFC 9106 low-memory profile: t=3, m=64 MiB, p=4)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import argon2
from argon2 import profiles
from litestar import Litestar
from litestar.testing import AsyncTestClient

from server.core import passwords
from server.core.passwords import hash_password, verify_password

ROOT = Path(__file__).resolve().parents[3]

# A process of its own, as a server is: it imports the module and hashes, nothing else.
PROBE = """
import asyncio, json
import argon2
from server.core import passwords

async def main():
    made = await passwords.hash_password("a passphrase")
    dummy = passwords.dummy_hash()
    ok = await passwords.verify_password(made, "a passphrase")
    bad = await passwords.verify_password(made, "another")
    return made, dummy, ok, bad

made, dummy, ok, bad = asyncio.run(main())
print(json.dumps({
    "made": str(argon2.extract_parameters(made)),
    "dummy": str(argon2.extract_parameters(dummy)),
    "ok": ok,
    "bad": bad,
}))
"""


def test_a_process_without_the_suite_hashes_with_the_production_defaults() -> None:
    r = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    seen = json.loads(r.stdout.strip().splitlines()[-1])
    production = str(profiles.RFC_9106_LOW_MEMORY)
    assert seen == {"made": production, "dummy": production, "ok": True, "bad": False}
    assert profiles.RFC_9106_LOW_MEMORY.memory_cost == 65536  # 64 MiB, time 3, 4 lanes
    assert profiles.RFC_9106_LOW_MEMORY.time_cost == 3


async def test_the_suite_hashes_cheaply_and_still_checks_production_hashes() -> None:
    made = await hash_password("a passphrase")
    assert argon2.extract_parameters(made) == profiles.CHEAPEST
    assert await verify_password(made, "a passphrase")
    assert not await verify_password(made, "another")
    # a hash made with the defaults (by a server) is checked with its own parameters
    production = argon2.PasswordHasher().hash("a passphrase")
    assert await verify_password(production, "a passphrase")
    assert not await verify_password(production, "another")


async def test_the_server_makes_the_dummy_hash_at_start_up(app: Litestar) -> None:
    # made before the first login, so an unknown e-mail's first check is not the only one
    # that also pays for a hash (it is not made at import: every CLI command would pay)
    passwords.use_parameters(profiles.CHEAPEST)  # forgets the dummy made so far
    assert passwords._DUMMY_HASH is None
    async with AsyncTestClient(app=app):
        assert passwords._DUMMY_HASH is not None
        assert argon2.extract_parameters(passwords._DUMMY_HASH) == profiles.CHEAPEST
