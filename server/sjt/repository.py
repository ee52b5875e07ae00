"""Storage of the SJT item bank: items, expert ratings and versioned keys."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec
import numpy as np

from assessments.errors import Problem
from assessments.sjt.items import Item, Option, item_problems
from assessments.sjt.keys import direct_key, expert_key
from server.core.db import loads, utcnow, write_transaction
from server.core.errors import Conflict, Invalid, NotFound
from server.core.tokens import new_token, token_hash
from server.sjt.schemas import ExpertLink, ExpertLinkItem, ItemKey
from server.tables import Competency as CompetencyRow
from server.tables import ExpertLink as LinkRow
from server.tables import ExpertLinkItem as LinkItemRow
from server.tables import ExpertRating, SjtFormItem, SjtItemCompetency, SjtKey
from server.tables import SjtItem as ItemRow

_CONTENT = ("stem", "context", "options", "translations", "formats")


def _item(row: Mapping[str, Any], competencies: Sequence[str]) -> Item:
    return Item(
        id=row["id"],
        key=row["key"],
        stem=row["stem"],
        context=row["context"],
        status=row["status"],
        version=row["version"],
        formats=tuple(loads(row["formats"])),
        options=tuple(msgspec.convert(o, Option) for o in loads(row["options"])),
        competencies=tuple(competencies),
        translations=loads(row["translations"]) or {},
    )


def key_info(row: Mapping[str, Any] | None, item: Item) -> ItemKey | None:
    """The stored key as an API struct, or ``None`` when it no longer fits the options."""
    if row is None:
        return None
    eff: dict[str, float] = loads(row["effectiveness"])
    if set(eff) != set(item.option_keys):
        return None
    ordered = {k: float(eff[k]) for k in item.option_keys}
    return ItemKey(
        version=row["version"],
        method=row["method"],
        effectiveness=ordered,
        best=max(ordered, key=lambda k: ordered[k]),
        worst=min(ordered, key=lambda k: ordered[k]),
        sd=loads(row["sd"]) or {},
        n_experts=row["n_experts"],
        rwg=row["rwg"],
        flagged=bool(row["flagged"]),
        reasons=loads(row["reasons"]) or [],
        created_at=row["created_at"],
    )


async def _competencies_of(item_ids: Sequence[int]) -> dict[int, list[str]]:
    if not item_ids:
        return {}
    rows = (
        await SjtItemCompetency.select(SjtItemCompetency.item, SjtItemCompetency.competency.key)
        .where(SjtItemCompetency.item.is_in(list(item_ids)))
        .order_by(SjtItemCompetency.id)
    )
    out: dict[int, list[str]] = {}
    for r in rows:
        out.setdefault(r["item"], []).append(r["competency.key"])
    return out


async def latest_keys(item_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The latest key row of each item (by version)."""
    if not item_ids:
        return {}
    rows = (
        await SjtKey.select()
        .where(SjtKey.item.is_in(list(item_ids)))
        .order_by(SjtKey.item)
        .order_by(SjtKey.version)
    )
    return {r["item"]: r for r in rows}


async def items_by_id(item_ids: Sequence[int]) -> dict[int, Item]:
    if not item_ids:
        return {}
    rows = await ItemRow.select().where(ItemRow.id.is_in(list(item_ids)))
    comps = await _competencies_of([r["id"] for r in rows])
    return {r["id"]: _item(r, comps.get(r["id"], [])) for r in rows}


async def list_items(
    *,
    status: str | None = None,
    competency: str | None = None,
    flagged: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[tuple[Item, ItemKey | None]], int]:
    where = []
    if status:
        where.append(ItemRow.status == status)
    if competency:
        rows = await SjtItemCompetency.select(SjtItemCompetency.item).where(
            SjtItemCompetency.competency.key == competency
        )
        where.append(ItemRow.id.is_in([r["item"] for r in rows] or [-1]))
    rows = await ItemRow.select().where(*where).order_by(ItemRow.id)
    comps = await _competencies_of([r["id"] for r in rows])
    keys = await latest_keys([r["id"] for r in rows])
    out = []
    for r in rows:
        item = _item(r, comps.get(r["id"], []))
        info = key_info(keys.get(r["id"]), item)
        if flagged is not None and (info is not None and info.flagged) != flagged:
            continue
        out.append((item, info))
    return out[offset : offset + limit], len(out)


async def get_item(ident: int) -> tuple[Item, ItemKey | None]:
    found = await items_by_id([ident])
    if ident not in found:
        raise NotFound.of("item", ident)
    item = found[ident]
    return item, key_info((await latest_keys([ident])).get(ident), item)


async def _competency_ids(item: Item) -> dict[str, int]:
    rows = await CompetencyRow.select(CompetencyRow.id, CompetencyRow.key).where(
        CompetencyRow.key.is_in(list(item.competencies))
    )
    ids = {r["key"]: r["id"] for r in rows}
    problems = [Problem(p, m) for p, m in item_problems(item)]
    problems += [
        Problem(f"competencies[{n}]", f"unknown competency {k!r}")
        for n, k in enumerate(item.competencies)
        if k not in ids
    ]
    if problems:
        raise Invalid(problems)
    return ids


def _values(item: Item) -> dict[str, Any]:
    return {
        "key": item.key,
        "stem": item.stem,
        "context": item.context,
        "status": item.status,
        "formats": list(item.formats),
        "options": msgspec.to_builtins(list(item.options)),
        "translations": msgspec.to_builtins(item.translations),
        "updated_at": utcnow(),
    }


async def create_item(item: Item) -> Item:
    async with write_transaction():
        ids = await _competency_ids(item)
        if await ItemRow.exists().where(ItemRow.key == item.key):
            raise Conflict(f"key: an item with key {item.key!r} already exists")
        row = ItemRow(**_values(item), version=1, created_at=utcnow())
        await row.save()
        await SjtItemCompetency.insert(
            *(SjtItemCompetency(item=row.id, competency=ids[k]) for k in item.competencies)
        )
    return (await get_item(row.id))[0]


async def update_item(ident: int, item: Item) -> Item:
    """Replace an item; its version goes up when the scenario or its options change."""
    async with write_transaction():
        old, _ = await get_item(ident)
        ids = await _competency_ids(item)
        if await ItemRow.exists().where((ItemRow.key == item.key) & (ItemRow.id != ident)):
            raise Conflict(f"key: an item with key {item.key!r} already exists")
        values = _values(item)
        old_values = _values(old)
        changed = any(values[k] != old_values[k] for k in _CONTENT)
        values["version"] = old.version + 1 if changed else old.version
        await ItemRow.update({getattr(ItemRow, k): v for k, v in values.items()}).where(
            ItemRow.id == ident
        )
        await SjtItemCompetency.delete().where(SjtItemCompetency.item == ident)
        await SjtItemCompetency.insert(
            *(SjtItemCompetency(item=ident, competency=ids[k]) for k in item.competencies)
        )
    return (await get_item(ident))[0]


async def delete_item(ident: int) -> None:
    async with write_transaction():
        item, _ = await get_item(ident)
        if await SjtFormItem.exists().where(SjtFormItem.item == ident):
            raise Conflict(
                f"item {item.key!r} is on a test form; retire it (status retired) instead"
            )
        await ItemRow.delete().where(ItemRow.id == ident)


def _option_ratings(item: Item, ratings: Mapping[str, float], field: str) -> list[Problem]:
    problems = [
        Problem(f"{field}.{k}", "unknown option") for k in ratings if k not in item.option_keys
    ]
    problems += [
        Problem(field, f"option {k!r} is not rated") for k in item.option_keys if k not in ratings
    ]
    return problems


async def _next_version(ident: int) -> int:
    rows = await SjtKey.select(SjtKey.version).where(SjtKey.item == ident)
    return max((r["version"] for r in rows), default=0) + 1


async def add_expert_ratings(
    ident: int, ratings_by_expert: Mapping[str, Mapping[str, int]]
) -> ItemKey:
    """Store (or replace) experts' ratings and derive one new key version from all experts."""
    async with write_transaction():
        item, _ = await get_item(ident)
        problems = [
            p
            for ratings in ratings_by_expert.values()
            for p in _option_ratings(item, ratings, "ratings")
        ]
        if problems:
            raise Invalid(problems)
        now = utcnow()
        for expert, ratings in ratings_by_expert.items():
            await ExpertRating.insert(
                ExpertRating(item=ident, expert=expert, ratings=dict(ratings), created_at=now)
            ).on_conflict(
                target=(ExpertRating.item, ExpertRating.expert),
                action="DO UPDATE",
                values=[ExpertRating.ratings, ExpertRating.created_at],
            )
        rows = await ExpertRating.select(ExpertRating.ratings).where(ExpertRating.item == ident)
        matrix = np.array(
            [[[loads(r["ratings"]).get(k, np.nan) for k in item.option_keys]] for r in rows],
            dtype=float,
        )
        key = expert_key(matrix, np.ones((1, len(item.options)), dtype=bool))
        await _store_key(ident, item, "expert", key, now)
    # type-ignore reason: a key was stored just above: never None
    return (await get_item(ident))[1]  # type: ignore[return-value]


async def set_direct_key(ident: int, effectiveness: Mapping[str, float]) -> ItemKey:
    """A key entered directly (no expert ratings); stored as a new version."""
    async with write_transaction():
        item, _ = await get_item(ident)
        problems = _option_ratings(item, effectiveness, "effectiveness")
        if problems:
            raise Invalid(problems)
        eff = np.array([[float(effectiveness[k]) for k in item.option_keys]])
        key = direct_key(eff, np.ones_like(eff, dtype=bool))
        await _store_key(ident, item, "direct", key, utcnow())
    # type-ignore reason: a key was stored just above: never None
    return (await get_item(ident))[1]  # type: ignore[return-value]


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else round(float(x), 6)


async def _store_key(ident: int, item: Item, method: str, key: Any, now: Any) -> None:
    keys = item.option_keys
    await SjtKey.insert(
        SjtKey(
            item=ident,
            version=await _next_version(ident),
            method=method,
            effectiveness={k: _num(key.effectiveness[0, i]) for i, k in enumerate(keys)},
            sd={k: _num(key.sd[0, i]) for i, k in enumerate(keys)},
            n_experts=int(np.max(key.n_experts[0])) if key.n_experts.size else 0,
            rwg=_num(key.rwg[0]),
            flagged=bool(key.flagged[0]),
            reasons=list(key.reasons[0]),
            created_at=now,
        )
    )


# ---- expert links ------------------------------------------------------------------------


async def _links(where: Any) -> list[ExpertLink]:
    rows = await LinkRow.select().where(where).order_by(LinkRow.id)
    if not rows:
        return []
    items = (
        await LinkItemRow.select()
        .where(LinkItemRow.link.is_in([r["id"] for r in rows]))
        .order_by(LinkItemRow.id)
    )
    by_link: dict[int, list[ExpertLinkItem]] = {}
    for i in items:
        by_link.setdefault(i["link"], []).append(
            ExpertLinkItem(item_id=i["item"], ratings=loads(i["ratings"]) or {})
        )
    return [
        ExpertLink(
            id=r["id"],
            name=r["name"],
            email=r["email"],
            language=r["language"],
            expert=r["expert"],
            invited_at=r["invited_at"],
            submitted_at=r["submitted_at"],
            items=by_link.get(r["id"], []),
            invited_by=r["invited_by"],
        )
        for r in rows
    ]


async def create_expert_link(
    *, name: str, email: str, language: str, item_ids: Sequence[int], invited_by: int | None
) -> tuple[ExpertLink, str]:
    """A new link for an expert; returns it with its token (only the hash is kept).

    The ratings are stored under the e-mail when there is one (a second link to the same
    person replaces their earlier ratings of an item), else under the name and link number.
    """
    token = new_token()
    async with write_transaction():
        row = LinkRow(
            name=name,
            email=email,
            language=language,
            expert=email or name[:100],
            token_hash=token_hash(token),
            invited_by=invited_by,
            invited_at=utcnow(),
        )
        await row.save()
        if not email:
            await LinkRow.update({LinkRow.expert: f"{name[:100]} (#{row.id})"}).where(
                LinkRow.id == row.id
            )
        await LinkItemRow.insert(*(LinkItemRow(link=row.id, item=i) for i in item_ids))
    return (await _links(LinkRow.id == row.id))[0], token


async def expert_link(ident: int) -> ExpertLink:
    found = await _links(LinkRow.id == ident)
    if not found:
        raise NotFound.of("expert link", ident)
    return found[0]


async def expert_link_by_token(token: str) -> ExpertLink | None:
    found = await _links(LinkRow.token_hash == token_hash(token))
    return found[0] if found else None


async def expert_links_of_item(item_id: int) -> list[ExpertLink]:
    rows = await LinkItemRow.select(LinkItemRow.link).where(LinkItemRow.item == item_id)
    return await _links(LinkRow.id.is_in([r["link"] for r in rows] or [-1]))


async def open_links_for(email: str, item_ids: Sequence[int]) -> list[ExpertLink]:
    """Links not yet submitted of ``email`` that ask for one of ``item_ids``."""
    links = await _links((LinkRow.email == email) & LinkRow.submitted_at.is_null())
    wanted = set(item_ids)
    return [link for link in links if wanted & {i.item_id for i in link.items}]


async def renew_expert_link(ident: int) -> str | None:
    """A new token for a link not yet submitted (the old one stops working), else None."""
    token = new_token()
    async with write_transaction():
        done = (
            await LinkRow.update({LinkRow.token_hash: token_hash(token)})
            .where((LinkRow.id == ident) & LinkRow.submitted_at.is_null())
            .returning(LinkRow.id)
        )
    return token if done else None


async def save_expert_ratings_draft(link_id: int, ratings: Mapping[int, Mapping[str, int]]) -> bool:
    """Keep an expert's ratings so far (not yet counted in any key); False once submitted."""
    async with write_transaction():
        if not await LinkRow.exists().where(
            (LinkRow.id == link_id) & LinkRow.submitted_at.is_null()
        ):
            return False
        now = utcnow()
        for item_id, values in ratings.items():
            await LinkItemRow.update(
                {LinkItemRow.ratings: dict(values), LinkItemRow.saved_at: now}
            ).where((LinkItemRow.link == link_id) & (LinkItemRow.item == item_id))
    return True


async def mark_expert_link_submitted(link_id: int) -> bool:
    """Close a link for good; False when it was already submitted (nothing changes)."""
    done = (
        await LinkRow.update({LinkRow.submitted_at: utcnow()})
        .where((LinkRow.id == link_id) & LinkRow.submitted_at.is_null())
        .returning(LinkRow.id)
    )
    return bool(done)
