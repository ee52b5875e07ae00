"""The message of an outbox row, composed when it is sent (its link derived then)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from server.core.vocabulary import MessageKind
from server.outbox.expert_letters import compose_expert
from server.outbox.hiring_letters import compose_candidate
from server.outbox.letters import Composed
from server.outbox.review_letters import compose_review
from server.settings import Settings

__all__ = ["compose"]

_BY_KIND: dict[MessageKind, Callable[[Mapping[str, Any], Settings], Awaitable[Composed]]] = {
    MessageKind.CANDIDATE_INVITATION: compose_candidate,
    MessageKind.CANDIDATE_REMINDER: compose_candidate,
    MessageKind.CANDIDATE_RECEIPT: compose_candidate,
    MessageKind.RATER_INVITATION: compose_review,
    MessageKind.RATER_REMINDER: compose_review,
    MessageKind.NOMINATION_INVITATION: compose_review,
    MessageKind.COACH_NOTICE: compose_review,
    MessageKind.EXPERT_INVITATION: compose_expert,
    MessageKind.EXPERT_RATING: compose_expert,
}
assert set(_BY_KIND) == set(MessageKind)


async def compose(row: Mapping[str, Any], settings: Settings) -> Composed:
    """The message of ``row``; raises ``NotDue`` (cancel it) or ``CannotSend`` (fail it)."""
    return await _BY_KIND[MessageKind(row["kind"])](row, settings)
