"""The library API: filters, CRUD, localisation, bad input, roles and conflicts."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.tables import Competency, Role, RoleCompetency
from tests.conftest import login

pytestmark = pytest.mark.usefixtures("demo_library")


def new_competency(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "key": "active_listening",
        "name": "Active listening",
        "definition": "Hears out the customer fully before answering.",
        "develop": True,
        "area": "service_delivery",
        "indicators": [
            {"text": "Summarises the request before proposing a solution"},
            {"text": "Talks over the customer", "polarity": "absent"},
            {"text": "Asks one clarifying question at a time", "key": "i1"},
        ],
        "measures": [{"name": "Quality score", "kind": "kpi"}],
        "activities": [{"kind": "training", "module": "call_control", "title": "Call control"}],
        "translations": {"ru": {"name": "Активное слушание"}},
    }
    body.update(changes)
    return body


async def test_select_for_filter_returns_only_select_for_with_indicators(
    recruiter: AsyncTestClient,
) -> None:
    r = await recruiter.get("/api/v1/competencies", params={"flag": "select_for"})
    assert r.status_code == 200
    page = r.json()
    keys = {c["key"] for c in page["items"]}
    assert {"results_orientation", "stress_resistance", "customer_orientation"} <= keys
    assert "communication" not in keys
    assert page["total"] == len(page["items"])
    for c in page["items"]:
        assert c["select_for"] is True
        assert len(c["indicators"]) >= 3
        assert {i["polarity"] for i in c["indicators"]} <= {"present", "absent"}


async def test_develop_filter_and_both_flags(recruiter: AsyncTestClient) -> None:
    items = (await recruiter.get("/api/v1/competencies?flag=develop&limit=500")).json()["items"]
    keys = {c["key"] for c in items}
    assert {"communication", "call_control", "stress_resistance"} <= keys
    assert "results_orientation" not in keys
    assert all(c["develop"] for c in items)
    stress = next(c for c in items if c["key"] == "stress_resistance")
    assert stress["select_for"] and stress["develop"]


async def test_filter_by_role_and_area(recruiter: AsyncTestClient) -> None:
    role = (await recruiter.get("/api/v1/roles")).json()["items"]
    op = next(r for r in role if r["key"] == "cs_operator")
    by_key = (await recruiter.get("/api/v1/competencies?role=cs_operator&limit=500")).json()
    by_id = (await recruiter.get(f"/api/v1/competencies?role={op['id']}&limit=500")).json()
    expected = {q["competency"] for q in op["competencies"]}
    assert {c["key"] for c in by_key["items"]} == expected
    assert by_id == by_key
    sel = await recruiter.get("/api/v1/competencies?role=cs_operator&flag=select_for")
    assert all(c["select_for"] for c in sel.json()["items"])
    area = await recruiter.get("/api/v1/competencies?area=service_delivery&limit=500")
    assert area.json()["total"] == await Competency.count()
    assert (await recruiter.get("/api/v1/competencies?role=no_such_role")).status_code == 404
    assert (await recruiter.get("/api/v1/competencies?area=nowhere")).status_code == 404


async def test_pagination(recruiter: AsyncTestClient) -> None:
    total = await Competency.count()
    first = (await recruiter.get("/api/v1/competencies?limit=5")).json()
    second = (await recruiter.get("/api/v1/competencies?limit=5&offset=5")).json()
    assert first["total"] == second["total"] == total
    assert len(first["items"]) == 5
    assert not {c["id"] for c in first["items"]} & {c["id"] for c in second["items"]}
    for bad in ("limit=0", "limit=501", "offset=-1", "limit=abc", "flag=maybe", "lang=russian"):
        r = await recruiter.get(f"/api/v1/competencies?{bad}")
        assert r.status_code == 400, bad
        assert bad.split("=")[0] in r.text


async def test_lang_returns_russian_with_english_fallback(admin: AsyncTestClient) -> None:
    created = (await admin.post("/api/v1/competencies", json=new_competency())).json()
    ru = (await admin.get(f"/api/v1/competencies/{created['id']}?lang=ru")).json()
    assert ru["name"] == "Активное слушание"
    assert ru["definition"] == "Hears out the customer fully before answering."  # fallback
    demo = (await admin.get("/api/v1/competencies?role=cs_operator&lang=ru")).json()["items"]
    assert all(any("\u0400" <= ch <= "\u04ff" for ch in c["name"]) for c in demo)
    en = (await admin.get(f"/api/v1/competencies/{created['id']}")).json()
    assert en["name"] == "Active listening"


async def test_create_read_update_delete(admin: AsyncTestClient) -> None:
    r = await admin.post("/api/v1/competencies", json=new_competency())
    assert r.status_code == 201, r.text
    c = r.json()
    # keys are given to indicators without one, never clashing with given keys
    assert [i["key"] for i in c["indicators"]] == ["i2", "i3", "i1"]
    assert c["area"] == "service_delivery"
    got = (await admin.get(f"/api/v1/competencies/{c['id']}")).json()
    assert got == c
    body = new_competency(name="Active listening skills", select_for=True)
    r = await admin.put(f"/api/v1/competencies/{c['id']}", json=body)
    assert r.status_code == 200
    assert r.json()["name"] == "Active listening skills" and r.json()["select_for"] is True
    assert (await admin.delete(f"/api/v1/competencies/{c['id']}")).status_code == 204
    assert (await admin.get(f"/api/v1/competencies/{c['id']}")).status_code == 404


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": 42}, "name"),
        ({"name": ""}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"definition": "y" * 301}, "definition"),
        ({"key": "Bad Key"}, "key"),
        ({"select_for": "yes"}, "select_for"),
        ({"indicators": [{"text": "t", "polarity": "sometimes"}]}, "polarity"),
        ({"indicators": "not a list"}, "indicators"),
        ({"measures": [{"name": "m", "kind": "gut feeling"}]}, "kind"),
        ({"translations": {"RU": {"name": "x"}}}, "translations"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_bad_competency_is_refused_naming_the_field(
    admin: AsyncTestClient, changes: dict[str, Any], field: str
) -> None:
    before = await Competency.count()
    r = await admin.post("/api/v1/competencies", json=new_competency(**changes))
    assert r.status_code == 400, r.text
    assert field in r.text
    assert await Competency.count() == before


async def test_missing_required_field(admin: AsyncTestClient) -> None:
    body = new_competency()
    del body["definition"]
    r = await admin.post("/api/v1/competencies", json=body)
    assert r.status_code == 400
    assert "definition" in r.text


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"select_for": False, "develop": False}, "select_for"),
        ({"area": "nowhere"}, "area"),
        (
            {"indicators": [{"text": "a", "key": "x1"}, {"text": "b", "key": "x1"}]},
            "indicators[0].key",
        ),
        ({"activities": [{"kind": "training", "module": "juggling", "title": "t"}]}, "module"),
    ],
)
async def test_rule_violations_are_422_with_their_path(
    admin: AsyncTestClient, changes: dict[str, Any], path: str
) -> None:
    before = await Competency.count()
    r = await admin.post("/api/v1/competencies", json=new_competency(**changes))
    assert r.status_code == 422, r.text
    assert any(path in e["key"] for e in r.json()["extra"])
    assert await Competency.count() == before


async def test_duplicate_key_is_409_and_changes_nothing(admin: AsyncTestClient) -> None:
    r = await admin.post("/api/v1/competencies", json=new_competency(key="communication"))
    assert r.status_code == 409
    assert "communication" in r.json()["detail"] and "key" in r.json()["detail"]
    first = (await admin.post("/api/v1/competencies", json=new_competency())).json()
    r = await admin.put(
        f"/api/v1/competencies/{first['id']}", json=new_competency(key="communication")
    )
    assert r.status_code == 409
    assert (await admin.get(f"/api/v1/competencies/{first['id']}")).json()["key"] == (
        "active_listening"
    )


async def test_unknown_ids_are_404(admin: AsyncTestClient) -> None:
    for method, path in [
        ("GET", "/api/v1/competencies/999999"),
        ("PUT", "/api/v1/competencies/999999"),
        ("DELETE", "/api/v1/competencies/999999"),
        ("GET", "/api/v1/roles/999999"),
        ("DELETE", "/api/v1/roles/999999"),
        ("GET", "/api/v1/competency-areas/999999"),
    ]:
        kwargs = {"json": new_competency()} if method == "PUT" else {}
        r = await admin.request(method, path, **kwargs)
        assert r.status_code == 404, (method, path)
        assert "999999" in r.json()["detail"]


async def test_delete_in_use_is_409(admin: AsyncTestClient) -> None:
    comms = (await admin.get("/api/v1/competencies?role=cs_operator")).json()["items"][0]
    r = await admin.delete(f"/api/v1/competencies/{comms['id']}")
    assert r.status_code == 409
    assert "cs_operator" in r.json()["detail"]
    assert (await admin.get(f"/api/v1/competencies/{comms['id']}")).status_code == 200
    area = (await admin.get("/api/v1/competency-areas")).json()["items"][0]
    assert (await admin.delete(f"/api/v1/competency-areas/{area['id']}")).status_code == 409


async def test_only_admins_change_the_library(client: AsyncTestClient) -> None:
    for role in ("recruiter", "coach"):
        await login(client, role)
        before = await Competency.count()
        assert (await client.post("/api/v1/competencies", json=new_competency())).status_code == 403
        some = (await client.get("/api/v1/competencies")).json()["items"][0]
        r = await client.put(f"/api/v1/competencies/{some['id']}", json=new_competency())
        assert r.status_code == 403
        assert (await client.delete(f"/api/v1/competencies/{some['id']}")).status_code == 403
        r = await client.post("/api/v1/roles", json={"key": "x", "name": "X"})
        assert r.status_code == 403
        r = await client.post("/api/v1/competency-areas", json={"key": "x", "name": "X"})
        assert r.status_code == 403
        r = await client.post("/api/v1/library/import", json={"competencies": []})
        assert r.status_code == 403
        assert await Competency.count() == before


async def test_roles_crud_with_requirements(admin: AsyncTestClient) -> None:
    body = {
        "key": "chat_agent",
        "name": "Chat agent",
        "area": "service_delivery",
        "competencies": [
            {"competency": "written_communication", "weight": 2, "required_level": 4},
            {"competency": "customer_orientation"},
        ],
    }
    r = await admin.post("/api/v1/roles", json=body)
    assert r.status_code == 201, r.text
    role = r.json()
    nothing = {"source": "hand"}  # no evidence recorded: shown as set by hand
    unrecorded = {"select_for": nothing, "develop": nothing}
    assert role["competencies"] == [
        {
            "competency": "written_communication",
            "weight": 2.0,
            "required_level": 4,
            "evidence": unrecorded,
        },
        {
            "competency": "customer_orientation",
            "weight": 1.0,
            "required_level": 3,
            "evidence": unrecorded,
        },
    ]
    body["competencies"] = body["competencies"][1:]
    r = await admin.put(f"/api/v1/roles/{role['id']}", json=body)
    assert [q["competency"] for q in r.json()["competencies"]] == ["customer_orientation"]
    assert await RoleCompetency.count().where(RoleCompetency.role == role["id"]) == 1
    assert (await admin.delete(f"/api/v1/roles/{role['id']}")).status_code == 204
    assert await RoleCompetency.count().where(RoleCompetency.role == role["id"]) == 0


async def test_role_errors(admin: AsyncTestClient) -> None:
    before = await Role.count()
    bad = {
        "key": "r1",
        "name": "R",
        "area": "nowhere",
        "competencies": [
            {"competency": "no_such"},
            {"competency": "communication"},
            {"competency": "communication"},
        ],
    }
    r = await admin.post("/api/v1/roles", json=bad)
    assert r.status_code == 422
    paths = {e["key"] for e in r.json()["extra"]}
    assert paths == {
        "area",
        "competencies[0].competency",  # unknown
        "competencies[1].competency",  # listed twice: both places are named
        "competencies[2].competency",
    }
    for q, field in (({"required_level": 6}, "required_level"), ({"weight": 0}, "weight")):
        body = {"key": "r1", "name": "R", "competencies": [{"competency": "communication", **q}]}
        r = await admin.post("/api/v1/roles", json=body)
        assert r.status_code == 400 and field in r.text
    r = await admin.post("/api/v1/roles", json={"key": "cs_operator", "name": "Again"})
    assert r.status_code == 409
    assert await Role.count() == before


async def test_areas_crud(admin: AsyncTestClient) -> None:
    r = await admin.post(
        "/api/v1/competency-areas",
        json={"key": "sales", "name": "Sales", "translations": {"ru": {"name": "Продажи"}}},
    )
    assert r.status_code == 201
    area = r.json()
    assert (await admin.get(f"/api/v1/competency-areas/{area['id']}?lang=ru")).json()[
        "name"
    ] == "Продажи"
    r = await admin.put(
        f"/api/v1/competency-areas/{area['id']}", json={"key": "sales", "name": "S"}
    )
    assert r.json()["name"] == "S" and r.json()["translations"] == {}
    r = await admin.post("/api/v1/competency-areas", json={"key": "sales", "name": "Dup"})
    assert r.status_code == 409
    assert (await admin.delete(f"/api/v1/competency-areas/{area['id']}")).status_code == 204
    listed = (await admin.get("/api/v1/competency-areas")).json()
    assert [a["key"] for a in listed["items"]] == ["service_delivery"]


async def test_malformed_json_is_400(admin: AsyncTestClient) -> None:
    r = await admin.post(
        "/api/v1/competencies", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400


async def test_health_and_openapi(client: AsyncTestClient) -> None:
    h = await client.get("/health")
    assert h.status_code == 200 and h.json()["status"] == "ok"
    schema = (await client.get("/schema/openapi.json")).json()
    for path in (
        "/api/v1/auth/login",
        "/api/v1/competencies",
        "/api/v1/competencies/{competency_id}",
        "/api/v1/roles",
        "/api/v1/competency-areas",
        "/api/v1/library/import",
        "/api/v1/library/export",
    ):
        assert path in schema["paths"], path


async def test_delete_role_in_use_is_409(admin: AsyncTestClient) -> None:
    """A role that a 360 review (or a vacancy) uses is kept: 409 naming it, not a 500."""
    role = next(
        r
        for r in (await admin.get("/api/v1/roles?limit=500")).json()["items"]
        if r["key"] == "cs_operator"
    )
    r = await admin.post("/api/v1/reviews", json={"name": "Uses the role", "role_id": role["id"]})
    assert r.status_code == 201, r.text
    r = await admin.delete(f"/api/v1/roles/{role['id']}")
    assert r.status_code == 409, r.text
    assert "cs_operator" in r.json()["detail"] and "360 reviews" in r.json()["detail"]
    assert (await admin.get(f"/api/v1/roles/{role['id']}")).status_code == 200


@pytest.mark.parametrize("ident", ["0", "-1", str(2**31), str(2**64), "1786962167563736317952"])
async def test_ids_out_of_range_are_400_naming_the_parameter(
    admin: AsyncTestClient, ident: str
) -> None:
    """Ids past the database's integer range are refused before any query (was a 500)."""
    for method, path in [
        ("GET", f"/api/v1/competencies/{ident}"),
        ("PUT", f"/api/v1/competency-areas/{ident}"),
        ("DELETE", f"/api/v1/roles/{ident}"),
        ("GET", f"/api/v1/users/{ident}"),
        ("GET", f"/api/v1/campaigns/{ident}"),
        ("DELETE", f"/api/v1/sjt/items/{ident}"),
        ("GET", f"/api/v1/reviews/{ident}/reliability"),
    ]:
        kwargs = {"json": {"key": "x", "name": "X"}} if method == "PUT" else {}
        r = await admin.request(method, path, **kwargs)
        assert r.status_code == 400, (method, path, r.text)
        body = r.json()
        assert body["extra"][0]["source"] == "path", body
        assert body["extra"][0]["key"].endswith("_id"), body
