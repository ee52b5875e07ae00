"""The coach's journey (issue 15): from the released 360 cycle to the person's development
plan, edited on a page in English and in Swedish. Meanwhile a colleague saves the plan
through the API: the coach's save is refused with a clear message (nothing overwritten, the
coach's text still on the page), the coach reloads the latest version and saves again.
Desktop and phone (390 and 320 px wide) screenshots; axe finds no serious violation."""

from __future__ import annotations

from pathlib import Path

from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.conftest import (
    SHOTS,
    ConsoleErrors,
    Live,
    api_client,
    demo_login,
    log_in,
    serious_violations,
)


def _field(page: Page, name: str) -> Locator:
    return page.locator(f"[id='{name}']")


async def _axe(page: Page, where: str, found: dict[str, list[str]]) -> None:
    bad = await serious_violations(page)
    if bad:
        found[where] = bad


async def _fits(page: Page, width: int) -> None:
    scroll = await page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


async def test_coach_edits_a_plan_meets_a_stale_edit_reloads_and_saves(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    email, password = demo_login(tmp_path, "coach")
    api = api_client(live_server, email, password)
    try:
        review = api.get("/api/v1/reviews").json()["items"][0]["id"]
        subjects = {
            s["name"]: s["id"] for s in api.get(f"/api/v1/reviews/{review}/subjects").json()
        }
        subject = subjects["Maria Berg"]
        plan_api = f"/api/v1/reviews/{review}/subjects/{subject}/idp"

        # bypass_csp only so that axe can be injected; the page itself runs no script
        context = await browser.new_context(
            viewport={"width": 1280, "height": 900}, bypass_csp=True
        )
        page = await context.new_page()
        errors = ConsoleErrors(page)
        found: dict[str, list[str]] = {}
        await log_in(page, live_server, email, password)

        # --- from the cycle to the person's page to the plan editor
        await page.goto(f"{live_server.url}/app/reviews/{review}")
        section = page.locator("section.card", has=page.get_by_role("heading", name="Maria Berg"))
        await section.get_by_role("link", name="Maria Berg").click()
        await page.get_by_role("link", name="Development plan").click()
        editor = f"{live_server.url}/app/reviews/{review}/subjects/{subject}/idp"
        await expect(page).to_have_url(editor)
        await expect(page.get_by_role("heading", level=1)).to_contain_text("Maria Berg")
        need = page.locator("table.coach-need")
        await expect(need).to_contain_text("Rank by need")
        await expect(page.locator("main")).to_contain_text("Why the order differs")
        # ranks 1..n by need, each with its window
        ranks = await need.locator("tbody tr td:first-child").all_inner_texts()
        assert ranks == [str(n) for n in range(1, len(ranks) + 1)], ranks
        assert "direct_report" not in await page.locator("main").inner_text()
        await page.screenshot(path=str(SHOTS / "coach-plan-en-desktop.png"), full_page=True)
        await _axe(page, "editor en", found)

        # --- an edit in English: saved as version 1, redirected (PRG)
        await _field(page, "p0.goal").fill("Handle three escalations a week without help.")
        await page.locator("form.coach-plan button[type=submit]").click()
        await expect(page).to_have_url(f"{editor}?saved=1")
        await expect(page.locator(".notice")).to_contain_text("Saved as version 1.")
        await expect(page.locator("#versions-h + .scroll table")).to_contain_text(email)
        assert api.get(plan_api).json()["version"] == 1

        # --- the coach switches to Swedish
        await page.locator("form.languages button[lang=sv]").click()
        await expect(page.locator("html")).to_have_attribute("lang", "sv")
        await expect(_field(page, "p0.goal")).to_have_value(
            "Handle three escalations a week without help."
        )
        await page.screenshot(path=str(SHOTS / "coach-plan-sv-desktop.png"), full_page=True)
        await _axe(page, "editor sv", found)

        # --- a colleague saves through the API meanwhile
        saved = api.get(plan_api).json()
        plan = saved["plan"]
        plan["priorities"][0]["goal"] = "The colleague's goal, saved through the API."
        r = api.put(plan_api, json={"version": saved["version"], "plan": plan})
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2

        # --- the coach's save over version 1 is refused, with the text kept
        await _field(page, "p0.goal").fill("Mitt mål, skrivet över en gammal version.")
        await page.locator("form.coach-plan button[type=submit]").click()
        stale = page.locator("#stale")
        await expect(stale).to_be_visible()
        await expect(_field(page, "p0.goal")).to_have_value(
            "Mitt mål, skrivet över en gammal version."
        )
        await page.screenshot(path=str(SHOTS / "coach-plan-stale-sv-desktop.png"), full_page=True)
        await _axe(page, "stale sv", found)
        latest = api.get(plan_api).json()
        assert latest["version"] == 2
        assert latest["plan"]["priorities"][0]["goal"] == plan["priorities"][0]["goal"]

        # --- reload the latest version, apply the change again and save
        await stale.get_by_role("link").click()
        await expect(page).to_have_url(editor)
        await expect(_field(page, "p0.goal")).to_have_value(
            "The colleague's goal, saved through the API."
        )
        await _field(page, "p0.goal").fill("Mitt mål, skrivet över den senaste versionen.")
        await page.locator("form.coach-plan button[type=submit]").click()
        await expect(page).to_have_url(f"{editor}?saved=3")
        latest = api.get(plan_api).json()
        assert latest["version"] == 3
        goals = [p["goal"] for p in latest["plan"]["priorities"]]
        assert "Mitt mål, skrivet över den senaste versionen." in goals

        # --- a field left wrong is named
        await _field(page, "p0.goal").fill("")
        await page.locator("form.coach-plan button[type=submit]").click()
        await expect(page.locator("#form-errors")).to_be_visible()
        await expect(page.locator("#form-errors a[href='#p0.goal']")).to_be_visible()
        await expect(_field(page, "p0.goal")).to_have_attribute("aria-invalid", "true")
        assert api.get(plan_api).json()["version"] == 3
        await _axe(page, "errors sv", found)
        # the refused saves answer 409 and 422 on purpose (Chromium logs those); nothing else
        expected = ("status of 409 (Conflict)", "status of 422 (Unprocessable Entity)")
        assert not [e for e in errors if not e.endswith(expected)], list(errors)
        await context.close()

        # --- the phone: 390 x 844 and 320 px wide
        phone = await browser.new_context(
            viewport={"width": 390, "height": 844}, bypass_csp=True, is_mobile=True
        )
        page = await phone.new_page()
        await log_in(page, live_server, email, password)
        await page.goto(editor)
        await expect(page.get_by_role("heading", level=1)).to_be_visible()
        await _fits(page, 390)
        await page.screenshot(path=str(SHOTS / "coach-plan-en-phone.png"), full_page=True)
        await _axe(page, "editor phone", found)
        await page.set_viewport_size({"width": 320, "height": 800})
        await page.goto(editor)
        await _fits(page, 320)
        await page.screenshot(path=str(SHOTS / "coach-plan-en-320.png"), full_page=False)
        await phone.close()
        assert not found, found
    finally:
        api.close()
