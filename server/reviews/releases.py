"""Releases of 360 results: computed once after a cycle closes, frozen, then only read.

While a cycle is open nobody sees a result: staff follow response counts per group
(``progress``), and reports, reliability and the technical report do not exist. Closing
the cycle and releasing it computes every subject's report and the cycle's reliability
once and stores them; every read afterwards returns exactly what was stored. Answers
given after a release (the cycle reopened) reach nobody until the next release, which
follows the same rules and rule 7 of :mod:`assessments.survey360.aggregation` (each
release's raters reach only figures their own report would show).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import anyio.to_thread
import msgspec
import numpy as np

from assessments.errors import Problem
from assessments.survey360.aggregation import Report360
from assessments.survey360.forms import (
    SubjectResult,
    has_rating,
    rating_matrix,
    subject_result,
)
from assessments.survey360.reliability import (
    CycleReliability,
    SubjectAgreement,
    SubjectRatings,
    cycle_reliability,
)
from server.core.db import loads, utcnow
from server.core.errors import Conflict, Invalid
from server.core.schemas import User
from server.reviews import releases_repository as store
from server.reviews.repository import instrument_of, list_subjects, release_counts
from server.reviews.schemas import Release, ReleasedSubject


async def reopen(review_id: int, closes_at: datetime) -> None:
    """Take answers again until ``closes_at``; the released results stay as released."""
    if closes_at <= utcnow():
        raise Invalid([Problem("closes_at", "must be in the future")])
    await store.set_closing(review_id, closes_at)


class NotReleased(Conflict):
    """No released result to show: ``never`` when the cycle has no release at all."""

    def __init__(self, *, detail: str, never: bool) -> None:
        super().__init__(detail)
        self.never = never


@dataclass(frozen=True)
class _Plan:
    subject_id: int
    name: str
    forms: list[tuple[str, dict[int, dict[str, Any]], int]]  # group, answers, release
    counted: int
    added: int
    outcome: str


def _compute(
    row: Mapping[str, Any], plans: Sequence[_Plan], number: int
) -> tuple[dict[int, dict[str, Any]], dict[str, Any]]:
    """The reports of the subjects with new forms, and the cycle's reliability."""
    inst = instrument_of(row)
    threshold = int(row["anonymity_threshold"])
    rng = np.random.default_rng()
    reports = {
        p.subject_id: _frozen(subject_result(inst, p.forms, threshold, p.subject_id, rng))
        for p in plans
        if p.outcome == "new report"
    }
    subjects = []
    for p in plans:
        # what each subject's released report counts: everything, except the late forms of
        # a held subject (they wait for a release that may show them)
        forms = [f for f in p.forms if p.outcome != "held" or f[2] < number]
        if forms:
            m = rating_matrix(inst, [(g, a) for g, a, _ in forms])
            subjects.append(
                SubjectRatings(p.subject_id, m.ratings, m.groups, tuple(b for *_, b in forms))
            )
    reliability = cycle_reliability(
        subjects,
        list(inst.statement_competency),
        inst.reverse,
        statement_ids=[s.id for s in inst.statements],
        threshold=threshold,
        scale=inst.scale,
    )
    return reports, msgspec.to_builtins(reliability)


def _frozen(result: SubjectResult) -> dict[str, Any]:
    return {
        "report": msgspec.to_builtins(result.report),
        "agreement": msgspec.to_builtins(result.agreement),
    }


async def release(row: Mapping[str, Any], user: User) -> Release:
    """Compute and store the next release of a closed cycle (409 while it is open)."""
    review_id = int(row["id"])
    closes = row["closes_at"]
    if closes is None or closes > utcnow():
        raise Conflict(
            "The cycle is still open: close it first (results are released only "
            "after closing, so that no figure moves while answers come in)"
        )
    number = (await release_counts([review_id])).get(review_id, 0) + 1
    inst = instrument_of(row)
    # a submitted form without a rating (possible before such forms were refused) counts
    # nowhere: not in n, not in any figure
    raters = [r for r in await store.submitted_forms(review_id) if has_rating(inst, r["answers"])]
    before = await store.counted_before(review_id)
    plans = []
    for s in await list_subjects(review_id):
        mine = [r for r in raters if r["subject"] == s.id]
        old = [r for r in mine if r["released_in"] is not None]
        added = len(mine) - len(old)
        if not mine:
            outcome = "no forms"
        elif not added:
            outcome = "unchanged"
        elif len(old) < before.get(s.id, 0):
            outcome = "held"
        else:
            outcome = "new report"
        plans.append(
            _Plan(
                s.id,
                s.name,
                [(r["group"], r["answers"], r["released_in"] or number) for r in mine],
                len(old) if outcome == "held" else len(mine),
                added if outcome == "new report" else 0,
                outcome,
            )
        )
    if not any(p.outcome == "new report" for p in plans):
        held = sum(p.outcome == "held" for p in plans)
        raise Conflict(
            "Nothing new to release: no form was submitted since the last release"
            if not held
            else f"Nothing can be released: {held} person(s) have new forms, but a form "
            "counted in an earlier release was erased since, so a new report would let "
            "its answers be worked out by difference"
        )
    reports, reliability = await anyio.to_thread.run_sync(_compute, row, plans, number)
    now = await store.store_release(
        review_id,
        number,
        user.id,
        reliability,
        {
            p.subject_id: (reports[p.subject_id], p.counted)
            for p in plans
            if p.subject_id in reports
        },
    )
    return Release(
        review_id=review_id,
        number=number,
        released_at=now,
        released_by=user.email,
        subjects=[
            ReleasedSubject(
                subject_id=p.subject_id,
                name=p.name,
                counted=p.counted,
                added=p.added,
                # type-ignore reason: one of the Literal's values, computed as str
                outcome=p.outcome,  # type: ignore[arg-type]
            )
            for p in plans
        ],
    )


async def list_releases(review_id: int) -> list[Release]:
    """Every release of a cycle, newest first, with what each did to each subject."""
    rows = await store.release_rows(review_id)
    subjects = {s.id: s.name for s in await list_subjects(review_id)}
    number = {r["id"]: r["number"] for r in rows}
    made = await store.subject_counts(list(number))
    # a subject's forms first counted in a release: its count then, less its count in the
    # release before that made it a report (a release stores only the reports it made)
    made.sort(key=lambda m: number[m["release"]])
    before: dict[int, int] = {}
    by_release: dict[int, list[ReleasedSubject]] = {}
    for m in made:
        by_release.setdefault(m["release"], []).append(
            ReleasedSubject(
                subject_id=m["subject"],
                name=subjects.get(m["subject"], ""),
                counted=m["counted"],
                added=m["counted"] - before.get(m["subject"], 0),
                outcome="new report",
            )
        )
        before[m["subject"]] = m["counted"]
    return [
        Release(
            review_id=review_id,
            number=r["number"],
            released_at=r["released_at"],
            released_by=r["released_by.email"],
            subjects=by_release.get(r["id"], []),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class Released:
    """A stored result and the release it belongs to."""

    number: int
    released_at: datetime


async def _release_row(review_id: int, number: int | None) -> dict[str, Any]:
    found = await store.release_row(review_id, number)
    if found is None:
        raise NotReleased(
            detail="No results yet: reports, reliability and the technical report exist once "
            "the cycle is closed and released (POST /api/v1/reviews/{id}/releases); until "
            "then /progress shows the response counts per group"
            if number is None
            else f"No release {number} of this cycle",
            never=True,
        )
    return found


async def released_subject(
    review_id: int, subject_id: int, number: int | None = None
) -> tuple[SubjectResult, Released]:
    """A subject's report as released (the latest release, or the one in force at
    ``number``)."""
    release_row = await _release_row(review_id, number)
    found = await store.subject_report(review_id, subject_id, release_row["number"])
    if found is None:
        raise NotReleased(
            detail=f"No report for this person in release {release_row['number']}: nobody had "
            "submitted a form about them",
            never=False,
        )
    data = loads(found["report"])
    result = SubjectResult(
        msgspec.convert(data["report"], Report360),
        msgspec.convert(data["agreement"], SubjectAgreement),
    )
    return result, Released(found["release.number"], release_row["released_at"])


async def released_reliability(
    review_id: int, number: int | None = None
) -> tuple[CycleReliability, Released]:
    """The cycle's reliability as released."""
    found = await _release_row(review_id, number)
    data = msgspec.convert(loads(found["reliability"]), CycleReliability)
    return data, Released(found["number"], found["released_at"])


__all__ = [
    "NotReleased",
    "Released",
    "list_releases",
    "release",
    "released_reliability",
    "released_subject",
    "reopen",
]
