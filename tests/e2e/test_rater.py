"""A rater gives 360 feedback with the keyboard; axe-core checks the rater and coach pages."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
from playwright.async_api import Browser, Route, expect

from tests.e2e.conftest import SHOTS, Live, serious_violations


def _login(live: Live, var_dir: Path, role: str) -> httpx.Client:
    logins = (var_dir / "demo-logins.txt").read_text().splitlines()
    email, password = next(x.split("\t")[1:] for x in logins if x.startswith(role))
    client = httpx.Client(base_url=live.url)
    r = client.post("/api/v1/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200
    return client


def _new_rater(live: Live, var_dir: Path, languages: tuple[str, ...] = ("en",)) -> str:
    coach = _login(live, var_dir, "coach")
    try:
        # the demo cycle is closed and released: a rater answers in a cycle that is open
        demo = coach.get("/api/v1/reviews").json()["items"][0]
        r = coach.post(
            "/api/v1/reviews",
            json={"name": "Spring", "role_id": demo["role_id"], "languages": list(languages)},
        )
        assert r.status_code == 201, r.text
        review = r.json()
        r = coach.post(
            f"/api/v1/reviews/{review['id']}/subjects",
            json={"name": "Maria Berg", "email": "maria.berg@example.com"},
        )
        assert r.status_code == 201, r.text
        subject = r.json()
        r = coach.post(
            f"/api/v1/reviews/{review['id']}/subjects/{subject['id']}/raters",
            json={"name": "Kim Peer", "email": "kim.peer@example.com", "group": "peer"},
        )
        assert r.status_code == 201, r.text
        return live.url + r.json()["link"]
    finally:
        coach.close()


async def test_rater_answers_with_the_keyboard(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    link = _new_rater(live_server, tmp_path)
    page = await browser.new_page()
    await page.goto(link)
    await expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback for")
    first = page.locator("fieldset.rating").first
    await first.locator("input[value='4']").focus()
    await page.keyboard.press("Space")
    await expect(first.locator("input[value='4']")).to_be_checked()
    await page.keyboard.press("ArrowRight")  # moves to 5 within the radio group
    await expect(first.locator("input[value='5']")).to_be_checked()
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "rater.png"), full_page=False)
    await page.get_by_role("button", name="Save").focus()
    await page.keyboard.press("Enter")
    await page.wait_for_load_state()
    await expect(page.locator(".progress-text")).to_contain_text(re.compile(r"^1 of"))
    await page.get_by_role("button", name="Submit my feedback").click()
    # 1 of many answered: the page asks before submitting
    await expect(page.get_by_role("alert")).to_contain_text("not answered yet. Submit anyway?")
    await page.get_by_role("button", name="Submit anyway").click()
    await expect(page.locator(".notice[role=status]")).to_contain_text("submitted")


async def test_a_rater_who_leaves_halfway_finds_every_answer_again(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    """On a phone, in Norwegian: five statements and a comment, each saved as it is given
    (the first save meets a busy server and is sent again), the browser closed without
    pressing anything, the link opened again: every answer is there."""
    link = _new_rater(live_server, tmp_path, ("en", "nb"))
    phone = {"viewport": {"width": 390, "height": 844}, "locale": "nb-NO"}
    context = await browser.new_context(**phone)
    page = await context.new_page()
    busy = []

    async def first_save_busy(route: Route) -> None:
        if route.request.method == "PUT" and not busy:
            busy.append(route.request.url)
            await route.fulfill(status=503, headers={"Retry-After": "0"}, body="")
        else:
            await route.continue_()

    await page.route("**/answers/*", first_save_busy)
    await page.goto(link + "?lang=nb")
    await expect(page.locator("html")).to_have_attribute("lang", "nb")
    statements = page.locator("fieldset.rating")
    given = {n: 1 + n % 5 for n in range(5)}
    for n, value in given.items():
        await statements.nth(n).locator(f"input[value='{value}']").check()
    await page.locator("textarea").first.fill("Lytter godt")
    form = page.locator("form[data-rate-autosave]")
    await expect(form).to_have_attribute("data-save-state", "saved", timeout=15_000)
    assert busy, "the first save met the busy server"
    await expect(page.locator("[data-answered]")).to_have_text("5")  # without reloading
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / "rater-halfway-nb-phone.png"), full_page=False)
    await context.close()  # no Save, no Submit

    context = await browser.new_context(**phone)
    again = await context.new_page()
    await again.goto(link + "?lang=nb")
    statements = again.locator("fieldset.rating")
    for n, value in given.items():
        await expect(statements.nth(n).locator(f"input[value='{value}']")).to_be_checked()
    await expect(statements.nth(5).locator("input:checked")).to_have_count(0)
    await expect(again.locator("textarea").first).to_have_value("Lytter godt")
    await expect(again.locator("[data-answered]")).to_have_text("5")
    await context.close()


async def test_rater_and_coach_pages_have_no_serious_accessibility_violations(
    live_server: Live, browser: Browser, tmp_path: Path
) -> None:
    link = _new_rater(live_server, tmp_path)
    context = await browser.new_context(bypass_csp=True)
    page = await context.new_page()
    found = {}

    async def check(name: str) -> None:
        bad = await serious_violations(page)
        if bad:
            found[name] = bad

    await page.goto(link)
    await check("rater form")
    await page.goto(link + "?lang=ru")
    await check("rater form (ru)")
    logins = (tmp_path / "demo-logins.txt").read_text().splitlines()
    email, password = next(x.split("\t")[1:] for x in logins if x.startswith("coach"))
    await page.goto(f"{live_server.url}/login")
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Log in").click()
    await page.goto(f"{live_server.url}/app/reviews")
    await check("cycles")
    await page.get_by_role("link", name=re.compile("360")).nth(1).click()
    await check("cycle")
    await page.locator("section.card h2 a").first.click()
    await check("360 report")
    await page.screenshot(path=str(SHOTS / "report360.png"), full_page=True)
    await context.close()
    assert not found, found
