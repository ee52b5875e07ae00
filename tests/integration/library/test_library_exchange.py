"""Library export/import: exact round trip in JSON and YAML, all-or-nothing validation."""

from __future__ import annotations

import json

import yaml
from litestar.testing import AsyncTestClient

from server.bootstrap import DEMO_LIBRARY
from server.tables import Competency, CompetencyArea, Role, RoleCompetency
from tests.conftest import TABLES_IN_DELETE_ORDER, login


async def empty_library() -> None:
    for table in TABLES_IN_DELETE_ORDER:
        if table.__name__ in ("StaffSession", "LoginThrottle", "StaffUser"):
            continue
        await table.delete(force=True)


async def test_import_into_empty_database_then_export_round_trips(admin: AsyncTestClient) -> None:
    demo = DEMO_LIBRARY.read_bytes()
    r = await admin.post(
        "/api/v1/library/import", content=demo, headers={"content-type": "application/yaml"}
    )
    assert r.status_code == 200, r.text
    counts = r.json()
    assert counts["competencies"] >= 8 and counts["created"] == (
        counts["areas"] + counts["competencies"] + counts["roles"]
    )
    first = await admin.get("/api/v1/library/export")
    assert first.headers["content-type"].startswith("application/json")
    assert "attachment" in first.headers["content-disposition"]
    # the export holds everything the file said, and says that no flag has evidence
    # recorded (the demo file gives none): each reads as set by hand
    said = yaml.safe_load(demo)
    nothing = {"source": "hand"}
    for role in said["roles"]:
        for q in role["competencies"]:
            q["evidence"] = {"select_for": nothing, "develop": nothing}
    assert json.loads(first.content) == {
        "format": "competency-library",
        "version": 1,
        **{k: v for k, v in said.items() if k not in ("format", "version")},
    }
    await empty_library()
    r = await admin.post(
        "/api/v1/library/import",
        content=first.content,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200
    second = await admin.get("/api/v1/library/export")
    assert second.content == first.content


async def test_yaml_round_trip(admin: AsyncTestClient, demo_library: None) -> None:
    first = await admin.get("/api/v1/library/export?format=yaml")
    assert first.headers["content-type"].startswith("application/yaml")
    russian_area = yaml.safe_load(DEMO_LIBRARY.read_text())["areas"][0]["translations"]["ru"]
    assert russian_area["name"].encode() in first.content  # UTF-8 text, not \u escapes
    by_accept = await admin.get("/api/v1/library/export", headers={"accept": "application/yaml"})
    assert by_accept.content == first.content
    await empty_library()
    r = await admin.post(
        "/api/v1/library/import",
        content=first.content,
        headers={"content-type": "application/x-yaml"},
    )
    assert r.status_code == 200, r.text
    second = await admin.get("/api/v1/library/export?format=yaml")
    assert second.content == first.content


async def test_reimport_updates_by_key_and_keeps_others(
    admin: AsyncTestClient, demo_library: None
) -> None:
    doc = (await admin.get("/api/v1/library/export")).json()
    extra = {"key": "extra_one", "name": "Extra", "definition": "d", "develop": True}
    await admin.post("/api/v1/competencies", json=extra)
    before = await Competency.count()
    doc["competencies"][0]["name"] = "Renamed by import"
    r = await admin.post("/api/v1/library/import", json=doc)
    assert r.status_code == 200
    assert r.json()["created"] == 0
    assert r.json()["updated"] == len(doc["areas"]) + len(doc["competencies"]) + len(doc["roles"])
    assert await Competency.count() == before
    renamed = await Competency.select(Competency.name).where(
        Competency.key == doc["competencies"][0]["key"]
    )
    assert renamed[0]["name"] == "Renamed by import"
    assert await Competency.exists().where(Competency.key == "extra_one")


async def test_invalid_import_reports_every_problem_and_changes_nothing(
    admin: AsyncTestClient, demo_library: None
) -> None:
    doc = (await admin.get("/api/v1/library/export")).json()
    counts = [await t.count() for t in (CompetencyArea, Competency, Role, RoleCompetency)]
    original = (await admin.get("/api/v1/library/export")).content
    doc["competencies"][0]["name"] = "Changed but must not be saved"
    doc["competencies"][3]["indicators"][0]["polarity"] = "sideways"
    doc["competencies"][1]["select_for"] = "yes"
    doc["roles"][0]["competencies"][0]["required_level"] = 9
    doc["areas"][0]["colour"] = "blue"
    r = await admin.post("/api/v1/library/import", json=doc)
    assert r.status_code == 422
    body = r.json()
    assert "nothing was changed" in body["detail"]
    problems = {e["key"]: e["message"] for e in body["extra"]}
    assert set(problems) == {
        "competencies[3].indicators[0].polarity",
        "competencies[1].select_for",
        "roles[0].competencies[0].required_level",
        "areas[0].colour",
    }
    assert "present" in problems["competencies[3].indicators[0].polarity"]
    assert counts == [await t.count() for t in (CompetencyArea, Competency, Role, RoleCompetency)]
    assert (await admin.get("/api/v1/library/export")).content == original


async def test_import_reference_errors_are_all_reported(admin: AsyncTestClient) -> None:
    doc = {
        "areas": [{"key": "a", "name": "A"}],
        "competencies": [
            {"key": "c1", "name": "C1", "definition": "d", "develop": True, "area": "zz"},
            {"key": "c1", "name": "C1 again", "definition": "d", "select_for": True},
            {"key": "c3", "name": "C3", "definition": "d"},
        ],
        "roles": [{"key": "r", "name": "R", "competencies": [{"competency": "nope"}]}],
    }
    r = await admin.post("/api/v1/library/import", json=doc)
    assert r.status_code == 422
    paths = {e["key"] for e in r.json()["extra"]}
    assert paths == {
        "competencies[0].key",
        "competencies[1].key",
        "competencies[0].area",
        "competencies[2].select_for",
        "roles[0].competencies[0].competency",
    }
    assert await Competency.count() == 0 and await CompetencyArea.count() == 0


async def test_import_may_reference_stored_records(
    admin: AsyncTestClient, demo_library: None
) -> None:
    doc = {
        "roles": [
            {
                "key": "night_shift",
                "name": "Night shift operator",
                "area": "service_delivery",
                "competencies": [{"competency": "stress_resistance", "required_level": 5}],
            }
        ]
    }
    r = await admin.post("/api/v1/library/import", json=doc)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 1


async def test_unparseable_and_unsupported_bodies(admin: AsyncTestClient) -> None:
    r = await admin.post(
        "/api/v1/library/import",
        content=b"areas: [unclosed",
        headers={"content-type": "application/yaml"},
    )
    assert r.status_code == 400 and "YAML" in r.json()["detail"]
    r = await admin.post(
        "/api/v1/library/import", content=b"{", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "JSON" in r.json()["detail"]
    r = await admin.post(
        "/api/v1/library/import", content=b"<xml/>", headers={"content-type": "text/xml"}
    )
    assert r.status_code == 415
    r = await admin.post(
        "/api/v1/library/import", content=b"- 1\n- 2\n", headers={"content-type": "text/yaml"}
    )
    assert r.status_code == 422
    assert r.json()["extra"][0]["key"] == "document"


async def test_recruiters_may_export_but_not_import(client: AsyncTestClient) -> None:
    await login(client, "recruiter")
    assert (await client.get("/api/v1/library/export")).status_code == 200
    r = await client.post("/api/v1/library/import", json={})
    assert r.status_code == 403
