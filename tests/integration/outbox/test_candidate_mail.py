"""E-mail to candidates against a real SMTP server (aiosmtpd): the invitation queued with
the invitation (API, CSV, the vacancy page), in the candidate's language, its link the
one the invitation returned; nothing when the vacancy says so; each candidate's messages
on the vacancy page, never with their link; "Send again" for those who may see the
message only."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.db import loads, utcnow
from server.core.vocabulary import MessageKind, OutboxStatus
from server.outbox import schedule
from server.outbox.worker import Worker
from server.settings import Settings
from server.tables import Candidate, OutboxMessage
from tests.conftest import PASSWORD, login
from tests.integration.hiring.test_campaigns import new_campaign, take
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
    # a second click before the worker sent it (a double submit) changes nothing
    r = await client.post(
        f"/app/outbox/{row['id']}/resend",
        data={"_csrf_token": token, "back": back},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert await messages() == [again]
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


async def start(client: AsyncTestClient, link: str) -> str:
    token = link.rsplit("/", 1)[1]
    r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
    assert r.status_code == 200, r.text
    return token


async def receipts() -> list[dict[str, Any]]:
    return await messages(kind=MessageKind.CANDIDATE_RECEIPT)


async def test_a_receipt_is_queued_once_whichever_way_the_test_is_submitted(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    by_api = await invite(client, c["id"], "Ada Lind", "ada@example.org", language="sv")
    by_page = await invite(client, c["id"], "Bo Ek", "bo@example.org")
    by_time = await invite(client, c["id"], "Cy Berg", "cy@example.org", language="nb")
    never = await invite(client, c["id"], "Di Dahl", "di@example.org")
    # the API: whole test taken, then a second submit changes nothing
    await take(client, by_api["link"])
    form = (await client.get(f"/api/v1/sjt/forms/{by_api['form_id']}")).json()
    token = by_api["link"].rsplit("/", 1)[1]
    assert (await client.post(f"/api/v1/respond/{token}/submit")).status_code == 200
    (receipt,) = await receipts()
    assert receipt["candidate"] == by_api["id"] and receipt["language"] == "sv"
    assert loads(receipt["params"]) == {"answered": len(form["item_ids"])}
    # the page: started, one answer, submitted (twice)
    token = await start(client, by_page["link"])
    for _ in range(2):
        r = await client.post(f"/take/{token}/submit", follow_redirects=False)
        assert r.status_code in (302, 303)
    assert [r["candidate"] for r in await receipts()] == [by_api["id"], by_page["id"]]
    assert loads((await receipts())[1]["params"]) == {"answered": 0}
    # out of time: submitted at the deadline when next seen, by the link or the ranking
    token = await start(client, by_time["link"])
    await Candidate.update({Candidate.deadline_at: utcnow() - timedelta(seconds=5)}).where(
        Candidate.id == by_time["id"]
    )
    await client.get(f"/take/{token}")
    await client.get(f"/take/{token}")
    await login(client, "admin")
    assert (await client.get(f"/api/v1/campaigns/{c['id']}/ranking")).status_code == 200
    found = await receipts()
    assert [r["candidate"] for r in found] == [by_api["id"], by_page["id"], by_time["id"]]
    assert found[2]["language"] == "nb"
    assert never["id"] not in [r["candidate"] for r in found]
    # sent: a receipt goes to a candidate who has submitted; their invitation is no
    # longer due (cancelled); the one who never started gets the invitation
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 7
    for person in (by_api, by_page, by_time):
        (msg,) = sink.to(person["email"])
        text = msg.get_body(preferencelist=("plain",)).get_content()
        assert "/take/" not in text and person["name"] in text
    (msg,) = sink.to(never["email"])
    assert link_in(msg, "take").endswith(never["link"])
    states = [(r["kind"], r["status"]) for r in await messages()]
    assert states.count((MessageKind.CANDIDATE_INVITATION, OutboxStatus.CANCELLED)) == 3
    assert states.count((MessageKind.CANDIDATE_RECEIPT, OutboxStatus.SENT)) == 3
    # the page says why an invitation was not sent, in words
    page = await client.get(f"/app/campaigns/{c['id']}")
    row = page.text.split(f'id="candidate-{by_page["id"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Receipt of the answers" in row and "cancelled" in row
    assert "Why: the candidate has submitted their answers" in " ".join(row.split())


async def test_receipts_off_queue_none(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    r = await client.patch(
        f"/api/v1/campaigns/{c['id']}", json={"mail_receipts": False, "mail_invitations": False}
    )
    assert r.status_code == 200 and r.json()["mail_receipts"] is False
    ada = await invite(client, c["id"], "Ada Lind", "ada@example.org")
    await take(client, ada["link"])
    assert await messages() == []


async def test_a_reminder_before_closing_once_to_who_has_not_submitted(
    client: AsyncTestClient,
) -> None:
    settings: Settings = client.app.state.settings
    await login(client, "recruiter")
    c = await new_campaign(client)
    closes = (utcnow() + timedelta(days=5)).replace(microsecond=0)
    r = await client.patch(
        f"/api/v1/campaigns/{c['id']}",
        json={"closes_at": closes.isoformat(), "reminder_days": 2},
    )
    assert r.status_code == 200 and r.json()["reminder_days"] == 2
    done = await invite(client, c["id"], "Ada Lind", "ada@example.org")
    waiting = await invite(client, c["id"], "Bo Ek", "bo@example.org", language="ru")
    await take(client, done["link"])
    # a vacancy without reminders, closing at the same time
    quiet = await new_campaign(client, closes_at=closes.isoformat())
    r = await client.patch(f"/api/v1/campaigns/{quiet['id']}", json={"reminder_days": 0})
    assert r.status_code == 200
    await invite(client, quiet["id"], "Cy Berg", "cy@example.org")

    async def reminders() -> list[dict[str, Any]]:
        return await messages(kind=MessageKind.CANDIDATE_REMINDER)

    assert await schedule.plan(closes - timedelta(days=2, minutes=1), settings) == 0
    assert await reminders() == []
    assert await schedule.plan(closes - timedelta(days=1, hours=12), settings) == 1
    assert await schedule.plan(closes - timedelta(days=1), settings) == 0  # not twice
    assert await schedule.plan(closes - timedelta(minutes=1), settings) == 0
    assert await schedule.plan(closes + timedelta(hours=1), settings) == 0  # closed
    (row,) = await reminders()
    assert row["candidate"] == waiting["id"] and row["language"] == "ru"
    assert row["dedupe"] == f"candidate-reminder:{waiting['id']}:{closes:%Y-%m-%d}"
    # the reminder carries the link the candidate already has
    await OutboxMessage.update({OutboxMessage.status: OutboxStatus.CANCELLED}).where(
        OutboxMessage.kind != MessageKind.CANDIDATE_REMINDER
    )
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 1
    (msg,) = sink.messages
    assert link_in(msg, "take").endswith(waiting["link"])
    # a new closing date is a new reminder; one who submitted meanwhile gets none
    later = closes + timedelta(days=7)
    r = await client.patch(f"/api/v1/campaigns/{c['id']}", json={"closes_at": later.isoformat()})
    assert r.status_code == 200
    await Candidate.update({Candidate.status: "submitted"}).where(Candidate.id == waiting["id"])
    assert await schedule.plan(later - timedelta(days=1), settings) == 0


async def test_reminder_days_are_checked_on_the_api_and_the_page(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    for bad in (31, -1, 2.5):
        r = await client.patch(f"/api/v1/campaigns/{c['id']}", json={"reminder_days": bad})
        # the schema's limits: 400 naming the field, like every other PATCH field
        assert r.status_code == 400 and "reminder_days" in r.text, (bad, r.text)
    r = await client.patch(f"/api/v1/campaigns/{c['id']}", json={"mail_invitations": "yes"})
    assert r.status_code == 400 and "mail_invitations" in r.text
    got = (await client.get(f"/api/v1/campaigns/{c['id']}")).json()
    assert (got["mail_invitations"], got["reminder_days"], got["mail_receipts"]) == (True, 2, True)
    page = await client.get(f"/app/campaigns/{c['id']}")
    form = {
        "_csrf_token": csrf(page.text),
        "name": "Operators",
        "opens_at": "",
        "closes_at": "",
        "minutes": str(got["time_limit_seconds"] // 60),
        "cut_score": "",
        "languages": got["languages"],
        "form_ids": [str(f) for f in got["form_ids"]],
        "omitted": "lowest",
        "reminder_days": "45",
        "mail_receipts": "on",
    }
    r = await client.post(f"/app/campaigns/{c['id']}/settings", data=form)
    assert r.status_code == 422
    assert "Reminder before closing (days)" in r.text and "whole days from 0 to 30" in r.text
    same = (await client.get(f"/api/v1/campaigns/{c['id']}")).json()
    assert same["reminder_days"] == 2 and same["mail_invitations"] is True  # nothing saved
    form["reminder_days"] = "3"
    r = await client.post(f"/app/campaigns/{c['id']}/settings", data=form, follow_redirects=False)
    assert r.status_code == 303
    saved = (await client.get(f"/api/v1/campaigns/{c['id']}")).json()
    # an unticked box is off
    assert (saved["mail_invitations"], saved["reminder_days"], saved["mail_receipts"]) == (
        False,
        3,
        True,
    )
    await invite(client, c["id"], "Ada Lind", "ada@example.org")
    assert await messages() == []  # invitations off: nothing queued


async def test_bulk_invitations_queue_one_message_each(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    body = (
        "name,email,language\n"
        "Ada Lind,ada@example.org,sv\nBo Ek,bo@example.org,\nCy Berg,cy@example.org,nb\n"
    )
    r = await client.post(f"/api/v1/campaigns/{c['id']}/candidates/import", content=body)
    assert r.status_code == 201, r.text
    invited = r.json()["invited"]
    # and two pasted on the vacancy page
    page = await client.get(f"/app/campaigns/{c['id']}")
    r = await client.post(
        f"/app/campaigns/{c['id']}/invite",
        data={
            "_csrf_token": csrf(page.text),
            "people": "Di Dahl <di@example.org>\nEd Ny, ed@example.org",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    rows = await messages(kind=MessageKind.CANDIDATE_INVITATION)
    assert [r["to_email"] for r in rows] == [
        "ada@example.org",
        "bo@example.org",
        "cy@example.org",
        "di@example.org",
        "ed@example.org",
    ]
    first = c["languages"][0]
    assert [r["language"] for r in rows] == ["sv", first, "nb", first, first]
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 5
    for person in invited:
        (msg,) = sink.to(person["email"])
        assert link_in(msg, "take").endswith(person["link"])
    # a refused invitation (a duplicate) queues nothing
    r = await client.post(f"/api/v1/campaigns/{c['id']}/candidates/import", content=body)
    assert r.status_code == 409
    assert len(await messages()) == 5


# what each language's invitation says (server/locale: the catalogues' translations)
IN_LANGUAGE = {
    "en": ("Your invitation: Operators", "Hello Ada Lind,", "Your own link to the test:"),
    "ru": ("Приглашение: Operators", "Здравствуйте, Ada Lind!", "Ваша личная ссылка на тест:"),
    "sv": ("Din inbjudan: Operators", "Hej Ada Lind,", "Din egen länk till testet:"),
    "nb": ("Din invitasjon: Operators", "Hei Ada Lind,", "Din egen lenke til testen:"),
}


@pytest.mark.parametrize("lang", sorted(IN_LANGUAGE))
async def test_the_invitation_speaks_the_candidates_language(
    client: AsyncTestClient, lang: str
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    assert lang in c["languages"]
    ada = await invite(client, c["id"], "Ada Lind", "ada@example.org", language=lang)
    with MailSink() as sink:
        assert await worker(client, sink).send_batch() == 1
    (msg,) = sink.messages
    subject, hello, link_line = IN_LANGUAGE[lang]
    assert msg["Subject"] == subject
    text = msg.get_body(preferencelist=("plain",)).get_content()
    assert text.startswith(hello) and link_line in text
    assert link_in(msg, "take").endswith(ada["link"])
    html_part = msg.get_body(preferencelist=("html",)).get_content()
    assert f'lang="{lang}"' in html_part and hello.split(",")[0] in html_part
