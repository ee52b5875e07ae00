"""Expert keying by link: staff invite subject-matter experts, each rates every option 1-7 on
``/key/{token}`` without an account; submitting counts the ratings in the item's key."""

from __future__ import annotations

import re
import secrets
from typing import Any

from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from server.tables import ExpertLink, ExpertRating
from tests.integration.sjt.item_page_forms import SV, csrf, item_form, location_id, post_form

LINK_RE = re.compile(r'value="https?://[^"]*/key/([A-Za-z0-9_-]+)"')


async def _new_item(staff: AsyncTestClient, key: str = "late_delivery") -> int:
    token = await csrf(staff)
    return location_id(await post_form(staff, "/app/sjt/items", item_form(token, key=key, sv=SV)))


async def _invite(
    staff: AsyncTestClient, name: str, items: list[int], *, email: str = "", lang: str = "en"
) -> tuple[int, str]:
    """Invite on the page; returns the link's id and its token, read from the page shown once."""
    token = await csrf(staff, f"/app/sjt/experts/new?item={items[0]}")
    fields = [("_csrf_token", token), ("name", name), ("email", email), ("language", lang)]
    fields += [("item_ids", str(i)) for i in items]
    r = await post_form(staff, "/app/sjt/experts", fields)
    link_id = location_id(r)
    assert r.headers["location"] == f"/app/sjt/experts/{link_id}"
    page = await staff.get(f"/app/sjt/experts/{link_id}")
    found = LINK_RE.search(page.text)
    assert found, page.text
    again = await staff.get(f"/app/sjt/experts/{link_id}")
    assert found.group(1) not in again.text  # shown once only
    return link_id, found.group(1)


def _ratings(item_id: int, values: list[int], keys: str = "abcd") -> dict[str, str]:
    return {f"r-{item_id}-{k}": str(v) for k, v in zip(keys, values, strict=False)}


async def _post(client: AsyncTestClient, url: str, data: dict[str, str]) -> Any:
    return await client.post(url, data=data, follow_redirects=False)


async def _anonymous() -> AsyncTestClient:
    client = AsyncTestClient(app=create_app(get_settings()))
    await client.__aenter__()
    return client


async def test_an_expert_keys_an_item_by_link_in_their_language(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    item = await _new_item(recruiter)
    link_id, token = await _invite(
        recruiter, "Karin Berg", [item], email="Karin@Example.org", lang="sv"
    )
    stored = await ExpertLink.select().where(ExpertLink.id == link_id).first()
    assert (
        stored is not None and token not in str(stored) and stored["expert"] == "karin@example.org"
    )

    expert = await _anonymous()
    try:
        page = await expert.get(f"/key/{token}")
        assert page.status_code == 200 and '<html lang="sv">' in page.text
        assert SV["stem"] in page.text and SV["options"][1] in page.text
        assert page.headers["cache-control"] == "no-store"
        assert f'name="r-{item}-a" value="7"' in page.text

        # save two ratings: kept, not yet counted in any key
        r = await _post(
            expert, f"/key/{token}?lang=sv", data={**_ratings(item, [6, 2]), "go": "save"}
        )
        assert r.status_code in (302, 303) and r.headers["location"] == f"/key/{token}?lang=sv"
        page = await expert.get(f"/key/{token}")
        assert f'id="r-{item}-a-6" name="r-{item}-a" value="6" checked' in page.text
        assert (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"] is None

        # staff see the expert started
        staff_page = await recruiter.get(f"/app/sjt/items/{item}")
        assert "Karin Berg" in staff_page.text and "Started" in staff_page.text

        # submit everything
        r = await _post(
            expert, f"/key/{token}", data={**_ratings(item, [6, 2, 4, 5]), "go": "submit"}
        )
        assert r.status_code in (302, 303)
        page = await expert.get(f"/key/{token}")
        assert "Tack" in page.text or "Thank you" in page.text
        assert 'type="radio"' not in page.text
    finally:
        await expert.__aexit__(None, None, None)

    key = (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"]
    assert key["method"] == "expert" and key["n_experts"] == 1
    assert key["effectiveness"] == {"a": 6.0, "b": 2.0, "c": 4.0, "d": 5.0}
    assert key["best"] == "a" and key["worst"] == "b" and key["flagged"]
    rows = await ExpertRating.select().where(ExpertRating.item == item)
    assert [r["expert"] for r in rows] == ["karin@example.org"]
    staff_page = await recruiter.get(f"/app/sjt/items/{item}")
    assert "Submitted" in staff_page.text
    assert "Only 1 expert has rated it; a key needs at least 3." in staff_page.text


async def test_the_key_and_agreement_change_after_two_experts(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    item = await _new_item(recruiter)
    _, first = await _invite(recruiter, "Expert One", [item])
    _, second = await _invite(recruiter, "Expert One", [item], lang="nb")  # same name, no e-mail
    anon = await _anonymous()
    try:
        r = await _post(
            anon, f"/key/{first}", data={**_ratings(item, [7, 1, 4, 5]), "go": "submit"}
        )
        assert r.status_code in (302, 303)
        one = (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"]
        assert one["n_experts"] == 1 and one["rwg"] is None
        page = await anon.get(f"/key/{second}")
        assert '<html lang="nb">' in page.text
        r = await _post(
            anon, f"/key/{second}", data={**_ratings(item, [6, 2, 3, 5]), "go": "submit"}
        )
        assert r.status_code in (302, 303)
    finally:
        await anon.__aexit__(None, None, None)
    two = (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"]
    assert two["version"] == one["version"] + 1 and two["n_experts"] == 2
    assert two["effectiveness"] == {"a": 6.5, "b": 1.5, "c": 3.5, "d": 5.0}
    assert two["rwg"] is not None and two["rwg"] > 0.7
    # two experts of the same name are two experts, not one replacing the other
    assert len(await ExpertRating.select().where(ExpertRating.item == item)) == 2
    page = await recruiter.get(f"/app/sjt/items/{item}")
    assert f"agreement rwg(J) {two['rwg']:.2f}" in page.text
    assert "2 of them have submitted." in page.text


async def test_an_unknown_or_foreign_token_opens_nothing(
    recruiter: AsyncTestClient, item_bank: None
) -> None:
    item = await _new_item(recruiter)
    roles = (await recruiter.get("/api/v1/roles")).json()["items"]
    role = next(r for r in roles if r["key"] == "cs_operator")
    campaign = (
        await recruiter.post("/api/v1/campaigns", json={"name": "V", "role_id": role["id"]})
    ).json()
    invited = (
        await recruiter.post(
            f"/api/v1/campaigns/{campaign['id']}/candidates",
            json={"name": "Cand", "email": "c@example.org"},
        )
    ).json()
    candidate = invited["link"].rstrip("/").rsplit("/", 1)[1]
    anon = await _anonymous()
    try:
        for token in (secrets.token_urlsafe(32), candidate, "short"):
            r = await anon.get(f"/key/{token}")
            assert r.status_code == 404 and "This link is not valid" in r.text
            r = await _post(
                anon, f"/key/{token}", data={**_ratings(item, [1, 2, 3, 4]), "go": "submit"}
            )
            assert r.status_code == 404
    finally:
        await anon.__aexit__(None, None, None)
    assert (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"] is None
    assert await ExpertRating.count() == 0 or all(
        r["item"] != item for r in await ExpertRating.select()
    )


async def test_bad_input_names_the_field_and_a_submitted_link_cannot_change(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    item = await _new_item(recruiter)
    other = await _new_item(recruiter, key="second_item")
    link_id, token = await _invite(recruiter, "Ola", [item, other], lang="en")
    anon = await _anonymous()
    try:
        r = await _post(anon, f"/key/{token}", data={f"r-{item}-b": "9", "go": "save"})
        assert r.status_code == 422
        assert "Scenario 1, option 2: choose a rating from 1 to 7" in r.text
        assert f'href="#r-{item}-b-1"' in r.text
        r = await _post(anon, f"/key/{token}", data={f"r-{item}-b": "three", "go": "save"})
        assert r.status_code == 422

        # submitting with an option unrated: refused, naming it; what was given is kept
        r = await _post(
            anon,
            f"/key/{token}",
            data={**_ratings(item, [5, 3, 2, 6]), **_ratings(other, [4, 4, 1]), "go": "submit"},
        )
        assert r.status_code == 422
        assert "Scenario 2, option 4: not rated yet" in r.text
        assert "Scenario 1" not in r.text.split("Please check")[1].split("</ul>")[0]
        assert (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"] is None
        staff = await recruiter.get(f"/app/sjt/experts/{link_id}")
        assert "4 of 4" in staff.text and "3 of 4" in staff.text

        full = {**_ratings(item, [5, 3, 2, 6]), **_ratings(other, [4, 4, 1, 7])}
        r = await _post(anon, f"/key/{token}", data={**full, "go": "submit"})
        assert r.status_code in (302, 303)
        key = (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"]

        # a submitted link: refused, nothing changes
        changed = {**_ratings(item, [1, 7, 7, 1]), **_ratings(other, [1, 1, 1, 1])}
        for go in ("submit", "save"):
            r = await _post(anon, f"/key/{token}", data={**changed, "go": go})
            assert r.status_code == 409
            assert "You have already submitted your ratings" in r.text
        assert (await recruiter.get(f"/api/v1/sjt/items/{item}")).json()["key_info"] == key

        # a new link for a submitted expert is not made
        csrf_token = await csrf(recruiter, f"/app/sjt/experts/{link_id}")
        r = await post_form(
            recruiter, f"/app/sjt/experts/{link_id}/renew", [("_csrf_token", csrf_token)]
        )
        assert r.status_code in (302, 303)
        assert (await anon.get(f"/key/{token}")).status_code == 200
    finally:
        await anon.__aexit__(None, None, None)


async def test_staff_invitations_are_checked_and_a_lost_link_is_replaced(
    recruiter: AsyncTestClient, demo_library: None
) -> None:
    item = await _new_item(recruiter)
    token = await csrf(recruiter, "/app/sjt/experts/new")
    r = await post_form(
        recruiter,
        "/app/sjt/experts",
        [("_csrf_token", token), ("name", ""), ("email", "not-an-email"), ("language", "xx")],
    )
    assert r.status_code == 422
    assert '<a href="#name">Name</a>: Write the expert&#39;s name.' in r.text
    assert '<a href="#item_ids">Items to key</a>' in r.text
    r = await post_form(
        recruiter,
        "/app/sjt/experts",
        [("_csrf_token", token), ("name", "A"), ("email", "bad"), ("item_ids", str(item))],
    )
    assert r.status_code == 422 and '<a href="#email">E-mail (optional)</a>' in r.text
    r = await post_form(
        recruiter,
        "/app/sjt/experts",
        [("_csrf_token", token), ("name", "A"), ("item_ids", "999999")],
    )
    assert r.status_code == 422 and '<a href="#item_ids">Items to key</a>' in r.text
    assert await ExpertLink.count() == 0

    link_id, old = await _invite(recruiter, "Pat", [item], email="pat@example.org")
    r = await post_form(
        recruiter,
        "/app/sjt/experts",
        [
            ("_csrf_token", token),
            ("name", "Pat"),
            ("email", "pat@example.org"),
            ("item_ids", str(item)),
        ],
    )
    assert r.status_code == 422
    assert "This expert already has an open link for one of these items." in r.text

    token = await csrf(recruiter, f"/app/sjt/experts/{link_id}")
    r = await post_form(recruiter, f"/app/sjt/experts/{link_id}/renew", [("_csrf_token", token)])
    assert r.headers["location"] == f"/app/sjt/experts/{link_id}"
    page = await recruiter.get(f"/app/sjt/experts/{link_id}")
    new = LINK_RE.search(page.text)
    assert new and new.group(1) != old
    anon = await _anonymous()
    try:
        assert (await anon.get(f"/key/{old}")).status_code == 404
        assert (await anon.get(f"/key/{new.group(1)}")).status_code == 200
    finally:
        await anon.__aexit__(None, None, None)
