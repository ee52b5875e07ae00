"""Messages of 360 cycles: rater invitations and reminders, nomination invitations, coach
notices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.outbox.letters import CannotSend, Composed
from server.settings import Settings

__all__ = ["compose_review"]


async def compose_review(row: Mapping[str, Any], settings: Settings) -> Composed:
    """The message ``row`` (a 360 kind) as it is to be sent now."""
    raise CannotSend(f"{row['kind']}: not written yet")
