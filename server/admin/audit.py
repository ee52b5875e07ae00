"""The audit log: who viewed, exported or changed which report, record or person's data
(append-only). Storage only: ``record`` appends, ``events`` reads with filters."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.columns.combination import Combinable

from server.core.db import utcnow, write_transaction
from server.tables import AuditEvent


async def record(
    actor_id: int | None, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Append one event, e.g. ``record(user.id, "exported", "campaign:3/report.pdf")``."""
    async with write_transaction():
        await AuditEvent.insert(
            AuditEvent(
                actor=actor_id, action=action, target=target, detail=detail or {}, at=utcnow()
            )
        )


def _where(
    actor: int | None, action: str | None, since: datetime | None, until: datetime | None
) -> list[Combinable]:
    where: list[Combinable] = []
    if actor is not None:
        where.append(AuditEvent.actor == actor)
    if action:
        where.append(AuditEvent.action == action)
    if since is not None:
        where.append(AuditEvent.at >= since)
    if until is not None:
        where.append(AuditEvent.at < until)
    return where


async def events(
    *,
    limit: int,
    offset: int,
    actor: int | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Newest first, with the actor's e-mail; and the total count of the filtered events.

    ``actor`` is a staff user's id, ``action`` an action name; ``since`` (inclusive) and
    ``until`` (exclusive) are aware datetimes.
    """
    where = _where(actor, action, since, until)
    rows = (
        await AuditEvent.select(
            AuditEvent.id,
            AuditEvent.actor.email.as_alias("actor"),
            AuditEvent.action,
            AuditEvent.target,
            AuditEvent.detail,
            AuditEvent.at,
        )
        .where(*where)
        .order_by(AuditEvent.at, AuditEvent.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return rows, await AuditEvent.count().where(*where)


async def actions() -> list[str]:
    """Every action name in the log (for the filter's choices)."""
    rows = await AuditEvent.select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return [r["action"] for r in rows]
