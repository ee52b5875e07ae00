"""Onboarding plans for hired candidates: from their SJT profile, for recruiters only."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from tests.conftest import login
from tests.integration.hiring.test_hiring_reports import demo_vacancy, pdf_pages

pytestmark = pytest.mark.usefixtures("item_bank")


async def test_onboarding_plan_from_the_sjt_profile(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    weakest = ranking["ranked"][-1]
    url = f"/api/v1/campaigns/{cid}/candidates/{weakest['candidate_id']}/onboarding"
    r = await client.get(url, params={"start": "2027-01-31"})
    assert r.status_code == 200, r.text
    plan = r.json()
    develop = {
        c["key"]
        for c in (await client.get("/api/v1/competencies?flag=develop&limit=500")).json()["items"]
    }
    assert 1 <= len(plan["start_with"]) <= 3
    assert {s["competency"] for s in plan["start_with"]} <= develop
    first = plan["first_module"]
    assert first["start"] == "2027-01-31" and first["end"] == "2027-04-30"
    scores = {k: v for k, v in weakest["competency_scores"].items() if v is not None}
    assert {w["competency"] for w in plan["watch"]} == {k for k, v in scores.items() if v < 40}
    assert {s["competency"] for s in plan["strengths"]} == {k for k, v in scores.items() if v >= 70}
    html = await client.get(url, params={"format": "html", "lang": "ru"})
    assert html.status_code == 200 and weakest["name"] in html.text and "<svg" in html.text
    pdf = await client.get(url, params={"format": "pdf"})
    _, text = pdf_pages(pdf.content, tmp_path, "onboarding")
    assert first["title"] in " ".join(text.split())


async def test_onboarding_needs_a_submitted_candidate_of_ones_own_vacancy(
    client: AsyncTestClient, tmp_path: Path
) -> None:
    campaign = await demo_vacancy(client, tmp_path)
    cid = campaign["id"]
    ranking = (await client.get(f"/api/v1/campaigns/{cid}/ranking")).json()
    some = ranking["ranked"][0]["candidate_id"]
    assert (
        await client.get(f"/api/v1/campaigns/{cid}/candidates/999999/onboarding")
    ).status_code == 404
    if ranking["not_submitted"]:
        pending = ranking["not_submitted"][0]["candidate_id"]
        r = await client.get(f"/api/v1/campaigns/{cid}/candidates/{pending}/onboarding")
        assert r.status_code == 409
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        url = f"/api/v1/campaigns/{cid}/candidates/{some}/onboarding"
        assert (await other.get(url)).status_code == 401
        await login(other, "coach")
        assert (await other.get(url)).status_code == 403
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        await login(other, "recruiter", "other.recruiter@test.example")
        assert (await other.get(url)).status_code in (403, 404)
