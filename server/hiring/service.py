"""Building test forms: pick the role's select-for competencies, keep items whose key can
tell answers apart, avoid items the bank's statistics flag, assemble, then store."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import Any

import anyio.to_thread
import numpy as np

from assessments.errors import Problem
from assessments.sjt.discrimination import discriminates
from assessments.sjt.forms import Blueprint, assemble_forms
from assessments.sjt.items import Item
from server.core.errors import Invalid
from server.core.vocabulary import ItemStatus
from server.hiring import ranking as ranking_steps
from server.hiring import repository as campaigns_repo
from server.library import repository as library_repo
from server.sjt import repository as sjt_bank
from server.sjt.item_stats import avoided_keys
from server.sjt.schemas import ItemKey
from server.sjt.schemas import SjtForm as FormOut

__all__ = ["build_forms", "open_campaign"]


def _discriminates(item: Item, key: ItemKey | None, blueprint: Blueprint, method: str) -> bool:
    """Whether the item's key lets answers score differently under the blueprint's method.

    Items without a key (consensus keying) and items of other formats pass; an item whose
    key rates every option alike is kept out of new forms (scoring would leave it out).
    """
    if key is None or blueprint.format not in item.formats:
        return True
    eff = np.array([[key.effectiveness[k] for k in item.option_keys]])
    try:
        found = discriminates(
            eff, np.ones(eff.shape, dtype=bool), format=blueprint.format, method=method
        )
    except ValueError:  # a flat key cannot even be standardized
        return False
    return bool(found[0])


async def build_forms(
    role_id: int,
    blueprint: Blueprint,
    *,
    name: str = "",
    seed: int | None = None,
    require_keys: bool = True,
) -> list[FormOut]:
    """Assemble and store forms for the role's select-for competencies (see ``assemble_forms``)."""
    role = await library_repo.get_role(role_id)
    selected, _ = await library_repo.list_competencies(
        role=str(role_id), flag="select_for", limit=500
    )
    if not selected:
        raise Invalid(
            [Problem("role_id", f"role {role.key!r} has no select-for competency to test")]
        )
    listed, _ = await sjt_bank.list_items(status=ItemStatus.ACTIVE, limit=100_000)
    try:
        method = blueprint.scoring_method()
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise Invalid([Problem(f"blueprint.{field}", message)]) from None
    usable = [(item, key) for item, key in listed if key is not None or not require_keys]
    # exact bounds can take a while (correlation scoring enumerates rating vectors): off
    # the event loop
    keep = await anyio.to_thread.run_sync(
        lambda: [_discriminates(item, key, blueprint, method) for item, key in usable]
    )
    bank = [item for (item, _), ok in zip(usable, keep, strict=True) if ok]
    seed = seed if seed is not None else secrets.randbits(32)
    avoid = await avoided_keys({it.id: it.key for it in bank if it.id is not None})
    try:
        forms = assemble_forms(
            bank,
            [c.key for c in selected],
            blueprint,
            np.random.default_rng(seed),
            avoid=avoid,
        )
    except ValueError as exc:
        field, _, message = str(exc).partition(": ")
        raise Invalid([Problem(f"blueprint.{field}", message)]) from None
    return await campaigns_repo.store_forms(
        role, forms, blueprint, method=method, seed=seed, name=name
    )


async def open_campaign(
    *,
    name: str,
    role_id: int,
    owner_id: int,
    form_ids: Sequence[int],
    blueprint: Blueprint | None,
    opens_at: Any,
    closes_at: Any,
    time_limit_seconds: int | None,
    cut_score: float | None,
    languages: Sequence[str],
    key_method: str,
    omitted: str = "lowest",
) -> int:
    """Open a vacancy over the given forms, or over forms built for it from ``blueprint``
    when none is given (nothing is built for a request that is refused)."""
    await campaigns_repo.check_campaign(
        role_id=role_id, form_ids=form_ids, opens_at=opens_at, closes_at=closes_at
    )
    if not form_ids:
        forms = await build_forms(
            role_id, blueprint or Blueprint(), require_keys=key_method == "expert"
        )
        form_ids = [f.id for f in forms]
    return await campaigns_repo.create_campaign(
        name=name,
        role_id=role_id,
        owner_id=owner_id,
        form_ids=form_ids,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_seconds=time_limit_seconds,
        cut_score=cut_score,
        languages=languages,
        key_method=key_method,
        omitted=omitted,
    )


class HiringService:
    """The hiring slice's orchestration as controllers receive it by dependency injection
    (``hiring_service`` in a handler's parameters): forms built from the bank, vacancies
    opened, and the scoring, ranking and analysis of :mod:`server.hiring.ranking`."""

    build_forms = staticmethod(build_forms)
    open_campaign = staticmethod(open_campaign)
    ranking = staticmethod(ranking_steps.ranking)
    ranking_and_analysis = staticmethod(ranking_steps.ranking_and_analysis)
    reliability = staticmethod(ranking_steps.reliability)
