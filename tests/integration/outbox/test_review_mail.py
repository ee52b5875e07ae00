"""E-mail of 360 cycles against a real SMTP server (aiosmtpd): rater invitations (the
coach adds, or approves a proposal) in the rater's language, their link opening the form;
reminders with the same link; the nomination invitation; the schedule (reminder_days after
opening, the day before closing, once per rater and day, never to a rater who submitted,
never after closing); the coach's notices; the promise of each group; and the cycle's
messages seen and sent again only by those who may see the cycle."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from babel.dates import format_date
from litestar.testing import AsyncTestClient

from server.core.vocabulary import MessageKind, OutboxStatus
from server.outbox import schedule
from server.outbox.review_schedule import plan_review_mail
from server.outbox.templates import LINK_SHOWN
from server.outbox.worker import Worker
from server.reviews.groups import promises
from server.settings import Settings
from server.tables import OutboxMessage, Rater
from server.web.catalogues import translations
from tests.conftest import PASSWORD, login, make_user
from tests.integration.reviews.test_reviews import answer_all, cycle, rater
from tests.mailsink import MailSink, link_in

pytestmark = pytest.mark.usefixtures("demo_library")

LANGS = ("en", "ru", "sv", "nb")


def worker(client: AsyncTestClient, sink: MailSink) -> Worker:
    settings: Settings = client.app.state.settings
    return Worker(dataclasses.replace(settings, smtp_url=sink.url, mail_rate=0))


def settings_of(client: AsyncTestClient) -> Settings:
    return client.app.state.settings  # type: ignore[no-any-return]


async def sent(client: AsyncTestClient) -> MailSink:
    """Send everything queued to a fresh sink; the sink (stopped) with what it received."""
    with MailSink() as sink:
        w = worker(client, sink)
        while await w.send_batch():
            pass
    return sink


async def rows(**where: Any) -> list[dict[str, Any]]:
    query = OutboxMessage.select().order_by(OutboxMessage.id)
    for k, v in where.items():
        query = query.where(getattr(OutboxMessage, k) == v)
    return list(await query)


def text_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("plain",)).get_content())


def html_of(message: Any) -> str:
    return str(message.get_body(preferencelist=("html",)).get_content())


def token_of(link: str) -> str:
    return link.rsplit("/", 1)[1]


def csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


async def add_rater(
    client: AsyncTestClient, rid: int, sid: int, name: str, email: str, group: str, lang: str
) -> dict[str, Any]:
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects/{sid}/raters",
        json={"name": name, "email": email, "group": group, "language": lang},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


CLOSES = datetime(2031, 3, 14, 12, 0, tzinfo=UTC)


async def test_invitations_on_coach_add_arrive_in_the_raters_language_and_open_the_form(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client, closes_at=CLOSES.isoformat())
    added = {
        lang: await add_rater(client, rid, sid, f"Peer {lang}", f"{lang}@example.org", "peer", lang)
        for lang in LANGS
    }
    invitations = await rows(kind=MessageKind.RATER_INVITATION)
    assert sorted(r["language"] for r in invitations) == sorted(LANGS)
    sink = await sent(client)
    for lang, person in added.items():
        (mail,) = sink.to(person["email"])
        text, gettext = text_of(mail), translations(lang).gettext
        assert f'<html lang="{lang}">' in html_of(mail)
        assert format_date(CLOSES, format="long", locale=lang) in text
        assert " ".join(promises("peer", 3, gettext)) in text.replace("\n", " ")
        assert "Maria Berg" in mail["Subject"]
        link = link_in(mail, "rate")
        # the link is the one the invitation returned, and it opens the rater's form
        assert token_of(link) == token_of(person["link"])
        page = await client.get(f"/rate/{token_of(link)}?lang={lang}")
        assert page.status_code == 200 and f'<html lang="{lang}">' in page.text
        assert promises("peer", 3, gettext)[0].split(",")[0] in page.text
    # what staff may read of a sent message: no link, no token
    for row in await rows(kind=MessageKind.RATER_INVITATION):
        assert row["status"] == OutboxStatus.SENT
        assert (
            "/rate/" not in row["body"]
            and token_of(added[row["language"]]["link"]) not in (row["body"])
        )
        assert translations(row["language"]).gettext(LINK_SHOWN) in row["body"]


async def test_invitation_on_approval_and_a_reminder_with_the_same_link(
    client: AsyncTestClient,
) -> None:
    rid, _ = await cycle(client)
    subject = (await client.get(f"/api/v1/reviews/{rid}/subjects")).json()[0]
    sink = await sent(client)  # the nomination invitation the subject got when added
    nominate = token_of(link_in(sink.to("maria@example.org")[0], "nominate"))
    cookies = dict(client.cookies)
    client.cookies.clear()
    r = await client.post(
        f"/api/v1/nominate/{nominate}",
        json={"name": "Nils", "email": "nils@example.org", "group": "peer", "language": "nb"},
    )
    assert r.status_code == 201, r.text
    proposed = r.json()["id"]
    assert not await rows(kind=MessageKind.RATER_INVITATION)  # nothing before approval
    client.cookies.update(cookies)
    page = await client.get(f"/app/reviews/{rid}")
    r = await client.post(
        f"/app/reviews/{rid}/subjects/{subject['id']}/raters/{proposed}/approve",
        data={"_csrf_token": csrf(page.text)},
    )
    assert r.status_code == 200, r.text
    (row,) = await rows(kind=MessageKind.RATER_INVITATION)
    assert row["language"] == "nb" and row["rater"] == proposed
    sink = await sent(client)
    (invitation,) = sink.to("nils@example.org")
    assert '<html lang="nb">' in html_of(invitation)
    link = link_in(invitation, "rate")
    client.cookies.clear()
    assert (await client.get(f"/api/v1/respond/{token_of(link)}")).status_code == 200
    client.cookies.update(cookies)
    r = await client.post(f"/api/v1/reviews/{rid}/reminders")
    assert r.json()["queued"] == 1 and "/rate/" not in r.text
    sink = await sent(client)
    (reminder,) = sink.to("nils@example.org")
    assert link_in(reminder, "rate") == link  # the same link, not a new one
    assert reminder["Message-ID"] != invitation["Message-ID"]
    client.cookies.clear()
    assert (await client.get(f"/rate/{token_of(link)}")).status_code == 200


async def test_pages_queue_invitations_in_the_chosen_language(client: AsyncTestClient) -> None:
    rid, _ = await cycle(client)
    page = await client.get(f"/app/reviews/{rid}")
    r = await client.post(
        f"/app/reviews/{rid}/subjects",
        data={"_csrf_token": csrf(page.text), "name": "Olga Lind", "email": "olga@example.org"},
    )
    assert r.status_code == 200, r.text
    olga = (await client.get(f"/api/v1/reviews/{rid}/subjects")).json()[1]
    r = await client.post(
        f"/app/reviews/{rid}/subjects/{olga['id']}/raters",
        data={
            "_csrf_token": csrf(r.text),
            "name": "Ivan",
            "email": "ivan@example.org",
            "group": "peer",
            "language": "ru",
        },
    )
    assert r.status_code == 200, r.text
    bad = await client.post(
        f"/app/reviews/{rid}/subjects/{olga['id']}/raters",
        data={
            "_csrf_token": csrf(r.text),
            "name": "X",
            "email": "x@example.org",
            "group": "peer",
            "language": "xx",
        },
    )
    assert bad.status_code in (400, 422) and await Rater.count() == 1
    sink = await sent(client)
    (nomination,) = sink.to("olga@example.org")
    assert "Olga Lind" in text_of(nomination)
    (invitation,) = sink.to("ivan@example.org")
    assert '<html lang="ru">' in html_of(invitation)
    assert promises("peer", 3, translations("ru").gettext)[0] in text_of(invitation).replace(
        "\n", " "
    )
    # the nomination link works: page and API
    token = token_of(link_in(nomination, "nominate"))
    client.cookies.clear()
    assert (await client.get(f"/nominate/{token}")).status_code == 200
    shown = (await client.get(f"/api/v1/nominate/{token}")).json()
    assert shown["subject"] == "Olga Lind"


async def test_nomination_invitation_carries_the_link_the_api_returned(
    client: AsyncTestClient,
) -> None:
    rid, _ = await cycle(client)
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Per Holm", "email": "per@example.org"}
    )
    returned = r.json()["nomination_link"]
    sink = await sent(client)
    (mail,) = sink.to("per@example.org")
    assert link_in(mail, "nominate").endswith(returned)
    (row,) = await rows(to_email="per@example.org")
    assert row["kind"] == MessageKind.NOMINATION_INVITATION and "/nominate/" not in row["body"]
    # a closed cycle: a nomination invitation still queued is cancelled, not sent
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Late", "email": "late@example.org"}
    )
    assert (await client.post(f"/api/v1/reviews/{rid}/close")).status_code == 200
    sink = await sent(client)
    assert not sink.to("late@example.org")
    (late,) = await rows(to_email="late@example.org")
    assert late["status"] == OutboxStatus.CANCELLED and "closed" in late["last_error"]


async def test_the_promise_in_the_mail_is_the_one_of_the_raters_group(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client, anonymity_threshold=4)
    for name, group in (("Mats", "manager"), ("Pia", "peer"), ("Maria Berg", "self")):
        email = "maria@example.org" if group == "self" else f"{name.lower()}@example.org"
        await add_rater(client, rid, sid, name, email, group, "sv")
    sink = await sent(client)
    sv = translations("sv").gettext
    manager = text_of(sink.to("mats@example.org")[0]).replace("\n", " ")
    peer = text_of(sink.to("pia@example.org")[0]).replace("\n", " ")
    own = [m for m in sink.to("maria@example.org") if "/rate/" in text_of(m)]
    assert promises("manager", 4, sv)[0] in manager
    assert promises("peer", 4, sv)[0] not in manager
    assert promises("peer", 4, sv)[0] in peer and "4" in promises("peer", 4, sv)[0]
    assert promises("manager", 4, sv)[0] not in peer
    assert promises("self", 4, sv)[0] in text_of(own[0]).replace("\n", " ")


async def test_reminders_endpoint_queues_and_sends_without_changing_links(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    pia = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    ulf = await rater(client, rid, sid, "Ulf", "ulf@example.org", "peer")
    bo = await rater(client, rid, sid, "Bo", "bo@example.org", "peer")
    await answer_all(client, bo, 4)
    await sent(client)  # the invitations
    r = await client.post(f"/api/v1/reviews/{rid}/reminders")
    assert r.status_code == 200 and r.json()["queued"] == 2
    sink = await sent(client)
    assert sorted(str(m["To"]) for m in sink.messages) == [
        "Pia <pia@example.org>",
        "Ulf <ulf@example.org>",
    ]
    for address, token in (("pia@example.org", pia), ("ulf@example.org", ulf)):
        assert token_of(link_in(sink.to(address)[0], "rate")) == token
        assert (await client.get(f"/api/v1/respond/{token}")).status_code == 200


# ---- the schedule ------------------------------------------------------------------------


async def _scheduled_cycle(client: AsyncTestClient, opens: datetime) -> tuple[int, int]:
    """A cycle opening at ``opens`` for ten days, reminders 2 and 5 days after opening."""
    if not client.cookies:
        await login(client, "coach")
    roles = (await client.get("/api/v1/roles")).json()["items"]
    r = await client.post(
        "/api/v1/reviews",
        json={
            "name": "Scheduled",
            "role_id": next(x["id"] for x in roles if x["key"] == "cs_operator"),
            "opens_at": opens.isoformat(),
            "closes_at": (opens + timedelta(days=10)).isoformat(),
            "reminder_days": [2, 5],
        },
    )
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Maria Berg", "email": "maria@example.org"}
    )
    assert r.status_code == 201, r.text
    return rid, r.json()["id"]


async def reminders_by_rater() -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for row in await rows(kind=MessageKind.RATER_REMINDER):
        out.setdefault(row["rater"], []).append(row["dedupe"].rsplit(":", 1)[1])
    return out


async def test_planner_reminds_on_reminder_days_and_before_closing_once_each(
    client: AsyncTestClient,
) -> None:
    settings = settings_of(client)
    opens = datetime.now(UTC) - timedelta(hours=1)
    rid, sid = await _scheduled_cycle(client, opens)
    pia = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    done = await rater(client, rid, sid, "Bo", "bo@example.org", "peer")
    await answer_all(client, done, 4)
    ids = {r["email"]: r["id"] for r in await Rater.select(Rater.id, Rater.email)}
    minute = timedelta(minutes=1)
    # before the first reminder day: nothing
    assert await plan_review_mail(opens + timedelta(days=1), settings) == 0
    # day 2 after opening, planned again and again during that day: once
    day2 = opens + timedelta(days=2)
    assert await plan_review_mail(day2 + minute, settings) == 1
    assert await schedule.plan(day2 + timedelta(hours=5), settings) == 0
    assert await plan_review_mail(day2 + timedelta(hours=23), settings) == 0
    # no reminder is due between the reminder days
    assert await plan_review_mail(opens + timedelta(days=3, hours=2), settings) == 0
    assert await plan_review_mail(opens + timedelta(days=5) + minute, settings) == 1
    # the day before closing
    closes = opens + timedelta(days=10)
    assert await plan_review_mail(closes - timedelta(days=1) + minute, settings) == 1
    assert await plan_review_mail(closes - timedelta(hours=2), settings) == 0
    # after closing: no reminder (only the coach's notice that Bo's form can be released)
    assert await plan_review_mail(closes + minute, settings) == 1
    assert await plan_review_mail(closes + timedelta(days=2), settings) == 0
    assert len(await rows(kind=MessageKind.COACH_NOTICE)) == 1
    by_rater = await reminders_by_rater()
    assert ids["bo@example.org"] not in by_rater  # submitted: never reminded
    expected = [(opens + timedelta(days=d)).date().isoformat() for d in (2, 5, 9)]
    assert by_rater[ids["pia@example.org"]] == expected
    # each carries the link Pia has
    sink = await sent(client)
    reminders = [m for m in sink.to("pia@example.org") if "/rate/" in text_of(m)]
    assert {token_of(link_in(m, "rate")) for m in reminders} == {pia}
    assert len(reminders) == 4  # the invitation and the three reminders (closes_at is ahead)


async def test_planner_spares_fresh_invitations_and_cycles_not_open(
    client: AsyncTestClient,
) -> None:
    settings = settings_of(client)
    now = datetime.now(UTC)
    # a rater invited less than a day before the reminder is not reminded then
    rid, sid = await _scheduled_cycle(client, now - timedelta(days=2, minutes=30))
    await rater(client, rid, sid, "Fresh", "fresh@example.org", "peer")
    assert await plan_review_mail(now, settings) == 0
    # a cycle not open yet: nothing, and its invitations wait until it opens
    later, lsid = await _scheduled_cycle(client, now + timedelta(days=3))
    await rater(client, later, lsid, "Early", "early@example.org", "peer")
    (early,) = await rows(to_email="early@example.org")
    assert early["next_attempt_at"] >= now + timedelta(days=3) - timedelta(seconds=1)
    assert await plan_review_mail(now + timedelta(days=1), settings) == 0
    sink = await sent(client)
    assert not sink.to("early@example.org")


async def test_a_reminder_queued_before_closing_is_not_sent_after(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    await client.post(f"/api/v1/reviews/{rid}/reminders")
    await client.post(f"/api/v1/reviews/{rid}/close")
    sink = await sent(client)
    assert not sink.messages
    assert {r["status"] for r in await rows(rater=(await Rater.select().first())["id"])} == {
        OutboxStatus.CANCELLED
    }


# ---- the coach's notices -------------------------------------------------------------------


async def test_coach_notices_when_a_group_reaches_the_threshold_and_when_release_is_due(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client, anonymity_threshold=2)
    manager = await rater(client, rid, sid, "Mats", "mats@example.org", "manager")
    peers = [
        await rater(client, rid, sid, f"Peer {n}", f"p{n}@example.org", "peer") for n in range(3)
    ]
    await answer_all(client, manager, 4)  # the manager is shown as themself: no threshold
    await answer_all(client, peers[0], 4)
    assert not await rows(kind=MessageKind.COACH_NOTICE)
    await answer_all(client, peers[1], 3)
    (notice,) = await rows(kind=MessageKind.COACH_NOTICE)
    assert notice["to_email"] == "coach@test.example" and notice["language"] == "en"
    await answer_all(client, peers[2], 5)
    assert len(await rows(kind=MessageKind.COACH_NOTICE)) == 1  # once per person and group
    sink = await sent(client)
    (mail,) = sink.to("coach@test.example")
    text = text_of(mail)
    assert "Peers" in text and "Maria Berg" in text and "peer" not in text.replace("Peers", "")
    assert f"/app/reviews/{rid}" in text and "/rate/" not in text
    # closed with forms to release: one notice per closing, however often it is planned
    settings = settings_of(client)
    assert (await client.post(f"/api/v1/reviews/{rid}/close")).status_code == 200
    now = datetime.now(UTC) + timedelta(minutes=1)
    assert await plan_review_mail(now, settings) == 1
    assert await plan_review_mail(now + timedelta(hours=1), settings) == 0
    assert len(await rows(kind=MessageKind.COACH_NOTICE)) == 2
    sink = await sent(client)
    assert "released" in text_of(sink.to("coach@test.example")[0])
    assert f"/app/reviews/{rid}" in text_of(sink.to("coach@test.example")[0])


# ---- who sees the messages -----------------------------------------------------------------


async def test_the_cycle_page_shows_each_persons_messages_to_its_coach_only(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    await sent(client)
    page = await client.get(f"/app/reviews/{rid}")
    assert page.status_code == 200
    assert "Invitation to give feedback" in page.text
    assert "Invitation to choose raters" in page.text
    assert token not in page.text and "/rate/" not in page.text
    assert f'href="/app/reviews/{rid}/mail"' in page.text
    (message,) = await rows(to_email="pia@example.org")
    # another coach: neither the page nor "Send again" (404, nothing changes)
    own_cookies = dict(client.cookies)
    other = await make_user("coach", "other-coach@test.example")
    client.cookies.clear()
    r = await client.post("/api/v1/auth/login", json={"email": other, "password": PASSWORD})
    assert r.status_code == 200
    assert (await client.get(f"/app/reviews/{rid}")).status_code == 404
    home = await client.get("/app/reviews")
    r = await client.post(
        f"/app/outbox/{message['id']}/resend",
        data={"_csrf_token": csrf(home.text), "back": "/app/reviews"},
    )
    assert r.status_code == 404
    assert (await rows(to_email="pia@example.org"))[0]["status"] == OutboxStatus.SENT
    # the cycle's coach sends it again: queued with a new Message-ID, the same link
    client.cookies.clear()
    client.cookies.update(own_cookies)
    r = await client.post(
        f"/app/outbox/{message['id']}/resend",
        data={"_csrf_token": csrf(page.text), "back": f"/app/reviews/{rid}#rater-1"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(f"/app/reviews/{rid}")
    sink = await sent(client)
    (again,) = sink.to("pia@example.org")
    assert token_of(link_in(again, "rate")) == token


async def test_the_demo_cycle_mails_nobody(client: AsyncTestClient) -> None:
    """The demo's simulated raters answered long ago: no invitation, reminder or notice."""
    import numpy as np

    from server.demo import reviews as demo360

    await login(client, "coach")
    await demo360.load(np.random.default_rng(5))
    assert await Rater.count() > 0
    assert await OutboxMessage.count() == 0
    settings = settings_of(client)
    assert await plan_review_mail(datetime.now(UTC) + timedelta(days=14), settings) == 0
