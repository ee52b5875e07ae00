"""Start-up work shared by the CLI and the tests: migrate, admin account, demo data."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import io
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from piccolo.apps.migrations.commands.forwards import run_forwards

from server.accounts import repository as accounts
from server.core.db import engine
from server.core.passwords import hash_password, verify_password
from server.demo import hiring as demo
from server.demo import job_analysis as demo_study
from server.demo import reviews as demo360
from server.library import repository as library_repo
from server.library.convert import library_from_document
from server.library.io import parse_document
from server.library.repository import ImportCounts
from server.settings import Settings

DEMO_LIBRARY = Path(__file__).parent / "data" / "library.yaml"
DEMO_ROLES = ("admin", "recruiter", "coach")
_ALPHABET = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Login:
    email: str
    password: str
    role: str


async def migrate(*, quiet: bool = True) -> None:
    """Run every migration not yet applied (``piccolo migrations forwards all``), holding
    the set-up lock (``assess migrate`` and a starting server may run at once)."""
    async with setup_lock():
        await _migrate(quiet=quiet)


async def _migrate(*, quiet: bool = True) -> None:
    if engine().engine_type == "sqlite":
        # readers no longer wait for a writer; the setting stays with the database file
        await engine().run_ddl("PRAGMA journal_mode=WAL")
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        result = await run_forwards("all")
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}\n{out.getvalue()}")


# one number for every engine process: "the set-up of this database is being done"
SETUP_LOCK_KEY = 7_311_984_202


@asynccontextmanager
async def setup_lock() -> AsyncIterator[None]:
    """Hold the database's set-up lock: two servers starting at once on an empty database
    take turns to migrate and seed it (the second finds it done).

    PostgreSQL: a session advisory lock on one connection held for the duration.
    SQLite: ``flock`` on ``<database file>.setup-lock`` next to the file.
    """
    if engine().engine_type == "postgres":
        # type-ignore reason: Engine does not declare its subclasses' members
        con = await engine().get_new_connection()  # type: ignore[attr-defined]
        try:
            await con.execute("SELECT pg_advisory_lock($1)", SETUP_LOCK_KEY)
            try:
                yield
            finally:
                await con.execute("SELECT pg_advisory_unlock($1)", SETUP_LOCK_KEY)
        finally:
            await con.close()
        return
    # type-ignore reason: Engine does not declare its subclasses' members
    path = Path(engine().connection_kwargs["database"])  # type: ignore[attr-defined]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(f"{path}.setup-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


async def import_file(path: Path) -> ImportCounts:
    """Import a JSON or YAML library file (YAML is a superset of JSON)."""
    doc = parse_document(path.read_bytes(), "application/yaml")
    return await library_repo.import_library(library_from_document(doc))


async def ensure_admin(settings: Settings) -> None:
    """Create or update the admin named by ``ADMIN_EMAIL`` / ``ADMIN_PASSWORD``."""
    if not settings.admin_email:
        return
    if not settings.admin_password:
        raise SystemExit("ADMIN_EMAIL is set but ADMIN_PASSWORD is empty")
    await accounts.upsert_admin(settings.admin_email, await hash_password(settings.admin_password))


def _read_logins(path: Path) -> list[Login]:
    logins = []
    for line in path.read_text().splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            role, email, password = parts
            logins.append(Login(email, password, role))
    return logins


async def _matches(login: Login) -> bool:
    """Whether the database has this demo account, active, with this password."""
    found = await accounts.credentials(login.email)
    return found is not None and found[2] and await verify_password(found[1], login.password)


def _write_logins(path: Path, logins: list[Login]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("".join(f"{x.role}\t{x.email}\t{x.password}\n" for x in logins))


async def demo_logins(settings: Settings) -> list[Login]:
    """Demo accounts (one per role) with random passwords, kept in ``var/demo-logins.txt``.

    The file follows the database: a login is printed only while the database has that
    account with that password. When the database has no staff account besides the
    configured admin (a new database, or ``var/engine.db`` deleted to start again), the
    demo accounts are created and the file is written anew; a file that no longer matches
    is rewritten with the logins that still work, or removed when none does.
    """
    path = settings.var_dir / "demo-logins.txt"
    listed = _read_logins(path) if path.exists() else []
    valid = [x for x in listed if await _matches(x)]
    if valid and len(valid) == len(listed):
        return valid
    if await accounts.count_users() <= (1 if settings.admin_email else 0):
        made: list[Login] = []
        for role in DEMO_ROLES:
            email = f"{role}@example.com"
            if email == settings.admin_email or await accounts.credentials(email) is not None:
                continue
            password = "".join(secrets.choice(_ALPHABET) for _ in range(16))
            await accounts.create_user(
                email=email,
                role=role,
                name=f"Demo {role}",
                password_hash=await hash_password(password),
            )
            made.append(Login(email, password, role))
        if made:
            _write_logins(path, made)
            return made
    if valid:
        _write_logins(path, valid)
    elif path.exists():
        path.unlink()
    return valid


async def prepare(settings: Settings) -> list[Login]:
    """Migrate, ensure the admin, and with ``DEMO=1`` fill an empty database with demo data.

    Returns the demo logins to print (empty when there are none). Holds the set-up lock
    (``setup_lock``) throughout, so servers starting at once do this one after the other.
    """
    async with setup_lock():
        return await _prepare(settings)


async def _prepare(settings: Settings) -> list[Login]:
    await _migrate()
    await ensure_admin(settings)
    if not settings.demo:
        return []
    if await library_repo.is_empty():
        # demo data only ever goes into an empty database (``assess demo`` adds it later)
        await import_file(DEMO_LIBRARY)
        logins = await demo_logins(settings)
        # the role's flags come from a finished job-analysis study; the SJT and the 360
        # are built from them
        await demo_study.load(np.random.default_rng(17))
        await demo.load(settings.var_dir)
        await demo360.load(np.random.default_rng(360))
        return logins
    return await demo_logins(settings)
