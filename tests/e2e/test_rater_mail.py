"""A coach invites a rater on the cycle page; the server's own worker e-mails the
invitation to a real SMTP server (aiosmtpd); the rater opens the link from that mail on a
phone, in Norwegian, answers and submits; the cycle page then shows the message as sent and
the rater as submitted, and never the rater's link."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import (
    SHOTS,
    Live,
    demo_login,
    log_in,
    mail_env,
    png_size,
    serious_violations,
)
from tests.mailsink import MailSink, link_in

RATER = "kari.nordmann@example.com"


@pytest.fixture
def live_env(sink: MailSink) -> dict[str, str]:
    """The live server sends through the sink with its own worker, at once."""
    return mail_env(sink)


async def _shot(page: Page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    await page.screenshot(path=str(path), full_page=True)
    return path


async def _fits(page: Page) -> None:
    """Nothing wider than the viewport (tables scroll inside their own region)."""
    overflow = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page is {overflow}px wider than the screen"


async def test_the_rater_follows_the_link_from_the_mail(
    live_server: Live, browser: Browser, sink: MailSink, tmp_path: Path
) -> None:
    found: dict[str, list[str]] = {}
    coach = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = await coach.new_page()
    await log_in(page, live_server, *demo_login(tmp_path, "coach"))
    # a new, open cycle (the demo cycle is closed)
    await page.goto(f"{live_server.url}/app/reviews")
    await page.locator("#name").fill("Spring 360")
    await page.get_by_label("Role").select_option(label="Customer service operator")
    await page.get_by_role("button", name="Open cycle").click()
    await page.wait_for_url(re.compile(r"/app/reviews/\d+$"))
    cycle_url = page.url
    await page.locator("#sn").fill("Maria Berg")
    await page.locator("#se").fill("maria.berg@example.com")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.locator(".notice[role=status]")).to_contain_text("Added Maria Berg")
    # the coach invites a rater, choosing the language of her mail and form
    await page.get_by_label("Rater name").fill("Kari Nordmann")
    await page.get_by_label("E-mail", exact=True).nth(0).fill(RATER)
    await page.get_by_label("Group").select_option("peer")
    await page.get_by_label("Rater's language").select_option("nb")
    await page.get_by_role("button", name="Invite rater").click()
    await expect(page.locator(".notice[role=status]")).to_contain_text("Rater invited")

    # the server's worker sends the invitation: read it from the mail server
    deadline = 60
    while not sink.to(RATER) and deadline:
        await page.wait_for_timeout(500)
        deadline -= 1
    (mail,) = sink.to(RATER)
    assert '<html lang="nb">' in mail.get_body(preferencelist=("html",)).get_content()
    link = link_in(mail, "rate")
    assert link.startswith(live_server.url + "/rate/")

    # the cycle page shows the message as sent, never the link
    await page.goto(cycle_url)
    row = page.locator("ul.rater-mail > li", has_text="Kari Nordmann")
    await expect(row).to_contain_text("Invitation to give feedback")
    await expect(row).to_contain_text("sent")
    assert link.rsplit("/", 1)[1] not in await page.content()

    # the rater, on a phone, in Norwegian, from the link in the mail
    phone = await browser.new_context(
        viewport={"width": 390, "height": 844}, locale="nb-NO", bypass_csp=True
    )
    rater = await phone.new_page()
    await rater.goto(link)
    await expect(rater.locator("html")).to_have_attribute("lang", "nb")
    await expect(rater.get_by_role("heading", level=1)).to_contain_text("Maria Berg")
    await _fits(rater)
    path = await _shot(rater, "rater-mail-link-nb-phone.png")
    assert png_size(path)[0] == 390
    bad = await serious_violations(rater)
    if bad:
        found["rater form (nb)"] = bad
    statements = rater.locator("fieldset.rating")
    count = await statements.count()
    for n in range(count):
        await statements.nth(n).locator(f"input[value='{1 + n % 5}']").check()
    await rater.locator("button[name=go][value=submit]").click()
    await expect(rater.locator(".notice[role=status]")).to_be_visible()
    await _shot(rater, "rater-mail-submitted-nb-phone.png")
    await phone.close()

    # back on the cycle page: submitted; the invitation was sent, nothing more to her
    await page.goto(cycle_url)
    row = page.locator("ul.rater-mail > li", has_text="Kari Nordmann")
    await expect(row).to_contain_text("submitted")
    await expect(row).to_contain_text("Invitation to give feedback")
    assert link.rsplit("/", 1)[1] not in await page.content()
    await _shot(page, "cycle-mail-desktop.png")
    bad = await serious_violations(page)
    if bad:
        found["cycle page"] = bad
    await coach.close()

    # the coach's cycle page in Russian on a small phone: readable, nothing off the screen
    small = await browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
    narrow = await small.new_page()
    await log_in(narrow, live_server, *demo_login(tmp_path, "coach"))
    await small.add_cookies([{"name": "lang", "value": "ru", "url": live_server.url}])
    await narrow.goto(cycle_url)
    await expect(narrow.locator("html")).to_have_attribute("lang", "ru")
    await _fits(narrow)
    await _shot(narrow, "cycle-mail-ru-320.png")
    bad = await serious_violations(narrow)
    if bad:
        found["cycle page (ru, 320 px)"] = bad
    await small.close()
    assert len(sink.to(RATER)) == 1  # submitted: no reminder, nothing more
    assert not found, found
