"""Data-protection requests: export everything about a person, erase them entirely."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from server.tables import (
    Answer,
    AnswerEvent,
    AuditEvent,
    Candidate,
    OutboxMessage,
    Rater,
    RaterAnswer,
    RaterAnswerEvent,
    ReliabilitySnapshot,
    ReviewSubject,
    Score,
)
from tests.conftest import login
from tests.integration.respondent.test_respond import started
from tests.integration.reviews.test_reviews import answer_all, cycle, rater

pytestmark = pytest.mark.usefixtures("item_bank")


async def _candidate_with_an_answer(client: AsyncTestClient) -> None:
    token, test = await started(client)  # the candidate is Ada, a@e.org
    item = test["items"][0]
    a, b = item["options"][0]["id"], item["options"][1]["id"]
    r = await client.put(
        f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": a, "least": b}
    )
    assert r.status_code == 200


async def _ada_as_subject_and_as_rater() -> None:
    async with AsyncTestClient(app=create_app(get_settings())) as coach:
        rid, sid = await cycle(coach)  # reviews maria@example.org
        await coach.post(
            f"/api/v1/reviews/{rid}/subjects", json={"name": "Ada", "email": "A@E.org"}
        )
        token = await rater(coach, rid, sid, "Ada", "a@e.org", "peer")
        other = await rater(coach, rid, sid, "Bo", "bo@e.org", "peer")
        coach.cookies.clear()
        await answer_all(coach, token, 4, comment="Ada's own words")
        await answer_all(coach, other, 3)


async def test_export_holds_every_role_of_the_person(client: AsyncTestClient) -> None:
    await _candidate_with_an_answer(client)
    await _ada_as_subject_and_as_rater()
    await login(client, "admin")
    r = await client.get("/api/v1/privacy/person", params={"email": "A@e.org"})
    assert r.status_code == 200, r.text
    data = r.json()
    (cand,) = data["as_candidate"]
    assert cand["email"] == "a@e.org" and cand["status"] == "started"
    assert len(cand["answers"]) == 1 and set(cand["answers"][0]["payload"]) == {"most", "least"}
    assert len(cand["answer_history"]) == 1
    assert [s["name"] for s in data["as_reviewed_person"]] == ["Ada"]
    (as_rater,) = data["as_rater"]
    assert as_rater["rated_person"] == "Maria Berg" and as_rater["group"] == "peer"
    assert any(a["payload"].get("comment") == "Ada's own words" for a in as_rater["answers"])
    # the messages to her (invited as candidate, rater and reviewed person), links masked
    assert len(data["messages"]) == await OutboxMessage.count().where(
        OutboxMessage.to_email == "a@e.org"
    )
    assert "/take/" not in r.text and "/rate/" not in r.text and "/nominate/" not in r.text
    # nobody else's answers are in Ada's export
    assert "bo@e.org" not in r.text
    events = await AuditEvent.select(AuditEvent.action, AuditEvent.target)
    assert events[-1]["action"] == "exported" and "a@e.org" not in events[-1]["target"]


async def test_erasure_removes_the_person_and_only_them(client: AsyncTestClient) -> None:
    await _candidate_with_an_answer(client)
    await _ada_as_subject_and_as_rater()
    await login(client, "admin")
    mail_to_ada = await OutboxMessage.count().where(OutboxMessage.to_email == "a@e.org")
    mail_to_others = await OutboxMessage.count().where(OutboxMessage.to_email != "a@e.org")
    r = await client.post("/api/v1/privacy/person/erase", params={"email": "a@e.org"})
    assert r.status_code == 200, r.text
    assert r.json()["erased"] == {
        "candidates": 1,
        "reviewed_person": 1,
        "raters": 1,
        "job_analysis_experts": 0,
        "messages": mail_to_ada,
    }
    assert await OutboxMessage.count().where(OutboxMessage.to_email == "a@e.org") == 0
    assert await OutboxMessage.count() == mail_to_others
    assert await Candidate.count() == 0
    assert await Answer.count() == 0 and await AnswerEvent.count() == 0
    assert await ReviewSubject.count().where(ReviewSubject.email == "a@e.org") == 0
    assert await Rater.count().where(Rater.email == "a@e.org") == 0
    assert await Rater.count().where(Rater.email == "bo@e.org") == 1  # others stay
    bo = await Rater.select(Rater.id).where(Rater.email == "bo@e.org").first()
    assert await RaterAnswer.count().where(RaterAnswer.rater == bo["id"]) > 0
    assert await RaterAnswerEvent.count().where(RaterAnswerEvent.rater == bo["id"]) > 0
    again = (await client.get("/api/v1/privacy/person", params={"email": "a@e.org"})).json()
    assert again["as_candidate"] == again["as_rater"] == again["as_reviewed_person"] == []
    actions = [e["action"] for e in await AuditEvent.select(AuditEvent.action)]
    assert actions.count("erased") == 1


async def test_erasure_leaves_no_score_or_stored_analysis_of_the_candidate(
    client: AsyncTestClient,
) -> None:
    """Reading the ranking stores the scores for the record and the form's analysis; after
    the candidate is erased neither is kept (both are redone from who is left)."""
    token, test = await started(client)  # Ada, a@e.org
    item = test["items"][0]
    a, b = item["options"][0]["id"], item["options"][1]["id"]
    await client.put(f"/api/v1/respond/{token}/answers/{item['id']}", json={"most": a, "least": b})
    r = await client.post(f"/api/v1/respond/{token}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    campaign = (await Candidate.select(Candidate.campaign).first())["campaign"]
    await login(client, "admin")
    assert (await client.get(f"/api/v1/campaigns/{campaign}/ranking")).status_code == 200
    assert (await client.get(f"/api/v1/campaigns/{campaign}/reliability")).status_code == 200
    assert await Score.count() == 1
    scopes = {r["scope"] for r in await ReliabilitySnapshot.select(ReliabilitySnapshot.scope)}
    assert scopes == {"campaign", "campaign_scores"}
    r = await client.post("/api/v1/privacy/person/erase", params={"email": "a@e.org"})
    assert r.status_code == 200, r.text
    assert await Score.count() == 0
    stored = ReliabilitySnapshot.scope_id == campaign
    assert await ReliabilitySnapshot.count().where(stored) == 0


async def test_only_admins_and_a_valid_address(client: AsyncTestClient) -> None:
    assert (
        await client.get("/api/v1/privacy/person", params={"email": "a@e.org"})
    ).status_code == 401
    await login(client, "recruiter")
    r = await client.post("/api/v1/privacy/person/erase", params={"email": "a@e.org"})
    assert r.status_code == 403
    async with AsyncTestClient(app=create_app(get_settings())) as admin:
        await login(admin, "admin")
        r = await admin.get("/api/v1/privacy/person", params={"email": "not an address"})
        assert r.status_code == 400 and "email" in r.text
