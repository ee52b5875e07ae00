"""Links that give nothing away: a submitted rater's link shows no answers (API and page), a
proposed rater cannot answer before the coach approves (not even through another form of the
same person), and the subject's nomination link lists only the subject's own proposals."""

from __future__ import annotations

import dataclasses
import re

import pytest
from litestar.testing import AsyncTestClient

from server.core.db import utcnow
from server.core.vocabulary import OutboxStatus
from server.outbox.worker import Worker
from server.tables import OutboxMessage
from tests.integration.reviews.test_reviews import answer_all, cycle, mail_worker, rater
from tests.mailsink import MailSink, _free_port, link_in

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


async def test_reminders_change_no_link_whatever_the_mail_server_does(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    waiting = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    started = await rater(client, rid, sid, "Ulf", "ulf@example.org", "peer")
    r = await client.put(
        f"/api/v1/respond/{started}/answers/{await _first_statement(client, started)}",
        json={"rating": 3},
    )
    assert r.status_code == 200
    r = await client.post(f"/api/v1/reviews/{rid}/reminders")
    assert r.status_code == 200 and r.json()["queued"] == 2
    assert "/rate/" not in r.text  # the links go only to the raters
    # a mail server that cannot be reached: the messages wait, every link still works
    unreachable = f"smtp://127.0.0.1:{_free_port()}"
    settings = client.app.state.settings
    dead = dataclasses.replace(settings, smtp_url=unreachable, mail_rate=0)
    await Worker(dead).send_batch()
    for token in (waiting, started):
        assert (await client.get(f"/api/v1/respond/{token}")).status_code == 200
    assert {m["status"] for m in await OutboxMessage.select()} == {OutboxStatus.QUEUED}
    # the next try reaches both, each with the link they already had
    await OutboxMessage.update({OutboxMessage.next_attempt_at: utcnow()}, force=True)
    with MailSink() as sink:
        await mail_worker(client, sink).send_batch()
    for address, token in (("pia@example.org", waiting), ("ulf@example.org", started)):
        links = {link_in(m, "rate") for m in sink.to(address)}
        assert {link.rsplit("/", 1)[1] for link in links} == {token}
        assert (await client.get(f"/api/v1/respond/{token}")).status_code == 200


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
