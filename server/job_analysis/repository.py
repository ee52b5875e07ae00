"""Storage of job-analysis studies as the facilitator works them (the experts' side is in
``expert_repository``): studies, experts and their links, cards, the draft model, ratings
as a matrix, decisions.

Staff never read which expert wrote a card or gave a rating: cards are returned without
their author, ratings only as the matrix the statistics need (rows in no stated order).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from piccolo.query.functions.aggregate import Max

from assessments.errors import Problem
from reports.markers import N_
from server.core.db import loads, utcnow, write_transaction
from server.core.errors import Conflict, Invalid, NotFound
from server.core.links import derive, new_link
from server.core.schemas import User
from server.core.vocabulary import Lawshe, StudyStep
from server.job_analysis.schemas import Card, Draft, Expert, StudySummary
from server.outbox import expert_mail
from server.settings import get_settings
from server.tables import Competency as CompetencyRow
from server.tables import JobAnalysis as StudyRow
from server.tables import JobAnalysisCard as CardRow
from server.tables import JobAnalysisCompetency as DraftRow
from server.tables import JobAnalysisExpert as ExpertRow
from server.tables import JobAnalysisRating as RatingRow
from server.tables import Role as RoleRow

LINK_PURPOSE = "expert"
LAWSHE_CODES = {Lawshe.NOT_NECESSARY: 0.0, Lawshe.USEFUL: 1.0, Lawshe.ESSENTIAL: 2.0}


@dataclass(frozen=True)
class StudyRecord:
    id: int
    name: str
    role_id: int
    role_key: str
    role_name: str
    role_translations: dict[str, Any]
    step: str
    rules: dict[str, float]
    created_at: datetime
    created_by: int | None
    applied_at: datetime | None
    library_version: int | None


@dataclass(frozen=True)
class RatingMatrix:
    """Experts × draft competencies (columns in ``competency_ids`` order); NaN = no answer."""

    competency_ids: tuple[int, ...]
    importance: np.ndarray
    frequency: np.ndarray
    day_one: np.ndarray
    learnable: np.ndarray
    lawshe: np.ndarray


_STUDY_COLUMNS = (
    StudyRow.id,
    StudyRow.name,
    StudyRow.role,
    StudyRow.role.key,
    StudyRow.role.name,
    StudyRow.role.translations,
    StudyRow.step,
    StudyRow.rules,
    StudyRow.created_at,
    StudyRow.created_by,
    StudyRow.applied_at,
    StudyRow.library_version,
)


def _study(row: dict[str, Any]) -> StudyRecord:
    return StudyRecord(
        id=row["id"],
        name=row["name"],
        role_id=row["role"],
        role_key=row["role.key"],
        role_name=row["role.name"],
        role_translations=loads(row["role.translations"]) or {},
        step=row["step"],
        rules=loads(row["rules"]) or {},
        created_at=row["created_at"],
        created_by=row["created_by"],
        applied_at=row["applied_at"],
        library_version=row["library_version"],
    )


def _visible(user: User) -> Any:
    """Admins see every study; a coach the studies they facilitate."""
    return None if user.role == "admin" else StudyRow.created_by == user.id


# ---- studies ---------------------------------------------------------------------------


async def create_study(name: str, role_id: int, user_id: int) -> int:
    async with write_transaction():
        if not await RoleRow.exists().where(RoleRow.id == role_id):
            raise Invalid([Problem("role_id", f"no role with id {role_id}")])
        row = StudyRow(
            name=name,
            role=role_id,
            step=StudyStep.CARDS,
            rules={},
            created_by=user_id,
            created_at=utcnow(),
        )
        await row.save()
    return int(row.id)


async def get_study(ident: int, user: User) -> StudyRecord:
    """The study, or 404 when there is none this user may see (the same answer either way)."""
    where = StudyRow.id == ident
    visible = _visible(user)
    if visible is not None:
        where = where & visible
    row = await StudyRow.select(*_STUDY_COLUMNS).where(where).first()
    if row is None:
        raise NotFound.of("job analysis", ident)
    return _study(row)


async def list_studies(user: User, *, limit: int, offset: int) -> tuple[list[StudySummary], int]:
    visible = _visible(user)
    query = StudyRow.select(
        StudyRow.id,
        StudyRow.name,
        StudyRow.role,
        StudyRow.role.name,
        StudyRow.step,
        StudyRow.created_at,
        StudyRow.applied_at,
    )
    count = StudyRow.count()
    if visible is not None:
        query = query.where(visible)
        count = count.where(visible)
    rows = await query.order_by(StudyRow.id, ascending=False).limit(limit).offset(offset)
    ids = [r["id"] for r in rows] or [-1]
    experts: dict[int, int] = {}
    for e in await ExpertRow.select(ExpertRow.study).where(ExpertRow.study.is_in(ids)):
        experts[e["study"]] = experts.get(e["study"], 0) + 1
    items = [
        StudySummary(
            id=r["id"],
            name=r["name"],
            role_id=r["role"],
            role_name=r["role.name"],
            step=r["step"],
            experts=experts.get(r["id"], 0),
            created_at=r["created_at"],
            applied_at=r["applied_at"],
        )
        for r in rows
    ]
    return items, await count


async def rename(ident: int, name: str) -> None:
    async with write_transaction():
        await StudyRow.update({StudyRow.name: name}).where(StudyRow.id == ident)


async def set_rules(ident: int, rules: dict[str, float]) -> None:
    async with write_transaction():
        await StudyRow.update({StudyRow.rules: rules}).where(StudyRow.id == ident)


async def move_step(ident: int, from_step: str, to_step: str) -> None:
    """Move the study from ``from_step`` to ``to_step``; 409 when another request moved it."""
    async with write_transaction():
        row = await StudyRow.select(StudyRow.step).where(StudyRow.id == ident).first()
        if row is None:
            raise NotFound.of("job analysis", ident)
        if row["step"] != from_step:
            raise Conflict(f"step: the study is at {row['step']!r} now, not {from_step!r}")
        await StudyRow.update({StudyRow.step: to_step}).where(StudyRow.id == ident)
        if to_step == StudyStep.RATE:
            await expert_mail.queue_rating_invitations(ident)
        await expert_mail.cancel_not_due(ident)


async def mark_applied(ident: int, version: int, user_id: int) -> None:
    async with write_transaction():
        await _applied(ident, version, user_id)
        await expert_mail.cancel_not_due(ident)


async def _applied(ident: int, version: int, user_id: int) -> None:
    await StudyRow.update(
        {
            StudyRow.step: StudyStep.APPLIED,
            StudyRow.applied_at: utcnow(),
            StudyRow.applied_by: user_id,
            StudyRow.library_version: version,
        }
    ).where(StudyRow.id == ident)


# ---- experts ---------------------------------------------------------------------------


def expert_link(nonce: str) -> str:
    """The expert's link path, derived again from the nonce (the same link every time)."""
    return f"/expert/{derive(get_settings().secret_key, LINK_PURPOSE, nonce)}"


async def list_experts(study_id: int) -> list[Expert]:
    rows = await ExpertRow.select().where(ExpertRow.study == study_id).order_by(ExpertRow.id)
    counts: dict[int, int] = {}
    for c in await CardRow.select(CardRow.expert).where(CardRow.study == study_id):
        counts[c["expert"]] = counts.get(c["expert"], 0) + 1
    return [
        Expert(
            id=r["id"],
            name=r["name"],
            email=r["email"],
            kind=r["kind"],
            language=r["language"],
            invited_at=r["invited_at"],
            cards_done=r["cards_done_at"] is not None,
            ratings_done=r["ratings_done_at"] is not None,
            cards=counts.get(r["id"], 0),
        )
        for r in rows
    ]


async def add_expert(study_id: int, *, name: str, email: str, kind: str, language: str) -> Expert:
    email = email.strip().lower()
    nonce, _token, hashed = new_link(get_settings().secret_key, LINK_PURPOSE)
    async with write_transaction():
        if await ExpertRow.exists().where(
            (ExpertRow.study == study_id) & (ExpertRow.email == email)
        ):
            raise Conflict(
                f"email: {email} is already an expert of this study",
                problems=[Problem("email", N_("this person is already an expert of this study"))],
            )
        row = ExpertRow(
            study=study_id,
            name=name,
            email=email,
            kind=kind,
            language=language,
            token_hash=hashed,
            link_nonce=nonce,
            invited_at=utcnow(),
        )
        await row.save()
        await expert_mail.queue_expert_invitation(int(row.id), language)
    expert = next(e for e in await list_experts(study_id) if e.id == row.id)
    expert.link = expert_link(nonce)
    return expert


async def new_expert_link(study_id: int, expert_id: int) -> Expert:
    """A new link for the expert; the old one stops working at once."""
    nonce, _token, hashed = new_link(get_settings().secret_key, LINK_PURPOSE)
    async with write_transaction():
        found = await ExpertRow.exists().where(
            (ExpertRow.id == expert_id) & (ExpertRow.study == study_id)
        )
        if not found:
            raise NotFound.of("expert", expert_id)
        await ExpertRow.update({ExpertRow.link_nonce: nonce, ExpertRow.token_hash: hashed}).where(
            ExpertRow.id == expert_id
        )
        # the new link by e-mail (what the study asks of the expert now)
        row = await ExpertRow.select(ExpertRow.language).where(ExpertRow.id == expert_id).first()
        await expert_mail.queue_expert_invitation(expert_id, row["language"] if row else "")
    expert = next(e for e in await list_experts(study_id) if e.id == expert_id)
    expert.link = expert_link(nonce)
    return expert


async def expert_links(study_id: int) -> dict[int, str]:
    """Each expert's link (derived again; for the facilitator's copy buttons)."""
    rows = await ExpertRow.select(ExpertRow.id, ExpertRow.link_nonce).where(
        ExpertRow.study == study_id
    )
    return {r["id"]: expert_link(r["link_nonce"]) for r in rows if r["link_nonce"]}


async def remove_expert(study_id: int, expert_id: int) -> None:
    """Remove an expert with their cards and ratings (before the study is decided)."""
    async with write_transaction():
        deleted = (
            await ExpertRow.delete()
            .where((ExpertRow.id == expert_id) & (ExpertRow.study == study_id))
            .returning(ExpertRow.id)
        )
        if not deleted:
            raise NotFound.of("expert", expert_id)


async def experts_by_kind(study_id: int) -> dict[str, int]:
    out = {"incumbent": 0, "manager": 0, "trainer": 0}
    for r in await ExpertRow.select(ExpertRow.kind).where(ExpertRow.study == study_id):
        out[r["kind"]] = out.get(r["kind"], 0) + 1
    return out


# ---- cards and the draft model ---------------------------------------------------------


async def list_cards(study_id: int) -> list[Card]:
    rows = await (
        CardRow.select(CardRow.id, CardRow.text, CardRow.source, CardRow.group, CardRow.polarity)
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


async def cards_by_draft(study_id: int) -> dict[int, list[tuple[str, str, str]]]:
    """Each group's cards as ``(text, polarity, source)``, without their authors."""
    out: dict[int, list[tuple[str, str, str]]] = {}
    rows = await (
        CardRow.select(CardRow.group, CardRow.text, CardRow.polarity, CardRow.source)
        .where((CardRow.study == study_id) & CardRow.group.is_not_null())
        .order_by(CardRow.id)
    )
    for r in rows:
        out.setdefault(r["group"], []).append((r["text"], r["polarity"], r["source"]))
    return out
