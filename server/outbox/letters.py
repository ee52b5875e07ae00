"""What composing a message can answer besides the message itself (no HTTP)."""

from __future__ import annotations

from dataclasses import dataclass

from server.core import links
from server.settings import Settings

__all__ = ["CannotSend", "Composed", "NotDue", "link_token"]


class NotDue(Exception):
    """The message is no longer due (the person submitted, the cycle closed): cancelled."""


class CannotSend(Exception):
    """The message can never be sent as it is (e.g. a link issued before links could be
    sent again): failed, with this reason for staff."""


@dataclass(frozen=True)
class Composed:
    """A message ready to send: the letter's parts, and the text staff may see (with the
    person's link replaced by :data:`server.outbox.templates.LINK_SHOWN`)."""

    subject: str
    text: str
    html: str
    shown: str


def link_token(settings: Settings, purpose: str, nonce: str, whose: str) -> str:
    """The token of a person's link, derived again from its stored nonce; a link issued
    before links could be sent again (no nonce) cannot be sent (:class:`CannotSend`)."""
    try:
        return links.derive(settings.secret_key, purpose, nonce)
    except ValueError:
        raise CannotSend(
            f"this {whose}'s link was issued before links could be sent again: issue a new link"
        ) from None
