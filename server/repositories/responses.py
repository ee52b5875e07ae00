"""A candidate's test session: the link's token, the server-side timer, answers, submission.

Every answer is written the moment it arrives, in one transaction with a re-check of the
candidate's status and deadline: the latest answer per item (``answer``, one row per
candidate and item: a repeated or concurrent save replaces, never duplicates) and an
append-only log of every save (``answer_event``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.custom_types import Combinable

from assessments.sjt.items import Format, Item, is_complete, validated_answer
from server.db import loads, utcnow, write_transaction
from server.errors import ConflictError, not_found
from server.repositories.campaigns import form_items
from server.tables import Answer, AnswerEvent, Campaign, Candidate, MonitoringAnswer, SjtForm
from server.tokens import token_hash


class Gone(ConflictError):
    """409: the test is over (submitted or out of time); saved answers are kept."""


@dataclass(frozen=True)
class TestSession:
    candidate: dict[str, Any]
    campaign: dict[str, Any]
    format: Format
    scoring: str
    items: list[Item]

    @property
    def id(self) -> int:
        return int(self.candidate["id"])

    @property
    def status(self) -> str:
        return str(self.candidate["status"])

    @property
    def time_allowed(self) -> int:
        return int(self.campaign["time_limit_seconds"]) + int(self.candidate["extra_time_seconds"])

    def seconds_left(self, now: datetime) -> int | None:
        if self.status == "submitted":
            return 0
        deadline = self.candidate["deadline_at"]
        if deadline is None:
            return self.time_allowed
        return max(0, int((deadline - now).total_seconds()))

    def languages(self) -> list[str]:
        return list(loads(self.campaign["languages"]) or ["en"])

    def item(self, item_id: int) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise not_found("item", item_id)


async def submit_expired(where: Combinable) -> None:
    """Submit, with what was saved, every started test in ``where`` whose deadline passed.

    One UPDATE; the submission time is the deadline, not the moment somebody noticed.
    """
    async with write_transaction():
        await Candidate.update(
            {
                Candidate.status: "submitted",
                Candidate.submitted_at: Candidate.deadline_at,
                Candidate.timed_out: True,
            }
        ).where(where & (Candidate.status == "started") & (Candidate.deadline_at <= utcnow()))


async def find(token: str) -> TestSession | None:
    """The session of a link, or ``None`` for an unknown link or a campaign closed to it.

    Unknown and closed links take the same path (one indexed lookup by the token's hash)
    so the answer time does not tell them apart.
    """
    now = utcnow()
    row = await Candidate.select().where(Candidate.token_hash == token_hash(token)).first()
    campaign = (
        await Campaign.select().where(Campaign.id == row["campaign"]).first() if row else None
    )
    if row is None or campaign is None:
        return None
    closed = campaign["closes_at"] is not None and campaign["closes_at"] <= now
    not_open = campaign["opens_at"] is not None and campaign["opens_at"] > now
    if row["status"] == "invited" and (closed or not_open):
        return None
    if row["status"] == "started" and row["deadline_at"] is not None and row["deadline_at"] <= now:
        await submit_expired(Candidate.id == row["id"])
        row = await Candidate.select().where(Candidate.id == row["id"]).first()
    form = (
        await SjtForm.select(SjtForm.format, SjtForm.scoring)
        .where(SjtForm.id == row["form"])
        .first()
    )
    return TestSession(
        candidate=row,
        campaign=campaign,
        format=form["format"],
        scoring=form["scoring"],
        items=await form_items(row["form"]),
    )


async def answers(candidate_id: int) -> dict[int, dict[str, Any]]:
    rows = await Answer.select(Answer.item, Answer.payload).where(Answer.candidate == candidate_id)
    return {r["item"]: loads(r["payload"]) for r in rows}


def answered_count(session: TestSession, saved: Mapping[int, Mapping[str, Any]]) -> int:
    return sum(is_complete(it, session.format, saved.get(it.id)) for it in session.items)


async def consent(session: TestSession, language: str | None) -> None:
    """Record consent (and the chosen language) before the test starts."""
    if session.status != "invited":
        return
    async with write_transaction():
        values: dict[Any, Any] = {Candidate.consented_at: utcnow()}
        if language:
            values[Candidate.language] = language
        await Candidate.update(values).where(
            (Candidate.id == session.id) & (Candidate.status == "invited")
        )


async def start(session: TestSession, language: str | None = None) -> None:
    """Start the clock (once): the deadline is now + time limit + the candidate's extra time."""
    if session.status == "submitted":
        raise Gone(detail="This test has already been submitted")
    if session.status == "started":
        return
    now = utcnow()
    values: dict[Any, Any] = {
        Candidate.status: "started",
        Candidate.started_at: now,
        Candidate.deadline_at: now + timedelta(seconds=session.time_allowed),
    }
    if session.candidate["consented_at"] is None:
        values[Candidate.consented_at] = now
    if language:
        values[Candidate.language] = language
    async with write_transaction():
        # the status condition makes two simultaneous starts start the clock once
        await Candidate.update(values).where(
            (Candidate.id == session.id) & (Candidate.status == "invited")
        )


async def save(session: TestSession, item_id: int, payload: Mapping[str, Any]) -> dict[str, Any]:
    """Validate and store one answer; 409 when the test is not running.

    Raises
    ------
    AnswerError
        The answer does not fit the item (nothing is stored).
    Gone
        Not started, already submitted, or out of time (saved answers are kept).
    """
    item = session.item(item_id)
    answer = validated_answer(item, session.format, payload)
    now = utcnow()
    async with write_transaction():
        row = (
            await Candidate.select(Candidate.status, Candidate.deadline_at)
            .where(Candidate.id == session.id)
            .first()
        )
        if row["status"] == "invited":
            raise Gone(detail="The test has not been started: start it first")
        if row["status"] == "submitted":
            raise Gone(detail="This test has already been submitted; saved answers are kept")
        if row["deadline_at"] is not None and row["deadline_at"] <= now:
            raise Gone(detail="Time is up; the answers saved before the deadline are kept")
        await Answer.insert(
            Answer(candidate=session.id, item=item_id, payload=answer, saved_at=now)
        ).on_conflict(
            target=(Answer.candidate, Answer.item),
            action="DO UPDATE",
            values=[Answer.payload, Answer.saved_at],
        )
        await AnswerEvent.insert(
            AnswerEvent(candidate=session.id, item=item_id, payload=answer, received_at=now)
        )
    return answer


async def submit(session: TestSession) -> None:
    """Submit once; a second submit changes nothing."""
    if session.status == "submitted":
        return
    if session.status == "invited":
        raise Gone(detail="The test has not been started")
    async with write_transaction():
        await Candidate.update(
            {Candidate.status: "submitted", Candidate.submitted_at: utcnow()}
        ).where((Candidate.id == session.id) & (Candidate.status == "started"))


async def record_completed(
    candidate_id: int,
    answers_by_item: Mapping[int, Mapping[str, Any]],
    *,
    started_at: datetime,
    deadline_at: datetime,
    submitted_at: datetime,
    language: str,
) -> None:
    """Store a whole completed test at once (demo data and imports), as if taken live."""
    async with write_transaction():
        await Candidate.update(
            {
                Candidate.status: "submitted",
                Candidate.consented_at: started_at,
                Candidate.started_at: started_at,
                Candidate.deadline_at: deadline_at,
                Candidate.submitted_at: submitted_at,
                Candidate.language: language,
            }
        ).where(Candidate.id == candidate_id)
        if answers_by_item:
            await Answer.insert(
                *(
                    Answer(candidate=candidate_id, item=i, payload=dict(a), saved_at=submitted_at)
                    for i, a in answers_by_item.items()
                )
            )
            await AnswerEvent.insert(
                *(
                    AnswerEvent(
                        candidate=candidate_id, item=i, payload=dict(a), received_at=submitted_at
                    )
                    for i, a in answers_by_item.items()
                )
            )


# ---- voluntary equal-opportunities answers (kept apart from the test answers) ----------


async def save_monitoring(candidate_id: int, answers: Mapping[str, str | None]) -> None:
    """Store, change or withdraw (``None``) a candidate's answer to each monitoring question.

    One row per candidate and question (an upsert); the caller validates the values.
    """
    now = utcnow()
    async with write_transaction():
        for question, answer in answers.items():
            if answer:
                await MonitoringAnswer.insert(
                    MonitoringAnswer(
                        candidate=candidate_id, question=question, answer=answer, given_at=now
                    )
                ).on_conflict(
                    target=(MonitoringAnswer.candidate, MonitoringAnswer.question),
                    action="DO UPDATE",
                    values=[MonitoringAnswer.answer, MonitoringAnswer.given_at],
                )
            else:
                await MonitoringAnswer.delete().where(
                    (MonitoringAnswer.candidate == candidate_id)
                    & (MonitoringAnswer.question == question)
                )


async def monitoring_of(candidate_id: int) -> dict[str, str]:
    """The candidate's own answers (shown back to them only, on their own link)."""
    rows = await MonitoringAnswer.select(MonitoringAnswer.question, MonitoringAnswer.answer).where(
        MonitoringAnswer.candidate == candidate_id
    )
    return {r["question"]: r["answer"] for r in rows}


async def monitoring_answers(candidate_ids: Sequence[int]) -> dict[str, dict[int, str]]:
    """Question -> {candidate: answer} for the given candidates, for aggregate analysis only."""
    rows = await MonitoringAnswer.select(
        MonitoringAnswer.candidate, MonitoringAnswer.question, MonitoringAnswer.answer
    ).where(MonitoringAnswer.candidate.is_in(list(candidate_ids) or [-1]))
    out: dict[str, dict[int, str]] = {}
    for r in rows:
        out.setdefault(r["question"], {})[r["candidate"]] = r["answer"]
    return out
