"""Which messages a candidate is sent, as rows to queue (no HTTP, no SMTP).

A vacancy's settings (``campaign.settings``, JSON) say what is sent:

- ``mail_invitations`` (default on): an invitation when a candidate is invited;
- ``reminder_days`` (default 2; 0 = none): a reminder that many days before the vacancy
  closes, to whoever has not submitted (planned by :mod:`server.outbox.hiring_schedule`);
- ``mail_receipts`` (default on): a receipt when the answers are submitted.

The callers queue these rows in the transaction of the change that causes them (the
invitation, the submission), so a message exists exactly when the change was committed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.core.db import loads
from server.core.vocabulary import MessageKind
from server.outbox.repository import NewMessage

__all__ = [
    "MAIL_SETTINGS",
    "candidate_message",
    "language_of",
    "mail_setting",
    "receipt_key",
]

MAIL_SETTINGS: dict[str, Any] = {
    "mail_invitations": True,
    "reminder_days": 2,
    "mail_receipts": True,
}
"""The vacancy settings about mail and their defaults."""


def mail_setting(settings: Mapping[str, Any] | str | None, key: str) -> Any:
    """A vacancy's mail setting ``key`` (its default when the vacancy has none)."""
    found = loads(settings) or {}
    value = found.get(key)
    return MAIL_SETTINGS[key] if value is None else value


def language_of(candidate_language: str | None, vacancy_languages: Any) -> str:
    """The language a candidate is written to: theirs, else the vacancy's first."""
    if candidate_language:
        return candidate_language
    offered = loads(vacancy_languages) or ["en"]
    return str(offered[0]) if offered else "en"


def candidate_message(
    kind: MessageKind,
    candidate: Mapping[str, Any],
    vacancy_languages: Any,
    *,
    params: Mapping[str, Any] | None = None,
    dedupe: str | None = None,
) -> NewMessage:
    """The message ``kind`` to one candidate (a row with id, campaign, name, email and
    language)."""
    return NewMessage(
        kind=kind,
        to_email=candidate["email"],
        to_name=candidate["name"],
        language=language_of(candidate.get("language"), vacancy_languages),
        campaign=candidate["campaign"],
        candidate=candidate["id"],
        params=dict(params or {}),
        dedupe=dedupe,
    )


def receipt_key(candidate_id: int) -> str:
    """The ``dedupe`` of a candidate's receipt: one per candidate, ever."""
    return f"candidate-receipt:{candidate_id}"
