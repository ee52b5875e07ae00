"""Development plans through the API: proposed from the 360 result, edited, versioned,
status tracked, printable; the rules hold for edits and only coaches of the cycle see it."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from tests.conftest import login
from tests.integration.reviews.test_reviews import answer_all, cycle, rater, release

pytestmark = pytest.mark.usefixtures("demo_library")


async def rated_subject(client: AsyncTestClient) -> tuple[int, int]:
    """Maria rated 2 by three peers and her manager and 4 by herself (1-5 scale)."""
    rid, sid = await cycle(client)
    tokens = [
        (await rater(client, rid, sid, "Maria", "maria@example.org", "self"), 4),
        *[
            (await rater(client, rid, sid, f"Peer {i}", f"p{i}@example.org", "peer"), 2)
            for i in range(3)
        ],
        (await rater(client, rid, sid, "Boss", "boss@example.org", "manager"), 2),
    ]
    cookies = dict(client.cookies)
    client.cookies.clear()
    for token, value in tokens:
        await answer_all(client, token, value)
    client.cookies.update(cookies)
    await release(client, rid)
    return rid, sid


def _url(rid: int, sid: int, rest: str = "") -> str:
    return f"/api/v1/reviews/{rid}/subjects/{sid}/idp{rest}"


async def test_proposed_plan_follows_the_rule(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    r = await client.get(_url(rid, sid))
    assert r.status_code == 200, r.text
    saved = r.json()
    assert saved["version"] == 0 and saved["saved_at"] is None
    plan = saved["plan"]
    assert 1 <= len(plan["priorities"]) <= 3
    roles = (await client.get("/api/v1/roles")).json()["items"]
    role = next(x for x in roles if x["key"] == plan["role"])
    develop = {
        c["key"]
        for c in (await client.get("/api/v1/competencies?flag=develop&limit=500")).json()["items"]
    }
    weight = {c["competency"]: c for c in role["competencies"]}
    report = (await client.get(f"/api/v1/reviews/{rid}/subjects/{sid}/report")).json()
    others = {c["key"]: c["groups"]["others"]["mean"] for c in report["competencies"]}
    for p in plan["priorities"]:
        assert p["competency"] in develop
        o, s = p["others_mean"], p["self_mean"]
        assert o == pytest.approx(others[p["competency"]])
        assert s > o  # she rated herself 4 where others gave 2 (reverse-keyed items aside)
        req = weight[p["competency"]]
        expected = req["weight"] * (max(0, req["required_level"] - o) + 0.5 * (s - o))
        assert p["need"] == pytest.approx(expected)
        assert p["activities"] and p["goal"] and p["status"] == "not started"
    starts = [p["start"] for p in plan["priorities"]]
    assert starts == sorted(starts)
    assert "need = weight" in plan["rule"]


async def test_coach_edits_versions_and_tracks_status(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    proposed = (await client.get(_url(rid, sid))).json()
    plan = proposed["plan"]
    plan["priorities"][0]["goal"] = "Handle three escalations a week without help"
    r = await client.put(_url(rid, sid), json={"version": 0, "plan": plan})
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 1 and r.json()["saved_by"] == "coach@test.example"
    key = plan["priorities"][0]["competency"]
    r = await client.patch(_url(rid, sid, f"/priorities/{key}"), json={"status": "in progress"})
    assert r.status_code == 200, r.text
    latest = (await client.get(_url(rid, sid))).json()
    assert latest["version"] == 2
    first = latest["plan"]["priorities"][0]
    assert first["status"] == "in progress"
    assert first["goal"] == "Handle three escalations a week without help"
    versions = (await client.get(_url(rid, sid, "/versions"))).json()
    assert [v["version"] for v in versions] == [2, 1]
    # an edit of an older version would overwrite a colleague's save: refused
    r = await client.put(_url(rid, sid), json={"version": 1, "plan": plan})
    assert r.status_code == 409 and "version" in r.text
    r = await client.patch(_url(rid, sid, "/priorities/nope"), json={"status": "done"})
    assert r.status_code == 404
    r = await client.patch(_url(rid, sid, f"/priorities/{key}"), json={"status": "finished"})
    assert r.status_code == 400 and "status" in r.text


async def test_edits_that_break_the_rules_are_refused_and_change_nothing(
    client: AsyncTestClient,
) -> None:
    rid, sid = await rated_subject(client)
    plan: dict[str, Any] = (await client.get(_url(rid, sid))).json()["plan"]
    first = plan["priorities"][0]
    select_only = next(
        c["key"]
        for c in (await client.get("/api/v1/competencies?flag=select_for&limit=500")).json()[
            "items"
        ]
        if not c["develop"]
    )
    bad = {
        **plan,
        "priorities": [
            {**first, "goal": " ", "end": first["start"]},
            {**first, "competency": select_only},
            first,
            first,
        ],
    }
    r = await client.put(_url(rid, sid), json={"version": 0, "plan": bad})
    assert r.status_code == 422, r.text
    keys = {p["key"] for p in r.json()["extra"]}
    assert {
        "plan.priorities",
        "plan.priorities[0].goal",
        "plan.priorities[0].end",
        "plan.priorities[1].competency",
        "plan.priorities[3].competency",
    } <= keys
    assert (await client.get(_url(rid, sid, "/versions"))).json() == []
    r = await client.put(_url(rid, sid), json={"version": 0, "plan": {"role": "x"}})
    assert r.status_code == 400


async def test_printable_plan_in_html_and_pdf(client: AsyncTestClient, tmp_path: Path) -> None:
    rid, sid = await rated_subject(client)
    plan = (await client.get(_url(rid, sid))).json()["plan"]
    plan["priorities"][0]["goal"] = "<script>alert(1)</script> lead the team huddle"
    assert (await client.put(_url(rid, sid), json={"version": 0, "plan": plan})).status_code == 200
    r = await client.get(_url(rid, sid), params={"format": "html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "script-src" not in r.headers["content-security-policy"]
    assert "<script>" not in r.text and "&lt;script&gt;alert(1)" in r.text
    assert "Maria Berg" in r.text and plan["priorities"][0]["name"] in r.text
    assert "<svg" in r.text and "<title" in r.text
    r = await client.get(_url(rid, sid), params={"format": "pdf", "lang": "ru"})
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(r.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "<script>alert(1)</script> lead the team huddle" in text
    pages = int(
        next(
            line.split()[-1]
            for line in subprocess.run(
                ["pdfinfo", str(pdf)], capture_output=True, text=True
            ).stdout.splitlines()
            if line.startswith("Pages:")
        )
    )
    subprocess.run(["pdftoppm", "-r", "30", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert len(list(tmp_path.glob("p*.png"))) == pages >= 1


async def test_only_coaches_of_the_cycle_see_the_plan(client: AsyncTestClient) -> None:
    rid, sid = await rated_subject(client)
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        assert (await other.get(_url(rid, sid))).status_code == 401
        await login(other, "recruiter")
        assert (await other.get(_url(rid, sid))).status_code == 403
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        await login(other, "coach", "other.coach@test.example")
        assert (await other.get(_url(rid, sid))).status_code in (403, 404)
        r = await other.put(_url(rid, sid), json={"version": 0, "plan": {}})
        assert r.status_code in (400, 403, 404)
    assert (await client.get(_url(rid, sid + 999))).status_code == 404


async def test_plan_after_the_role_dropped_a_rated_competency(client: AsyncTestClient) -> None:
    """The cycle's survey keeps the competencies the role had; a proposal made after the role
    dropped one leaves it out (was a 500: the plan's rules did not know the rated key)."""
    rid, sid = await rated_subject(client)
    before = (await client.get(_url(rid, sid))).json()["plan"]
    dropped = before["priorities"][0]["competency"]
    await login(client, "admin")
    role = next(
        x for x in (await client.get("/api/v1/roles")).json()["items"] if x["key"] == before["role"]
    )
    body = {k: role[k] for k in ("key", "name", "area", "description", "translations")}
    body["competencies"] = [c for c in role["competencies"] if c["competency"] != dropped]
    assert (await client.put(f"/api/v1/roles/{role['id']}", json=body)).status_code == 200
    r = await client.get(_url(rid, sid))
    assert r.status_code == 200, r.text
    keys = [p["competency"] for p in r.json()["plan"]["priorities"]]
    assert keys and dropped not in keys
    second = before["priorities"][1]["competency"] if len(before["priorities"]) > 1 else keys[0]
    r = await client.patch(_url(rid, sid, f"/priorities/{second}"), json={"status": "done"})
    assert r.status_code in (200, 404), r.text
