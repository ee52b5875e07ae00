"""Vacancy pages in the staff UI: open a vacancy, invite, see the ranking; who may."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from server.tables import Campaign, Candidate
from tests.conftest import login
from tests.integration.hiring.test_campaigns import take

pytestmark = pytest.mark.usefixtures("item_bank")


def csrf(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)


async def test_recruiter_opens_a_vacancy_invites_and_sees_the_ranking(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    page = await client.get("/app/campaigns")
    assert page.status_code == 200 and "Open a vacancy" in page.text
    role = re.search(r'<option value="(\d+)"[^>]*>Customer service operator', page.text).group(1)
    r = await client.post(
        "/app/campaigns",
        data={
            "name": "Night shift",
            "role_id": role,
            "cut_score": "50",
            "_csrf_token": csrf(page.text),
        },
        follow_redirects=False,
    )
    assert r.status_code in (302, 303), r.text[:300]
    detail_url = r.headers["location"]
    detail = await client.get(detail_url)
    assert "Night shift" in detail.text and "Nobody has submitted yet" in detail.text
    r = await client.post(
        f"{detail_url}/invite",
        data={
            "name": "Ada <b>Lind</b>",
            "email": "ada@example.org",
            "language": "ru",
            "extra_minutes": "10",
            "_csrf_token": csrf(detail.text),
        },
    )
    assert r.status_code == 200
    link = re.search(r"(/take/[A-Za-z0-9_-]{43})", r.text).group(1)
    assert "Ada &lt;b&gt;Lind&lt;/b&gt;" in r.text
    row = await Candidate.select().first()
    assert row["language"] == "ru" and row["extra_time_seconds"] == 600
    await take(client, link)
    await login(client, "recruiter", "recruiter2@test.example")  # another recruiter: not theirs
    assert (await client.get(detail_url)).status_code == 404


async def test_ranking_page_shows_scores_and_chart(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    page = await client.get("/app/campaigns")
    role = re.search(r'<option value="(\d+)"[^>]*>Customer service operator', page.text).group(1)
    r = await client.post(
        "/app/campaigns", data={"name": "V", "role_id": role, "_csrf_token": csrf(page.text)}
    )
    ident = (await Campaign.select(Campaign.id).first())["id"]
    detail = await client.get(f"/app/campaigns/{ident}")
    r = await client.post(
        f"/app/campaigns/{ident}/invite",
        data={"name": "Top", "email": "t@example.org", "_csrf_token": csrf(detail.text)},
    )
    await take(client, re.search(r"(/take/[A-Za-z0-9_-]{43})", r.text).group(1))
    page = await client.get(f"/app/campaigns/{ident}")
    assert "<strong>100.0</strong>" in page.text
    assert "<svg" in page.text and "Distribution of total scores" in page.text
    assert "style=" not in page.text  # the CSP allows no inline styles


async def test_invite_errors_are_shown_and_nobody_is_invited(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    page = await client.get("/app/campaigns")
    role = re.search(r'<option value="(\d+)"', page.text).group(1)
    r = await client.post(
        "/app/campaigns",
        data={"name": "", "role_id": role, "cut_score": "300", "_csrf_token": csrf(page.text)},
    )
    assert r.status_code == 422 and "cut_score" in r.text and "name" in r.text
    assert await Campaign.count() == 0


async def test_coaches_and_strangers_cannot_open_vacancy_pages(client: AsyncTestClient) -> None:
    r = await client.get("/app/campaigns", follow_redirects=False)
    assert r.status_code in (302, 303) and "/login" in r.headers["location"]
    await login(client, "coach")
    assert (await client.get("/app/campaigns")).status_code == 403
    assert "Vacancies" not in (await client.get("/app")).text


async def test_item_bank_page_shows_keys_and_agreement(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    page = await client.get("/app/sjt/items")
    assert page.status_code == 200
    assert page.text.count("<article") >= 16
    assert "rwg(J)" in page.text and "4 experts" in page.text
    assert ">best</span>" in page.text and ">worst</span>" in page.text
    flagged = await client.get("/app/sjt/items?show=flagged")
    assert flagged.text.count("<article") == flagged.text.count(">key flagged</span>")
    await login(client, "coach")
    assert (await client.get("/app/sjt/items")).status_code == 403
