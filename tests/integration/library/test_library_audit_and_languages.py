"""Library edits are recorded in the audit log whether the API or a page made them, and
the editors save texts in every language (stored in ``translations`` as the import does)."""

from __future__ import annotations

from typing import Any

from litestar.testing import AsyncTestClient

from server.bootstrap import DEMO_LIBRARY
from server.tables import AuditEvent
from tests.conftest import login
from tests.integration.library.page_forms import (
    browser_form,
    competency,
    error_labels,
    location,
    post_fields,
    role,
    set_field,
)


async def _events() -> list[dict[str, Any]]:
    rows = await AuditEvent.select(
        AuditEvent.actor.email.as_alias("actor"),
        AuditEvent.action,
        AuditEvent.target,
        AuditEvent.detail,
    ).order_by(AuditEvent.id)
    for r in rows:
        if isinstance(r["detail"], str):
            import json

            r["detail"] = json.loads(r["detail"])
    return rows


async def test_api_library_changes_are_audited(admin: AsyncTestClient) -> None:
    r = await admin.post("/api/v1/competency-areas", json={"key": "sales", "name": "Sales"})
    assert r.status_code == 201, r.text
    body = {"key": "grit", "name": "Grit", "definition": "Keeps going.", "develop": True}
    made = (await admin.post("/api/v1/competencies", json=body)).json()
    body["translations"] = {"sv": {"name": "Uthållighet"}}
    r = await admin.put(f"/api/v1/competencies/{made['id']}", json=body)
    assert r.status_code == 200, r.text
    role_body = {"key": "seller", "name": "Seller", "competencies": [{"competency": "grit"}]}
    made_role = (await admin.post("/api/v1/roles", json=role_body)).json()
    assert (await admin.delete(f"/api/v1/roles/{made_role['id']}")).status_code == 204
    assert (await admin.delete(f"/api/v1/competencies/{made['id']}")).status_code == 204
    r = await admin.post(
        "/api/v1/library/import",
        content=DEMO_LIBRARY.read_bytes(),
        headers={"content-type": "application/yaml"},
    )
    assert r.status_code == 200
    events = await _events()
    assert [(e["action"], e["target"].split(":")[0]) for e in events] == [
        ("created", "area"),
        ("created", "competency"),
        ("updated", "competency"),
        ("created", "role"),
        ("deleted", "role"),
        ("deleted", "competency"),
        ("imported", "library"),
    ]
    assert {e["actor"] for e in events} == {"admin@test.example"}
    assert events[2]["detail"]["changed"] == ["translations:sv"]
    assert events[5]["detail"] == {"key": "grit", "name": "Grit"}
    assert events[6]["detail"]["competencies"] >= 8


async def test_refused_changes_are_not_audited(admin: AsyncTestClient) -> None:
    bad = {"key": "Bad Key", "name": "x", "definition": "d", "develop": True}
    assert (await admin.post("/api/v1/competencies", json=bad)).status_code == 400
    async with AsyncTestClient(app=admin.app) as other:
        await login(other, "recruiter")
        good = {"key": "grit", "name": "Grit", "definition": "d", "develop": True}
        assert (await other.post("/api/v1/competencies", json=good)).status_code == 403
    assert await _events() == []


async def test_page_edit_in_swedish_is_saved_and_audited(
    admin: AsyncTestClient, demo_library: None
) -> None:
    before = await competency(admin, "customer_orientation")
    action = f"/app/competencies/{before['id']}"
    page = await admin.get(f"{action}/edit")
    for lang, name in (("ru", "Русский"), ("sv", "Svenska"), ("nb", "Norsk bokmål")):
        assert f'name="tr_{lang}_definition"' in page.text
        assert f"Definition ({name})" in page.text
    assert '<textarea id="definition"' in page.text and '<textarea id="it1"' in page.text
    fields = browser_form(page.text, action)
    set_field(fields, "tr_sv_name", "Kundfokus")
    set_field(fields, "tr_sv_definition", "Vill på riktigt hjälpa varje kund.")
    set_field(fields, "tr_nb_benefit", "Fornøyde kunder kommer tilbake.")
    set_field(fields, "indicator_sv", "Lyssnar klart på kunden.", nth=0)
    set_field(fields, "measure_name_nb", "Kundetilfredshet", nth=0)
    set_field(fields, "activity_title_sv", "Välkomnande team", nth=0)
    r = await post_fields(admin, action, fields)
    assert location(r) == action  # PRG
    after = await competency(admin, "customer_orientation")
    assert after["translations"]["sv"] == {
        "name": "Kundfokus",
        "definition": "Vill på riktigt hjälpa varje kund.",
        **{k: v for k, v in before["translations"].get("sv", {}).items() if k == "benefit"},
    }
    assert after["translations"]["nb"]["benefit"] == "Fornøyde kunder kommer tilbake."
    assert after["translations"]["ru"] == before["translations"]["ru"]  # untouched, kept
    assert after["indicators"][0]["translations"]["sv"] == "Lyssnar klart på kunden."
    assert (
        after["indicators"][0]["translations"]["ru"]
        == before["indicators"][0]["translations"]["ru"]
    )
    assert after["measures"][0]["translations"]["nb"]["name"] == "Kundetilfredshet"
    assert after["activities"][0]["translations"]["sv"]["title"] == "Välkomnande team"
    assert after["name"] == before["name"]  # English unchanged
    shown = await admin.get(action, params={"lang": "sv"})
    assert "<h1>Kundfokus</h1>" in shown.text and "Lyssnar klart på kunden." in shown.text
    (event,) = await _events()
    assert (event["action"], event["target"]) == ("updated", f"competency:{before['id']}")
    assert event["detail"]["changed"] == ["translations:sv", "translations:nb"]


async def test_too_long_translation_is_named_and_nothing_saved(
    admin: AsyncTestClient, demo_library: None
) -> None:
    before = await competency(admin, "customer_orientation")
    action = f"/app/competencies/{before['id']}"
    fields = browser_form((await admin.get(f"{action}/edit")).text, action)
    set_field(fields, "tr_sv_name", "x" * 121)
    set_field(fields, "tr_nb_definition", "y" * 301)
    r = await post_fields(admin, action, fields)
    assert r.status_code == 422
    labels = error_labels(r.text)
    assert any(e.startswith("Name (Svenska): ") for e in labels), labels
    assert any(e.startswith("Definition (Norsk bokmål): ") for e in labels), labels
    assert 'id="tr-sv-name" lang="sv" name="tr_sv_name"' in r.text
    assert await competency(admin, "customer_orientation") == before
    assert await _events() == []


async def test_role_texts_in_norwegian_and_role_edits_audited(
    admin: AsyncTestClient, demo_library: None
) -> None:
    before = await role(admin, "cs_operator")
    action = f"/app/roles/{before['id']}"
    fields = browser_form((await admin.get(f"{action}/edit")).text, action)
    set_field(fields, "tr_nb_name", "Kundeservicemedarbeider")
    set_field(fields, "tr_nb_description", "Svarer kunder på telefon og e-post.")
    r = await post_fields(admin, action, fields)
    assert location(r) == action
    after = await role(admin, "cs_operator")
    assert after["translations"]["nb"] == {
        "name": "Kundeservicemedarbeider",
        "description": "Svarer kunder på telefon og e-post.",
    }
    assert after["translations"]["ru"] == before["translations"]["ru"]
    assert after["competencies"] == before["competencies"]
    (event,) = await _events()
    assert event["target"] == f"role:{before['id']}"
    assert event["detail"]["changed"] == ["translations:nb"]
    # the log page shows it in words
    log = await admin.get("/app/audit")
    assert "Changed: Norwegian texts." in log.text


async def test_page_import_and_delete_are_audited(admin: AsyncTestClient) -> None:
    from tests.integration.library.page_forms import page_token

    token = await page_token(admin, "/app")
    r = await admin.post(
        "/app/library/import",
        data={"_csrf_token": token},
        files={"file": ("library.yaml", DEMO_LIBRARY.read_bytes(), "application/yaml")},
        follow_redirects=False,
    )
    assert location(r).startswith("/app?imported=library.yaml")
    made = (
        await admin.post(
            "/api/v1/competencies",
            json={"key": "grit", "name": "Grit", "definition": "d", "develop": True},
        )
    ).json()
    r = await admin.post(
        f"/app/competencies/{made['id']}/delete",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert location(r) == "/app"
    events = await _events()
    assert [e["action"] for e in events] == ["imported", "created", "deleted"]
    assert events[0]["detail"]["file"] == "library.yaml"


async def test_the_editor_says_what_is_wrong_in_the_pages_language(
    admin: AsyncTestClient, demo_library: None
) -> None:
    before = await competency(admin, "customer_orientation")
    action = f"/app/competencies/{before['id']}"
    admin.cookies.set("lang", "sv")
    fields = browser_form((await admin.get(f"{action}/edit")).text, action)
    set_field(fields, "name", "")
    set_field(fields, "tr_sv_name", "x" * 121)
    r = await post_fields(admin, action, fields)
    assert r.status_code == 422
    labels = error_labels(r.text)
    # the validator's English ("must not be empty", "longer than 120 characters (121)")
    # in the reader's words
    assert any(e.endswith(": får inte vara tomt") for e in labels), labels
    assert any(e.endswith(": högst 120 tecken (nu 121)") for e in labels), labels
    assert not any("characters" in e or "empty" in e for e in labels), labels
    assert await competency(admin, "customer_orientation") == before
