"""The 360 messages the calendar makes due (planned by the workers about once a minute).

- **Rater reminders** of an open cycle: on each of its ``reminder_days`` (days after the
  cycle opens: ``opens_at``, else when it was created) and the day before it closes
  (``closes_at`` − 24 h). A reminder is due from that moment for a day; each rater who has
  not submitted gets it once (key ``rater-reminder:{rater}:{date}``, the same key as the
  coach's reminder button, so a rater gets at most one reminder a day). A rater invited
  less than a day before a reminder's moment is not reminded then (the invitation is
  fresh). A worker that was down for the whole day of a reminder does not send it late.
- **The coach's notice** that a cycle closed in the last week can be released (it has
  submitted forms no release counted yet), once per closing time.

The notice that a group reached the anonymity threshold is queued when the rater submits
(``server.reviews.repository.submit_rater``), not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from server.core.db import loads, write_transaction
from server.core.vocabulary import RaterStatus
from server.outbox import repository as outbox
from server.reviews import messages
from server.settings import Settings
from server.tables import Rater, Review

__all__ = ["plan_review_mail", "reminder_moments"]

DAY = timedelta(days=1)
RELEASE_NOTICE_WITHIN = timedelta(days=7)


def reminder_moments(review: Mapping[str, Any]) -> list[datetime]:
    """When the cycle's reminders fall due: each of ``reminder_days`` after it opens, and a
    day before it closes (only moments while it is open)."""
    start = review["opens_at"] or review["created_at"]
    closes = review["closes_at"]
    moments = {start + timedelta(days=int(d)) for d in loads(review["reminder_days"]) or []}
    if closes is not None:
        moments.add(closes - DAY)
    return sorted(m for m in moments if m >= start and (closes is None or m < closes))


def _due(review: Mapping[str, Any], now: datetime) -> datetime | None:
    """The moment of the reminder due at ``now`` (the latest in the last 24 h), if any."""
    due = [m for m in reminder_moments(review) if m <= now < m + DAY]
    return due[-1] if due else None


async def _reminders(now: datetime, sender: str) -> int:
    open_now = (Review.closes_at.is_null() | (Review.closes_at > now)) & (
        Review.opens_at.is_null() | (Review.opens_at <= now)
    )
    reviews = await Review.select(
        Review.id,
        Review.languages,
        Review.opens_at,
        Review.closes_at,
        Review.created_at,
        Review.reminder_days,
    ).where(open_now)
    due_at = {r["id"]: (r, at) for r in reviews if (at := _due(r, now)) is not None}
    if not due_at:
        return 0
    async with write_transaction():
        raters = await Rater.select(
            Rater.id,
            Rater.review,
            Rater.subject,
            Rater.name,
            Rater.email,
            Rater.language,
            Rater.invited_at,
        ).where(Rater.review.is_in(list(due_at)) & Rater.status.is_in(list(messages.NOT_SUBMITTED)))
        due = []
        for rater in raters:
            review, moment = due_at[rater["review"]]
            if rater["invited_at"] is not None and rater["invited_at"] > moment - DAY:
                continue  # invited less than a day before: the invitation is fresh
            due.append(messages.reminder(rater, review, moment.date()))
        return len(await messages.queue_reminders(due, sender=sender))


async def _release_notices(now: datetime, sender: str) -> int:
    reviews = await Review.select(
        Review.id, Review.name, Review.closes_at, Review.owner, Review.anonymity_threshold
    ).where(
        (Review.closes_at <= now)
        & (Review.closes_at > now - RELEASE_NOTICE_WITHIN)
        & Review.owner.is_not_null()
    )
    if not reviews:
        return 0
    waiting = {
        r["review"]
        for r in await Rater.select(Rater.review).where(
            Rater.review.is_in([r["id"] for r in reviews])
            & (Rater.status == RaterStatus.SUBMITTED)
            & Rater.released_in.is_null()
        )
    }
    notices = [
        notice
        for r in reviews
        if r["id"] in waiting and (notice := await messages.release_notice(r)) is not None
    ]
    if not notices:
        return 0
    async with write_transaction():
        return await outbox.enqueue(notices, sender=sender)


async def plan_review_mail(now: datetime, settings: Settings) -> int:
    """Queue the 360 reminders and coach notices due at ``now``; how many were queued."""
    sender = settings.smtp_from
    return await _reminders(now, sender) + await _release_notices(now, sender)
