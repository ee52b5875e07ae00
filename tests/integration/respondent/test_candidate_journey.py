"""The candidate's journey on ``/take/{token}`` without JavaScript: reopening the link goes
on at the first unanswered scenario (the review once all are answered); when the time runs
out the saved answers are submitted and the page says how many; counts in plural forms;
the scenarios in the candidate's language, English only where a text is missing."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from html import unescape
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.db import dumps, loads, utcnow
from server.tables import Answer, AnswerEvent, Candidate, SjtItem
from tests.conftest import login
from tests.integration.hiring.test_campaigns import new_campaign
from tests.integration.respondent.test_take_pages import link, options

pytestmark = pytest.mark.usefixtures("item_bank")


async def two_links(client: AsyncTestClient) -> tuple[str, str]:
    """Links of two candidates of one vacancy."""
    await login(client, "recruiter")
    c = await new_campaign(client)
    out = []
    for name in ("Ada Lind", "Bo Ek"):
        body = {"name": name, "email": f"{name.split()[0].lower()}@e.org"}
        out.append(await client.post(f"/api/v1/campaigns/{c['id']}/candidates", json=body))
    client.cookies.clear()
    return out[0].json()["link"], out[1].json()["link"]


async def begin(client: AsyncTestClient, url: str, lang: str = "en") -> int:
    """Consent and start; the number of scenarios."""
    await client.post(f"{url}/consent", data={"consent": "yes", "lang": lang})
    await client.post(f"{url}/begin")
    first = await client.get(f"{url}/items/1")
    return int(re.search(r'<progress id="progress" data-progress max="(\d+)"', first.text)[1])


async def answer(client: AsyncTestClient, url: str, n: int) -> None:
    page = await client.get(f"{url}/items/{n}")
    o = options(page.text)
    r = await client.post(f"{url}/items/{n}", data={"most": o[0], "least": o[1], "go": "next"})
    assert r.status_code == 200, r.text


async def resumes_at(client: AsyncTestClient, url: str) -> str:
    r = await client.get(url, follow_redirects=False)
    assert r.status_code in (302, 303), r.text
    return r.headers["location"].removeprefix(url)


async def test_the_link_resumes_at_the_first_unanswered_scenario(client: AsyncTestClient) -> None:
    url, other = await two_links(client)
    token = url.rsplit("/", 1)[1]
    total = await begin(client, url)
    assert total >= 4
    assert await resumes_at(client, url) == "/items/1"
    await answer(client, url, 1)
    await answer(client, url, 2)
    client.cookies.clear()  # another device: nothing but the link
    assert await resumes_at(client, url) == "/items/3"
    # a half-given answer (most effective only) leaves the scenario unanswered
    page = await client.get(f"{url}/items/3")
    item_id = re.search(r"/answers/(\d+)", page.text)[1]
    r = await client.put(
        f"/api/v1/respond/{token}/answers/{item_id}", json={"most": options(page.text)[0]}
    )
    assert r.status_code == 200 and r.json()["complete"] is False
    await answer(client, url, 4)  # answered out of order: the gap is where it goes on
    assert await resumes_at(client, url) == "/items/3"
    # Begin again (the back button to the instructions) resumes too, it does not restart
    r = await client.post(f"{url}/begin", follow_redirects=False)
    assert r.headers["location"].removeprefix(url) == "/items/3"
    for n in [3, *range(5, total + 1)]:
        await answer(client, url, n)
    assert await resumes_at(client, url) == "/review"
    review = await client.get(f"{url}/review")
    assert "You have answered every scenario" in review.text
    # the review is of all answers, not a scenario of its own
    assert f"Scenario {total} of {total}" not in review.text
    assert f"{total} answered" in review.text
    # another candidate of the same vacancy starts at their own beginning
    await begin(client, other)
    assert await resumes_at(client, other) == "/items/1"
    # an unknown link opens nothing
    r = await client.get("/take/" + "y" * 43, follow_redirects=False)
    assert r.status_code == 404


async def expire(deadline_ago: timedelta = timedelta(seconds=1)) -> Any:
    deadline = utcnow() - deadline_ago
    await Candidate.update({Candidate.deadline_at: deadline}, force=True)
    return deadline


async def test_time_up_submits_the_saved_answers_and_says_how_many(
    client: AsyncTestClient,
) -> None:
    url = await link(client)
    total = await begin(client, url)
    await answer(client, url, 1)
    await answer(client, url, 2)
    item = await client.get(f"{url}/items/3")
    # the page the script turns to at 0: what it says then is on the page already
    assert "data-time-up=" in item.text and "data-time-up-message" in item.text
    assert (await Candidate.select(Candidate.status).first())["status"] == "started"
    deadline = await expire()
    # without JavaScript: the next press of a button, with an answer given too late
    o = options(item.text)
    r = await client.post(f"{url}/items/3", data={"most": o[0], "least": o[1], "go": "next"})
    assert r.status_code == 200
    assert "The time ran out." in r.text
    assert f"The answers you saved before the end were submitted: 2 scenarios of {total}" in (
        unescape(r.text)
    )
    assert await Answer.count() == 2 and await AnswerEvent.count() == 2  # too late: not kept
    cand = await Candidate.select(
        Candidate.status, Candidate.timed_out, Candidate.submitted_at
    ).first()
    assert cand == {"status": "submitted", "timed_out": True, "submitted_at": deadline}
    # with JavaScript the clock reloads the page at 0: every page of the test ends here
    for path in ("", "/items/1", "/review", "/instructions"):
        page = await client.get(url + path)
        assert "The time ran out." in page.text, path
    # the answers can no longer change, by page or by API
    token = url.rsplit("/", 1)[1]
    item_id = re.search(r"/answers/(\d+)", item.text)[1]
    r = await client.put(
        f"/api/v1/respond/{token}/answers/{item_id}", json={"most": o[0], "least": o[1]}
    )
    assert r.status_code == 409
    assert await Answer.count() == 2


async def test_time_up_on_the_review_page_with_one_answer(client: AsyncTestClient) -> None:
    url = await link(client)
    total = await begin(client, url)
    await answer(client, url, 1)
    await expire(timedelta(minutes=5))
    r = await client.post(f"{url}/submit")  # pressed after the end: the clock decided
    assert f"submitted: 1 scenario of {total} answered" in unescape(r.text)
    assert (await Candidate.select(Candidate.timed_out).first())["timed_out"] is True


async def test_a_test_still_running_is_not_submitted(client: AsyncTestClient) -> None:
    url = await link(client)
    await begin(client, url)
    await Candidate.update({Candidate.deadline_at: utcnow() + timedelta(seconds=30)}, force=True)
    page = await client.get(f"{url}/items/1")
    assert 'role="timer"' in page.text and "The time ran out." not in page.text
    assert (await Candidate.select(Candidate.status).first())["status"] == "started"


async def test_counts_in_plural_forms_and_the_live_counter_labels(
    client: AsyncTestClient,
) -> None:
    url = await link(client, extra_time_seconds=60)  # type: ignore[arg-type]
    welcome = await client.get(url)
    assert "including 1 extra minute)" in welcome.text
    assert re.search(r"<li>\d+ scenarios</li>", welcome.text)
    total = await begin(client, url)
    await answer(client, url, 1)
    page = await client.get(f"{url}/items/2")
    assert "Scenario 2 of" in page.text
    labels = json.loads(unescape(re.search(r"data-labels='([^']*)'", page.text)[1]))
    assert len(labels) == total + 1  # one text for every count the script may show
    assert labels[:3] == ["0 answered", "1 answered", "2 answered"]
    assert re.search(r"<span data-answered data-labels='[^']*'>1 answered</span>", page.text)
    review = await client.get(f"{url}/review")
    assert f"You have not answered {total - 1} of {total} scenarios." in review.text


async def give_swedish_texts(*, missing_option: str) -> None:
    """Swedish context, stem and options for every item, except the option ``missing_option``
    (which stays English); no Norwegian at all."""
    for row in await SjtItem.select(
        SjtItem.id, SjtItem.stem, SjtItem.context, SjtItem.options, SjtItem.translations
    ):
        tr = loads(row["translations"]) or {}
        tr["sv"] = {
            "stem": "SV-STAM " + row["stem"],
            "context": "SV-KONTEXT",
        }  # ours, not the bank's
        tr.pop("nb", None)
        opts = loads(row["options"])
        for o in opts:
            o.setdefault("translations", {}).pop("nb", None)
            o["translations"].pop("sv", None)
            if o["key"] != missing_option:
                o["translations"]["sv"] = "SV-SVAR " + o["text"]
        await SjtItem.update(
            {
                SjtItem.translations: dumps(tr),
                SjtItem.options: dumps(opts),
                SjtItem.updated_at: utcnow(),
            }
        ).where(SjtItem.id == row["id"])


async def test_scenarios_in_the_candidates_language_english_only_where_missing(
    client: AsyncTestClient,
) -> None:
    # the vacancy opens while every item has its text in every language (only such
    # languages are offered); then a text goes missing, e.g. an item edited since
    url = await link(client)
    await give_swedish_texts(missing_option="a")
    await begin(client, url, lang="sv")
    page = await client.get(f"{url}/items/1")
    assert '<html lang="sv">' in page.text
    assert '<p class="context">SV-KONTEXT</p>' in page.text
    assert re.search(r'<div class="scenario"><p>SV-STAM ', page.text)
    texts = re.findall(r'<p class="ml-text" id="opt-(\w+)"( lang="en")?>([^<]*)</p>', page.text)
    assert len(texts) >= 4
    for key, marked, text in texts:
        if key == "a":  # no Swedish text: English, marked as English for screen readers
            assert marked and not text.startswith("SV-SVAR"), (key, text)
        else:
            assert not marked and text.startswith("SV-SVAR "), (key, text)
    # Norwegian chosen on the page: no Norwegian text at all, so English, marked, and the
    # choice sticks to the candidate for the next page and the next visit
    nb = await client.get(f"{url}/items/1?lang=nb")
    assert '<html lang="nb">' in nb.text
    assert re.search(r'<div class="scenario"><p lang="en">(?!SV-)', nb.text)
    assert '<p class="context" lang="en">' in nb.text
    nxt = await client.get(f"{url}/items/2")
    assert '<html lang="nb">' in nxt.text
    assert (await Candidate.select(Candidate.language).first())["language"] == "nb"
    # a language the vacancy does not offer is not taken
    other = await client.get(f"{url}/items/2?lang=de")
    assert '<html lang="nb">' in other.text


async def test_a_language_in_the_link_does_not_change_a_submitted_test(
    client: AsyncTestClient,
) -> None:
    url = await link(client)
    await begin(client, url, lang="sv")
    await client.post(f"{url}/submit")
    page = await client.get(f"{url}?lang=ru")
    assert '<html lang="ru">' in page.text  # shown in the language asked for
    assert (await Candidate.select(Candidate.language).first())["language"] == "sv"
