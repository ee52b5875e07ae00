"""The peers of the load benchmark: bare Litestar apps, without any of our code.

Two endpoints, served by uvicorn with the same worker count as ``assess serve``:

* ``POST /bare/{token}/answers/{item_id}`` decodes a small JSON body (the shape of an SJT
  answer) into a msgspec Struct and returns JSON, with no database behind it: the most any
  Litestar endpoint could do on the same machine.
* ``PUT /api/v1/respond/{token}/answers/{item_id}`` (the path of our answer save, so the
  load generator sends the very same requests) decodes the same body and does the same
  database write as our save, the plainest way: when ``BARE_DATABASE_URL`` is set,

  - PostgreSQL: one asyncpg statement per request on a pool of ``BARE_POOL_SIZE`` (10)
    connections: the candidate found by the SHA-256 of the token, the answer upserted and
    its event inserted (a data-modifying CTE), committed;
  - SQLite: the same file, WAL journal mode and ``synchronous = FULL`` as the server, one
    writer thread per process that takes every request queued and commits them together
    (the upsert and the event insert per request, one transaction per batch).

  It checks nothing: no link status, deadline, item, answer shape or rate limit. The
  answer it writes is the body as sent.

``GET /health`` only tells the benchmark that the process is up.

Run: ``BARE_DATABASE_URL=... .venv/bin/python -m uvicorn bench.bare_app:app --port 8001``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import queue
import sqlite3
import threading
from datetime import UTC, datetime
from typing import Any

import msgspec
from litestar import Litestar, get, post, put
from litestar.params import FromPath, JSONBody


class AnswerIn(msgspec.Struct, forbid_unknown_fields=True):
    ratings: dict[str, int] | None = None
    ranking: list[str] | None = None
    most: str | None = None
    least: str | None = None


def _answer(data: AnswerIn) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}


@post("/bare/{token:str}/answers/{item_id:int}", status_code=200)
async def save(token: FromPath[str], item_id: FromPath[int], data: JSONBody[AnswerIn]) -> Any:
    return {"item_id": item_id, "answer": {"most": data.most, "least": data.least}, "ok": True}


@get("/health", cache=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}


# ---- the database-write peer -------------------------------------------------------------

URL = os.environ.get("BARE_DATABASE_URL", "")
POOL_SIZE = int(os.environ.get("BARE_POOL_SIZE", "10"))

PG_SAVE = """
WITH c AS (SELECT id FROM candidate WHERE token_hash = $1),
a AS (
    INSERT INTO answer (candidate, item, payload, saved_at)
    SELECT id, $2, $3::json, $4 FROM c
    ON CONFLICT (candidate, item)
    DO UPDATE SET payload = EXCLUDED.payload, saved_at = EXCLUDED.saved_at
    RETURNING 1
)
INSERT INTO answer_event (candidate, item, payload, received_at)
SELECT id, $2, $3::json, $4 FROM c
"""
SQLITE_UPSERT = (
    "INSERT INTO answer (candidate, item, payload, saved_at) "
    "SELECT id, ?, ?, ? FROM candidate WHERE token_hash = ? "
    "ON CONFLICT (candidate, item) DO UPDATE SET payload = excluded.payload, "
    "saved_at = excluded.saved_at"
)
SQLITE_EVENT = (
    "INSERT INTO answer_event (candidate, item, payload, received_at) "
    "SELECT id, ?, ?, ? FROM candidate WHERE token_hash = ?"
)


class SQLiteWriter:
    """One thread, one connection: queued writes are committed together."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.jobs: queue.SimpleQueue[tuple[tuple[Any, ...], asyncio.Future[None], Any]] = (
            queue.SimpleQueue()
        )
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        con = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")
        while True:
            batch = [self.jobs.get()]
            while True:
                try:
                    batch.append(self.jobs.get_nowait())
                except queue.Empty:
                    break
            error: BaseException | None = None
            try:
                con.execute("BEGIN IMMEDIATE")
                for (token_hash, item, text, now), _, _ in batch:
                    con.execute(SQLITE_UPSERT, (item, text, now, token_hash))
                    con.execute(SQLITE_EVENT, (item, text, now, token_hash))
                con.execute("COMMIT")
            except sqlite3.Error as exc:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                error = exc
            for _, future, loop in batch:
                loop.call_soon_threadsafe(_settle, future, error)

    async def write(self, args: tuple[Any, ...]) -> None:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self.jobs.put((args, future, loop))
        await future


def _settle(future: asyncio.Future[None], error: BaseException | None) -> None:
    if error is None:
        future.set_result(None)
    else:
        future.set_exception(error)


class Database:
    pool: Any = None
    writer: SQLiteWriter | None = None


DB = Database()


async def open_database() -> None:
    if URL.startswith("postgres"):
        import asyncpg

        DB.pool = await asyncpg.create_pool(URL, min_size=2, max_size=POOL_SIZE)
    elif URL.startswith("sqlite:///"):
        DB.writer = SQLiteWriter(URL.removeprefix("sqlite:///"))


async def close_database() -> None:
    if DB.pool is not None:
        await DB.pool.close()


@put("/api/v1/respond/{token:str}/answers/{item_id:int}", status_code=200)
async def save_to_database(
    token: FromPath[str], item_id: FromPath[int], data: JSONBody[AnswerIn]
) -> Any:
    answer = _answer(data)
    text = json.dumps(answer)
    hashed = hashlib.sha256(token.encode()).hexdigest()
    now = datetime.now(UTC)
    if DB.pool is not None:
        await DB.pool.execute(PG_SAVE, hashed, item_id, text, now)
    elif DB.writer is not None:
        await DB.writer.write((hashed, item_id, text, now.isoformat(sep=" ")))
    return {"item_id": item_id, "answer": answer, "ok": True}


app = Litestar(
    route_handlers=[save, health, save_to_database],
    on_startup=[open_database],
    on_shutdown=[close_database],
    openapi_config=None,
)
