"""Demo data for ``make run``: the SJT item bank keyed by simulated experts, and a vacancy
with simulated candidates who have completed it plus one open invitation."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import yaml

from assessments.simulate import (
    simulate_candidates,
    simulate_expert_ratings,
    simulate_most_least_responses,
)
from assessments.sjt.items import Item, Option
from server.core.db import present, utcnow
from server.core.schemas import User
from server.core.vocabulary import ALL_LANGUAGES
from server.hiring import repository as campaigns_repo
from server.hiring import service as forms_service
from server.hiring.repository import Invitation
from server.library import repository as library_repo
from server.respondent import repository as responses
from server.sjt import repository as sjt_bank
from server.tables import Campaign, SjtItem, StaffUser

DEMO_ITEMS = Path(__file__).parents[1] / "data" / "sjt_items.yaml"
N_EXPERTS = 4
N_CANDIDATES = 40
FIRST = (
    "Anna",
    "Maria",
    "Olga",
    "Erik",
    "Lars",
    "Ingrid",
    "Sergei",
    "Elena",
    "Jonas",
    "Sofia",
    "Nils",
    "Irina",
    "Karin",
    "Dmitri",
    "Emma",
    "Oskar",
    "Natalia",
    "Henrik",
    "Aino",
    "Pavel",
)
LAST = (
    "Lindqvist",
    "Petrova",
    "Hansen",
    "Ivanov",
    "Berg",
    "Nilsson",
    "Smirnova",
    "Johansen",
    "Karlsson",
    "Volkova",
    "Dahl",
    "Andersen",
    "Sokolov",
    "Eriksson",
    "Haugen",
    "Morozova",
)


async def load_item_bank(rng: np.random.Generator) -> int:
    """Create the demo items (active) and key them with simulated expert ratings."""
    doc = yaml.safe_load(DEMO_ITEMS.read_text(encoding="utf-8"))
    items = doc["items"]
    width = max(len(it["options"]) for it in items)
    true = np.full((len(items), width), np.nan)
    valid = np.zeros((len(items), width), dtype=bool)
    for i, it in enumerate(items):
        for o, opt in enumerate(it["options"]):
            true[i, o] = opt["effectiveness"]
            valid[i, o] = True
    ratings = simulate_expert_ratings(true, valid, N_EXPERTS, rng)
    for i, it in enumerate(items):
        created = await sjt_bank.create_item(
            Item(
                key=it["key"],
                stem=it["stem"],
                context=it.get("context") or "",
                competencies=tuple(it["competencies"]),
                options=tuple(
                    Option(key=o["key"], text=o["text"], translations=o.get("translations") or {})
                    for o in it["options"]
                ),
                status="active",
                translations=it.get("translations") or {},
            )
        )
        await sjt_bank.add_expert_ratings(
            # type-ignore reason: a stored item always has an id
            created.id,  # type: ignore[arg-type]
            {
                f"Expert {e + 1}": {
                    o["key"]: int(ratings[e, i, n]) for n, o in enumerate(it["options"])
                }
                for e in range(N_EXPERTS)
            },
        )
    return len(items)


async def _owner() -> dict[str, Any]:
    row = (
        await StaffUser.select().where(StaffUser.role == "recruiter").order_by(StaffUser.id).first()
    )
    admin = await StaffUser.select().where(StaffUser.role == "admin").order_by(StaffUser.id).first()
    return present(row or admin, "staff user", "recruiter or admin")


async def load_vacancy(rng: np.random.Generator, var_dir: Path) -> str | None:
    """A vacancy for the operator role: simulated completed candidates and one open link."""
    owner = await _owner()
    if owner is None:
        return None
    role_id = await library_repo.role_id("cs_operator")
    ident = await forms_service.open_campaign(
        name="Customer service operator, spring intake",
        role_id=role_id,
        owner_id=owner["id"],
        form_ids=[],
        blueprint=None,
        opens_at=None,
        closes_at=None,
        time_limit_seconds=None,
        cut_score=55.0,
        languages=None,  # every language the demo bank's items are written in
        key_method="expert",
    )
    user = User(
        id=owner["id"],
        email=owner["email"],
        name=owner["name"],
        role=owner["role"],
        active=True,
        created_at=owner["created_at"],
    )
    campaign = await campaigns_repo.get_campaign(ident, user)
    items = await campaigns_repo.form_items(campaign.form_ids[0])
    comps = sorted({c for it in items for c in it.competencies})
    targets = np.array([[c in it.competencies for c in comps] for it in items], dtype=bool)
    # type-ignore reason: a stored item always has an id
    keys = await sjt_bank.latest_keys([it.id for it in items])  # type: ignore[misc]
    width = max(len(it.options) for it in items)
    eff = np.full((len(items), width), np.nan)
    valid = np.zeros_like(eff, dtype=bool)
    for i, it in enumerate(items):
        # type-ignore reason: a stored item always has an id
        info = sjt_bank.key_info(keys.get(it.id), it)  # type: ignore[arg-type]
        assert info is not None
        eff[i, : len(it.options)] = [info.effectiveness[k] for k in it.option_keys]
        valid[i, : len(it.options)] = True
    abilities = simulate_candidates(N_CANDIDATES, targets, rng)
    most, least = simulate_most_least_responses(
        abilities, targets, eff, valid, rng, discrimination=0.9, baseline=0.4
    )
    pairs = rng.choice(len(FIRST) * len(LAST), size=N_CANDIDATES, replace=False)
    people = [
        Invitation(
            f"{FIRST[p // len(LAST)]} {LAST[p % len(LAST)]}",
            f"candidate{n + 1}@example.com",
        )
        for n, p in enumerate(pairs)
    ]
    # simulated candidates who took the test long ago: no invitations queued for them
    quiet = msgspec.structs.replace(campaign, mail_invitations=False)
    invited = await campaigns_repo.invite(quiet, people)
    now = utcnow()
    for c, cand in enumerate(invited):
        started = now - timedelta(days=int(rng.integers(1, 14)), minutes=int(rng.integers(0, 600)))
        took = timedelta(seconds=float(rng.uniform(0.4, 0.95)) * campaign.time_limit_seconds)
        answers = {
            it.id: {
                "most": it.option_keys[int(most[c, i])],
                "least": it.option_keys[int(least[c, i])],
            }
            for i, it in enumerate(items)
            if not (np.isnan(most[c, i]) or np.isnan(least[c, i]))
        }
        await responses.record_completed(
            cand.id,
            # type-ignore reason: demo answers have the stored answer's shape
            answers,  # type: ignore[arg-type]
            started_at=started,
            deadline_at=started + timedelta(seconds=campaign.time_limit_seconds),
            submitted_at=started + took,
            language=ALL_LANGUAGES[int(rng.integers(len(ALL_LANGUAGES)))],
        )
    open_invite = await campaigns_repo.invite(
        campaign, [Invitation("Alex Demo", "alex.demo@example.com")]
    )
    link = open_invite[0].link or ""
    var_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(var_dir / "demo-links.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(link + "\n")
    return link


async def load(var_dir: Path, seed: int = 20261123) -> None:
    """Load the SJT demo into a database that has none (idempotent)."""
    rng = np.random.default_rng(seed)
    if not await SjtItem.exists():
        await load_item_bank(rng)
    if not await Campaign.exists():
        await load_vacancy(rng, var_dir)


def demo_link(var_dir: Path) -> str | None:
    path = var_dir / "demo-links.txt"
    return path.read_text().strip() or None if path.exists() else None
