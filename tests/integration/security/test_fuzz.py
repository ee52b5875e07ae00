"""Fuzzing: schemathesis over the whole OpenAPI schema of a real server.

A real ``assess serve`` process (one worker) on a new database with the demo data (a SQLite
file, or a new PostgreSQL database when ``DATABASE_URL`` is PostgreSQL), logged in as the
admin so that every staff endpoint is reachable. Every operation of ``/schema/openapi.json``
gets schemathesis' explicit examples, its coverage cases (boundaries and invalid values)
and a bounded number of generated cases (valid and invalid), checked for

- no server error (5xx),
- a status code the schema documents for that operation,
- a content type and a body that match what the schema documents for that status.

Ids in paths are often replaced by ids that exist in the demo data (and respondent tokens by
real candidates' and subjects' tokens), so that the handlers behind the 404s are reached too.
Repeatable: a fixed seed and derandomised generation, no example database.

Excluded or changed, with the reason:

- ``POST /api/v1/auth/logout`` ends the session the whole run uses: it is fuzzed on its own
  (``test_logout``, first), each case with a fresh session.
- ``PUT /api/v1/users/{user_id}`` never sets a new password for the run's own admin (that ends
  all of the admin's sessions, by design): such a case changes another user instead. Any 401
  outside the login fails the run, so a lost session cannot hide the rest.

``FUZZ_MAX_EXAMPLES`` (default 10) bounds the generated cases per operation; with the explicit
and coverage cases the run takes about two minutes.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
import requests
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bench.serverproc import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    running_server,
)

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
SEED = 20261202
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
LOGOUT = "/api/v1/auth/logout"

CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": SEED,
        "generation": {
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # a failure is reported with the request that caused it; shrinking it against a
            # live server would take longer than the whole run
            "no-shrink": True,
        },
        # one operation at a time (the stateful phase needs links the schema does not have)
        "phases": {"stateful": {"enabled": False}},
    }
)


@dataclass
class Demo:
    """The running server, the admin's session and ids/tokens that exist in its data."""

    url: str
    session: requests.Session
    admin_id: int
    ids: dict[str, list[Any]] = field(default_factory=dict)


# one server for the file (a module fixture): its tests run on one xdist worker
pytestmark = pytest.mark.xdist_group("fuzz")


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(tmp_path_factory.mktemp("fuzz"), prefix="engine_fuzz", DEMO="1") as url:
        yield url


def _get(session: requests.Session, url: str, **params: Any) -> Any:
    r = session.get(url, params=params or None, timeout=60)
    r.raise_for_status()
    return r.json()


def login(url: str) -> requests.Session:
    session = requests.Session()
    r = session.post(
        f"{url}/api/v1/auth/login",
        json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD},
        timeout=60,
    )
    assert r.status_code == 200, r.text
    session.user_id = r.json()["id"]  # type: ignore[attr-defined]
    return session


@pytest.fixture(scope="module")
def demo(fuzz_server: str) -> Iterator[Demo]:
    url = fuzz_server
    s = login(url)
    api = f"{url}/api/v1"
    ids: dict[str, list[Any]] = {}

    def collect(name: str, path: str, key: str = "id", **params: Any) -> list[Any]:
        body = _get(s, f"{api}{path}", limit=500, **params)
        items = body["items"] if isinstance(body, dict) else body
        ids[name] = [x[key] for x in items][:20]
        return ids[name]

    collect("user_id", "/users")
    collect("competency_id", "/competencies")
    collect("competency", "/competencies", key="key")
    collect("area_id", "/competency-areas")
    collect("role_id", "/roles")
    collect("item_id", "/sjt/items")
    collect("form_id", "/sjt/forms")
    campaigns = collect("campaign_id", "/campaigns")
    collect("candidate_id", f"/campaigns/{campaigns[0]}/candidates")
    reviews = collect("review_id", "/reviews")
    subjects = collect("subject_id", f"/reviews/{reviews[0]}/subjects")
    collect("rater_id", f"/reviews/{reviews[0]}/subjects/{subjects[0]}/raters")
    # respondent tokens exist only in the answers to invitations
    tokens = []
    for n in range(4):
        r = s.post(
            f"{api}/campaigns/{campaigns[0]}/candidates",
            json={"name": f"Fuzz Candidate {n}", "email": f"fuzz{n}@example.org"},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        tokens.append(r.json()["link"].rsplit("/", 1)[-1])
    for n in range(2):
        r = s.post(
            f"{api}/reviews/{reviews[0]}/subjects",
            json={"name": f"Fuzz Subject {n}", "email": f"fuzz.subject{n}@example.org"},
            timeout=60,
        )
        assert r.status_code == 201, r.text
        tokens.append(r.json()["nomination_link"].rsplit("/", 1)[-1])
    ids["token"] = tokens
    yield Demo(url, s, s.user_id, ids)  # type: ignore[attr-defined]
    s.close()


@pytest.fixture(scope="module")
def api_schema(fuzz_server: str) -> Any:
    return schemathesis.openapi.from_url(f"{fuzz_server}/schema/openapi.json", config=CONFIG)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture(autouse=True)
def _node_id_shim(request: pytest.FixtureRequest) -> None:
    """schemathesis 4.32 names each operation's subtest through ``node._nodeid``, which
    pytest 9.2 no longer has (it keeps ``_id``): give it one."""
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid


def use_demo_ids(case: Any, demo: Demo) -> None:
    """Replace generated path parameters by existing ids/tokens, about half of the time each.

    The choice is a hash of the generated value (``@schema.given`` cannot be combined with
    the schema's examples), so a run is as repeatable as the generation.
    """
    for name, value in list((case.path_parameters or {}).items()):
        known = demo.ids.get(name)
        h = zlib.crc32(f"{name}={value!r}".encode())
        if known and h % 2:
            case.path_parameters[name] = known[(h >> 1) % len(known)]
    if (
        case.operation.path == "/api/v1/users/{user_id}"
        and case.method == "PUT"
        and case.path_parameters.get("user_id") == demo.admin_id
        and isinstance(case.body, dict)
        and case.body.get("password")
    ):
        # a new password ends every session of that user, by design (test_users_api.py):
        # the run's own user keeps its password, another user's is changed instead
        case.path_parameters["user_id"] = next(u for u in demo.ids["user_id"] if u != demo.admin_id)


@schema.include(path=LOGOUT).parametrize()
def test_logout(case: Any, fuzz_server: str) -> None:
    # first: fuzzing the login locks this address out of new logins for a while. Each case
    # ends a session of its own (the main run's stays open)
    with login(fuzz_server) as session:
        response = case.call_and_validate(session=session, checks=CHECKS)
        if response.request.method == "POST" and response.status_code == 204:
            # (the coverage phase also sends other methods: OPTIONS answers 204 too)
            me = session.get(f"{fuzz_server}/api/v1/auth/me", timeout=60)
            assert me.status_code == 401, "the session outlived its logout"


@schema.exclude(path=LOGOUT).parametrize()
def test_api(case: Any, demo: Demo) -> None:
    use_demo_ids(case, demo)
    response = case.call_and_validate(session=demo.session, checks=CHECKS)
    if case.operation.path != "/api/v1/auth/login":
        # every 401 would be documented, so a lost session would pass silently
        assert response.status_code != 401, "the run's staff session was lost"
