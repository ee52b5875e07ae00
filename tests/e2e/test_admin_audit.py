"""The admin's journey: edit a competency's Swedish text on the editor page, then read
the audit log filtered by user and action, in English and in Norwegian, on a desktop
and on a phone; axe finds no serious or critical violation on the new pages."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import ADMIN, SHOTS, Live, log_in, serious_violations


async def _no_sideways_scroll(page: Page, viewport: int) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport, f"page is {width} px wide in a {viewport} px viewport"


async def test_admin_edits_swedish_text_and_reads_the_audit_log(
    live_server: Live, browser: Browser
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = await browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    await log_in(page, live_server, *ADMIN)

    # the editor: Swedish texts next to the English ones
    await page.get_by_role("link", name="Customer orientation").first.click()
    await page.get_by_role("link", name="Edit").click()
    await expect(page.get_by_role("heading", name="Edit competency")).to_be_visible()
    name_sv = page.get_by_label("Name (Svenska)")
    if not await name_sv.is_visible():  # open when the competency has Swedish texts already
        await page.locator("summary", has_text="Svenska").first.click()
    await name_sv.fill("Kundfokus i varje samtal")
    definition_sv = page.get_by_label("Definition (Svenska)")
    assert await definition_sv.evaluate("e => e.tagName") == "TEXTAREA"
    assert (
        await page.get_by_label("Definition (one or two sentences)").evaluate("e => e.tagName")
        == "TEXTAREA"
    )
    assert await serious_violations(page) == []
    await page.screenshot(path=str(SHOTS / "admin-editor-swedish.png"), full_page=False)
    await page.get_by_role("button", name="Save").click()
    await expect(page).to_have_url(re.compile(r"/app/competencies/\d+$"))
    competency_url = page.url
    await page.goto(f"{competency_url}?lang=sv")
    await expect(page.get_by_role("heading", name="Kundfokus i varje samtal")).to_be_visible()

    # the audit log, filtered by user and action
    await page.goto(f"{live_server.url}/app")
    await page.get_by_role("link", name="Audit log").click()
    await expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    await page.get_by_label("User").select_option(label=ADMIN[0])
    await page.get_by_label("Action").select_option(label="Edited")
    await page.get_by_role("button", name="Show").click()
    await expect(page).to_have_url(re.compile(r"action=updated"))
    rows = page.locator("table.audit tbody tr")
    await expect(rows).to_have_count(1)
    row = rows.first
    await expect(row).to_contain_text(ADMIN[0])
    await expect(row).to_contain_text("Edited")
    await expect(row).to_contain_text("Changed: Swedish texts.")
    await expect(row.get_by_role("link")).to_have_attribute(
        "href", re.compile(r"^/app/competencies/\d+$")
    )
    assert await serious_violations(page) == []
    await page.screenshot(path=str(SHOTS / "admin-audit-desktop.png"), full_page=True)

    # the CSV of the filtered rows (the download is itself recorded)
    async with page.expect_download() as info:
        await page.get_by_role("link", name="Download these entries (CSV)").click()
    download = await info.value
    assert download.suggested_filename == "audit-log.csv"

    # in Norwegian: the header's language button, the filters kept
    await page.get_by_role("button", name="Norsk bokmål").click()
    await expect(page.locator("html")).to_have_attribute("lang", "nb")
    await expect(page.get_by_role("heading", name="Revisjonslogg")).to_be_visible()
    await expect(rows).to_have_count(1)
    await expect(rows.first).to_contain_text("Endret: svenske tekster.")
    assert await serious_violations(page) == []
    await page.screenshot(path=str(SHOTS / "admin-audit-nb-desktop.png"), full_page=True)

    # on a phone, in Norwegian: the filters fit and the table scrolls in its box
    phone = await browser.new_context(
        bypass_csp=True, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    await phone.add_cookies(await context.cookies())
    small = await phone.new_page()
    await small.goto(page.url)
    await expect(small.get_by_role("heading", name="Revisjonslogg")).to_be_visible()
    await _no_sideways_scroll(small, 390)
    assert await serious_violations(small) == []
    await small.screenshot(path=str(SHOTS / "admin-audit-nb-phone.png"), full_page=True)
    await small.set_viewport_size({"width": 320, "height": 700})
    await _no_sideways_scroll(small, 320)
    await small.screenshot(path=str(SHOTS / "admin-audit-nb-320.png"), full_page=True)

    # the export is in the log too, and a recruiter is refused the page
    await page.goto(f"{live_server.url}/app/audit?action=exported")
    await expect(page.locator("table.audit tbody tr").first).to_contain_text("CSV")
    await phone.close()
    await context.close()
