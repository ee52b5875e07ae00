"""Piccolo's reads on kept SQLite connections (server/core/sqlite_engine.py).

A plain SELECT outside a transaction runs on one of a few kept connections instead of a
new connection (thread, file, schema parse) per query; it sees every commit made before
it, by any connection, and its connection can never write.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading

import pytest

from server.core import db
from server.core.sqlite_engine import READ_THREADS, KeptReadsSQLiteEngine
from server.settings import get_settings
from server.tables import CompetencyArea

pytestmark = pytest.mark.skipif(db.is_postgres(), reason="the SQLite engine's own reads")


def _engine() -> KeptReadsSQLiteEngine:
    engine = db.engine()
    assert isinstance(engine, KeptReadsSQLiteEngine)
    return engine


def _threads() -> set[threading.Thread]:
    return set(threading.enumerate())


async def test_reads_run_on_kept_connections_and_see_every_commit() -> None:
    _engine().close_readers()  # none yet
    await CompetencyArea.insert(CompetencyArea(key="service", name="Service")).run()
    before = _threads()
    # many reads at once: at most READ_THREADS threads, none started per query
    names = await asyncio.gather(
        *(CompetencyArea.select(CompetencyArea.name).run() for _ in range(40))
    )
    assert all(rows == [{"name": "Service"}] for rows in names)
    started = _threads() - before
    assert 1 <= len(started) <= READ_THREADS  # kept: still there after the reads
    assert all(t.name.startswith("sqlite-read") for t in started)

    # a commit by another connection (not the engine's) is seen by the next read
    con = sqlite3.connect(get_settings().database.path, isolation_level=None)
    try:
        con.execute("UPDATE competency_area SET name = 'Care'")
    finally:
        con.close()
    assert await CompetencyArea.select(CompetencyArea.name).run() == [{"name": "Care"}]

    # writes still take Piccolo's own path, and the next read sees them
    await CompetencyArea.update({CompetencyArea.name: "Calm"}, force=True).run()
    assert await CompetencyArea.count().run() == 1
    assert await CompetencyArea.select(CompetencyArea.name).first().run() == {"name": "Calm"}
    # the same threads did every read (a write's own aiosqlite thread may still be ending)
    readers = {t for t in _threads() - before if t.name.startswith("sqlite-read")}
    assert readers == started


async def test_a_read_connection_refuses_to_write() -> None:
    engine = _engine()
    await CompetencyArea.select().run()  # a read thread and its connection exist
    loop = asyncio.get_running_loop()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        await loop.run_in_executor(
            engine._reader_pool(), engine._read, "DELETE FROM competency_area", []
        )


async def test_a_statement_that_is_not_a_plain_select_takes_piccolos_path() -> None:
    # a WITH clause can front a write: it is not sent to the read connections
    await CompetencyArea.insert(CompetencyArea(key="service", name="Service")).run()
    await CompetencyArea.raw(
        "WITH gone AS (SELECT id FROM competency_area) "
        "DELETE FROM competency_area WHERE id IN (SELECT id FROM gone)"
    ).run()
    assert await CompetencyArea.count().run() == 0
