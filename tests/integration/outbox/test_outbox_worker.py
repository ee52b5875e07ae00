"""The outbox worker against a real SMTP server (aiosmtpd): sent once, retried with the
same Message-ID, refused for good, cancelled when no longer due, taken again after a
worker died, within MAIL_RATE, and no header injection whatever a name holds."""

from __future__ import annotations

import dataclasses
import io
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.db import utcnow, write_transaction
from server.core.vocabulary import MessageKind, OutboxStatus
from server.outbox import repository as outbox
from server.outbox.commands import show_outbox
from server.outbox.worker import Worker
from server.settings import Settings
from server.tables import Candidate, OutboxMessage
from tests.conftest import login
from tests.integration.hiring.test_campaigns import new_campaign
from tests.mailsink import MailSink, link_in

pytestmark = pytest.mark.usefixtures("item_bank")


async def invited(client: AsyncTestClient, *people: tuple[str, str]) -> list[dict[str, Any]]:
    await login(client, "recruiter")
    campaign = await new_campaign(client)
    # these tests queue their own messages: the vacancy queues no invitations itself
    r = await client.patch(f"/api/v1/campaigns/{campaign['id']}", json={"mail_invitations": False})
    assert r.status_code == 200, r.text
    out = []
    for name, email in people:
        r = await client.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates", json={"name": name, "email": email}
        )
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


async def queue(people: list[dict[str, Any]], *, to_name: str | None = None) -> None:
    async with write_transaction():
        await outbox.enqueue(
            [
                outbox.NewMessage(
                    kind=MessageKind.CANDIDATE_INVITATION,
                    to_email=p["email"],
                    to_name=p["name"] if to_name is None else to_name,
                    campaign=p["campaign_id"],
                    candidate=p["id"],
                )
                for p in people
            ],
            sender="jobs@example.org",
        )


def worker(client: AsyncTestClient, sink: MailSink, **changes: Any) -> Worker:
    settings: Settings = client.app.state.settings
    values = {"smtp_url": sink.url, "smtp_from": "jobs@example.org", "mail_rate": 0, **changes}
    return Worker(dataclasses.replace(settings, **values))


async def rows() -> list[dict[str, Any]]:
    return list(await OutboxMessage.select().order_by(OutboxMessage.id))


async def test_a_queued_invitation_is_sent_once_with_a_working_link(
    client: AsyncTestClient,
) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada])
    with MailSink() as sink:
        w = worker(client, sink)
        assert await w.send_batch() == 1
        assert await w.send_batch() == 0  # nothing twice
    assert len(sink.messages) == 1
    (msg,) = sink.messages
    (row,) = await rows()
    assert row["status"] == OutboxStatus.SENT and row["tries"] == 1
    assert msg["Message-ID"] == row["message_id"]
    assert msg["To"].addresses[0].addr_spec == "ada@example.org"
    assert "Operators" in msg["Subject"]
    assert msg.get_body(preferencelist=("html",)) is not None
    link = link_in(msg, "take")
    # the link in the mail is the one the candidate got at invitation: same token
    assert link.endswith(ada["link"])
    client.cookies.clear()
    assert (await client.get(ada["link"])).status_code == 200
    # what staff see keeps the link out
    token = ada["link"].rsplit("/", 1)[1]
    assert token not in row["body"] and "[the person's own link]" in row["body"]


async def test_a_passing_failure_is_retried_later_with_the_same_message_id(
    client: AsyncTestClient,
) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada])
    with MailSink() as sink:
        sink.refuse(451)
        w = worker(client, sink, mail_retry_seconds=60)
        assert await w.send_batch() == 1
        (row,) = await rows()
        assert row["status"] == OutboxStatus.QUEUED and row["tries"] == 1
        assert "451" in row["last_error"]
        wait = row["next_attempt_at"] - utcnow()
        assert timedelta(seconds=50) < wait < timedelta(seconds=67)  # 60 s ± 10 %
        assert await w.send_batch() == 0  # not before its time
        await OutboxMessage.update({OutboxMessage.next_attempt_at: utcnow()}).where(
            OutboxMessage.id == row["id"]
        )
        assert await w.send_batch() == 1
    (again,) = await rows()
    assert again["status"] == OutboxStatus.SENT and again["tries"] == 2
    assert [m["Message-ID"] for m in sink.messages] == [row["message_id"]]


async def test_backoff_doubles_and_the_last_try_fails_the_message(
    client: AsyncTestClient,
) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada])
    waits = []
    with MailSink() as sink:
        sink.refuse(421, times=3)
        w = worker(client, sink, mail_retry_seconds=10, mail_max_tries=3)
        for _ in range(3):
            await OutboxMessage.update({OutboxMessage.next_attempt_at: utcnow()}).where(
                OutboxMessage.id > 0
            )
            before = utcnow()
            assert await w.send_batch() == 1
            (row,) = await rows()
            waits.append((row["next_attempt_at"] - before).total_seconds())
    assert row["status"] == OutboxStatus.FAILED and row["tries"] == 3
    assert "421" in row["last_error"]
    assert 9 <= waits[0] <= 11.1 and 18 <= waits[1] <= 22.1  # 10 s, then 20 s (± 10 %)
    assert sink.messages == []


async def test_a_refusal_fails_the_message_at_once(client: AsyncTestClient) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada])
    with MailSink() as sink:
        sink.refuse(550)
        assert await worker(client, sink).send_batch() == 1
    (row,) = await rows()
    assert row["status"] == OutboxStatus.FAILED and row["tries"] == 1
    assert row["last_error"].startswith("550")


async def test_an_unreachable_server_loses_nothing(client: AsyncTestClient) -> None:
    (ada, bo) = await invited(client, ("Ada Lind", "ada@example.org"), ("Bo Ek", "bo@example.org"))
    await queue([ada, bo])
    with MailSink() as sink:
        url = sink.url
    settings = dataclasses.replace(client.app.state.settings, smtp_url=url, mail_rate=0)
    assert await Worker(settings).send_batch() == 2  # nobody listens on the port now
    found = await rows()
    assert [r["status"] for r in found] == [OutboxStatus.QUEUED] * 2
    assert all("cannot reach the mail server" in r["last_error"] for r in found)
    # the links were not touched: each candidate's link still opens their test
    client.cookies.clear()
    for person in (ada, bo):
        assert (await client.get(person["link"])).status_code == 200


async def test_a_message_no_longer_due_is_cancelled(client: AsyncTestClient) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada])
    await Candidate.update({Candidate.status: "submitted"}).where(Candidate.id == ada["id"])
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 1
    (row,) = await rows()
    assert row["status"] == OutboxStatus.CANCELLED and "submitted" in row["last_error"]
    assert sink.messages == []


async def test_a_message_left_sending_by_a_dead_worker_is_sent_again_unchanged(
    client: AsyncTestClient,
) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada])
    (taken,) = await outbox.claim("dead-worker", limit=10, lock_seconds=300)
    with MailSink() as sink:
        w = worker(client, sink)
        assert await w.send_batch() == 0  # still held by the dead worker
        await OutboxMessage.update(
            {OutboxMessage.locked_until: utcnow() - timedelta(seconds=1)}
        ).where(OutboxMessage.id == taken["id"])
        assert await w.send_batch() == 1
    (row,) = await rows()
    assert row["status"] == OutboxStatus.SENT and row["tries"] == 2
    assert sink.messages[0]["Message-ID"] == taken["message_id"]
    # the dead worker coming back cannot overwrite what the living one recorded
    assert not await outbox.mark_retry(taken["id"], "dead-worker", error="late", at=utcnow())
    assert (await rows())[0]["status"] == OutboxStatus.SENT


async def test_mail_rate_caps_what_every_worker_sends_in_a_minute(
    client: AsyncTestClient,
) -> None:
    people = await invited(client, *[(f"Person {n}", f"p{n}@example.org") for n in range(5)])
    await queue(people)
    with MailSink() as sink:
        first, second = worker(client, sink, mail_rate=3), worker(client, sink, mail_rate=3)
        assert await first.send_batch() == 3
        assert await second.send_batch() == 0  # the minute's allowance is used up
        await OutboxMessage.update({OutboxMessage.sent_at: utcnow() - timedelta(seconds=61)}).where(
            OutboxMessage.status == OutboxStatus.SENT
        )
        assert await second.send_batch() == 2
    assert len(sink.messages) == 5


async def test_a_name_cannot_add_headers_or_recipients(client: AsyncTestClient) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada], to_name="Ada\r\nBcc: thief@example.com\r\nSubject: pay now")
    await Candidate.update({Candidate.name: "Ada\nBcc: thief@example.com"}).where(
        Candidate.id == ada["id"]
    )
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 1
    (envelope,) = sink.envelopes
    assert envelope.rcpt_tos == ["ada@example.org"]
    (msg,) = sink.messages
    assert msg["Bcc"] is None and len(msg.get_all("Subject")) == 1
    assert "\n" not in str(msg["To"]) and "pay now" not in msg["Subject"]


async def test_without_a_mail_server_nothing_is_taken(client: AsyncTestClient) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await queue([ada])
    settings = dataclasses.replace(client.app.state.settings, smtp_url="")
    assert await Worker(settings).tick() == 0
    (row,) = await rows()
    assert row["status"] == OutboxStatus.QUEUED and row["tries"] == 0


async def test_assess_outbox_lists_and_shows_what_would_be_sent(client: AsyncTestClient) -> None:
    (ada,) = await invited(client, ("Ada Lind", "ada@example.org"))
    await OutboxMessage.delete(force=True)  # only the message this test queues
    await queue([ada])
    settings = dataclasses.replace(client.app.state.settings, smtp_url="")
    listing = io.StringIO()
    assert await show_outbox(settings, status=None, limit=50, show=None, out=listing) == 0
    text = listing.getvalue()
    assert text.startswith("1 messages")
    assert "candidate_invitation" in text and "ada@example.org" in text
    assert "not sent: no mail server configured" in text
    (row,) = await rows()
    shown = io.StringIO()
    assert await show_outbox(settings, status=None, limit=50, show=row["id"], out=shown) == 0
    one = shown.getvalue()
    assert "Subject: Your invitation: Operators" in one
    assert ada["link"] in one  # the operator sees the link the candidate would get
    assert f"Message-ID: {row['message_id']}" in one
