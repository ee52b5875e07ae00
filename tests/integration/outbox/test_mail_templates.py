"""Staff edit the e-mail texts of a vacancy or a cycle (page and API): per kind and
language, with the variables and a preview; a text that cannot be used is refused (422
naming the field, nothing saved); the text saved is the one the candidate receives; the
texts are for those who may see the vacancy or cycle only."""

from __future__ import annotations

import dataclasses
import html
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.db import loads, write_transaction
from server.core.vocabulary import MessageKind, OutboxStatus
from server.outbox import repository as outbox
from server.outbox.worker import Worker
from server.settings import Settings
from server.tables import AuditEvent, Campaign, OutboxMessage, Review
from server.web.catalogues import translations
from tests.conftest import PASSWORD, login
from tests.integration.hiring.test_campaigns import new_campaign
from tests.integration.reviews.test_reviews import cycle
from tests.mailsink import MailSink

pytestmark = pytest.mark.usefixtures("item_bank")


def csrf(text: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', text)
    assert found, text[:500]
    return found.group(1)


async def relogin(client: AsyncTestClient, email: str) -> None:
    client.cookies.clear()
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


async def stored(table: Any, ident: int) -> dict[str, Any]:
    row = await table.select(table.settings).where(table.id == ident).first()
    return dict((loads(row["settings"]) or {}).get("mail") or {})


async def test_the_editor_shows_variables_and_a_preview_and_saves_what_is_sent(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    assert "sv" in c["languages"]
    page = await client.get(f"/app/campaigns/{c['id']}/mail?kind=candidate_invitation&lang=sv")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "{{ closes }}" in text and "the last day the test can be taken" in text
    # the preview's sample vacancy, in the language previewed
    sample = translations("sv").gettext("Customer service advisor")
    assert sample != "Customer service advisor" and sample in text
    assert "/take/xxxx" in text and "<p>" in page.text  # the text and the HTML part
    # a preview of a typed text saves nothing
    form = {
        "_csrf_token": csrf(page.text),
        "kind": "candidate_invitation",
        "language": "sv",
        "subject": "Hej {{ name }}: {{ vacancy }}",
        "body": (
            "Hej {{ name }}!\r\n\r\nDin länk: {{ link }}\r\n"
            "{% if closes %}Senast {{ closes }}.{% endif %}"
        ),
        "action": "preview",
    }
    r = await client.post(f"/app/campaigns/{c['id']}/mail", data=form)
    assert r.status_code == 200 and f"Hej {translations('sv').gettext('Alex Example')}" in r.text
    assert await stored(Campaign, c["id"]) == {}
    # saved: then the candidate's invitation says it
    r = await client.post(
        f"/app/campaigns/{c['id']}/mail", data={**form, "action": "save"}, follow_redirects=False
    )
    assert r.status_code == 303 and "saved=1" in r.headers["location"]
    mail = await stored(Campaign, c["id"])
    assert mail["candidate_invitation"]["sv"]["subject"] == "Hej {{ name }}: {{ vacancy }}"
    assert "\r" not in mail["candidate_invitation"]["sv"]["body"]
    events = await AuditEvent.select().where(AuditEvent.target == f"campaign:{c['id']}/mail")
    assert [e["action"] for e in events] == ["updated"]
    r = await client.post(
        f"/api/v1/campaigns/{c['id']}/candidates",
        json={"name": "Ada Lind", "email": "ada@example.org", "language": "sv"},
    )
    bo = await client.post(
        f"/api/v1/campaigns/{c['id']}/candidates",
        json={"name": "Bo Ek", "email": "bo@example.org", "language": "en"},
    )
    assert r.status_code == bo.status_code == 201
    settings: Settings = client.app.state.settings
    with MailSink() as sink:
        w = Worker(dataclasses.replace(settings, smtp_url=sink.url, mail_rate=0))
        assert await w.send_batch() == 2
    (ada,) = sink.to("ada@example.org")
    assert ada["Subject"] == "Hej Ada Lind: Operators"
    body = ada.get_body(preferencelist=("plain",)).get_content()
    assert body.startswith("Hej Ada Lind!") and r.json()["link"] in body
    (en,) = sink.to("bo@example.org")  # other languages keep the default
    assert en["Subject"] == "Your invitation: Operators"
    # the editor now shows the own text; saving the default text again is the default
    page = await client.get(f"/app/campaigns/{c['id']}/mail?kind=candidate_invitation&lang=sv")
    assert "own text" in page.text and "Hej {{ name }}" in html.unescape(page.text)
    r = await client.post(
        f"/app/campaigns/{c['id']}/mail",
        data={**form, "_csrf_token": csrf(page.text), "action": "reset"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and await stored(Campaign, c["id"]) == {}


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("body", "Hello {{ nme }}", "unknown variables: nme"),
        ("body", "Hello {% if name %}", "line 1"),
        ("subject", "{{ subject }}", "unknown variables: subject"),
        ("subject", "x" * 201, "at most 200 characters (this has 201)"),
        ("body", "{{ minutes / 0 }}", "cannot be filled in"),
        # a text that would fill the worker's memory is refused, not rendered
        ("body", "{{ name * 10**9 }}", "cannot be filled in"),
        ("body", "{{ 10 ** 100000 }}", "cannot be filled in"),
    ],
)
async def test_a_text_that_cannot_be_used_is_refused_naming_the_field(
    client: AsyncTestClient, field: str, value: str, words: str
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    page = await client.get(f"/app/campaigns/{c['id']}/mail")
    form = {
        "_csrf_token": csrf(page.text),
        "kind": "candidate_reminder",
        "language": "en",
        "subject": "",
        "body": "",
        field: value,
    }
    for action in ("save", "preview"):
        r = await client.post(f"/app/campaigns/{c['id']}/mail", data={**form, "action": action})
        assert r.status_code == 422, (action, r.status_code)
        label = "Subject" if field == "subject" else "Text"
        errors = r.text.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
        assert label in errors and words in html.unescape(errors), errors
    assert await stored(Campaign, c["id"]) == {}
    # the API: 422 naming kind, language and field; nothing saved
    r = await client.put(
        f"/api/v1/campaigns/{c['id']}/mail-templates",
        json={"templates": {"candidate_reminder": {"en": {field: value}}}},
    )
    assert r.status_code == 422, r.text
    assert f"candidate_reminder.en.{field}" in r.text
    assert await stored(Campaign, c["id"]) == {}


async def test_the_api_reads_and_replaces_the_texts(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    url = f"/api/v1/campaigns/{c['id']}/mail-templates"
    got = (await client.get(url)).json()
    assert got["templates"] == {} and got["languages"] == c["languages"]
    assert set(got["defaults"]) == {
        "candidate_invitation",
        "candidate_reminder",
        "candidate_receipt",
    }
    assert got["defaults"]["candidate_receipt"]["en"]["subject"].startswith("We received")
    assert "answered" in got["variables"]["candidate_receipt"]
    for bad, path in (
        ({"rater_invitation": {"en": {"subject": "x"}}}, "rater_invitation"),
        ({"candidate_receipt": {"de": {"subject": "x"}}}, "candidate_receipt.de"),
    ):
        r = await client.put(url, json={"templates": bad})
        assert r.status_code == 422 and path in r.text, r.text
    r = await client.put(url, json={"templates": {"candidate_receipt": {"en": {"extra": "x"}}}})
    assert r.status_code == 400 and "extra" in r.text
    good = {"candidate_receipt": {"en": {"subject": "Thanks, {{ name }}", "body": ""}}}
    r = await client.put(url, json={"templates": good})
    assert r.status_code == 200, r.text
    assert r.json()["templates"] == {"candidate_receipt": {"en": {"subject": "Thanks, {{ name }}"}}}
    assert await stored(Campaign, c["id"]) == {
        "candidate_receipt": {"en": {"subject": "Thanks, {{ name }}"}}
    }
    # other settings of the vacancy are kept
    assert (await client.get(f"/api/v1/campaigns/{c['id']}")).json()["key_method"] == "expert"
    r = await client.put(url, json={"templates": {}})
    assert r.status_code == 200 and await stored(Campaign, c["id"]) == {}


async def test_texts_are_for_who_may_see_the_vacancy_or_cycle(client: AsyncTestClient) -> None:
    rid, _ = await cycle(client)  # logs in as the coach
    page = await client.get(f"/app/reviews/{rid}/mail?kind=rater_reminder&lang=nb")
    assert page.status_code == 200
    assert "{{ promise }}" in html.unescape(page.text)
    r = await client.put(
        f"/api/v1/reviews/{rid}/mail-templates",
        json={"templates": {"coach_notice": {"en": {"subject": "News: {{ news }}"}}}},
    )
    assert r.status_code == 200, r.text
    assert await stored(Review, rid) == {"coach_notice": {"en": {"subject": "News: {{ news }}"}}}
    client.cookies.clear()
    await login(client, "recruiter")
    c = await new_campaign(client)
    assert (await client.get(f"/app/reviews/{rid}/mail")).status_code == 403
    assert (await client.get(f"/api/v1/reviews/{rid}/mail-templates")).status_code == 403
    for email in ("other-coach@test.example", "other-recruiter@test.example"):
        client.cookies.clear()
        await login(client, "coach" if "coach" in email else "recruiter", email)
        expect = 404 if "recruiter" in email else 403
        assert (await client.get(f"/app/campaigns/{c['id']}/mail")).status_code == expect
        r = await client.put(f"/api/v1/campaigns/{c['id']}/mail-templates", json={"templates": {}})
        assert r.status_code == expect
        if "coach" in email:
            assert (await client.get(f"/app/reviews/{rid}/mail")).status_code == 404
            r = await client.put(f"/api/v1/reviews/{rid}/mail-templates", json={"templates": {}})
            assert r.status_code == 404
    assert await stored(Review, rid) != {}


async def test_send_again_of_a_cycles_message_is_for_its_coach(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)  # logs in as the coach
    if not await OutboxMessage.exists().where(OutboxMessage.review == rid):
        async with write_transaction():  # before the cycle queued its own mail
            await outbox.enqueue(
                [
                    outbox.NewMessage(
                        kind=MessageKind.NOMINATION_INVITATION,
                        to_email="maria@example.org",
                        review=rid,
                        subject=sid,
                    )
                ],
                sender="jobs@example.org",
            )
    row = await OutboxMessage.select().where(OutboxMessage.review == rid).first()
    await OutboxMessage.update({OutboxMessage.status: OutboxStatus.FAILED}).where(
        OutboxMessage.id == row["id"]
    )
    back = f"/app/reviews/{rid}#subject-{sid}"
    for role, email in (("coach", "other-coach@test.example"), ("recruiter", None)):
        client.cookies.clear()
        await login(client, role, email)
        token = csrf((await client.get("/app")).text)
        r = await client.post(
            f"/app/outbox/{row['id']}/resend", data={"_csrf_token": token, "back": back}
        )
        assert r.status_code == 404, role
    (same,) = await OutboxMessage.select().where(OutboxMessage.id == row["id"])
    assert same["status"] == OutboxStatus.FAILED
    await relogin(client, "coach@test.example")
    token = csrf((await client.get("/app")).text)
    r = await client.post(
        f"/app/outbox/{row['id']}/resend",
        data={"_csrf_token": token, "back": back},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == back
    (again,) = await OutboxMessage.select().where(OutboxMessage.id == row["id"])
    assert again["status"] == OutboxStatus.QUEUED
