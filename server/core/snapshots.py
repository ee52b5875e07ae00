"""Stored results that are recomputed only when the data they came from changed.

A snapshot is keyed by ``(scope, scope_id)`` and carries the ``data_state`` it was computed
from: a short string the caller derives from the data (row counts, latest change, key
versions). When the current state differs, the result is recomputed and stored again.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

from server.core.db import loads, utcnow, write_transaction
from server.tables import ReliabilitySnapshot


async def current(
    scope: str,
    scope_id: int,
    data_state: str,
    compute: Callable[[], Awaitable[dict[str, Any]]],
) -> dict[str, Any]:
    """The stored result for ``data_state``, computing and storing it when it is stale."""
    row = (
        await ReliabilitySnapshot.select(ReliabilitySnapshot.data_state, ReliabilitySnapshot.result)
        .where((ReliabilitySnapshot.scope == scope) & (ReliabilitySnapshot.scope_id == scope_id))
        .first()
    )
    if row is not None and row["data_state"] == data_state:
        result = row["result"]
        return loads(result)
    result = await compute()
    # another request may have stored the same computation a moment ago
    with contextlib.suppress(sqlite3.IntegrityError, asyncpg.UniqueViolationError):
        await _store(scope, scope_id, data_state, result)
    return result


async def _store(scope: str, scope_id: int, data_state: str, result: dict[str, Any]) -> None:
    async with write_transaction():
        await ReliabilitySnapshot.delete().where(
            (ReliabilitySnapshot.scope == scope) & (ReliabilitySnapshot.scope_id == scope_id)
        )
        await ReliabilitySnapshot.insert(
            ReliabilitySnapshot(
                scope=scope,
                scope_id=scope_id,
                data_state=data_state,
                result=result,
                computed_at=utcnow(),
            )
        )


async def forget(scope: str, scope_id: int) -> None:
    """Drop a stored result (e.g. when its campaign or cycle is erased)."""
    await ReliabilitySnapshot.delete().where(
        (ReliabilitySnapshot.scope == scope) & (ReliabilitySnapshot.scope_id == scope_id)
    )
