"""Vacancies end to end through the API: item bank, keys, forms, campaigns, invitations,
ranking, CSV, and who may see what."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.tables import Candidate, ExpertRating, Score, SjtKey
from tests.conftest import PASSWORD, login, make_user

pytestmark = pytest.mark.usefixtures("item_bank")


async def role_id(client: AsyncTestClient, key: str = "cs_operator") -> int:
    roles = (await client.get("/api/v1/roles")).json()["items"]
    return next(r["id"] for r in roles if r["key"] == key)


async def new_campaign(client: AsyncTestClient, **extra: Any) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/campaigns", json={"name": "Operators", "role_id": await role_id(client), **extra}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def take(client: AsyncTestClient, link: str, pick: str = "best") -> dict[str, Any]:
    """Take a whole most/least test through the respondent API, choosing by the key."""
    token = link.rsplit("/", 1)[1]
    r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
    assert r.status_code == 200, r.text
    test = r.json()
    for item in test["items"]:
        ids = [o["id"] for o in item["options"]]
        key = (await client.get(f"/api/v1/sjt/items/{item['id']}")).json()["key_info"]
        best, worst = key["best"], key["worst"]
        most, least = (best, worst) if pick == "best" else (worst, best)
        if pick == "middle":
            rest = [i for i in ids if i not in (best, worst)]
            most, least = rest[0], rest[1]
        r = await client.put(
            f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": most, "least": least}
        )
        assert r.status_code == 200, r.text
    r = await client.post(f"/api/v1/respond/{token}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    return r.json()


async def test_campaign_with_only_name_and_role_builds_a_default_form(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    assert len(campaign["form_ids"]) == 1
    form = (await client.get(f"/api/v1/sjt/forms/{campaign['form_ids'][0]}")).json()
    assert form["format"] == "most_least" and form["scoring"] == "most_least"
    select_for = (await client.get("/api/v1/competencies?role=cs_operator&flag=select_for")).json()[
        "items"
    ]
    # every select-for competency of the role is covered by at least 4 items
    assert {c["key"] for c in select_for} == set(form["competencies"])
    assert all(n >= 4 for n in form["competencies"].values())
    assert campaign["time_limit_seconds"] == form["time_limit_seconds"] > 0
    assert campaign["counts"] == {"invited": 0, "started": 0, "submitted": 0}


async def test_invite_returns_an_unguessable_link_stored_hashed(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    r = await client.post(
        f"/api/v1/campaigns/{campaign['id']}/candidates",
        json={"name": "Ada Lind", "email": "Ada@Example.org"},
    )
    assert r.status_code == 201, r.text
    cand = r.json()
    token = cand["link"].removeprefix("/take/")
    assert len(token) >= 43  # 32 bytes = 256 bits, url-safe base64
    row = await Candidate.select(Candidate.token_hash).first()
    assert token not in row["token_hash"] and len(row["token_hash"]) == 64
    listed = (await client.get(f"/api/v1/campaigns/{campaign['id']}/candidates")).json()
    assert listed["items"][0]["link"] is None  # the link is shown once, at invitation
    assert listed["items"][0]["email"] == "ada@example.org"


async def test_ranking_orders_by_score_and_applies_the_cut(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    campaign = await new_campaign(client, cut_score=60)
    links = {}
    for name in ("Best Pick", "Worst Pick", "Middle Pick", "Not Started"):
        r = await client.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates",
            json={"name": name, "email": f"{name.split()[0].lower()}@example.org"},
        )
        links[name] = r.json()["link"]
    await take(client, links["Best Pick"], "best")
    await take(client, links["Worst Pick"], "worst")
    await take(client, links["Middle Pick"], "middle")
    ranking = (await client.get(f"/api/v1/campaigns/{campaign['id']}/ranking")).json()
    names = [r["name"] for r in ranking["ranked"]]
    assert names == ["Best Pick", "Middle Pick", "Worst Pick"]
    best, middle, worst = ranking["ranked"]
    assert best["score"] == 100.0 and best["rank"] == 1 and best["passed"] is True
    assert worst["score"] == 0.0 and worst["passed"] is False
    assert middle["score"] == 50.0  # neither keyed option chosen: 0 on every item, scaled
    assert set(best["competency_scores"]) == set(
        c["key"]
        for c in (await client.get("/api/v1/competencies?role=cs_operator&flag=select_for")).json()[
            "items"
        ]
    )
    assert best["percentile"] > middle["percentile"] > worst["percentile"]
    assert ranking["not_submitted"] == [
        {
            "candidate_id": ranking["not_submitted"][0]["candidate_id"],
            "name": "Not Started",
            "status": "invited",
            "answered": 0,
        }
    ]
    assert ranking["method"] == "most_least/most_least" and ranking["key_method"] == "expert"
    assert ranking["key_versions"] and all(v >= 1 for v in ranking["key_versions"].values())
    # every stored score records its method and key versions, once per candidate
    stored = await Score.select()
    assert len(stored) == 3
    assert all("most_least" in row["method"] and "expert" in row["method"] for row in stored)
    assert all(
        json.loads(row["key_versions"])
        if isinstance(row["key_versions"], str)
        else row["key_versions"]
        for row in stored
    )
    passed = (await client.get(f"/api/v1/campaigns/{campaign['id']}/ranking?passed=true")).json()
    assert await Score.count() == 3  # ranking again updates the scores, never adds rows
    assert [r["name"] for r in passed["ranked"]] == ["Best Pick"]
    r = await client.get(f"/api/v1/campaigns/{campaign['id']}/ranking?format=csv")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.text)))
    assert rows[0][:4] == ["rank", "candidate_id", "name", "score"]
    assert [row[2] for row in rows[1:]] == names


async def test_reading_the_ranking_writes_scores_only_when_the_data_changed(
    client: AsyncTestClient,
) -> None:
    """A GET stores the scores for the record once per data state: reading again writes
    nothing; a new submission or a new omission policy stores them again."""
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    links = []
    for name in ("First", "Second", "Third"):
        r = await client.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates",
            json={"name": name, "email": f"{name.lower()}@example.org"},
        )
        links.append(r.json()["link"])
    await take(client, links[0], "best")
    await take(client, links[1], "worst")
    url = f"/api/v1/campaigns/{campaign['id']}/ranking"
    assert (await client.get(url)).status_code == 200
    first = {r["candidate"]: r["computed_at"] for r in await Score.select()}
    assert len(first) == 2
    for _ in range(2):
        assert (await client.get(url)).status_code == 200
        assert {r["candidate"]: r["computed_at"] for r in await Score.select()} == first
    await take(client, links[2], "middle")
    assert (await client.get(url)).status_code == 200
    second = {r["candidate"]: r["computed_at"] for r in await Score.select()}
    assert len(second) == 3 and all(second[c] > first[c] for c in first)
    r = await client.patch(f"/api/v1/campaigns/{campaign['id']}", json={"omitted": "middle"})
    assert r.status_code == 200, r.text
    assert (await client.get(url)).status_code == 200
    assert all("omitted middle" in r["method"] for r in await Score.select())


async def test_csv_export_neutralises_formulas(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    r = await client.post(
        f"/api/v1/campaigns/{campaign['id']}/candidates",
        json={"name": '=HYPERLINK("http://x")', "email": "f@example.org"},
    )
    await take(client, r.json()["link"])
    text = (await client.get(f"/api/v1/campaigns/{campaign['id']}/ranking?format=csv")).text
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


async def test_bulk_invite_from_csv_is_all_or_nothing(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    url = f"/api/v1/campaigns/{campaign['id']}/candidates/import"
    good = "name,email,language\nAda Lind,ada@example.org,sv\nBo Berg,bo@example.org,\n"
    r = await client.post(url, content=good.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 201, r.text
    invited = r.json()["invited"]
    assert [c["name"] for c in invited] == ["Ada Lind", "Bo Berg"]
    assert invited[0]["language"] == "sv" and all(c["link"] for c in invited)
    bad = "name,email\nCy,not-an-email\n,dee@example.org\nEve,eve@example.org\n"
    r = await client.post(url, content=bad.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 422
    keys = {e["key"] for e in r.json()["extra"]}
    assert keys == {"line 2: email", "line 3: name"}
    assert await Candidate.count() == 2
    r = await client.post(url, content=b"who,what\nx,y\n", headers={"content-type": "text/csv"})
    assert r.status_code == 422 and "name,email" in r.text


async def test_recruiters_see_only_their_campaigns_and_coaches_none(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter", "a@test.example")
    mine = await new_campaign(client)
    await make_user("recruiter", "b@test.example")
    r = await client.post(
        "/api/v1/auth/login", json={"email": "b@test.example", "password": PASSWORD}
    )
    assert r.status_code == 200
    assert (await client.get(f"/api/v1/campaigns/{mine['id']}")).status_code == 404
    assert (await client.get(f"/api/v1/campaigns/{mine['id']}/ranking")).status_code == 404
    r = await client.post(
        f"/api/v1/campaigns/{mine['id']}/candidates", json={"name": "X", "email": "x@e.org"}
    )
    assert r.status_code == 404
    assert (await client.get("/api/v1/campaigns")).json()["total"] == 0
    await login(client, "coach")
    for path in ("/api/v1/campaigns", f"/api/v1/campaigns/{mine['id']}", "/api/v1/sjt/items"):
        assert (await client.get(path)).status_code == 403, path
    await login(client, "admin")
    assert (await client.get(f"/api/v1/campaigns/{mine['id']}")).status_code == 200


async def test_campaign_input_errors(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    rid = await role_id(client)
    cases = [
        ({"role_id": rid}, 400, "name"),
        ({"name": "x", "role_id": rid, "cut_score": 120}, 400, "cut_score"),
        ({"name": "x", "role_id": rid, "languages": ["de"]}, 400, "languages"),
        ({"name": "x", "role_id": 99999}, 404, "99999"),
        ({"name": "x", "role_id": rid, "form_ids": [424242]}, 422, "form_ids[0]"),
        (
            {
                "name": "x",
                "role_id": rid,
                "opens_at": "2030-01-02T00:00:00Z",
                "closes_at": "2030-01-01T00:00:00Z",
            },
            422,
            "closes_at",
        ),
        (
            {"name": "x", "role_id": rid, "blueprint": {"items_per_competency": 15}},
            422,
            "items_per_competency",
        ),
        (
            {"name": "x", "role_id": rid, "blueprint": {"format": "rank", "scoring": "absolute"}},
            422,
            "scoring",
        ),
    ]
    for body, status, field in cases:
        r = await client.post("/api/v1/campaigns", json=body)
        assert r.status_code == status, (body, r.text)
        assert field in r.text, (body, r.text)
    assert (await client.get("/api/v1/campaigns")).json()["total"] == 0
    team_lead = await role_id(client, "team_lead")
    r = await client.post(
        "/api/v1/campaigns",
        json={"name": "TL", "role_id": team_lead, "blueprint": {"items_per_competency": 5}},
    )
    assert r.status_code == 422 and "has" in r.text  # too few items for the team lead role


async def test_parallel_forms_share_no_item_and_are_dealt_in_turn(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    r = await client.post(
        "/api/v1/sjt/forms",
        json={
            "role_id": await role_id(client),
            "blueprint": {"items_per_competency": 2, "forms": 2},
        },
    )
    assert r.status_code == 201, r.text
    a, b = r.json()
    assert not set(a["item_ids"]) & set(b["item_ids"])
    assert a["parallel_group"] == b["parallel_group"] != ""
    campaign = await new_campaign(client, form_ids=[a["id"], b["id"]])
    forms = []
    for n in range(4):
        r = await client.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates",
            json={"name": f"C{n}", "email": f"c{n}@example.org"},
        )
        forms.append(r.json()["form_id"])
    assert forms == [a["id"], b["id"], a["id"], b["id"]]


async def test_expert_keying_and_direct_keys_are_versioned(client: AsyncTestClient) -> None:
    await login(client, "admin")
    body = {
        "key": "new_scenario",
        "stem": "A caller says the last agent promised a call back that never came.",
        "competencies": ["customer_orientation"],
        "options": [{"key": k, "text": f"Response {k}"} for k in "abcd"],
    }
    r = await client.post("/api/v1/sjt/items", json=body)
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["status"] == "draft" and item["key_info"] is None
    url = f"/api/v1/sjt/items/{item['id']}"
    experts = {"E1": [7, 2, 4, 1], "E2": [6, 3, 4, 1], "E3": [7, 2, 5, 2]}
    for name, values in experts.items():
        r = await client.post(
            f"{url}/expert-ratings",
            json={"expert": name, "ratings": dict(zip("abcd", values, strict=True))},
        )
        assert r.status_code == 200, r.text
    key = r.json()
    assert key["version"] == 3 and key["method"] == "expert" and key["n_experts"] == 3
    # mean per option: a (7+6+7)/3 = 6.667, b 7/3 = 2.333, c 13/3 = 4.333, d 4/3 = 1.333
    assert key["effectiveness"] == pytest.approx(
        {"a": 20 / 3, "b": 7 / 3, "c": 13 / 3, "d": 4 / 3}, abs=1e-5
    )
    assert key["best"] == "a" and key["worst"] == "d"
    # SD of a: ratings 7, 6, 7 -> mean 6.667, deviations .333 .667 .333, var = .6667/2 = .3333
    assert key["sd"]["a"] == pytest.approx(0.57735, abs=1e-4)
    assert 0 <= key["rwg"] <= 1
    # an expert who changes their mind replaces their ratings, not adds a fourth expert
    r = await client.post(
        f"{url}/expert-ratings",
        json={"expert": "E3", "ratings": dict(zip("abcd", [1, 7, 4, 4], strict=True))},
    )
    assert r.json()["n_experts"] == 3 and r.json()["flagged"] is True
    assert await ExpertRating.count().where(ExpertRating.item == item["id"]) == 3
    r = await client.post(f"{url}/key", json={"effectiveness": {"a": 6.5, "b": 2, "c": 4, "d": 1}})
    assert r.status_code == 200 and r.json()["method"] == "direct" and r.json()["version"] == 5
    assert await SjtKey.count().where(SjtKey.item == item["id"]) == 5
    # bad keys: unknown option, a missing option, out of range
    for bad, field in (
        ({"a": 6, "b": 2, "c": 4, "z": 1}, "effectiveness.z"),
        ({"a": 6, "b": 2, "c": 4}, "effectiveness"),
    ):
        r = await client.post(f"{url}/key", json={"effectiveness": bad})
        assert r.status_code == 422 and field in {e["key"] for e in r.json()["extra"]}
    r = await client.post(f"{url}/key", json={"effectiveness": {"a": 9, "b": 2, "c": 4, "d": 1}})
    assert r.status_code == 400
    assert await SjtKey.count().where(SjtKey.item == item["id"]) == 5


async def test_item_bank_rules(client: AsyncTestClient) -> None:
    await login(client, "admin")
    base = {
        "key": "x1",
        "stem": "S",
        "competencies": ["customer_orientation"],
        "options": [{"key": k, "text": k} for k in "abcd"],
    }
    r = await client.post("/api/v1/sjt/items", json={**base, "options": base["options"][:3]})
    assert r.status_code == 400 and "options" in r.text
    r = await client.post("/api/v1/sjt/items", json={**base, "competencies": ["nope"]})
    assert r.status_code == 422 and "competencies[0]" in r.text
    dup = [{"key": "a", "text": "x"}] * 4
    r = await client.post("/api/v1/sjt/items", json={**base, "options": dup})
    assert r.status_code == 422 and "options[1].key" in r.text
    r = await client.post("/api/v1/sjt/items", json={**base, "key": "abusive_caller"})
    assert r.status_code in (409, 422)
    await login(client, "recruiter")
    assert (await client.get("/api/v1/sjt/items?status=active")).json()["total"] >= 16
    # recruiters author items (as on the item bank pages); coaches may not
    assert (await client.post("/api/v1/sjt/items", json=base)).status_code == 201
    await login(client, "coach")
    assert (await client.post("/api/v1/sjt/items", json={**base, "key": "x2"})).status_code == 403


async def test_expired_tests_are_submitted_at_their_deadline_when_ranked(
    client: AsyncTestClient,
) -> None:
    """A candidate who ran out of time and never came back still counts, timed out."""
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    r = await client.post(
        f"/api/v1/campaigns/{campaign['id']}/candidates", json={"name": "Gone", "email": "g@e.org"}
    )
    token = r.json()["link"].removeprefix("/take/")
    test = (await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})).json()
    item = test["items"][0]
    ids = [o["id"] for o in item["options"]]
    await client.put(
        f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": ids[0], "least": ids[1]}
    )
    row = await Candidate.select(Candidate.started_at).first()
    started = row["started_at"] - timedelta(hours=1)  # as if started an hour ago
    deadline = started + timedelta(minutes=10)
    await Candidate.update(
        {Candidate.started_at: started, Candidate.deadline_at: deadline}, force=True
    )
    # nobody opens the link again: ranking the vacancy submits it at the deadline
    ranking = (await client.get(f"/api/v1/campaigns/{campaign['id']}/ranking")).json()
    assert ranking["not_submitted"] == []
    ranked = ranking["ranked"][0]
    assert ranked["name"] == "Gone" and ranked["timed_out"] is True and ranked["answered"] == 1
    stored = await Candidate.select(Candidate.status, Candidate.submitted_at).first()
    assert stored["status"] == "submitted" and stored["submitted_at"] == deadline
