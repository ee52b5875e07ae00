"""Storing and taking outbox messages (no HTTP, no SMTP).

:func:`enqueue` writes rows inside the caller's transaction (an invitation and its message
commit or roll back together). :func:`claim` hands a batch of due messages to one worker:
on PostgreSQL with ``FOR UPDATE SKIP LOCKED`` (several workers take disjoint batches), on
SQLite inside ``BEGIN IMMEDIATE`` (one writer at a time). A message whose worker died stays
``sending`` until its lock ends, then is taken again with the same ``Message-ID``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from server.core.db import is_postgres, loads, utcnow, write_transaction
from server.core.vocabulary import MessageKind, OutboxStatus
from server.tables import OutboxMessage

__all__ = [
    "NewMessage",
    "cancel",
    "claim",
    "enqueue",
    "get",
    "list_messages",
    "mark_retry",
    "mark_sent",
    "mark_stopped",
    "requeue",
]

Row = dict[str, Any]
# PostgreSQL: one claim at a time while a send rate is set (the rate counts every worker)
_RATE_LOCK = 7_311_984_203


@dataclass(frozen=True)
class NewMessage:
    """A message to queue: to whom, what kind, about which rows, with which values."""

    kind: MessageKind
    to_email: str
    to_name: str = ""
    language: str = "en"
    campaign: int | None = None
    candidate: int | None = None
    review: int | None = None
    subject: int | None = None
    rater: int | None = None
    staff: int | None = None
    expert: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    dedupe: str | None = None  # at most one message with this value, ever
    not_before: datetime | None = None


def message_id(sender: str) -> str:
    """A new ``Message-ID`` in the sender's domain (kept for every try of the message)."""
    domain = sender.rpartition("@")[2] or "localhost"
    return f"<{uuid.uuid4().hex}@{domain}>"


async def enqueue(messages: Sequence[NewMessage], *, sender: str) -> int:
    """Queue ``messages`` in the current transaction; returns how many were queued.

    A message whose ``dedupe`` value is already in the outbox is skipped (the schedule
    planned it before, maybe in another worker).
    """
    if not messages:
        return 0
    now = utcnow()
    keys = [m.dedupe for m in messages if m.dedupe]
    taken: set[str] = set()
    if keys:
        taken = {
            r["dedupe"]
            for r in await OutboxMessage.select(OutboxMessage.dedupe).where(
                OutboxMessage.dedupe.is_in(keys)
            )
        }
    rows = []
    seen: set[str] = set()
    for m in messages:
        if m.dedupe and (m.dedupe in taken or m.dedupe in seen):
            continue
        if m.dedupe:
            seen.add(m.dedupe)
        rows.append(
            OutboxMessage(
                kind=m.kind,
                status=OutboxStatus.QUEUED,
                to_email=m.to_email,
                to_name=m.to_name,
                language=m.language or "en",
                campaign=m.campaign,
                candidate=m.candidate,
                review=m.review,
                subject=m.subject,
                rater=m.rater,
                staff=m.staff,
                expert=m.expert,
                params=m.params,
                dedupe=m.dedupe,
                message_id=message_id(sender),
                created_at=now,
                next_attempt_at=m.not_before or now,
            )
        )
    if rows:
        await OutboxMessage.insert(*rows)
    return len(rows)


def _row(r: Row) -> Row:
    r = dict(r)
    r["params"] = loads(r["params"]) or {}
    return r


async def claim(worker: str, *, limit: int, lock_seconds: int, rate: int = 0) -> list[Row]:
    """Take up to ``limit`` due messages for ``worker`` (status ``sending``, one more try).

    With ``rate`` > 0, fewer if more than ``rate`` were sent in the last minute or are being
    sent: the claims of every worker take turns (an advisory lock on PostgreSQL, the write
    lock on SQLite), so the rate holds for the deployment, not per worker.
    """
    now = utcnow()
    due = (
        (OutboxMessage.status == OutboxStatus.QUEUED) & (OutboxMessage.next_attempt_at <= now)
    ) | ((OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_until < now))
    async with write_transaction():
        if rate > 0:
            if is_postgres():
                await OutboxMessage.raw("SELECT pg_advisory_xact_lock({})", _RATE_LOCK)
            limit = min(limit, rate - await _sent_recently(now))
        if limit <= 0:
            return []
        query = (
            OutboxMessage.select(OutboxMessage.id)
            .where(due)
            .order_by(OutboxMessage.next_attempt_at)
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        if is_postgres():
            query = query.lock_rows("UPDATE", skip_locked=True)
        ids = [r["id"] for r in await query]
        if not ids:
            return []
        await OutboxMessage.update(
            {
                OutboxMessage.status: OutboxStatus.SENDING,
                OutboxMessage.locked_until: now + timedelta(seconds=lock_seconds),
                OutboxMessage.worker: worker[:64],
                OutboxMessage.tries: OutboxMessage.tries + 1,
            }
        ).where(OutboxMessage.id.is_in(ids))
        rows = await OutboxMessage.select().where(OutboxMessage.id.is_in(ids))
    return [_row(r) for r in sorted(rows, key=lambda r: ids.index(r["id"]))]


async def _sent_recently(now: datetime) -> int:
    """Messages sent in the last minute or being sent now (for ``MAIL_RATE``)."""
    since = now - timedelta(seconds=60)
    return await OutboxMessage.count().where(
        (OutboxMessage.sent_at >= since)
        | ((OutboxMessage.status == OutboxStatus.SENDING) & (OutboxMessage.locked_until >= now))
    )


async def _finish(ident: int, worker: str, values: dict[Any, Any]) -> bool:
    """Update a message this worker still holds; ``False`` if another took it meanwhile."""
    async with write_transaction():
        held = await OutboxMessage.exists().where(
            (OutboxMessage.id == ident)
            & (OutboxMessage.status == OutboxStatus.SENDING)
            & (OutboxMessage.worker == worker[:64])
        )
        if held:
            await OutboxMessage.update({**values, OutboxMessage.locked_until: None}).where(
                OutboxMessage.id == ident
            )
    return held


async def mark_sent(ident: int, worker: str, *, subject_line: str, body: str) -> bool:
    """The server accepted the message: keep what was sent (the link left out)."""
    return await _finish(
        ident,
        worker,
        {
            OutboxMessage.status: OutboxStatus.SENT,
            OutboxMessage.sent_at: utcnow(),
            OutboxMessage.subject_line: subject_line,
            OutboxMessage.body: body,
            OutboxMessage.last_error: "",
        },
    )


async def mark_retry(ident: int, worker: str, *, error: str, at: datetime) -> bool:
    """A passing failure: queue the message again for ``at``."""
    return await _finish(
        ident,
        worker,
        {
            OutboxMessage.status: OutboxStatus.QUEUED,
            OutboxMessage.next_attempt_at: at,
            OutboxMessage.last_error: error[:2000],
        },
    )


async def mark_stopped(ident: int, worker: str, *, status: OutboxStatus, reason: str) -> bool:
    """No more tries: ``failed`` (refused, or the last try failed) or ``cancelled``."""
    return await _finish(
        ident,
        worker,
        {OutboxMessage.status: status, OutboxMessage.last_error: reason[:2000]},
    )


async def get(ident: int) -> Row | None:
    row = await OutboxMessage.select().where(OutboxMessage.id == ident).first()
    return _row(row) if row else None


async def list_messages(
    *,
    campaign: int | None = None,
    review: int | None = None,
    study: int | None = None,
    status: str | None = None,
    limit: int = 500,
    offset: int = 0,
) -> tuple[list[Row], int]:
    """Messages of a vacancy, a cycle or a job-analysis study (its experts'), or all,
    newest first, and how many there are."""
    where: list[Any] = []
    if campaign is not None:
        where.append(OutboxMessage.campaign == campaign)
    if review is not None:
        where.append(OutboxMessage.review == review)
    if study is not None:
        where.append(OutboxMessage.expert.study == study)
    if status is not None:
        where.append(OutboxMessage.status == status)
    query = OutboxMessage.select().order_by(OutboxMessage.id, ascending=False)
    count = OutboxMessage.count()
    if where:
        query = query.where(*where)
        count = count.where(*where)
    rows = await query.limit(limit).offset(offset)
    return [_row(r) for r in rows], await count


async def requeue(ident: int, *, sender: str) -> bool:
    """Staff ask to send a message again (failed, cancelled or sent): queued now, tries
    from zero, a new ``Message-ID`` (a mail program would hide a second copy with the old
    one). A message queued or being sent is left alone."""
    async with write_transaction():
        found = await OutboxMessage.exists().where(
            (OutboxMessage.id == ident)
            & OutboxMessage.status.is_in(
                [OutboxStatus.FAILED, OutboxStatus.CANCELLED, OutboxStatus.SENT]
            )
        )
        if found:
            await OutboxMessage.update(
                {
                    OutboxMessage.status: OutboxStatus.QUEUED,
                    OutboxMessage.next_attempt_at: utcnow(),
                    OutboxMessage.tries: 0,
                    OutboxMessage.last_error: "",
                    OutboxMessage.message_id: message_id(sender),
                    OutboxMessage.sent_at: None,
                }
            ).where(OutboxMessage.id == ident)
    return found


async def cancel(where: Any, reason: str) -> int:
    """Cancel the queued messages matching ``where`` (in the caller's transaction)."""
    rows = await OutboxMessage.select(OutboxMessage.id).where(
        where & (OutboxMessage.status == OutboxStatus.QUEUED)
    )
    ids = [r["id"] for r in rows]
    if ids:
        await OutboxMessage.update(
            {OutboxMessage.status: OutboxStatus.CANCELLED, OutboxMessage.last_error: reason}
        ).where(OutboxMessage.id.is_in(ids))
    return len(ids)
