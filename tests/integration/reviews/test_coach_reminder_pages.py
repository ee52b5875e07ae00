"""Reminders on the cycle page say what happened in words (and plurals), including when
nobody is waiting; the cycle page shows translated group names, never internal keys."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.reviews.test_reviews import answer_all, cycle, rater

pytestmark = pytest.mark.usefixtures("demo_library")

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


async def _remind(client: AsyncTestClient, rid: int) -> str:
    page = await client.get(f"/app/reviews/{rid}")
    assert page.status_code == 200, page.text
    token = CSRF.search(page.text)
    assert token
    r = await client.post(f"/app/reviews/{rid}/reminders", data={"_csrf_token": token.group(1)})
    assert r.status_code == 200, r.text
    return r.text


async def test_reminder_with_nobody_pending_says_so(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Peer", "peer@example.org", "peer")
    cookies = dict(client.cookies)
    client.cookies.clear()
    await answer_all(client, token, 3)
    client.cookies.update(cookies)
    html = await _remind(client, rid)
    assert "Nobody is waiting: every rater has submitted." in html
    assert "New links for 0" not in html and "rater(s)" not in html
    assert '<ul class="links">' not in html


async def test_reminder_counts_with_plurals(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    await rater(client, rid, sid, "Peer One", "p1@example.org", "peer")
    html = await _remind(client, rid)
    assert "A reminder to 1 rater who has not submitted is queued" in html
    # no SMTP_URL in the tests: the page says the reminder waits
    assert "Not sent: no mail server is configured." in html
    assert "/rate/" not in html  # the reminder carries the link; the page never shows it
    await rater(client, rid, sid, "Peer Two", "p2@example.org", "direct_report")
    await rater(client, rid, sid, "Peer Three", "p3@example.org", "customer")
    html = await _remind(client, rid)
    assert "Reminders to 2 raters who have not submitted are queued" in html
    assert "1 rater was already reminded today (one reminder a day at most)." in html
    html = await _remind(client, rid)
    assert "3 raters were already reminded today" in html
    assert "raters who have not submitted are queued" not in html
    # group names in words, never the internal key
    assert "direct_report" not in html.replace('value="direct_report"', "")
    assert "Direct reports" in html


async def test_started_raters_are_reminded_without_a_link_on_the_page(
    client: AsyncTestClient,
) -> None:
    rid, sid = await cycle(client)
    token = await rater(client, rid, sid, "Peer", "peer@example.org", "peer")
    cookies = dict(client.cookies)
    client.cookies.clear()
    form = (await client.get(f"/api/v1/respond/{token}")).json()
    first = next(i for i in form["items"] if i["format"] == "rating")
    r = await client.put(f"/api/v1/respond/{token}/answers/{first['id']}", json={"rating": 3})
    assert r.status_code == 200, r.text
    client.cookies.update(cookies)
    html = await _remind(client, rid)
    assert "A reminder to 1 rater who has not submitted is queued" in html
    assert "/rate/" not in html and token not in html
    # the started rater's link still works: a reminder changes no link
    client.cookies.clear()
    assert (await client.get(f"/api/v1/respond/{token}")).status_code == 200


async def test_reminder_page_in_swedish(client: AsyncTestClient) -> None:
    rid, _ = await cycle(client)
    client.cookies.set("lang", "sv")
    html = await _remind(client, rid)
    assert '<html lang="sv">' in html


async def test_report_page_names_no_internal_words(client: AsyncTestClient) -> None:
    """The person's page after release: hidden groups named in words, the rules in words,
    never ``suppressed_groups``, ``direct_report`` or another internal key."""
    from tests.integration.development.test_plans import rated_subject

    rid, sid = await rated_subject(client)
    page = await client.get(f"/app/reviews/{rid}/subjects/{sid}")
    assert page.status_code == 200, page.text
    for word in ("suppressed_groups", "direct_report", "'others'", "blind_spot"):
        assert word not in page.text, word
    assert "Self and manager ratings are shown as they are" in page.text
    assert f'href="/app/reviews/{rid}/subjects/{sid}/idp"' in page.text
    client.cookies.set("lang", "sv")
    page = await client.get(f"/app/reviews/{rid}/subjects/{sid}")
    assert '<html lang="sv">' in page.text
    assert "Self and manager ratings are shown as they are" not in page.text  # translated


def test_a_respondent_language_does_not_leak_into_staff_pages() -> None:
    """Rendering a Russian rater page once must leave the staff pages' gettext alone."""
    from server.web.environment import environment
    from server.web.i18n import environment_for

    staff = environment()
    assert environment_for("ru").from_string('{{ _("Self") }}').render() != "Self"
    assert staff.from_string('{{ _("Self") }}').render(lang="en") == "Self"
    assert staff.from_string('{{ _("Self") }}').render(lang="sv") == "Själv"
