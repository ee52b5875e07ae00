"""The OpenAPI schema describes what the API answers (found by the fuzz test,
tests/integration/security/test_fuzz.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import AsyncTestClient


@pytest.fixture
async def schema(client: AsyncTestClient) -> dict[str, Any]:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(schema: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield method.upper(), path, op


def media_types(op: dict[str, Any], status: str) -> set[str]:
    return set((op["responses"][status].get("content") or {}).keys())


async def test_login_documents_its_200_and_its_refusals(
    schema: dict[str, Any], client: AsyncTestClient
) -> None:
    login = schema["paths"]["/api/v1/auth/login"]["post"]["responses"]
    assert {"200", "400", "401", "429"} <= set(login) and "201" not in login


async def test_logout_answers_no_content(schema: dict[str, Any], client: AsyncTestClient) -> None:
    r = await client.post("/api/v1/auth/logout")
    assert r.status_code == 401  # no session
    responses = schema["paths"]["/api/v1/auth/logout"]["post"]["responses"]
    assert "content" not in responses["204"]  # not a JSON null
    assert "401" in responses


def test_no_union_where_an_integer_matches_twice(schema: dict[str, Any]) -> None:
    """``float | int`` became oneOf [number, integer]: an integer is valid under both, which
    breaks oneOf (a warning's ``params`` in the 360 reliability)."""

    def walk(node: Any, where: str) -> Iterator[str]:
        if isinstance(node, dict):
            types = [x.get("type") for x in node.get("oneOf", []) if isinstance(x, dict)]
            if "number" in types and "integer" in types:
                yield where
            for k, v in node.items():
                yield from walk(v, f"{where}/{k}")
        elif isinstance(node, list):
            for n, v in enumerate(node):
                yield from walk(v, f"{where}/{n}")

    assert list(walk(schema, "")) == []


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("get", "/api/v1/campaigns/{campaign_id}/ranking", {"application/json", "text/csv"}),
        (
            "get",
            "/api/v1/campaigns/{campaign_id}/report",
            {"text/html", "application/pdf", "text/csv"},
        ),
        (
            "get",
            "/api/v1/campaigns/{campaign_id}/candidates/{candidate_id}/report",
            {"application/json", "text/html", "application/pdf"},
        ),
        (
            "get",
            "/api/v1/reviews/{review_id}/subjects/{subject_id}/report",
            {"application/json", "text/html", "application/pdf", "text/csv"},
        ),
        (
            "get",
            "/api/v1/reviews/{review_id}/subjects/{subject_id}/idp",
            {"application/json", "text/html", "application/pdf"},
        ),
        (
            "post",
            "/api/v1/analysis/reliability",
            {"application/json", "text/html", "application/pdf"},
        ),
        ("get", "/api/v1/library/export", {"application/json", "application/yaml"}),
    ],
)
def test_reports_document_every_format(
    schema: dict[str, Any], method: str, path: str, expected: set[str]
) -> None:
    op = schema["paths"][path][method]
    ok = next(code for code in op["responses"] if code.startswith("2"))
    assert media_types(op, ok) == expected


def test_library_export_is_documented_as_a_document(schema: dict[str, Any]) -> None:
    content = schema["paths"]["/api/v1/library/export"]["get"]["responses"]["200"]["content"]
    assert content["application/json"]["schema"]["type"] == "object"  # not a string


def test_every_error_from_guards_and_paths_is_documented(schema: dict[str, Any]) -> None:
    missing = []
    for method, path, op in operations(schema):
        codes = set(op["responses"])
        if path == "/health":
            continue
        # the login and the respondent links need no session
        if path != "/api/v1/auth/login" and not path.startswith(
            ("/api/v1/nominate", "/api/v1/respond", "/api/v1/expert")
        ):
            missing += [(method, path, "401")] if "401" not in codes else []
        if "{" in path and "404" not in codes:
            missing.append((method, path, "404"))
    assert missing == []


@pytest.mark.parametrize(
    ("method", "path", "codes"),
    [
        ("post", "/api/v1/users", {"409"}),
        ("put", "/api/v1/users/{user_id}", {"403", "404", "409"}),
        ("post", "/api/v1/nominate/{token}", {"404", "409", "422"}),
        ("delete", "/api/v1/roles/{role_id}", {"403", "404", "409"}),
        ("post", "/api/v1/reviews/{review_id}/subjects", {"403", "404", "409"}),
        ("post", "/api/v1/campaigns/{campaign_id}/candidates/import", {"404", "409", "422"}),
        ("put", "/api/v1/reviews/{review_id}/subjects/{subject_id}/idp", {"404", "409", "422"}),
    ],
)
def test_handlers_document_their_own_errors(
    schema: dict[str, Any], method: str, path: str, codes: set[str]
) -> None:
    assert codes <= set(schema["paths"][path][method]["responses"])


def test_ids_in_paths_are_bounded(schema: dict[str, Any]) -> None:
    """Ids are int4 in PostgreSQL: larger ones are refused with a 400, not a server error."""
    unbounded = [
        (method, path, p["name"])
        for method, path, op in operations(schema)
        for p in op.get("parameters", [])
        if p["in"] == "path"
        and p["schema"].get("type") == "integer"
        and p["schema"].get("maximum") != 2**31 - 1
    ]
    assert unbounded == []


async def test_paths_and_operations_are_those_of_the_saved_copy(
    schema: dict[str, Any], client: AsyncTestClient
) -> None:
    """Moving code around (issue 14) must not change the API: every path and operation
    is the one saved in tests/data/openapi_operations.json. An intended change to the
    API updates that file in the same commit."""
    saved = json.loads((Path(__file__).parents[2] / "data" / "openapi_operations.json").read_text())
    assert sorted(f"{m} {p}" for m, p, _ in operations(schema)) == saved
