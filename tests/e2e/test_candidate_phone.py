"""A candidate on a phone takes the test from the link, in Swedish and in Norwegian: the
scenarios in their language, taps on whole cells, leaves halfway and comes back at the first
unanswered scenario, finishes. The most/least, rate and rank layouts fit 320 px, 390 px and
a desktop without sideways scrolling, with targets of at least 44 px; the clock and progress
stay in view. When the clock reaches 0 the saved answers are submitted, and the page says so,
with and without JavaScript."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from server.core.db import dumps, loads, utcnow
from server.tables import Candidate, SjtItem
from tests.e2e.conftest import (
    SHOTS,
    Live,
    api_client,
    demo_login,
    serious_violations,
)

PHONE = {"width": 390, "height": 844}
SMALL = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
# the words the pages say, per language (from the catalogues)
WORDS = {
    "sv": {
        "saved": "Svaret har sparats",
        "one": "1 besvarat",
        "two": "2 besvarade",
        "up": "Tiden tog slut.",
    },
    "nb": {
        "saved": "Svaret er lagret",
        "one": "1 besvart",
        "two": "2 besvarte",
        "up": "Tiden gikk ut.",
    },
}


async def texts_in(lang: str) -> None:
    """Every item of the bank has its context, stem and options in ``lang``: the texts of
    the demo bank where it has them; a text written here only where one is missing."""
    for row in await SjtItem.select(
        SjtItem.id, SjtItem.stem, SjtItem.context, SjtItem.options, SjtItem.translations
    ):
        tr = loads(row["translations"]) or {}
        own = tr.setdefault(lang, {})
        changed = False
        for part in ("stem", "context"):
            if row[part] and not own.get(part):
                own[part] = f"({lang}) {row[part]}"
                changed = True
        opts = loads(row["options"])
        for o in opts:
            if not o.setdefault("translations", {}).get(lang):
                o["translations"][lang] = f"({lang}) {o['text']}"
                changed = True
        if changed:
            await SjtItem.update(
                {
                    SjtItem.translations: dumps(tr),
                    SjtItem.options: dumps(opts),
                    SjtItem.updated_at: utcnow(),
                }
            ).where(SjtItem.id == row["id"])


def invite(live: Live, var_dir: Path, *, fmt: str | None = None, name: str = "Lena Berg") -> str:
    """A new candidate's link: on the demo vacancy, or on a new vacancy in format ``fmt``."""
    email, password = demo_login(var_dir, "recruiter")
    api = api_client(live, email, password)
    try:
        if fmt is None:
            campaigns = api.get("/api/v1/campaigns").json()
            rows = campaigns if isinstance(campaigns, list) else campaigns["items"]
            cid = rows[0]["id"]
        else:
            roles = api.get("/api/v1/roles").json()
            role = (roles if isinstance(roles, list) else roles["items"])[0]["id"]
            body = {
                "name": f"Phone {fmt}",
                "role_id": role,
                "blueprint": {"format": fmt, "items_per_competency": 1},
            }
            r = api.post("/api/v1/campaigns", json=body)
            assert r.status_code == 201, r.text
            cid = r.json()["id"]
        slug = re.sub(r"\W", "", name.lower())
        r = api.post(
            f"/api/v1/campaigns/{cid}/candidates",
            json={"name": name, "email": f"{slug}.{fmt or 'demo'}@e.org"},
        )
        assert r.status_code == 201, r.text
        return live.url + r.json()["link"]
    finally:
        api.close()


async def phone(browser: Browser, lang: str, viewport: dict[str, int], **extra: Any) -> Page:
    context: BrowserContext = await browser.new_context(
        viewport=viewport,
        locale={"sv": "sv-SE", "nb": "nb-NO"}.get(lang, "en-GB"),
        has_touch=viewport["width"] < 1000,
        is_mobile=viewport["width"] < 1000,
        bypass_csp=True,  # for axe only; the pages' own scripts run under the CSP in other tests
        **extra,
    )
    return await context.new_page()


async def fits(page: Page) -> None:
    """No sideways scrolling, and every target to answer or move on is 44 x 44 px or more."""
    width, inner = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"{width} px wide in a {inner} px viewport"
    small = await page.evaluate(
        """() => [...document.querySelectorAll(
              'form.sjt label.pick, form.sjt .scale label, form.sjt select, form.sjt .nav button')]
            .map(el => [el.outerHTML.slice(0, 60), el.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([html, r]) => `${html} ${Math.round(r.width)}x${Math.round(r.height)}`)"""
    )
    assert not small, small


async def bar_in_view(page: Page) -> None:
    """Scrolled to the bottom of a long scenario, the clock and progress are still on screen."""
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    await page.wait_for_timeout(100)
    top, bottom = await page.evaluate(
        "(() => { const r = document.querySelector('.testbar').getBoundingClientRect();"
        " return [r.top, r.bottom]; })()"
    )
    assert top >= -1 and bottom <= 200, (top, bottom)
    await expect(page.locator(".clock-value")).to_be_in_viewport()
    await expect(page.locator("progress")).to_be_in_viewport()
    await page.evaluate("window.scrollTo(0, 0)")


async def no_violations(page: Page, where: str) -> None:
    bad = await serious_violations(page)
    assert not bad, (where, bad)


async def shows_item_in(page: Page, lang: str) -> None:
    """The scenario on the page is the stored one, in ``lang``."""
    item_id = int(
        re.search(
            r"/answers/(\d+)$", await page.locator("form.sjt").get_attribute("data-autosave")
        )[1]
    )
    row = (
        await SjtItem.select(SjtItem.translations, SjtItem.options)
        .where(SjtItem.id == item_id)
        .first()
    )
    tr = loads(row["translations"])[lang]
    await expect(page.locator(".scenario p")).to_have_text(tr["stem"])
    await expect(page.locator("p.context")).to_have_text(tr["context"])
    shown = await page.locator("form.sjt .ml-text").all_inner_texts()
    assert sorted(s.strip() for s in shown) == sorted(
        o["translations"][lang] for o in loads(row["options"])
    )
    await expect(page.locator("main [lang=en]")).to_have_count(0)  # nothing fell back to English


async def tap_answer(page: Page, lang: str, answered: str) -> None:
    """Most effective: a tap on the first row's cell (beside its radio, not on it); least
    effective: the second row's; saved at once; the counter moves; then Save and next."""
    rows = page.locator("form.sjt .mostleast li")
    most = rows.nth(0).locator("label.most")
    box = await most.bounding_box()
    await most.tap(position={"x": box["width"] - 8, "y": box["height"] / 2})
    await expect(rows.nth(0).locator("input[name=most]")).to_be_checked()
    least = rows.nth(1).locator("label.least")
    box = await least.bounding_box()
    await least.tap(position={"x": box["width"] - 8, "y": box["height"] - 6})
    await expect(rows.nth(1).locator("input[name=least]")).to_be_checked()
    await expect(page.locator(".save-status")).to_have_text(WORDS[lang]["saved"])
    await expect(page.locator("[data-answered]")).to_have_text(answered)
    before = page.url
    await page.locator("form.sjt button[value=next]").tap()
    await page.wait_for_url(lambda url: url != before)


@pytest.mark.parametrize("lang", ["sv", "nb"])
async def test_candidate_on_a_phone_leaves_comes_back_and_finishes(
    live_server: Live, browser: Browser, tmp_path: Path, lang: str
) -> None:
    await texts_in(lang)
    link = invite(live_server, tmp_path, name={"sv": "Lena Berg", "nb": "Ola Nordmann"}[lang])
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = await phone(browser, lang, PHONE)
    await page.goto(link)
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await no_violations(page, "welcome")
    await fits(page)
    await page.locator("input[name=consent]").tap()
    await page.locator("form[action$='/consent'] button").tap()
    await expect(page).to_have_url(re.compile(r"/instructions"))
    await no_violations(page, "instructions")
    await fits(page)
    await page.locator("form[action$='/begin'] button").tap()
    await expect(page).to_have_url(re.compile(r"/items/1$"))
    total = int(await page.locator("progress").get_attribute("max"))
    assert total >= 4
    await shows_item_in(page, lang)
    await fits(page)
    await bar_in_view(page)
    await no_violations(page, "item")
    await page.screenshot(path=str(SHOTS / f"candidate-phone-390-{lang}.png"))
    await page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    await page.screenshot(path=str(SHOTS / f"candidate-phone-390-{lang}-scrolled.png"))
    await page.evaluate("window.scrollTo(0, 0)")
    await tap_answer(page, lang, WORDS[lang]["one"])
    await expect(page).to_have_url(re.compile(r"/items/2$"))
    await tap_answer(page, lang, WORDS[lang]["two"])
    await page.context.close()  # leaves halfway

    # back later on a smaller phone, with nothing but the link
    page = await phone(browser, lang, SMALL)
    await page.goto(link)
    await expect(page).to_have_url(re.compile(r"/items/3$"))
    await expect(page.locator("html")).to_have_attribute("lang", lang)
    await expect(page.locator("[data-answered]")).to_have_text(WORDS[lang]["two"])
    await shows_item_in(page, lang)
    await fits(page)
    await bar_in_view(page)
    await page.evaluate("window.scrollTo(0, 600)")
    await page.screenshot(path=str(SHOTS / f"candidate-phone-320-{lang}.png"))
    await page.evaluate("window.scrollTo(0, 0)")
    for n in range(3, total + 1):
        await expect(page).to_have_url(re.compile(rf"/items/{n}$"))
        rows = page.locator("form.sjt .mostleast li")
        await rows.nth(2).locator("label.most").tap()
        await rows.nth(0).locator("label.least").tap()
        await expect(page.locator("form.sjt")).to_have_attribute("data-save-state", "saved")
        button = "review" if n == total else "next"
        before = page.url
        await page.locator(f"form.sjt button[value={button}]").tap()
        await page.wait_for_url(lambda url, before=before: url != before)
    await expect(page).to_have_url(re.compile(r"/review$"))
    bar = await page.locator(".testbar").inner_text()
    assert not re.search(rf"\b{total}\D+{total}\b", bar), bar  # no "Scenario 8 of 8" here
    await fits(page)
    await no_violations(page, "review")
    await page.screenshot(path=str(SHOTS / f"candidate-phone-review-{lang}.png"), full_page=True)
    await page.locator("form[action$='/submit'] button[type=submit]").tap()
    await expect(page.locator("h1")).to_have_text({"sv": "Tack", "nb": "Takk"}[lang])
    await fits(page)
    await no_violations(page, "done")
    # the link opened again: the thank-you page, not scenario 1
    await page.goto(link)
    await expect(page.locator("h1")).to_have_text({"sv": "Tack", "nb": "Takk"}[lang])
    await page.context.close()


@pytest.mark.parametrize("fmt", ["most_least", "rate", "rank"])
async def test_every_format_fits_320_390_and_a_desktop(
    live_server: Live, browser: Browser, tmp_path: Path, fmt: str
) -> None:
    link = invite(live_server, tmp_path, fmt=fmt)
    for viewport in (SMALL, PHONE, DESKTOP):
        page = await phone(browser, "sv", viewport)
        await page.goto(link)
        if "/items/" not in page.url:
            await page.locator("input[name=consent]").check()
            await page.locator("form[action$='/consent'] button").click()
            await expect(page).to_have_url(re.compile(r"/instructions"))
            await fits(page)  # the practice scenario, in the same format
            await page.locator("form[action$='/begin'] button").click()
        await expect(page).to_have_url(re.compile(r"/items/1$"))
        await fits(page)
        await bar_in_view(page)
        await no_violations(page, f"{fmt} {viewport['width']}")
        # the whole cell or row answers: a tap beside the control, not on it
        if fmt == "rate":
            cell = page.locator("form.sjt .scale label").nth(3)
            box = await cell.bounding_box()
            await cell.click(position={"x": box["width"] / 2, "y": box["height"] - 4})
            await expect(cell.locator("input")).to_be_checked()
        elif fmt == "most_least":
            cell = page.locator("form.sjt label.least").nth(1)
            box = await cell.bounding_box()
            await cell.click(position={"x": box["width"] - 6, "y": box["height"] / 2})
            await expect(cell.locator("input")).to_be_checked()
        else:
            await page.locator("form.sjt select").first.select_option("1")
        # what the screen shows with the answers scrolled into view: the bar stays on top
        # (a full-page capture would draw the sticky bar in the middle of the page)
        await page.locator("form.sjt .hint").scroll_into_view_if_needed()
        await page.evaluate("window.scrollBy(0, -120)")
        await page.screenshot(path=str(SHOTS / f"candidate-{fmt}-{viewport['width']}.png"))
        await page.context.close()


async def started_candidate(name: str) -> dict[str, Any]:
    rows = await Candidate.select(Candidate.id, Candidate.status).where(Candidate.name == name)
    assert len(rows) == 1 and rows[0]["status"] == "started", rows
    return rows[0]


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
async def test_time_up_on_an_open_page_submits_the_saved_answers(
    live_server: Live, browser: Browser, tmp_path: Path, script: bool
) -> None:
    link = invite(live_server, tmp_path, name="Kari Holm")
    page = await phone(browser, "nb", PHONE, java_script_enabled=script)
    await page.goto(link)
    await page.locator("input[name=consent]").check()
    await page.locator("form[action$='/consent'] button").click()
    await page.locator("form[action$='/begin'] button").click()
    for _ in range(2):
        rows = page.locator("form.sjt .mostleast li")
        await rows.nth(0).locator("label.most").click()
        await rows.nth(1).locator("label.least").click()
        before = page.url
        await page.locator("form.sjt button[value=next]").click()
        await page.wait_for_url(lambda url, before=before: url != before)
    total = int(await page.locator("progress").get_attribute("max"))
    cand = await started_candidate("Kari Holm")
    if script:
        # four seconds left: the page counts down and ends on its own
        await Candidate.update({Candidate.deadline_at: utcnow() + timedelta(seconds=4)}).where(
            Candidate.id == cand["id"]
        )
        await page.reload()
        await expect(page.locator("[data-time-up-message]")).to_have_text(
            re.compile("Tiden er ute"), timeout=8000
        )
        await expect(page.locator("form.sjt input").first).to_be_disabled()
        await page.screenshot(path=str(SHOTS / "candidate-time-up-nb.png"))
        await expect(page.locator("h1")).to_have_text("Takk", timeout=8000)
    else:
        # no script, no countdown: the page stays until the candidate presses a button
        await Candidate.update({Candidate.deadline_at: utcnow() - timedelta(seconds=1)}).where(
            Candidate.id == cand["id"]
        )
        rows = page.locator("form.sjt .mostleast li")
        await rows.nth(0).locator("label.most").click()
        await rows.nth(1).locator("label.least").click()
        await page.locator("form.sjt button[value=next]").click()
        await expect(page.locator("h1")).to_have_text("Takk")
    notice = page.locator("main .notice").first
    await expect(notice).to_contain_text("Tiden gikk ut.")
    await expect(notice).to_contain_text(f"2 besvarte scenarioer av {total}")
    row = (
        await Candidate.select(Candidate.status, Candidate.timed_out)
        .where(Candidate.id == cand["id"])
        .first()
    )
    assert row == {"status": "submitted", "timed_out": True}
    await fits(page)
    if script:  # axe runs as a script: the same page was checked in the run with one
        await no_violations(page, "time up")
    await page.screenshot(
        path=str(SHOTS / f"candidate-time-up-done-{'js' if script else 'nojs'}.png"),
        full_page=True,
    )
    await page.context.close()
