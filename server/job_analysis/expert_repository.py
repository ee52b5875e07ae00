"""Storage of what a subject-matter expert does by link (``/expert/{token}``): their own
cards, their own ratings of the draft model, and the draft model as they read it.

An expert reads only their own cards and ratings; the draft model's indicators come
without their authors. Every write runs in one transaction that first locks the expert's
row and reads the study's step (on PostgreSQL the expert's row ``FOR UPDATE``, so two saves
of one expert never interleave, and the study's row ``FOR SHARE``, so a facilitator's step
change waits for the write to end; SQLite's ``BEGIN IMMEDIATE`` serialises writers anyway).
A write meant for a step the study is not in changes nothing and raises :class:`StepClosed`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from piccolo.columns.base import Column
from piccolo.columns.combination import Combinable

from server.core.db import is_postgres, utcnow, write_transaction
from server.core.errors import Conflict, NotFound
from server.core.tokens import token_hash
from server.core.vocabulary import StudyStep
from server.outbox import expert_mail
from server.tables import JobAnalysis as StudyRow
from server.tables import JobAnalysisCard as CardRow
from server.tables import JobAnalysisCompetency as DraftRow
from server.tables import JobAnalysisExpert as ExpertRow
from server.tables import JobAnalysisRating as RatingRow

__all__ = [
    "DraftCompetency",
    "DraftIndicator",
    "ExpertLink",
    "OwnCard",
    "OwnRating",
    "StepClosed",
    "add_card",
    "delete_card",
    "draft_model",
    "expert_by_id",
    "expert_by_token",
    "mark_cards_done",
    "mark_ratings_done",
    "own_cards",
    "own_ratings",
    "save_ratings",
    "set_language",
]


@dataclass(frozen=True)
class ExpertLink:
    """The expert a link opens, with the study's name, role and step."""

    id: int
    study_id: int
    study_name: str
    role_id: int
    step: str
    name: str
    kind: str
    language: str
    cards_done_at: datetime | None
    ratings_done_at: datetime | None


@dataclass(frozen=True)
class OwnCard:
    """One of the expert's own cards; ``source`` is "" for free text, else the library
    competency (``"key"``) or indicator (``"key/indicator"``) it was picked from."""

    id: int
    text: str
    source: str


@dataclass(frozen=True)
class DraftIndicator:
    """A card the facilitator sorted into a draft competency (no author)."""

    text: str
    polarity: str


@dataclass(frozen=True)
class DraftCompetency:
    id: int
    name: str
    definition: str
    indicators: tuple[DraftIndicator, ...]
    library_key: str | None = None


@dataclass(frozen=True)
class OwnRating:
    """The expert's answers on one draft competency; ``None`` is "cannot say"."""

    importance: int | None
    frequency: int | None
    day_one: bool | None
    learnable: bool | None
    lawshe: str | None


class StepClosed(Conflict):
    """The study is not in the step the write belongs to; nothing was changed."""

    def __init__(self, step: str, detail: str | None = None) -> None:
        super().__init__(detail or f"step: the study is in its {step!r} step")
        self.step = step


# ---- reading ---------------------------------------------------------------------------


async def _find(where: Combinable) -> ExpertLink | None:
    row = (
        await ExpertRow.select(
            ExpertRow.id,
            ExpertRow.study,
            ExpertRow.study.name,
            ExpertRow.study.role,
            ExpertRow.study.step,
            ExpertRow.name,
            ExpertRow.kind,
            ExpertRow.language,
            ExpertRow.cards_done_at,
            ExpertRow.ratings_done_at,
        )
        .where(where)
        .first()
    )
    if row is None:
        return None
    return ExpertLink(
        id=row["id"],
        study_id=row["study"],
        study_name=row["study.name"],
        role_id=row["study.role"],
        step=row["study.step"],
        name=row["name"],
        kind=row["kind"],
        language=row["language"],
        cards_done_at=row["cards_done_at"],
        ratings_done_at=row["ratings_done_at"],
    )


async def expert_by_token(token: str) -> ExpertLink | None:
    """The expert of a link's token (looked up by its SHA-256), or ``None``."""
    return await _find(ExpertRow.token_hash == token_hash(token))


async def expert_by_id(expert_id: int) -> ExpertLink | None:
    """The expert as stored now (after a write of theirs), or ``None`` once removed."""
    return await _find(ExpertRow.id == expert_id)


async def own_cards(expert_id: int) -> list[OwnCard]:
    """The expert's cards in the order written."""
    rows = (
        await CardRow.select(CardRow.id, CardRow.text, CardRow.source)
        .where(CardRow.expert == expert_id)
        .order_by(CardRow.id)
    )
    return [OwnCard(id=r["id"], text=r["text"], source=r["source"]) for r in rows]


async def draft_model(study_id: int) -> list[DraftCompetency]:
    """The study's draft competencies by position, each with the cards sorted into it as
    indicators: present ones first, then absent ones, each in the order written, a text
    that several experts wrote shown once."""
    drafts = (
        await DraftRow.select(
            DraftRow.id, DraftRow.name, DraftRow.definition, DraftRow.competency.key
        )
        .where(DraftRow.study == study_id)
        .order_by(DraftRow.position)
        .order_by(DraftRow.id)
    )
    cards = (
        await CardRow.select(CardRow.group, CardRow.text, CardRow.polarity)
        .where((CardRow.study == study_id) & CardRow.group.is_not_null())
        .order_by(CardRow.id)
    )
    grouped: dict[int, dict[tuple[str, str], DraftIndicator]] = {}
    for c in cards:
        seen = grouped.setdefault(c["group"], {})
        key = (" ".join(c["text"].split()).casefold(), c["polarity"])
        seen.setdefault(key, DraftIndicator(text=c["text"], polarity=c["polarity"]))
    out = []
    for d in drafts:
        found = list(grouped.get(d["id"], {}).values())
        ordered = [i for i in found if i.polarity != "absent"] + [
            i for i in found if i.polarity == "absent"
        ]
        out.append(
            DraftCompetency(
                id=d["id"],
                name=d["name"],
                definition=d["definition"],
                indicators=tuple(ordered),
                library_key=d["competency.key"],
            )
        )
    return out


async def own_ratings(expert_id: int) -> dict[int, OwnRating]:
    """The expert's ratings by draft competency id."""
    rows = await RatingRow.select(
        RatingRow.competency,
        RatingRow.importance,
        RatingRow.frequency,
        RatingRow.day_one,
        RatingRow.learnable,
        RatingRow.lawshe,
    ).where(RatingRow.expert == expert_id)
    return {
        r["competency"]: OwnRating(
            importance=r["importance"],
            frequency=r["frequency"],
            day_one=None if r["day_one"] is None else bool(r["day_one"]),
            learnable=None if r["learnable"] is None else bool(r["learnable"]),
            lawshe=r["lawshe"],
        )
        for r in rows
    }


# ---- writing ---------------------------------------------------------------------------


async def _hold(link: ExpertLink, step: StudyStep) -> None:
    """Inside a write transaction: lock the expert, check the study's step."""
    expert = ExpertRow.select(ExpertRow.id).where(ExpertRow.id == link.id)
    study = StudyRow.select(StudyRow.step).where(StudyRow.id == link.study_id)
    if is_postgres():
        expert = expert.lock_rows("UPDATE")
        study = study.lock_rows("SHARE")
    if await expert.first() is None:  # removed by the facilitator meanwhile
        raise NotFound.of("expert", link.id)
    row = await study.first()
    if row is None:
        raise NotFound.of("job analysis", link.study_id)
    if row["step"] != step:
        raise StepClosed(row["step"])


async def set_language(expert_id: int, language: str) -> None:
    """The language the expert chose on their page (their next visit opens in it)."""
    await ExpertRow.update({ExpertRow.language: language}).where(ExpertRow.id == expert_id)


async def add_card(
    link: ExpertLink, text: str, source: str, *, step: StudyStep, limit: int
) -> tuple[OwnCard, bool] | None:
    """Store a card: ``(card, True)``; ``(the card already picked, False)`` when the expert
    already has a card of this ``source``; ``None`` when they have ``limit`` cards."""
    async with write_transaction():
        await _hold(link, step)
        if source:
            found = (
                await CardRow.select(CardRow.id, CardRow.text, CardRow.source)
                .where((CardRow.expert == link.id) & (CardRow.source == source))
                .first()
            )
            if found is not None:
                return OwnCard(id=found["id"], text=found["text"], source=found["source"]), False
        if await CardRow.count().where(CardRow.expert == link.id) >= limit:
            return None
        row = CardRow(
            study=link.study_id, expert=link.id, text=text, source=source, created_at=utcnow()
        )
        await row.save()
    return OwnCard(id=row.id, text=text, source=source), True


async def delete_card(link: ExpertLink, card_id: int, *, step: StudyStep) -> None:
    """Delete one of the expert's own cards; any other card id is not found."""
    async with write_transaction():
        await _hold(link, step)
        deleted = (
            await CardRow.delete()
            .where((CardRow.id == card_id) & (CardRow.expert == link.id))
            .returning(CardRow.id)
        )
        if not deleted:
            raise NotFound.of("card", card_id)


async def mark_cards_done(link: ExpertLink, *, step: StudyStep) -> None:
    """The expert says they have finished their cards (the first time is kept)."""
    async with write_transaction():
        await _hold(link, step)
        await ExpertRow.update({ExpertRow.cards_done_at: utcnow()}).where(
            (ExpertRow.id == link.id) & ExpertRow.cards_done_at.is_null()
        )
        await expert_mail.cancel_not_due(link.study_id)  # what asked for this is done


async def mark_ratings_done(link: ExpertLink, *, step: StudyStep) -> None:
    """The expert submits their ratings (the first time is kept)."""
    async with write_transaction():
        await _hold(link, step)
        await ExpertRow.update({ExpertRow.ratings_done_at: utcnow()}).where(
            (ExpertRow.id == link.id) & ExpertRow.ratings_done_at.is_null()
        )
        await expert_mail.cancel_not_due(link.study_id)  # what asked for this is done


async def save_ratings(
    link: ExpertLink, ratings: Mapping[int, OwnRating], *, step: StudyStep
) -> None:
    """Store the expert's ratings of draft competencies, one row per competency (a new
    answer replaces the old), all or nothing: a competency of another study is not found."""
    now = utcnow()
    async with write_transaction():
        await _hold(link, step)  # even for none: a form posted in another step is refused
        if not ratings:
            return
        wanted = sorted(ratings)
        known = await DraftRow.select(DraftRow.id).where(
            (DraftRow.study == link.study_id) & DraftRow.id.is_in(wanted)
        )
        missing = set(wanted) - {r["id"] for r in known}
        if missing:
            raise NotFound.of("competency", min(missing))
        stored = await RatingRow.select(RatingRow.id, RatingRow.competency).where(
            (RatingRow.expert == link.id) & RatingRow.competency.is_in(wanted)
        )
        existing = {r["competency"]: r["id"] for r in stored}
        for competency_id in wanted:
            r = ratings[competency_id]
            values: dict[Column | str, Any] = {
                RatingRow.importance: r.importance,
                RatingRow.frequency: r.frequency,
                RatingRow.day_one: r.day_one,
                RatingRow.learnable: r.learnable,
                RatingRow.lawshe: r.lawshe,
                RatingRow.saved_at: now,
            }
            if competency_id in existing:
                await RatingRow.update(values).where(RatingRow.id == existing[competency_id])
            else:
                await RatingRow.insert(
                    RatingRow(
                        expert=link.id,
                        competency=competency_id,
                        importance=r.importance,
                        frequency=r.frequency,
                        day_one=r.day_one,
                        learnable=r.learnable,
                        lawshe=r.lawshe,
                        saved_at=now,
                    )
                )
