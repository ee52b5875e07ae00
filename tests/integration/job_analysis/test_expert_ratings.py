"""Step 3 on the expert's link: every draft competency with the behaviours sorted into it
(no authors), five answers each with "cannot say", stored the moment they are given (one
row per expert and competency), a form post without JavaScript, and the submission."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.tables import JobAnalysisRating
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

FULL = {"importance": 5, "frequency": 4, "day_one": True, "learnable": False, "lawshe": "essential"}
CANNOT_SAY = {
    "importance": None,
    "frequency": None,
    "day_one": None,
    "learnable": None,
    "lawshe": None,
}


async def _rows(expert: Expert | None = None) -> list[dict[str, Any]]:
    query = JobAnalysisRating.select(
        JobAnalysisRating.expert,
        JobAnalysisRating.competency,
        JobAnalysisRating.importance,
        JobAnalysisRating.frequency,
        JobAnalysisRating.day_one,
        JobAnalysisRating.learnable,
        JobAnalysisRating.lawshe,
    ).order_by(JobAnalysisRating.id)
    if expert is not None:
        query = query.where(JobAnalysisRating.expert == expert.id)
    rows = await query
    for r in rows:  # SQLite keeps booleans as integers
        for name in ("day_one", "learnable"):
            r[name] = None if r[name] is None else bool(r[name])
    return rows


async def _study() -> tuple[int, Expert, Expert, list[int]]:
    """A study in its rate step: two experts, three draft competencies (the second first)."""
    study = await make_study()
    anna = await make_expert(study, "Anna Berg")
    bo = await make_expert(study, "Bo Hemlig")
    listening = await make_draft(study, "Listening", "Hears the customer out", position=2)
    calm = await make_draft(study, "Calm", "Stays steady under pressure", position=1)
    products = await make_draft(study, "Products", position=3)
    await make_card(study, anna, "Lets the customer finish", group=listening)
    await make_card(study, bo, "Interrupts the customer", group=listening, polarity="absent")
    await make_card(study, bo, "lets the customer  finish", group=listening)  # said twice
    await make_card(study, bo, "Bo's unsorted card")
    await set_step(study, "rate")
    return study, anna, bo, [calm, listening, products]


async def test_the_draft_model_is_shown_by_position_without_authors(
    client: AsyncTestClient,
) -> None:
    _, anna, _, (calm, listening, products) = await _study()
    view = (await client.get(anna.api)).json()
    assert [c["id"] for c in view["competencies"]] == [calm, listening, products]
    shown = view["competencies"][1]
    assert shown["name"] == "Listening" and shown["definition"] == "Hears the customer out"
    assert shown["indicators"] == [
        {"text": "Lets the customer finish", "polarity": "present"},
        {"text": "Interrupts the customer", "polarity": "absent"},
    ]
    assert shown["rating"] is None and view["rated"] == 0 and view["total"] == 3
    page = (await client.get(anna.page)).text
    assert "Lets the customer finish" in page and "Interrupts the customer" in page
    assert "What you see when it is missing" in page
    for secret in ("Bo Hemlig", "Hemlig", "Bo&#39;s unsorted card", "Bo's unsorted card"):
        assert secret not in page and secret not in str(view)
    assert page.index("Calm") < page.index("Listening") < page.index("Products")
    assert "0</span> of 3 competencies rated" in page


async def test_a_rating_is_stored_as_given_and_replaced_not_added(
    client: AsyncTestClient,
) -> None:
    _, anna, _, (calm, listening, _) = await _study()
    r = await client.put(f"{anna.api}/ratings/{calm}", json={**CANNOT_SAY, "importance": 3})
    assert r.status_code == 200, r.text
    assert r.json() == {
        "competency_id": calm,
        "rating": {**CANNOT_SAY, "importance": 3},
        "answered": 1,
        "total": 3,
    }
    r = await client.put(f"{anna.api}/ratings/{calm}", json=FULL)
    assert r.status_code == 200 and r.json()["answered"] == 1
    r = await client.put(f"{anna.api}/ratings/{listening}", json=CANNOT_SAY)  # all cannot say
    assert r.status_code == 200 and r.json()["answered"] == 2
    assert await _rows() == [
        {"expert": anna.id, "competency": calm, **FULL},
        {"expert": anna.id, "competency": listening, **CANNOT_SAY},
    ]
    view = (await client.get(anna.api)).json()
    assert [c["rating"] for c in view["competencies"]] == [FULL, CANNOT_SAY, None]
    assert view["rated"] == 2
    page = (await client.get(anna.page)).text
    assert re.search(rf'name="importance-{calm}" value="5"[^>]*checked', page)
    assert re.search(rf'name="lawshe-{calm}" value="essential"[^>]*checked', page)
    assert re.search(rf'name="day_one-{listening}" value="cannot"[^>]*checked', page)
    assert "2</span> of 3 competencies rated" in page


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"importance": 0}, 422, "importance"),
        ({"importance": 6}, 422, "importance"),
        ({"frequency": -1}, 422, "frequency"),
        ({"lawshe": "maybe"}, 422, "lawshe"),
        ({"lawshe": "ESSENTIAL"}, 422, "lawshe"),
        ({"frequency": 4.5}, 400, "frequency"),
        ({"importance": True}, 400, "importance"),
        ({"importance": "four"}, 400, "importance"),
        ({"day_one": "yes"}, 400, "day_one"),
        ({"learnable": 2}, 400, "learnable"),
        ({"lawshe": 1}, 400, "lawshe"),
        ({"extra": 1}, 400, "extra"),
    ],
)
async def test_a_bad_answer_is_refused_naming_its_field_and_nothing_is_stored(
    client: AsyncTestClient, change: dict[str, Any], status: int, field: str
) -> None:
    _, anna, _, (calm, _, _) = await _study()
    await client.put(f"{anna.api}/ratings/{calm}", json=FULL)
    r = await client.put(f"{anna.api}/ratings/{calm}", json={**FULL, "importance": 1, **change})
    assert r.status_code == status, r.text
    assert field in str(r.json()["extra"])
    assert await _rows() == [{"expert": anna.id, "competency": calm, **FULL}]


async def test_a_missing_answer_is_refused_naming_it(client: AsyncTestClient) -> None:
    _, anna, _, (calm, _, _) = await _study()
    body = {k: v for k, v in FULL.items() if k != "lawshe"}
    r = await client.put(f"{anna.api}/ratings/{calm}", json=body)
    assert r.status_code == 400 and "lawshe" in r.text
    assert await _rows() == []


async def test_a_competency_of_another_study_is_not_found(client: AsyncTestClient) -> None:
    _, anna, _, _ = await _study()
    other = await make_study(name="Other study")
    foreign = await make_draft(other, "Foreign")
    await set_step(other, "rate")
    for competency in (foreign, 999_999):
        r = await client.put(f"{anna.api}/ratings/{competency}", json=FULL)
        assert r.status_code == 404, r.text
    assert await _rows() == []


async def test_each_expert_sees_only_their_own_ratings(client: AsyncTestClient) -> None:
    _, anna, bo, (calm, _, _) = await _study()
    await client.put(f"{anna.api}/ratings/{calm}", json=FULL)
    view = (await client.get(bo.api)).json()
    assert view["rated"] == 0 and all(c["rating"] is None for c in view["competencies"])
    page = (await client.get(bo.page)).text
    assert " checked" not in page and "0</span> of 3" in page
    r = await client.put(f"{bo.api}/ratings/{calm}", json=CANNOT_SAY)
    assert r.json()["answered"] == 1
    assert await _rows(anna) == [{"expert": anna.id, "competency": calm, **FULL}]
    assert await _rows(bo) == [{"expert": bo.id, "competency": calm, **CANNOT_SAY}]


async def test_submitting_asks_first_about_unrated_competencies_and_ratings_stay_open(
    client: AsyncTestClient,
) -> None:
    _, anna, _, (calm, listening, products) = await _study()
    await client.put(f"{anna.api}/ratings/{calm}", json=FULL)
    # the form without JavaScript: one competency answered in part, one untouched
    form = {
        f"importance-{calm}": "2",
        f"frequency-{calm}": "cannot",
        f"day_one-{calm}": "no",
        f"learnable-{calm}": "yes",
        f"lawshe-{calm}": "useful",
        f"importance-{listening}": "4",
        "go": "submit",
    }
    r = await client.post(f"{anna.page}/ratings", data=form, follow_redirects=False)
    assert r.status_code == 200
    assert "1 competency is not rated yet. Submit anyway?" in r.text
    assert 'name="go" value="confirm"' in r.text
    stored = {(r["competency"], r["importance"], r["lawshe"]) for r in await _rows()}
    assert stored == {(calm, 2, "useful"), (listening, 4, None)}  # the answers are kept
    assert (await _rows())[0]["learnable"] is True and (await _rows())[0]["day_one"] is False
    done = await expert_row(anna)
    assert done["ratings_done_at"] is None

    r = await client.post(
        f"{anna.page}/ratings", data={**form, "go": "confirm"}, follow_redirects=False
    )
    assert r.status_code == 302
    done = await expert_row(anna)
    assert done["ratings_done_at"] is not None
    page = (await client.get(anna.page)).text
    assert "your ratings have been submitted" in page
    assert "You can still change them" in page and 'name="go" value="save"' in page
    # still changeable while the study is in its rate step
    r = await client.put(f"{anna.api}/ratings/{products}", json=CANNOT_SAY)
    assert r.status_code == 200 and r.json()["answered"] == 3


async def test_the_api_submits_and_a_save_only_form_keeps_every_answer(
    client: AsyncTestClient,
) -> None:
    _, anna, _, (_, listening, _) = await _study()
    r = await client.post(
        f"{anna.page}/ratings",
        data={f"frequency-{listening}": "5", "go": "save"},
        follow_redirects=False,
    )
    assert r.status_code == 302 and r.headers["location"].endswith("?saved=ratings")
    assert "Your ratings are saved." in (await client.get(r.headers["location"])).text
    assert await _rows() == [
        {"expert": anna.id, "competency": listening, **CANNOT_SAY, "frequency": 5}
    ]
    r = await client.post(f"{anna.api}/ratings/done")
    assert r.status_code == 200 and r.json()["ratings_done"] is True and r.json()["rated"] == 1


async def test_a_tampered_form_is_refused_and_changes_nothing(client: AsyncTestClient) -> None:
    _, anna, _, (calm, listening, _) = await _study()
    await client.put(f"{anna.api}/ratings/{calm}", json=FULL)
    r = await client.post(
        f"{anna.page}/ratings",
        data={f"importance-{calm}": "1", f"importance-{listening}": "9", "go": "save"},
    )
    assert r.status_code == 422 and 'class="error"' in r.text
    assert await _rows() == [{"expert": anna.id, "competency": calm, **FULL}]


async def test_saves_arriving_together_leave_one_row(client: AsyncTestClient) -> None:
    """Taps in quick succession (or a retried save) never make a second row."""
    _, anna, _, (calm, _, _) = await _study()
    sent = [{**FULL, "importance": n % 5 + 1} for n in range(12)]
    answers = await asyncio.gather(
        *(client.put(f"{anna.api}/ratings/{calm}", json=body) for body in sent)
    )
    assert [r.status_code for r in answers] == [200] * len(sent)
    rows = await _rows()
    assert len(rows) == 1 and rows[0]["importance"] in {b["importance"] for b in sent}
