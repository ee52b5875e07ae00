"""The messages to the experts of a job-analysis study, queued in the transaction of the
change that causes them (no HTTP, no SMTP).

- :func:`queue_expert_invitation`: when an expert is added, the invitation to what the
  study asks of experts now: writing cards (cards step, ``expert_invitation``) or rating
  the draft model (rate step, ``expert_rating``); in the sort step nothing yet (the rating
  invitation follows when the study reaches the rate step).
- :func:`queue_rating_invitations`: when the study reaches the rate step, one
  ``expert_rating`` to each expert who has not submitted ratings.
- :func:`cancel_not_due`: in the transaction of a change that makes queued messages no
  longer due (:func:`why_not_due`), they are cancelled at once.

**Once per expert.** An expert is sent at most one rating invitation that was not
cancelled: moving the study back to sort and on to rate again queues nothing for an expert
whose invitation is queued, sent or failed (staff send a failed one again by hand), and a
new one for an expert whose invitation was cancelled before it went (the study moved back,
or on, before the worker sent it). Each rating invitation's ``dedupe`` key is
``expert-rating:<expert>:<n>``, ``n`` counting that expert's rating invitations, so two
transactions cannot both queue the ``n``-th.

Only what finds the rows is stored; the words and the link are made when the message is
sent (:mod:`server.outbox.expert_letters`), so each message carries the link the expert
already has, and a message no longer due then (the expert removed, the study moved on or
applied, the ratings submitted) is cancelled rather than sent. Removing an expert or a
study deletes their messages with them (``outbox_message.expert`` cascades).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from server.core.errors import NotFound
from server.core.vocabulary import LANGUAGES, MessageKind, OutboxStatus, StudyStep
from server.outbox import repository as outbox
from server.settings import get_settings
from server.tables import JobAnalysis, JobAnalysisExpert, OutboxMessage

__all__ = [
    "EXPERT_KINDS",
    "LINK_PURPOSE",
    "NOT_DUE",
    "cancel_not_due",
    "queue_expert_invitation",
    "queue_rating_invitations",
    "study_messages",
    "study_of_expert",
    "why_not_due",
]

LINK_PURPOSE = "expert"
"""The purpose of an expert's link (:func:`server.core.links.derive`)."""

EXPERT_KINDS = (MessageKind.EXPERT_INVITATION, MessageKind.EXPERT_RATING)

NOT_DUE = {
    "expert": "the expert was removed",
    "study": "the study no longer exists",
    "applied": "the study has been applied",
    "cards_over": "the study has left the cards step",
    "cards_done": "the expert has finished their cards",
    "not_rating": "the study is not in the rate step",
    "rated": "the expert has submitted their ratings",
}
"""Why a message to an expert is no longer due (the reasons staff read, in English;
``outbox/_words.html`` words them in the page's language)."""

Row = dict[str, Any]

_EXPERT_COLUMNS = (
    JobAnalysisExpert.id,
    JobAnalysisExpert.study,
    JobAnalysisExpert.name,
    JobAnalysisExpert.email,
    JobAnalysisExpert.language,
    JobAnalysisExpert.ratings_done_at,
)


def why_not_due(
    kind: MessageKind, study: Mapping[str, Any], expert: Mapping[str, Any]
) -> str | None:
    """Why the message ``kind`` to ``expert`` is no longer due (a :data:`NOT_DUE`
    reason), or ``None`` when it is due: the study applied; an invitation to write cards
    once the study left the cards step or the expert finished their cards; a rating
    invitation once the study is not in the rate step or the expert submitted ratings."""
    if study["step"] == StudyStep.APPLIED or study.get("applied_at") is not None:
        return NOT_DUE["applied"]
    if kind == MessageKind.EXPERT_INVITATION:
        if study["step"] != StudyStep.CARDS:
            return NOT_DUE["cards_over"]
        if expert.get("cards_done_at") is not None:
            return NOT_DUE["cards_done"]
    elif kind == MessageKind.EXPERT_RATING:
        if study["step"] != StudyStep.RATE:
            return NOT_DUE["not_rating"]
        if expert.get("ratings_done_at") is not None:
            return NOT_DUE["rated"]
    return None


def _language(wanted: str | None, fallback: str | None = None) -> str:
    """A language mail can be written in: ``wanted``, else ``fallback``, else English."""
    for lang in (wanted, fallback):
        if lang and lang in LANGUAGES:
            return lang
    return "en"


def _message(
    kind: MessageKind, expert: Mapping[str, Any], lang: str, dedupe: str | None
) -> outbox.NewMessage:
    return outbox.NewMessage(
        kind=kind,
        to_email=expert["email"],
        to_name=expert["name"],
        language=lang,
        expert=expert["id"],
        dedupe=dedupe,
    )


async def _rating_invitations(experts: list[Row]) -> list[outbox.NewMessage]:
    """The rating invitations due to ``experts`` (see the module: once per expert)."""
    ids = [e["id"] for e in experts]
    if not ids:
        return []
    earlier = await OutboxMessage.select(OutboxMessage.expert, OutboxMessage.status).where(
        OutboxMessage.expert.is_in(ids) & (OutboxMessage.kind == MessageKind.EXPERT_RATING)
    )
    count: dict[int, int] = {}
    live: set[int] = set()
    for m in earlier:
        count[m["expert"]] = count.get(m["expert"], 0) + 1
        if m["status"] != OutboxStatus.CANCELLED:
            live.add(m["expert"])
    return [
        _message(
            MessageKind.EXPERT_RATING,
            e,
            _language(e["language"]),
            f"expert-rating:{e['id']}:{count.get(e['id'], 0) + 1}",
        )
        for e in experts
        if e["id"] not in live and e["email"] and e["ratings_done_at"] is None
    ]


async def queue_expert_invitation(expert_id: int, language: str) -> None:
    """Queue the invitation of a newly added expert, in ``language`` (else the expert's
    own, else English), in the caller's transaction.

    What the study asks now decides the message: cards step, the invitation to write
    cards (each call queues one: call it again to mail a new link); rate step, the rating
    invitation (once per expert, as :func:`queue_rating_invitations`); sort, decide or
    applied, nothing. An expert without an e-mail address is sent nothing.
    """
    expert = (
        await JobAnalysisExpert.select(*_EXPERT_COLUMNS)
        .where(JobAnalysisExpert.id == expert_id)
        .first()
    )
    if expert is None:
        raise NotFound.of("expert", expert_id)
    if not expert["email"]:
        return
    study = (
        await JobAnalysis.select(JobAnalysis.step).where(JobAnalysis.id == expert["study"]).first()
    )
    step = study["step"] if study else None
    lang = _language(language, expert["language"])
    messages: list[outbox.NewMessage] = []
    if step == StudyStep.CARDS:
        messages = [_message(MessageKind.EXPERT_INVITATION, expert, lang, None)]
    elif step == StudyStep.RATE:
        messages = await _rating_invitations([{**expert, "language": lang}])
    await outbox.enqueue(messages, sender=get_settings().smtp_from)


async def queue_rating_invitations(study_id: int) -> int:
    """Queue a rating invitation to each expert of the study who has not submitted
    ratings and was not sent one before (in the caller's transaction, when the study
    reaches the rate step); how many were queued."""
    experts = list(
        await JobAnalysisExpert.select(*_EXPERT_COLUMNS)
        .where(JobAnalysisExpert.study == study_id)
        .order_by(JobAnalysisExpert.id)
    )
    messages = await _rating_invitations(experts)
    return await outbox.enqueue(messages, sender=get_settings().smtp_from)


async def cancel_not_due(study_id: int) -> int:
    """Cancel the study's queued messages that are no longer due (:func:`why_not_due`),
    in the caller's transaction: call it in the transaction of a change that makes them
    so (the study moves to another step or is applied, an expert finishes their cards or
    submits their ratings); how many. The worker would cancel them itself when it came to
    them; this shows them cancelled at once."""
    study = (
        await JobAnalysis.select(JobAnalysis.step, JobAnalysis.applied_at)
        .where(JobAnalysis.id == study_id)
        .first()
    )
    if study is None:
        return 0
    experts = {
        e["id"]: e
        for e in await JobAnalysisExpert.select(
            JobAnalysisExpert.id, JobAnalysisExpert.cards_done_at, JobAnalysisExpert.ratings_done_at
        ).where(JobAnalysisExpert.study == study_id)
    }
    if not experts:
        return 0
    queued = await OutboxMessage.select(
        OutboxMessage.id, OutboxMessage.kind, OutboxMessage.expert
    ).where(
        OutboxMessage.expert.is_in(list(experts))
        & OutboxMessage.kind.is_in(list(EXPERT_KINDS))
        & (OutboxMessage.status == OutboxStatus.QUEUED)
    )
    by_reason: dict[str, list[int]] = {}
    for m in queued:
        reason = why_not_due(MessageKind(m["kind"]), study, experts[m["expert"]])
        if reason is not None:
            by_reason.setdefault(reason, []).append(m["id"])
    cancelled = 0
    for reason, ids in by_reason.items():
        cancelled += await outbox.cancel(OutboxMessage.id.is_in(ids), reason)
    return cancelled


async def study_of_expert(expert_id: int) -> int | None:
    """The study of an expert (``None`` when the expert is gone)."""
    row = (
        await JobAnalysisExpert.select(JobAnalysisExpert.study)
        .where(JobAnalysisExpert.id == expert_id)
        .first()
    )
    return int(row["study"]) if row else None


async def study_messages(study_id: int) -> dict[int, list[Row]]:
    """Each expert's messages (expert id -> rows, newest first) in one query, for the
    partial ``outbox/_messages.html`` of each expert on the study's page::

        {% with messages=mail.get(e.id, []), back=path ~ "#expert-" ~ e.id %}
          {% include "outbox/_messages.html" %}
        {% endwith %}
    """
    rows, _ = await outbox.list_messages(study=study_id, limit=100_000)
    out: dict[int, list[Row]] = {}
    for row in rows:
        if row["expert"] is not None:
            out.setdefault(row["expert"], []).append(row)
    return out
