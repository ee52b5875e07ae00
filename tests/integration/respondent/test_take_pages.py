"""Candidate pages without JavaScript: consent, practice, one scenario per page, back and
forward, answers saved on every step, review, submit, thank-you; languages."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from server.tables import Answer, Candidate
from tests.conftest import login
from tests.integration.hiring.test_campaigns import new_campaign

pytestmark = pytest.mark.usefixtures("item_bank")


async def link(client: AsyncTestClient, **candidate: str) -> str:
    await login(client, "recruiter")
    c = await new_campaign(client)
    body = {"name": "Ada Lind", "email": "ada@e.org", **candidate}
    r = await client.post(f"/api/v1/campaigns/{c['id']}/candidates", json=body)
    client.cookies.clear()
    return r.json()["link"]


def options(html: str) -> list[str]:
    return re.findall(r'name="most" value="([^"]+)"', html)


async def test_whole_test_through_the_pages(client: AsyncTestClient) -> None:
    url = await link(client)
    page = await client.get(url)
    assert page.status_code == 200 and "Welcome, Ada Lind" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "Content-Security-Policy" in page.headers
    # no consent, no test
    r = await client.post(f"{url}/consent", data={"lang": "en"})
    assert r.status_code == 422 and "tick the box" in r.text
    r = await client.post(
        f"{url}/consent", data={"consent": "yes", "lang": "en"}, follow_redirects=False
    )
    assert r.status_code in (302, 303)
    practice = await client.get(f"{url}/instructions")
    assert "Practice" in practice.text and "Begin the test" in practice.text
    assert (await Candidate.select(Candidate.started_at).first())["started_at"] is None
    r = await client.post(f"{url}/begin", follow_redirects=False)
    assert r.headers["location"].endswith("/items/1")
    first = await client.get(f"{url}/items/1")
    assert "Scenario 1 of" in first.text and 'role="timer"' in first.text
    total = int(re.search(r"Scenario 1 of (\d+)", first.text).group(1))
    ids = options(first.text)
    assert 4 <= len(ids) <= 6
    # the same option as most and least: refused, explained, nothing stored
    r = await client.post(f"{url}/items/1", data={"most": ids[0], "least": ids[0], "go": "next"})
    assert r.status_code == 422 and "cannot be both" in r.text
    assert await Answer.count() == 0
    r = await client.post(
        f"{url}/items/1",
        data={"most": ids[0], "least": ids[1], "go": "next"},
        follow_redirects=False,
    )
    assert r.headers["location"].endswith("/items/2")
    assert await Answer.count() == 1
    # back shows the saved answer checked
    back = await client.get(f"{url}/items/1")
    assert re.search(rf'name="most" value="{ids[0]}" checked', back.text)
    assert re.search(r"<span data-answered data-labels='[^']*'>1 answered</span>", back.text)
    # answer the rest, skipping the last one
    for n in range(2, total):
        page = await client.get(f"{url}/items/{n}")
        o = options(page.text)
        await client.post(f"{url}/items/{n}", data={"most": o[0], "least": o[-1], "go": "next"})
    review = await client.get(f"{url}/review")
    assert f"not answered 1 of {total}" in review.text
    assert f"/items/{total}" in review.text
    r = await client.post(f"{url}/submit", follow_redirects=True)
    assert "Your answers have been submitted" in r.text
    assert (await Candidate.select(Candidate.status).first())["status"] == "submitted"
    assert await Answer.count() == total - 1
    # after submission every page shows the thank-you page; posting changes nothing
    r = await client.post(
        f"{url}/items/1", data={"most": ids[1], "least": ids[0]}, follow_redirects=True
    )
    assert "submitted" in r.text
    assert await Answer.count() == total - 1


async def test_language_from_accept_language_and_from_the_link(client: AsyncTestClient) -> None:
    url = await link(client)
    ru = await client.get(url, headers={"accept-language": "ru-RU,ru;q=0.9,en;q=0.5"})
    assert '<html lang="ru">' in ru.text and "Здравствуйте" in ru.text
    nb = await client.get(f"{url}?lang=nb")
    assert '<html lang="nb">' in nb.text
    sv = await client.get(url, headers={"accept-language": "sv"})
    assert '<html lang="sv">' in sv.text
    await client.post(f"{url}/consent", data={"consent": "yes", "lang": "ru"})
    await client.post(f"{url}/begin")
    item = await client.get(f"{url}/items/1")  # the chosen language sticks to the candidate
    assert '<html lang="ru">' in item.text and "Ситуация 1" in item.text
    assert re.search("[а-яА-Я]{4,}", item.text.split('class="scenario"')[1][:400])  # content too


async def test_invalid_link_page(client: AsyncTestClient) -> None:
    r = await client.get("/take/" + "x" * 43, headers={"accept-language": "sv"})
    assert r.status_code == 404
    assert '<html lang="sv">' in r.text


async def test_link_with_a_started_test_resumes_where_the_answers_are(
    client: AsyncTestClient,
) -> None:
    url = await link(client)
    await client.post(f"{url}/consent", data={"consent": "yes", "lang": "en"})
    await client.post(f"{url}/begin")
    client.cookies.clear()  # another browser: nothing but the link
    r = await client.get(url, follow_redirects=False)
    assert r.headers["location"].endswith("/items/1")
    assert (await client.post(f"{url}/begin", follow_redirects=False)).status_code in (302, 303)
    started = await Candidate.select(Candidate.started_at, Candidate.deadline_at).first()
    assert started["deadline_at"] > started["started_at"]
