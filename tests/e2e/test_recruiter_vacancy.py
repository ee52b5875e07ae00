"""A recruiter configures a vacancy and hands out links on its page (issue 15, recruiter).

In English and in Swedish, on a desktop and on a phone: the settings are saved with a
redirect and a refused rule is named by its field; a candidate is invited (the page
redirects, a reload invites nobody), the same e-mail again is refused and points to the
candidate; the link is copied with the copy button (and is plain selectable text without
JavaScript); a new link revokes the old one; several candidates pasted one per line get
links downloadable as CSV. axe-core finds no serious or critical violation.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from server.web.i18n import translations
from tests.e2e.conftest import SHOTS, ConsoleErrors, Live, demo_login, log_in, serious_violations

LINK = r"/take/[A-Za-z0-9_-]{43}"


def words(lang: str, text: str) -> str:
    """The page's words for ``text`` in ``lang`` (English until the catalogue has it)."""
    return translations(lang).gettext(text)


async def open_vacancy(page: Page, live: Live, tmp_path: Path, lang: str) -> str:
    await log_in(page, live, *demo_login(tmp_path, "recruiter"))
    if lang != "en":
        await page.locator("form.languages").get_by_role("button", name="Svenska").click()
        await expect(page.locator("html")).to_have_attribute("lang", lang)
    await page.get_by_role("link", name=words(lang, "Vacancies")).first.click()
    await page.get_by_role("link", name=re.compile("Customer service operator")).click()
    await expect(page).to_have_url(re.compile(r"/app/campaigns/\d+$"))
    return page.url


WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !(e.parentElement && e.parentElement.closest('.scroll')))
  .slice(0, 8)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""


async def no_overflow(page: Page) -> None:
    """The page is no wider than the viewport (tables scroll inside their own box)."""
    wide = await page.evaluate(WIDE)
    width = await page.evaluate("document.documentElement.scrollWidth")
    view = await page.evaluate("window.innerWidth")
    assert width <= view + 1, (width, view, wide)


async def journey(browser: Browser, live: Live, tmp_path: Path, lang: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, bypass_csp=True
    )  # axe is injected as a script; the CSP itself is held in the test below
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    page = await context.new_page()
    errors = ConsoleErrors(page)
    vacancy = await open_vacancy(page, live, tmp_path, lang)
    ident = vacancy.rsplit("/", 1)[1]

    # --- settings: a refused rule names its field, nothing is saved
    settings = page.locator("section[aria-labelledby=settings-h]")
    await settings.locator("#settings-opens_at").fill("2026-02-01T09:00")
    await settings.locator("#settings-closes_at").fill("2026-01-01T09:00")
    await settings.locator("#settings-time_limit_seconds").fill("25")
    await settings.get_by_role("button", name=words(lang, "Save settings")).click()
    alert = page.locator("#form-errors")
    await expect(alert).to_contain_text(
        f"{words(lang, 'Closes')}: {words(lang, 'must be after the opening date')}"
    )
    await alert.get_by_role("link").first.click()
    await expect(page.locator("#settings-closes_at")).to_be_focused()
    assert not await serious_violations(page)
    await page.screenshot(path=str(SHOTS / f"vacancy-settings-refused-{lang}.png"), full_page=True)
    # ... and saved once right, with a redirect
    await settings.locator("#settings-closes_at").fill("2030-03-01T17:00")
    await settings.locator("#settings-cut_score").fill("60")
    await settings.get_by_role("button", name=words(lang, "Save settings")).click()
    await expect(page).to_have_url(re.compile(r"\?changed=settings"))
    await expect(page.get_by_role("status")).to_contain_text(words(lang, "Settings saved."))
    await expect(page.locator("#settings-time_limit_seconds")).to_have_value("25")

    # --- invite one candidate: redirect, link shown with a copy button
    email = f"maja.{lang}@example.org"
    invite = page.locator("section[aria-labelledby=invite-h]")
    await invite.get_by_label(words(lang, "Name"), exact=True).fill("Maja Lund")
    await invite.get_by_label(words(lang, "E-mail"), exact=True).fill(email)
    await invite.get_by_role("button", name=words(lang, "Invite"), exact=True).click()
    await expect(page).to_have_url(re.compile(r"\?issued=[0-9a-f]+#new-links$"))
    row = page.locator("#new-links tbody tr", has_text="Maja Lund")
    first_link = (await row.locator("code").inner_text()).strip()
    assert re.fullmatch(re.escape(live.url) + LINK, first_link), first_link
    copy = row.locator("button.copy")
    await copy.click()
    await expect(copy).to_contain_text(words(lang, "Copied"))
    assert await page.evaluate("navigator.clipboard.readText()") == first_link
    assert not await serious_violations(page)
    await page.screenshot(path=str(SHOTS / f"vacancy-new-link-{lang}.png"), full_page=True)
    await page.reload()  # a reload invites nobody again
    await expect(
        page.locator("section[aria-labelledby=cands-h] tbody tr", has_text=email)
    ).to_have_count(1)

    # --- the same e-mail again is refused, pointing to the candidate
    await page.goto(vacancy)
    await invite.get_by_label(words(lang, "Name"), exact=True).fill("Maja L.")
    await invite.get_by_label(words(lang, "E-mail"), exact=True).fill(email.upper())
    await invite.get_by_role("button", name=words(lang, "Invite"), exact=True).click()
    alert = page.locator("#form-errors")
    await expect(alert).to_contain_text(words(lang, "Nobody was invited."))
    await expect(alert).to_contain_text(email)
    await page.screenshot(path=str(SHOTS / f"vacancy-duplicate-{lang}.png"), full_page=True)
    assert not await serious_violations(page)
    await alert.get_by_role("link").first.click()
    await expect(page).to_have_url(re.compile(r"#candidate-\d+$"))

    # --- a new link for her: the old one stops working
    cand_row = page.locator("section[aria-labelledby=cands-h] tbody tr", has_text=email)
    await expect(cand_row).to_have_count(1)
    await cand_row.get_by_role("button", name=re.compile(words(lang, "New link"))).click()
    await expect(page).to_have_url(re.compile(r"\?issued=[0-9a-f]+#new-links$"))
    new_link = (await page.locator("#new-links tbody tr code").inner_text()).strip()
    assert new_link != first_link and re.fullmatch(re.escape(live.url) + LINK, new_link)
    other = await browser.new_page()
    old = await other.goto(first_link)
    assert old is not None and old.status == 404
    fresh = await other.goto(new_link)
    assert fresh is not None and fresh.status == 200
    await other.close()

    # --- several at once, one per line; their links as CSV
    await invite.locator("summary").click()
    await invite.locator("#invite-people").fill(
        f"Ola Berg <ola.{lang}@example.org>\nEva Dahl, eva.{lang}@example.org\n"
    )
    await invite.get_by_role("button", name=words(lang, "Invite"), exact=True).click()
    await expect(page.locator("#new-links tbody tr")).to_have_count(2)
    async with page.expect_download() as info:
        await page.get_by_role("link", name=words(lang, "Download these links (CSV)")).click()
    download = await info.value
    rows = list(csv.DictReader(io.StringIO(Path(await download.path()).read_text())))
    assert [r["email"] for r in rows] == [f"ola.{lang}@example.org", f"eva.{lang}@example.org"]
    shown = [(await c.inner_text()).strip() for c in await page.locator("#new-links code").all()]
    assert [r["link"] for r in rows] == shown
    await page.screenshot(path=str(SHOTS / f"vacancy-links-desktop-{lang}.png"), full_page=True)

    # --- on a phone: the same page fits; 320 px too
    await page.set_viewport_size({"width": 390, "height": 844})
    await no_overflow(page)
    await page.screenshot(path=str(SHOTS / f"vacancy-links-phone-{lang}.png"), full_page=True)
    await page.set_viewport_size({"width": 320, "height": 700})
    await no_overflow(page)
    await page.goto(vacancy + "#settings-h")
    await page.set_viewport_size({"width": 390, "height": 844})
    await no_overflow(page)
    await page.screenshot(path=str(SHOTS / f"vacancy-settings-phone-{lang}.png"), full_page=True)
    assert not await serious_violations(page)

    # --- the candidate report links to its PDF and back to the vacancy
    await page.set_viewport_size({"width": 1280, "height": 900})
    ranked = page.locator("section[aria-labelledby=rank-h] tbody tr").first
    await ranked.locator("td").nth(1).get_by_role("link").first.click()
    await expect(page.locator("a[href$='format=pdf&lang=" + lang + "']")).to_have_count(1)
    await page.get_by_role("link", name=words(lang, "Back to the vacancy")).click()
    await expect(page).to_have_url(re.compile(rf"/app/campaigns/{ident}$"))
    # the refused forms answer 422 and 409, which the console reports; nothing else
    assert not [e for e in errors if "status of 422" not in e and "status of 409" not in e]
    await context.close()


async def test_recruiter_configures_a_vacancy_and_hands_out_links_in_english(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    await journey(browser, live_server, tmp_path, "en")


async def test_recruiter_configures_a_vacancy_and_hands_out_links_in_swedish(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    await journey(browser, live_server, tmp_path, "sv")


async def test_the_copy_button_works_under_the_content_security_policy(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    context = await browser.new_context()
    await context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page = await context.new_page()
    errors = ConsoleErrors(page)
    await open_vacancy(page, live_server, tmp_path, "en")
    invite = page.locator("section[aria-labelledby=invite-h]")
    await invite.get_by_label("Name", exact=True).fill("Csp Check")
    await invite.get_by_label("E-mail", exact=True).fill("csp@example.org")
    await invite.get_by_role("button", name="Invite", exact=True).click()
    row = page.locator("#new-links tbody tr", has_text="Csp Check")
    await row.locator("button.copy").click()
    await expect(row.locator("button.copy")).to_contain_text("Copied")
    link = (await row.locator("code").inner_text()).strip()
    assert await page.evaluate("navigator.clipboard.readText()") == link
    assert not errors, errors  # a CSP refusal would be a console error
    await context.close()


async def test_without_javascript_the_new_link_is_selectable_text(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    context = await browser.new_context(java_script_enabled=False)
    page = await context.new_page()
    await open_vacancy(page, live_server, tmp_path, "en")
    invite = page.locator("section[aria-labelledby=invite-h]")
    await invite.get_by_label("Name", exact=True).fill("No Script")
    await invite.get_by_label("E-mail", exact=True).fill("noscript@example.org")
    await invite.get_by_role("button", name="Invite", exact=True).click()
    row = page.locator("#new-links tbody tr", has_text="No Script")
    await expect(row.locator("code")).to_have_text(re.compile(LINK))
    await expect(row.get_by_role("button")).to_be_hidden()  # the copy button needs JS
    await context.close()
