"""Storage of 360 releases: closing and reopening a cycle, the forms a release counts,
and the frozen results (the cycle's reliability, each person's report)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from piccolo.columns.combination import Combinable

from server.core.db import loads, utcnow, write_transaction
from server.core.errors import Conflict
from server.core.vocabulary import RaterStatus
from server.reviews import messages
from server.tables import Rater, RaterAnswer, Review, ReviewRelease, SubjectRelease


async def close(review_id: int) -> None:
    """Stop taking answers now (a cycle already closed keeps its closing time)."""
    now = utcnow()
    async with write_transaction():
        await Review.update({Review.closes_at: now}).where(
            (Review.id == review_id) & (Review.closes_at.is_null() | (Review.closes_at > now))
        )
        await messages.cancel_for_cycle(review_id, "the cycle has closed")


async def set_closing(review_id: int, closes_at: datetime) -> None:
    """Take answers until ``closes_at``."""
    async with write_transaction():
        await Review.update({Review.closes_at: closes_at}).where(Review.id == review_id)


async def submitted_forms(review_id: int) -> list[dict[str, Any]]:
    """Every submitted form of a cycle: rater id, subject, group, released_in, answers."""
    rows = await Rater.select(Rater.id, Rater.subject, Rater.group, Rater.released_in).where(
        (Rater.review == review_id) & (Rater.status == RaterStatus.SUBMITTED)
    )
    answers = await RaterAnswer.select(
        RaterAnswer.rater, RaterAnswer.item, RaterAnswer.payload
    ).where(RaterAnswer.rater.is_in([r["id"] for r in rows] or [-1]))
    by_rater: dict[int, dict[int, dict[str, Any]]] = {r["id"]: {} for r in rows}
    for a in answers:
        by_rater[a["rater"]][a["item"]] = loads(a["payload"])
    for r in rows:
        r["answers"] = by_rater[r["id"]]
    return sorted(rows, key=lambda r: r["id"])


async def counted_before(review_id: int) -> dict[int, int]:
    """Raters counted in each subject's latest released report."""
    rows = await SubjectRelease.select(
        SubjectRelease.subject, SubjectRelease.counted, SubjectRelease.release.number
    ).where(SubjectRelease.release.review == review_id)
    latest: dict[int, tuple[int, int]] = {}
    for r in rows:
        if r["subject"] not in latest or r["release.number"] > latest[r["subject"]][0]:
            latest[r["subject"]] = (r["release.number"], r["counted"])
    return {s: counted for s, (_, counted) in latest.items()}


async def store_release(
    review_id: int,
    number: int,
    released_by: int,
    reliability: dict[str, Any],
    reports: Mapping[int, tuple[dict[str, Any], int]],
) -> datetime:
    """Store release ``number``: the cycle's reliability and each new report (with the
    raters it counts); mark the subjects' submitted forms as released in it.

    Raises Conflict when another request stored the same release first.
    """
    now = utcnow()
    async with write_transaction():
        if await ReviewRelease.exists().where(
            (ReviewRelease.review == review_id) & (ReviewRelease.number == number)
        ):
            raise Conflict(f"Release {number} was made meanwhile; reload the cycle")
        made = ReviewRelease(
            review=review_id,
            number=number,
            released_at=now,
            released_by=released_by,
            reliability=reliability,
        )
        await made.save()
        for subject_id, (report, counted) in reports.items():
            await SubjectRelease(
                release=made.id, subject=subject_id, report=report, counted=counted
            ).save()
            await Rater.update({Rater.released_in: number}).where(
                (Rater.subject == subject_id)
                & (Rater.status == RaterStatus.SUBMITTED)
                & Rater.released_in.is_null()
            )
    return now


async def waiting(review_id: int) -> int:
    """Submitted forms no release has counted yet."""
    return await Rater.count().where(
        (Rater.review == review_id)
        & (Rater.status == RaterStatus.SUBMITTED)
        & Rater.released_in.is_null()
    )


async def release_rows(review_id: int) -> list[dict[str, Any]]:
    """Every release of a cycle, newest first (id, number, when, by whom)."""
    rows: list[dict[str, Any]] = (
        await ReviewRelease.select(
            ReviewRelease.id,
            ReviewRelease.number,
            ReviewRelease.released_at,
            ReviewRelease.released_by.email,
        )
        .where(ReviewRelease.review == review_id)
        .order_by(ReviewRelease.number, ascending=False)
    )
    return rows


async def subject_counts(release_ids: list[int]) -> list[dict[str, Any]]:
    """The reports these releases made: release, subject and raters counted."""
    rows: list[dict[str, Any]] = await SubjectRelease.select(
        SubjectRelease.release, SubjectRelease.subject, SubjectRelease.counted
    ).where(SubjectRelease.release.is_in(release_ids or [-1]))
    return rows


async def release_row(review_id: int, number: int | None) -> dict[str, Any] | None:
    """The latest release, or the one in force at ``number`` (None: there is none)."""
    where: Combinable = ReviewRelease.review == review_id
    if number is not None:
        where = where & (ReviewRelease.number <= number)
    found: dict[str, Any] | None = (
        await ReviewRelease.select()
        .where(where)
        .order_by(ReviewRelease.number, ascending=False)
        .first()
    )
    return found


async def subject_report(review_id: int, subject_id: int, number: int) -> dict[str, Any] | None:
    """The person's latest stored report up to release ``number``: report and release."""
    found: dict[str, Any] | None = (
        await SubjectRelease.select(SubjectRelease.report, SubjectRelease.release.number)
        .where(
            (SubjectRelease.subject == subject_id)
            & (SubjectRelease.release.review == review_id)
            & (SubjectRelease.release.number <= number)
        )
        .order_by(SubjectRelease.release.number, ascending=False)
        .first()
    )
    return found
