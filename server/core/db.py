"""Database helpers shared by the repositories: engine, transactions, pool, JSON columns.

Hot paths (an answer save) bypass Piccolo's per-query connections:

- SQLite: one connection per process, owned by one writer thread (``SQLiteLine``). Jobs
  queue in order; the thread runs what has queued up in one transaction (each job in its
  own savepoint) and commits once for the batch (group commit, ``synchronous=FULL``), then
  resolves every job's future: an answer is acknowledged only once it is durable.
- PostgreSQL: statements on the pool (``fetch``), which keeps each connection's session
  on release instead of asyncpg's per-release reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import queue
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

import msgspec
from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import TransactionType

from server.core import clock
from server.core.errors import NotFound, is_busy
from server.core.sqlite_engine import KeptReadsSQLiteEngine, sqlite_connection

T = TypeVar("T")
Row = dict[str, Any]


def present(row: Row | None, what: str, ident: object) -> Row:
    """A row that must exist (the target of a foreign key, a row just written); one
    deleted meanwhile (an erasure) is a 404 like any other missing record."""
    if row is None:
        raise NotFound.of(what, ident)
    return row


_ENGINE: Engine | None = None


def engine() -> Engine:
    """The Piccolo engine of ``PICCOLO_CONF`` (looked up once per process)."""
    global _ENGINE
    if _ENGINE is None:
        found = engine_finder()
        if found is None:  # pragma: no cover - PICCOLO_CONF is set by the server package
            raise RuntimeError("no Piccolo engine configured (PICCOLO_CONF)")
        _ENGINE = found
    return _ENGINE


def is_postgres() -> bool:
    return engine().engine_type == "postgres"


def utcnow() -> datetime:
    """Now in UTC, from the server's clock (``server.core.clock``: moved in schedule tests)."""
    return clock.now()


@asynccontextmanager
async def write_transaction() -> AsyncIterator[None]:
    """A write transaction: ``BEGIN IMMEDIATE`` on SQLite so writers queue instead of failing."""
    db = engine()
    if db.engine_type == "sqlite":
        async with db.transaction(transaction_type=TransactionType.immediate):
            yield
    else:
        async with db.transaction():
            yield


def loads(value: Any) -> Any:
    """A JSON column's value as Python data (SQLite returns text, PostgreSQL may too)."""
    if isinstance(value, str):
        return json.loads(value)
    return value


_encode_json = msgspec.json.Encoder().encode


def dumps(value: Any) -> str:
    """A JSON column's value as text (both databases take JSON columns as text): compact,
    UTF-8 (msgspec: about a twentieth of ``json.dumps``'s time for an answer)."""
    return _encode_json(value).decode()


# ---- SQLite: one writer thread per process ------------------------------------------------

# seconds a batch waits for another process's write lock before it fails (503, retry)
BUSY_TIMEOUT_SECONDS = 10.0
MAX_BATCH = 256


@dataclass
class _Job:
    run: Callable[[sqlite3.Connection], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop
    savepoint: bool = True
    # with SQLiteLine.run_together: the call that runs this job with its neighbours, and
    # this job's part of its list
    together: Callable[[sqlite3.Connection, list[Any]], list[Any]] | None = None
    arg: Any = None


_Settled = tuple[asyncio.Future[Any], Any, BaseException | None]


def _resolve_all(jobs: list[_Settled]) -> None:
    for future, result, error in jobs:
        if future.cancelled():
            continue
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)


class SQLiteLine:
    """The process's SQLite connection, used by one thread that runs queued jobs in order.

    ``await line.run(fn)`` runs ``fn(connection)`` in the thread, inside the batch's
    transaction and its own savepoint (an exception undoes only that job), and returns
    its result once the batch is committed. Jobs write; what they read back comes as
    stored (integers, JSON and timestamps as text: no converters on this connection).

    ``run(fn, savepoint=False)`` spares the job its savepoint (two statements, on the
    thread every other job waits for). If it raises, the batch is rolled back and run
    again without it: its writes are undone all the same, and the others' are kept.

    ``run_together(many, arg)`` is such a job whose neighbours in the batch with an equal
    ``many`` run with it in one call, ``many(connection, [arg, ...])``, which returns each
    one's result in order (set-based statements instead of a few per job: the thread
    takes the interpreter's lock back after every statement, from an event loop that is
    busy). If that call raises, the batch is rolled back and run again with each of them
    alone, ``many(connection, [arg])``, as a job without a savepoint.
    """

    def __init__(self, path: str, timeout: float | None = None) -> None:
        self.path = path
        self.timeout = timeout  # None: BUSY_TIMEOUT_SECONDS when the thread connects
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    async def run(self, fn: Callable[[sqlite3.Connection], T], *, savepoint: bool = True) -> T:
        return await self._queued(fn, savepoint)

    async def run_together(
        self, many: Callable[[sqlite3.Connection, list[Any]], list[T]], arg: Any
    ) -> T:
        return await self._queued(partial(_alone, many, arg), False, many, arg)

    def _queued(
        self,
        fn: Callable[[sqlite3.Connection], Any],
        savepoint: bool,
        together: Callable[[sqlite3.Connection, list[Any]], list[Any]] | None = None,
        arg: Any = None,
    ) -> asyncio.Future[Any]:
        """The job queued for the thread; its future, resolved once its batch commits."""
        self._ensure_thread()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put(_Job(fn, future, loop, savepoint, together, arg))
        return future

    def close(self) -> None:
        """Finish the queued jobs and stop the thread (a later ``run`` starts a new one)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._jobs.put(None)
            thread.join(timeout=30)

    def _ensure_thread(self) -> None:
        if self._thread is not None:
            return
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._serve, name="sqlite-line", daemon=True)
                self._thread.start()

    def _next_batch(self) -> tuple[list[_Job], bool]:
        """The jobs queued now (waiting for the first); ``True`` when asked to stop."""
        first = self._jobs.get()
        if first is None:
            return [], True
        batch = [first]
        while len(batch) < MAX_BATCH:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                break
            if job is None:
                return batch, True
            batch.append(job)
        return batch, False

    def _serve(self) -> None:
        con = sqlite_connection(self.path, self.timeout or BUSY_TIMEOUT_SECONDS, convert=False)
        try:
            stop = False
            while not stop:
                batch, stop = self._next_batch()
                if batch:
                    self._run_batch(con, batch)
        finally:
            con.close()

    def _run_batch(self, con: sqlite3.Connection, batch: list[_Job]) -> None:
        outcomes = _committed(con, batch)
        # one call per event loop, not one per job: each call wakes its loop (a write to
        # its self-pipe, a system call on either side)
        settled: dict[asyncio.AbstractEventLoop, list[_Settled]] = {}
        for job, (result, error) in zip(batch, outcomes, strict=True):
            settled.setdefault(job.loop, []).append((job.future, result, error))
        for loop, jobs in settled.items():
            with contextlib.suppress(RuntimeError):  # the caller's event loop is closed
                loop.call_soon_threadsafe(_resolve_all, jobs)


_Outcome = tuple[Any, BaseException | None]


def _alone(
    many: Callable[[sqlite3.Connection, list[Any]], list[T]], arg: Any, con: sqlite3.Connection
) -> T:
    return many(con, [arg])[0]


def _group(batch: list[_Job], n: int, out: set[int]) -> list[int]:
    """The jobs from ``n`` on that run together with job ``n`` (those after it with an
    equal ``together``, up to the first one that runs apart or failed, in ``out``)."""
    many = batch[n].together
    group = [n]
    if many is None or n in out:
        return group
    for m in range(n + 1, len(batch)):
        if batch[m].together != many or m in out:  # == : a bound method is new each time
            break
        group.append(m)
    return group


def _committed(con: sqlite3.Connection, batch: list[_Job]) -> list[_Outcome]:
    """Each job's result or error, the batch's writes committed in one transaction.

    A job without a savepoint that raises takes the batch down with it: the transaction is
    rolled back and the batch run again without that job (which keeps its error). A call
    of jobs run together that raises does too, and they are run again one by one. Each
    such failure takes one job out or splits a group for good, so this ends.
    """
    failed: dict[int, BaseException] = {}
    alone: set[int] = set()  # jobs whose call together failed once
    while True:
        outcomes: list[_Outcome] = []
        try:
            con.execute("BEGIN IMMEDIATE")
            if _run_jobs(con, batch, outcomes, failed, alone):
                con.execute("COMMIT")
                return outcomes
            con.execute("ROLLBACK")  # undo the failed job's writes: the batch again
        except sqlite3.Error as exc:  # the batch is not durable: every job fails with it
            if con.in_transaction:
                con.execute("ROLLBACK")
            return [(None, exc)] * len(batch)


def _run_jobs(
    con: sqlite3.Connection,
    batch: list[_Job],
    outcomes: list[_Outcome],
    failed: dict[int, BaseException],
    alone: set[int],
) -> bool:
    """Run the batch's jobs in order, their outcomes into ``outcomes``; ``False`` (and
    ``failed`` or ``alone`` grown) when one without a savepoint raised."""
    out = alone | failed.keys()
    n = 0
    while n < len(batch):
        job = batch[n]
        group = _group(batch, n, out)
        if n in failed:
            outcomes.append((None, failed[n]))
        elif len(group) > 1:
            try:
                results = job.together(con, [batch[m].arg for m in group])  # type: ignore[misc]
                if len(results) != len(group):  # each job needs its result: split them
                    raise RuntimeError(f"{len(results)} results for {len(group)} jobs")
            except Exception as exc:
                if is_busy(exc):
                    raise  # as in _run_job: the whole batch fails, callers retry
                alone.update(group)
                return False
            outcomes.extend((result, None) for result in results)
        elif job.savepoint:
            outcomes.append(_run_job(con, job))
        else:
            try:
                outcomes.append((job.run(con), None))
            except Exception as exc:
                if is_busy(exc):
                    raise  # as in _run_job: the whole batch fails, callers retry
                failed[n] = exc
                return False
        n += len(group)
    return True


def _run_job(con: sqlite3.Connection, job: _Job) -> _Outcome:
    con.execute("SAVEPOINT job")
    try:
        result = job.run(con)
    except Exception as exc:
        con.execute("ROLLBACK TO job")
        con.execute("RELEASE job")
        if is_busy(exc):
            raise  # the whole batch waits for nobody: fail it, callers retry
        return None, exc
    con.execute("RELEASE job")
    return result, None


_LINES: dict[str, SQLiteLine] = {}


def sqlite_line() -> SQLiteLine:
    """This process's line to the SQLite file of the Piccolo engine."""
    # type-ignore reason: Engine does not declare its subclasses' members
    path = str(engine().connection_kwargs["database"])  # type: ignore[attr-defined]
    line = _LINES.get(path)
    if line is None:
        line = _LINES.setdefault(path, SQLiteLine(path))
    return line


def close_lines() -> None:
    for line in list(_LINES.values()):
        line.close()
    _LINES.clear()
    _READERS.__dict__.clear()
    db = engine()
    if isinstance(db, KeptReadsSQLiteEngine):
        db.close_readers()


_READERS = threading.local()


def sqlite_reader(*, convert: bool = True) -> sqlite3.Connection:
    """This thread's read connection to the engine's SQLite file.

    Used synchronously on the event loop for small indexed reads: in WAL mode a reader
    never waits for the writer, and a call costs less than a hop to another thread.
    ``convert=False``: a second connection that reads columns as stored (see
    ``sqlite_connection``), for hot paths that convert the few values they need.
    """
    # type-ignore reason: Engine does not declare its subclasses' members
    path = str(engine().connection_kwargs["database"])  # type: ignore[attr-defined]
    key = path if convert else f"{path}\0raw"
    con: sqlite3.Connection | None = getattr(_READERS, key, None)
    if con is None:
        con = sqlite_connection(path, BUSY_TIMEOUT_SECONDS, convert=convert)
        setattr(_READERS, key, con)
    return con


# ---- PostgreSQL -------------------------------------------------------------------------


async def _keep_session(connection: Any) -> None:
    """Pool ``reset``: keep the session as it is (no ``RESET ALL``, no unlisten, no unlock).

    The engine sets no session state, and every transaction ends before the connection
    is released, so asyncpg's default reset would only cost a round trip per release.
    """


async def pg_fetch(sql: str, *args: Any) -> list[Row]:
    """The rows of one statement (``$1`` placeholders) on the pool, or a new connection."""
    db = engine()
    pool = getattr(db, "pool", None)
    if pool is not None:
        async with pool.acquire() as con:
            rows = await con.fetch(sql, *args)
    else:
        # type-ignore reason: Engine does not declare its subclasses' members
        con = await db.get_new_connection()  # type: ignore[attr-defined]
        try:
            rows = await con.fetch(sql, *args)
        finally:
            await con.close()
    return [dict(r) for r in rows]


async def start_pool(max_size: int) -> None:
    """Open a connection pool on PostgreSQL (SQLite keeps its read connections as they are
    first used: server.core.sqlite_engine)."""
    db = engine()
    if isinstance(db, PostgresEngine):  # asyncpg's pool options
        await db.start_connection_pool(
            min_size=min(2, max_size), max_size=max_size, reset=_keep_session
        )


async def close_pool() -> None:
    db = engine()
    if db.engine_type == "postgres":
        await db.close_connection_pool()
    else:
        close_lines()
