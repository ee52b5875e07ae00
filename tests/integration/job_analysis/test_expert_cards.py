"""Step 1 on the expert's link: an expert writes, picks and deletes their own cards, and
says when they have finished; bad cards are refused by field and nothing is stored; an
expert never reaches another expert's cards."""

from __future__ import annotations

import asyncio
import re

import pytest
from litestar.testing import AsyncTestClient

from server.tables import JobAnalysisCard
from tests.integration.job_analysis.expert_setup import (
    expert_row,
    make_card,
    make_expert,
    make_study,
)

pytestmark = pytest.mark.usefixtures("demo_library")


async def _texts(expert_id: int) -> list[str]:
    rows = (
        await JobAnalysisCard.select(JobAnalysisCard.text)
        .where(JobAnalysisCard.expert == expert_id)
        .order_by(JobAnalysisCard.id)
    )
    return [r["text"] for r in rows]


async def test_cards_are_written_trimmed_listed_and_deleted(client: AsyncTestClient) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    r = await client.post(
        f"{anna.api}/cards", json={"text": "  Listens to the end\n before  answering "}
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["created"] is True and first["cards"] == 1 and first["max_cards"] == 40
    assert first["card"]["text"] == "Listens to the end before answering"
    assert first["card"]["source"] == ""
    r = await client.post(f"{anna.api}/cards", json={"text": "x" * 300})  # the longest allowed
    assert r.status_code == 201 and r.json()["cards"] == 2
    view = (await client.get(anna.api)).json()
    assert view["step"] == "cards" and view["writable"] == "cards"
    assert [c["text"] for c in view["cards"]] == ["Listens to the end before answering", "x" * 300]
    assert view["competencies"] == [] and view["total"] == 0
    page = (await client.get(anna.page)).text
    assert "Listens to the end before answering" in page and "Your cards (2)" in page

    r = await client.delete(f"{anna.api}/cards/{first['card']['id']}")
    assert r.status_code == 204
    assert await _texts(anna.id) == ["x" * 300]
    r = await client.delete(f"{anna.api}/cards/{first['card']['id']}")  # already gone
    assert r.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": ""}, "text"),
        ({"text": " \n\t "}, "text"),
        ({"text": "y" * 301}, "text"),
        ({}, "text"),
        ({"text": "Listens", "source": "empathy"}, "text"),
        ({"source": "no_such_competency"}, "source"),
        ({"source": "empathy/i99"}, "source"),
        ({"source": "Empathy"}, "source"),
        ({"source": "empathy/i1/more"}, "source"),
    ],
)
async def test_a_bad_card_is_refused_naming_its_field_and_nothing_is_stored(
    client: AsyncTestClient, body: dict[str, str], field: str
) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    await client.post(f"{anna.api}/cards", json={"text": "Stays calm"})
    r = await client.post(f"{anna.api}/cards", json=body)
    assert r.status_code == 422, r.text
    assert [p["key"] for p in r.json()["extra"]] == [field]
    assert await _texts(anna.id) == ["Stays calm"]


async def test_a_body_of_the_wrong_shape_is_refused_before_anything_is_stored(
    client: AsyncTestClient,
) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    for body in ({"text": 5}, {"text": "Listens", "author": "Bo"}):
        r = await client.post(f"{anna.api}/cards", json=body)
        assert r.status_code == 400, r.text
    r = await client.post(
        f"{anna.api}/cards", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert await JobAnalysisCard.count() == 0


async def test_at_most_forty_cards_per_expert(client: AsyncTestClient) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    bo = await make_expert(study, "Bo Ek")
    for n in range(40):
        await make_card(study, anna, f"Behaviour {n}")
    for body in ({"text": "One more"}, {"source": "empathy/i1"}):
        r = await client.post(f"{anna.api}/cards", json=body)
        assert r.status_code == 422 and r.json()["extra"][0]["key"] == "text", r.text
    assert len(await _texts(anna.id)) == 40
    # the limit is each expert's own
    assert (await client.post(f"{bo.api}/cards", json={"text": "One more"})).status_code == 201


async def test_a_library_pick_is_in_the_experts_language_and_picked_once(
    client: AsyncTestClient,
) -> None:
    study = await make_study()
    olga = await make_expert(study, "Olga Ivanova", language="ru")
    library = (await client.get(f"{olga.api}/library")).json()
    empathy = next(c for c in library["competencies"] if c["source"] == "empathy")
    behaviour = empathy["indicators"][0]
    assert behaviour["source"] == "empathy/i1"
    assert re.search("[а-я]", behaviour["text"]), "the behaviour in Russian"
    r = await client.post(f"{olga.api}/cards", json={"source": "empathy/i1"})
    assert r.status_code == 201, r.text
    card = r.json()["card"]
    assert card == {"id": card["id"], "text": behaviour["text"], "source": "empathy/i1"}
    again = await client.post(f"{olga.api}/cards", json={"source": "empathy/i1"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["card"] == card
    whole = await client.post(f"{olga.api}/cards", json={"source": "empathy"})
    assert whole.status_code == 201 and whole.json()["card"]["text"] == empathy["name"]
    assert await _texts(olga.id) == [behaviour["text"], empathy["name"]]
    picked = (await client.get(f"{olga.api}/library")).json()["picked"]
    assert picked == ["empathy", "empathy/i1"]


async def test_the_library_lists_the_roles_competencies_first(client: AsyncTestClient) -> None:
    study = await make_study(role="team_lead")
    anna = await make_expert(study, "Anna Berg")
    listed = (await client.get(f"{anna.api}/library?lang=en")).json()["competencies"]
    role = [c["source"] for c in listed if c["in_role"]]
    assert role == [
        "coaching_others",
        "service_standards",
        "crisis_composure",
        "results_orientation",
        "stress_resistance",
        "communication",
        "call_control",
        "product_knowledge",
    ]
    assert [c["source"] for c in listed[: len(role)]] == role
    others = [c["source"] for c in listed[len(role) :]]
    assert others and not set(others) & set(role) and "empathy" in others
    assert all(c["indicators"] for c in listed)


async def test_finished_cards_are_marked_and_more_may_still_be_added(
    client: AsyncTestClient,
) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    r = await client.post(f"{anna.api}/cards/done")
    assert r.status_code == 200 and r.json()["cards_done"] is True
    row = await expert_row(anna)
    first_done = row["cards_done_at"]
    assert first_done is not None
    assert (await client.post(f"{anna.api}/cards", json={"text": "Late idea"})).status_code == 201
    assert (await client.post(f"{anna.api}/cards/done")).status_code == 200
    row = await expert_row(anna)
    assert row["cards_done_at"] == first_done  # the first "finished" is kept
    page = (await client.get(anna.page)).text
    assert "You can still add or delete cards" in page
    assert "I have finished my cards" not in page


async def test_an_expert_never_sees_nor_deletes_another_experts_cards(
    client: AsyncTestClient,
) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    bo = await make_expert(study, "Bo Ekstrand-Secret")
    bos_card = await make_card(study, bo, "Bo's private card text")
    await make_card(study, anna, "Anna's card")
    other_study = await make_study(name="Another study")
    carl = await make_expert(other_study, "Carl")
    carls_card = await make_card(other_study, carl, "Carl's card")
    for card in (bos_card, carls_card):
        r = await client.delete(f"{anna.api}/cards/{card}")
        assert r.status_code == 404
        r = await client.post(f"{anna.page}/cards/{card}/delete", follow_redirects=False)
        assert r.status_code == 404 and "not among yours" in r.text
    assert await JobAnalysisCard.count() == 3
    for url in (anna.api, anna.page, f"{anna.api}/library"):
        text = (await client.get(url)).text
        assert "Bo's private card text" not in text and "Carl's card" not in text
        assert "Ekstrand" not in text


async def test_the_page_forms_work_without_javascript(client: AsyncTestClient) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")

    async def post(path: str, **form: str) -> str:
        r = await client.post(f"{anna.page}{path}", data=form, follow_redirects=False)
        assert r.status_code == 302, r.text
        assert r.headers["location"].startswith(anna.page)
        return str(r.headers["location"])

    await post("/cards", text="Smiles on the phone")
    back = await post("/cards", source="tolerance/i2")
    page = (await client.get(back)).text
    assert "Card added." in page and "Smiles on the phone" in page
    assert 'value="tolerance/i2"' not in page  # picked: no button any more
    assert "On your cards" in page
    cards = await JobAnalysisCard.select(JobAnalysisCard.id, JobAnalysisCard.source).order_by(
        JobAnalysisCard.id
    )
    assert [c["source"] for c in cards] == ["", "tolerance/i2"]
    await post(f"/cards/{cards[0]['id']}/delete")
    assert "Smiles on the phone" not in await _texts(anna.id)
    assert len(await _texts(anna.id)) == 1
    await post("/cards/done")
    done = await expert_row(anna)
    assert done["cards_done_at"] is not None


async def test_a_bad_card_on_the_page_is_said_at_the_field_and_the_text_kept(
    client: AsyncTestClient,
) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    long = "z" * 301
    r = await client.post(f"{anna.page}/cards", data={"text": long})
    assert r.status_code == 422
    assert 'aria-invalid="true"' in r.text and "at most 300 characters" in r.text
    assert f">{long}</textarea>" in r.text  # what was written is not lost
    r = await client.post(f"{anna.page}/cards", data={"text": "   "})
    assert r.status_code == 422 and "Write a behaviour or skill on the card." in r.text
    r = await client.post(f"{anna.page}/cards", data={"source": "nothing_here"})
    assert r.status_code == 422 and "no longer in the library" in r.text
    assert await JobAnalysisCard.count() == 0


async def test_the_same_pick_sent_together_makes_one_card(client: AsyncTestClient) -> None:
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    answers = await asyncio.gather(
        *(client.post(f"{anna.api}/cards", json={"source": "empathy/i2"}) for _ in range(8))
    )
    assert sorted(r.status_code for r in answers) == [200] * 7 + [201]
    assert len({r.json()["card"]["id"] for r in answers}) == 1
    assert await JobAnalysisCard.count() == 1
