"""Authoring SJT items on the staff pages: texts in several languages, the API's rules with
every problem on its field, retiring and deleting, and who may do it."""

from __future__ import annotations

from litestar.testing import AsyncTestClient

from tests.conftest import login
from tests.integration.sjt.item_page_forms import EN, SV, csrf, item_form, location_id, post_form


async def _count(client: AsyncTestClient) -> int:
    return int((await client.get("/api/v1/sjt/items")).json()["total"])


async def test_a_recruiter_writes_an_item_in_english_and_swedish(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    token = await csrf(recruiter)
    r = await post_form(recruiter, "/app/sjt/items", item_form(token, sv=SV))
    ident = location_id(r)
    assert r.headers["location"] == f"/app/sjt/items/{ident}?done=saved"

    item = (await recruiter.get(f"/api/v1/sjt/items/{ident}")).json()
    assert item["stem"] == EN["stem"] and item["context"] == EN["context"]
    assert [o["text"] for o in item["options"]] == EN["options"]
    assert item["translations"]["sv"] == {"stem": SV["stem"], "context": SV["context"]}
    assert [o["translations"]["sv"] for o in item["options"]] == SV["options"]
    assert [o["key"] for o in item["options"]] == ["a", "b", "c", "d"]
    assert item["competencies"] == ["customer_orientation"] and item["version"] == 1

    # the page in Swedish shows the Swedish texts and the competency's name, never its key
    recruiter.cookies.set("lang", "sv")
    page = await recruiter.get(f"/app/sjt/items/{ident}")
    assert page.status_code == 200
    assert SV["stem"] in page.text and SV["options"][0] in page.text
    assert "customer_orientation" not in page.text.replace('value="customer_orientation"', "")
    bank = await recruiter.get("/app/sjt/items")
    assert SV["context"] in bank.text and "customer_orientation" not in bank.text
    assert "Utkast" in bank.text or "Draft" in bank.text  # translated once the catalogue has it
    recruiter.cookies.set("lang", "en")

    # edit: an option changes, the item's version goes up, the option keys stay
    edit = await recruiter.get(f"/app/sjt/items/{ident}/edit")
    assert SV["options"][2] in edit.text and "<textarea" in edit.text
    token = await csrf(recruiter, f"/app/sjt/items/{ident}/edit")
    changed = {**EN, "options": [*EN["options"][:3], "Offer a voucher."]}
    fields = item_form(token, en=changed, sv=SV, option_keys=("a", "b", "c", "d", "", ""))
    r = await post_form(recruiter, f"/app/sjt/items/{ident}", fields)
    assert location_id(r) == ident
    item = (await recruiter.get(f"/api/v1/sjt/items/{ident}")).json()
    assert item["version"] == 2 and item["options"][3] == {
        "key": "d",
        "text": "Offer a voucher.",
        "translations": {"sv": SV["options"][3]},
    }


async def test_every_problem_is_named_on_its_field_and_nothing_is_saved(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    token = await csrf(recruiter)
    before = await _count(recruiter)
    sv = {**SV, "options": [*SV["options"], "", "Bara på svenska"]}  # row 6: no English
    fields = item_form(token, en={**EN, "stem": ""}, sv=sv, competencies=())
    r = await post_form(recruiter, "/app/sjt/items", fields)
    assert r.status_code == 422
    assert "Nothing was saved." in r.text
    assert '<a href="#stem-en">Question (English)</a>: Write the question in English.' in r.text
    assert '<a href="#opt-en-6">Option 6 (English)</a>' in r.text
    assert '<a href="#competencies">Competencies</a>: Choose at least one competency.' in r.text
    assert 'id="stem-en" name="stem_en" rows="2" maxlength="2000" aria-invalid="true"' in r.text
    # what was typed comes back in its field
    assert "Bara på svenska" in r.text and EN["context"] in r.text
    assert await _count(recruiter) == before

    # a Swedish option past the length the API allows is named with its language
    long_sv = {**SV, "options": [*SV["options"][:3], "x" * 2001]}
    r = await post_form(recruiter, "/app/sjt/items", item_form(token, sv=long_sv))
    assert r.status_code == 422
    assert '<a href="#opt-sv-4">Option 4 (Svenska)</a>' in r.text

    # three options are too few; a code already taken is refused on the code
    r = await post_form(
        recruiter, "/app/sjt/items", item_form(token, en={**EN, "options": EN["options"][:3]})
    )
    assert r.status_code == 422 and '<a href="#opt-en-1">Options (English)</a>' in r.text
    assert location_id(await post_form(recruiter, "/app/sjt/items", item_form(token)))
    r = await post_form(recruiter, "/app/sjt/items", item_form(token))
    assert r.status_code == 422
    assert '<a href="#key">Code</a>: Another item already has this code.' in r.text
    r = await post_form(recruiter, "/app/sjt/items", item_form(token, key="Bad Key!"))
    assert r.status_code == 422 and '<a href="#key">Code</a>' in r.text
    assert await _count(recruiter) == before + 1


async def test_an_item_on_a_form_is_retired_not_deleted(
    recruiter: AsyncTestClient, item_bank: None
) -> None:
    roles = (await recruiter.get("/api/v1/roles")).json()["items"]
    role = next(r for r in roles if r["key"] == "cs_operator")
    r = await recruiter.post("/api/v1/campaigns", json={"name": "Vacancy", "role_id": role["id"]})
    assert r.status_code == 201, r.text
    form = (await recruiter.get(f"/api/v1/sjt/forms/{r.json()['form_ids'][0]}")).json()
    used = form["item_ids"][0]
    token = await csrf(recruiter, f"/app/sjt/items/{used}")

    r = await post_form(recruiter, f"/app/sjt/items/{used}/delete", [("_csrf_token", token)])
    assert r.status_code == 409
    assert "This item is on a test form and cannot be deleted: retire it instead." in r.text
    assert (await recruiter.get(f"/api/v1/sjt/items/{used}")).status_code == 200

    before = (await recruiter.get(f"/api/v1/sjt/items/{used}")).json()
    r = await post_form(
        recruiter,
        f"/app/sjt/items/{used}/status",
        [("_csrf_token", token), ("status", "retired")],
    )
    assert r.headers["location"] == f"/app/sjt/items/{used}?done=retired"
    after = (await recruiter.get(f"/api/v1/sjt/items/{used}")).json()
    assert after["status"] == "retired" and after["version"] == before["version"]
    assert after["key_info"] == before["key_info"]
    page = await recruiter.get(f"/app/sjt/items/{used}?done=retired")
    assert "The item is retired" in page.text

    r = await post_form(
        recruiter, f"/app/sjt/items/{used}/status", [("_csrf_token", token), ("status", "gone")]
    )
    assert r.status_code == 422
    assert (await recruiter.get(f"/api/v1/sjt/items/{used}")).json()["status"] == "retired"

    # an item on no form can be deleted
    token = await csrf(recruiter)
    fresh = location_id(await post_form(recruiter, "/app/sjt/items", item_form(token)))
    r = await post_form(recruiter, f"/app/sjt/items/{fresh}/delete", [("_csrf_token", token)])
    assert r.headers["location"] == "/app/sjt/items"
    assert (await recruiter.get(f"/api/v1/sjt/items/{fresh}")).status_code == 404


async def test_a_coach_cannot_author_items(client: AsyncTestClient, demo_library: None) -> None:
    await login(client, "coach")
    for path in ("/app/sjt/items", "/app/sjt/items/new", "/app/sjt/experts/new"):
        assert (await client.get(path, follow_redirects=False)).status_code == 403, path
    token = await csrf(client, "/app")
    r = await post_form(client, "/app/sjt/items", item_form(token))
    assert r.status_code == 403
    assert (await client.get("/api/v1/sjt/items")).status_code == 403


async def test_an_unknown_item_is_404(recruiter: AsyncTestClient, demo_library: None) -> None:
    for path in ("/app/sjt/items/999999", "/app/sjt/items/999999/edit"):
        assert (await recruiter.get(path)).status_code == 404, path
    token = await csrf(recruiter)
    r = await post_form(recruiter, "/app/sjt/items/999999", item_form(token))
    assert r.status_code == 404


async def test_an_item_written_without_a_code_gets_one_from_its_text(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    token = await csrf(recruiter)
    first = location_id(await post_form(recruiter, "/app/sjt/items", item_form(token, key="")))
    second = location_id(await post_form(recruiter, "/app/sjt/items", item_form(token, key="")))
    keys = [(await recruiter.get(f"/api/v1/sjt/items/{i}")).json()["key"] for i in (first, second)]
    assert keys == ["a_customer_calls_for", "a_customer_calls_for_2"]
    page = await recruiter.get(f"/app/sjt/items/{first}")
    assert "a_customer_calls_for" not in page.text
