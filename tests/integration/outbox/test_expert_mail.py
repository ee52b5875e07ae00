"""E-mail to the experts of a job-analysis study, sent by the real worker to a real SMTP
server (aiosmtpd): the invitation to write cards in the expert's language with their own
link; rating invitations once per expert whatever the study's back and forth, never to an
expert who rated; messages no longer due (the study moved on or was applied, the expert
finished) cancelled, not sent; nothing for a removed expert or study; what staff see (the
link left out), who may send a message again, ``assess outbox`` and the privacy export.

The studies and experts are written straight into the tables here (as the facilitator's
service would), and the queueing functions are called inside a write transaction, as the
service calls them in the transaction of its change.
"""

from __future__ import annotations

import dataclasses
import io
import re
from typing import Any

import pytest
from jinja2.sandbox import SandboxedEnvironment
from litestar.testing import AsyncTestClient

from server.admin.privacy import erase_person, person_data
from server.core.db import utcnow, write_transaction
from server.core.links import new_link
from server.core.mail import header_text
from server.core.tokens import token_hash
from server.core.vocabulary import ExpertKind, MessageKind, OutboxStatus, StudyStep
from server.outbox.commands import show_outbox
from server.outbox.expert_mail import (
    NOT_DUE,
    cancel_not_due,
    queue_expert_invitation,
    queue_rating_invitations,
    study_messages,
)
from server.outbox.templates import DEFAULTS, LINK_SHOWN
from server.outbox.worker import Worker
from server.settings import Settings
from server.tables import (
    JobAnalysis,
    JobAnalysisCompetency,
    JobAnalysisExpert,
    OutboxMessage,
    Role,
    StaffUser,
)
from server.web.catalogues import translations
from server.web.environment import environment
from tests.conftest import PASSWORD, make_user
from tests.mailsink import MailSink, link_in

LANGS = ("en", "ru", "sv", "nb")
ROLE_NAMES = {
    "en": "Contact centre operator",
    "ru": "Оператор контактного центра",
    "sv": "Kundtjänstoperatör",
    "nb": "Kundesenteroperatør",
}


# ---- the rows, as the facilitator's service writes them ----------------------------------


async def new_study(
    name: str = "Operator workshop", *, step: StudyStep = StudyStep.CARDS, by: str | None = None
) -> int:
    role = Role(
        key=f"role_{name.lower().replace(' ', '_')}",
        name=ROLE_NAMES["en"],
        translations={lang: {"name": ROLE_NAMES[lang]} for lang in LANGS if lang != "en"},
        updated_at=utcnow(),
    )
    await role.save()
    staff = None
    if by is not None:
        staff = (await StaffUser.select(StaffUser.id).where(StaffUser.email == by).first())["id"]
    study = JobAnalysis(
        name=name, role=role.id, step=step, rules={}, created_by=staff, created_at=utcnow()
    )
    await study.save()
    await JobAnalysisCompetency(study=study.id, key="calm", name="Stays calm", position=0).save()
    await JobAnalysisCompetency(study=study.id, key="clear", name="Explains", position=1).save()
    return int(study.id)


async def add_expert(
    client: AsyncTestClient, study: int, name: str, email: str, lang: str = "en"
) -> tuple[int, str]:
    """An expert of ``study``; their id and the token of their link."""
    nonce, token, hashed = new_link(settings_of(client).secret_key, "expert")
    row = JobAnalysisExpert(
        study=study,
        name=name,
        email=email,
        kind=ExpertKind.INCUMBENT,
        language=lang,
        token_hash=hashed,
        link_nonce=nonce,
        invited_at=utcnow(),
    )
    await row.save()
    return int(row.id), token


async def invite(expert: int, lang: str = "en") -> None:
    async with write_transaction():
        await queue_expert_invitation(expert, lang)


async def move(study: int, step: StudyStep) -> int:
    """The study to ``step``, in one transaction with what that step queues and cancels
    (as the facilitator's service does); how many rating invitations were queued."""
    async with write_transaction():
        await JobAnalysis.update({JobAnalysis.step: step}).where(JobAnalysis.id == study)
        queued = await queue_rating_invitations(study) if step == StudyStep.RATE else 0
        await cancel_not_due(study)
    return queued


async def expert_done(expert: int, column: Any) -> None:
    async with write_transaction():
        await JobAnalysisExpert.update({column: utcnow()}).where(JobAnalysisExpert.id == expert)
        study = await JobAnalysisExpert.select(JobAnalysisExpert.study).where(
            JobAnalysisExpert.id == expert
        )
        await cancel_not_due(study[0]["study"])


# ---- sending and reading --------------------------------------------------------------------


def settings_of(client: AsyncTestClient) -> Settings:
    return client.app.state.settings  # type: ignore[no-any-return]


async def sent(client: AsyncTestClient) -> MailSink:
    """Send everything due with the real worker to a fresh sink; the sink, stopped."""
    with MailSink() as sink:
        worker = Worker(dataclasses.replace(settings_of(client), smtp_url=sink.url, mail_rate=0))
        while await worker.send_batch():
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


def has_expert_page(client: AsyncTestClient) -> bool:
    """Whether the experts' own page (``/expert/{token}``) is served (the facilitator's
    slice adds it)."""
    return any(getattr(r, "path", "").startswith("/expert/{token") for r in client.app.routes)


async def assert_opens(client: AsyncTestClient, expert: int, link: str) -> None:
    """The link in a message is the expert's own: its token's hash is the one stored, and
    the expert's page opens with it (where the page is served)."""
    row = await JobAnalysisExpert.select().where(JobAnalysisExpert.id == expert).first()
    assert token_hash(token_of(link)) == row["token_hash"]
    assert link.startswith(f"{settings_of(client).link_base}/expert/")
    if has_expert_page(client):
        cookies = dict(client.cookies)
        client.cookies.clear()
        page = await client.get(f"/expert/{token_of(link)}")
        client.cookies.update(cookies)
        assert page.status_code == 200, page.text[:300]


def default_subject(kind: MessageKind, lang: str, **values: Any) -> str:
    """The default subject of ``kind`` in ``lang`` (its catalogue's), filled in."""
    text = translations(lang).gettext(DEFAULTS[kind][0])
    return header_text(SandboxedEnvironment().from_string(text).render(values))


pytestmark = pytest.mark.usefixtures("client")


# ---- the invitation to write cards ----------------------------------------------------------


async def test_an_invited_expert_gets_the_invitation_in_their_language_with_their_link(
    client: AsyncTestClient,
) -> None:
    coach = await make_user("coach", "facilitator@test.example")
    study = await new_study(by=coach)
    experts = {
        lang: await add_expert(client, study, f"Expert {lang}", f"{lang}@example.org", lang)
        for lang in LANGS
    }
    for lang, (ident, _token) in experts.items():
        await invite(ident, lang)
    queued = await rows(kind=MessageKind.EXPERT_INVITATION)
    assert sorted(r["language"] for r in queued) == sorted(LANGS)
    assert {r["expert"] for r in queued} == {ident for ident, _ in experts.values()}
    sink = await sent(client)
    for lang, (ident, token) in experts.items():
        (mail,) = sink.to(f"{lang}@example.org")
        text = text_of(mail)
        assert f'<html lang="{lang}">' in html_of(mail)
        assert mail["Subject"] == default_subject(
            MessageKind.EXPERT_INVITATION, lang, role=ROLE_NAMES[lang]
        )
        assert ROLE_NAMES[lang] in text and "Operator workshop" in text
        assert f"Expert {lang}" in text and coach in text  # the facilitator, by address
        link = link_in(mail, "expert")
        assert token_of(link) == token  # the link the expert was given
        assert token_of(link) in html_of(mail)
        await assert_opens(client, ident, link)
    # what staff may read of a sent message: the person's link left out
    for row in await rows(kind=MessageKind.EXPERT_INVITATION):
        assert row["status"] == OutboxStatus.SENT
        assert "/expert/" not in row["body"]
        assert experts[row["language"]][1] not in row["body"]
        assert translations(row["language"]).gettext(LINK_SHOWN) in row["body"]


async def test_an_expert_without_an_address_or_added_after_the_cards_step(
    client: AsyncTestClient,
) -> None:
    study = await new_study()
    silent, _ = await add_expert(client, study, "No Mail", "")
    await invite(silent)
    assert await rows() == []
    assert await move(study, StudyStep.SORT) == 0
    late, _ = await add_expert(client, study, "Late", "late@example.org")
    await invite(late)  # sorting: nothing to do yet; the rating invitation follows
    assert await rows() == []
    assert await move(study, StudyStep.RATE) == 1
    later, token = await add_expert(client, study, "Later", "later@example.org", "sv")
    await invite(later, "sv")  # rating: added now, invited to rate
    (row,) = await rows(expert=later)
    assert row["kind"] == MessageKind.EXPERT_RATING and row["language"] == "sv"
    await invite(later, "sv")  # and only once
    assert len(await rows(expert=later)) == 1
    sink = await sent(client)
    assert sorted(str(m["To"]) for m in sink.messages) == [
        "Late <late@example.org>",
        "Later <later@example.org>",
    ]
    (mail,) = sink.to("later@example.org")
    assert token_of(link_in(mail, "expert")) == token
    with pytest.raises(Exception, match="expert"):
        await invite(10**9)  # no such expert: the caller's change fails with it


# ---- rating invitations -------------------------------------------------------------------


async def test_rating_invitations_go_once_per_expert_and_never_to_one_who_rated(
    client: AsyncTestClient,
) -> None:
    study = await new_study(step=StudyStep.SORT)
    anna, anna_token = await add_expert(client, study, "Anna", "anna@example.org", "nb")
    await add_expert(client, study, "Boris", "boris@example.org", "ru")
    cleo, _ = await add_expert(client, study, "Cleo", "cleo@example.org")
    await JobAnalysisExpert.update({JobAnalysisExpert.ratings_done_at: utcnow()}).where(
        JobAnalysisExpert.id == cleo
    )
    assert await move(study, StudyStep.RATE) == 2  # not Cleo, who has rated
    sink = await sent(client)
    assert sink.to("cleo@example.org") == []
    (mail,) = sink.to("anna@example.org")
    assert '<html lang="nb">' in html_of(mail)
    assert mail["Subject"] == default_subject(
        MessageKind.EXPERT_RATING, "nb", role=ROLE_NAMES["nb"]
    )
    assert "2" in text_of(mail)  # the number of competencies to rate
    link = link_in(mail, "expert")
    assert token_of(link) == anna_token
    await assert_opens(client, anna, link)
    assert len(sink.to("boris@example.org")) == 1
    # back to sorting and on to rating again: nobody is invited twice
    await move(study, StudyStep.SORT)
    assert await move(study, StudyStep.RATE) == 0
    assert await queue_rating_invitations(study) == 0
    assert (await sent(client)).messages == []
    assert len(await rows(kind=MessageKind.EXPERT_RATING)) == 2


async def test_a_rating_invitation_cancelled_before_it_went_is_queued_again(
    client: AsyncTestClient,
) -> None:
    study = await new_study(step=StudyStep.SORT)
    dora, token = await add_expert(client, study, "Dora", "dora@example.org")
    assert await move(study, StudyStep.RATE) == 1
    await move(study, StudyStep.SORT)  # back before the worker sent it
    (first,) = await rows(expert=dora)
    assert first["status"] == OutboxStatus.CANCELLED
    assert first["last_error"] == NOT_DUE["not_rating"]
    assert await move(study, StudyStep.RATE) == 1  # a new one: the first never went
    sink = await sent(client)
    (mail,) = sink.to("dora@example.org")
    assert token_of(link_in(mail, "expert")) == token
    assert [r["status"] for r in await rows(expert=dora)] == [
        OutboxStatus.CANCELLED,
        OutboxStatus.SENT,
    ]
    await move(study, StudyStep.SORT)
    assert await move(study, StudyStep.RATE) == 0  # sent once: not again


async def test_an_expert_who_rates_before_the_worker_sends_is_not_invited(
    client: AsyncTestClient,
) -> None:
    study = await new_study(step=StudyStep.SORT)
    eva, _ = await add_expert(client, study, "Eva", "eva@example.org")
    await add_expert(client, study, "Finn", "finn@example.org")
    assert await move(study, StudyStep.RATE) == 2
    # Eva submits her ratings; the worker (not the cancelling) notices it when it sends
    await JobAnalysisExpert.update({JobAnalysisExpert.ratings_done_at: utcnow()}).where(
        JobAnalysisExpert.id == eva
    )
    sink = await sent(client)
    assert sink.to("eva@example.org") == [] and len(sink.to("finn@example.org")) == 1
    (row,) = await rows(expert=eva)
    assert row["status"] == OutboxStatus.CANCELLED
    assert row["last_error"] == NOT_DUE["rated"]
    assert row["body"] == "" and row["sent_at"] is None


# ---- messages no longer due ------------------------------------------------------------------


async def test_messages_are_cancelled_once_the_study_moves_on(client: AsyncTestClient) -> None:
    study = await new_study()
    gil, _ = await add_expert(client, study, "Gil", "gil@example.org")
    hana, _ = await add_expert(client, study, "Hana", "hana@example.org")
    ivo, _ = await add_expert(client, study, "Ivo", "ivo@example.org")
    for ident in (gil, hana, ivo):
        await invite(ident)
    # Ivo finishes his cards: his invitation is cancelled in that transaction
    await expert_done(ivo, JobAnalysisExpert.cards_done_at)
    assert (await rows(expert=ivo))[0]["status"] == OutboxStatus.CANCELLED
    assert (await rows(expert=ivo))[0]["last_error"] == NOT_DUE["cards_done"]
    # the study leaves the cards step before the worker sends: nobody is invited to write
    await JobAnalysis.update({JobAnalysis.step: StudyStep.SORT}).where(JobAnalysis.id == study)
    assert (await sent(client)).messages == []
    for row in await rows(kind=MessageKind.EXPERT_INVITATION):
        assert row["status"] == OutboxStatus.CANCELLED
        assert row["last_error"] in (NOT_DUE["cards_over"], NOT_DUE["cards_done"])
    # rating invitations: cancelled at once when the study goes on to decide ...
    assert await move(study, StudyStep.RATE) == 3
    await move(study, StudyStep.DECIDE)
    assert {r["status"] for r in await rows(kind=MessageKind.EXPERT_RATING)} == {
        OutboxStatus.CANCELLED
    }
    assert (await sent(client)).messages == []
    # ... and by the worker when the study has been applied in the meantime
    assert await move(study, StudyStep.RATE) == 3
    await JobAnalysis.update(
        {JobAnalysis.step: StudyStep.APPLIED, JobAnalysis.applied_at: utcnow()}
    ).where(JobAnalysis.id == study)
    assert (await sent(client)).messages == []
    assert {r["last_error"] for r in await rows(status=OutboxStatus.CANCELLED)} >= {
        NOT_DUE["applied"]
    }
    assert await rows(status=OutboxStatus.QUEUED) == []


async def test_nothing_is_sent_to_a_removed_expert_or_for_a_removed_study(
    client: AsyncTestClient,
) -> None:
    study = await new_study()
    other = await new_study("Second workshop")
    jan, _ = await add_expert(client, study, "Jan", "jan@example.org")
    kim, _ = await add_expert(client, other, "Kim", "kim@example.org")
    lea, _ = await add_expert(client, other, "Lea", "lea@example.org")
    for ident in (jan, kim, lea):
        await invite(ident)
    await JobAnalysisExpert.delete().where(JobAnalysisExpert.id == kim)
    await JobAnalysis.delete().where(JobAnalysis.id == study)
    # their messages went with them; the others' stay
    assert [r["to_email"] for r in await rows()] == ["lea@example.org"]
    sink = await sent(client)
    assert [str(m["To"]) for m in sink.messages] == ["Lea <lea@example.org>"]


# ---- what staff see, send again, the terminal and privacy -------------------------------------


def csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, html[:300]
    return found.group(1)


async def as_user(client: AsyncTestClient, email: str) -> None:
    client.cookies.clear()
    r = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert r.status_code == 200, r.text


async def test_the_study_page_lists_each_experts_messages_and_its_facilitator_resends(
    client: AsyncTestClient,
) -> None:
    coach = await make_user("coach", "facilitator@test.example")
    other = await make_user("coach", "other-coach@test.example")
    study = await new_study(by=coach)
    mia, token = await add_expert(client, study, "Mia", "mia@example.org", "ru")
    ned, _ = await add_expert(client, study, "Ned", "ned@example.org")
    await invite(mia, "ru")
    await invite(ned)
    await sent(client)
    await invite(mia, "ru")  # a second invitation, queued
    mail = await study_messages(study)
    assert set(mail) == {mia, ned}
    assert [r["status"] for r in mail[mia]] == [OutboxStatus.QUEUED, OutboxStatus.SENT]
    assert mail[mia][1]["kind"] == MessageKind.EXPERT_INVITATION
    assert all(token not in r["body"] and "/expert/" not in r["body"] for r in mail[mia])
    assert await study_messages(await new_study("Empty")) == {}
    # the partial the study page includes for each expert
    page = environment().get_template("outbox/_messages.html")
    html = page.render(
        messages=mail[mia], back=f"/app/job-analyses/{study}", lang="en", csrf_input=""
    )
    assert "Invitation to write cards" in html and token not in html
    sent_one = mail[mia][1]
    # another coach may not send it again (404, as for a message that does not exist)
    await as_user(client, other)
    home = await client.get("/app")
    r = await client.post(
        f"/app/outbox/{sent_one['id']}/resend",
        data={"_csrf_token": csrf(home.text), "back": "/app"},
        follow_redirects=False,
    )
    assert r.status_code == 404
    assert (await rows(id=sent_one["id"]))[0]["status"] == OutboxStatus.SENT
    # the study's facilitator may: queued again, sent with the same link
    await as_user(client, coach)
    home = await client.get("/app")
    r = await client.post(
        f"/app/outbox/{sent_one['id']}/resend",
        data={"_csrf_token": csrf(home.text), "back": f"/app/job-analyses/{study}"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/app/job-analyses/{study}"
    sink = await sent(client)
    assert [token_of(link_in(m, "expert")) for m in sink.to("mia@example.org")] == [token] * 2


async def test_assess_outbox_shows_an_experts_message_and_privacy_covers_it(
    client: AsyncTestClient,
) -> None:
    study = await new_study()
    ola, token = await add_expert(client, study, "Ola", "ola@example.org", "nb")
    await invite(ola, "nb")
    (row,) = await rows(expert=ola)
    settings = dataclasses.replace(settings_of(client), smtp_url="smtp://127.0.0.1:1")
    out = io.StringIO()
    assert await show_outbox(settings, status=None, limit=10, show=None, out=out) == 0
    assert "expert_invitation" in out.getvalue() and "ola@example.org" in out.getvalue()
    out = io.StringIO()
    assert await show_outbox(settings, status=None, limit=10, show=row["id"], out=out) == 0
    assert f"/expert/{token}" in out.getvalue()  # as it would be sent: with the link
    await JobAnalysis.update({JobAnalysis.step: StudyStep.SORT}).where(JobAnalysis.id == study)
    out = io.StringIO()
    await show_outbox(settings, status=None, limit=10, show=row["id"], out=out)
    assert f"Would not be sent: {NOT_DUE['cards_over']}" in out.getvalue()
    # the person's data: their messages, as staff see them; erased with the person
    await JobAnalysis.update({JobAnalysis.step: StudyStep.CARDS}).where(JobAnalysis.id == study)
    await sent(client)
    found = await person_data("OLA@example.org")
    (message,) = found["messages"]
    assert message["kind"] == MessageKind.EXPERT_INVITATION
    assert token not in str(found)
    erased = await erase_person("ola@example.org")
    assert erased.get("messages") == 1
    assert await rows(expert=ola) == []
