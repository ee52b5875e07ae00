"""Database helpers shared by the repositories: engine, transactions, pool, JSON columns."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from piccolo.engine.base import Engine
from piccolo.engine.finder import engine_finder
from piccolo.engine.sqlite import TransactionType


def engine() -> Engine:
    found = engine_finder()
    if found is None:  # pragma: no cover - PICCOLO_CONF is set by the server package
        raise RuntimeError("no Piccolo engine configured (PICCOLO_CONF)")
    return found


def is_postgres() -> bool:
    return engine().engine_type == "postgres"


def utcnow() -> datetime:
    return datetime.now(UTC)


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


async def start_pool(max_size: int) -> None:
    """Open a connection pool on PostgreSQL (SQLite opens a connection per query)."""
    db = engine()
    if db.engine_type == "postgres":
        await db.start_connection_pool(min_size=min(2, max_size), max_size=max_size)


async def close_pool() -> None:
    db = engine()
    if db.engine_type == "postgres":
        await db.close_connection_pool()
