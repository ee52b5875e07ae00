"""A 360 cycle end to end in a real browser (issue 7, item 1).

A coach opens a new cycle, adds a person and invites their raters through the cycle page;
every rater fills their form with the keyboard only from their link (one in Russian, one
writing markup into a comment); the coach follows the progress, opens the person's report
(the group of two direct reports is not shown on its own), the HTML report, downloads its
PDF, and opens and downloads the individual development plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.async_api import Browser, Page, expect

from tests.e2e.conftest import SHOTS, ConsoleErrors, Live, demo_login, log_in, pdf_text

SUBJECT = ("Eva Lindqvist", "eva.lindqvist@example.com")
HOSTILE = "<b>bold</b> & <script>alert(1)</script>"
# (name, e-mail, group, language, rating of the n-th statement; None = cannot say)
RATERS: tuple[tuple[str, str, str, str, Callable[[int], int | None]], ...] = (
    (SUBJECT[0], SUBJECT[1], "self", "en", lambda n: 5 if n % 4 else 4),
    ("Mats Holm", "mats.holm@example.com", "manager", "en", lambda n: 3),
    ("Peer One", "peer.one@example.com", "peer", "ru", lambda n: None if n == 0 else 2 + n % 2),
    ("Peer Two", "peer.two@example.com", "peer", "en", lambda n: 3),
    ("Peer Three", "peer.three@example.com", "peer", "en", lambda n: 2 + n % 3),
    ("Report One", "report.one@example.com", "direct_report", "en", lambda n: 4),
    ("Report Two", "report.two@example.com", "direct_report", "en", lambda n: 3),
)


async def invited_link(page: Page) -> str:
    """The one link of the notice the cycle page shows after an invitation."""
    notice = page.get_by_role("status")
    await expect(notice.locator("ul.links code")).to_have_count(1)
    return (await notice.locator("ul.links code").inner_text()).strip()


async def rate_with_keyboard(
    page: Page, rating: Callable[[int], int | None], comment: str
) -> tuple[int, int]:
    """Tab through the whole form: rate each statement with Space and the arrow keys, type
    ``comment`` into every text box, and submit with Enter on "Submit my feedback".

    On arrival in a radio group nothing is checked and focus is on its first point (1):
    Space checks it, each ArrowRight moves to (and checks) the next point, and ArrowLeft
    from 1 wraps round to "Cannot say". Returns (statements rated, text boxes filled).
    """
    rated: set[str] = set()
    boxes = 0
    for _ in range(1000):
        await page.keyboard.press("Tab")
        el = await page.evaluate(
            "() => { const e = document.activeElement; return {tag: e.tagName, "
            "type: e.type || '', name: e.name || '', value: e.value || ''}; }"
        )
        if el["tag"] == "INPUT" and el["type"] == "radio" and el["name"] not in rated:
            value = rating(len(rated))
            rated.add(el["name"])
            assert el["value"] == "1", el  # the first point of an untouched group
            await page.keyboard.press("Space")
            if value is None:
                await page.keyboard.press("ArrowLeft")
            for _step in range((value or 1) - 1):
                await page.keyboard.press("ArrowRight")
            expected = "cannot" if value is None else str(value)
            checked = page.locator(f"input[name='{el['name']}']:checked")
            await expect(checked).to_have_value(expected)
        elif el["tag"] == "TEXTAREA":
            await page.keyboard.type(comment)
            boxes += 1
        elif el["tag"] == "BUTTON" and el["value"] == "submit":
            await page.keyboard.press("Enter")
            await page.wait_for_load_state()
            return len(rated), boxes
    raise AssertionError("Tab never reached the submit button")


async def test_coach_runs_a_360_cycle_in_the_browser(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    name, email = SUBJECT
    staff = await browser.new_context(accept_downloads=True)
    page = await staff.new_page()
    await log_in(page, live_server, *demo_login(tmp_path, "coach"))

    # --- a new cycle, a person and their raters, all through the pages
    await page.get_by_role("link", name="360 reviews").click()
    new = page.locator("section[aria-labelledby=new-h]")
    await new.get_by_label("Name").fill("E2E spring 360")
    await new.get_by_label("Role").select_option(label="Customer service operator")
    await new.get_by_role("button", name="Open cycle").click()
    await expect(page).to_have_url(re.compile(r"/app/reviews/\d+$"))
    cycle = page.url
    await expect(page.get_by_role("heading", level=1)).to_have_text("E2E spring 360")
    add = page.locator("section[aria-labelledby=add-h]")
    await add.get_by_label("Name").fill(name)
    await add.get_by_label("E-mail").fill(email)
    await add.get_by_role("button", name="Add").click()
    await expect(page.get_by_role("status")).to_contain_text(f"Added {name}")
    assert "/nominate/" in await invited_link(page)

    section = page.locator("section.card", has=page.get_by_role("heading", name=name))
    href = await section.get_by_role("link", name=name).get_attribute("href")
    review_id, subject_id = map(
        int, re.fullmatch(r"/app/reviews/(\d+)/subjects/(\d+)", href).groups()
    )
    links = []
    for rater, rater_email, group, lang, _rating in RATERS:
        await section.get_by_label("Rater name").fill(rater)
        await section.get_by_label("E-mail").fill(rater_email)
        await section.get_by_label("Group").select_option(group)
        await section.get_by_role("button", name="Invite rater").click()
        await expect(page.get_by_role("status")).to_contain_text("Rater invited")
        link = await invited_link(page)
        assert re.fullmatch(re.escape(live_server.url) + r"/rate/[A-Za-z0-9_-]{43}", link), link
        links.append(link + ("?lang=ru" if lang == "ru" else ""))
    invited = section.locator("tbody tr", has=page.locator("th", has_text="peer"))
    await expect(invited.locator("td").nth(1)).to_have_text("3")  # peers invited

    # --- every rater, keyboard only, from their own link
    for (rater, _e, group, lang, rating), link in zip(RATERS, links, strict=True):
        context = await browser.new_context(locale="ru-RU" if lang == "ru" else "en-GB")
        rp = await context.new_page()
        errors = ConsoleErrors(rp)
        await rp.goto(link)
        await expect(rp.locator("html")).to_have_attribute("lang", lang)
        await expect(rp.get_by_role("heading", level=1)).to_contain_text(name)
        comment = HOSTILE if rater == "Peer Three" else "Explains the options clearly."
        rated, boxes = await rate_with_keyboard(rp, rating, comment)
        assert rated >= 10 and boxes >= 2, (rated, boxes)
        await expect(rp.locator(".notice[role=status]")).to_be_visible()  # submitted
        answered, total = map(
            int, re.findall(r"\d+", await rp.locator(".progress-text").inner_text())
        )
        assert answered == total == rated, (answered, total, rated)
        if group == "peer" and lang == "ru":
            await rp.screenshot(path=str(SHOTS / "rater-submitted-ru.png"), full_page=False)
        assert not errors, errors
        await context.close()

    # --- the coach follows progress and reads the report
    await page.goto(cycle)
    section = page.locator("section.card", has=page.get_by_role("heading", name=name))
    for group, count in (("Self", 1), ("Manager", 1), ("Peers", 3), ("Direct reports", 2)):
        row = section.locator("tbody tr", has=page.locator("th", has_text=group))
        await expect(row.locator("td").nth(3)).to_have_text(str(count))  # submitted
    # no result while the cycle is open: the person's page says so; close, then release
    await section.get_by_role("link", name=name).click()
    await expect(page.locator("main")).to_contain_text("No results yet")
    await page.goto(cycle)
    await page.get_by_role("button", name="Close the cycle now").click()
    await expect(page.locator(".notice")).to_contain_text("The cycle is closed")
    await page.get_by_role("button", name="Release the results").click()
    await expect(page.locator(".notice")).to_contain_text("Release 1: 1 new report.")
    await page.screenshot(path=str(SHOTS / "cycle-released-e2e.png"), full_page=True)
    section = page.locator("section.card", has=page.get_by_role("heading", name=name))
    await section.get_by_role("link", name=name).click()
    await expect(page).to_have_url(f"{live_server.url}{href}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)
    await expect(page.locator("main")).to_contain_text("Direct reports")  # named as hidden only

    report_errors = ConsoleErrors(page)
    await page.get_by_role("link", name="Report (HTML)").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    respondents = page.locator("table.respondents")
    await expect(respondents).to_contain_text("Self")
    await expect(respondents).to_contain_text("Manager")
    await expect(respondents).not_to_contain_text("Direct reports")  # 2 < threshold 3
    await expect(page.locator("p.suppressed")).to_contain_text("Direct reports")
    await expect(page.locator("svg title").first).to_have_text("Competencies by rater group")
    await expect(page.locator("main")).to_contain_text(HOSTILE)  # escaped, shown as text
    assert await page.locator("main b", has_text="bold").count() == 0
    assert await page.locator("script").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "report360-e2e.png"), full_page=True)
    assert not report_errors, report_errors
    await page.go_back()

    async with page.expect_download() as info:
        await page.get_by_role("link", name="Download PDF").click()
    download = await info.value
    assert download.suggested_filename == f"360-{review_id}-{subject_id}.pdf"
    text = pdf_text(Path(await download.path()).read_bytes())
    assert name in text and "E2E spring 360" in text, text[:2000]
    assert HOSTILE in text, text  # the comment, printed as text
    assert "Mats Holm" not in text and "Peer One" not in text  # raters are never named

    # --- the development plan, as a page and as a PDF
    idp = f"{live_server.url}/api/v1/reviews/{review_id}/subjects/{subject_id}/idp"
    await page.goto(f"{idp}?format=html")
    await expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    await expect(page.get_by_role("heading", name="How the priorities were chosen")).to_be_visible()
    priorities = int(await page.locator(".cards .card b").first.inner_text())
    assert 0 <= priorities <= 3
    await page.screenshot(path=str(SHOTS / "idp-e2e.png"), full_page=True)
    r = await staff.request.get(f"{idp}?format=pdf")
    assert r.status == 200 and r.headers["content-type"].startswith("application/pdf")
    text = pdf_text(await r.body())
    assert name in text and "Individual development plan" in text, text[:2000]
    await staff.close()
