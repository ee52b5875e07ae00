"""The development plan editor page: a coach saves a version (PRG), a stale edit is refused
with a message and changes nothing, bad input names the field, every save is audited
(page and API alike), generated sentences follow the coach's language."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.admin import audit
from tests.conftest import login
from tests.integration.development.test_plans import rated_subject

pytestmark = pytest.mark.usefixtures("demo_library")


class _Form(HTMLParser):
    """The values a browser would send for the page's plan form (class ``coach-plan``)."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: dict[str, str] = {}
        self.select: str | None = None
        self.textarea: str | None = None
        self.first_option: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and "coach-plan" in a.get("class", ""):
            self.inside = True
        if not self.inside:
            if tag == "input" and a.get("name") == "_csrf_token":
                self.values["_csrf_token"] = a.get("value", "")
            return
        name = a.get("name")
        if tag == "input" and name:
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[name] = a.get("value", "on")
            else:
                self.values[name] = a.get("value", "")
        elif tag == "select" and name:
            self.select, self.first_option = name, None
        elif tag == "option" and self.select:
            if self.first_option is None:
                self.first_option = a.get("value", "")
                self.values.setdefault(self.select, self.first_option)
            if "selected" in a:
                self.values[self.select] = a.get("value", "")
        elif tag == "textarea" and name:
            self.textarea = name
            self.values[name] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.values[self.textarea] += data


def form_of(html: str) -> dict[str, str]:
    parser = _Form()
    parser.feed(html)
    return parser.values


def page(rid: int, sid: int) -> str:
    return f"/app/reviews/{rid}/subjects/{sid}/idp"


async def _audited(target: str) -> list[dict[str, Any]]:
    rows, _ = await audit.events(limit=500, offset=0)
    return [r for r in rows if r["target"] == target and r["action"] == "edited"]


async def test_editor_saves_a_version_and_redirects(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    r = await client.get(page(rid, sid))
    assert r.status_code == 200, r.text
    assert "Rank by need" in r.text and "Why the order differs" in r.text
    form = form_of(r.text)
    assert form["version"] == "0" and form["p0.competency"]
    form["p0.goal"] = "Handle three escalations a week without help"
    form["p0.status"] = "in progress"
    r = await client.post(page(rid, sid), data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"].endswith("?saved=1")
    r = await client.get(r.headers["location"])
    assert "Saved as version 1." in r.text
    api = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/idp")).json()
    assert api["version"] == 1
    first = next(p for p in api["plan"]["priorities"] if p["competency"] == form["p0.competency"])
    assert first["goal"] == "Handle three escalations a week without help"
    assert first["goal_sentence"] is None  # the coach's own words
    assert first["status"] == "in progress"
    # unchanged generated goals keep their sentence (so they print in any language)
    others = [p for p in api["plan"]["priorities"] if p is not first]
    assert all(p["goal_sentence"] for p in others)
    assert len(await _audited(f"review:{rid}/subject:{sid}/idp")) == 1
    versions = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/idp/versions")).json()
    assert [v["version"] for v in versions] == [1]


async def test_stale_edit_shows_a_message_and_changes_nothing(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    form = form_of((await client.get(page(rid, sid))).text)
    # a colleague saves through the API meanwhile
    api_url = f"/api/v1/reviews/{rid}/subjects/{sid}/idp"
    plan = (await client.get(api_url)).json()["plan"]
    plan["priorities"][0]["goal"] = "The colleague's goal"
    assert (await client.put(api_url, json={"version": 0, "plan": plan})).status_code == 200
    form["p0.goal"] = "My goal, written over an old version"
    r = await client.post(page(rid, sid), data=form, follow_redirects=False)
    assert r.status_code == 409
    assert "someone else saved this plan meanwhile" in r.text
    assert "Reload the latest version" in r.text
    assert "My goal, written over an old version" in r.text  # the coach's text is kept
    latest = (await client.get(api_url)).json()
    assert latest["version"] == 1
    assert latest["plan"]["priorities"][0]["goal"] == "The colleague's goal"
    # submitting the same stale form again is still refused
    again = form_of(r.text) | {"_csrf_token": form["_csrf_token"]}
    r = await client.post(page(rid, sid), data=again)
    assert r.status_code == 409
    assert (await client.get(api_url)).json()["version"] == 1
    # the API save was audited by the shared service; the refused page edits were not
    assert len(await _audited(f"review:{rid}/subject:{sid}/idp")) == 1


async def test_bad_input_names_the_field_and_saves_nothing(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    form = form_of((await client.get(page(rid, sid))).text)
    form["p0.goal"] = "   "
    form["p0.end"] = form["p0.start"]
    form["p0.a0.title"] = ""
    form["p0.a0.description"] = "only a description"
    form["p0.m0.review_date"] = "next spring"
    r = await client.post(page(rid, sid), data=form)
    assert r.status_code == 422
    assert 'href="#p0.m0.review_date"' in r.text and "give a date" in r.text
    form["p0.m0.review_date"] = form["p0.end"]
    r = await client.post(page(rid, sid), data=form)
    assert r.status_code == 422
    assert "Priority 1 · Goal" in r.text and "a priority needs a goal" in r.text
    assert "Priority 1 · End" in r.text
    assert "Priority 1 · Activity 1 · Title" in r.text
    assert 'id="p0.goal" name="p0.goal" rows="3" maxlength="2000" aria-invalid="true"' in r.text
    form["p1.competency"] = "no_such_competency"
    r = await client.post(page(rid, sid), data=form)
    assert r.status_code == 422 and "choose a competency from the list" in r.text
    bad_version = {**form, "version": "abc"}
    r = await client.post(page(rid, sid), data=bad_version)
    assert r.status_code == 422 and "Version" in r.text
    api = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/idp")).json()
    assert api["version"] == 0
    assert await _audited(f"review:{rid}/subject:{sid}/idp") == []


async def test_api_edits_are_audited_too(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    url = f"/api/v1/reviews/{rid}/subjects/{sid}/idp"
    plan = (await client.get(url)).json()["plan"]
    assert (await client.put(url, json={"version": 0, "plan": plan})).status_code == 200
    key = plan["priorities"][0]["competency"]
    r = await client.patch(f"{url}/priorities/{key}", json={"status": "done"})
    assert r.status_code == 200
    rows = await _audited(f"review:{rid}/subject:{sid}/idp")
    details = [
        json.loads(x["detail"]) if isinstance(x["detail"], str) else x["detail"] for x in rows
    ]
    assert [d["version"] for d in details] == [2, 1]


async def test_a_priority_can_be_added_removed_and_is_ranked_by_need(
    client: AsyncTestClient,
) -> None:
    rid, sid = await rated_subject(client)
    html = (await client.get(page(rid, sid))).text
    form = form_of(html)
    chosen = [form[f"p{i}.competency"] for i in range(3) if form.get(f"p{i}.competency")]
    if len(chosen) == 3:
        form["p2.remove"] = "1"
        chosen = chosen[:2]
    r = await client.post(page(rid, sid), data=form, follow_redirects=False)
    assert r.status_code == 303
    plan = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/idp")).json()["plan"]
    assert [p["competency"] for p in plan["priorities"]] == [
        k for k in [p["competency"] for p in plan["priorities"]] if k in chosen
    ]
    assert len(plan["priorities"]) == len(chosen)
    needs = sorted(plan["priorities"], key=lambda p: p["rank"])
    assert [p["rank"] for p in needs] == list(range(1, len(chosen) + 1))
    assert [p["need"] for p in needs] == sorted((p["need"] for p in needs), reverse=True)


async def test_the_page_speaks_swedish_and_generated_goals_follow(
    client: AsyncTestClient,
) -> None:
    rid, sid = await rated_subject(client)
    client.cookies.set("lang", "sv")
    r = await client.get(page(rid, sid))
    assert r.status_code == 200
    assert '<html lang="sv">' in r.text
    form = form_of(r.text)
    # saved unchanged from the Swedish page: the generated sentences survive as sentences
    r = await client.post(page(rid, sid), data=form, follow_redirects=False)
    assert r.status_code == 303
    plan = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/idp")).json()["plan"]
    assert all(p["goal_sentence"] for p in plan["priorities"])
    assert all(p["goal"].startswith(("Raise", "Keep")) for p in plan["priorities"])


async def test_other_roles_and_cycles_cannot_open_the_editor(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    r = await client.get(page(rid, sid + 999))
    assert r.status_code == 404
    await login(client, "recruiter")
    r = await client.get(page(rid, sid), follow_redirects=False)
    assert r.status_code == 403
    await login(client, "coach", "other-coach@example.org")
    r = await client.get(page(rid, sid), follow_redirects=False)
    assert r.status_code == 404
