"""Item statistics in the bank (pooled over vacancies) and forms built around flagged items."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from server.hiring import repository as campaigns_repo
from server.sjt import item_stats
from tests.integration.hiring.test_hiring_reports import demo_vacancy

pytestmark = pytest.mark.usefixtures("item_bank")


async def test_items_carry_their_pooled_statistics_and_new_forms_avoid_flagged_ones(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    (form,) = (await client.get(f"/api/v1/campaigns/{campaign['id']}/reliability")).json()["forms"]
    items = (await client.get("/api/v1/sjt/items", params={"limit": 500})).json()["items"]
    by_id = {i["id"]: i for i in items}
    for it in form["items"]:
        stats = by_id[it["item_id"]]["statistics"]
        assert stats["n"] == form["n"] and stats["forms"] == 1
        assert stats["mean"] == pytest.approx(it["mean"], abs=1e-4)
        assert stats["r_drop"] == pytest.approx(it["r_drop"], abs=1e-4)
        expected_avoid = form["n"] >= 30 and bool(
            {"negative r_drop", "alpha rises when deleted"} & set(it["flags"])
        )
        assert stats["avoid"] is expected_avoid
    unused = [i for i in items if i["id"] not in {it["item_id"] for it in form["items"]}]
    assert all(i["statistics"] is None for i in unused)
    avoided = {i["key"] for i in items if i["statistics"] and i["statistics"]["avoid"]}
    one = by_id[next(iter(by_id))]
    assert (await client.get(f"/api/v1/sjt/items/{one['id']}")).json()["statistics"] == one[
        "statistics"
    ]
    used = form["items"][0]["item_id"]
    assert (await client.get(f"/api/v1/sjt/items/{used}")).json()["statistics"] == by_id[used][
        "statistics"
    ]
    # asked for some items, the figures read only the campaigns using them, and are the
    # bank-wide ones; an item no campaign uses has none
    whole = await item_stats.bank_statistics()
    assert await item_stats.bank_statistics([used]) == {used: whole[used]}
    assert await item_stats.bank_statistics([unused[0]["id"]]) == {}
    assert await campaigns_repo.campaigns_with_items([unused[0]["id"]]) == []
    page = await client.get("/app/sjt/items")
    assert page.status_code == 200
    assert ("New forms avoid this item." in page.text) == bool(avoided)

    # the simulated demo usually yields items to avoid (forms are seeded from the OS, so not
    # always); the rule itself is pinned down in tests/unit/sjt/test_forms.py and test_bank.py
    role_id = campaign["role_id"]
    for seed in range(5 if avoided else 0):
        r = await client.post(
            "/api/v1/sjt/forms",
            json={"role_id": role_id, "seed": seed, "blueprint": {"items_per_competency": 2}},
        )
        assert r.status_code == 201, r.text
        built = {by_id[i]["key"] for i in r.json()[0]["item_ids"]}
        assert not built & avoided
