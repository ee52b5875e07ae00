"""Job-analysis studies through the staff API: steps, sorting, figures, decisions, apply,
evidence in the library, the report, and who may see what."""

from __future__ import annotations

import csv
import io

import pytest
from litestar.testing import AsyncTestClient

from server.app import create_app
from server.settings import get_settings
from tests.conftest import login
from tests.integration.job_analysis.study_setup import (
    SCREEN,
    invite,
    new_study,
    rate,
    rated_study,
    role_id,
    step,
    write_card,
)

pytestmark = pytest.mark.usefixtures("demo_library")


async def test_a_study_needs_a_name_and_a_role(admin: AsyncTestClient) -> None:
    r = await admin.post("/api/v1/job-analyses", json={"name": "", "role_id": 1})
    assert r.status_code == 400 or r.status_code == 422, r.text
    assert "name" in r.text
    r = await admin.post("/api/v1/job-analyses", json={"name": "W", "role_id": 999999})
    assert r.status_code == 422, r.text
    assert "role_id" in r.text
    assert (await admin.get("/api/v1/job-analyses")).json()["total"] == 0


async def test_recruiters_cannot_and_coaches_see_only_their_own(client: AsyncTestClient) -> None:
    await login(client, "coach", "coach1@test.example")
    study = await new_study(client)
    async with AsyncTestClient(app=create_app(get_settings())) as other:
        await login(other, "coach", "coach2@test.example")
        assert (await other.get(f"/api/v1/job-analyses/{study['id']}")).status_code == 404
        r = await other.post(
            f"/api/v1/job-analyses/{study['id']}/experts",
            json={"name": "X", "email": "x@example.org", "kind": "trainer"},
        )
        assert r.status_code == 404
        assert (await other.get("/api/v1/job-analyses")).json()["total"] == 0
    async with AsyncTestClient(app=create_app(get_settings())) as recruiter:
        await login(recruiter, "recruiter")
        assert (await recruiter.get("/api/v1/job-analyses")).status_code == 403
        r = await recruiter.get(f"/api/v1/job-analyses/{study['id']}/report")
        assert r.status_code == 403
    async with AsyncTestClient(app=create_app(get_settings())) as boss:
        await login(boss, "admin")
        assert (await boss.get(f"/api/v1/job-analyses/{study['id']}")).status_code == 200


async def test_experts_get_a_link_each_and_a_duplicate_is_refused(admin: AsyncTestClient) -> None:
    study = await new_study(admin)
    sid = study["id"]
    r = await admin.post(
        f"/api/v1/job-analyses/{sid}/experts",
        json={"name": "Ann", "email": "Ann@Example.org", "kind": "incumbent", "language": "sv"},
    )
    assert r.status_code == 201, r.text
    expert = r.json()
    assert expert["link"].startswith("/expert/") and expert["language"] == "sv"
    r = await admin.post(
        f"/api/v1/job-analyses/{sid}/experts",
        json={"name": "Ann again", "email": "ann@example.org", "kind": "manager"},
    )
    assert r.status_code == 409 and "email" in r.text
    r = await admin.post(
        f"/api/v1/job-analyses/{sid}/experts",
        json={"name": "Bo", "email": "bo@example.org", "kind": "boss"},
    )
    assert r.status_code in (400, 422) and "kind" in r.text
    experts = (await admin.get(f"/api/v1/job-analyses/{sid}/experts")).json()
    assert [e["name"] for e in experts] == ["Ann"]
    assert all(e["link"] is None for e in experts)
    # a new link replaces the old one
    old = expert["link"].rsplit("/", 1)[-1]
    r = await admin.post(f"/api/v1/job-analyses/{sid}/experts/{expert['id']}/link")
    assert r.status_code == 200
    new = r.json()["link"].rsplit("/", 1)[-1]
    assert new != old
    assert (await admin.get(f"/api/v1/expert/{old}")).status_code == 404
    assert (await admin.get(f"/api/v1/expert/{new}")).status_code == 200


async def test_steps_need_what_they_work_on(admin: AsyncTestClient) -> None:
    study = await new_study(admin)
    sid = study["id"]
    r = await admin.patch(f"/api/v1/job-analyses/{sid}", json={"step": "sort"})
    assert r.status_code == 409 and "card" in r.text
    r = await admin.patch(f"/api/v1/job-analyses/{sid}", json={"step": "decide"})
    assert r.status_code == 422 and "step" in r.text
    r = await admin.patch(f"/api/v1/job-analyses/{sid}", json={"step": "applied"})
    assert r.status_code == 422
    [token] = await invite(admin, sid, 1)
    await write_card(admin, token, "Keeps calm")
    assert (await step(admin, sid, "sort"))["step"] == "sort"
    r = await admin.patch(f"/api/v1/job-analyses/{sid}", json={"step": "rate"})
    assert r.status_code == 409 and "competency" in r.text
    assert (await step(admin, sid, "cards"))["step"] == "cards"


async def test_sorting_merging_and_foreign_ids(admin: AsyncTestClient) -> None:
    study = await new_study(admin)
    sid = study["id"]
    other = await new_study(admin, "Another")
    [t1, t2] = await invite(admin, sid, 2)
    [t3] = await invite(admin, other["id"], 1, "trainer")
    c1 = await write_card(admin, t1, "Listens to the end")
    c2 = await write_card(admin, t2, "Interrupts the caller")
    foreign = await write_card(admin, t3, "Another study's card")
    await step(admin, sid, "sort")
    cards = (await admin.get(f"/api/v1/job-analyses/{sid}/cards")).json()
    assert {c["text"] for c in cards} == {"Listens to the end", "Interrupts the caller"}
    assert all("expert" not in c and "name" not in c for c in cards)
    a = (
        await admin.post(f"/api/v1/job-analyses/{sid}/competencies", json={"name": "Listening"})
    ).json()
    b = (
        await admin.post(
            f"/api/v1/job-analyses/{sid}/competencies",
            json={"name": "Empathy", "library_key": "empathy"},
        )
    ).json()
    assert a["key"] == "listening" and b["library_key"] == "empathy"
    r = await admin.post(
        f"/api/v1/job-analyses/{sid}/competencies",
        json={"name": "Empathy twice", "library_key": "empathy"},
    )
    assert r.status_code == 409 and "library_key" in r.text
    r = await admin.post(
        f"/api/v1/job-analyses/{sid}/competencies", json={"name": "X", "library_key": "nope"}
    )
    assert r.status_code == 422 and "library_key" in r.text
    r = await admin.put(f"/api/v1/job-analyses/{sid}/cards/{c1}", json={"competency_id": a["id"]})
    assert r.status_code == 200 and r.json()["competency_id"] == a["id"]
    r = await admin.put(
        f"/api/v1/job-analyses/{sid}/cards/{c2}",
        json={"competency_id": b["id"], "polarity": "absent"},
    )
    assert r.json()["polarity"] == "absent"
    # another study's card, or a group of another study: 404 and nothing moves
    r = await admin.put(
        f"/api/v1/job-analyses/{sid}/cards/{foreign}", json={"competency_id": a["id"]}
    )
    assert r.status_code == 404
    r = await admin.put(f"/api/v1/job-analyses/{sid}/cards/{c1}", json={"competency_id": 99999})
    assert r.status_code == 404
    assert (await admin.get(f"/api/v1/job-analyses/{sid}/cards")).json()[0]["competency_id"]
    # merge: the cards move, the group goes
    r = await admin.post(
        f"/api/v1/job-analyses/{sid}/competencies/{b['id']}/merge", json={"into": a["id"]}
    )
    assert r.status_code == 200 and r.json()["cards"] == 2
    r = await admin.post(
        f"/api/v1/job-analyses/{sid}/competencies/{a['id']}/merge", json={"into": a["id"]}
    )
    assert r.status_code == 422 and "into" in r.text
    got = (await admin.get(f"/api/v1/job-analyses/{sid}")).json()
    assert [c["name"] for c in got["competencies"]] == ["Listening"]
    assert got["unsorted"] == 0
    # delete: the cards go back to the pile
    r = await admin.delete(f"/api/v1/job-analyses/{sid}/competencies/{a['id']}")
    assert r.status_code == 204
    assert (await admin.get(f"/api/v1/job-analyses/{sid}")).json()["unsorted"] == 2


async def test_proposals_decisions_apply_and_evidence(admin: AsyncTestClient) -> None:
    study, groups = await rated_study(admin)
    sid = study["id"]
    report = (await admin.get(f"/api/v1/job-analyses/{sid}/report")).json()
    by_name = {c["name"]: c for c in report["competencies"]}
    stress, comm = by_name["Stress resistance"], by_name["Communication"]
    for key in (
        "key",
        "n",
        "importance_mean",
        "rwg",
        "cvr",
        "cvr_critical",
        "needed_day_one",
        "learnable",
        "proposed",
        "decision",
    ):
        assert key in stress, key
    # six experts all say essential: CVR 1.00, critical 1.00 at N = 6 (Ayre & Scally 2014)
    assert stress["n"] == 6 and stress["cvr"] == 1.0 and stress["cvr_critical"] == 1.0
    assert stress["proposed"] == {"select_for": True, "develop": False}
    assert comm["proposed"] == {"select_for": False, "develop": True}
    assert stress["decision"]["select_for"] is None
    # an override needs a reason
    r = await admin.put(
        f"/api/v1/job-analyses/{sid}/decisions/{groups['Stress resistance']}",
        json={"select_for": True, "develop": True},
    )
    assert r.status_code == 422 and "reason" in r.text
    r = await admin.put(
        f"/api/v1/job-analyses/{sid}/decisions/{groups['Stress resistance']}",
        json={"select_for": True, "develop": True, "reason": "The mentor still works on it"},
    )
    assert r.status_code == 200, r.text
    r = await admin.post(f"/api/v1/job-analyses/{sid}/apply")
    assert r.status_code == 409 and "decide" in r.text
    r = await admin.post(f"/api/v1/job-analyses/{sid}/decisions/accept")
    assert r.status_code == 200
    r = await admin.post(f"/api/v1/job-analyses/{sid}/apply")
    assert r.status_code == 200, r.text
    version = r.json()["library_version"]
    assert version >= 1
    got = (await admin.get(f"/api/v1/job-analyses/{sid}")).json()
    assert got["step"] == "applied" and got["library_version"] == version
    # the library: the role's competencies are the model, flags with their evidence
    role = (await admin.get(f"/api/v1/roles/{await role_id(admin)}")).json()
    assert role["competencies"][0]["competency"] == "stress_resistance"
    assert len(role["competencies"]) == 2
    export = (await admin.get("/api/v1/library/export")).json()
    exported = next(r for r in export["roles"] if r["key"] == "cs_operator")
    evidence = {c["competency"]: c["evidence"] for c in exported["competencies"]}
    sf = evidence["stress_resistance"]["select_for"]
    assert sf["source"] == "study" and sf["study"] == sid and sf["value"] is True
    assert sf["figures"]["cvr"] == 1.0 and sf["experts"]["n"] == 6
    assert sf["experts"]["manager"] == 2 and sf["experts"]["incumbent"] == 4
    dev = evidence["stress_resistance"]["develop"]
    assert dev["overridden"] is True and dev["reason"] == "The mentor still works on it"
    new_key = next(k for k in evidence if k != "stress_resistance")
    competency = next(c for c in export["competencies"] if c["key"] == new_key)
    assert competency["develop"] is True and competency["select_for"] is False
    assert [i["text"] for i in competency["indicators"]] == ["Explains the tariff in plain words"]
    # an applied study is closed
    r = await admin.patch(f"/api/v1/job-analyses/{sid}", json={"step": "decide"})
    assert r.status_code == 409


async def test_the_report_in_every_format(admin: AsyncTestClient) -> None:
    study, _ = await rated_study(admin)
    sid = study["id"]
    await admin.post(f"/api/v1/job-analyses/{sid}/decisions/accept")
    html = await admin.get(f"/api/v1/job-analyses/{sid}/report", params={"format": "html"})
    assert html.status_code == 200 and "Stress resistance" in html.text
    assert "Expert incumbent 0" not in html.text and "incumbent0@" not in html.text
    assert "criterion" in html.text  # the note on select-for competencies
    sv = await admin.get(
        f"/api/v1/job-analyses/{sid}/report", params={"format": "html", "lang": "sv"}
    )
    assert sv.status_code == 200 and '<html lang="sv"' in sv.text
    assert "Stress resistance" in sv.text  # the group's name, as the facilitator wrote it
    pdf = await admin.get(f"/api/v1/job-analyses/{sid}/report", params={"format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    text = (await admin.get(f"/api/v1/job-analyses/{sid}/report", params={"format": "csv"})).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["name"] for r in rows} == {"Stress resistance", "Communication"}


async def test_figures_are_withheld_below_three_experts(admin: AsyncTestClient) -> None:
    study = await new_study(admin)
    sid = study["id"]
    tokens = await invite(admin, sid, 2)
    card = await write_card(admin, tokens[0], "Keeps calm")
    await step(admin, sid, "sort")
    g = (await admin.post(f"/api/v1/job-analyses/{sid}/competencies", json={"name": "Calm"})).json()
    await admin.put(f"/api/v1/job-analyses/{sid}/cards/{card}", json={"competency_id": g["id"]})
    await step(admin, sid, "rate")
    for t in tokens:
        await rate(admin, t, g["id"], SCREEN)
    await step(admin, sid, "decide")
    c = (await admin.get(f"/api/v1/job-analyses/{sid}/report")).json()["competencies"][0]
    assert c["shown"] is False and c["importance_mean"] is None and c["cvr"] is None
    assert c["proposed"] == {"select_for": False, "develop": False}
    text = (await admin.get(f"/api/v1/job-analyses/{sid}/report", params={"format": "csv"})).text
    assert "5.0" not in text


async def test_an_experts_data_is_exported_and_erased_on_request(admin: AsyncTestClient) -> None:
    """A data-protection request: the expert sees their own cards and ratings, and erasure
    removes them (the study's figures are computed without them from then on)."""
    study, _ = await rated_study(admin)
    sid = study["id"]
    r = await admin.get("/api/v1/privacy/person", params={"email": "incumbent0@example.org"})
    assert r.status_code == 200, r.text
    [mine] = r.json()["as_job_analysis_expert"]
    assert mine["kind"] == "incumbent" and mine["cards"][0]["text"].startswith("Stays calm")
    assert {x["competency"] for x in mine["ratings"]} == {"Stress resistance", "Communication"}
    r = await admin.post("/api/v1/privacy/person/erase", params={"email": "incumbent0@example.org"})
    assert r.status_code == 200 and r.json()["erased"]["job_analysis_experts"] == 1
    report = (await admin.get(f"/api/v1/job-analyses/{sid}/report")).json()
    assert {c["n"] for c in report["competencies"]} == {5}
    cards = (await admin.get(f"/api/v1/job-analyses/{sid}/cards")).json()
    assert not any(c["text"] == "Stays calm with angry caller 0" for c in cards)


async def test_the_reports_weights_are_those_the_library_gets(admin: AsyncTestClient) -> None:
    """A competency decided neither flag is left out of the role, and out of the weights:
    the report shows it without a weight and the others with the role's weights."""
    study, groups = await rated_study(admin)
    sid = study["id"]
    third = (
        await admin.post(f"/api/v1/job-analyses/{sid}/competencies", json={"name": "Typing"})
    ).status_code
    assert third == 409  # the model is fixed once rated: two groups it is
    r = await admin.put(
        f"/api/v1/job-analyses/{sid}/decisions/{groups['Communication']}",
        json={"select_for": False, "develop": False, "reason": "Trained for everyone anyway"},
    )
    assert r.status_code == 200, r.text
    await admin.post(f"/api/v1/job-analyses/{sid}/decisions/accept")
    assert (await admin.post(f"/api/v1/job-analyses/{sid}/apply")).status_code == 200
    report = {
        c["name"]: c
        for c in (await admin.get(f"/api/v1/job-analyses/{sid}/report")).json()["competencies"]
    }
    role = (await admin.get(f"/api/v1/roles/{await role_id(admin)}")).json()
    assert [c["competency"] for c in role["competencies"]] == ["stress_resistance"]
    assert report["Communication"]["weight"] is None
    assert report["Stress resistance"]["weight"] == role["competencies"][0]["weight"] == 1.0


async def test_cards_that_say_the_same_are_one_indicator(admin: AsyncTestClient) -> None:
    """Equal cards (case and spacing aside) are one indicator, in the report with the number
    of cards behind it and in the library once."""
    study = await new_study(admin)
    sid = study["id"]
    tokens = await invite(admin, sid, 3)
    cards = [
        await write_card(admin, tokens[0], "Keeps calm"),
        await write_card(admin, tokens[1], "keeps  CALM"),
        await write_card(admin, tokens[2], "Asks before answering"),
    ]
    await step(admin, sid, "sort")
    group = (
        await admin.post(f"/api/v1/job-analyses/{sid}/competencies", json={"name": "Poise"})
    ).json()["id"]
    for card in cards:
        await admin.put(f"/api/v1/job-analyses/{sid}/cards/{card}", json={"competency_id": group})
    await step(admin, sid, "rate")
    for t in tokens:
        await rate(admin, t, group, SCREEN)
    await step(admin, sid, "decide")
    report = (await admin.get(f"/api/v1/job-analyses/{sid}/report")).json()
    [poise] = report["competencies"]
    assert [(i["text"], i["cards"]) for i in poise["indicators"]] == [
        ("Keeps calm", 2),
        ("Asks before answering", 1),
    ]
    await admin.post(f"/api/v1/job-analyses/{sid}/decisions/accept")
    r = await admin.put(
        f"/api/v1/job-analyses/{sid}/decisions/{group}",
        json={"select_for": False, "develop": True, "reason": "Three experts only"},
    )
    assert r.status_code == 200, r.text
    assert (await admin.post(f"/api/v1/job-analyses/{sid}/apply")).status_code == 200
    export = (await admin.get("/api/v1/library/export")).json()
    made = next(c for c in export["competencies"] if c["key"] == "poise")
    assert [i["text"] for i in made["indicators"]] == ["Keeps calm", "Asks before answering"]


async def test_deciding_a_competency_of_another_study_is_not_found(
    admin: AsyncTestClient,
) -> None:
    study, _ = await rated_study(admin)
    other, other_groups = await rated_study(admin)
    body = {"select_for": True, "develop": True, "reason": "Mallory says so"}
    for draft in (99999, other_groups["Communication"]):
        r = await admin.put(f"/api/v1/job-analyses/{study['id']}/decisions/{draft}", json=body)
        assert r.status_code == 404, r.text
    got = (await admin.get(f"/api/v1/job-analyses/{other['id']}")).json()
    assert all(c["select_for"] is None for c in got["competencies"])
