"""A recruiter writes a scenario in English and Swedish and has it keyed by two experts by
link: one at a desk in Swedish, one on a phone in Norwegian; then reads the agreement.

Screenshots go to SHOTS (item-*.png); axe-core checks every new page."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import SHOTS, Live, demo_login, log_in, serious_violations

EN = {
    "Situation": "A customer calls for the third time about a parcel that is a week late. "
    "They are angry and say they will cancel their contract.",
    "Question": "What do you do?",
    "options": [
        "Apologise, track the parcel while they wait and promise to call back today.",
        "Tell them deliveries are not your department.",
        "Transfer the call to a colleague without explaining.",
        "Offer a refund of the delivery fee and book a new delivery.",
    ],
}
SV = {
    "Situation": "En kund ringer för tredje gången om ett paket som är en vecka försenat. "
    "Kunden är arg och säger att hen ska säga upp avtalet.",
    "Question": "Vad gör du?",
    "options": [
        "Be om ursäkt, spåra paketet medan kunden väntar och lova att ringa tillbaka i dag.",
        "Säg att leveranser inte är din avdelning.",
        "Koppla samtalet till en kollega utan att förklara.",
        "Erbjud återbetalning av fraktavgiften och boka en ny leverans.",
    ],
}
# effectiveness 1-7 of options a-d by each expert: close enough to agree
KARIN = [7, 1, 2, 6]
OLA = [6, 1, 3, 6]


async def _shot(page: Page, name: str, *, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"item-{name}.png"), full_page=full)


async def _axe_clean(page: Page) -> None:
    assert await serious_violations(page) == [], page.url


async def _fill_language(page: Page, lang: str, texts: dict[str, object]) -> None:
    box = page.locator(f"fieldset.language[lang={lang}]")
    await box.get_by_label("Situation").fill(str(texts["Situation"]))
    await box.get_by_label("Question").fill(str(texts["Question"]))
    for n, text in enumerate(texts["options"], start=1):  # type: ignore[arg-type]
        await box.get_by_label(f"Option {n}", exact=True).fill(str(text))


async def _invite(page: Page, live: Live, item_id: int, name: str, email: str, lang: str) -> str:
    await page.goto(f"{live.url}/app/sjt/items/{item_id}")
    await page.get_by_role("link", name="Invite an expert to key it").click()
    await page.get_by_label("Name").fill(name)
    await page.get_by_label("E-mail (optional)").fill(email)
    await page.get_by_label("Language of the page").select_option(lang)
    await expect(page.locator(f"input[name=item_ids][value='{item_id}']")).to_be_checked()
    await page.get_by_role("button", name="Create the link").click()
    link = page.locator("[data-expert-link]")
    await expect(link).to_be_visible()
    value = await link.input_value()
    assert re.fullmatch(rf"{re.escape(live.url)}/key/[A-Za-z0-9_-]{{43}}", value), value
    return value


async def _rate(page: Page, item_id: int, values: list[int]) -> None:
    for key, value in zip("abcd", values, strict=True):
        await page.locator(f"label[for='r-{item_id}-{key}-{value}']").click()


async def test_recruiter_authors_an_item_and_two_experts_key_it_by_link(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    live = live_server
    staff_ctx = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    staff = await staff_ctx.new_page()
    await log_in(staff, live, *demo_login(tmp_path, "recruiter"))

    # the bank: competency names, never their keys
    await staff.goto(f"{live.url}/app/sjt/items")
    body = await staff.locator("main").inner_text()
    assert "customer_orientation" not in body and "stress_resistance" not in body
    await _axe_clean(staff)

    # a new item, English and Swedish; first without a question: the field is named
    await staff.get_by_role("link", name="New item").click()
    await staff.get_by_label("Code").fill("late_parcel_call")
    await staff.get_by_label("Customer orientation").check()
    await _fill_language(staff, "en", {**EN, "Question": ""})
    await _fill_language(staff, "sv", SV)
    await staff.get_by_role("button", name="Save item").click()
    alert = staff.get_by_role("alert")
    await expect(alert).to_contain_text("Question (English)")
    await expect(staff.locator("#stem-en")).to_have_attribute("aria-invalid", "true")
    await _axe_clean(staff)
    await _shot(staff, "editor-problem", full=False)
    await (
        staff.locator("fieldset.language[lang=en]")
        .get_by_label("Question")
        .fill(str(EN["Question"]))
    )
    await staff.get_by_role("button", name="Save item").click()
    await expect(staff.get_by_role("status")).to_contain_text("The item is saved.")
    item_id = int(re.search(r"/app/sjt/items/(\d+)", staff.url).group(1))  # type: ignore[union-attr]
    await expect(staff.get_by_role("heading", level=1)).to_have_text(str(EN["Question"]))
    await _axe_clean(staff)

    # the editor shows both languages as written, long texts in multi-line fields
    await staff.get_by_role("link", name="Edit texts and options").click()
    sv_box = staff.locator("fieldset.language[lang=sv]")
    await expect(sv_box.get_by_label("Situation")).to_have_value(str(SV["Situation"]))
    assert await sv_box.locator("textarea").count() == 8
    await _axe_clean(staff)
    await _shot(staff, "editor")

    # two experts by link
    karin = await _invite(staff, live, item_id, "Karin Berg", "karin.berg@example.com", "sv")
    await _axe_clean(staff)
    await _shot(staff, "expert-link", full=False)
    ola = await _invite(staff, live, item_id, "Ola Nordmann", "", "nb")
    assert karin != ola

    # Karin, at a desk, in Swedish
    desk = await browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = await desk.new_page()
    await page.goto(karin)
    assert await page.locator("html").get_attribute("lang") == "sv"
    await expect(page.locator(".stem")).to_have_text(str(SV["Question"]))
    await expect(page.get_by_text(str(SV["options"][3]))).to_be_visible()
    await _axe_clean(page)
    await _rate(page, item_id, KARIN)
    await _shot(page, "expert-sv")
    await page.locator("button[name=go][value=submit]").click()
    await expect(page.locator(".notice[role=status]")).to_be_visible()
    assert await page.locator("input[type=radio]").count() == 0
    await _axe_clean(page)
    await desk.close()

    # Ola, on a phone, in Norwegian: saves half, comes back, finishes
    phone_ctx = await browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    phone = await phone_ctx.new_page()
    await phone.goto(ola)
    assert await phone.locator("html").get_attribute("lang") == "nb"
    await _axe_clean(phone)
    for key, value in zip("ab", OLA[:2], strict=True):
        await phone.locator(f"label[for='r-{item_id}-{key}-{value}']").tap()
    async with phone.expect_navigation():
        await phone.locator("button[name=go][value=save]").tap()
    await expect(phone.locator(".progress-text")).to_contain_text("2")
    await phone.goto(ola)
    await expect(phone.locator(f"#r-{item_id}-b-{OLA[1]}")).to_be_checked()
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    box = await phone.locator(f"label[for='r-{item_id}-a-1']").bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 36, box
    await _shot(phone, "expert-nb-phone", full=False)
    await phone.locator(".key-item").first.screenshot(
        path=str(SHOTS / "item-expert-nb-options.png")
    )
    await phone.set_viewport_size({"width": 320, "height": 700})
    width = await phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, width
    await _shot(phone, "expert-nb-320", full=False)
    await phone.set_viewport_size({"width": 390, "height": 844})
    # submitting with options left: refused, naming them, nothing counted
    await phone.locator("button[name=go][value=submit]").tap()
    await expect(phone.get_by_role("alert")).to_contain_text("alternativ 3")
    for key, value in zip("cd", OLA[2:], strict=True):
        await phone.locator(f"label[for='r-{item_id}-{key}-{value}']").tap()
    await phone.locator("button[name=go][value=submit]").tap()
    await expect(phone.locator(".notice[role=status]")).to_be_visible()
    await _shot(phone, "expert-nb-done", full=False)
    await phone_ctx.close()

    # the recruiter sees who submitted and how well they agree
    await staff.goto(f"{live.url}/app/sjt/items/{item_id}")
    agreement = staff.locator("[data-agreement]")
    await expect(agreement).to_contain_text("2 experts")
    await expect(agreement).to_contain_text("agreement rwg(J) 0.")
    await expect(staff.get_by_text("2 of them have submitted.")).to_be_visible()
    await expect(staff.get_by_role("cell", name="Karin Berg")).to_contain_text("karin.berg")
    await _axe_clean(staff)
    await _shot(staff, "agreement")
    # the item page and the bank fit a phone
    await staff.set_viewport_size({"width": 390, "height": 844})
    for path in (f"/app/sjt/items/{item_id}", "/app/sjt/items"):
        await staff.goto(f"{live.url}{path}")
        width = await staff.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
    await staff.goto(f"{live.url}/app/sjt/items/{item_id}")
    await _shot(staff, "agreement-phone", full=False)
    await staff_ctx.close()
