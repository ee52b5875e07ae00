"""The facilitator's pages, posted as a browser does: start a study, invite, sort with the
selects, decide (an override without a reason is refused on the page), apply; the pages in
Swedish."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.conftest import login
from tests.integration.job_analysis.study_setup import rated_study, role_id, write_card
from tests.integration.library.page_forms import (
    browser_form,
    error_items,
    location,
    post_fields,
    set_field,
)

pytestmark = pytest.mark.usefixtures("demo_library")


async def test_start_invite_and_sort_on_the_pages(admin: AsyncTestClient) -> None:
    page = await admin.get("/app/job-analyses")
    assert page.status_code == 200 and "Start a study" in page.text
    fields = browser_form(page.text, "/app/job-analyses")
    set_field(fields, "name", "Workshop on pages")
    set_field(fields, "role_id", str(await role_id(admin)))
    r = await post_fields(admin, "/app/job-analyses", fields)
    study_path = location(r)
    sid = int(study_path.rsplit("/", 1)[-1])
    # a bad e-mail: the page says which field, and nobody is invited
    page = await admin.get(study_path)
    fields = browser_form(page.text, f"/app/job-analyses/{sid}/experts")
    set_field(fields, "name", "Ann")
    set_field(fields, "email", "not an address")
    r = await post_fields(admin, f"/app/job-analyses/{sid}/experts", fields)
    assert r.status_code == 422 and any(e.startswith("email") for e in error_items(r.text))
    assert (await admin.get(f"/api/v1/job-analyses/{sid}/experts")).json() == []
    set_field(fields, "email", "ann@example.org")
    r = await post_fields(admin, f"/app/job-analyses/{sid}/experts", fields)
    assert location(r) == f"/app/job-analyses/{sid}#experts-h"
    page = await admin.get(study_path)
    link = re.search(r'<code class="link-text" id="link-\d+">([^<]+)</code>', page.text)
    assert link and "/expert/" in link.group(1)
    token = link.group(1).rsplit("/", 1)[-1]
    card = await write_card(admin, token, "Stays calm when shouted at")
    # moving on needs the cards: the step button
    fields = browser_form(page.text, f"/app/job-analyses/{sid}/step")
    r = await post_fields(admin, f"/app/job-analyses/{sid}/step", fields)
    assert location(r) == f"/app/job-analyses/{sid}/sort"
    sort = await admin.get(f"/app/job-analyses/{sid}/sort")
    assert "Stays calm when shouted at" in sort.text and "Ann" not in sort.text
    fields = browser_form(sort.text, f"/app/job-analyses/{sid}/groups")
    set_field(fields, "name", "Composure")
    set_field(fields, "library_key", "stress_resistance")
    r = await post_fields(admin, f"/app/job-analyses/{sid}/groups", fields)
    location(r)
    sort = await admin.get(f"/app/job-analyses/{sid}/sort")
    fields = browser_form(sort.text, f"/app/job-analyses/{sid}/sort")
    group = next(
        g["id"] for g in (await admin.get(f"/api/v1/job-analyses/{sid}")).json()["competencies"]
    )
    set_field(fields, f"group-{card}", str(group))
    set_field(fields, f"polarity-{card}", "absent")
    r = await post_fields(admin, f"/app/job-analyses/{sid}/sort", fields)
    location(r)
    cards = (await admin.get(f"/api/v1/job-analyses/{sid}/cards")).json()
    assert cards == [
        {
            "id": card,
            "text": "Stays calm when shouted at",
            "source": "",
            "competency_id": group,
            "polarity": "absent",
            "language": "en",
        }
    ]


async def test_decide_and_apply_on_the_pages(admin: AsyncTestClient) -> None:
    study, groups = await rated_study(admin)
    sid = study["id"]
    page = await admin.get(f"/app/job-analyses/{sid}/decide")
    assert page.status_code == 200
    assert "CVR reaches its critical value" in page.text
    action = f"/app/job-analyses/{sid}/decisions/{groups['Stress resistance']}"
    fields = browser_form(page.text, action)
    fields.append(["develop", "1"])  # tick "develop" too: differs from the proposal
    r = await post_fields(admin, action, fields)
    assert r.status_code == 422 and any(e.startswith("reason") for e in error_items(r.text))
    assert (await admin.get(f"/api/v1/job-analyses/{sid}")).json()["competencies"][0][
        "select_for"
    ] is None
    set_field(fields, "reason", "The mentor still works on it")
    r = await post_fields(admin, action, fields)
    assert location(r).endswith(f"#c-{groups['Stress resistance']}")
    page = await admin.get(f"/app/job-analyses/{sid}/decide")
    r = await post_fields(
        admin,
        f"/app/job-analyses/{sid}/accept",
        browser_form(page.text, f"/app/job-analyses/{sid}/accept"),
    )
    location(r)
    page = await admin.get(f"/app/job-analyses/{sid}/decide")
    r = await post_fields(
        admin,
        f"/app/job-analyses/{sid}/apply",
        browser_form(page.text, f"/app/job-analyses/{sid}/apply"),
    )
    assert location(r) == f"/app/job-analyses/{sid}"
    page = await admin.get(f"/app/job-analyses/{sid}")
    assert "applied as library version" in page.text
    role = await admin.get(f"/app/roles/{await role_id(admin)}")
    assert "Operator workshop" in role.text  # the why-line names the study


async def test_the_pages_speak_swedish(admin: AsyncTestClient) -> None:
    study, _ = await rated_study(admin)
    admin.cookies.set("lang", "sv")
    for path in ("", "/sort", "/decide"):
        page = await admin.get(f"/app/job-analyses/{study['id']}{path}")
        assert page.status_code == 200
        assert 'lang="sv"' in page.text
    decide = await admin.get(f"/app/job-analyses/{study['id']}/decide")
    assert "CVR når sitt kritiska värde" in decide.text
    assert "Godta alla öppna förslag" in decide.text
    assert "Accept every open proposal" not in decide.text


async def test_a_recruiter_gets_no_study_page(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    r = await client.get("/app/job-analyses", follow_redirects=False)
    assert r.status_code == 403
