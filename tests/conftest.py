"""Test set-up: one real database (SQLite by default, PostgreSQL when DATABASE_URL says so).

The same suite runs on both: ``DATABASE_URL=postgresql://... make test`` (see .ci/run).
Tests are isolated by deleting rows before each test, not by transactions (Litestar's test
client runs the app in another event loop).

``make test`` runs the suite in parallel (pytest-xdist, one worker per core): every worker
is a process with a database of its own, a SQLite file in its own temporary folder or, on
PostgreSQL, ``<the named database>_<worker id>`` (made afresh here, dropped at the end).
Tests that start real servers make further databases of their own (bench/serverproc.py).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_TMP = Path(tempfile.mkdtemp(prefix="engine-tests-"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TMP}/test.db")
os.environ["PICCOLO_CONF"] = "server.piccolo_conf"
os.environ["VAR_DIR"] = str(_TMP / "var")
os.environ["DB_POOL_SIZE"] = "0"
os.environ["LOGIN_DELAY_MS"] = "20"
# tests run a worker where they need one (server.outbox.worker.Worker), so what the
# calendar queues never depends on when a test runs
os.environ["WORKER_IN_SERVE"] = "0"
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
for name in ("ADMIN_EMAIL", "ADMIN_PASSWORD", "DEMO", "HOST", "PORT", "SECURE_COOKIES"):
    os.environ.pop(name, None)


def _worker_database() -> str | None:
    """Under pytest-xdist: this worker's own database (the workers inherit the controller's
    ``DATABASE_URL``). SQLite: the file's name gets the worker id (``test_gw0.db``);
    PostgreSQL: a new database ``<name>_<worker id>``, made here; its server's URL is
    returned (the database is dropped at the end). Once per process: test files import
    this module a second time, as ``tests.conftest``."""
    done = os.environ.get("ENGINE_TESTS_DATABASE_FOR", "").split("|", 1)
    if done[0] == str(os.getpid()):
        return done[1] or None
    made_from = ""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    url = os.environ["DATABASE_URL"]
    parts = urlsplit(url)
    if worker and parts.scheme.lower() in ("postgres", "postgresql"):
        from bench.serverproc import pg_execute

        name = f"{parts.path.lstrip('/') or 'postgres'}_{worker}"
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        asyncio.run(pg_execute(url, drop, f'CREATE DATABASE "{name}"'))
        os.environ["DATABASE_URL"] = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
        made_from = url
    elif worker:
        path = Path(url.removeprefix("sqlite:///"))
        os.environ["DATABASE_URL"] = f"sqlite:///{path.with_stem(f'{path.stem}_{worker}')}"
    os.environ["ENGINE_TESTS_DATABASE_FOR"] = f"{os.getpid()}|{made_from}"
    return made_from or None


_SERVER_URL = _worker_database()  # the URL the worker's database was made from

import argon2  # noqa: E402
import pytest  # noqa: E402
from litestar import Litestar  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402

from server.accounts import repository as accounts  # noqa: E402
from server.app import create_app  # noqa: E402
from server.bootstrap import migrate  # noqa: E402
from server.core import passwords  # noqa: E402
from server.core.db import engine  # noqa: E402
from server.core.passwords import hash_password  # noqa: E402
from server.settings import get_settings  # noqa: E402
from server.tables import (  # noqa: E402
    Answer,
    AnswerEvent,
    AuditEvent,
    BackgroundJob,
    Campaign,
    CampaignForm,
    Candidate,
    Competency,
    CompetencyArea,
    DevelopmentPlan,
    ExpertLink,
    ExpertLinkItem,
    ExpertRating,
    JobAnalysis,
    JobAnalysisCard,
    JobAnalysisCompetency,
    JobAnalysisExpert,
    JobAnalysisRating,
    LibraryVersion,
    LoginThrottle,
    MonitoringAnswer,
    OutboxMessage,
    Rater,
    RaterAnswer,
    RaterAnswerEvent,
    ReliabilitySnapshot,
    Review,
    ReviewRelease,
    ReviewSubject,
    Role,
    RoleCompetency,
    Score,
    SjtForm,
    SjtFormItem,
    SjtItem,
    SjtItemCompetency,
    SjtKey,
    StaffSession,
    StaffUser,
    SubjectRelease,
)
from tests.demo_copy import DemoCopy  # noqa: E402

REVIEW_TABLES = (
    DevelopmentPlan,
    SubjectRelease,
    ReviewRelease,
    RaterAnswerEvent,
    RaterAnswer,
    Rater,
    ReviewSubject,
    Review,
)
SJT_TABLES = (
    MonitoringAnswer,
    AnswerEvent,
    Answer,
    Score,
    Candidate,
    CampaignForm,
    Campaign,
    SjtFormItem,
    SjtForm,
    SjtKey,
    ExpertLinkItem,
    ExpertLink,
    ExpertRating,
    SjtItemCompetency,
    SjtItem,
)
JOB_ANALYSIS_TABLES = (
    LibraryVersion,
    JobAnalysisRating,
    JobAnalysisCard,
    JobAnalysisCompetency,
    JobAnalysisExpert,
    JobAnalysis,
)
TABLES_IN_DELETE_ORDER = (
    OutboxMessage,
    BackgroundJob,
    AuditEvent,
    ReliabilitySnapshot,
    *REVIEW_TABLES,
    *SJT_TABLES,
    *JOB_ANALYSIS_TABLES,
    RoleCompetency,
    Role,
    Competency,
    CompetencyArea,
    StaffSession,
    LoginThrottle,
    StaffUser,
)
PASSWORD = "correct horse battery staple"
# every row of every table, in one script (one transaction, one round trip)
_DELETE_ALL = "".join(f"DELETE FROM {t._meta.tablename};" for t in TABLES_IN_DELETE_ORDER)

# argon2-cffi's cheapest parameters for the passwords hashed and checked in this process
# (a login here took two production-cost hashes, ~0.4 s of CPU); servers started as
# processes keep the defaults, which tests/integration/accounts/test_password_cost.py checks.
passwords.use_parameters(argon2.profiles.CHEAPEST)

# httpx logs every request of the test clients at INFO ("HTTP Request: GET ..."), and
# pytest formats each record it captures: a few per cent of the suite's CPU for lines
# nobody reads (a failing test's own output still shows its requests' answers)
logging.getLogger("httpx").setLevel(logging.WARNING)


@pytest.fixture(scope="session", autouse=True)
async def database() -> AsyncIterator[None]:
    await migrate()
    yield
    if _SERVER_URL is not None:  # this xdist worker's own PostgreSQL database
        from bench.serverproc import pg_execute

        name = urlsplit(os.environ["DATABASE_URL"]).path.lstrip("/")
        await pg_execute(_SERVER_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(autouse=True)
async def clean(database: None) -> AsyncIterator[None]:
    db = get_settings().database
    if db.is_postgres:
        # one simple-protocol script on a connection of its own (no pool in the tests:
        # the test client runs the app in another event loop)
        con = await engine().get_new_connection()  # type: ignore[attr-defined]
        try:
            await con.execute(f"BEGIN;{_DELETE_ALL}COMMIT;")
        finally:
            await con.close()
    else:
        con = sqlite3.connect(db.path, timeout=30, isolation_level=None)
        try:
            con.execute("PRAGMA foreign_keys = 1")
            con.executescript(f"BEGIN IMMEDIATE;{_DELETE_ALL}COMMIT;")
        finally:
            con.close()
    yield


@pytest.fixture(scope="session")
def app() -> Litestar:
    """One application for the session: building one registers every route (~0.4 s of
    CPU). It keeps no state between requests but its settings; each test's client runs
    its start-up and shut-down."""
    return create_app(get_settings())


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=app) as c:
        yield c


async def make_user(role: str, email: str | None = None) -> str:
    email = email or f"{role}@test.example"
    await accounts.create_user(email=email, role=role, password_hash=await hash_password(PASSWORD))
    return email


async def login(client: AsyncTestClient, role: str, email: str | None = None) -> AsyncTestClient:
    email = await make_user(role, email)
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return client


@pytest.fixture
async def admin(client: AsyncTestClient) -> AsyncTestClient:
    return await login(client, "admin")


@pytest.fixture
async def recruiter(client: AsyncTestClient) -> AsyncTestClient:
    return await login(client, "recruiter")


TABLES_IN_INSERT_ORDER = [t._meta.tablename for t in reversed(TABLES_IN_DELETE_ORDER)]
_DEMO_LIBRARY = DemoCopy("demo library", TABLES_IN_INSERT_ORDER)
_ITEM_BANK = DemoCopy("demo item bank", TABLES_IN_INSERT_ORDER, base=_DEMO_LIBRARY)


@pytest.fixture
async def demo_library() -> None:
    """The demo competency library (server/data/library.yaml), as ``import_file`` makes it
    (made once per process and copied: tests/demo_copy.py)."""
    from server.bootstrap import DEMO_LIBRARY, import_file

    await _DEMO_LIBRARY.load(lambda: import_file(DEMO_LIBRARY))


@pytest.fixture
async def item_bank(demo_library: None) -> None:
    """The demo SJT item bank, active and keyed by simulated experts (made once per process
    and copied: tests/demo_copy.py)."""
    import numpy as np

    from server.demo.hiring import load_item_bank

    await _ITEM_BANK.load(lambda: load_item_bank(np.random.default_rng(7)))


# Browser tests run separately (`make e2e`): they need Chromium, Playwright and axe-core.
collect_ignore = [] if os.environ.get("E2E") == "1" else ["e2e"]
