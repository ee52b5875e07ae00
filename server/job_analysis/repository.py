"""Storage of job-analysis studies as the facilitator works them: studies, their steps,
experts and their links (the cards, the draft model, decisions and ratings are in
``model_repository``; the experts' own side in ``expert_repository``).

Staff never read which expert wrote a card or gave a rating: cards are returned without
their author, ratings only as the matrix the statistics need (rows in no stated order).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assessments.errors import Problem
from reports.markers import N_
from server.core.db import loads, utcnow, write_transaction
from server.core.errors import Conflict, Invalid, NotFound
from server.core.links import derive, new_link
from server.core.schemas import User
from server.core.vocabulary import StudyStep
from server.job_analysis.schemas import Expert, StudySummary
from server.outbox import expert_mail
from server.settings import get_settings
from server.tables import JobAnalysis as StudyRow
from server.tables import JobAnalysisCard as CardRow
from server.tables import JobAnalysisExpert as ExpertRow
from server.tables import Role as RoleRow

LINK_PURPOSE = "expert"


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


async def list_studies(
    user: User, *, limit: int, offset: int, lang: str = "en"
) -> tuple[list[StudySummary], int]:
    """The studies this user may see, newest first; role names in ``lang``."""
    visible = _visible(user)
    query = StudyRow.select(
        StudyRow.id,
        StudyRow.name,
        StudyRow.role,
        StudyRow.role.name,
        StudyRow.role.translations,
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
            role_name=((loads(r["role.translations"]) or {}).get(lang) or {}).get("name")
            or r["role.name"],
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
        # one conditional statement, so that on PostgreSQL (read committed) two requests
        # cannot both read the old step and both move on
        moved = (
            await StudyRow.update({StudyRow.step: to_step})
            .where((StudyRow.id == ident) & (StudyRow.step == from_step))
            .returning(StudyRow.id)
        )
        if not moved:
            row = await StudyRow.select(StudyRow.step).where(StudyRow.id == ident).first()
            if row is None:
                raise NotFound.of("job analysis", ident)
            raise Conflict(f"step: the study is at {row['step']!r} now, not {from_step!r}")
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


async def experts_by_kind(study_id: int) -> dict[str, int]:
    out = {"incumbent": 0, "manager": 0, "trainer": 0}
    for r in await ExpertRow.select(ExpertRow.kind).where(ExpertRow.study == study_id):
        out[r["kind"]] = out.get(r["kind"], 0) + 1
    return out
