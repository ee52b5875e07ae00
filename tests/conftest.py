"""Test set-up: one real database (SQLite by default, PostgreSQL when DATABASE_URL says so).

The same suite runs on both: ``DATABASE_URL=postgresql://... make test`` (see .ci/run).
Tests are isolated by deleting rows before each test, not by transactions (Litestar's test
client runs the app in another event loop).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

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

import pytest  # noqa: E402
from litestar.testing import AsyncTestClient  # noqa: E402

from server.accounts import repository as accounts  # noqa: E402
from server.app import create_app  # noqa: E402
from server.bootstrap import migrate  # noqa: E402
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


@pytest.fixture(scope="session", autouse=True)
async def database() -> AsyncIterator[None]:
    await migrate()
    yield


@pytest.fixture(autouse=True)
async def clean(database: None) -> AsyncIterator[None]:
    for table in TABLES_IN_DELETE_ORDER:
        await table.delete(force=True)
    yield


@pytest.fixture
async def client() -> AsyncIterator[AsyncTestClient]:
    async with AsyncTestClient(app=create_app(get_settings())) as c:
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


@pytest.fixture
async def demo_library() -> None:
    from server.bootstrap import DEMO_LIBRARY, import_file

    await import_file(DEMO_LIBRARY)


@pytest.fixture
async def item_bank(demo_library: None) -> None:
    """The demo SJT item bank, active and keyed by simulated experts."""
    import numpy as np

    from server.demo.hiring import load_item_bank

    await load_item_bank(np.random.default_rng(7))


# Browser tests run separately (`make e2e`): they need Chromium, Playwright and axe-core.
collect_ignore = [] if os.environ.get("E2E") == "1" else ["e2e"]
