"""The evidence behind every flag: a study's model applied to a role as a library version,
hand changes that say so (editor, API, import), role saves that keep it, export/import
that carry it, and the role and competency pages that show why each flag stands."""

from __future__ import annotations

import asyncio
import html
import json
import re
from typing import Any

from litestar.testing import AsyncTestClient

from assessments.competency import Indicator
from server.core.db import loads, utcnow
from server.core.errors import Invalid
from server.library.versions import (
    AppliedCompetency,
    apply_role_model,
    get_version,
    list_versions,
)
from server.tables import Competency, JobAnalysis, LibraryVersion, Role, RoleCompetency
from tests.conftest import TABLES_IN_DELETE_ORDER
from tests.integration.library.page_forms import (
    browser_form,
    location,
    post_fields,
    set_field,
)

ADMIN = "admin@test.example"  # the admin fixture's e-mail
NOTHING = {"source": "hand"}  # what a flag with nothing recorded reads as


async def role_id(key: str) -> int:
    row = await Role.select(Role.id).where(Role.key == key).first()
    assert row is not None, key
    return int(row["id"])


async def new_study(role_key: str, name: str = "Operators 2026") -> int:
    row = JobAnalysis(
        name=name, role=await role_id(role_key), step="decide", rules={}, created_at=utcnow()
    )
    await row.save()
    return int(row.id)


def study_evidence(study: int, value: bool, name: str = "Operators 2026", **more: Any) -> dict:
    """Evidence of a study as the job-analysis slice writes it (the figures of issue 17's
    example: five experts, CVR .60 against a critical value of .99)."""
    return {
        "source": "study",
        "value": value,
        "study": study,
        "study_name": name,
        "date": "2026-12-03",
        "experts": {"n": 5, "incumbent": 3, "manager": 1, "trainer": 1},
        "proposed": value,
        "overridden": False,
        "reason": "",
        "figures": {
            "n": 5,
            "importance_mean": 4.4,
            "importance_rwg": 0.85,
            "criticality": 18.2,
            "needed_day_one": 0.8,
            "learnable": 0.2,
            "cvr": 0.6,
            "cvr_critical": 0.99,
            "n_essential": 4,
        },
        **more,
    }


async def stored_evidence(role_key: str) -> dict[str, dict[str, Any]]:
    """``{competency key: evidence}`` of a role, as stored."""
    rows = await RoleCompetency.select(
        RoleCompetency.competency.key.as_alias("key"), RoleCompetency.evidence
    ).where(RoleCompetency.role == await role_id(role_key))
    return {r["key"]: loads(r["evidence"]) or {} for r in rows}


async def flags(key: str) -> tuple[bool, bool]:
    row = (
        await Competency.select(Competency.select_for, Competency.develop)
        .where(Competency.key == key)
        .first()
    )
    assert row is not None, key
    return bool(row["select_for"]), bool(row["develop"])


def applied(
    key: str, select_for: bool, develop: bool, study: int, **more: Any
) -> AppliedCompetency:
    evidence = {
        "select_for": study_evidence(study, select_for),
        "develop": study_evidence(study, develop),
    }
    values: dict[str, Any] = {
        "key": key,
        "name": key.replace("_", " ").capitalize(),
        "definition": "",
        "select_for": select_for,
        "develop": develop,
        "evidence": evidence,
        **more,
    }
    return AppliedCompetency(**values)


def operator_model(study: int) -> list[AppliedCompetency]:
    """cs_operator's model: communication becomes select-for (it is shared with two other
    roles), empathy keeps its flags, and a draft group becomes a new competency."""
    return [
        applied("customer_orientation", True, False, study, weight=2.0, required_level=4),
        applied("communication", True, True, study, weight=1.5, required_level=4),
        applied("empathy", False, True, study, weight=0.5, required_level=2),
        applied(
            "calm_under_fire",
            True,
            False,
            study,
            create=True,
            name="Calm under fire",
            definition="Keeps a steady voice and a clear head when a caller shouts.",
            indicators=(
                Indicator(key=None, text="Lowers the voice when the caller raises it."),
                Indicator(key=None, text="Hangs up on an angry caller.", polarity="absent"),
            ),
            weight=1.0,
            required_level=3,
        ),
    ]


def page_text(page: str) -> str:
    """A page's text as read, links kept as ``<a href=...>`` (other tags dropped)."""
    return html.unescape(re.sub(r"<(?!/?a\b)[^>]+>", "", page))


def today() -> set[str]:
    """Today's date as a hand change records it (a set: the test may run over midnight)."""
    return {utcnow().date().isoformat()}


# ---- applying a study's model ------------------------------------------------------------


async def test_apply_writes_flags_weights_levels_evidence_and_a_version(
    admin: AsyncTestClient, demo_library: None
) -> None:
    study = await new_study("cs_operator")
    # merchant_support's communication already carries evidence of its own (an earlier study)
    other = await new_study("merchant_support", "Merchants 2025")
    merchants_before = study_evidence(other, True, "Merchants 2025")
    ms = await role_id("merchant_support")
    await RoleCompetency.update({RoleCompetency.evidence: {"develop": merchants_before}}).where(
        (RoleCompetency.role == ms)
        & (RoleCompetency.competency == (await competency_id("communication")))
    )
    assert await flags("communication") == (False, True)
    before_dates = today()

    number = await apply_role_model(
        await role_id("cs_operator"),
        operator_model(study),
        user_id=None,
        study_id=study,
        user_label="facilitator@test.example",
    )

    assert number == 1
    # flags are the competency's: set for every role
    assert await flags("communication") == (True, True)
    assert await flags("customer_orientation") == (True, False)
    assert await flags("empathy") == (False, True)
    # the draft group became a competency of the role's area, its indicators keyed
    new = (
        await Competency.select(
            Competency.key, Competency.area.key, Competency.indicators, Competency.definition
        )
        .where(Competency.key == "calm_under_fire")
        .first()
    )
    assert new is not None and new["area.key"] == "service_delivery"
    assert [i["key"] for i in loads(new["indicators"])] == ["i1", "i2"]
    assert await flags("calm_under_fire") == (True, False)
    # the role's requirements are the model's, in its order
    r = await admin.get(f"/api/v1/roles/{await role_id('cs_operator')}")
    reqs = r.json()["competencies"]
    assert [(q["competency"], q["weight"], q["required_level"]) for q in reqs] == [
        ("customer_orientation", 2.0, 4),
        ("communication", 1.5, 4),
        ("empathy", 0.5, 2),
        ("calm_under_fire", 1.0, 3),
    ]
    # each flag carries the study's evidence with the version's number
    stored = await stored_evidence("cs_operator")
    assert stored["communication"]["select_for"] == {
        **study_evidence(study, True),
        "library_version": 1,
    }
    assert reqs[1]["evidence"]["select_for"] == stored["communication"]["select_for"]
    assert stored["calm_under_fire"]["develop"]["value"] is False
    # another role's evidence is left alone, except the flag the study changed: marked
    merchants = await stored_evidence("merchant_support")
    assert merchants["communication"]["develop"] == merchants_before
    mark = merchants["communication"]["select_for"]
    assert mark["source"] == "hand" and mark["value"] is True
    assert mark["by"] == "job analysis of Customer service operator"
    assert mark["date"] in before_dates | today()
    assert mark["study"] == study and mark["role_name"] == "Customer service operator"
    assert "earlier" not in mark  # nothing was recorded before
    # a flag the study did not change is not marked anywhere else
    assert merchants["customer_orientation"] == {}
    team = await stored_evidence("team_lead")
    assert team["communication"]["select_for"]["by"] == "job analysis of Customer service operator"
    # the version holds the role before and after
    version = await get_version(1)
    assert version.role_name == "Customer service operator" and version.study_id == study
    assert version.by == "facilitator@test.example" and version.source == "job_analysis"
    assert len(version.before["requirements"]) == 10
    assert version.before["flags"]["communication"] == {"select_for": False, "develop": True}
    assert [q["competency"] for q in version.after["requirements"]] == [
        "customer_orientation",
        "communication",
        "empathy",
        "calm_under_fire",
    ]
    assert version.after["flags"]["communication"] == {"select_for": True, "develop": True}
    assert version.after["flags"]["calm_under_fire"] == {"select_for": True, "develop": False}
    assert "calm_under_fire" not in version.before["flags"]

    # applied again (a second study): the next number, and a taken key gets a suffix
    again = await new_study("cs_operator", "Operators 2027")
    model = operator_model(again)
    number = await apply_role_model(
        await role_id("cs_operator"), model, user_id=None, study_id=again, user_label="x"
    )
    assert number == 2
    assert await Competency.exists().where(Competency.key == "calm_under_fire_2")
    assert [v.number for v in await list_versions(await role_id("cs_operator"))] == [2, 1]
    assert await list_versions(await role_id("team_lead")) == []


async def competency_id(key: str) -> int:
    row = await Competency.select(Competency.id).where(Competency.key == key).first()
    assert row is not None, key
    return int(row["id"])


async def test_concurrent_applies_get_distinct_numbers(demo_library: None) -> None:
    first = await new_study("cs_operator")
    second = await new_study("team_lead", "Leads 2026")
    numbers = await asyncio.gather(
        apply_role_model(
            await role_id("cs_operator"),
            operator_model(first),
            user_id=None,
            study_id=first,
            user_label="a",
        ),
        apply_role_model(
            await role_id("team_lead"),
            [applied("coaching_others", False, True, second)],
            user_id=None,
            study_id=second,
            user_label="b",
        ),
    )
    assert sorted(numbers) == [1, 2]
    assert await LibraryVersion.count() == 2


async def test_a_bad_model_is_refused_naming_the_field_and_nothing_changes(
    demo_library: None,
) -> None:
    study = await new_study("cs_operator")
    before = await stored_evidence("cs_operator")
    bad = [
        applied("communication", True, True, study, weight=0.0),
        applied("no_such_competency", False, True, study),
    ]
    try:
        await apply_role_model(
            await role_id("cs_operator"), bad, user_id=None, study_id=study, user_label="x"
        )
    except Invalid as exc:
        assert [p.path for p in exc.problems] == ["competencies[0].weight"]
    else:
        raise AssertionError("a weight of 0 was applied")
    try:
        await apply_role_model(
            await role_id("cs_operator"),
            [applied("communication", True, True, study), bad[1]],
            user_id=None,
            study_id=study,
            user_label="x",
        )
    except Invalid as exc:
        assert [p.path for p in exc.problems] == ["competencies[1].key"]
    else:
        raise AssertionError("an unknown competency was applied")
    wrong_value = applied("communication", True, True, study)
    wrong = AppliedCompetency(
        **{**wrong_value.__dict__, "evidence": {"develop": study_evidence(study, False)}}
    )
    try:
        await apply_role_model(
            await role_id("cs_operator"), [wrong], user_id=None, study_id=study, user_label="x"
        )
    except Invalid as exc:
        assert [p.path for p in exc.problems] == ["competencies[0].evidence.develop.value"]
    else:
        raise AssertionError("evidence that contradicts its flag was applied")
    rumour = AppliedCompetency(
        **{**wrong_value.__dict__, "evidence": {"select_for": {"source": "rumour"}, "hire": {}}}
    )
    try:
        await apply_role_model(
            await role_id("cs_operator"), [rumour], user_id=None, study_id=study, user_label="x"
        )
    except Invalid as exc:
        assert [p.path for p in exc.problems] == [
            "competencies[0].evidence.select_for.source",
            "competencies[0].evidence.hire",
        ]
    else:
        raise AssertionError("evidence of an unknown source was applied")
    assert await LibraryVersion.count() == 0
    assert await flags("communication") == (False, True)
    assert await stored_evidence("cs_operator") == before


# ---- hand changes ------------------------------------------------------------------------


async def applied_operators(study_name: str = "Operators 2026") -> int:
    study = await new_study("cs_operator", study_name)
    await apply_role_model(
        await role_id("cs_operator"),
        operator_model(study),
        user_id=None,
        study_id=study,
        user_label="x",
    )
    return study


async def test_a_flag_changed_through_the_api_is_marked_on_every_role(
    admin: AsyncTestClient, demo_library: None
) -> None:
    study = await applied_operators()
    cid = await competency_id("communication")
    c = (await admin.get(f"/api/v1/competencies/{cid}")).json()
    study_develop = (await stored_evidence("cs_operator"))["communication"]["develop"]
    c.pop("id")
    c["select_for"] = False  # develop stays as it is
    r = await admin.put(f"/api/v1/competencies/{cid}", json=c)
    assert r.status_code == 200, r.text
    operators = (await stored_evidence("cs_operator"))["communication"]
    mark = operators["select_for"]
    assert mark["source"] == "hand" and mark["value"] is False and mark["by"] == ADMIN
    assert mark["date"] in today()
    assert mark["earlier"] == {**study_evidence(study, True), "library_version": 1}
    assert operators["develop"] == study_develop  # the unchanged flag keeps its evidence
    # merchant_support had a mark from the study; the new mark keeps it as earlier
    merchants = (await stored_evidence("merchant_support"))["communication"]["select_for"]
    assert merchants["by"] == ADMIN and merchants["value"] is False
    assert merchants["earlier"]["by"] == "job analysis of Customer service operator"
    # changed back: the chain stays bounded (this change, the one before, the study)
    c["select_for"] = True
    assert (await admin.put(f"/api/v1/competencies/{cid}", json=c)).status_code == 200
    mark = (await stored_evidence("cs_operator"))["communication"]["select_for"]
    assert mark["value"] is True and mark["earlier"]["value"] is False
    assert mark["earlier"]["earlier"]["source"] == "study"
    assert "earlier" not in mark["earlier"]["earlier"]
    # an edit that changes no flag changes no evidence
    before = await stored_evidence("cs_operator")
    c["definition"] = "Says what is needed, clearly, in the customer's words."
    assert (await admin.put(f"/api/v1/competencies/{cid}", json=c)).status_code == 200
    assert await stored_evidence("cs_operator") == before


async def test_a_flag_changed_in_the_editor_is_marked(
    admin: AsyncTestClient, demo_library: None
) -> None:
    study = await applied_operators()
    cid = await competency_id("empathy")
    page = await admin.get(f"/app/competencies/{cid}/edit")
    assert page.status_code == 200
    assert "recorded as set by hand" in page.text
    fields = browser_form(page.text, f"/app/competencies/{cid}")
    fields.append(["select_for", "on"])  # tick "Select for"
    r = await post_fields(admin, f"/app/competencies/{cid}", fields)
    assert location(r) == f"/app/competencies/{cid}"
    assert await flags("empathy") == (True, True)
    operators = (await stored_evidence("cs_operator"))["empathy"]
    assert operators["select_for"]["by"] == ADMIN
    assert operators["select_for"]["value"] is True
    assert operators["select_for"]["earlier"]["study"] == study
    assert operators["develop"]["source"] == "study"  # unchanged
    # the competency page says so, with the study that had proposed otherwise
    shown = page_text((await admin.get(f"/app/competencies/{cid}")).text)
    assert re.search(
        r"Select for: yes — set by hand by admin@test\.example on \d{4}-\d\d-\d\d, "
        r"after job analysis “<a href=\"/app/job-analyses/\d+\">Operators 2026</a>” "
        r"had proposed against it",
        shown,
    ), shown


async def test_saving_the_role_keeps_the_evidence(
    admin: AsyncTestClient, demo_library: None
) -> None:
    await applied_operators()
    before = await stored_evidence("cs_operator")
    rid = await role_id("cs_operator")
    page = await admin.get(f"/app/roles/{rid}/edit")
    fields = browser_form(page.text, f"/app/roles/{rid}")
    set_field(fields, "req_weight", "3.0", nth=2)  # empathy's weight
    set_field(fields, "description", "Answers customers on the phone.")
    r = await post_fields(admin, f"/app/roles/{rid}", fields)
    assert location(r) == f"/app/roles/{rid}"
    assert await stored_evidence("cs_operator") == before
    # through the API, as read (evidence shown) and without evidence: kept both times
    body = (await admin.get(f"/api/v1/roles/{rid}")).json()
    body.pop("id")
    assert (await admin.put(f"/api/v1/roles/{rid}", json=body)).status_code == 200
    assert await stored_evidence("cs_operator") == before
    for q in body["competencies"]:
        q.pop("evidence")
    body["competencies"].reverse()
    assert (await admin.put(f"/api/v1/roles/{rid}", json=body)).status_code == 200
    assert await stored_evidence("cs_operator") == before
    # a competency taken off the role and put back has nothing recorded any more
    body["competencies"] = [q for q in body["competencies"] if q["competency"] != "empathy"]
    assert (await admin.put(f"/api/v1/roles/{rid}", json=body)).status_code == 200
    body["competencies"].append({"competency": "empathy"})
    assert (await admin.put(f"/api/v1/roles/{rid}", json=body)).status_code == 200
    assert (await stored_evidence("cs_operator"))["empathy"] == {}


# ---- export and import -------------------------------------------------------------------


async def empty_library() -> None:
    for table in TABLES_IN_DELETE_ORDER:
        if table.__name__ not in ("StaffSession", "LoginThrottle", "StaffUser"):
            await table.delete(force=True)


async def test_export_and_import_carry_the_evidence(
    admin: AsyncTestClient, demo_library: None
) -> None:
    study = await applied_operators()
    first = await admin.get("/api/v1/library/export")
    doc = json.loads(first.content)
    roles = {r["key"]: r for r in doc["roles"]}
    operators = {q["competency"]: q for q in roles["cs_operator"]["competencies"]}
    assert operators["communication"]["evidence"]["select_for"] == {
        **study_evidence(study, True),
        "library_version": 1,
    }
    leads = {q["competency"]: q for q in roles["team_lead"]["competencies"]}
    assert leads["coaching_others"]["evidence"] == {"select_for": NOTHING, "develop": NOTHING}
    assert leads["communication"]["evidence"]["select_for"]["source"] == "hand"
    yaml_first = await admin.get("/api/v1/library/export?format=yaml")
    assert b"library_version: 1" in yaml_first.content

    await empty_library()
    r = await admin.post(
        "/api/v1/library/import",
        content=first.content,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200, r.text
    second = await admin.get("/api/v1/library/export")
    assert second.content == first.content
    assert (await stored_evidence("team_lead"))["coaching_others"] == {}  # nothing recorded
    await empty_library()
    r = await admin.post(
        "/api/v1/library/import",
        content=yaml_first.content,
        headers={"content-type": "application/yaml"},
    )
    assert r.status_code == 200, r.text
    assert (await admin.get("/api/v1/library/export?format=yaml")).content == yaml_first.content


async def test_an_import_that_changes_a_flag_without_evidence_marks_it(
    admin: AsyncTestClient, demo_library: None
) -> None:
    study = await applied_operators()
    doc = json.loads((await admin.get("/api/v1/library/export")).content)
    for c in doc["competencies"]:
        if c["key"] == "empathy":
            c["select_for"] = True
        if c["key"] == "customer_orientation":
            c["develop"] = True
    # the document brings its own evidence for customer_orientation's develop on cs_operator
    brought = {"source": "hand", "value": True, "by": "hr@test.example", "date": "2026-12-01"}
    for r in doc["roles"]:
        for q in r["competencies"]:
            if r["key"] == "cs_operator" and q["competency"] == "customer_orientation":
                q["evidence"]["develop"] = brought
            elif r["key"] == "cs_operator" and q["competency"] == "empathy":
                del q["evidence"]  # none given: the stored evidence is kept, then marked
    r = await admin.post("/api/v1/library/import", json=doc)
    assert r.status_code == 200, r.text
    operators = await stored_evidence("cs_operator")
    assert operators["customer_orientation"]["develop"] == brought
    mark = operators["empathy"]["select_for"]
    assert mark["source"] == "hand" and mark["by"] == "import" and mark["value"] is True
    assert mark["earlier"] == {**study_evidence(study, False), "library_version": 1}
    assert operators["empathy"]["develop"]["source"] == "study"
    merchants = await stored_evidence("merchant_support")
    assert merchants["customer_orientation"]["develop"]["by"] == "import"
    assert "earlier" not in merchants["customer_orientation"]["develop"]
    shown = page_text((await admin.get(f"/app/roles/{await role_id('cs_operator')}")).text)
    assert "Select for: yes — set by a library import on " in shown


async def test_bad_evidence_in_an_import_is_refused_naming_the_field(
    admin: AsyncTestClient, demo_library: None
) -> None:
    await applied_operators()
    first = await admin.get("/api/v1/library/export")
    doc = json.loads(first.content)
    n = [r["key"] for r in doc["roles"]].index("cs_operator")
    operators = doc["roles"][n]
    operators["competencies"][0]["evidence"]["select_for"]["source"] = "rumour"
    operators["competencies"][1]["evidence"]["hire"] = {"source": "hand"}
    operators["competencies"][2]["evidence"] = ["select_for"]
    operators["competencies"][3]["evidence"]["develop"]["earlier"] = {"value": True}
    r = await admin.post("/api/v1/library/import", json=doc)
    assert r.status_code == 422, r.text
    found = {e["key"]: e["message"] for e in r.json()["extra"]}
    at = f"roles[{n}].competencies"
    assert set(found) == {
        f"{at}[0].evidence.select_for.source",
        f"{at}[1].evidence.hire",
        f"{at}[2].evidence",
        f"{at}[3].evidence.develop.earlier.source",
    }, found
    assert "'study'" in found[f"{at}[0].evidence.select_for.source"]
    assert (await admin.get("/api/v1/library/export")).content == first.content
    # the same through the API's role update
    rid = await role_id("cs_operator")
    body = (await admin.get(f"/api/v1/roles/{rid}")).json()
    body.pop("id")
    body["competencies"][0]["evidence"] = {"select_for": {"source": "guess"}}
    r = await admin.put(f"/api/v1/roles/{rid}", json=body)
    assert r.status_code == 400, r.text  # the body's validation names the field
    assert [e["key"] for e in r.json()["extra"]] == ["competencies[0].evidence[...].source"]
    assert (await admin.get("/api/v1/library/export")).content == first.content


# ---- pages -------------------------------------------------------------------------------


async def test_role_and_competency_pages_say_why_each_flag_stands(
    admin: AsyncTestClient, demo_library: None
) -> None:
    study = await new_study("cs_operator", "Operators <script>alert(1)</script>")
    model = operator_model(study)
    overridden = study_evidence(
        study,
        True,
        "Operators <script>alert(1)</script>",
        proposed=False,
        overridden=True,
        reason="Every past intake was screened for it.",
    )
    model[1] = AppliedCompetency(
        **{**model[1].__dict__, "evidence": {**model[1].evidence, "select_for": overridden}}
    )
    await apply_role_model(
        await role_id("cs_operator"), model, user_id=None, study_id=study, user_label="x"
    )
    rid = await role_id("cs_operator")
    page = await admin.get(f"/app/roles/{rid}")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text  # the study's name is escaped
    text = page_text(page.text)
    name = "Operators <script>alert(1)</script>"
    link = f'<a href="/app/job-analyses/{study}">{name}</a>'
    line = (
        f"Select for: yes — job analysis “{link}”, 2026-12-03, 5 experts (3 incumbents, "
        "1 manager, 1 trainer); CVR .60 (critical .99), importance 4.4 of 5, 80 % say needed "
        "on day one, 20 % learnable"
    )
    assert line in text, text
    assert line + "; proposed otherwise; reason: Every past intake was screened for it." in text
    # calm_under_fire (its evidence names the study as operator_model wrote it)
    plain = f'<a href="/app/job-analyses/{study}">Operators 2026</a>'
    assert f"Develop: no — job analysis “{plain}”, 2026-12-03" in text
    # the version list: number, by, the study
    versions = text[text.index("Library versions of this role") :]
    assert re.search(
        rf"1\s*\d{{4}}-\d\d-\d\d \d\d:\d\d\s*x\s*job analysis “{re.escape(link)}”", versions
    )
    # a role no study has touched: flags set by hand, no version
    lead = page_text((await admin.get(f"/app/roles/{await role_id('team_lead')}")).text)
    assert "Develop: yes — set by hand" in lead
    assert "No job analysis has been applied to this role yet" in lead
    assert (
        "Select for: yes — changed on " in lead
        and "by job analysis “" in lead
        and "” of the role “Customer service operator”" in lead
    )
    # the competency page shows it per role that has the competency
    comp = await admin.get(f"/app/competencies/{await competency_id('communication')}")
    shown = page_text(comp.text)
    assert "Why the flags stand" in shown
    assert line + "; proposed otherwise" in shown
    assert "of the role “Customer service operator”" in shown  # merchant_support, team_lead


async def test_the_export_shows_only_what_the_document_can_say(
    admin: AsyncTestClient, demo_library: None
) -> None:
    """Evidence stored with keys or values the document does not know is exported without
    them (the export never fails, and what it writes imports again)."""
    rid = await role_id("team_lead")
    stored = {
        "select_for": {"source": "study", "value": True, "study": 9, "notes": "x"},
        "develop": {
            "source": "hand",
            "value": True,
            "figures": {"cvr": "high", "n": 5},
            "experts": {"n": 5, "manager": True},
        },
    }
    await RoleCompetency.update({RoleCompetency.evidence: stored}).where(
        (RoleCompetency.role == rid)
        & (RoleCompetency.competency == await competency_id("crisis_composure"))
    )
    r = await admin.get("/api/v1/library/export")
    assert r.status_code == 200
    lead = next(x for x in json.loads(r.content)["roles"] if x["key"] == "team_lead")
    shown = next(q for q in lead["competencies"] if q["competency"] == "crisis_composure")
    assert shown["evidence"] == {
        "select_for": {"source": "study", "value": True, "study": 9},
        "develop": {"source": "hand", "value": True, "figures": {"n": 5}, "experts": {"n": 5}},
    }
    r = await admin.post(
        "/api/v1/library/import", content=r.content, headers={"content-type": "application/json"}
    )
    assert r.status_code == 200, r.text
