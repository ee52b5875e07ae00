"""The respondent API: every answer stored at once, bad answers refused, the server's clock,
double submits, two tabs, and tokens that open only their own test."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.core.db import utcnow
from server.settings import get_settings
from server.tables import Answer, AnswerEvent, Candidate
from tests.conftest import login
from tests.integration.hiring.test_campaigns import new_campaign

pytestmark = pytest.mark.usefixtures("item_bank")


async def invited(client: AsyncTestClient, **campaign: Any) -> tuple[str, dict[str, Any]]:
    await login(client, "recruiter")
    c = await new_campaign(client, **campaign)
    r = await client.post(
        f"/api/v1/campaigns/{c['id']}/candidates", json={"name": "Ada", "email": "a@e.org"}
    )
    token = r.json()["link"].removeprefix("/take/")
    client.cookies.clear()  # the candidate has no staff session
    return token, c


async def started(client: AsyncTestClient, **campaign: Any) -> tuple[str, dict[str, Any]]:
    token, _ = await invited(client, **campaign)
    r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
    assert r.status_code == 200
    return token, r.json()


async def first_item(client: AsyncTestClient) -> tuple[str, int, list[str], str]:
    """A started test: its token, the first item's id, option ids and answer URL."""
    token, test = await started(client)
    item = test["items"][0]
    url = f"/api/v1/respond/{token}/answers/{item['id']}"
    return token, item["id"], [o["id"] for o in item["options"]], url


async def test_before_start_no_items_are_shown_and_answers_are_refused(
    client: AsyncTestClient,
) -> None:
    token, _ = await invited(client)
    test = (await client.get(f"/api/v1/respond/{token}")).json()
    assert test["status"] == "invited" and test["items"] == [] and test["total"] >= 8
    assert test["seconds_left"] > 0
    r = await client.put(f"/api/v1/respond/{token}/answers/1", json={"most": "a", "least": "b"})
    assert r.status_code in (404, 409)
    r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": False})
    assert r.status_code == 422 and "consent" in r.text
    assert (await client.post(f"/api/v1/respond/{token}/submit")).status_code == 409


async def test_items_have_options_in_the_candidates_own_stable_order(
    client: AsyncTestClient,
) -> None:
    token, test = await started(client)
    item = test["items"][0]
    assert item["format"] == "most_least" and 4 <= len(item["options"]) <= 6
    assert set(item) >= {"id", "format", "stem", "options"}
    again = (await client.get(f"/api/v1/respond/{token}")).json()
    assert [o["id"] for o in again["items"][0]["options"]] == [o["id"] for o in item["options"]]
    orders = {tuple(o["id"] for o in i["options"]) for i in test["items"]}
    assert len(orders) > 1  # shuffled per item, not one fixed order


async def test_answer_is_stored_at_once_and_resumed(client: AsyncTestClient) -> None:
    token, test = await started(client)
    item = test["items"][0]
    a, b = item["options"][0]["id"], item["options"][1]["id"]
    r = await client.put(
        f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": a, "least": b}
    )
    assert r.status_code == 200
    assert r.json()["complete"] is True and r.json()["answered"] == 1
    row = await Answer.select(Answer.payload).first()
    assert row is not None  # in the database before any submit
    # another device with the same link sees the saved answer and the running clock
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        resumed = (await other.get(f"/api/v1/respond/{token}")).json()
    assert resumed["status"] == "started"
    assert resumed["answers"][str(item["id"])] == {"most": a, "least": b}
    assert 0 < resumed["seconds_left"] <= test["seconds_left"]


async def test_same_answer_twice_is_one_answer_and_last_write_wins(
    client: AsyncTestClient,
) -> None:
    _, _, ids, url = await first_item(client)
    for _ in range(2):
        assert (await client.put(url, json={"most": ids[0], "least": ids[1]})).status_code == 200
    assert await Answer.count() == 1
    # two tabs sending different answers at the same time: one row, one of the two answers
    bodies = [{"most": ids[2], "least": ids[3]}, {"most": ids[3], "least": ids[2]}]
    results = await asyncio.gather(*(client.put(url, json=b) for b in bodies))
    assert [r.status_code for r in results] == [200, 200]
    assert await Answer.count() == 1
    stored = (await Answer.select(Answer.payload).first())["payload"]
    # text on SQLite, decoded on PostgreSQL
    assert (json.loads(stored) if isinstance(stored, str) else stored) in bodies
    assert await AnswerEvent.count() == 4  # every save is logged, in arrival order


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"most": "zz", "least": "a"}, 422, "most"),  # unknown option
        ({"most": "SAME", "least": "SAME"}, 422, "least"),  # same as most and least
        ({"ratings": {"a": 3}}, 422, "ratings"),  # a rate answer to a most/least item
        ({"ranking": ["a"]}, 422, "ranking"),
        ({"most": 5}, 400, "most"),  # wrong type
        ({"colour": "red"}, 400, "colour"),  # unknown field
    ],
)
async def test_bad_answers_are_refused_and_nothing_is_stored(
    client: AsyncTestClient, body: dict[str, Any], status: int, field: str
) -> None:
    token, test = await started(client)
    item = test["items"][0]
    if body.get("most") == "SAME":
        body = {"most": item["options"][0]["id"], "least": item["options"][0]["id"]}
    if body.get("least") == "a":
        body = {**body, "least": item["options"][0]["id"]}
    r = await client.put(f"/api/v1/respond/{token}/answers/{item['id']}", json=body)
    assert r.status_code == status, r.text
    assert field in r.text
    assert await Answer.count() == 0 and await AnswerEvent.count() == 0


async def test_unknown_item_is_404(client: AsyncTestClient) -> None:
    token, _ = await started(client)
    r = await client.put(f"/api/v1/respond/{token}/answers/999999", json={"most": "a"})
    assert r.status_code == 404 and "999999" in r.text


async def test_submit_twice_is_one_submission_and_later_answers_are_refused(
    client: AsyncTestClient,
) -> None:
    token, test = await started(client)
    item = test["items"][0]
    ids = [o["id"] for o in item["options"]]
    await client.put(
        f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": ids[0], "least": ids[1]}
    )
    first = await client.post(f"/api/v1/respond/{token}/submit")
    when = (await Candidate.select(Candidate.submitted_at).first())["submitted_at"]
    second = await client.post(f"/api/v1/respond/{token}/submit")
    assert first.status_code == second.status_code == 200
    assert second.json()["status"] == "submitted"
    assert (await Candidate.select(Candidate.submitted_at).first())["submitted_at"] == when
    r = await client.put(
        f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": ids[1], "least": ids[0]}
    )
    assert r.status_code == 409 and "submitted" in r.json()["detail"]
    stored = await Answer.select(Answer.payload).first()
    assert ids[0] in str(stored["payload"]).split('"most"')[1].split(",")[0]  # kept as it was


async def test_the_server_clock_decides(client: AsyncTestClient) -> None:
    token, test = await started(client)
    item = test["items"][0]
    ids = [o["id"] for o in item["options"]]
    await client.put(
        f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": ids[0], "least": ids[1]}
    )
    # the deadline passes (as if the candidate closed the browser and came back too late)
    row = await Candidate.select(Candidate.started_at).first()
    await Candidate.update(
        {Candidate.deadline_at: row["started_at"] - timedelta(seconds=1)}, force=True
    )
    r = await client.put(
        f"/api/v1/respond/{token}/answers/{test['items'][1]['id']}",
        json={"most": ids[0], "least": ids[1]},
    )
    assert r.status_code == 409
    state = (await client.get(f"/api/v1/respond/{token}")).json()
    assert state["status"] == "submitted" and state["timed_out"] is True
    assert state["seconds_left"] == 0 and state["answered"] == 1  # what was saved is kept
    assert await Answer.count() == 1


async def test_extra_time_lengthens_the_deadline(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    tokens = []
    for extra in (0, 600):
        r = await client.post(
            f"/api/v1/campaigns/{c['id']}/candidates",
            json={"name": "P", "email": f"p{extra}@e.org", "extra_time_seconds": extra},
        )
        tokens.append(r.json()["link"].removeprefix("/take/"))
    lefts = []
    for t in tokens:
        r = await client.post(f"/api/v1/respond/{t}/start", json={"consent": True})
        lefts.append(r.json()["seconds_left"])
    assert 595 <= lefts[1] - lefts[0] <= 600


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 200, "a.b-c_d" * 7])
async def test_unknown_tokens_are_404(client: AsyncTestClient, token: str) -> None:
    r = await client.get(f"/api/v1/respond/{token}")
    assert r.status_code == 404
    assert r.json()["detail"] == "This link is not valid (unknown or no longer open)"


async def test_closed_campaign_link_is_404_like_an_unknown_one(client: AsyncTestClient) -> None:
    token, _ = await invited(
        client, closes_at="2020-01-01T00:00:00Z", opens_at="2019-01-01T00:00:00Z"
    )
    r = await client.get(f"/api/v1/respond/{token}")
    assert r.status_code == 404
    assert r.json()["detail"] == "This link is not valid (unknown or no longer open)"


async def test_a_token_opens_only_its_own_test(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    links = []
    for n in range(2):
        r = await client.post(
            f"/api/v1/campaigns/{c['id']}/candidates",
            json={"name": f"C{n}", "email": f"c{n}@e.org"},
        )
        links.append(r.json()["link"].removeprefix("/take/"))
    client.cookies.clear()
    a = (await client.post(f"/api/v1/respond/{links[0]}/start", json={"consent": True})).json()
    item = a["items"][0]
    ids = [o["id"] for o in item["options"]]
    await client.put(
        f"/api/v1/respond/{links[0]}/answers/{item['id']}", json={"most": ids[0], "least": ids[1]}
    )
    b = (await client.get(f"/api/v1/respond/{links[1]}")).json()
    assert b["status"] == "invited" and b["answers"] == {}
    # the respondent API does not open staff data
    assert (await client.get("/api/v1/campaigns")).status_code == 401


async def _started_format(client: AsyncTestClient, fmt: str) -> tuple[str, dict[str, Any]]:
    token, _ = await invited(client, blueprint={"format": fmt, "items_per_competency": 1})
    r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
    return token, r.json()


async def test_rate_format_answers(client: AsyncTestClient) -> None:
    token, test = await _started_format(client, "rate")
    item = test["items"][0]
    assert item["format"] == "rate" and item["scale"] == {"min": 1, "max": 7}
    ids = [o["id"] for o in item["options"]]
    url = f"/api/v1/respond/{token}/answers/{item['id']}"
    # one option at a time is saved, the item counts as answered once all are rated
    r = await client.put(url, json={"ratings": {ids[0]: 6}})
    assert r.status_code == 200 and r.json()["complete"] is False
    r = await client.put(url, json={"ratings": dict.fromkeys(ids, 4)})
    assert r.json()["complete"] is True
    for bad, field in (
        ({"ratings": {ids[0]: 8}}, f"ratings.{ids[0]}"),  # outside the scale
        ({"ratings": {ids[0]: 0}}, f"ratings.{ids[0]}"),
        ({"ratings": {ids[0]: 2.5}}, f"ratings.{ids[0]}"),
        ({"ratings": {"zz": 3}}, "ratings.zz"),  # unknown option
        ({"most": ids[0], "least": ids[1]}, "most"),  # another format's answer
    ):
        r = await client.put(url, json=bad)
        assert r.status_code == 422, bad
        assert r.json()["extra"][0]["key"] == field
    stored = (await client.get(f"/api/v1/respond/{token}")).json()["answers"][str(item["id"])]
    assert stored == {"ratings": dict.fromkeys(ids, 4)}  # bad answers changed nothing


async def test_rank_format_answers(client: AsyncTestClient) -> None:
    token, test = await _started_format(client, "rank")
    item = test["items"][0]
    ids = [o["id"] for o in item["options"]]
    url = f"/api/v1/respond/{token}/answers/{item['id']}"
    for bad in (ids[:-1], [*ids[:-1], ids[0]], [*ids, "zz"], [*ids[:-1], "zz"]):
        r = await client.put(url, json={"ranking": bad})
        assert r.status_code == 422 and r.json()["extra"][0]["key"] == "ranking", bad
    assert await Answer.count() == 0
    r = await client.put(url, json={"ranking": list(reversed(ids))})
    assert r.status_code == 200 and r.json()["complete"] is True
    await client.post(f"/api/v1/respond/{token}/submit")


# ---- the one-step save (server/respondent/repository.py save_by_token) -----------------


async def test_one_step_save_is_idempotent_and_counts_what_is_answered(
    client: AsyncTestClient,
) -> None:
    token, test = await started(client)
    first, second = test["items"][0], test["items"][1]
    ids = [o["id"] for o in first["options"]]
    url = f"/api/v1/respond/{token}/answers/{first['id']}"
    bodies = [await client.put(url, json={"most": ids[0], "least": ids[1]}) for _ in range(3)]
    assert [r.status_code for r in bodies] == [200, 200, 200]
    assert {r.json()["answered"] for r in bodies} == {1}
    assert bodies[0].json()["total"] == len(test["items"])
    assert bodies[0].json()["seconds_left"] > 0
    assert await Answer.count() == 1 and await AnswerEvent.count() == 3
    # half an answer is stored as given and not counted as answered
    other = [o["id"] for o in second["options"]]
    r = await client.put(f"/api/v1/respond/{token}/answers/{second['id']}", json={"most": other[0]})
    assert r.status_code == 200, r.text
    assert r.json() | {"seconds_left": 0} == {
        "item_id": second["id"],
        "answer": {"most": other[0], "least": None},
        "complete": False,
        "seconds_left": 0,
        "answered": 1,
        "total": len(test["items"]),
    }


async def test_one_step_save_of_an_unknown_link_is_404_and_stores_nothing(
    client: AsyncTestClient,
) -> None:
    token, test = await started(client)
    item = test["items"][0]
    ids = [o["id"] for o in item["options"]]
    for bad in ("x" * 43, token[:-1] + ("A" if token[-1] != "A" else "B"), "short"):
        r = await client.put(
            f"/api/v1/respond/{bad}/answers/{item['id']}", json={"most": ids[0], "least": ids[1]}
        )
        assert r.status_code == 404
        assert r.json()["detail"] == "This link is not valid (unknown or no longer open)"
    assert await Answer.count() == 0 and await AnswerEvent.count() == 0


async def test_one_step_save_after_submit_is_409_and_keeps_the_answer(
    client: AsyncTestClient,
) -> None:
    token, item_id, ids, url = await first_item(client)
    assert (await client.put(url, json={"most": ids[0], "least": ids[1]})).status_code == 200
    assert (await client.post(f"/api/v1/respond/{token}/submit")).status_code == 200
    # a valid and an invalid answer after the submission: both refused, nothing changes
    r = await client.put(url, json={"most": ids[2], "least": ids[3]})
    assert r.status_code == 409 and "submitted" in r.json()["detail"]
    assert await AnswerEvent.count() == 1
    stored = await Answer.select(Answer.item, Answer.payload)
    assert [
        (a["item"], json.loads(a["payload"]) if isinstance(a["payload"], str) else a["payload"])
        for a in stored
    ] == [(item_id, {"most": ids[0], "least": ids[1]})]
    # the link itself no longer shows the scenarios or the answers: only the status
    after = (await client.get(f"/api/v1/respond/{token}")).json()
    assert after["status"] == "submitted" and after["items"] == [] and after["answers"] == {}
    assert after["answered"] == 1


async def test_one_step_save_names_the_bad_field(client: AsyncTestClient) -> None:
    token, _, ids, url = await first_item(client)
    r = await client.put(url, json={"most": ids[0], "least": "zz"})
    assert r.status_code == 422
    assert r.json()["extra"][0]["key"] == "least"
    r = await client.put(f"/api/v1/respond/{token}/answers/999999", json={"most": ids[0]})
    assert r.status_code == 404 and "999999" in r.text
    assert await Answer.count() == 0


async def test_one_step_save_out_of_time_submits_at_the_deadline(
    client: AsyncTestClient,
) -> None:
    _, _, ids, url = await first_item(client)
    assert (await client.put(url, json={"most": ids[0], "least": ids[1]})).status_code == 200
    row = await Candidate.select(Candidate.started_at).first()
    deadline = row["started_at"] + timedelta(seconds=1)
    await Candidate.update({Candidate.deadline_at: deadline}, force=True)
    await asyncio.sleep(1.1)
    r = await client.put(url, json={"most": ids[1], "least": ids[0]})
    assert r.status_code == 409 and "Time is up" in r.json()["detail"]
    cand = await Candidate.select(
        Candidate.status, Candidate.submitted_at, Candidate.timed_out
    ).first()
    assert cand == {"status": "submitted", "submitted_at": deadline, "timed_out": True}
    assert await AnswerEvent.count() == 1  # the late answer is not stored


async def test_a_save_after_the_deadline_moved_tells_the_new_time_left(
    client: AsyncTestClient,
) -> None:
    # the process remembers the link from the first save; the deadline is then moved (more
    # time given while the test runs): the next save answers with the time left by the new one
    _, _, ids, url = await first_item(client)
    first = await client.put(url, json={"most": ids[0], "least": ids[1]})
    assert first.status_code == 200 and first.json()["seconds_left"] < 5 * 3600 - 60
    await Candidate.update({Candidate.deadline_at: utcnow() + timedelta(hours=5)}, force=True)
    r = await client.put(url, json={"most": ids[1], "least": ids[0]})
    assert r.status_code == 200
    assert 5 * 3600 - 60 < r.json()["seconds_left"] <= 5 * 3600
    assert r.json()["answered"] == 1 and r.json()["complete"] is True


async def test_one_step_save_sees_an_edited_item_at_once(client: AsyncTestClient) -> None:
    """The form's items are cached per process under a fingerprint of the form: an item
    edited after answers were saved is validated against its new options at once."""
    _, item_id, ids, url = await first_item(client)
    assert (await client.put(url, json={"most": ids[0], "least": ids[1]})).status_code == 200
    assert (await client.put(url, json={"most": "zz", "least": ids[1]})).status_code == 422
    await login(client, "admin")
    stored = (await client.get(f"/api/v1/sjt/items/{item_id}")).json()
    options = [o for o in stored["options"] if o["key"] != ids[2]]
    options.append({"key": "zz", "text": "A new response to the situation."})
    body = {k: stored[k] for k in ("key", "stem", "context", "status", "formats")}
    body |= {"options": options, "competencies": stored["competencies"]}
    r = await client.put(f"/api/v1/sjt/items/{item_id}", json=body)
    assert r.status_code == 200, r.text
    client.cookies.clear()
    r = await client.put(url, json={"most": "zz", "least": ids[1]})
    assert r.status_code == 200, r.text
    r = await client.put(url, json={"most": ids[2], "least": ids[1]})
    assert r.status_code == 422 and r.json()["extra"][0]["key"] == "most"
