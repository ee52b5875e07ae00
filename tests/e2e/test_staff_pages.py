"""A newcomer logs in with the keyboard, browses and filters the library, and an admin edits."""

from __future__ import annotations

import json
import re

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, SHOTS, Live, serious_violations


async def login_with_keyboard(page: Page, live: Live) -> None:
    await page.goto(f"{live.url}/app")
    await expect(page).to_have_url(re.compile(r"/login\?next=%2Fapp|/login\?next=/app"))
    # the e-mail field has focus on arrival; Tab moves to the password, Enter submits
    await expect(page.locator("#email")).to_be_focused()
    await page.keyboard.type(ADMIN[0])
    await page.keyboard.press("Tab")
    await expect(page.locator("#password")).to_be_focused()
    await page.keyboard.type(ADMIN[1])
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f"{live.url}/app")


async def test_browse_filter_and_edit_the_library(live_server: Live, browser: Browser) -> None:
    page = await browser.new_page()
    await login_with_keyboard(page, live_server)
    await expect(page.get_by_role("heading", name="Competency library")).to_be_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "library.png"), full_page=True)

    cards = page.locator("ul.grid > li.card")
    total = await cards.count()
    assert total >= 8
    await page.get_by_label("Select for (hiring)").check()
    await page.get_by_role("button", name="Apply").click()
    await expect(page).to_have_url(re.compile(r"flag=select_for"))
    selected = await cards.count()
    assert 0 < selected < total
    for n in range(selected):
        await expect(cards.nth(n).locator(".flag.select")).to_be_visible()

    await page.get_by_label("Language of the texts").select_option("ru")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.get_by_role("link", name="Клиентоориентированность")).to_be_visible()

    await page.goto(f"{live_server.url}/app")
    await page.get_by_role("link", name="Customer orientation").first.click()
    await expect(page.get_by_role("heading", name="Behavioural indicators")).to_be_visible()
    assert await page.locator("ul.indicators li").count() >= 3
    await page.screenshot(path=str(SHOTS / "competency.png"), full_page=True)

    await page.get_by_role("link", name="Edit").click()
    await page.get_by_label("Name", exact=True).fill("Customer orientation (edited)")
    await page.get_by_label("Name", exact=True).press("Enter")
    await expect(
        page.get_by_role("heading", name="Customer orientation (edited)", exact=True)
    ).to_be_visible()

    # a rule broken in the editor is reported, and nothing is saved
    await page.get_by_role("link", name="Edit").click()
    await page.get_by_label("Select for: screen it at hiring").uncheck()
    await page.get_by_label("Develop: grow it after hiring").uncheck()
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("alert")).to_contain_text("select_for")
    await page.goto(f"{live_server.url}/app?flag=select_for")
    await expect(page.get_by_role("link", name="Customer orientation (edited)")).to_be_visible()


async def test_staff_pages_have_no_serious_accessibility_violations(
    live_server: Live, browser: Browser
) -> None:
    context = await browser.new_context(bypass_csp=True)  # axe is injected as a script
    page = await context.new_page()
    await login_with_keyboard(page, live_server)
    comp_href = await page.locator("ul.grid a").first.get_attribute("href")
    role_href = await page.locator("ul.roles a").first.get_attribute("href")
    paths = [
        "/app",
        "/app?flag=develop&lang=ru",
        comp_href,
        role_href,
        f"{comp_href}/edit",
        "/app/roles/new",
        "/app/campaigns",
        "/app/campaigns/1",
        "/app/sjt/items",
    ]
    found = {}
    for path in paths:
        await page.goto(f"{live_server.url}{path}")
        bad = await serious_violations(page)
        if bad:
            found[path] = bad
    await context.close()
    # the login page too, logged out
    context = await browser.new_context(bypass_csp=True)
    page = await context.new_page()
    await page.goto(f"{live_server.url}/login")
    bad = await serious_violations(page)
    if bad:
        found["/login"] = bad
    await context.close()
    assert not found, json.dumps(found, indent=1)
