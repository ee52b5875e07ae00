"""Everything held about one person (access request) and its erasure (right to erasure).

A person is found by e-mail address in every role they can have: candidate, person
reviewed in a 360 cycle, and rater. Erasure deletes those rows and everything that hangs
off them (answers, answer events, scores, monitoring answers, raters of a subject, ratings,
development plans, the messages to them) in one transaction; derived results (reliability
snapshots of the campaigns and cycles concerned) are dropped so they are recomputed without
the person.
"""

from __future__ import annotations

import hashlib
from typing import Any

from server.core.db import loads, write_transaction
from server.tables import (
    Answer,
    AnswerEvent,
    Candidate,
    DevelopmentPlan,
    JobAnalysisCard,
    JobAnalysisExpert,
    JobAnalysisRating,
    MonitoringAnswer,
    OutboxMessage,
    Rater,
    RaterAnswer,
    RaterAnswerEvent,
    ReliabilitySnapshot,
    ReviewRelease,
    ReviewSubject,
    Score,
)


def person_ref(email: str) -> str:
    """How the audit log names a person without keeping their address after erasure."""
    return "person:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def _normal(email: str) -> str:
    return email.strip().lower()


async def person_data(email: str) -> dict[str, Any]:
    """All rows about ``email`` as JSON-ready data, grouped by role."""
    address = _normal(email)
    candidates = await Candidate.select(
        Candidate.id,
        Candidate.campaign.name.as_alias("campaign"),
        # Piccolo types a join of a join (fk.fk.column) as a plain Column: untyped
        Candidate.campaign.role.name.as_alias("role"),  # type: ignore[union-attr]
        Candidate.name,
        Candidate.email,
        Candidate.language,
        Candidate.status,
        Candidate.invited_at,
        Candidate.consented_at,
        Candidate.started_at,
        Candidate.deadline_at,
        Candidate.submitted_at,
        Candidate.timed_out,
    ).where(Candidate.email == address)
    ids = [c["id"] for c in candidates] or [-1]
    answers = await Answer.select(
        Answer.candidate, Answer.item.key.as_alias("item"), Answer.payload, Answer.saved_at
    ).where(Answer.candidate.is_in(ids))
    events = await AnswerEvent.select(
        AnswerEvent.candidate,
        AnswerEvent.item.key.as_alias("item"),
        AnswerEvent.payload,
        AnswerEvent.received_at,
    ).where(AnswerEvent.candidate.is_in(ids))
    scores = await Score.select(
        Score.candidate,
        Score.method,
        Score.total_scaled,
        Score.competency_scores,
        Score.answered,
        Score.computed_at,
    ).where(Score.candidate.is_in(ids))
    monitoring = await MonitoringAnswer.select(
        MonitoringAnswer.candidate,
        MonitoringAnswer.question,
        MonitoringAnswer.answer,
        MonitoringAnswer.given_at,
    ).where(MonitoringAnswer.candidate.is_in(ids))
    for c in candidates:
        c["answers"] = [_json(a) for a in answers if a["candidate"] == c["id"]]
        c["answer_history"] = [_json(e) for e in events if e["candidate"] == c["id"]]
        c["scores"] = [_json(s) for s in scores if s["candidate"] == c["id"]]
        c["equal_opportunities"] = [m for m in monitoring if m["candidate"] == c["id"]]

    subjects = await ReviewSubject.select(
        ReviewSubject.id,
        ReviewSubject.review.name.as_alias("cycle"),
        ReviewSubject.name,
        ReviewSubject.email,
        ReviewSubject.created_at,
    ).where(ReviewSubject.email == address)
    sids = [s["id"] for s in subjects] or [-1]
    plans = await DevelopmentPlan.select(
        DevelopmentPlan.subject,
        DevelopmentPlan.version,
        DevelopmentPlan.plan,
        DevelopmentPlan.saved_at,
    ).where(DevelopmentPlan.subject.is_in(sids))
    for s in subjects:
        s["development_plans"] = [_json(p) for p in plans if p["subject"] == s["id"]]
        s["note"] = (
            "Ratings about you are held as the raters' answers; you can see them only as the "
            "anonymous 360 report, never one rater's answers."
        )

    raters = await Rater.select(
        Rater.id,
        Rater.review.name.as_alias("cycle"),
        Rater.subject.name.as_alias("rated_person"),
        Rater.name,
        Rater.email,
        Rater.group,
        Rater.status,
        Rater.language,
        Rater.invited_at,
        Rater.started_at,
        Rater.submitted_at,
    ).where(Rater.email == address)
    rids = [r["id"] for r in raters] or [-1]
    ratings = await RaterAnswer.select(
        RaterAnswer.rater, RaterAnswer.item, RaterAnswer.payload, RaterAnswer.saved_at
    ).where(RaterAnswer.rater.is_in(rids))
    for r in raters:
        r["answers"] = [_json(a) for a in ratings if a["rater"] == r["id"]]
    # the messages to them, as staff see them (a respondent's link is never stored)
    messages = await (
        OutboxMessage.select(
            OutboxMessage.kind,
            OutboxMessage.status,
            OutboxMessage.language,
            OutboxMessage.created_at,
            OutboxMessage.sent_at,
            OutboxMessage.subject_line,
            OutboxMessage.body,
        )
        .where(OutboxMessage.to_email == address)
        .order_by(OutboxMessage.id)
    )
    return {
        "email": address,
        "as_candidate": candidates,
        "as_reviewed_person": subjects,
        "as_rater": raters,
        "as_job_analysis_expert": await _expert_data(address),
        "messages": messages,
    }


async def _expert_data(address: str) -> list[dict[str, Any]]:
    """What a job-analysis expert wrote and rated (staff never see it by person)."""
    experts = await JobAnalysisExpert.select(
        JobAnalysisExpert.id,
        JobAnalysisExpert.study.name.as_alias("study"),
        JobAnalysisExpert.study.role.name.as_alias("role"),  # type: ignore[union-attr]
        JobAnalysisExpert.name,
        JobAnalysisExpert.email,
        JobAnalysisExpert.kind,
        JobAnalysisExpert.language,
        JobAnalysisExpert.invited_at,
        JobAnalysisExpert.cards_done_at,
        JobAnalysisExpert.ratings_done_at,
    ).where(JobAnalysisExpert.email == address)
    eids = [e["id"] for e in experts] or [-1]
    cards = await JobAnalysisCard.select(
        JobAnalysisCard.expert, JobAnalysisCard.text, JobAnalysisCard.created_at
    ).where(JobAnalysisCard.expert.is_in(eids))
    ratings = await JobAnalysisRating.select(
        JobAnalysisRating.expert,
        JobAnalysisRating.competency.name.as_alias("competency"),
        JobAnalysisRating.importance,
        JobAnalysisRating.frequency,
        JobAnalysisRating.day_one,
        JobAnalysisRating.learnable,
        JobAnalysisRating.lawshe,
        JobAnalysisRating.saved_at,
    ).where(JobAnalysisRating.expert.is_in(eids))
    for e in experts:
        e["cards"] = [c for c in cards if c["expert"] == e["id"]]
        e["ratings"] = [r for r in ratings if r["expert"] == e["id"]]
    return experts


def _json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: loads(v) if k in ("payload", "plan", "competency_scores") else v for k, v in row.items()
    }


async def erase_person(email: str) -> dict[str, int]:
    """Delete every row about ``email``; returns how many of each were removed."""
    address = _normal(email)
    async with write_transaction():
        candidates = await Candidate.select(Candidate.id, Candidate.campaign).where(
            Candidate.email == address
        )
        subjects = await ReviewSubject.select(ReviewSubject.id, ReviewSubject.review).where(
            ReviewSubject.email == address
        )
        raters = await Rater.select(Rater.id, Rater.review).where(Rater.email == address)
        cids = [c["id"] for c in candidates]
        sids = [s["id"] for s in subjects]
        rids = [r["id"] for r in raters]
        messages = await OutboxMessage.count().where(OutboxMessage.to_email == address)
        # a job-analysis expert with their cards and ratings (they cascade); a study's
        # figures are recomputed without them, an applied study's evidence stays as applied
        experts = await JobAnalysisExpert.count().where(JobAnalysisExpert.email == address)
        await JobAnalysisExpert.delete().where(JobAnalysisExpert.email == address)
        await OutboxMessage.delete().where(OutboxMessage.to_email == address)
        if cids:
            await MonitoringAnswer.delete().where(MonitoringAnswer.candidate.is_in(cids))
            await Score.delete().where(Score.candidate.is_in(cids))
            await AnswerEvent.delete().where(AnswerEvent.candidate.is_in(cids))
            await Answer.delete().where(Answer.candidate.is_in(cids))
            await Candidate.delete().where(Candidate.id.is_in(cids))
        if sids:
            await DevelopmentPlan.delete().where(DevelopmentPlan.subject.is_in(sids))
            subject_raters = await Rater.select(Rater.id).where(Rater.subject.is_in(sids))
            rids_all = sorted({*rids, *(r["id"] for r in subject_raters)})
        else:
            rids_all = rids
        if rids_all:
            await RaterAnswerEvent.delete().where(RaterAnswerEvent.rater.is_in(rids_all))
            await RaterAnswer.delete().where(RaterAnswer.rater.is_in(rids_all))
            await Rater.delete().where(Rater.id.is_in(rids_all))
        if sids:
            # released reliabilities keep the cycle's figures, not the person's agreement
            for release in await ReviewRelease.select(
                ReviewRelease.id, ReviewRelease.reliability
            ).where(ReviewRelease.review.is_in(sorted({s["review"] for s in subjects}))):
                data = loads(release["reliability"])
                kept = [a for a in data.get("agreement", []) if a.get("subject") not in sids]
                if len(kept) != len(data.get("agreement", [])):
                    await ReviewRelease.update(
                        {ReviewRelease.reliability: {**data, "agreement": kept}}
                    ).where(ReviewRelease.id == release["id"])
            await ReviewSubject.delete().where(ReviewSubject.id.is_in(sids))
        campaigns = sorted({c["campaign"] for c in candidates})
        reviews = sorted({*(s["review"] for s in subjects), *(r["review"] for r in raters)})
        if campaigns:
            await ReliabilitySnapshot.delete().where(
                ReliabilitySnapshot.scope.is_in(["campaign", "campaign_scores"])
                & ReliabilitySnapshot.scope_id.is_in(campaigns)
            )
        if reviews:
            await ReliabilitySnapshot.delete().where(
                (ReliabilitySnapshot.scope == "review")
                & ReliabilitySnapshot.scope_id.is_in(reviews)
            )
    return {
        "candidates": len(cids),
        "reviewed_person": len(sids),
        "raters": len(rids_all),
        "job_analysis_experts": experts,
        "messages": messages,
    }
