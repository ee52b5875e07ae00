"""The SJT item bank (recruiters and admins author and key items) and form building."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

import msgspec
from litestar import delete, get, post, put
from litestar.exceptions import NotFoundException
from litestar.params import JSONBody, QueryParameter

from assessments.sjt.bank import BankItemStats
from assessments.sjt.forms import Blueprint
from assessments.sjt.items import Item
from server.hiring import repository as campaigns_repo
from server.hiring.dependencies import Hiring
from server.library.convert import to_domain
from server.sjt import item_stats
from server.sjt import repository as sjt_bank
from server.sjt.schemas import (
    DirectKeyIn,
    ExpertRatingsIn,
    FormBuildIn,
    ItemKey,
    SjtForm,
    SjtItem,
    SjtItemIn,
    SjtItemPage,
)
from server.web.auth import hiring_guard
from server.web.base import ApiController
from server.web.errors import ConflictError, UnprocessableError
from server.web.params import Limit, Offset, PathId


def _item_out(
    item: Item, key: ItemKey | None, stats: Mapping[int, BankItemStats] | None = None
) -> SjtItem:
    data = msgspec.to_builtins(item)
    data["key_info"] = msgspec.to_builtins(key) if key else None
    # type-ignore reason: a stored item always has an id
    found = (stats or {}).get(item.id)  # type: ignore[arg-type]
    if found is not None:
        data["statistics"] = {k: v for k, v in msgspec.to_builtins(found).items() if k != "item_id"}
    return msgspec.convert(data, SjtItem)


class SjtItemController(ApiController):
    path = "/api/v1/sjt/items"
    guards = [hiring_guard]
    tags = ["sjt"]

    @get("/", summary="List SJT items with their current keys")
    async def list_items(
        self,
        status: Annotated[Literal["draft", "active", "retired"] | None, QueryParameter()] = None,
        competency: Annotated[str | None, QueryParameter(max_length=64)] = None,
        flagged: Annotated[
            bool | None, QueryParameter(description="Only items whose key experts disagree on")
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> SjtItemPage:
        found, total = await sjt_bank.list_items(
            status=status, competency=competency, flagged=flagged, limit=limit, offset=offset
        )
        stats = await item_stats.bank_statistics([i.id for i, _ in found if i.id is not None])
        return SjtItemPage(
            items=[_item_out(i, k, stats) for i, k in found],
            total=total,
            limit=limit,
            offset=offset,
        )

    @post(
        "/",
        summary="Create an item",
        raises=[ConflictError, UnprocessableError],
    )
    async def create_item(self, data: JSONBody[SjtItemIn]) -> SjtItem:
        item = await sjt_bank.create_item(to_domain(data, Item))
        return _item_out(item, None)

    @get("/{item_id:int}", summary="One item with its current key")
    async def get_item(self, item_id: PathId) -> SjtItem:
        stats = await item_stats.bank_statistics([item_id])
        return _item_out(*await sjt_bank.get_item(item_id), stats)

    @put(
        "/{item_id:int}",
        summary="Replace an item (version goes up)",
        raises=[ConflictError, UnprocessableError],
    )
    async def update_item(self, item_id: PathId, data: JSONBody[SjtItemIn]) -> SjtItem:
        await sjt_bank.update_item(item_id, to_domain(data, Item))
        return _item_out(*await sjt_bank.get_item(item_id))

    @delete(
        "/{item_id:int}",
        summary="Delete an item never used on a form",
        raises=[ConflictError],
    )
    async def delete_item(self, item_id: PathId) -> None:
        await sjt_bank.delete_item(item_id)

    @post(
        "/{item_id:int}/expert-ratings",
        raises=[UnprocessableError],
        status_code=200,
        summary="Add or replace one expert's ratings; returns the new key version",
    )
    async def rate(self, item_id: PathId, data: JSONBody[ExpertRatingsIn]) -> ItemKey:
        return await sjt_bank.add_expert_ratings(item_id, {data.expert: data.ratings})

    @post(
        "/{item_id:int}/key",
        raises=[UnprocessableError],
        status_code=200,
        summary="Enter a key directly (effectiveness 1-7 per option); a new key version",
    )
    async def set_key(self, item_id: PathId, data: JSONBody[DirectKeyIn]) -> ItemKey:
        return await sjt_bank.set_direct_key(item_id, data.effectiveness)


class SjtFormController(ApiController):
    path = "/api/v1/sjt/forms"
    guards = [hiring_guard]
    tags = ["sjt"]

    @post(
        "/",
        summary="Build form(s) from a role's select-for competencies and a blueprint",
        raises=[UnprocessableError, NotFoundException],
    )
    async def build(self, data: JSONBody[FormBuildIn], hiring_service: Hiring) -> list[SjtForm]:
        b = data.blueprint
        return await hiring_service.build_forms(
            data.role_id,
            Blueprint(
                items_per_competency=b.items_per_competency,
                format=b.format,
                scoring=b.scoring,
                time_limit_seconds=b.time_limit_seconds,
                forms=b.forms,
            ),
            name=data.name,
            seed=data.seed,
        )

    @get("/", summary="List forms")
    async def list_forms(self, limit: Limit = 50, offset: Offset = 0) -> list[SjtForm]:
        forms, _ = await campaigns_repo.list_forms(limit=limit, offset=offset)
        return forms

    @get("/{form_id:int}", summary="One form")
    async def get_form(self, form_id: PathId) -> SjtForm:
        return await campaigns_repo.get_form(form_id)
