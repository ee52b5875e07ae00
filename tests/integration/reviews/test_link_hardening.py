"""Links that give nothing away: a submitted rater's link shows no answers (API and page), a
proposed rater cannot answer before the coach approves (not even through another form of the
same person), and the subject's nomination link lists only the subject's own proposals."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.reviews.test_reviews import (
    _free_port,
    answer_all,
    cycle,
    rater,
    smtp_sink,
    use_smtp,
)

pytestmark = pytest.mark.usefixtures("demo_library")


async def test_a_submitted_raters_link_shows_no_answers(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Per Ek", "per@example.org", "peer")
    await answer_all(client, token, 4, comment="Calm under pressure")
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    assert form["status"] == "submitted"
    assert form["answers"] == {} and form["items"] == []
    page = (await client.get(f"/rate/{token}")).text
    assert "this form has been submitted" in page
    assert "Calm under pressure" not in page and "checked" not in page


async def test_a_proposed_rater_cannot_answer_before_approval(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Ola Nord", "email": "ola@example.org"}
    )
    other = r.json()
    nominate = other["nomination_link"].removeprefix("/nominate/")
    # the coach invites Pia to rate Maria; Ola proposes the same Pia as his peer
    link = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    await rater(client, rid, sid, "Coach's pick", "pick@example.org", "peer")
    cookies = dict(client.cookies)
    client.cookies.clear()
    r = await client.post(
        f"/api/v1/nominate/{nominate}",
        json={"name": "Pia", "email": "pia@example.org", "group": "peer"},
    )
    assert r.status_code == 201 and r.json()["status"] == "nominated"
    proposed = r.json()["id"]
    # Pia's own link does not list or open the proposed form, by page or by post
    page = (await client.get(f"/rate/{link}")).text
    assert f"/forms/{proposed}" not in page and "Ola Nord" not in page
    assert (await client.get(f"/rate/{link}/forms/{proposed}")).status_code == 404
    token = re.search(r'name="_csrf_token" value="([^"]+)"', page)
    data = {"go": "submit", **({"_csrf_token": token.group(1)} if token else {})}
    r = await client.post(f"/rate/{link}/forms/{proposed}", data=data)
    assert r.status_code in (403, 404)
    # Ola's nomination link lists only his own proposal, as awaiting approval
    shown = (await client.get(f"/api/v1/nominate/{nominate}")).json()
    assert shown["raters"] == [{"name": "Pia", "group": "peer", "status": "awaiting approval"}]
    for k, v in cookies.items():
        client.cookies.set(k, v)
    listed = (await client.get(f"/api/v1/reviews/{rid}/subjects/{other['id']}/raters")).json()
    assert [(r["status"], r["nominated_by"]) for r in listed] == [("nominated", "subject")]
    url = f"/api/v1/reviews/{rid}/subjects/{other['id']}/raters/{proposed}/approve"
    assert (await client.post(url)).status_code == 200
    client.cookies.clear()
    assert (await client.get(f"/rate/{link}/forms/{proposed}")).status_code == 200
    shown = (await client.get(f"/api/v1/nominate/{nominate}")).json()
    assert shown["raters"] == [{"name": "Pia", "group": "peer", "status": "approved"}]


async def test_reminders_replace_only_delivered_links(client: AsyncTestClient, monkeypatch) -> None:
    rid, sid = await cycle(client)
    waiting = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    started = await rater(client, rid, sid, "Ulf", "ulf@example.org", "peer")
    r = await client.put(
        f"/api/v1/respond/{started}/answers/{await _first_statement(client, started)}",
        json={"rating": 3},
    )
    assert r.status_code == 200
    # a mail server that cannot be reached: 503, and every old link still works
    use_smtp(client, monkeypatch, f"smtp://127.0.0.1:{_free_port()}")
    r = await client.post(f"/api/v1/reviews/{rid}/reminders")
    assert r.status_code == 503 and "no link was changed" in r.text
    for token in (waiting, started):
        assert (await client.get(f"/api/v1/respond/{token}")).status_code == 200
    # by hand: a new link only for the rater who has not started; the started one keeps hers
    use_smtp(client, monkeypatch, "")
    body = (await client.post(f"/api/v1/reviews/{rid}/reminders")).json()
    assert [x["email"] for x in body["reminders"]] == ["pia@example.org"]
    assert (await client.get(f"/api/v1/respond/{waiting}")).status_code == 404
    assert (await client.get(f"/api/v1/respond/{started}")).status_code == 200
    # by e-mail: both are reminded; the links reach only the raters
    with smtp_sink() as (smtp_url, received):
        use_smtp(client, monkeypatch, smtp_url)
        body = (await client.post(f"/api/v1/reviews/{rid}/reminders")).json()
    assert sorted(x["email"] for x in body["reminders"]) == ["pia@example.org", "ulf@example.org"]
    assert all(x["link"] == "" for x in body["reminders"])
    assert sorted(e.rcpt_tos[0] for e in received) == ["pia@example.org", "ulf@example.org"]
    assert (await client.get(f"/api/v1/respond/{started}")).status_code == 404  # replaced


@pytest.mark.parametrize(
    "name", ["Maria\r\nBcc: all@example.org", "Ma\u202eria", "Ma\u200bria", "Tab\tName"]
)
async def test_names_with_hidden_characters_are_refused(client: AsyncTestClient, name: str) -> None:
    rid, _ = await cycle(client)
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": name, "email": "x@example.org"}
    )
    assert r.status_code == 400 and "name" in r.text
    subjects = (await client.get(f"/api/v1/reviews/{rid}/subjects")).json()
    assert [s["name"] for s in subjects] == ["Maria Berg"]


async def _first_statement(client: AsyncTestClient, token: str) -> int:
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    return next(i["id"] for i in form["items"] if i["format"] == "rating")
