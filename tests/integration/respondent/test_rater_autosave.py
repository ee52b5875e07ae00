"""A rater's form keeps every answer the moment it is given (the page's script saves each
statement and comment on its own), an empty form is never counted, and the page promises
only what holds for the rater's group."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from server.tables import Rater, RaterAnswer
from tests.conftest import PASSWORD
from tests.integration.reviews.test_reviews import cycle, rater

pytestmark = pytest.mark.usefixtures("demo_library")


def _statement_ids(html: str) -> list[int]:
    return sorted({int(i) for i in re.findall(r'name="s-(\d+)"', html)})


async def test_each_answer_is_stored_as_given_and_shown_when_the_link_is_opened_again(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    client.cookies.clear()
    page = (await client.get(f"/rate/{token}")).text
    assert f'data-rate-autosave="/rate/{token}/answers"' in page
    ids = _statement_ids(page)
    total = len(ids)
    for n, sid_ in enumerate(ids[:5]):
        r = await client.put(f"/rate/{token}/answers/{sid_}", json={"rating": n % 5 + 1})
        assert r.status_code == 200, r.text
        assert r.json() == {"item_id": sid_, "answered": n + 1, "total": total}
    r = await client.put(f"/rate/{token}/answers/{ids[5]}", json={"rating": None})  # cannot say
    assert r.json()["answered"] == 6
    comment = int(re.search(r'name="q-(\d+)"', page).group(1))
    r = await client.put(f"/rate/{token}/answers/{comment}", json={"comment": "Listens well"})
    assert r.status_code == 200 and r.json()["answered"] == 6  # comments are not statements
    # the browser is closed; the link opened again shows every answer and the count
    again = (await client.get(f"/rate/{token}")).text
    for n, sid_ in enumerate(ids[:5]):
        assert re.search(rf'name="s-{sid_}" value="{n % 5 + 1}" checked', again)
    assert re.search(rf'name="s-{ids[5]}" value="cannot" checked', again)
    assert "Listens well" in again
    assert f"<span data-answered>6</span> of {total} statements answered" in again


async def test_bad_answers_are_refused_by_field_and_change_nothing(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    client.cookies.clear()
    ids = _statement_ids((await client.get(f"/rate/{token}")).text)
    before = await RaterAnswer.count()
    r = await client.put(f"/rate/{token}/answers/{ids[0]}", json={"rating": 9})
    assert r.status_code == 422 and "rating" in r.text
    r = await client.put(f"/rate/{token}/answers/{ids[0]}", json={"rating": 3, "ratings": {}})
    assert r.status_code == 400 and "ratings" in r.text
    r = await client.put(f"/rate/{token}/answers/99999", json={"rating": 3})
    assert r.status_code in (404, 422)
    r = await client.put("/rate/" + "y" * 43 + f"/answers/{ids[0]}", json={"rating": 3})
    assert r.status_code == 404
    assert await RaterAnswer.count() == before


async def test_a_sibling_form_saves_through_its_own_address_and_no_other(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Ivan Petrov", "email": "ivan@example.org"}
    )
    sid2 = r.json()["id"]
    token = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    await rater(client, rid, sid2, "Pia", "pia@example.org", "peer")
    stranger = await rater(client, rid, sid2, "Olle", "olle@example.org", "peer")
    client.cookies.clear()
    rows = await Rater.select(Rater.id, Rater.email).where(Rater.subject == sid2)
    pia2 = next(r["id"] for r in rows if r["email"] == "pia@example.org")
    olle = next(r["id"] for r in rows if r["email"] == "olle@example.org")
    page = (await client.get(f"/rate/{token}/forms/{pia2}")).text
    assert f'data-rate-autosave="/rate/{token}/forms/{pia2}/answers"' in page
    first = _statement_ids(page)[0]
    r = await client.put(f"/rate/{token}/forms/{pia2}/answers/{first}", json={"rating": 4})
    assert r.status_code == 200 and r.json()["answered"] == 1
    stored = await RaterAnswer.select(RaterAnswer.rater).where(RaterAnswer.item == first)
    assert [s["rater"] for s in stored] == [pia2]
    # another person's form is not reachable from this link
    r = await client.put(f"/rate/{token}/forms/{olle}/answers/{first}", json={"rating": 1})
    assert r.status_code == 404
    assert (await client.get(f"/rate/{stranger}")).status_code == 200  # their own link works


async def test_a_form_without_a_rating_is_not_submitted_by_the_api_either(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    client.cookies.clear()
    ids = _statement_ids((await client.get(f"/rate/{token}")).text)
    r = await client.post(f"/api/v1/respond/{token}/submit")
    assert r.status_code == 422 and "rate at least one statement" in r.text
    await client.put(f"/rate/{token}/answers/{ids[0]}", json={"rating": None})
    r = await client.post(f"/api/v1/respond/{token}/submit")
    assert r.status_code == 422  # "cannot say" everywhere is no rating either
    await client.put(f"/rate/{token}/answers/{ids[1]}", json={"rating": 2})
    r = await client.post(f"/api/v1/respond/{token}/submit")
    assert r.status_code == 200 and r.json()["status"] == "submitted"


async def test_the_manager_is_told_their_ratings_are_not_anonymous(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    boss = await rater(client, rid, sid, "Boss", "boss@example.org", "manager")
    peer = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    client.cookies.clear()
    manager_page = (await client.get(f"/rate/{boss}")).text
    assert "nobody sees your individual answers" not in manager_page
    assert "they are not anonymous" in manager_page
    peer_page = (await client.get(f"/rate/{peer}")).text
    assert "never who gave which" in peer_page


async def test_no_save_reaches_a_submitted_form_or_a_closed_cycle(
    client: AsyncTestClient,
) -> None:
    """A second tab still open after submitting, or a page left open past the closing
    time: its saves are refused (409, the script reloads) and the stored answers stay."""
    rid, sid = await cycle(client)
    done = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    late = await rater(client, rid, sid, "Olle", "olle@example.org", "peer")
    client.cookies.clear()
    ids = _statement_ids((await client.get(f"/rate/{done}")).text)
    await client.put(f"/rate/{done}/answers/{ids[0]}", json={"rating": 4})
    await client.put(f"/rate/{late}/answers/{ids[0]}", json={"rating": 2})
    r = await client.post(f"/rate/{done}", data={"go": "confirm"}, follow_redirects=True)
    assert "has been submitted" in r.text and "data-rate-autosave" not in r.text
    before = await RaterAnswer.select().order_by(RaterAnswer.id)
    r = await client.put(f"/rate/{done}/answers/{ids[1]}", json={"rating": 5})
    assert r.status_code == 409
    r = await client.post(
        "/api/v1/auth/login", json={"email": "coach@test.example", "password": PASSWORD}
    )
    assert r.status_code == 200
    assert (await client.post(f"/api/v1/reviews/{rid}/close")).status_code == 200
    client.cookies.clear()
    r = await client.put(f"/rate/{late}/answers/{ids[0]}", json={"rating": 5})
    assert r.status_code == 409
    assert await RaterAnswer.select().order_by(RaterAnswer.id) == before
