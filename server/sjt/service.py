"""Expert keying by link: inviting subject-matter experts, keeping and submitting their ratings.

Submitting stores each item's ratings with ``repository.add_expert_ratings``, the code the
API's ``POST /api/v1/sjt/items/{id}/expert-ratings`` runs, so the item's key, agreement and
flags are derived the same way whichever door the ratings came through.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assessments.errors import Problem
from assessments.sjt.items import RATE_SCALE, Item
from server.core.db import write_transaction
from server.core.errors import Conflict, Invalid
from server.core.i18n_words import N_
from server.core.validation import problems
from server.sjt import repository as bank
from server.sjt.schemas import ExpertInviteIn, ExpertLink

LOW, HIGH = RATE_SCALE


async def invite_expert(doc: Mapping[str, Any], invited_by: int | None) -> tuple[ExpertLink, str]:
    """A link for one expert to key ``doc["item_ids"]``; refuses retired or unknown items
    and a second open link of the same e-mail for the same item."""
    found = problems(dict(doc), ExpertInviteIn)
    if found:
        raise Invalid(found)
    # messages below are msgids: the pages show them translated
    item_ids = list(dict.fromkeys(int(i) for i in doc["item_ids"]))
    items = await bank.items_by_id(item_ids)
    bad = [i for i in item_ids if i not in items or items[i].status == "retired"]
    if bad:
        raise Invalid([Problem("item_ids", N_("Choose items of the bank that are not retired."))])
    email = str(doc.get("email") or "").strip().lower()
    if email and await bank.open_links_for(email, item_ids):
        raise Invalid(
            [Problem("email", N_("This expert already has an open link for one of these items."))]
        )
    return await bank.create_expert_link(
        name=str(doc["name"]).strip(),
        email=email,
        language=str(doc.get("language") or "en"),
        item_ids=item_ids,
        invited_by=invited_by,
    )


def read_ratings(
    items: Mapping[int, Item], raw: Mapping[str, Any]
) -> tuple[dict[int, dict[str, int]], list[Problem]]:
    """Ratings posted as ``r-<item id>-<option key>`` = 1..7 (empty: not rated yet).

    Problems name the field (``items[<id>].<option>``)."""
    out: dict[int, dict[str, int]] = {}
    found: list[Problem] = []
    for item_id, item in items.items():
        given: dict[str, int] = {}
        for key in item.option_keys:
            value = str(raw.get(f"r-{item_id}-{key}") or "").strip()
            if not value:
                continue
            if not value.isdigit() or not LOW <= int(value) <= HIGH:
                found.append(Problem(f"items[{item_id}].{key}", f"a rating from {LOW} to {HIGH}"))
                continue
            given[key] = int(value)
        out[item_id] = given
    return out, found


def unrated(items: Mapping[int, Item], ratings: Mapping[int, Mapping[str, int]]) -> list[Problem]:
    """Every option not yet rated, by field."""
    return [
        Problem(f"items[{item_id}].{key}", "not rated yet")
        for item_id, item in items.items()
        for key in item.option_keys
        if key not in ratings.get(item_id, {})
    ]


async def items_of(link: ExpertLink) -> dict[int, Item]:
    """The link's items in the order they were given (items deleted since are left out)."""
    found = await bank.items_by_id([i.item_id for i in link.items])
    return {i.item_id: found[i.item_id] for i in link.items if i.item_id in found}


async def save_draft(link: ExpertLink, ratings: Mapping[int, Mapping[str, int]]) -> None:
    if not await bank.save_expert_ratings_draft(link.id, ratings):
        raise Conflict("these ratings have been submitted and can no longer be changed")


async def submit(link: ExpertLink, ratings: Mapping[int, Mapping[str, int]]) -> None:
    """Count the expert's ratings in each item's key, all items or none; the link is then
    closed. Refused while an option is unrated, and once submitted."""
    items = await items_of(link)
    missing = unrated(items, ratings)
    if missing:
        raise Invalid(missing)
    async with write_transaction():
        # the draft save checks (inside this transaction) that the link is still open
        await save_draft(link, ratings)
        await bank.mark_expert_link_submitted(link.id)
        for item_id in items:
            await bank.add_expert_ratings(item_id, {link.expert: ratings[item_id]})
