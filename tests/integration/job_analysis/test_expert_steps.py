"""What an expert's link may change in each step of the study (409 and nothing changed
otherwise), what each step's page says, and the one 404 for any link that opens no
expert, whatever is sent."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.tables import JobAnalysisCard, JobAnalysisExpert, JobAnalysisRating
from tests.integration.job_analysis.expert_setup import (
    Expert,
    expert_row,
    make_card,
    make_draft,
    make_expert,
    make_study,
    set_step,
)

pytestmark = pytest.mark.usefixtures("demo_library")

RATING = {"importance": 4, "frequency": 3, "day_one": True, "learnable": False, "lawshe": "useful"}


async def _state() -> str:
    """A digest of every row the expert's link could change."""
    digest = hashlib.sha256()
    for table in (JobAnalysisCard, JobAnalysisRating, JobAnalysisExpert):
        rows = await table.select().order_by(table._meta.primary_key)
        digest.update(repr(rows).encode())
    return digest.hexdigest()


async def _setup(step: str) -> tuple[Expert, int, int]:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    draft = await make_draft(study, "Listening")
    card = await make_card(study, anna, "Listens to the end", group=draft)
    await set_step(study, step)
    return anna, card, draft


def _card_writes(anna: Expert, card: int) -> list[tuple[str, str, Any]]:
    return [
        ("POST", f"{anna.api}/cards", {"text": "New card"}),
        ("POST", f"{anna.api}/cards", {"source": "empathy/i1"}),
        ("DELETE", f"{anna.api}/cards/{card}", None),
        ("POST", f"{anna.api}/cards/done", None),
    ]


def _rating_writes(anna: Expert, draft: int) -> list[tuple[str, str, Any]]:
    return [
        ("PUT", f"{anna.api}/ratings/{draft}", RATING),
        ("POST", f"{anna.api}/ratings/done", None),
    ]


@pytest.mark.parametrize("step", ["sort", "rate", "decide", "applied"])
async def test_cards_change_only_in_the_cards_step(client: AsyncTestClient, step: str) -> None:
    anna, card, _ = await _setup(step)
    before = await _state()
    for method, url, body in _card_writes(anna, card):
        r = await client.request(method, url, json=body)
        assert r.status_code == 409, (method, url, r.text)
        assert "Cards can be changed only while the study collects them" in r.json()["detail"]
    for path, form in (
        ("/cards", {"text": "New card"}),
        (f"/cards/{card}/delete", {}),
        ("/cards/done", {}),
    ):
        r = await client.post(f"{anna.page}{path}", data=form, follow_redirects=False)
        assert r.status_code == 409, (path, r.text)
        assert 'class="error"' in r.text
    assert await _state() == before


@pytest.mark.parametrize("step", ["cards", "sort", "decide", "applied"])
async def test_ratings_change_only_in_the_rate_step(client: AsyncTestClient, step: str) -> None:
    anna, _, draft = await _setup(step)
    before = await _state()
    for method, url, body in _rating_writes(anna, draft):
        r = await client.request(method, url, json=body)
        assert r.status_code == 409, (method, url, r.text)
        assert "Ratings can be given only while the study is in its rating step" in r.text
    r = await client.post(f"{anna.page}/ratings", data={f"importance-{draft}": "4", "go": "submit"})
    assert r.status_code == 409 and 'class="error"' in r.text
    assert await _state() == before


async def test_each_step_has_its_page(client: AsyncTestClient) -> None:
    anna, card, _ = await _setup("cards")
    study = (await expert_row(anna))["study"]
    page = (await client.get(anna.page)).text
    assert "what do they do best?" in page and f"/cards/{card}/delete" in page

    await set_step(study, "sort")
    page = (await client.get(anna.page)).text
    assert "grouping everyone" in page and "the same link opens the rating" in page
    assert "Listens to the end" in page  # their own cards, read-only
    assert "/delete" not in page and "<form" not in page
    view = (await client.get(anna.api)).json()
    assert view["writable"] is None and view["competencies"] == []

    await set_step(study, "rate")
    page = (await client.get(anna.page)).text
    assert "Rate the draft competencies" in page and "Listening" in page
    assert (await client.get(anna.api)).json()["writable"] == "ratings"

    for step in ("decide", "applied"):
        await set_step(study, step)
        page = (await client.get(anna.page)).text
        assert "Thank you for your part in this study" in page and "<form" not in page
        view = (await client.get(anna.api)).json()
        assert view["step"] == step and view["writable"] is None and view["competencies"] == []


def _routes(token: str) -> list[tuple[str, str]]:
    return [
        ("GET", f"/expert/{token}"),
        ("POST", f"/expert/{token}/cards"),
        ("POST", f"/expert/{token}/cards/1/delete"),
        ("POST", f"/expert/{token}/cards/done"),
        ("POST", f"/expert/{token}/ratings"),
        ("GET", f"/api/v1/expert/{token}"),
        ("GET", f"/api/v1/expert/{token}/library"),
        ("POST", f"/api/v1/expert/{token}/cards"),
        ("DELETE", f"/api/v1/expert/{token}/cards/1"),
        ("POST", f"/api/v1/expert/{token}/cards/done"),
        ("PUT", f"/api/v1/expert/{token}/ratings/1"),
        ("POST", f"/api/v1/expert/{token}/ratings/done"),
    ]


BODIES: list[dict[str, Any]] = [
    {},
    {"json": {"text": "A card"}},
    {"json": {"importance": 9, "nonsense": [1, 2]}},
    {"content": b"\xff{not json", "headers": {"content-type": "application/json"}},
    {"data": {"text": "x" * 400, "go": "submit"}},
]


@pytest.mark.parametrize(
    "token",
    [
        # well-formed, unknown (a fixed id: every xdist worker must collect the same names)
        pytest.param(secrets.token_urlsafe(32), id="unknown"),
        "short",  # cannot be a link
        "t" * 300,
        "%2e%2e",
    ],
)
async def test_a_link_that_opens_no_expert_gets_one_404_whatever_it_sends(
    client: AsyncTestClient, token: str
) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    await make_card(study, anna, "Listens")
    before = await _state()
    for method, url in _routes(token):
        answers = set()
        # a form-encoded body under /api/ is refused (415) before any route is looked at
        # (server.web.cross_site), whatever the link: not sent there
        bodies = [b for b in BODIES if "data" not in b or not url.startswith("/api/")]
        for body in bodies if method != "GET" else [{}]:
            r = await client.request(method, url, follow_redirects=False, **body)
            assert r.status_code == 404, (method, url, body, r.status_code, r.text[:300])
            answers.add(r.text)
        assert len(answers) == 1, (method, url)  # the same answer, whatever the body
        if url.startswith("/expert/"):
            assert "This link is not valid" in r.text and "Anna" not in r.text
        else:
            assert r.json()["detail"] == "This link is not valid (unknown or no longer open)"
    assert await _state() == before


async def test_a_removed_expert_link_opens_nothing(client: AsyncTestClient) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    await JobAnalysisExpert.delete().where(JobAnalysisExpert.id == anna.id)
    assert (await client.get(anna.page)).status_code == 404
    assert (await client.post(f"{anna.api}/cards", json={"text": "x"})).status_code == 404
