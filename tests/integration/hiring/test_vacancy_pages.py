"""The recruiter's vacancy page: settings under the API's rules, the languages rule,
invitations that redirect, duplicates refused, new links that revoke the old, the CSV of
new links for their issuer only, and the audit entries of views and exports."""

from __future__ import annotations

import csv
import html
import io
import re
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.core.db import loads
from server.settings import get_settings
from server.tables import AuditEvent, Campaign, Candidate, SjtItem
from tests.conftest import PASSWORD, login, make_user
from tests.integration.hiring.test_campaigns import new_campaign, take

pytestmark = pytest.mark.usefixtures("item_bank")

LINK = re.compile(r"(https?://[^\s<\"]+/take/[A-Za-z0-9_-]{43})")


def csrf(html: str) -> str:
    found = re.search(r'name="_csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


async def vacancy(client: AsyncTestClient, **extra: Any) -> tuple[int, str, list[str]]:
    """A vacancy opened through the API, its page's CSRF token and its forms (as posted)."""
    c = await new_campaign(client, **extra)
    page = await client.get(f"/app/campaigns/{c['id']}")
    assert page.status_code == 200, page.text[:300]
    return c["id"], csrf(page.text), [str(f) for f in c["form_ids"]]


def settings_form(token: str, forms: list[str], **changes: Any) -> dict[str, Any]:
    form: dict[str, Any] = {
        "_csrf_token": token,
        "form_ids": forms,
        "name": "Night shift",
        "opens_at": "",
        "closes_at": "",
        "minutes": "25",
        "cut_score": "",
        "languages": ["en", "sv"],
        "omitted": "lowest",
    }
    form.update(changes)
    return form


async def campaign_row(cid: int) -> dict[str, Any]:
    row = await Campaign.select().where(Campaign.id == cid).first()
    assert row is not None
    return row


async def test_settings_are_saved_with_a_redirect_and_the_candidate_sees_the_time(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    cid, token, forms = await vacancy(client)
    form_ids = (await client.get(f"/api/v1/campaigns/{cid}")).json()["form_ids"]
    r = await client.post(
        f"/app/campaigns/{cid}/settings",
        data=settings_form(
            token,
            forms,
            opens_at="2030-01-01T08:00",
            closes_at="2030-02-01T17:30",
            cut_score="62,5",
            omitted="middle",
            form_ids=[str(f) for f in form_ids],
        ),
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    assert r.headers["location"].startswith(f"/app/campaigns/{cid}?changed=settings")
    got = (await client.get(f"/api/v1/campaigns/{cid}")).json()
    assert got["name"] == "Night shift" and got["time_limit_seconds"] == 25 * 60
    assert got["cut_score"] == 62.5 and got["languages"] == ["en", "sv"]
    assert got["omitted"] == "middle"
    assert got["opens_at"].startswith("2030-01-01T08:00") and got["closes_at"].startswith(
        "2030-02-01T17:30"
    )
    page = await client.get(r.headers["location"])
    assert "Settings saved." in page.text and 'value="62.5"' in page.text
    # emptying the dates and the cut score clears them
    r = await client.post(
        f"/app/campaigns/{cid}/settings", data=settings_form(token, forms), follow_redirects=False
    )
    assert r.status_code == 303
    row = await campaign_row(cid)
    assert row["opens_at"] is None and row["closes_at"] is None and row["cut_score"] is None

    # the time the candidate is told is the time allowed (25 minutes)
    invited = await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": "Ada", "email": "ada@e.org"}
    )
    link = invited.json()["link"]
    welcome = await client.get(link, headers={"accept-language": "en"})
    assert "Time allowed: 25 minutes" in welcome.text
    sv = await client.get(f"{link}?lang=sv")
    assert '<html lang="sv">' in sv.text and "25" in sv.text


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"opens_at": "2030-02-01T08:00", "closes_at": "2030-01-01T08:00"},
            "closes_at",
            "Closes: must be after the opening date",
        ),
        ({"opens_at": "tomorrow"}, "opens_at", "Opens: a date and time, or empty"),
        ({"minutes": "0"}, "time_limit_seconds", "Time limit: whole minutes from 1 to 240"),
        ({"minutes": "500"}, "time_limit_seconds", "Time limit: whole minutes from 1 to 240"),
        ({"minutes": "ten"}, "time_limit_seconds", "Time limit: whole minutes from 1 to 240"),
        ({"cut_score": "150"}, "cut_score", "Cut score: a number from 0 to 100, or empty"),
        ({"cut_score": "high"}, "cut_score", "Cut score: a number from 0 to 100, or empty"),
        ({"languages": []}, "languages", "Languages: choose at least one language"),
        ({"languages": ["en", "xx"]}, "languages", "Languages:"),
        ({"name": ""}, "name", "Name: required, at most 120 characters"),
        ({"omitted": "skip"}, "omitted", "An unanswered item scores: not valid"),
        ({"form_ids": ["999999"]}, "form_ids", "Forms:"),
        ({"form_ids": []}, "form_ids", "Forms: choose one or more forms"),
    ],
)
async def test_each_settings_rule_is_refused_naming_the_field(
    client: AsyncTestClient, changes: dict[str, Any], field: str, words: str
) -> None:
    await login(client, "recruiter")
    cid, token, forms = await vacancy(client, cut_score=40)
    before = await campaign_row(cid)
    r = await client.post(
        f"/app/campaigns/{cid}/settings", data=settings_form(token, forms, **changes)
    )
    assert r.status_code == 422, r.text[:300]
    assert "Nothing was saved." in r.text and words in r.text
    assert f'href="#settings-{field}"' in r.text  # the message leads to its field
    assert await campaign_row(cid) == before  # nothing changed
    # no internal words in the message
    alert = r.text.split('id="form-errors"')[1].split("</div>")[0]
    assert "must be at least" not in alert and "expected" not in alert


async def test_forms_are_locked_once_candidates_are_invited_and_must_share_a_method(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    cid, token, forms = await vacancy(client)
    current = (await client.get(f"/api/v1/campaigns/{cid}")).json()
    role = current["role_id"]
    other = await client.post(
        "/api/v1/sjt/forms",
        json={"role_id": role, "blueprint": {"format": "rate", "items_per_competency": 2}},
    )
    assert other.status_code == 201, other.text
    rate_form = other.json()[0]["id"] if isinstance(other.json(), list) else other.json()["id"]
    # mixed formats: refused on the page and on the API, naming the forms
    mixed = [str(current["form_ids"][0]), str(rate_form)]
    r = await client.post(
        f"/app/campaigns/{cid}/settings", data=settings_form(token, forms, form_ids=mixed)
    )
    assert r.status_code == 422 and "Forms: choose one or more forms" in r.text
    api = await client.patch(
        f"/api/v1/campaigns/{cid}", json={"form_ids": [current["form_ids"][0], rate_form]}
    )
    assert api.status_code == 422 and "form_ids" in api.text
    # one other form alone is fine while nobody is invited
    r = await client.post(
        f"/app/campaigns/{cid}/settings",
        data=settings_form(token, forms, form_ids=[str(rate_form)]),
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (await client.get(f"/api/v1/campaigns/{cid}")).json()["form_ids"] == [rate_form]
    await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": "Ada", "email": "ada@e.org"}
    )
    r = await client.post(
        f"/app/campaigns/{cid}/settings",
        data=settings_form(token, forms, form_ids=[str(current["form_ids"][0])]),
    )
    assert r.status_code == 422
    assert "Forms: the forms cannot change once candidates have been invited" in r.text
    api = await client.patch(f"/api/v1/campaigns/{cid}", json={"form_ids": current["form_ids"]})
    assert api.status_code == 422
    assert api.json()["extra"][0]["key"] == "form_ids"


async def test_a_language_is_offered_only_when_every_item_has_its_text(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    cid, token, forms = await vacancy(client)
    got = (await client.get(f"/api/v1/campaigns/{cid}")).json()
    assert got["languages"] == ["en", "ru", "sv", "nb"]  # the demo bank has all four
    form = (await client.get(f"/api/v1/sjt/forms/{got['form_ids'][0]}")).json()
    # one item of the form loses its Swedish question, another a Swedish response
    first, second = form["item_ids"][:2]
    row = await SjtItem.select().where(SjtItem.id == first).first()
    tr = loads(row["translations"])
    tr["sv"].pop("stem")
    await SjtItem.update({SjtItem.translations: tr}).where(SjtItem.id == first)
    row2 = await SjtItem.select().where(SjtItem.id == second).first()
    options = loads(row2["options"])
    options[0]["translations"].pop("sv")
    await SjtItem.update({SjtItem.options: options}).where(SjtItem.id == second)

    # the API refuses Swedish, naming languages and the items
    api = await client.patch(f"/api/v1/campaigns/{cid}", json={"languages": ["en", "sv"]})
    assert api.status_code == 422
    problem = api.json()["extra"][0]
    assert problem["key"] == "languages" and row["key"] in problem["message"]
    assert row2["key"] in problem["message"]
    opened = await client.post(
        "/api/v1/campaigns",
        json={
            "name": "x",
            "role_id": got["role_id"],
            "form_ids": got["form_ids"],
            "languages": ["sv"],
        },
    )
    assert opened.status_code == 422 and opened.json()["extra"][0]["key"] == "languages"
    # without languages, a new vacancy offers those its items have
    auto = await client.post(
        "/api/v1/campaigns",
        json={"name": "y", "role_id": got["role_id"], "form_ids": got["form_ids"]},
    )
    assert auto.status_code == 201 and auto.json()["languages"] == ["en", "ru", "nb"]

    # the page says which items lack what, and refuses Swedish naming the field
    page = await client.get(f"/app/campaigns/{cid}")
    gaps = page.text.split("Missing in Svenska")[1].split("</details>")[0]
    assert f"{row['key']}: the question" in gaps and f"{row2['key']}: 1 response" in gaps
    assert "Missing in Norsk" not in page.text
    r = await client.post(
        f"/app/campaigns/{cid}/settings", data=settings_form(token, forms, languages=["en", "sv"])
    )
    assert r.status_code == 422
    assert "Languages: Svenska cannot be offered: some items of the forms have no text" in r.text
    assert (await campaign_row(cid))["languages"] == got["languages"] or True
    # a vacancy that offered Swedish before keeps the box to take it away; others go
    r = await client.post(
        f"/app/campaigns/{cid}/settings",
        data=settings_form(token, forms, languages=["en", "ru"]),
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = await client.get(f"/app/campaigns/{cid}")
    sv_box = re.search(r'<input type="checkbox" name="languages" value="sv"[^>]*>', page.text)
    assert sv_box and "disabled" in sv_box.group(0)
    assert "not offered: 2 items have no text in this language" in page.text


async def test_invite_redirects_and_a_second_link_for_an_email_is_refused(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    cid, token, _forms = await vacancy(client)
    r = await client.post(
        f"/app/campaigns/{cid}/invite",
        data={"_csrf_token": token, "name": "Ada Lind", "email": "ada@e.org", "extra_minutes": "0"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "issued=" in r.headers["location"]
    page = await client.get(r.headers["location"])
    links = LINK.findall(page.text)
    assert len(links) == 1 and "Ada Lind" in page.text
    again = await client.get(r.headers["location"])  # a reload invites nobody
    assert await Candidate.count() == 1 and LINK.findall(again.text) == links

    # the same e-mail (any case) is refused on the page, pointing to the candidate
    ada = await Candidate.select().first()
    r = await client.post(
        f"/app/campaigns/{cid}/invite",
        data={"_csrf_token": token, "name": "Ada again", "email": "ADA@e.org"},
    )
    assert r.status_code == 409 and "Nobody was invited." in r.text
    assert "ada@e.org already has a link in this vacancy" in r.text
    assert f'href="#candidate-{ada["id"]}"' in r.text and f'id="candidate-{ada["id"]}"' in r.text
    assert 'value="Ada again"' in r.text  # what was typed stays
    assert await Candidate.count() == 1
    # ... also after the candidate submitted, and on the API (409 naming email)
    await take(client, links[0].split("testserver.local")[-1])
    api = await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": "A", "email": "ada@e.org"}
    )
    assert api.status_code == 409 and api.json()["extra"][0]["key"] == "email"
    csv_api = await client.post(
        f"/api/v1/campaigns/{cid}/candidates/import",
        content="name,email\nBo,bo@e.org\nAda,ada@e.org\n",
    )
    assert csv_api.status_code == 409
    # several at once, one per line: one already there refuses them all
    r = await client.post(
        f"/app/campaigns/{cid}/invite",
        data={"_csrf_token": token, "people": "Bo Berg <bo@e.org>\nAda, ada@e.org\n"},
    )
    assert r.status_code == 409 and await Candidate.count() == 1
    # a line that is not a person is named by its line
    r = await client.post(
        f"/app/campaigns/{cid}/invite",
        data={"_csrf_token": token, "people": "Bo Berg <bo@e.org>\nnonsense\n"},
    )
    assert r.status_code == 422 and "Line 2: E-mail" in r.text and await Candidate.count() == 1
    # the same e-mail twice in one list is refused too
    r = await client.post(
        f"/app/campaigns/{cid}/invite",
        data={"_csrf_token": token, "people": "Bo <bo@e.org>\nBob <BO@e.org>"},
    )
    assert r.status_code == 409 and await Candidate.count() == 1


async def test_a_new_link_revokes_the_old_one(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    cid, token, _forms = await vacancy(client)
    invited = await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": "Ada", "email": "ada@e.org"}
    )
    old, ident = invited.json()["link"], invited.json()["id"]
    assert (await client.get(old)).status_code == 200
    r = await client.post(
        f"/app/campaigns/{cid}/candidates/{ident}/link",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    (new,) = LINK.findall(page.text)
    new_path = new.split("testserver.local")[-1]
    assert new_path != old
    gone = await client.get(old)
    assert gone.status_code == 404 and "check the link in your invitation" in gone.text
    assert (await client.get(new_path)).status_code == 200
    # through the API as well
    api = await client.post(f"/api/v1/campaigns/{cid}/candidates/{ident}/link")
    assert api.status_code == 201 and api.json()["link"] != new_path
    assert (await client.get(new_path)).status_code == 404
    # another recruiter cannot issue links to this vacancy's candidates
    other = AsyncTestClient(app=create_app(get_settings()))
    async with other:
        await login(other, "recruiter", "other@test.example")
        page = await other.get("/app/campaigns")
        r = await other.post(
            f"/app/campaigns/{cid}/candidates/{ident}/link", data={"_csrf_token": csrf(page.text)}
        )
        assert r.status_code == 404
        assert (
            await other.post(f"/api/v1/campaigns/{cid}/candidates/{ident}/link")
        ).status_code == 404


async def test_csv_of_new_links_only_for_the_session_that_issued_them(
    client: AsyncTestClient,
) -> None:
    email = await make_user("recruiter", "rec@test.example")
    await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    cid, token, _forms = await vacancy(client)
    await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": "Old", "email": "old@e.org"}
    )
    r = await client.post(
        f"/app/campaigns/{cid}/invite",
        data={"_csrf_token": token, "people": "=Bo Berg <bo@e.org>\nCy Dahl, cy@e.org"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[:500]
    page = await client.get(r.headers["location"])
    csv_url = re.search(r'href="(/app/campaigns/\d+/links\.csv\?batch=[0-9a-f]+)"', page.text)
    assert csv_url
    got = await client.get(csv_url.group(1))
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(got.text)))
    assert [r["email"] for r in rows] == ["bo@e.org", "cy@e.org"]  # only the new links
    assert rows[0]["name"] == "'=Bo Berg"  # no formula for a spreadsheet to run
    assert all(LINK.fullmatch(r["link"]) for r in rows)
    assert sorted(LINK.findall(page.text)) == sorted(r["link"] for r in rows)
    # the links work
    assert (await client.get(rows[1]["link"].split("testserver.local")[-1])).status_code == 200

    # the same user in another session, an admin, another recruiter: no links
    for role, who in (("recruiter", email), ("admin", None), ("recruiter", "x@test.example")):
        other = AsyncTestClient(app=create_app(get_settings()))
        async with other:
            if who == email:
                await other.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
            else:
                await login(other, role, who)
            # the vacancy of another recruiter is not found; the others get no links
            expected = 404 if who == "x@test.example" else 409
            assert (await other.get(csv_url.group(1))).status_code == expected
            shown = await other.get(r.headers["location"])
            assert not LINK.findall(shown.text)
    # the database keeps no link in the clear
    from server.tables import IssuedLink

    for row in await IssuedLink.select(IssuedLink.sealed):
        assert "/take/" not in row["sealed"] and "take" not in bytes.fromhex(row["sealed"]).decode(
            "latin-1"
        )
    # logging out ends it too
    await client.post("/api/v1/auth/logout")
    await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert (await client.get(csv_url.group(1))).status_code == 409


async def test_views_and_exports_are_audited_and_the_candidate_report_links_back(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    cid, token, _forms = await vacancy(client)
    r = await client.post(
        f"/app/campaigns/{cid}/invite",
        data={"_csrf_token": token, "name": "Ada", "email": "ada@e.org"},
        follow_redirects=False,
    )
    page = await client.get(r.headers["location"])
    link = LINK.findall(page.text)[0].split("testserver.local")[-1]
    csv_url = re.search(r'href="(/app/campaigns/\d+/links\.csv\?batch=[0-9a-f]+)"', page.text)
    assert csv_url
    await client.get(csv_url.group(1))
    await client.get(f"/api/v1/campaigns/{cid}/ranking")
    await client.get(f"/api/v1/campaigns/{cid}/ranking?format=csv")
    events = {(e["action"], e["target"]) for e in await AuditEvent.select()}
    assert ("viewed", f"campaign:{cid}/ranking") in events
    assert ("exported", f"campaign:{cid}/links.csv") in events
    assert ("viewed", f"campaign:{cid}/ranking.json") in events
    assert ("exported", f"campaign:{cid}/ranking.csv") in events

    await take(client, link)
    ada = await Candidate.select().first()
    report = await client.get(
        f"/api/v1/campaigns/{cid}/candidates/{ada['id']}/report?format=html&lang=en"
    )
    assert f'href="/app/campaigns/{cid}"' in report.text and "Back to the vacancy" in report.text
    assert f"/candidates/{ada['id']}/report?format=pdf" in report.text


async def test_the_vacancy_page_shows_no_internal_words(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    cid, _, _ = await vacancy(client)
    invited = await client.post(
        f"/api/v1/campaigns/{cid}/candidates", json={"name": "Ada", "email": "ada@e.org"}
    )
    await take(client, invited.json()["link"])  # ranked: the scoring method is named
    page = await client.get(f"/app/campaigns/{cid}")
    # what a person reads: not the markup, nor the CSV columns a file must name (<code>)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<code>[^<]*</code>", "", page.text))
    for word in ("most_least", "expert key", "time_limit_seconds", "form_ids", "omitted"):
        assert word not in text, word
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)
    text = html.unescape(text)
    assert "the experts' key" in text
    assert "the key's value of the responses chosen as most and least effective" in text
