"""A candidate takes the SJT in Russian with the keyboard only, closes the browser halfway,
resumes from the link, submits; the recruiter then sees them ranked."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import SHOTS, Live, serious_violations


def demo_link(live: Live, var_dir: Path) -> str:
    return live.url + (var_dir / "demo-links.txt").read_text().strip()


async def tab_to(page: Page, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def answer_with_keyboard(page: Page) -> None:
    """Most effective: the first response; least effective: the second; then Save and next."""
    await tab_to(page, "input[name=most]")
    await page.keyboard.press("Space")
    await tab_to(page, "input[name=least]")
    await page.keyboard.press("ArrowDown")  # moves to (and selects) the second response
    await expect(page.locator(".save-status")).to_have_text(re.compile("сохранён", re.I))
    await tab_to(page, "button[value=next], button[value=review]:not(.secondary)")
    before = page.url
    await page.keyboard.press("Enter")
    await page.wait_for_url(lambda url: url != before)
    await page.wait_for_load_state()


async def test_candidate_takes_the_test_in_russian_by_keyboard_and_resumes(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    link = demo_link(live_server, tmp_path)
    context = await browser.new_context(locale="ru-RU")
    page = await context.new_page()
    await page.goto(link)
    await expect(page.locator("html")).to_have_attribute("lang", "ru")
    await tab_to(page, "input[name=consent]")
    await page.keyboard.press("Space")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Как проходит тест")
    await tab_to(page, "form[action$='/begin'] button")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(re.compile(r"/items/1$"))
    total = int(re.search(r"из (\d+)", await page.locator(".progress label").inner_text()).group(1))
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "candidate-item-ru.png"), full_page=True)
    half = total // 2
    for _ in range(half):
        await answer_with_keyboard(page)
    await context.close()  # the browser is closed halfway

    context = await browser.new_context(locale="ru-RU")
    page = await context.new_page()
    await page.goto(link)  # resumes from the same link, at the first unanswered scenario
    await expect(page).to_have_url(re.compile(rf"/items/{half + 1}$"))
    await expect(page.locator(".progress label")).to_contain_text(f"Отвечено: {half}")
    await page.goto(f"{link}/items/1")
    await expect(page.locator("input[name=most]:checked")).to_have_count(1)  # saved answer
    for n in range(half + 1, total + 1):
        await page.goto(f"{link}/items/{n}")
        await answer_with_keyboard(page)
    await expect(page).to_have_url(re.compile(r"/review$"))
    await expect(page.locator("main")).to_contain_text("Вы дали ответ по каждой ситуации")
    await tab_to(page, "form[action$='/submit'] button")
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Спасибо")
    await context.close()


async def test_recruiter_sees_the_demo_vacancy_ranked(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    logins = (tmp_path / "demo-logins.txt").read_text().splitlines()
    email, password = next(x.split("\t")[1:] for x in logins if x.startswith("recruiter"))
    page = await browser.new_page()
    await page.goto(f"{live_server.url}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.get_by_role("link", name="Vacancies").click()
    await page.get_by_role("link", name=re.compile("Customer service operator")).click()
    rows = page.locator("section[aria-labelledby=rank-h] tbody tr")
    await expect(rows).to_have_count(40)
    await expect(rows.first.locator("td").first).to_have_text("1")
    await page.screenshot(path=str(SHOTS / "vacancy.png"), full_page=True)


async def test_candidate_pages_have_no_serious_accessibility_violations(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    link = demo_link(live_server, tmp_path)
    context = await browser.new_context(bypass_csp=True, locale="sv-SE")
    page = await context.new_page()
    found = {}

    async def check(name: str) -> None:
        bad = await serious_violations(page)
        if bad:
            found[name] = bad

    await page.goto(link)
    await check("welcome")
    await page.get_by_role("checkbox").check()
    await page.get_by_role("button").last.click()
    await expect(page).to_have_url(re.compile(r"/instructions"))
    await check("instructions")
    await page.locator("form[action$='/begin'] button").click()
    await expect(page).to_have_url(re.compile(r"/items/1$"))
    await check("item")
    await page.goto(f"{link}/review")
    await check("review")
    await page.goto(live_server.url + "/take/" + "x" * 43)
    await check("invalid link")
    await context.close()
    assert not found, found


async def test_the_same_response_as_most_and_least_is_said_at_once_and_not_sent(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    """Nothing is sent and the page says why where the choice is; a valid choice is saved
    and the answered count moves without a reload."""
    link = demo_link(live_server, tmp_path)
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    saves: list[str] = []
    page.on("request", lambda r: saves.append(r.url) if r.method == "PUT" else None)
    await page.goto(link)
    await page.locator("input[name=consent]").check()
    await page.locator("form button[type=submit]").first.click()
    await page.locator("form[action$='/begin'] button").click()
    await expect(page).to_have_url(re.compile(r"/items/1$"))
    await expect(page.locator("[data-answered]")).to_have_text("0 answered")
    await page.locator("input[name=most]").nth(0).check()
    await page.locator("input[name=least]").nth(0).check()
    status = page.locator(".save-status")
    await expect(status).to_have_text(re.compile("choose a different option"))
    await page.wait_for_timeout(500)  # longer than the script waits before it sends
    assert saves == [], saves
    await page.locator("input[name=least]").nth(1).check()
    await expect(status).to_have_text("Answer saved")
    assert len(saves) == 1, saves
    await expect(page.locator("[data-answered]")).to_have_text("1 answered")
    await context.close()
