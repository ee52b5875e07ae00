"""Piccolo's SQLite engine, with plain reads on kept connections.

Piccolo runs a query outside a transaction on a connection of its own: it starts a
thread, opens the file, parses the whole schema, sets a pragma, runs the query, commits
and closes, six hops between the event loop and that thread for one ``SELECT``. Here a
``SELECT`` outside a transaction runs instead in one hop on a small pool of threads, each
with a connection it keeps (``sqlite_connection``, which every kept connection of the
server uses: Piccolo's column converters and rows as dicts, so the rows are the same).
In WAL mode a reader never waits for a writer and sees what was committed before it
started; a kept connection holds no transaction between statements,
so every read sees the latest commit. ``PRAGMA query_only`` makes those connections
refuse any write, should a statement that starts with ``SELECT`` ever try one.

Everything else (writes, DDL, anything in a transaction) takes Piccolo's own path.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from piccolo.engine.sqlite import SQLiteEngine
from piccolo.table import Table

# a statement that can only read: a plain SELECT (a WITH clause may front a write)
_PLAIN_SELECT = re.compile(r"\s*SELECT\b", re.IGNORECASE)

# threads that read at once in a process (SQLite releases the GIL while it reads)
READ_THREADS = 4


def _dict_rows(cursor: sqlite3.Cursor, row: Sequence[Any]) -> dict[str, Any]:
    return {d[0]: v for d, v in zip(cursor.description, row, strict=True)}


def sqlite_connection(path: str, timeout: float, *, convert: bool = True) -> sqlite3.Connection:
    """A connection that reads columns as Piccolo does (its converters are registered), or
    with ``convert=False`` as stored (no Python call per integer or timestamp value)."""
    con = sqlite3.connect(
        path,
        timeout=timeout,
        detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES if convert else 0,
        isolation_level=None,
        check_same_thread=False,
        cached_statements=256,  # room for the answer saves' (3 per number of saves, <= 64)
    )
    con.row_factory = _dict_rows
    con.execute("PRAGMA foreign_keys = 1")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    return con


class KeptReadsSQLiteEngine(SQLiteEngine):
    """:class:`SQLiteEngine` whose plain reads outside a transaction run on kept
    connections (see the module docstring)."""

    def __init__(self, path: str, **connection_kwargs: Any) -> None:
        super().__init__(path=path, **connection_kwargs)
        self._readers: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._lock = threading.Lock()

    def _reader_pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._readers is None:
                self._readers = ThreadPoolExecutor(READ_THREADS, thread_name_prefix="sqlite-read")
            return self._readers

    def _read(self, query: str, args: list[Any]) -> list[dict[str, Any]]:
        con: sqlite3.Connection | None = getattr(self._local, "con", None)
        if con is None:
            kwargs = self.connection_kwargs
            con = sqlite_connection(str(kwargs["database"]), float(kwargs.get("timeout", 5.0)))
            con.execute("PRAGMA query_only = 1")
            self._local.con = con
        rows: list[dict[str, Any]] = con.execute(query, args).fetchall()
        return rows

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: type[Table] | None = None,
    ) -> Any:
        if query_type != "generic" or not _PLAIN_SELECT.match(query):
            return await super()._run_in_new_connection(query, args, query_type, table)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader_pool(), self._read, query, args or [])

    def close_readers(self) -> None:
        """Stop the read threads (their connections close with them); reads after this
        start new ones."""
        with self._lock:
            pool, self._readers = self._readers, None
        if pool is not None:
            pool.shutdown(wait=True)
