"""Demo data made once per test process and copied into each test that asks for it.

The demo library and, above all, the demo SJT item bank (24 items keyed by simulated
experts: ~400 statements through the repositories) took seconds per test. ``DemoCopy``
runs the real loader the first time, keeps the rows it added (each table's rows with an
``id`` above the largest before), and from then on inserts those rows into the emptied
tables instead: the same rows, ids and values the loader wrote (timestamps are those of
the first load).

It copies only what it can prove equal. The first load is kept only when the tables it
wrote to were empty before and it changed no row of any other table; a copy goes in only
when its tables are empty and, for data built on other demo data (the item bank on the
library), when that data is the copy it was built on, row for row. Otherwise the loader
runs as before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from server.settings import Database, get_settings

Rows = list[tuple[Any, ...]]


@dataclass
class Table:
    columns: list[str]
    rows: Rows


class _Sqlite:
    def __init__(self, path: str) -> None:
        # values as stored (no converters): inserted back, they are the same bytes
        self.con = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.con.execute("PRAGMA foreign_keys = 1")

    async def read(self, table: str) -> Table:
        cur = self.con.execute(f'SELECT * FROM "{table}" ORDER BY id')
        return Table([d[0] for d in cur.description], cur.fetchall())

    async def write(self, tables: Sequence[tuple[str, Table]]) -> None:
        self.con.execute("BEGIN IMMEDIATE")
        try:
            for name, t in tables:
                cols = ", ".join(f'"{c}"' for c in t.columns)
                marks = ", ".join("?" for _ in t.columns)
                self.con.executemany(f'INSERT INTO "{name}" ({cols}) VALUES ({marks})', t.rows)
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    async def close(self) -> None:
        self.con.close()


class _Postgres:
    def __init__(self, conn: Any) -> None:
        self.conn = conn

    @classmethod
    async def connect(cls, db: Database) -> _Postgres:
        import asyncpg

        conn = await asyncpg.connect(
            host=db.host,
            port=db.port,
            user=db.user or None,
            password=db.password or None,
            database=db.name,
        )
        return cls(conn)

    async def read(self, table: str) -> Table:
        stmt = await self.conn.prepare(f'SELECT * FROM "{table}" ORDER BY id')
        columns = [a.name for a in stmt.get_attributes()]
        return Table(columns, [tuple(r) for r in await stmt.fetch()])

    async def write(self, tables: Sequence[tuple[str, Table]]) -> None:
        async with self.conn.transaction():
            for name, t in tables:
                cols = ", ".join(f'"{c}"' for c in t.columns)
                marks = ", ".join(f"${n}" for n in range(1, len(t.columns) + 1))
                await self.conn.executemany(
                    f'INSERT INTO "{name}" ({cols}) VALUES ({marks})', t.rows
                )
                # the ids went in as written: move the id sequence past them
                seq = f"pg_get_serial_sequence('\"{name}\"', 'id')::regclass"
                await self.conn.execute(
                    f'SELECT setval({seq}, GREATEST((SELECT max(id) FROM "{name}"),'
                    f" COALESCE(pg_sequence_last_value({seq}), 1)))"
                )

    async def close(self) -> None:
        await self.conn.close()


@dataclass
class DemoCopy:
    """The rows one loader adds, kept after its first load in this process."""

    name: str
    tables: Sequence[str]  # every table the suite empties, parents before children
    base: DemoCopy | None = None  # demo data this is built on
    kept: dict[str, Table] | None = None
    refused: list[str] = field(default_factory=list)  # why a first load was not kept

    async def _open(self) -> _Sqlite | _Postgres:
        db = get_settings().database
        if db.is_postgres:
            return await _Postgres.connect(db)
        return _Sqlite(db.path)

    async def load(self, loader: Callable[[], Awaitable[object]]) -> None:
        """The loader's rows: copied when that is provably the same, else by the loader."""
        db = await self._open()
        try:
            if self.kept is not None and await self._may_copy(db):
                await db.write([(t, self.kept[t]) for t in self.tables if t in self.kept])
                return
            before = {t: await db.read(t) for t in self.tables} if self.kept is None else None
            await loader()
            if before is not None:
                await self._keep(db, before)
        finally:
            await db.close()

    async def _may_copy(self, db: _Sqlite | _Postgres) -> bool:
        assert self.kept is not None
        for t in self.kept:
            if (await db.read(t)).rows:
                return False
        if self.base is not None:
            if self.base.kept is None:
                return False
            for t, rows in self.base.kept.items():
                if (await db.read(t)).rows != rows.rows:
                    return False
        return True

    async def _keep(self, db: _Sqlite | _Postgres, before: dict[str, Table]) -> None:
        if self.base is not None and not await self.base._may_rebuild_on(db):
            self.refused.append("the data it was built on is not the kept copy")
            return
        added: dict[str, Table] = {}
        for t in self.tables:
            now = await db.read(t)
            old = before[t]
            if now.rows == old.rows:
                continue
            if old.rows:  # a table that had rows before: not provably the loader's alone
                self.refused.append(f"{t} had rows before the load")
                return
            added[t] = now
        self.kept = added

    async def _may_rebuild_on(self, db: _Sqlite | _Postgres) -> bool:
        if self.kept is None:
            return False
        for t, rows in self.kept.items():
            if (await db.read(t)).rows != rows.rows:
                return False
        return True
