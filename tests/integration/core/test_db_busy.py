"""A busy database answers 503 with ``Retry-After`` and changes nothing (never a 500).

SQLite: another connection holds the file's write lock (a real lock on the real file) while
the server saves an answer (its writer thread) or starts a test (Piccolo); each waits its
busy timeout (shortened here), gives up and answers 503. PostgreSQL: real errors of a busy
server (a lock not available, a serialization failure) count as busy, others do not.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from server.core import db
from server.core.errors import is_busy
from server.tables import Answer, AnswerEvent, Candidate
from tests.integration.respondent.test_respond import first_item, invited

pytestmark = pytest.mark.usefixtures("item_bank")

ON_POSTGRES = db.is_postgres()
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's file lock")
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's errors")


@pytest.fixture
async def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """The server gives up on a locked file after 0.3 s instead of its usual wait."""
    db.close_lines()
    monkeypatch.setattr(db, "BUSY_TIMEOUT_SECONDS", 0.3)
    kwargs: dict[str, Any] = db.engine().connection_kwargs  # type: ignore[attr-defined]
    monkeypatch.setitem(kwargs, "timeout", 0.3)
    yield
    db.close_lines()  # the next test's line connects with the usual timeout


@contextmanager
def file_locked() -> Iterator[None]:
    """Another connection holds the SQLite file's write lock."""
    path = db.engine().connection_kwargs["database"]  # type: ignore[attr-defined]
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()


def assert_busy(r: Any) -> None:
    assert r.status_code == 503, r.text
    assert r.headers["retry-after"] == "1"
    assert "busy" in r.json()["detail"]


@sqlite_only
@pytest.mark.usefixtures("short_busy_timeout")
async def test_an_answer_saved_while_the_file_is_locked_is_503_and_stores_nothing(
    client: AsyncTestClient,
) -> None:
    _, _, ids, url = await first_item(client)
    with file_locked():
        r = await client.put(url, json={"most": ids[0], "least": ids[1]})
    assert_busy(r)
    assert await Answer.count() == 0 and await AnswerEvent.count() == 0
    # once the lock is gone the same save goes through (what the page's retry does)
    r = await client.put(url, json={"most": ids[0], "least": ids[1]})
    assert r.status_code == 200 and await Answer.count() == 1


@sqlite_only
@pytest.mark.usefixtures("short_busy_timeout")
async def test_a_start_while_the_file_is_locked_is_503_and_starts_nothing(
    client: AsyncTestClient,
) -> None:
    token, _ = await invited(client)
    with file_locked():
        r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
    assert_busy(r)
    row = await Candidate.select(Candidate.status, Candidate.started_at).first()
    assert row == {"status": "invited", "started_at": None}


@sqlite_only
async def test_other_database_errors_are_not_busy() -> None:
    con = sqlite3.connect(":memory:")
    with pytest.raises(sqlite3.OperationalError) as err:
        con.execute("SELECT * FROM no_such_table")
    assert not is_busy(err.value)
    path = db.engine().connection_kwargs["database"]  # type: ignore[attr-defined]
    with file_locked():
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError) as err:
            other.execute("BEGIN IMMEDIATE")
        other.close()
    assert is_busy(err.value)


def _pg_args() -> dict[str, Any]:
    return dict(db.engine().config)  # type: ignore[attr-defined]


@postgres_only
async def test_postgres_lock_errors_are_busy_and_others_are_not() -> None:
    holder = await asyncpg.connect(**_pg_args())
    waiter = await asyncpg.connect(**_pg_args(), server_settings={"lock_timeout": "100ms"})
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE answer IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(asyncpg.PostgresError) as err:
                await waiter.fetch("SELECT count(*) FROM answer")
        assert is_busy(err.value)  # lock_not_available
        with pytest.raises(asyncpg.PostgresError) as err:
            await holder.fetch("SELECT * FROM no_such_table")
        assert not is_busy(err.value)  # a bug, not a busy server
    finally:
        await waiter.close()
        await holder.close()


@postgres_only
async def test_postgres_serialization_failure_is_busy() -> None:
    a = await asyncpg.connect(**_pg_args())
    b = await asyncpg.connect(**_pg_args())
    name = f"busy_probe_{os.getpid()}"
    await a.execute(f"CREATE TABLE IF NOT EXISTS {name} (k int primary key, v int)")
    await a.execute(f"TRUNCATE {name}; INSERT INTO {name} VALUES (1, 0), (2, 0)")
    try:
        ta, tb = a.transaction(isolation="serializable"), b.transaction(isolation="serializable")
        await ta.start()
        await tb.start()
        await a.fetch(f"SELECT sum(v) FROM {name}")
        await b.fetch(f"SELECT sum(v) FROM {name}")
        await a.execute(f"UPDATE {name} SET v = 1 WHERE k = 1")
        await b.execute(f"UPDATE {name} SET v = 1 WHERE k = 2")
        await ta.commit()
        with pytest.raises(asyncpg.PostgresError) as err:
            await tb.commit()
        assert is_busy(err.value)  # serialization_failure: try again
    finally:
        await asyncio.gather(a.execute(f"DROP TABLE IF EXISTS {name}"), return_exceptions=True)
        await a.close()
        await b.close()
