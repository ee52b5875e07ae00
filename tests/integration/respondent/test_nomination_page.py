"""The subject's nomination page ``/nominate/{token}``: propose raters by group without an
account or JavaScript (PRG), see the state of one's own proposals, and nothing else.

The subject browses with a client of their own (no staff cookie); the coach approves
through the API."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from server.tables import Rater, Review
from server.web import rate_limit
from tests.integration.reviews.test_reviews import cycle, rater

pytestmark = pytest.mark.usefixtures("demo_library")

PEER = {"name": "Kari Nord", "email": "kari@example.org", "group": "peer", "language": "nb"}


@pytest.fixture
async def subject_client() -> AsyncIterator[AsyncTestClient]:
    rate_limit.NOMINATIONS._buckets.clear()
    async with AsyncTestClient(app=create_app(get_settings())) as c:
        yield c
    rate_limit.NOMINATIONS._buckets.clear()


async def _link(coach: AsyncTestClient) -> tuple[int, int, str]:
    """(review id, subject id, nomination path) of a new cycle, the coach logged in."""
    rid, sid = await cycle(coach)
    subjects = (await coach.get(f"/api/v1/reviews/{rid}/subjects")).json()
    assert subjects[0]["id"] == sid
    r = await coach.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Ola Nord", "email": "ola@example.org"}
    )
    assert r.status_code == 201, r.text
    return rid, r.json()["id"], r.json()["nomination_link"]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_subject_proposes_by_group_and_sees_the_state(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    _, sid, path = await _link(client)
    page = await subject_client.get(path)
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert "Ola Nord" in page.text and 'name="group"' in page.text
    assert "You have not proposed anyone yet." in page.text
    for label in ("Your manager", "A peer", "Someone who reports to you", "A customer"):
        assert label in page.text  # the groups in words, never their keys
    assert ">direct_report<" not in page.text

    r = await subject_client.post(path, data=PEER, follow_redirects=False)
    assert r.status_code in (302, 303), r.text  # PRG: a reload does not propose again
    assert r.headers["location"] == f"{path}?lang=en&sent=1"
    shown = await subject_client.get(r.headers["location"])
    text = _text(shown.text)
    assert "Proposal sent." in text
    assert "Kari Nord kari@example.org" in text and "A peer" in text
    assert "Awaiting your coach's approval" in text
    row = await Rater.select().where(Rater.email == "kari@example.org").first()
    assert row is not None
    assert (row["subject"], row["group"], row["status"], row["nominated_by"], row["language"]) == (
        sid,
        "peer",
        "nominated",
        "subject",
        "nb",
    )
    # the API reads the same proposal
    api = (await subject_client.get(path.replace("/nominate/", "/api/v1/nominate/"))).json()
    assert api["raters"] == [{"name": "Kari Nord", "group": "peer", "status": "awaiting approval"}]


async def test_after_the_coach_approves_the_page_says_approved(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    rid, sid, path = await _link(client)
    await subject_client.post(path, data=PEER)
    await subject_client.post(
        path, data={"name": "Per Sjef", "email": "per@example.org", "group": "manager"}
    )
    kari = await Rater.select(Rater.id).where(Rater.email == "kari@example.org").first()
    assert kari is not None
    r = await client.post(f"/api/v1/reviews/{rid}/subjects/{sid}/raters/{kari['id']}/approve")
    assert r.status_code == 200, r.text
    text = _text((await subject_client.get(path)).text)
    kari_item = text[text.index("Kari Nord") : text.index("Per Sjef")]
    assert "Approved: invited to give feedback" in kari_item
    assert "Awaiting your coach's approval" in text[text.index("Per Sjef") :]
    # the rater link the coach got works; the subject's page never shows it
    assert r.json()["link"] not in (await subject_client.get(path)).text


async def test_the_page_speaks_the_cycle_language(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    _, _, path = await _link(client)
    nb = await subject_client.get(path, headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert '<html lang="nb">' in nb.text
    sv = await subject_client.get(f"{path}?lang=sv")
    assert '<html lang="sv">' in sv.text
    # the language stays through the post and its redirect
    r = await subject_client.post(f"{path}?lang=sv", data=PEER, follow_redirects=False)
    assert r.headers["location"].endswith("?lang=sv&sent=1")


async def test_unknown_foreign_and_closed_links_are_404(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    rid, sid, path = await _link(client)
    rater_token = await rater(client, rid, sid, "Ann Peer", "ann@example.org", "peer")
    for bad in (
        f"/nominate/{secrets.token_urlsafe(32)}",  # unknown
        f"/nominate/{rater_token}",  # a rater's link is not a nomination link
        "/nominate/x",  # not even plausible
    ):
        r = await subject_client.get(bad)
        assert r.status_code == 404 and "This link is not valid" in r.text, bad
        assert "contact your coach" in r.text and "recruiter" not in r.text
        r = await subject_client.post(bad, data=PEER)
        assert r.status_code == 404, bad
    assert not await Rater.exists().where(Rater.email == "kari@example.org")
    # and a nomination link is no rater's link: the rater page answers with the same page
    r = await subject_client.get(path.replace("/nominate/", "/rate/"))
    assert r.status_code == 404 and "contact your coach" in r.text
    # a closed cycle takes no proposal
    await Review.update({Review.closes_at: datetime.now(UTC) - timedelta(minutes=1)}).where(
        Review.id == rid
    )
    assert (await subject_client.get(path)).status_code == 404
    assert (await subject_client.post(path, data=PEER)).status_code == 404
    assert not await Rater.exists().where(Rater.email == "kari@example.org")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": ""}, "name", "Enter the person's name"),
        ({"name": "x" * 121}, "name", "Enter the person's name"),
        ({"email": "not-an-address"}, "email", "Enter a valid e-mail address"),
        ({"group": "direct_reports"}, "group", "Choose the group this person belongs to."),
        ({"group": ""}, "group", "Choose the group this person belongs to."),
        ({"language": "de"}, "language", "Choose one of the languages offered."),
        ({"email": "ola@example.org"}, "group", "This is your own e-mail address"),
        ({"group": "self"}, "group", "Yourself means you"),
    ],
)
async def test_bad_input_shows_the_form_again_naming_the_field(
    client: AsyncTestClient,
    subject_client: AsyncTestClient,
    change: dict[str, str],
    field: str,
    message: str,
) -> None:
    _, _, path = await _link(client)
    r = await subject_client.post(path, data={**PEER, **change}, follow_redirects=False)
    assert r.status_code == 422, r.text
    assert message in r.text
    # the message sits at its field, and the field is marked
    assert re.search(rf'<p class="field-error" id="e-{field}">[^<]*{re.escape(message)}', r.text)
    assert re.search(rf'id="f-{field}"[^>]*aria-invalid="true"', r.text)
    assert 'value="Kari Nord"' in r.text or change.get("name") is not None  # input kept
    assert await Rater.count() == 0


async def test_a_duplicate_is_refused_at_the_email_field(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    rid, sid, path = await _link(client)
    await rater(client, rid, sid, "Ann Peer", "ann@example.org", "peer")
    await subject_client.post(path, data=PEER)
    for email in ("kari@example.org", "KARI@example.org ", "ann@example.org"):
        r = await subject_client.post(path, data={**PEER, "email": email})
        assert r.status_code == 409, r.text
        assert re.search(r'id="e-email">This person is already asked', r.text)
    await subject_client.post(path, data={**PEER, "email": "ola@example.org", "group": "self"})
    r = await subject_client.post(path, data={**PEER, "email": "ola@example.org", "group": "self"})
    assert r.status_code == 409
    assert await Rater.count().where(Rater.subject == sid) == 3  # Ann, Kari, Ola's self


async def test_the_subject_sees_only_their_own_proposals(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    rid, sid, path = await _link(client)
    await rater(client, rid, sid, "Ann Peer", "ann@example.org", "peer")  # by the coach
    other_sid = (await client.get(f"/api/v1/reviews/{rid}/subjects")).json()[0]["id"]
    await rater(client, rid, other_sid, "Bo Other", "bo@example.org", "peer")
    await subject_client.post(path, data=PEER)
    text = (await subject_client.get(path)).text
    assert "Kari Nord" in text
    assert "Ann Peer" not in text and "ann@example.org" not in text
    assert "Bo Other" not in text and "Maria Berg" not in text


async def test_one_link_posting_without_end_is_slowed(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    _, _, path = await _link(client)
    codes = [
        (
            await subject_client.post(
                path,
                data={"name": f"Peer {n}", "email": f"p{n}@example.org", "group": "peer"},
                follow_redirects=False,
            )
        ).status_code
        for n in range(13)
    ]
    assert set(codes[:10]) <= {302, 303} and set(codes[10:]) == {429}
    assert await Rater.count() == 10
    # the page and the API share one bucket per link
    api = path.replace("/nominate/", "/api/v1/nominate/")
    r = await subject_client.post(
        api, json={"name": "X", "email": "x@example.org", "group": "peer"}
    )
    assert r.status_code == 429


async def test_names_are_shown_escaped_and_hidden_characters_refused(
    client: AsyncTestClient, subject_client: AsyncTestClient
) -> None:
    _, _, path = await _link(client)
    hostile = '<script>alert("x")</script>'
    r = await subject_client.post(path, data={**PEER, "name": hostile})
    assert r.status_code == 200  # after the redirect
    assert hostile not in r.text and "&lt;script&gt;" in r.text
    r = await subject_client.post(
        path, data={**PEER, "name": "Eve\u202egnp.exe", "email": "eve@example.org"}
    )
    assert r.status_code == 422 and 'id="e-name"' in r.text
    assert await Rater.count() == 1
