"""Hiring end to end in a real browser (issue 7, item 1).

A recruiter logs in, opens the demo vacancy and invites a candidate through the vacancy
page; the candidate takes the whole SJT in Russian with the keyboard only, closes the
browser halfway, resumes from the link and submits; the recruiter then sees the candidate
ranked, opens their report and downloads the PDF hiring report, whose text names them.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Browser, expect

from tests.e2e.conftest import SHOTS, Live, demo_login, log_in, pdf_text
from tests.e2e.test_candidate import answer_with_keyboard, tab_to

CANDIDATE = ("Анна Смирнова", "anna.smirnova@example.com")
DEMO_CANDIDATES = 40


async def test_recruiter_invites_candidate_who_takes_the_test_and_is_ranked_in_the_pdf(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    name, email = CANDIDATE
    # --- the recruiter invites a candidate from the vacancy page
    staff = await browser.new_context(accept_downloads=True)
    page = await staff.new_page()
    await log_in(page, live_server, *demo_login(tmp_path, "recruiter"))
    await page.get_by_role("link", name="Vacancies").click()
    await page.get_by_role("link", name=re.compile("Customer service operator")).click()
    await expect(page).to_have_url(re.compile(r"/app/campaigns/\d+$"))
    vacancy = page.url
    invite = page.locator("section[aria-labelledby=invite-h]")
    await invite.get_by_label("Name", exact=True).fill(name)
    await invite.get_by_label("E-mail", exact=True).fill(email)
    await invite.get_by_label("Language", exact=True).select_option("ru")
    await invite.get_by_role("button", name="Invite", exact=True).click()
    await expect(page).to_have_url(re.compile(r"\?issued=[0-9a-f]+#new-links$"))  # PRG
    entry = page.locator("#new-links tbody tr", has_text=name)
    await expect(entry).to_have_count(1)
    link = (await entry.locator("code").inner_text()).strip()
    assert re.fullmatch(re.escape(live_server.url) + r"/take/[A-Za-z0-9_-]{43}", link), link
    pending = page.locator("section[aria-labelledby=cands-h] tbody tr", has_text=name)
    await expect(pending).to_contain_text("invited")  # listed as not submitted yet

    # --- the candidate: Russian, keyboard only, closes the browser halfway
    context = await browser.new_context(locale="ru-RU")
    cand = await context.new_page()
    await cand.goto(link)
    await expect(cand.locator("html")).to_have_attribute("lang", "ru")
    await tab_to(cand, "input[name=consent]")
    await cand.keyboard.press("Space")
    await cand.keyboard.press("Tab")
    await cand.keyboard.press("Enter")
    await expect(cand.get_by_role("heading", level=1)).to_contain_text("Как проходит тест")
    await tab_to(cand, "form[action$='/begin'] button")
    await cand.keyboard.press("Enter")
    await expect(cand).to_have_url(re.compile(r"/items/1$"))
    label = await cand.locator(".progress label").inner_text()
    total = int(re.search(r"из (\d+)", label).group(1))
    assert total >= 8, label
    half = total // 2
    for _ in range(half):
        await answer_with_keyboard(cand)
    await context.close()  # the browser is closed halfway

    context = await browser.new_context(locale="ru-RU")
    cand = await context.new_page()
    await cand.goto(link)  # the same link resumes at the first unanswered scenario
    await expect(cand).to_have_url(re.compile(rf"/items/{half + 1}$"))
    await expect(cand.locator(".progress label")).to_contain_text(f"Отвечено: {half}")
    for n in range(half + 1, total + 1):
        await cand.goto(f"{link}/items/{n}")
        await answer_with_keyboard(cand)
    await expect(cand).to_have_url(re.compile(r"/review$"))
    await expect(cand.locator("main")).to_contain_text("Вы дали ответ по каждой ситуации")
    await tab_to(cand, "form[action$='/submit'] button")
    await cand.keyboard.press("Enter")
    await expect(cand.get_by_role("heading", level=1)).to_have_text("Спасибо")
    await context.close()

    # --- the recruiter sees them ranked, opens their report, downloads the PDF
    await page.goto(vacancy)
    rows = page.locator("section[aria-labelledby=rank-h] tbody tr")
    await expect(rows).to_have_count(DEMO_CANDIDATES + 1)
    row = rows.filter(has_text=name)
    await expect(row).to_have_count(1)
    rank = int(await row.locator("td").first.inner_text())
    assert 1 <= rank <= DEMO_CANDIDATES + 1
    score = (await row.locator("td").nth(2).inner_text()).strip()
    assert re.fullmatch(r"\d+\.\d", score), score
    done = page.locator("section[aria-labelledby=cands-h] tbody tr", has_text=name)
    await expect(done).to_contain_text("submitted")
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "vacancy-after-invite.png"), full_page=True)

    await row.get_by_role("link", name=name, exact=True).click()  # the candidate report
    await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    await page.go_back()

    async with page.expect_download() as info:
        await page.get_by_role("link", name="PDF", exact=True).click()
    download = await info.value
    assert re.fullmatch(r"hiring-report-\d+\.pdf", download.suggested_filename)
    data = Path(await download.path()).read_bytes()
    text = pdf_text(data)
    assert name in text, text[:2000]
    # the PDF's ranking row says what the page says: rank, name, total
    assert f"{rank} {name} {score}" in text, text[:3000]
    await staff.close()
