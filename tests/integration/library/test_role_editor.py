"""The role editor (admins): creating a role, refusing bad weights and levels, removing a
requirement."""

from __future__ import annotations

import re

from litestar.testing import AsyncTestClient

from tests.integration.library.page_forms import (
    browser_form,
    csrf_token,
    error_items,
    field_values,
    location,
    page_token,
    post_fields,
    role,
    set_field,
)

# ---- the role editor ---------------------------------------------------------------------


async def test_admin_creates_role_through_the_form(
    admin: AsyncTestClient, demo_library: None
) -> None:
    page = await admin.get("/app/roles/new")
    assert page.status_code == 200
    r = await admin.post(
        "/app/roles",
        data={
            "_csrf_token": csrf_token(page.text),
            "key": "chat_agent",
            "name": "Chat agent",
            "area": "service_delivery",
            "description": "Answers customers in the chat.",
            "req_competency": ["written_communication", "empathy"],
            "req_weight": ["2.0", "0.5"],
            "req_level": ["4", "2"],
        },
        follow_redirects=False,
    )
    target = location(r)
    assert re.fullmatch(r"/app/roles/\d+", target), target
    created = await role(admin, "chat_agent")
    assert created["area"] == "service_delivery"
    assert [{k: v for k, v in q.items() if k != "evidence"} for q in created["competencies"]] == [
        {"competency": "written_communication", "weight": 2.0, "required_level": 4},
        {"competency": "empathy", "weight": 0.5, "required_level": 2},
    ]
    shown = await admin.get(target)
    assert "<h1>Chat agent</h1>" in shown.text
    assert ">Written communication</a>" in shown.text


async def test_role_form_with_bad_weight_and_level_is_refused(
    admin: AsyncTestClient, demo_library: None
) -> None:
    token = await page_token(admin, "/app/roles/new")
    r = await admin.post(
        "/app/roles",
        data={
            "_csrf_token": token,
            "key": "chat_agent",
            "name": "Chat agent",
            "req_competency": ["empathy"],
            "req_weight": ["abc"],
            "req_level": ["9"],
        },
        follow_redirects=False,
    )
    assert r.status_code == 422
    errors = error_items(r.text)
    assert any(e.startswith("competencies[0].weight:") for e in errors), errors
    assert any(e.startswith("competencies[0].required_level:") for e in errors), errors
    r2 = await admin.get("/api/v1/roles", params={"limit": 500})
    assert "chat_agent" not in {x["key"] for x in r2.json()["items"]}


async def test_removing_a_role_requirement_keeps_the_other_weights(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """In the role editor choose "(none)" for the first competency and save."""
    before = await role(admin, "team_lead")
    page = await admin.get(f"/app/roles/{before['id']}/edit")
    fields = browser_form(page.text, f"/app/roles/{before['id']}")
    assert field_values(fields, "req_competency")[0] == "coaching_others"
    set_field(fields, "req_competency", "", 0)
    r = await post_fields(admin, f"/app/roles/{before['id']}", fields)
    assert location(r) == f"/app/roles/{before['id']}"
    after = await role(admin, "team_lead")
    assert after["competencies"] == before["competencies"][1:]
