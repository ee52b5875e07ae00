"""Studies set up row by row for the expert-page tests (the staff API makes them in use).

Each expert's link is made as the staff side makes it: ``server.core.links.new_link`` with
the server's secret key and the purpose ``expert``; the row keeps the nonce and the hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from server.core.db import utcnow
from server.core.links import new_link
from server.settings import get_settings
from server.tables import (
    JobAnalysis,
    JobAnalysisCard,
    JobAnalysisCompetency,
    JobAnalysisExpert,
    Role,
)


@dataclass(frozen=True)
class Expert:
    id: int
    token: str

    @property
    def page(self) -> str:
        return f"/expert/{self.token}"

    @property
    def api(self) -> str:
        return f"/api/v1/expert/{self.token}"


async def make_study(
    name: str = "Operators 2026", role: str = "cs_operator", step: str = "cards"
) -> int:
    found = await Role.select(Role.id).where(Role.key == role).first()
    assert found is not None, f"role {role} (the demo library)"
    row = JobAnalysis(name=name, role=found["id"], step=step, created_at=utcnow())
    await row.save()
    return int(row.id)


async def set_step(study: int, step: str) -> None:
    await JobAnalysis.update({JobAnalysis.step: step}).where(JobAnalysis.id == study)


async def make_expert(
    study: int, name: str, *, language: str = "en", kind: str = "incumbent"
) -> Expert:
    nonce, token, hashed = new_link(get_settings().secret_key, "expert")
    row = JobAnalysisExpert(
        study=study,
        name=name,
        email=f"{name.lower().replace(' ', '.')}@example.org",
        kind=kind,
        language=language,
        token_hash=hashed,
        link_nonce=nonce,
        invited_at=utcnow(),
    )
    await row.save()
    return Expert(id=int(row.id), token=token)


async def make_draft(study: int, name: str, definition: str = "", position: int = 0) -> int:
    key = name.lower().replace(" ", "_")
    row = JobAnalysisCompetency(
        study=study, key=key, name=name, definition=definition, position=position
    )
    await row.save()
    return int(row.id)


async def make_card(
    study: int, expert: Expert, text: str, *, group: int | None = None, polarity: str = "present"
) -> int:
    row = JobAnalysisCard(
        study=study,
        expert=expert.id,
        text=text,
        group=group,
        polarity=polarity,
        created_at=utcnow(),
    )
    await row.save()
    return int(row.id)


async def sort_card(card: int, group: int | None, polarity: str = "present") -> None:
    await JobAnalysisCard.update(
        {JobAnalysisCard.group: group, JobAnalysisCard.polarity: polarity}
    ).where(JobAnalysisCard.id == card)


async def expert_row(expert: Expert) -> dict[str, Any]:
    """The expert's row as stored now."""
    row = await JobAnalysisExpert.select().where(JobAnalysisExpert.id == expert.id).first()
    assert row is not None
    return row
