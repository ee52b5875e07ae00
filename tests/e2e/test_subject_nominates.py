"""A subject proposes raters from their nomination link on a phone, in Norwegian and in
Swedish, and sees each proposal's state change when the coach approves (the coach through
the API); the approved raters then read their form, statements, scale words and competency
names in their language, the five-point scale in one row from 320 px up. Screenshots at
390 px, 320 px and desktop; axe-core on every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, BrowserContext, Page, expect

from server.web.i18n import translations
from tests.e2e.conftest import SHOTS, Live, api_client, demo_login, serious_violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


async def _phone(browser: Browser, locale: str) -> BrowserContext:
    return await browser.new_context(
        viewport=PHONE,
        locale=locale,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=1,
        bypass_csp=True,  # axe is injected as a script
    )


async def _no_sideways_scroll(page: Page) -> None:
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


async def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / name), full_page=True)


async def _axe_clean(page: Page) -> None:
    assert await serious_violations(page) == []


async def _propose(page: Page, t: Any, name: str, email: str, group: str) -> None:
    await page.get_by_label(t("Name"), exact=True).fill(name)
    await page.get_by_label(t("E-mail address")).fill(email)
    await page.get_by_label(t("How this person works with you")).select_option(group)
    await page.get_by_role("button", name=t("Propose"), exact=True).click()


def _approve(coach: httpx.Client, review: int, subject: int, email: str) -> str:
    raters = coach.get(f"/api/v1/reviews/{review}/subjects/{subject}/raters").json()
    rater = next(r for r in raters if r["email"] == email)
    r = coach.post(f"/api/v1/reviews/{review}/subjects/{subject}/raters/{rater['id']}/approve")
    assert r.status_code == 200, r.text
    return str(r.json()["link"])


def _first_texts(coach: httpx.Client, review: dict[str, Any], lang: str) -> tuple[str, str]:
    """The first competency's name and first statement in ``lang``, from the library."""
    items = coach.get("/api/v1/competencies", params={"limit": 200}).json()["items"]
    comp = next(c for c in items if c["key"] == review["competencies"][0])
    name = comp["translations"][lang]["name"]
    statement = comp["indicators"][0]["translations"][lang]
    assert name != comp["name"] and statement != comp["indicators"][0]["text"]
    return name, statement


async def _scale_in_one_row(page: Page) -> None:
    boxes = [
        await label.bounding_box()
        for label in await page.locator("fieldset.rating").first.locator("label:not(.cannot)").all()
    ]
    assert len(boxes) == 5
    assert len({round(b["y"]) for b in boxes if b}) == 1, boxes  # one row, not 3 + 2
    for b in boxes:
        assert b and b["width"] >= 44 and b["height"] >= 44, b


async def test_subject_nominates_and_raters_read_their_language(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    live = live_server
    coach = api_client(live, *demo_login(tmp_path, "coach"))
    demo = coach.get("/api/v1/reviews").json()["items"][0]
    r = coach.post(
        "/api/v1/reviews",
        json={"name": "Vår 2027", "role_id": demo["role_id"], "languages": ["nb", "sv", "en"]},
    )
    assert r.status_code == 201, r.text
    review = r.json()
    base = f"/api/v1/reviews/{review['id']}/subjects"
    ola = coach.post(base, json={"name": "Ola Nordmann", "email": "ola@example.no"}).json()
    sara = coach.post(base, json={"name": "Sara Lind", "email": "sara@example.se"}).json()

    # ---- Norwegian subject on a phone ---------------------------------------------------
    nb = translations("nb").gettext
    assert nb("Who should give you feedback?") != "Who should give you feedback?"
    ctx = await _phone(browser, "nb-NO")
    page = await ctx.new_page()
    await page.goto(live.url + ola["nomination_link"])
    await expect(page.locator("html")).to_have_attribute("lang", "nb")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        nb("Who should give you feedback?")
    )
    await expect(page.get_by_text(nb("You have not proposed anyone yet."))).to_be_visible()
    await _no_sideways_scroll(page)
    await _axe_clean(page)
    await _shot(page, "nominate-nb-390-empty.png")

    # a mistyped address: the form again, the message at the field, the name kept
    await _propose(page, nb, "Kari Nord", "kari@", "peer")
    error = page.locator("#e-email")
    await expect(error).to_have_text(nb("Enter a valid e-mail address, such as name@example.org."))
    await expect(page.get_by_label(nb("Name"), exact=True)).to_have_value("Kari Nord")
    await expect(page.get_by_label(nb("E-mail address"))).to_have_attribute("aria-invalid", "true")
    await _axe_clean(page)
    await _shot(page, "nominate-nb-390-error.png")

    await _propose(page, nb, "Kari Nord", "kari.nord@example.no", "peer")
    await page.wait_for_url("**sent=1")
    await expect(page.get_by_role("status")).to_have_text(
        nb("Proposal sent. Your coach approves it before the person is invited.")
    )
    await _propose(page, nb, "Per Leder", "per.leder@example.no", "manager")
    await page.wait_for_url("**sent=1")
    items = page.locator("ul.proposals li")
    await expect(items).to_have_count(2)
    waiting = nb("Awaiting your coach's approval")
    await expect(items.nth(0)).to_contain_text(waiting)
    await expect(items.nth(1)).to_contain_text(nb("Your manager"))
    await page.reload()  # PRG: a reload proposes nobody again
    await expect(items).to_have_count(2)
    await _shot(page, "nominate-nb-390-proposed.png")

    kari_link = _approve(coach, review["id"], ola["id"], "kari.nord@example.no")
    await page.reload()
    await expect(items.nth(0)).to_contain_text(nb("Approved: invited to give feedback"))
    await expect(items.nth(1)).to_contain_text(waiting)
    await _no_sideways_scroll(page)
    await _axe_clean(page)
    await _shot(page, "nominate-nb-390-approved.png")
    await page.set_viewport_size({"width": 320, "height": 700})
    await _no_sideways_scroll(page)
    await _shot(page, "nominate-nb-320.png")
    await ctx.close()

    # ---- Swedish subject on a phone, then at a desk ----------------------------------------
    sv = translations("sv").gettext
    ctx = await _phone(browser, "sv-SE")
    page = await ctx.new_page()
    await page.goto(live.url + sara["nomination_link"])
    await expect(page.locator("html")).to_have_attribute("lang", "sv")
    await expect(page.get_by_role("heading", level=1)).to_have_text(
        sv("Who should give you feedback?")
    )
    await _propose(page, sv, "Johan Ek", "johan.ek@example.se", "direct_report")
    await page.wait_for_url("**sent=1")
    item = page.locator("ul.proposals li").first
    await expect(item).to_contain_text(sv("Someone who reports to you"))
    await expect(item).to_contain_text(sv("Awaiting your coach's approval"))
    await _axe_clean(page)
    await _shot(page, "nominate-sv-390-proposed.png")
    johan_link = _approve(coach, review["id"], sara["id"], "johan.ek@example.se")
    await page.reload()
    await expect(item).to_contain_text(sv("Approved: invited to give feedback"))
    await _shot(page, "nominate-sv-390-approved.png")
    await page.set_viewport_size(DESKTOP)
    await _axe_clean(page)
    await _shot(page, "nominate-sv-desktop.png")
    await ctx.close()

    # ---- the approved raters read their form in their language ----------------------------
    # Kari was proposed from the Norwegian page, so her form is in Norwegian
    name, statement = _first_texts(coach, review, "nb")
    ctx = await _phone(browser, "en-GB")
    page = await ctx.new_page()
    await page.goto(live.url + kari_link)
    await expect(page.locator("html")).to_have_attribute("lang", "nb")
    await expect(page.locator("#c-1")).to_have_text(name)
    first = page.locator("fieldset.rating").first
    await expect(first.locator("legend")).to_have_text(statement)
    await expect(first.locator(".anchor").first).to_have_text("Nesten aldri")
    await expect(first.locator("label.cannot")).to_contain_text(nb("Cannot say"))
    await expect(page.locator(".promise").first).to_contain_text(
        nb(
            "Your ratings are shown only together with those of other raters, at least "
            "%(k)s at a time, and never who gave which. A group with fewer than %(k)s "
            "raters is not shown on its own: its ratings then count only among all raters "
            "together, if there are at least %(k)s of them, or not at all."
        )
        % {"k": 3}
    )
    optional = page.locator("label[for^='q-'] .muted").first
    await expect(optional).to_have_text(f"({nb('optional')})")
    await _scale_in_one_row(page)
    await _no_sideways_scroll(page)
    await _axe_clean(page)
    await _shot(page, "rate-nb-390.png")
    await page.set_viewport_size({"width": 320, "height": 700})
    await _scale_in_one_row(page)
    await _no_sideways_scroll(page)
    await first.scroll_into_view_if_needed()
    await page.screenshot(path=str(SHOTS / "rate-nb-320.png"))
    await ctx.close()

    # Johan reads his in Swedish, at a desk
    name, statement = _first_texts(coach, review, "sv")
    ctx = await browser.new_context(viewport=DESKTOP, locale="en-GB", bypass_csp=True)
    page = await ctx.new_page()
    await page.goto(live.url + johan_link)
    await expect(page.locator("html")).to_have_attribute("lang", "sv")
    await expect(page.locator("#c-1")).to_have_text(name)
    first = page.locator("fieldset.rating").first
    await expect(first.locator("legend")).to_have_text(statement)
    await expect(first.locator(".anchor").first).to_have_text("Nästan aldrig")
    await _scale_in_one_row(page)
    await _axe_clean(page)
    await page.screenshot(path=str(SHOTS / "rate-sv-desktop.png"))
    await ctx.close()
    coach.close()
