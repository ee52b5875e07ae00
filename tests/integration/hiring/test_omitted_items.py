"""Omitted items through the API: skipping never pays, completion is visible and filterable,
the vacancy's omission policy is a setting, and an item whose key cannot discriminate is left
out of scoring (with a warning) and of new forms instead of failing the vacancy."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.tables import Score
from tests.conftest import login
from tests.integration.hiring.test_campaign_pages import csrf
from tests.integration.hiring.test_campaigns import new_campaign

pytestmark = pytest.mark.usefixtures("item_bank")


async def _invite(client: AsyncTestClient, cid: int, name: str) -> str:
    r = await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": name, "email": f"{name}@e.org"}
    )
    assert r.status_code == 201, r.text
    return r.json()["link"].removeprefix("/take/")


async def _keys(client: AsyncTestClient, items: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    return {
        it["id"]: (await client.get(f"/api/v1/sjt/items/{it['id']}")).json()["key_info"]
        for it in items
    }


async def _sit(
    client: AsyncTestClient, token: str, keys: dict[int, dict[str, Any]], *, how: str
) -> None:
    """Take the test: ``first`` = only the first item, best as most and worst as least;
    ``second_worst`` = every item, best as most and the second-worst as least."""
    r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    for n, item in enumerate(items):
        key = keys[item["id"]]
        by_eff = sorted(key["effectiveness"], key=lambda o: key["effectiveness"][o])
        if how == "first":
            if n:
                break
            answer = {"most": key["best"], "least": key["worst"]}
        else:
            answer = {"most": key["best"], "least": by_eff[1]}
        r = await client.put(f"/api/v1/respond/{token}/answers/{item['id']}", json=answer)
        assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/respond/{token}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"


async def _two_candidates(client: AsyncTestClient) -> tuple[dict[str, Any], int]:
    await login(client, "admin")
    campaign = await new_campaign(client)
    cid = campaign["id"]
    form = (await client.get(f"/api/v1/sjt/forms/{campaign['form_ids'][0]}")).json()
    n = len(form["item_ids"])
    keys = await _keys(client, [{"id": i} for i in form["item_ids"]])
    skipper = await _invite(client, cid, "Skipper")
    steady = await _invite(client, cid, "Steady")
    await _sit(client, skipper, keys, how="first")
    await _sit(client, steady, keys, how="second_worst")
    return campaign, n


async def test_skipping_items_never_pays(client: AsyncTestClient) -> None:
    campaign, n = await _two_candidates(client)
    cid = campaign["id"]
    assert campaign["omitted"] == "lowest"  # the default
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    assert ranking["omitted"] == "lowest" and ranking["scale"] == "0-100"
    first, second = ranking["ranked"]
    assert (first["name"], second["name"]) == ("Steady", "Skipper")
    # Steady: +1 per item (best as most; the second worst as least scores 0) of -2..2 each:
    #   100 (n + 2n) / 4n = 75.  Skipper: 2 on item 1, the lowest (-2) on the n - 1 omitted:
    #   100 (2 - 2 (n - 1) + 2n) / 4n = 100 / n (6.25 with the default 16 items)
    assert second["score"] == pytest.approx(round(100 / n, 2))
    assert first["score"] == 75.0
    assert (first["answered"], first["items"], first["completion"]) == (n, n, "complete")
    assert (second["answered"], second["items"]) == (1, n)
    assert second["completion"] == "submitted_early" and second["timed_out"] is False

    only = await client.get(f"/api/v1/campaigns/{cid}/ranking?complete=false")
    assert [r["name"] for r in only.json()["ranked"]] == ["Skipper"]
    only = await client.get(f"/api/v1/campaigns/{cid}/ranking?complete=true")
    assert [r["name"] for r in only.json()["ranked"]] == ["Steady"]

    text = (await client.get(f"/api/v1/campaigns/{cid}/ranking?format=csv")).text
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(text))}
    assert (rows["Skipper"]["answered"], rows["Skipper"]["items"]) == ("1", str(n))
    assert rows["Skipper"]["completion"] == "submitted_early"
    assert rows["Steady"]["completion"] == "complete"

    page = (await client.get(f"/app/campaigns/{cid}")).text
    assert f"1/{n}" in page and f"{n}/{n}" in page and "submitted early" in page
    page = (await client.get(f"/app/campaigns/{cid}?show=incomplete")).text
    ranking_table = page.split('id="cands-h"')[0]  # the list of all candidates follows
    assert "Skipper" in ranking_table and "Steady" not in ranking_table

    report = (await client.get(f"/api/v1/campaigns/{cid}/report?format=html&lang=sv")).text
    assert "det lönar sig aldrig att lämna ett item tomt" in report and f"1/{n}" in report
    tech = (await client.get(f"/api/v1/campaigns/{cid}/technical-report?format=html")).text
    assert "leaving an item blank never pays" in tech
    url = f"/api/v1/campaigns/{cid}/candidates/{second['candidate_id']}/report"
    view = (await client.get(url)).json()
    assert (view["answered"], view["items"], view["completion"]) == (1, n, "submitted_early")
    html = (await client.get(f"{url}?format=html&lang=nb")).text
    assert f"1 / {n}" in html and "leverte før tiden" in html and "besvarte ledd" in html


async def test_the_omission_policy_is_a_vacancy_setting(client: AsyncTestClient) -> None:
    campaign, n = await _two_candidates(client)
    cid = campaign["id"]
    r = await client.patch(f"/api/v1/campaigns/{cid}", json={"omitted": "skip"})
    assert r.status_code == 400 and "omitted" in r.text  # names the field, changes nothing
    assert (await client.get(f"/api/v1/campaigns/{cid}")).json()["omitted"] == "lowest"

    r = await client.patch(f"/api/v1/campaigns/{cid}", json={"omitted": "middle"})
    assert r.status_code == 200 and r.json()["omitted"] == "middle"
    assert r.json()["name"] == campaign["name"]  # other settings stay
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    assert ranking["omitted"] == "middle"
    by_name = {r["name"]: r for r in ranking["ranked"]}
    # omitted items now score the middle, 0: Skipper 100 (2 + 2n) / 4n; Steady unchanged
    assert by_name["Skipper"]["score"] == pytest.approx(round(100 * (2 + 2 * n) / (4 * n), 2))
    assert by_name["Steady"]["score"] == 75.0
    stored = await Score.select(Score.method)
    assert stored and all("omitted middle" in s["method"] for s in stored)
    # the candidate's review page states the rule that applies
    token = await _invite(client, cid, "Later")
    assert (await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})).is_success
    review = (await client.get(f"/take/{token}/review?lang=sv")).text
    assert "Ett obesvarat scenario ger hälften av sina poäng" in review

    # the vacancy page changes it too: a bad value is refused and changes nothing
    token = csrf((await client.get(f"/app/campaigns/{cid}")).text)
    page = await client.post(
        f"/app/campaigns/{cid}/scoring", data={"omitted": "skip", "_csrf_token": token}
    )
    assert page.status_code == 422 and "An unanswered item scores: not valid" in page.text
    assert "lowest, middle" not in page.text  # no internal words
    assert (await client.get(f"/api/v1/campaigns/{cid}")).json()["omitted"] == "middle"
    page = await client.post(
        f"/app/campaigns/{cid}/scoring", data={"omitted": "lowest", "_csrf_token": token}
    )
    assert (
        page.status_code == 200 and "Re-ranked: an unanswered item now scores nothing" in page.text
    )
    assert (await client.get(f"/api/v1/campaigns/{cid}")).json()["omitted"] == "lowest"


async def test_an_item_whose_key_cannot_discriminate_is_left_out(client: AsyncTestClient) -> None:
    campaign, n = await _two_candidates(client)
    cid = campaign["id"]
    form = (await client.get(f"/api/v1/sjt/forms/{campaign['form_ids'][0]}")).json()
    flat_id = form["item_ids"][0]
    item = (await client.get(f"/api/v1/sjt/items/{flat_id}")).json()
    options = [o["key"] for o in item["options"]]
    r = await client.post(
        f"/api/v1/sjt/items/{flat_id}/key", json={"effectiveness": dict.fromkeys(options, 4.0)}
    )
    assert r.status_code == 200, r.text
    key = r.json()
    assert key["flagged"] and any("cannot discriminate" in why for why in key["reasons"])

    ranking = await client.get(f"/api/v1/campaigns/{cid}/ranking")
    assert ranking.status_code == 200, ranking.text
    ranking = ranking.json()
    assert ranking["excluded"] == [item["key"]]
    assert all(r["items"] == n - 1 for r in ranking["ranked"])
    tech = (await client.get(f"/api/v1/campaigns/{cid}/technical-report?format=html")).text
    assert "cannot discriminate" in tech and item["key"] in tech
    reliability = (await client.get(f"/api/v1/campaigns/{cid}/reliability")).json()
    assert reliability["forms"][0]["excluded"] == [item["key"]]

    # a new vacancy's form does not take the item
    again = await new_campaign(client, name="Operators 2")
    new_form = (await client.get(f"/api/v1/sjt/forms/{again['form_ids'][0]}")).json()
    assert flat_id not in new_form["item_ids"]


async def test_standardized_rating_is_ranked_on_the_profile_correlation(
    client: AsyncTestClient,
) -> None:
    await login(client, "admin")
    campaign = await new_campaign(client, blueprint={"format": "rate", "items_per_competency": 1})
    cid = campaign["id"]
    form = (await client.get(f"/api/v1/sjt/forms/{campaign['form_ids'][0]}")).json()
    assert form["scoring"] == "standardized"
    keys = await _keys(client, [{"id": i} for i in form["item_ids"]])
    sheets = {"Follows": "key", "Reverses": "reverse", "Stops": "first"}
    for name, how in sheets.items():
        token = await _invite(client, cid, name)
        r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
        for n, item in enumerate(r.json()["items"]):
            if how == "first" and n:
                break
            eff = keys[item["id"]]["effectiveness"]
            ratings = {o: round(e) if how != "reverse" else 8 - round(e) for o, e in eff.items()}
            r = await client.put(
                f"/api/v1/respond/{token}/answers/{item['id']}", json={"ratings": ratings}
            )
            assert r.status_code == 200, r.text
        assert (await client.post(f"/api/v1/respond/{token}/submit")).status_code == 200
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    assert ranking["scale"] == "r x 100"
    by_name = {r["name"]: r for r in ranking["ranked"]}
    # the key rounded to whole numbers correlates almost perfectly with the key, its
    # reverse almost perfectly negatively; an incomplete sheet scores the floor, -100
    assert by_name["Follows"]["score"] > 95 and by_name["Reverses"]["score"] < -95
    assert by_name["Stops"]["score"] == -100.0 and by_name["Stops"]["answered"] == 1
    assert [r["name"] for r in ranking["ranked"]] == ["Follows", "Reverses", "Stops"]
    report = (await client.get(f"/api/v1/campaigns/{cid}/report?format=html&lang=ru")).text
    assert "умноженная на 100" in report and "получает −100" in report
    # the candidate's review page says how a standardized test treats unanswered scenarios
    token = await _invite(client, cid, "Later")
    assert (await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})).is_success
    review = (await client.get(f"/take/{token}/review")).text
    assert "compared with the key as a whole, so a test with unanswered scenarios" in review
    # a vacancy cannot mix forms of different methods (one ranking, one scale)
    most_least = (await new_campaign(client, name="ML"))["form_ids"][0]
    r = await client.post(
        "/api/v1/campaigns",
        json={
            "name": "Mixed",
            "role_id": campaign["role_id"],
            "form_ids": [most_least, form["id"]],
        },
    )
    assert r.status_code == 422 and "share one format and scoring method" in r.text
