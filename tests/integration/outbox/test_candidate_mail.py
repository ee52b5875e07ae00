"""E-mail to candidates against a real SMTP server (aiosmtpd): the invitation queued with
the invitation (API, CSV, the vacancy page), in the candidate's language, its link the
one the invitation returned; nothing when the vacancy says so; each candidate's messages
on the vacancy page, never with their link; "Send again" for those who may see the
message only."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.vocabulary import MessageKind, OutboxStatus
from server.outbox.worker import Worker
from server.settings import Settings
from server.tables import OutboxMessage
from tests.conftest import PASSWORD, login
from tests.integration.hiring.test_campaigns import new_campaign
from tests.mailsink import MailSink, link_in

pytestmark = pytest.mark.usefixtures("item_bank")


def csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def worker(client: AsyncTestClient, sink: MailSink) -> Worker:
    settings: Settings = client.app.state.settings
    values = {"smtp_url": sink.url, "smtp_from": "jobs@example.org", "mail_rate": 0}
    return Worker(dataclasses.replace(settings, **values))


async def messages(**where: Any) -> list[dict[str, Any]]:
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    for k, v in where.items():
        query = query.where(getattr(OutboxMessage, k) == v)
    return list(await query)


async def relogin(client: AsyncTestClient, email: str) -> None:
    client.cookies.clear()
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


async def invite(client: AsyncTestClient, cid: int, name: str, email: str, **extra: Any) -> Any:
    r = await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": name, "email": email, **extra}
    )
    assert r.status_code == 201, r.text
    return r.json()


async def test_an_invitation_is_queued_with_the_invite_and_sent_with_the_same_link(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    ada = await invite(client, c["id"], "Ada Lind", "Ada@Example.org")
    (row,) = await messages()
    assert row["kind"] == MessageKind.CANDIDATE_INVITATION and row["status"] == "queued"
    assert (row["candidate"], row["campaign"]) == (ada["id"], c["id"])
    assert (row["to_email"], row["to_name"]) == ("ada@example.org", "Ada Lind")
    assert row["language"] == c["languages"][0]
    # without a mail server the page says so
    page = await client.get(f"/app/campaigns/{c['id']}")
    assert "not sent: no mail server configured" in page.text
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 1
    (msg,) = sink.messages
    assert link_in(msg, "take").endswith(ada["link"])  # the link the invitation returned
    assert "Operators" in msg["Subject"]
    token = link_in(msg, "take").rsplit("/", 1)[1]
    client.cookies.clear()
    assert (await client.get(f"/take/{token}")).status_code == 200


async def test_the_vacancy_page_lists_each_candidates_messages_without_their_link(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    ada = await invite(client, c["id"], "Ada Lind", "ada@example.org")
    bo = await invite(client, c["id"], "Bo Ek", "bo@example.org")
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 2
    page = await client.get(f"/app/campaigns/{c['id']}")
    assert page.status_code == 200
    for person in (ada, bo):
        row = page.text.split(f'id="candidate-{person["id"]}"', 1)[1].split("</tr>", 1)[0]
        assert "Invitation to the test" in row and "sent " in row and "Send again" in row
        token = person["link"].rsplit("/", 1)[1]
        assert token not in page.text
    assert "[the person&#39;s own link]" in page.text  # the body as staff see it


async def test_send_again_for_those_who_may_see_the_message_only(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    await invite(client, c["id"], "Ada Lind", "ada@example.org")
    with MailSink() as sink:
        await worker(client, sink).send_batch()
    (row,) = await messages()
    assert row["status"] == OutboxStatus.SENT
    page = await client.get(f"/app/campaigns/{c['id']}")
    token = csrf(page.text)
    back = f"/app/campaigns/{c['id']}#candidate-{row['candidate']}"
    # another recruiter, and a coach: as if there were no such message
    for role, email in (("recruiter", "other@test.example"), ("coach", "coach@test.example")):
        client.cookies.clear()
        await login(client, role, email)
        other = csrf((await client.get("/app")).text)
        r = await client.post(
            f"/app/outbox/{row['id']}/resend",
            data={"_csrf_token": other, "back": back},
            follow_redirects=False,
        )
        assert r.status_code == 404, (role, r.status_code)
        assert (await messages())[0]["status"] == OutboxStatus.SENT
    await relogin(client, "recruiter@test.example")
    token = csrf((await client.get(f"/app/campaigns/{c['id']}")).text)
    # a "back" that leaves the staff pages is not followed
    r = await client.post(
        f"/app/outbox/{row['id']}/resend",
        data={"_csrf_token": token, "back": "//evil.example/app/x"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/app"
    again = (await messages())[0]
    assert again["status"] == OutboxStatus.QUEUED and again["tries"] == 0
    assert again["message_id"] != row["message_id"]
    # queued: nothing to send again, the page shows no button
    page = await client.get(f"/app/campaigns/{c['id']}")
    assert "Send again" not in page.text
    with MailSink() as sink:
        await worker(client, sink).send_batch()
    r = await client.post(
        f"/app/outbox/{row['id']}/resend",
        data={"_csrf_token": token, "back": back},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == back
    r = await client.post("/app/outbox/999999/resend", data={"_csrf_token": token})
    assert r.status_code == 404
