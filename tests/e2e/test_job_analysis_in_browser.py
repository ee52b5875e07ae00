"""A whole job-analysis study in a real browser, in the pages only (issue 17).

A coach starts a study of the operator role and invites three experts on the study's page;
the server's worker mails each their link (one in Swedish). Each expert writes cards on
their own page (the Swedish manager on a phone, the others at a desk; the trainer also
picks one from the library) and never sees another expert's cards, neither on the page
nor from the API. The coach closes the cards, makes two competencies (one linked to the
library's, one new), sorts every card with the selects and sends the model to rate. The
experts rate every competency from the rating mail's link: each answer is saved as it is
given (a reload shows it kept) and nobody sees another's ratings. The coach closes the
ratings, sets α for a pilot of three, reads the figures and proposals, overrides one with
a reason, accepts the rest and applies the model: the role's page says why each flag
stands, and the report lists the competencies with their CVR and critical value and names
no expert. axe-core checks the study, sort, decide and expert pages.

Screenshots go to SHOTS (ja-*.png).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import (
    SHOTS,
    ConsoleErrors,
    Live,
    demo_login,
    log_in,
    mail_env,
    serious_violations,
)
from tests.mailsink import MailSink, link_in

STUDY = "E2E operator study"
ROLE = "Customer service operator"
CALM = "Keeps calm under pressure"  # linked to the library's Stress resistance
PLAIN = "Explains plainly"  # a new competency
REASON = "New hires still need coaching on hard calls"


class Expert:
    """One expert: who they are, what they write, and how they see the page."""

    def __init__(
        self,
        name: str,
        email: str,
        kind: str,
        lang: str,
        viewport: dict[str, int],
        cards: dict[str, str],
    ) -> None:
        self.name = name
        self.email = email
        self.kind = kind
        self.lang = lang
        self.viewport = viewport
        self.cards = cards  # card text -> competency it is sorted into
        self.link = ""
        self.context: BrowserContext | None = None
        self.page: Page | None = None

    @property
    def token(self) -> str:
        return self.link.rsplit("/", 1)[-1].split("?")[0]


DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
ANNA = Expert(
    "Anna Berg",
    "anna.berg@example.com",
    "incumbent",
    "en",
    DESK,
    {
        "Lets an angry caller finish before answering": CALM,
        "Says what happens next in one short sentence": PLAIN,
    },
)
SVEN = Expert(
    "Sven Ek",
    "sven.ek@example.com",
    "manager",
    "sv",
    PHONE,
    {
        "Håller rösten lugn när kunden skriker": CALM,
        "Använder interna förkortningar med kunden": PLAIN,  # seen when it is absent
    },
)
TOM = Expert(
    "Tom Reed",
    "tom.reed@example.com",
    "trainer",
    "en",
    DESK,
    {"Checks that the customer understood the answer": PLAIN},
)
EXPERTS = (ANNA, SVEN, TOM)
ABSENT = "Använder interna förkortningar med kunden"
# each expert's answers on the two competencies: importance, frequency, day one,
# learnable, Lawshe ("cannot" = cannot say)
ANSWERS = {
    CALM: {"importance": "5", "frequency": "5", "day_one": "yes", "learnable": "no"},
    PLAIN: {"importance": "4", "frequency": "4", "day_one": "no", "learnable": "yes"},
}
LAWSHE = {CALM: "essential", PLAIN: "useful"}


@pytest.fixture
def live_env(sink: MailSink) -> dict[str, str]:
    """The live server mails through the sink with its own worker, at once."""
    return mail_env(sink)


async def _shot(page: Page, name: str, *, full: bool = True) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SHOTS / f"ja-{name}.png"), full_page=full)


async def _axe_clean(page: Page) -> None:
    assert await serious_violations(page) == [], page.url


async def _fits(page: Page) -> None:
    """Nothing wider than the screen (tables scroll in their own region)."""
    width, inner = await page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width <= inner, f"{page.url} is {width}px wide on a {inner}px screen"


async def _mail(sink: MailSink, address: str, count: int) -> list[EmailMessage]:
    """The first ``count`` messages to ``address``, once the server's worker sent them."""
    deadline = time.monotonic() + 60
    while len(sink.to(address)) < count:
        assert time.monotonic() < deadline, f"{len(sink.to(address))} mails to {address}"
        await asyncio.sleep(0.1)
    return sink.to(address)[:count]


async def _own_view(expert: Expert) -> str:
    """The expert's API answer, as their own browser fetches it."""
    assert expert.context is not None
    r = await expert.context.request.get(expert.link.replace("/expert/", "/api/v1/expert/"))
    assert r.status == 200, await r.text()
    return await r.text()


async def _invite(page: Page, expert: Expert) -> None:
    form = page.locator("section[aria-labelledby=experts-h] form", has=page.locator("#ex-name"))
    await form.get_by_label("Name").fill(expert.name)
    await form.get_by_label("E-mail").fill(expert.email)
    await form.get_by_label("Kind").select_option(expert.kind)
    await form.get_by_label("Language").select_option(expert.lang)
    await form.get_by_role("button", name="Invite expert").click()
    await expect(
        page.locator('table.experts tr[id^="expert-"]', has_text=expert.name)
    ).to_be_visible()


async def _write_cards(browser: Browser, expert: Expert) -> None:
    """The expert opens the link from the mail and writes their cards."""
    expert.context = await browser.new_context(
        viewport=expert.viewport,
        is_mobile=expert.viewport is PHONE,
        has_touch=expert.viewport is PHONE,
        locale="sv-SE" if expert.lang == "sv" else "en-GB",
        bypass_csp=True,
    )
    page = expert.page = await expert.context.new_page()
    errors = ConsoleErrors(page)
    await page.goto(expert.link)
    await expect(page.locator("html")).to_have_attribute("lang", expert.lang)
    heading = "allra bäst" if expert.lang == "sv" else "at the top of their game"
    await expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    await expect(page.locator(".expert-role")).to_contain_text(
        "Kundtjänst" if expert.lang == "sv" else ROLE
    )
    await _axe_clean(page)
    for text in expert.cards:
        await page.locator("#card-text").fill(text)
        await page.locator("form.expert-add button[type=submit]").click()
        await expect(page.locator("ul.expert-cards")).to_contain_text(text)
        await expect(page.locator("#card-text")).to_have_value("")
    await expect(page.locator("ul.expert-cards > li")).to_have_count(len(expert.cards))
    await _fits(page)
    assert not errors, errors


async def _pick_from_library(expert: Expert) -> str:
    """The expert takes the first behaviour of the role's first competency as a card."""
    page = expert.page
    assert page is not None
    choice = page.locator("details.expert-choice").first
    await choice.locator("summary").click()
    behaviour = choice.locator("ul.expert-picks > li").nth(1)  # the first behaviour
    text = (await behaviour.locator("span[id]").first.inner_text()).strip()
    await behaviour.get_by_role("button", name="Use as card").click()
    await expect(page.locator("ul.expert-cards")).to_contain_text(text)
    # the same behaviour is now marked as taken, not offered twice
    choice = page.locator("details.expert-choice").first
    await choice.locator("summary").click()
    taken = choice.locator("ul.expert-picks > li").nth(1)
    await expect(taken.locator(".badge")).to_have_text("On your cards")
    return text


def _given(expert: Expert, name: str) -> dict[str, str]:
    """The expert's answers on competency ``name``, by field."""
    answers = {**ANSWERS[name], "lawshe": LAWSHE[name]}
    if expert is SVEN and name == PLAIN:
        answers["frequency"] = "cannot"  # the manager cannot say how often
    return answers


async def _answer(page: Page, cid: str, field: str, value: str) -> None:
    await page.locator(f"label:has(input[name='{field}-{cid}'][value='{value}'])").click()
    await expect(page.locator(f"input[name='{field}-{cid}'][value='{value}']")).to_be_checked()


async def _rate(expert: Expert, others: list[Expert]) -> None:
    """The expert rates both competencies from the rating mail's link, reloads to see every
    answer kept, sees nobody else's ratings, and submits."""
    page = expert.page
    assert page is not None and expert.context is not None
    errors = ConsoleErrors(page)
    await page.goto(expert.link)
    sections = page.locator("section.expert-competency")
    await expect(sections).to_have_count(2)
    # nothing is checked before the expert answers, whoever rated before
    assert await page.locator("form.expert-rate input:checked").count() == 0
    view = json.loads(await _own_view(expert))
    assert [c["rating"] for c in view["competencies"]] == [None, None], view
    await _axe_clean(page)
    ids = {}
    for name in (CALM, PLAIN):
        section = sections.filter(has=page.get_by_role("heading", name=name, exact=True))
        cid = (await section.locator("h2").get_attribute("id") or "").removeprefix("c-")
        ids[name] = cid
        for field, value in _given(expert, name).items():
            await _answer(page, cid, field, value)
        # every answer is saved as it is given
        await expect(page.locator("form.expert-rate")).to_have_attribute("data-save-state", "saved")
    await expect(page.locator("[data-answered]")).to_have_text("2")
    if expert is SVEN:
        await _fits(page)
        await _shot(page, "expert-rate-sv-phone", full=False)
    # a reload shows every answer kept
    await page.reload()
    for name, cid in ids.items():
        for field, value in _given(expert, name).items():
            given = page.locator(f"input[name='{field}-{cid}'][value='{value}']")
            await expect(given).to_be_checked()
    await expect(page.locator(".progress-text")).to_contain_text("2")
    await page.locator("button[name=go][value=submit]").click()
    await expect(page.locator(".notice[role=status]")).to_be_visible()
    await expect(page.locator("input[type=radio]:checked")).to_have_count(10)
    # the expert's own API view holds their ratings, and nobody else's
    view = json.loads(await _own_view(expert))
    assert view["ratings_done"] is True
    assert all(c["rating"] is not None for c in view["competencies"]), view
    text = json.dumps(view)
    for other in others:
        assert other.name not in text and other.email not in text
    assert not errors, errors


async def test_a_coach_runs_a_job_analysis_with_three_experts(
    live_server: Live, browser: Browser, sink: MailSink, tmp_path: Path
) -> None:
    live = live_server
    coach_ctx = await browser.new_context(viewport=DESK, bypass_csp=True)
    staff = await coach_ctx.new_page()
    staff_errors = ConsoleErrors(staff)
    await log_in(staff, live, *demo_login(tmp_path, "coach"))

    # --- the coach starts a study of the operator role and invites three experts
    await (
        staff.get_by_role("navigation", name="Main")
        .get_by_role("link", name="Job analysis")
        .click()
    )
    await expect(staff.get_by_role("heading", level=1)).to_have_text("Job analysis")
    await expect(staff.get_by_role("link", name="Operator workshop")).to_be_visible()  # demo
    new = staff.locator("section[aria-labelledby=new-h]")
    await new.get_by_label("Name").fill(STUDY)
    await new.get_by_label("Role").select_option(label=ROLE)
    await new.get_by_role("button", name="Start study").click()
    await expect(staff).to_have_url(re.compile(r"/app/job-analyses/\d+$"))
    study_url = staff.url
    study_id = int(study_url.rsplit("/", 1)[1])
    await expect(staff.get_by_role("heading", level=1)).to_have_text(STUDY)
    await expect(staff.locator("[aria-current=step]")).to_contain_text("Cards")
    for expert in EXPERTS:
        await _invite(staff, expert)
    await _axe_clean(staff)
    await _shot(staff, "study-invited")

    # the worker mails each their own link, in their language
    for expert in EXPERTS:
        (mail,) = await _mail(sink, expert.email, 1)
        expert.link = link_in(mail, "expert")
        assert expert.link.startswith(f"{live.url}/expert/"), expert.link
        html = mail.get_body(preferencelist=("html",)).get_content()
        assert f'lang="{expert.lang}"' in html, html[:300]
    assert len({e.token for e in EXPERTS}) == 3

    # --- each expert writes cards on their own page
    for expert in EXPERTS:
        await _write_cards(browser, expert)
    assert SVEN.page is not None and TOM.page is not None and ANNA.page is not None
    await _shot(SVEN.page, "expert-cards-sv-phone", full=False)
    picked = await _pick_from_library(TOM)
    TOM.cards[picked] = CALM
    await _shot(TOM.page, "expert-cards-en-desk")
    await ANNA.page.get_by_role("button", name="I have finished my cards").click()
    await expect(ANNA.page.locator(".notice[role=status]")).to_contain_text("finished your cards")

    # nobody sees another expert's cards: not on the page, not from the API
    for expert in EXPERTS:
        assert expert.page is not None
        await expert.page.reload()
        page_text = await expert.page.locator("main").inner_text()
        api_text = await _own_view(expert)
        for other in EXPERTS:
            if other is expert:
                continue
            for text in other.cards:
                if text == picked:
                    continue  # a library text, offered to everyone to pick
                assert text not in page_text, (expert.name, text)
                assert text not in api_text, (expert.name, text)
            assert other.name not in page_text and other.name not in api_text
        for text in expert.cards:
            assert text in api_text

    # --- the coach closes the cards and sorts them into two competencies
    await staff.goto(study_url)
    await expect(staff.locator("table.experts")).to_contain_text("Anna Berg")
    await expect(staff.get_by_text("6 cards so far.")).to_be_visible()
    for expert in EXPERTS:  # the coach sees how far each is, never what they wrote
        for text in expert.cards:
            assert text not in await staff.locator("main").inner_text()
    await staff.get_by_role("button", name="Close the cards and sort them").click()
    await expect(staff).to_have_url(f"{study_url}/sort")
    await expect(staff.locator("[aria-current=step]")).to_contain_text("Sort")
    await expect(staff.locator("li.sort-card")).to_have_count(6)
    await _axe_clean(staff)
    for name, key, definition in (
        (CALM, "stress_resistance", "Stays calm and friendly when a call gets hard."),
        (PLAIN, "", "Explains in words the customer uses."),
    ):
        await staff.locator("#ng-name").fill(name)
        await staff.locator("#ng-lib").select_option(key)
        await staff.locator("#ng-def").fill(definition)
        await staff.get_by_role("button", name="Add competency").click()
        await expect(staff.get_by_role("heading", name=name)).to_be_visible()
    groups = staff.locator("article.study-group")
    await expect(groups).to_have_count(2)
    await expect(groups.nth(0)).to_contain_text("library: Stress resistance")
    await expect(groups.nth(1)).to_contain_text("new competency")
    for expert in EXPERTS:
        for text, group in expert.cards.items():
            card = staff.locator("li.sort-card", has_text=text)
            await card.locator("select[name^=group-]").select_option(label=group)
            if text == ABSENT:
                await card.locator("select[name^=polarity-]").select_option("absent")
    await staff.get_by_role("button", name="Save the sorting").click()
    await expect(staff.get_by_text("0 cards are not sorted yet.")).to_be_visible()
    await expect(groups.nth(0).locator("ul.study-cards > li")).to_have_count(3)
    await expect(groups.nth(1).locator("ul.study-cards > li")).to_have_count(3)
    await expect(groups.nth(1).locator("li", has_text=ABSENT)).to_contain_text("absent")
    await expect(staff.locator("main")).not_to_contain_text("Anna Berg")  # cards without authors
    await _axe_clean(staff)
    await _shot(staff, "sort")
    await staff.goto(study_url)
    await staff.get_by_role("button", name="Send the draft model to the experts to rate").click()
    await expect(staff.locator("[aria-current=step]")).to_contain_text("Rate the model")
    await expect(staff.get_by_text("0 of 3 experts have submitted their ratings.")).to_be_visible()

    # --- the experts rate, each from the link of the rating invitation
    for expert in EXPERTS:
        _first, rating_mail = await _mail(sink, expert.email, 2)
        assert link_in(rating_mail, "expert") == expert.link  # the same link rates
    for n, expert in enumerate(EXPERTS):
        await _rate(expert, [e for e in EXPERTS if e is not expert])
        await staff.reload()
        await expect(
            staff.get_by_text(f"{n + 1} of 3 experts have submitted their ratings.")
        ).to_be_visible()
    assert SVEN.page is not None
    await _shot(SVEN.page, "expert-rated-sv-phone", full=False)

    # --- the coach decides: rules for a pilot of three, figures, proposals, one override
    await staff.get_by_role("button", name="Close the ratings and decide").click()
    await expect(staff).to_have_url(f"{study_url}/decide")
    await expect(staff.locator("[aria-current=step]")).to_contain_text("Decide")
    # with three experts no CVR is significant at .05: the coach allows α = .20 (3 of 3)
    await staff.get_by_label("α for the CVR (one-tailed)").fill("0.2")
    await staff.get_by_role("button", name="Save the rules").click()
    await expect(staff.locator("#rules-h + p")).to_contain_text("α = 0.2")
    calm = staff.locator("article.study-decision", has=staff.get_by_role("heading", name=CALM))
    plain = staff.locator("article.study-decision", has=staff.get_by_role("heading", name=PLAIN))
    figures = calm.locator("dl.figures")
    await expect(figures.locator("div", has_text="Experts")).to_contain_text("3")
    await expect(figures.locator("div", has_text="CVR")).to_contain_text("1.00")
    await expect(figures.locator("div", has_text="CVR")).to_contain_text("critical 1.00")
    await expect(figures.locator("div", has_text="Essential (Lawshe)")).to_contain_text("3 of 3")
    await expect(calm.locator("p.proposal")).to_contain_text("Select for")
    await expect(calm.locator("p.proposal")).not_to_contain_text("Develop")
    await expect(plain.locator("p.proposal")).to_contain_text("Develop")
    await expect(plain.locator("p.proposal")).not_to_contain_text("Select for")
    await expect(plain.locator("dl.figures div", has_text="Frequency")).to_contain_text("4.0")
    await expect(staff.locator("main")).not_to_contain_text("Sven Ek")
    await _axe_clean(staff)
    await _shot(staff, "decide-proposals")
    # an override without a reason is refused, naming the reason; nothing is decided
    await calm.get_by_label("Develop: grow it after hiring").check()
    await calm.get_by_role("button", name="Decide").click()
    await expect(staff.get_by_role("alert")).to_contain_text("reason")
    await expect(calm.locator("p.decision")).to_have_count(0)
    await calm.get_by_label("Develop: grow it after hiring").check()
    await calm.get_by_label("Reason").fill(REASON)
    await calm.get_by_role("button", name="Decide").click()
    await expect(calm.locator("p.decision")).to_contain_text(REASON)
    await expect(calm.locator("p.decision .badge")).to_have_text(["Select for", "Develop"])
    await staff.get_by_role("button", name="Accept every open proposal").click()
    await expect(plain.locator("p.decision .badge")).to_have_text(["Develop"])
    await _shot(staff, "decide-decided")
    # the same page in Swedish on a phone (the header's language buttons): it fits the
    # screen, and the list names the role in Swedish
    await staff.set_viewport_size(PHONE)
    await staff.get_by_role("button", name="Svenska").click()
    await expect(staff.locator("html")).to_have_attribute("lang", "sv")
    await expect(staff).to_have_url(f"{study_url}/decide")
    await expect(calm.locator("p.proposal")).to_contain_text("Välj på")
    await _fits(staff)
    await _axe_clean(staff)
    await _shot(staff, "decide-sv-phone")
    await staff.goto(f"{live.url}/app/job-analyses")
    listed = staff.locator("tr", has=staff.get_by_role("link", name=STUDY))
    await expect(listed).to_contain_text("Kundtjänstmedarbetare")
    await _fits(staff)
    await staff.goto(f"{study_url}/decide")
    await staff.get_by_role("button", name="English").click()
    await expect(staff.locator("html")).to_have_attribute("lang", "en")
    await staff.set_viewport_size(DESK)
    await staff.get_by_role("button", name="Apply to the library").click()
    await expect(staff).to_have_url(study_url)
    await expect(staff.locator("[aria-current=step]")).to_contain_text("Applied")
    await expect(staff.locator("main")).to_contain_text("applied as library version")

    # --- the role's page says why each flag stands
    await staff.get_by_role("link", name="See the role").click()
    await expect(staff.get_by_role("heading", level=1)).to_have_text(ROLE)
    row = staff.locator("tbody tr", has=staff.get_by_role("link", name="Stress resistance"))
    select = row.locator("li[data-flag=select_for]")
    await expect(select).to_contain_text("Select for: yes")
    await expect(select).to_contain_text(f"job analysis “{STUDY}”")
    await expect(select).to_contain_text("3 experts (1 incumbent, 1 manager, 1 trainer)")
    await expect(select).to_contain_text("CVR 1.00 (critical 1.00)")
    await expect(select.get_by_role("link", name=STUDY)).to_have_attribute(
        "href", f"/app/job-analyses/{study_id}"
    )
    develop = row.locator("li[data-flag=develop]")
    await expect(develop).to_contain_text("Develop: yes")
    await expect(develop).to_contain_text(f"proposed otherwise; reason: {REASON}")
    new_row = staff.locator("tbody tr", has=staff.get_by_role("link", name=PLAIN))
    await expect(new_row.locator("li[data-flag=develop]")).to_contain_text(f"“{STUDY}”")
    await expect(new_row.locator("li[data-flag=select_for]")).to_contain_text("Select for: no")
    await expect(staff.locator("table.versions")).to_contain_text(f"job analysis “{STUDY}”")
    await _axe_clean(staff)
    await _shot(staff, "role-why")
    await staff.set_viewport_size(PHONE)  # the why-lines fit a phone (the table scrolls)
    await _fits(staff)
    await _shot(staff, "role-why-phone", full=False)
    await staff.set_viewport_size(DESK)

    # --- the report: every competency with its CVR and critical value, no expert named
    await staff.goto(study_url)
    await staff.get_by_role("link", name="Report (HTML)").click()
    await expect(staff.get_by_role("heading", level=1)).to_contain_text(STUDY)
    overview = staff.locator("section[aria-labelledby=overview-h] table")
    for name, cvr in ((CALM, r"^1\.00 met$"), (PLAIN, r"^[−-]1\.00$")):
        cells = overview.locator("tr", has=staff.get_by_role("rowheader", name=name)).locator("td")
        await expect(cells.nth(2)).to_have_text(re.compile(cvr))
        await expect(cells.nth(3)).to_have_text("1.00")  # the critical value of 3 at α = .20
    report = await staff.content()
    for expert in EXPERTS:
        assert expert.name not in report and expert.email not in report
    await _shot(staff, "report")
    r = await coach_ctx.request.get(f"{live.url}/api/v1/job-analyses/{study_id}/report?format=json")
    data = await r.json()
    by_name = {c["name"]: c for c in data["competencies"]}
    assert by_name[CALM]["cvr"] == 1.0 and by_name[CALM]["cvr_critical"] == 1.0
    assert by_name[PLAIN]["cvr"] == -1.0
    # the one refused form (the override without a reason) is the only failed request
    assert staff_errors == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ], staff_errors

    # the experts' links now only thank them; nobody's ratings are shown
    for expert in EXPERTS:
        assert expert.page is not None and expert.context is not None
        await expert.page.reload()
        await expect(expert.page.locator("input[type=radio]")).to_have_count(0)
        await _axe_clean(expert.page)
        await expert.context.close()
    await coach_ctx.close()
