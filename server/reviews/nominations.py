"""What a subject does from their nomination link (``/nominate/{token}``, page and API):
open the link, see their own proposals and propose a rater. The rules of a proposal are
:func:`server.reviews.repository.add_rater`'s; this module only gathers them for the link.

A subject sees only the raters they proposed themselves, each as awaiting approval or
approved: nothing of the raters the coach invited, nor who has started or answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from server.core.db import loads
from server.core.tokens import plausible
from server.core.vocabulary import RaterStatus
from server.reviews import repository as repo
from server.reviews.schemas import Rater, RaterIn, Subject

__all__ = ["Nominating", "Proposal", "open_link", "proposals", "propose"]

State = Literal["awaiting approval", "approved"]


@dataclass(frozen=True)
class Nominating:
    """An open nomination link: the subject and the cycle (its row)."""

    subject: Subject
    review: dict[str, Any]

    @property
    def languages(self) -> list[str]:
        """The cycle's languages, in the cycle's order."""
        return list(loads(self.review["languages"]) or ["en"])


@dataclass(frozen=True)
class Proposal:
    """One rater the subject proposed, as the subject may see it."""

    name: str
    email: str
    group: str
    state: State


async def open_link(token: str) -> Nominating | None:
    """The subject and cycle of a nomination link, or ``None`` for an unknown link or a
    cycle that has closed."""
    found = await repo.find_nominating_subject(token) if plausible(token) else None
    return None if found is None else Nominating(*found)


async def proposals(nominating: Nominating) -> list[Proposal]:
    """The subject's own proposals, oldest first, each awaiting approval or approved."""
    return [
        Proposal(
            name=r.name,
            email=r.email,
            group=r.group,
            state="awaiting approval" if r.status == RaterStatus.NOMINATED else "approved",
        )
        for r in await repo.list_raters(nominating.subject.id)
        if r.nominated_by == "subject"
    ]


async def propose(nominating: Nominating, data: RaterIn) -> Rater:
    """Propose a rater; they wait for the coach's approval (no link yet). Raises
    :class:`~server.core.errors.Invalid` or :class:`~server.core.errors.Conflict` naming
    the field (see :func:`~server.reviews.repository.add_rater`)."""
    return await repo.add_rater(
        nominating.review["id"],
        nominating.subject,
        name=data.name,
        email=data.email,
        group=data.group,
        language=data.language or "",
        by_subject=True,
    )
