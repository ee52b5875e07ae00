"""The audit log: who viewed or exported which report or person's data (append-only)."""

from __future__ import annotations

from typing import Any

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


async def events(*, limit: int, offset: int) -> tuple[list[dict[str, Any]], int]:
    """Newest first, with the actor's e-mail; and the total count."""
    rows = (
        await AuditEvent.select(
            AuditEvent.id,
            AuditEvent.actor.email.as_alias("actor"),
            AuditEvent.action,
            AuditEvent.target,
            AuditEvent.detail,
            AuditEvent.at,
        )
        .order_by(AuditEvent.id, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    return rows, await AuditEvent.count()
