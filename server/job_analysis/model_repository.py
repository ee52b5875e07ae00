"""Storage of a study's model as the facilitator builds it: the cards (never with their
authors), the draft competencies they are sorted into, the decisions, and every rating as
matrices for the statistics (rows are experts in no stated order; only figures over all
rows are shown)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from piccolo.query.functions.aggregate import Max

from assessments.errors import Problem
from reports.markers import N_
from server.core.db import utcnow, write_transaction
from server.core.errors import Conflict, Invalid, NotFound
from server.core.vocabulary import Lawshe
from server.job_analysis.schemas import Card, Draft
from server.tables import Competency as CompetencyRow
from server.tables import JobAnalysisCard as CardRow
from server.tables import JobAnalysisCompetency as DraftRow
from server.tables import JobAnalysisRating as RatingRow

LAWSHE_CODES = {Lawshe.NOT_NECESSARY: 0.0, Lawshe.USEFUL: 1.0, Lawshe.ESSENTIAL: 2.0}


@dataclass(frozen=True)
class RatingMatrix:
    """Experts × draft competencies (columns in ``competency_ids`` order); NaN = no answer."""

    competency_ids: tuple[int, ...]
    importance: np.ndarray
    frequency: np.ndarray
    day_one: np.ndarray
    learnable: np.ndarray
    lawshe: np.ndarray


# ---- cards and the draft model ---------------------------------------------------------


async def list_cards(study_id: int) -> list[Card]:
    rows = await (
        CardRow.select(
            CardRow.id,
            CardRow.text,
            CardRow.source,
            CardRow.group,
            CardRow.polarity,
            CardRow.expert.language,
        )
        .where(CardRow.study == study_id)
        .order_by(CardRow.text)
        .order_by(CardRow.id)
    )
    return [
        Card(
            id=r["id"],
            text=r["text"],
            source=r["source"],
            competency_id=r["group"],
            polarity=r["polarity"],
            language=r["expert.language"],
        )
        for r in rows
    ]


async def sort_cards(study_id: int, moves: Sequence[tuple[int, int | None, str]]) -> None:
    """Put each card ``(card id, draft competency id or None, polarity)`` where it goes.

    Every id must belong to the study: one foreign id and nothing changes (404)."""
    if not moves:
        return
    async with write_transaction():
        card_ids = {m[0] for m in moves}
        own = await CardRow.select(CardRow.id).where(
            (CardRow.study == study_id) & CardRow.id.is_in(list(card_ids))
        )
        missing = card_ids - {r["id"] for r in own}
        if missing:
            raise NotFound.of("card", min(missing))
        group_ids = {m[1] for m in moves if m[1] is not None}
        if group_ids:
            groups = await DraftRow.select(DraftRow.id).where(
                (DraftRow.study == study_id) & DraftRow.id.is_in(list(group_ids))
            )
            unknown = group_ids - {r["id"] for r in groups}
            if unknown:
                raise NotFound.of("competency of this study", min(unknown))
        for card_id, group, polarity in moves:
            await CardRow.update({CardRow.group: group, CardRow.polarity: polarity}).where(
                CardRow.id == card_id
            )


async def list_drafts(study_id: int) -> list[Draft]:
    rows = await (
        DraftRow.select(
            DraftRow.id,
            DraftRow.key,
            DraftRow.name,
            DraftRow.definition,
            DraftRow.competency.key,
            DraftRow.position,
            DraftRow.select_for,
            DraftRow.develop,
            DraftRow.reason,
        )
        .where(DraftRow.study == study_id)
        .order_by(DraftRow.position)
        .order_by(DraftRow.id)
    )
    counts: dict[int, int] = {}
    for c in await CardRow.select(CardRow.group).where(
        (CardRow.study == study_id) & CardRow.group.is_not_null()
    ):
        counts[c["group"]] = counts.get(c["group"], 0) + 1
    return [
        Draft(
            id=r["id"],
            key=r["key"],
            name=r["name"],
            definition=r["definition"],
            library_key=r["competency.key"],
            position=r["position"],
            cards=counts.get(r["id"], 0),
            select_for=r["select_for"],
            develop=r["develop"],
            reason=r["reason"],
        )
        for r in rows
    ]


def slug(name: str) -> str:
    """A key from a name: lower-case ASCII letters, digits and underscores, first a letter."""
    text = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    if not text or not text[0].isalpha():
        text = "c_" + text
    return text[:56].rstrip("_") or "competency"


async def _library_id(key: str | None, field: str) -> int | None:
    if key is None:
        return None
    row = await CompetencyRow.select(CompetencyRow.id).where(CompetencyRow.key == key).first()
    if row is None:
        raise Invalid([Problem(field, f"no library competency with key {key!r}")])
    return int(row["id"])


async def _unique_key(study_id: int, key: str, except_id: int | None = None) -> str:
    taken = {
        r["key"]
        for r in await DraftRow.select(DraftRow.key, DraftRow.id).where(DraftRow.study == study_id)
        if r["id"] != except_id
    }
    out, n = key, 2
    while out in taken:
        out, n = f"{key[:60]}_{n}", n + 1
    return out


async def create_draft(
    study_id: int, *, name: str, definition: str, key: str | None, library_key: str | None
) -> int:
    async with write_transaction():
        library_id = await _library_id(library_key, "library_key")
        if library_id is not None and await DraftRow.exists().where(
            (DraftRow.study == study_id) & (DraftRow.competency == library_id)
        ):
            raise Conflict(
                f"library_key: {library_key} is already linked to a group of this study",
                problems=[Problem("library_key", N_("already linked to another group"))],
            )
        top = await DraftRow.select(Max(DraftRow.position, alias="m")).where(
            DraftRow.study == study_id
        )
        position = (top[0]["m"] if top and top[0]["m"] is not None else -1) + 1
        row = DraftRow(
            study=study_id,
            key=await _unique_key(study_id, key or library_key or slug(name)),
            name=name,
            definition=definition,
            competency=library_id,
            position=position,
        )
        await row.save()
    return int(row.id)


async def _draft_of(study_id: int, draft_id: int) -> dict[str, Any]:
    row = (
        await DraftRow.select()
        .where((DraftRow.id == draft_id) & (DraftRow.study == study_id))
        .first()
    )
    if row is None:
        raise NotFound.of("competency of this study", draft_id)
    return row


async def update_draft(
    study_id: int,
    draft_id: int,
    *,
    name: str | None,
    definition: str | None,
    library_key: str | None,
    unlink: bool,
) -> None:
    async with write_transaction():
        await _draft_of(study_id, draft_id)
        values: dict[Any, Any] = {}
        if name is not None:
            values[DraftRow.name] = name
        if definition is not None:
            values[DraftRow.definition] = definition
        if unlink:
            values[DraftRow.competency] = None
        elif library_key is not None:
            library_id = await _library_id(library_key, "library_key")
            if await DraftRow.exists().where(
                (DraftRow.study == study_id)
                & (DraftRow.competency == library_id)
                & (DraftRow.id != draft_id)
            ):
                raise Conflict(
                    f"library_key: {library_key} is already linked to a group of this study",
                    problems=[Problem("library_key", N_("already linked to another group"))],
                )
            values[DraftRow.competency] = library_id
        if values:
            await DraftRow.update(values).where(DraftRow.id == draft_id)


async def delete_draft(study_id: int, draft_id: int) -> None:
    """Delete a group: its cards go back to the unsorted pile, its ratings are deleted."""
    async with write_transaction():
        await _draft_of(study_id, draft_id)
        await CardRow.update({CardRow.group: None}).where(CardRow.group == draft_id)
        await DraftRow.delete().where(DraftRow.id == draft_id)


async def merge_drafts(study_id: int, source_id: int, into_id: int) -> None:
    """Move every card of ``source_id`` to ``into_id`` and delete ``source_id``."""
    if source_id == into_id:
        raise Invalid([Problem("into", N_("a group cannot be merged into itself"))])
    async with write_transaction():
        await _draft_of(study_id, source_id)
        await _draft_of(study_id, into_id)
        await CardRow.update({CardRow.group: into_id}).where(CardRow.group == source_id)
        await DraftRow.delete().where(DraftRow.id == source_id)


async def set_decision(
    study_id: int, draft_id: int, *, select_for: bool, develop: bool, reason: str, user_id: int
) -> None:
    async with write_transaction():
        await _draft_of(study_id, draft_id)
        await DraftRow.update(
            {
                DraftRow.select_for: select_for,
                DraftRow.develop: develop,
                DraftRow.reason: reason,
                DraftRow.decided_by: user_id,
                DraftRow.decided_at: utcnow(),
            }
        ).where(DraftRow.id == draft_id)


async def clear_decisions(study_id: int) -> None:
    """Forget every decision (the ratings changed: a step back from decide)."""
    await DraftRow.update(
        {DraftRow.select_for: None, DraftRow.develop: None, DraftRow.reason: ""}
    ).where(DraftRow.study == study_id)


# ---- ratings ---------------------------------------------------------------------------


async def rating_matrix(study_id: int, competency_ids: Sequence[int]) -> RatingMatrix:
    """Every rating of the study as experts × competencies matrices (NaN: cannot say).

    Rows are the experts who rated anything; callers show only figures over all rows."""
    columns = {cid: j for j, cid in enumerate(competency_ids)}
    rows = await (
        RatingRow.select(
            RatingRow.expert,
            RatingRow.competency,
            RatingRow.importance,
            RatingRow.frequency,
            RatingRow.day_one,
            RatingRow.learnable,
            RatingRow.lawshe,
        )
        .where(RatingRow.competency.is_in(list(competency_ids) or [-1]))
        .order_by(RatingRow.expert)
    )
    experts = sorted({r["expert"] for r in rows})
    index = {e: i for i, e in enumerate(experts)}
    shape = (len(experts), len(competency_ids))
    out = {name: np.full(shape, np.nan) for name in ("imp", "freq", "day", "learn", "law")}

    def num(value: Any) -> float:
        return np.nan if value is None else float(value)

    for r in rows:
        i, j = index[r["expert"]], columns[r["competency"]]
        out["imp"][i, j] = num(r["importance"])
        out["freq"][i, j] = num(r["frequency"])
        out["day"][i, j] = num(r["day_one"])
        out["learn"][i, j] = num(r["learnable"])
        out["law"][i, j] = LAWSHE_CODES.get(r["lawshe"], np.nan) if r["lawshe"] else np.nan
    return RatingMatrix(
        competency_ids=tuple(competency_ids),
        importance=out["imp"],
        frequency=out["freq"],
        day_one=out["day"],
        learnable=out["learn"],
        lawshe=out["law"],
    )


@dataclass(frozen=True)
class SortedIndicator:
    """The cards of one group that say the same (equal texts, ignoring case and spacing,
    with the same polarity) as one indicator: how many cards, and which library
    competencies or behaviours they were picked from."""

    text: str
    polarity: str
    cards: int
    sources: tuple[str, ...]


async def indicators_by_draft(study_id: int) -> dict[int, list[SortedIndicator]]:
    """Each group's indicators, in the order their first card was written (no authors)."""
    rows = await (
        CardRow.select(CardRow.group, CardRow.text, CardRow.polarity, CardRow.source)
        .where((CardRow.study == study_id) & CardRow.group.is_not_null())
        .order_by(CardRow.id)
    )
    merged: dict[int, dict[tuple[str, str], SortedIndicator]] = {}
    for r in rows:
        group = merged.setdefault(r["group"], {})
        mark = (" ".join(r["text"].split()).casefold(), r["polarity"])
        one = group.get(mark) or SortedIndicator(r["text"].strip(), r["polarity"], 0, ())
        sources = one.sources + (
            (r["source"],) if r["source"] and r["source"] not in one.sources else ()
        )
        group[mark] = SortedIndicator(one.text, one.polarity, one.cards + 1, sources)
    return {g: list(found.values()) for g, found in merged.items()}
