"""What a save answers about progress ("answered") in each response format, as the
candidate completes, leaves incomplete and changes answers (both engines work it out in
the database from the stored answers)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import login
from tests.integration.hiring.test_campaigns import new_campaign

pytestmark = pytest.mark.usefixtures("item_bank")


def partial(fmt: str, keys: list[str]) -> dict[str, Any]:
    """An incomplete answer (a ranking is always whole: its partial answer is a complete
    one in another order, and counts)."""
    if fmt == "rate":
        return {"ratings": {keys[0]: 4}}
    if fmt == "rank":
        return {"ranking": keys}
    return {"most": keys[0]}


def complete(fmt: str, keys: list[str]) -> dict[str, Any]:
    if fmt == "rate":
        return {"ratings": {k: 1 + n % 7 for n, k in enumerate(keys)}}
    if fmt == "rank":
        return {"ranking": list(reversed(keys))}
    return {"most": keys[0], "least": keys[-1]}


@pytest.mark.parametrize("fmt", ["most_least", "rate", "rank"])
async def test_answered_counts_complete_answers_only(client: AsyncTestClient, fmt: str) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client, blueprint={"format": fmt, "items_per_competency": 1})
    r = await client.post(
        f"/api/v1/campaigns/{c['id']}/candidates", json={"name": "Ada", "email": "a@e.org"}
    )
    token = r.json()["link"].removeprefix("/take/")
    client.cookies.clear()
    test = (await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})).json()
    first, second = test["items"][:2]

    async def save(item: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        r = await client.put(f"/api/v1/respond/{token}/answers/{item['id']}", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def keys(item: dict[str, Any]) -> list[str]:
        return [o["id"] for o in item["options"]]

    whole = fmt == "rank"
    got = await save(first, partial(fmt, keys(first)))
    assert (got["complete"], got["answered"]) == (whole, int(whole))
    got = await save(first, complete(fmt, keys(first)))
    assert (got["complete"], got["answered"]) == (True, 1)
    got = await save(second, complete(fmt, keys(second)))
    assert (got["complete"], got["answered"]) == (True, 2)
    got = await save(second, partial(fmt, keys(second)))  # changed back: no longer counted
    assert (got["complete"], got["answered"]) == (whole, 1 + whole)
    got = await save(first, complete(fmt, keys(first)))  # the same again: counted once
    assert (got["answered"], got["total"]) == (1 + whole, len(test["items"]))
    state = (await client.get(f"/api/v1/respond/{token}")).json()
    assert state["answered"] == 1 + whole
