"""Hostile input against a real server process: never a 500.

JSON nested 20,000 deep (also on the routes that need no login), YAML nested 5,000 deep,
offsets beyond any integer column, and an upload whose name is not ASCII asked for as HTML
or PDF (the Content-Disposition header must still be encodable).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import unquote

import pytest
import requests

from bench.serverproc import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    running_server,
)

DEEP_JSON = "[" * 20_000 + "]" * 20_000
DEEP_OBJECT = '{"a":' * 20_000 + "1" + "}" * 20_000
DEEP_YAML = "[" * 5_000 + "]" * 5_000  # a YAML flow sequence nested 5,000 deep


# one server for the file (a module fixture): its tests run on one xdist worker
pytestmark = pytest.mark.xdist_group("hostile_input")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(
        tmp_path_factory.mktemp("hostile"), prefix="engine_hostile", DEMO="1"
    ) as url:
        yield url


@pytest.fixture(scope="module")
def admin(server: str) -> requests.Session:
    s = requests.Session()
    r = s.post(
        f"{server}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    return s


@pytest.mark.parametrize("body", [DEEP_JSON, DEEP_OBJECT], ids=["array", "object"])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/auth/login",
        "/api/v1/nominate/" + "n" * 43,
        "/api/v1/respond/" + "r" * 43 + "/start",
    ],
)
def test_deeply_nested_json_without_login_is_a_4xx(server: str, path: str, body: str) -> None:
    r = requests.post(
        f"{server}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=60
    )
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    assert requests.get(f"{server}/health", timeout=10).status_code == 200


@pytest.mark.parametrize("body", [DEEP_JSON, DEEP_OBJECT], ids=["array", "object"])
def test_deeply_nested_json_from_staff_is_a_4xx(
    server: str, admin: requests.Session, body: str
) -> None:
    for path in ("/api/v1/reviews", "/api/v1/campaigns", "/api/v1/library/import"):
        r = admin.post(
            f"{server}{path}", data=body, headers={"Content-Type": "application/json"}, timeout=60
        )
        assert 400 <= r.status_code < 500, (path, r.status_code, r.text[:200])


def test_deeply_nested_yaml_is_a_4xx(server: str, admin: requests.Session) -> None:
    r = admin.post(
        f"{server}/api/v1/library/import",
        data=DEEP_YAML,
        headers={"Content-Type": "application/yaml"},
        timeout=60,
    )
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    assert requests.get(f"{server}/health", timeout=10).status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/v1/competencies", "/api/v1/campaigns", "/api/v1/sjt/items", "/api/v1/reviews"]
)
def test_offsets_beyond_any_integer_are_a_400(
    server: str, admin: requests.Session, path: str
) -> None:
    r = admin.get(f"{server}{path}", params={"offset": "9223372036854775808"}, timeout=60)
    assert r.status_code == 400 and "offset" in r.text
    assert admin.get(f"{server}{path}", params={"offset": "0"}, timeout=60).status_code == 200


@pytest.mark.parametrize("fmt", ["html", "pdf"])
def test_an_upload_named_in_cyrillic_comes_back_with_both_names(
    server: str, admin: requests.Session, fmt: str
) -> None:
    rows = "a,b,c\n" + "\n".join(
        f"{i % 5 + 1},{(i + 1) % 5 + 1},{(i * 2) % 5 + 1}" for i in range(40)
    )
    r = admin.post(
        f"{server}/api/v1/analysis/reliability",
        params={"format": fmt},
        files={"file": ("данные.csv", rows.encode(), "text/csv")},
        timeout=120,
    )
    assert r.status_code == 200, r.text[:300]
    disposition = r.headers["content-disposition"]
    assert disposition.isascii()
    assert 'filename="reliability-------' in disposition
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == f"reliability-данные.{fmt}"


def test_yaml_aliases_are_refused_before_they_expand(server: str, admin: requests.Session) -> None:
    # the "billion laughs" shape: each level repeats the one before it ten times
    levels = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for n in range(1, 9):
        refs = ",".join(f"*a{n - 1}" for _ in range(10))
        levels.append(f"a{n}: &a{n} [{refs}]")
    bomb = "\n".join(levels) + "\n"
    assert len(bomb) < 2_000
    r = admin.post(
        f"{server}/api/v1/library/import",
        data=bomb,
        headers={"Content-Type": "application/yaml"},
        timeout=60,
    )
    assert r.status_code == 400 and "aliases" in r.text and len(r.content) < 2_000


def test_cross_site_requests_cannot_use_a_staff_session(
    server: str, admin: requests.Session
) -> None:
    before = admin.get(f"{server}/api/v1/reviews", timeout=60).json()["total"]
    roles = admin.get(f"{server}/api/v1/roles", timeout=60).json()["items"]
    body = json.dumps({"name": "Forged", "role_id": roles[0]["id"]})
    forged = [
        {"Content-Type": "text/plain"},
        {"Content-Type": "application/x-www-form-urlencoded"},
        {"Content-Type": "application/json", "Origin": "http://evil.example"},
        {"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"},
        {"Content-Type": "application/json", "Origin": "null"},
    ]
    for headers in forged:
        r = admin.post(f"{server}/api/v1/reviews", data=body, headers=headers, timeout=60)
        assert r.status_code in (403, 415), (headers, r.status_code, r.text[:200])
    assert admin.get(f"{server}/api/v1/reviews", timeout=60).json()["total"] == before
    # a text/plain login does not log a browser in
    r = requests.post(
        f"{server}/api/v1/auth/login",
        data=json.dumps({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        headers={"Content-Type": "text/plain"},
        timeout=60,
    )
    assert r.status_code == 415 and "engine_session" not in r.headers.get("set-cookie", "")
    # the same request from this server's own pages goes through
    own = {"Content-Type": "application/json", "Origin": server, "Sec-Fetch-Site": "same-origin"}
    r = admin.post(f"{server}/api/v1/reviews", data=body, headers=own, timeout=60)
    assert r.status_code == 201, r.text


def test_a_document_with_countless_problems_gets_a_bounded_answer(
    server: str, admin: requests.Session
) -> None:
    # 20,000 competencies, each wrong in three ways: the refusal lists the first 200
    bad = {"competencies": [{"key": "Bad Key", "select_for": "x"}] * 20_000}
    r = admin.post(f"{server}/api/v1/library/import", json=bad, timeout=120)
    assert r.status_code == 422, r.text[:200]
    listed = r.json()["extra"]
    assert len(listed) == 201 and "more problems" in listed[-1]["message"]
    assert len(r.content) < 100_000
    assert requests.get(f"{server}/health", timeout=10).status_code == 200
