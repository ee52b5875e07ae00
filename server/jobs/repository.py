"""Storing and taking background jobs (no HTTP, no rendering).

A job is one row of ``background_job``: what to make (``kind`` and ``params``), for whom
(``owner``), how far it got (``done`` of ``total``), and, once ``done``, the file itself
(``result`` with its ``filename`` and ``content_type``) until ``expires_at``.

:func:`claim` hands one due job to one worker: on PostgreSQL with ``FOR UPDATE SKIP
LOCKED`` (two workers never take the same job), on SQLite inside ``BEGIN IMMEDIATE`` (one
writer at a time). A job left ``running`` by a worker that died is taken again once its
``locked_until`` has passed. Each claim counts one more try, and the try number is the
worker's claim ticket: progress and the result are stored only while the row still shows
the same try (a worker that was presumed dead and woke up again cannot overwrite the work
of the one that took the job over).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from server.core.db import is_postgres, loads, utcnow, write_transaction
from server.core.vocabulary import JobStatus
from server.tables import BackgroundJob

__all__ = [
    "Claimed",
    "claim",
    "delete_expired",
    "enqueue",
    "fail",
    "finish",
    "get",
    "give_up_stale",
    "latest",
    "progress",
    "result",
]

Row = dict[str, Any]

# every column but the result's bytes (a poll reads the row every second)
_SHOWN = (
    BackgroundJob.id,
    BackgroundJob.kind,
    BackgroundJob.status,
    BackgroundJob.owner,
    BackgroundJob.params,
    BackgroundJob.done,
    BackgroundJob.total,
    BackgroundJob.tries,
    BackgroundJob.error,
    BackgroundJob.filename,
    BackgroundJob.content_type,
    BackgroundJob.created_at,
    BackgroundJob.started_at,
    BackgroundJob.finished_at,
    BackgroundJob.locked_until,
    BackgroundJob.expires_at,
)


def _row(r: Mapping[str, Any]) -> Row:
    out = dict(r)
    out["params"] = loads(out["params"]) or {}
    return out


@dataclass(frozen=True)
class Claimed:
    """A job a worker holds: its row, and the try that is the worker's ticket."""

    id: int
    kind: str
    owner: int | None
    params: dict[str, Any]
    tries: int


async def enqueue(kind: str, owner: int, params: Mapping[str, Any]) -> int:
    """Queue a job for ``owner``; returns its id."""
    rows = await BackgroundJob.insert(
        BackgroundJob(
            kind=kind,
            status=JobStatus.QUEUED,
            owner=owner,
            params=dict(params),
            created_at=utcnow(),
        )
    ).returning(BackgroundJob.id)
    return int(rows[0]["id"])


async def get(ident: int) -> Row | None:
    """The job without its file (or ``None``)."""
    row = await BackgroundJob.select(*_SHOWN).where(BackgroundJob.id == ident).first()
    return _row(row) if row else None


async def result(ident: int) -> Row | None:
    """The finished job's file: ``result``, ``filename``, ``content_type`` (else ``None``)."""
    now = utcnow()
    return await (
        BackgroundJob.select(
            BackgroundJob.result, BackgroundJob.filename, BackgroundJob.content_type
        )
        .where(
            (BackgroundJob.id == ident)
            & (BackgroundJob.status == JobStatus.DONE)
            & (BackgroundJob.expires_at > now)
        )
        .first()
    )


async def latest(
    owner: int, kind: str, *, statuses: list[JobStatus] | None = None, limit: int = 20
) -> list[Row]:
    """The owner's jobs of one kind that have not expired, newest first."""
    now = utcnow()
    where = (
        (BackgroundJob.owner == owner)
        & (BackgroundJob.kind == kind)
        & ((BackgroundJob.expires_at.is_null()) | (BackgroundJob.expires_at > now))
    )
    if statuses:
        where &= BackgroundJob.status.is_in(list(statuses))
    rows = (
        await BackgroundJob.select(*_SHOWN)
        .where(where)
        .order_by(BackgroundJob.id, ascending=False)
        .limit(limit)
    )
    return [_row(r) for r in rows]


async def claim(worker: str, *, lock_seconds: int, max_tries: int = 3) -> Claimed | None:
    """Take the oldest due job: ``queued``, or ``running`` past its lock (its worker died)
    and tried fewer than ``max_tries`` times (see :func:`give_up_stale`). The job becomes
    ``running`` for this worker, with one more try."""
    now = utcnow()
    due = (BackgroundJob.status == JobStatus.QUEUED) | (
        (BackgroundJob.status == JobStatus.RUNNING)
        & (BackgroundJob.locked_until < now)
        & (BackgroundJob.tries < max_tries)
    )
    if not await BackgroundJob.exists().where(due):  # most passes: no write lock taken
        return None
    async with write_transaction():
        query = (
            BackgroundJob.select(
                BackgroundJob.id,
                BackgroundJob.kind,
                BackgroundJob.owner,
                BackgroundJob.params,
                BackgroundJob.tries,
            )
            .where(due)
            .order_by(BackgroundJob.id)
            .limit(1)
        )
        if is_postgres():
            query = query.lock_rows("UPDATE", skip_locked=True)
        found = await query.first()
        if found is None:
            return None
        tries = int(found["tries"]) + 1
        await BackgroundJob.update(
            {
                BackgroundJob.status: JobStatus.RUNNING,
                BackgroundJob.tries: tries,
                BackgroundJob.started_at: now,
                BackgroundJob.locked_until: now + timedelta(seconds=lock_seconds),
                BackgroundJob.done: 0,
                BackgroundJob.error: "",
            }
        ).where(BackgroundJob.id == found["id"])
    return Claimed(
        id=int(found["id"]),
        kind=str(found["kind"]),
        owner=found["owner"],
        params=loads(found["params"]) or {},
        tries=tries,
    )


def _held(job: Claimed) -> Any:
    return (
        (BackgroundJob.id == job.id)
        & (BackgroundJob.status == JobStatus.RUNNING)
        & (BackgroundJob.tries == job.tries)
    )


async def _update_held(job: Claimed, values: dict[Any, Any]) -> bool:
    """Update the job while this claim still holds it; ``False`` if another took it."""
    async with write_transaction():
        held = await BackgroundJob.exists().where(_held(job))
        if held:
            await BackgroundJob.update(values).where(BackgroundJob.id == job.id)
    return held


async def progress(job: Claimed, done: int, total: int, *, lock_seconds: int) -> bool:
    """Record ``done`` of ``total`` and hold the job ``lock_seconds`` longer."""
    return await _update_held(
        job,
        {
            BackgroundJob.done: done,
            BackgroundJob.total: total,
            BackgroundJob.locked_until: utcnow() + timedelta(seconds=lock_seconds),
        },
    )


async def finish(
    job: Claimed,
    *,
    data: bytes,
    filename: str,
    content_type: str,
    total: int,
    params: Mapping[str, Any],
    keep: timedelta,
) -> bool:
    """Store the file (and ``params``, the job's own plus what it remembers of its work);
    the job is ``done`` and its file kept for ``keep``."""
    now = utcnow()
    return await _update_held(
        job,
        {
            BackgroundJob.status: JobStatus.DONE,
            BackgroundJob.result: data,
            BackgroundJob.filename: filename[:200],
            BackgroundJob.content_type: content_type[:100],
            BackgroundJob.params: dict(params),
            BackgroundJob.done: total,
            BackgroundJob.total: total,
            BackgroundJob.finished_at: now,
            BackgroundJob.locked_until: None,
            BackgroundJob.expires_at: now + keep,
        },
    )


async def fail(job: Claimed, reason: str, *, keep: timedelta) -> bool:
    """The job cannot be done: ``failed`` with ``reason`` (kept for ``keep``)."""
    now = utcnow()
    return await _update_held(
        job,
        {
            BackgroundJob.status: JobStatus.FAILED,
            BackgroundJob.error: reason[:2000],
            BackgroundJob.finished_at: now,
            BackgroundJob.locked_until: None,
            BackgroundJob.expires_at: now + keep,
        },
    )


async def give_up_stale(max_tries: int, reason: str, *, keep: timedelta) -> int:
    """Fail the jobs that stopped ``max_tries`` times mid-run (each try's worker died: the
    job itself probably kills it, e.g. by running out of memory)."""
    now = utcnow()
    async with write_transaction():
        rows = await BackgroundJob.select(BackgroundJob.id).where(
            (BackgroundJob.status == JobStatus.RUNNING)
            & (BackgroundJob.locked_until < now)
            & (BackgroundJob.tries >= max_tries)
        )
        ids = [r["id"] for r in rows]
        if ids:
            await BackgroundJob.update(
                {
                    BackgroundJob.status: JobStatus.FAILED,
                    BackgroundJob.error: reason,
                    BackgroundJob.finished_at: now,
                    BackgroundJob.locked_until: None,
                    BackgroundJob.expires_at: now + keep,
                }
            ).where(BackgroundJob.id.is_in(ids))
    return len(ids)


async def delete_expired(now: datetime | None = None) -> int:
    """Delete the jobs (and their files) whose time is over; how many."""
    now = now or utcnow()
    rows = await BackgroundJob.select(BackgroundJob.id).where(BackgroundJob.expires_at <= now)
    ids = [r["id"] for r in rows]
    if ids:
        async with write_transaction():
            await BackgroundJob.delete().where(BackgroundJob.id.is_in(ids))
    return len(ids)
