"""The messages a change of a 360 cycle queues, written in that change's own transaction
(an invitation and its rater commit or roll back together; see ``server.outbox``).

- a rater with a link (added by the coach, or approved) is invited;
- a person added to the cycle is invited to propose raters (nomination);
- raters who have not submitted are reminded, at most once a day each (the coach's button,
  the cycle's ``reminder_days`` and the day before it closes share one key per rater and
  day);
- the coach hears when a group of a person reaches the anonymity threshold, and when the
  closed cycle can be released.

Only what is needed to find the rows is stored: the words and the link are made when the
message is sent (``server.outbox.review_letters``), so a reminder carries the same link.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from reports.markers import N_
from server.core.db import loads, present, utcnow
from server.core.vocabulary import MessageKind, RaterStatus
from server.outbox import repository as outbox
from server.settings import get_settings
from server.tables import OutboxMessage, Rater, Review, StaffUser

__all__ = [
    "RELEASE_NEWS",
    "THRESHOLD_NEWS",
    "CycleMail",
    "cancel_for_cycle",
    "cancel_for_rater",
    "cycle_mail",
    "invite_rater",
    "invite_subject",
    "mail_language",
    "queue_reminders",
    "release_notice",
    "reminder",
    "threshold_notice",
]

# the news of a coach notice, translated when it is sent (in the coach's language)
THRESHOLD_NEWS = N_(
    "the group “%(group)s” for %(subject)s has reached the anonymity threshold: it can be "
    "shown in the report"
)
RELEASE_NEWS = N_("the cycle has closed and its results can be released")

# groups shown as themselves whatever their number: no threshold to reach
_SHOWN_AS_THEMSELVES = ("self", "manager")
NOT_SUBMITTED = (RaterStatus.INVITED, RaterStatus.STARTED)


def mail_language(wanted: str | None, review: Mapping[str, Any]) -> str:
    """The language of a person's mail: theirs when the cycle offers it, else the cycle's
    first language."""
    offered = list(loads(review["languages"]) or ["en"])
    return wanted if wanted and wanted in offered else offered[0]


def _not_before(review: Mapping[str, Any]) -> datetime | None:
    """An invitation to a cycle not open yet waits until it opens (its link opens nothing
    before)."""
    opens = review["opens_at"]
    return opens if opens is not None and opens > utcnow() else None


async def _review(review_id: int) -> dict[str, Any]:
    return present(
        await Review.select(
            Review.id,
            Review.name,
            Review.languages,
            Review.opens_at,
            Review.closes_at,
            Review.owner,
            Review.anonymity_threshold,
        )
        .where(Review.id == review_id)
        .first(),
        "review",
        review_id,
    )


async def _enqueue(messages: Sequence[outbox.NewMessage], sender: str | None = None) -> int:
    return await outbox.enqueue(messages, sender=sender or get_settings().smtp_from)


async def invite_rater(rater: Mapping[str, Any]) -> int:
    """Queue the invitation of a rater who now has a link (in the caller's transaction)."""
    review = await _review(rater["review"])
    return await _enqueue(
        [
            outbox.NewMessage(
                kind=MessageKind.RATER_INVITATION,
                to_email=rater["email"],
                to_name=rater["name"],
                language=mail_language(rater["language"], review),
                review=review["id"],
                subject=rater["subject"],
                rater=rater["id"],
                not_before=_not_before(review),
            )
        ]
    )


async def invite_subject(subject: Mapping[str, Any]) -> int:
    """Queue a person's invitation to propose their raters (in the caller's transaction)."""
    review = await _review(subject["review"])
    return await _enqueue(
        [
            outbox.NewMessage(
                kind=MessageKind.NOMINATION_INVITATION,
                to_email=subject["email"],
                to_name=subject["name"],
                language=mail_language(None, review),
                review=review["id"],
                subject=subject["id"],
                not_before=_not_before(review),
            )
        ]
    )


def reminder(rater: Mapping[str, Any], review: Mapping[str, Any], day: date) -> outbox.NewMessage:
    """A rater's reminder for ``day``: one a day at most, whoever asks for it."""
    return outbox.NewMessage(
        kind=MessageKind.RATER_REMINDER,
        to_email=rater["email"],
        to_name=rater["name"],
        language=mail_language(rater["language"], review),
        review=review["id"],
        subject=rater["subject"],
        rater=rater["id"],
        dedupe=f"rater-reminder:{rater['id']}:{day.isoformat()}",
    )


async def queue_reminders(
    reminders: Sequence[outbox.NewMessage], *, sender: str | None = None
) -> list[int]:
    """Queue the reminders not queued before (in the caller's transaction); the raters
    reminded now (their ``reminded_at`` is set)."""
    keys = [m.dedupe for m in reminders if m.dedupe]
    taken = {
        r["dedupe"]
        for r in await OutboxMessage.select(OutboxMessage.dedupe).where(
            OutboxMessage.dedupe.is_in(keys or ["-"])
        )
    }
    fresh = [m for m in reminders if m.dedupe not in taken]
    await _enqueue(fresh, sender)
    raters = [m.rater for m in fresh if m.rater is not None]
    if raters:
        await Rater.update({Rater.reminded_at: utcnow()}).where(Rater.id.is_in(raters))
    return raters


async def cancel_for_rater(rater_id: int, reason: str) -> int:
    """Cancel a rater's queued invitation and reminders (the rater has submitted)."""
    return await outbox.cancel(
        (OutboxMessage.rater == rater_id)
        & OutboxMessage.kind.is_in([MessageKind.RATER_INVITATION, MessageKind.RATER_REMINDER]),
        reason,
    )


async def cancel_for_cycle(review_id: int, reason: str) -> int:
    """Cancel the cycle's queued invitations and reminders (the coach closed it)."""
    return await outbox.cancel(
        (OutboxMessage.review == review_id)
        & OutboxMessage.kind.is_in(
            [
                MessageKind.RATER_INVITATION,
                MessageKind.RATER_REMINDER,
                MessageKind.NOMINATION_INVITATION,
            ]
        ),
        reason,
    )


async def _coach(review: Mapping[str, Any]) -> dict[str, Any] | None:
    if review["owner"] is None:
        return None
    staff: dict[str, Any] | None = (
        await StaffUser.select(StaffUser.id, StaffUser.email, StaffUser.name, StaffUser.active)
        .where(StaffUser.id == review["owner"])
        .first()
    )
    return staff if staff and staff["active"] else None


def _notice(
    staff: Mapping[str, Any],
    review: Mapping[str, Any],
    news: str,
    values: Mapping[str, Any],
    dedupe: str,
    subject: int | None = None,
) -> outbox.NewMessage:
    return outbox.NewMessage(
        kind=MessageKind.COACH_NOTICE,
        to_email=staff["email"],
        to_name=staff["name"],
        # staff accounts have no language yet: English unless one is added
        language=str(staff.get("language") or "en"),
        review=review["id"],
        subject=subject,
        staff=staff["id"],
        params={"news": news, "values": dict(values)},
        dedupe=dedupe,
    )


async def threshold_notice(
    review: Mapping[str, Any], subject: Mapping[str, Any], group: str
) -> int:
    """After a rater of ``group`` submitted (in the same transaction): tell the coach once
    when the person's group has as many submitted forms as the anonymity threshold."""
    if group in _SHOWN_AS_THEMSELVES:
        return 0
    submitted = await Rater.count().where(
        (Rater.subject == subject["id"])
        & (Rater.group == group)
        & (Rater.status == RaterStatus.SUBMITTED)
    )
    if submitted < review["anonymity_threshold"]:
        return 0
    staff = await _coach(review)
    if staff is None:
        return 0
    return await _enqueue(
        [
            _notice(
                staff,
                review,
                THRESHOLD_NEWS,
                {"group": group, "subject": subject["name"]},
                f"coach-threshold:{subject['id']}:{group}",
                subject=subject["id"],
            )
        ]
    )


async def release_notice(review: Mapping[str, Any]) -> outbox.NewMessage | None:
    """The coach's notice that the closed cycle can be released (once per closing)."""
    staff = await _coach(review)
    if staff is None or review["closes_at"] is None:
        return None
    closing = review["closes_at"].isoformat(timespec="seconds")
    return _notice(staff, review, RELEASE_NEWS, {}, f"coach-release:{review['id']}:{closing}")


@dataclass(frozen=True)
class CycleMail:
    """The messages of a cycle as its page shows them, newest first: each rater's, each
    person's own (their nomination invitation), and the coach's notices."""

    by_rater: dict[int, list[dict[str, Any]]]
    by_subject: dict[int, list[dict[str, Any]]]
    to_coach: list[dict[str, Any]]


async def cycle_mail(review_id: int) -> CycleMail:
    """Every message of the cycle in one query, grouped by whom it is for."""
    rows, _ = await outbox.list_messages(review=review_id, limit=10_000)
    by_rater: dict[int, list[dict[str, Any]]] = {}
    by_subject: dict[int, list[dict[str, Any]]] = {}
    to_coach: list[dict[str, Any]] = []
    for row in rows:
        if row["kind"] == MessageKind.COACH_NOTICE:
            to_coach.append(row)
        elif row["rater"] is not None:
            by_rater.setdefault(row["rater"], []).append(row)
        elif row["subject"] is not None:
            by_subject.setdefault(row["subject"], []).append(row)
    return CycleMail(by_rater, by_subject, to_coach)
