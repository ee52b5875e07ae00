"""A candidate's invitation by e-mail, end to end (issue 16, candidates' mail).

A live server sends through a real SMTP server (``MailSink``) with its own worker. A
recruiter invites a candidate in Swedish on the vacancy page; the invitation arrives in the
sink; its link opens the test in Chromium on a phone in Swedish; the vacancy page shows the
message as sent (desktop, and a 320 px phone without sideways scrolling), and the
e-mail texts page shows the variables and a preview, in English and Norwegian. axe-core
finds no serious or critical violation on these pages.
"""

from __future__ import annotations

import re
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import (
    SHOTS,
    Live,
    api_client,
    demo_login,
    log_in,
    mail_env,
    serious_violations,
)
from tests.mailsink import MailSink, link_in

PHONE = {"width": 390, "height": 844}
SMALL = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def live_env(sink: MailSink) -> dict[str, str]:
    """The live server sends its mail to the sink, with a worker of its own."""
    return mail_env(sink)


def mail_to(sink: MailSink, address: str, timeout: float = 30) -> EmailMessage:
    deadline = time.monotonic() + timeout
    while not sink.to(address):
        assert time.monotonic() < deadline, [str(m["To"]) for m in sink.messages]
        time.sleep(0.1)
    (msg,) = sink.to(address)
    return msg


async def no_overflow(page: Page) -> None:
    width, inner = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner + 1, f"{width} px wide in a {inner} px viewport"


async def test_invitation_mail_link_opens_the_test_and_the_page_shows_it_sent(
    browser: Browser, live_server: Live, tmp_path: Path, sink: MailSink
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    email, password = demo_login(tmp_path, "recruiter")
    api = api_client(live_server, email, password)
    try:
        vacancy = api.get("/api/v1/campaigns").json()["items"][0]
    finally:
        api.close()
    lang = "sv" if "sv" in vacancy["languages"] else "nb"
    assert lang in vacancy["languages"], vacancy["languages"]
    url = f"{live_server.url}/app/campaigns/{vacancy['id']}"

    # --- the recruiter invites a candidate on the vacancy page (desktop, English)
    desk = await browser.new_context(viewport=DESKTOP, bypass_csp=True)  # axe is a script
    page = await desk.new_page()
    await log_in(page, live_server, email, password)
    await page.goto(url)
    invite = page.locator("section[aria-labelledby=invite-h]")
    await invite.get_by_label("Name", exact=True).fill("Sigrid Dahl")
    await invite.get_by_label("E-mail", exact=True).fill("sigrid@example.org")
    await invite.get_by_label("Language", exact=True).select_option(lang)
    await invite.get_by_role("button", name="Invite", exact=True).click()
    await expect(page).to_have_url(re.compile(r"\?issued=[0-9a-f]+#new-links$"))
    shown = (
        await page.locator("#new-links tbody tr", has_text="Sigrid Dahl")
        .locator("code")
        .inner_text()
    ).strip()

    # --- the invitation arrives, with the link the page showed
    msg = mail_to(sink, "sigrid@example.org")
    link = link_in(msg, "take")
    assert link == shown, (link, shown)
    assert vacancy["name"] in str(msg["Subject"])
    assert msg.get_body(preferencelist=("html",)) is not None

    # --- the candidate follows it on a phone, in Swedish (or Norwegian)
    phone = await browser.new_context(
        viewport=PHONE,
        locale={"sv": "sv-SE", "nb": "nb-NO"}[lang],
        has_touch=True,
        is_mobile=True,
        bypass_csp=True,
    )
    cand = await phone.new_page()
    await cand.goto(link)
    await expect(cand.locator("html")).to_have_attribute("lang", lang)
    await expect(cand.locator("body")).to_contain_text(vacancy["name"])
    await expect(cand.locator("body")).to_contain_text("Sigrid Dahl")
    await no_overflow(cand)
    assert not await serious_violations(cand)
    await cand.screenshot(path=str(SHOTS / f"mail-candidate-link-{lang}.png"), full_page=True)
    await phone.close()

    # --- the vacancy page shows the message as sent, with "Send again"
    await page.goto(url)
    row = page.locator("section[aria-labelledby=cands-h] tbody tr", has_text="Sigrid Dahl")
    message = row.locator("li.outbox-message")
    await expect(message).to_have_count(1)
    await expect(message).to_contain_text("Invitation to the test")
    await expect(message.locator(".outbox-state")).to_contain_text(re.compile(r"^sent \d{4}-"))
    await expect(message.get_by_role("button", name=re.compile("Send again"))).to_be_visible()
    token = link.rsplit("/", 1)[1]
    assert token not in await page.content()  # what staff see leaves the link out
    await message.locator("summary").click()
    await expect(message.locator("pre")).to_contain_text("Sigrid Dahl")
    assert not await serious_violations(page)
    await row.scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "mail-vacancy-sent-desktop.png"), full_page=True)
    await row.screenshot(path=str(SHOTS / "mail-vacancy-row-desktop.png"))

    # "Send again" queues it again and comes back to the candidate's row
    await message.get_by_role("button", name=re.compile("Send again")).click()
    await expect(page).to_have_url(re.compile(rf"/app/campaigns/{vacancy['id']}#candidate-\d+$"))
    deadline = time.monotonic() + 30
    while len(sink.to("sigrid@example.org")) < 2:
        assert time.monotonic() < deadline, "sent again, never arrived"
        time.sleep(0.1)
    again = sink.to("sigrid@example.org")[1]
    assert again["Message-ID"] != msg["Message-ID"] and link_in(again, "take") == link

    # --- the same on a 320 px phone, in Norwegian: no sideways scrolling
    small = await browser.new_context(
        viewport=SMALL, has_touch=True, is_mobile=True, bypass_csp=True
    )
    tiny = await small.new_page()
    await log_in(tiny, live_server, email, password)
    await tiny.locator("form.languages").get_by_role("button", name="Norsk bokmål").click()
    await expect(tiny.locator("html")).to_have_attribute("lang", "nb")
    await tiny.goto(url)
    await tiny.locator("#cands-h").scroll_into_view_if_needed()
    await no_overflow(tiny)
    assert not await serious_violations(tiny)
    await tiny.screenshot(path=str(SHOTS / "mail-vacancy-sent-320-nb.png"), full_page=True)
    tiny_row = tiny.locator("section[aria-labelledby=cands-h] tbody tr", has_text="Sigrid Dahl")
    await tiny_row.screenshot(path=str(SHOTS / "mail-vacancy-row-320-nb.png"))

    # --- the e-mail texts: variables and a preview (320 px in Norwegian, desktop English)
    await tiny.goto(f"{url}/mail?kind=candidate_invitation&lang={lang}")
    await expect(tiny.locator("h1")).to_be_visible()
    await expect(tiny.locator(".mail-variables")).to_contain_text("{{ link }}")
    await expect(tiny.locator(".mail-html a")).to_have_count(1)
    await no_overflow(tiny)
    assert not await serious_violations(tiny)
    await tiny.screenshot(path=str(SHOTS / "mail-editor-320-nb.png"), full_page=True)
    await small.close()

    await page.goto(f"{url}/mail?kind=candidate_reminder&lang=en")
    await page.get_by_label("Subject").fill("Last days: {{ vacancy }}")
    await page.get_by_role("button", name="Preview", exact=True).click()
    await expect(page.locator("#preview")).to_contain_text("Last days: Customer service advisor")
    await page.get_by_label("Text", exact=True).fill("Hello {{ nme }}")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page.locator("#form-errors")).to_contain_text("unknown variables: nme")
    assert not await serious_violations(page)
    await page.screenshot(path=str(SHOTS / "mail-editor-refused-en.png"), full_page=True)
    await page.get_by_label("Text", exact=True).fill("")
    await page.get_by_role("button", name="Save", exact=True).click()
    await expect(page).to_have_url(re.compile(r"saved=1#editor$"))
    await expect(page.get_by_role("status")).to_contain_text("Saved.")
    await expect(page.get_by_label("Subject")).to_have_value("Last days: {{ vacancy }}")
    assert not await serious_violations(page)
    await page.screenshot(path=str(SHOTS / "mail-editor-saved-en.png"), full_page=True)
    await desk.close()
