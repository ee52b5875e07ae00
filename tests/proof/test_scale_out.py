"""Scale-out: two ``assess serve`` processes on different ports over ONE PostgreSQL database
serve the same people. A staff session made on one works on the other (the sessions live
in the database; the CSRF secret is shared), a candidate can switch servers in the middle
of the test without losing an answer, and both servers tell the same time left (the
deadline is stored, not kept in a process).

Real processes and real HTTP (httpx). PostgreSQL only: run the suite with
``DATABASE_URL=postgresql://...`` (the CI does); a new database is created on that server
for these servers and dropped afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bench.serverproc import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ServerProcess,
    Taker,
    Vacancy,
    answer_for,
    as_datetime,
    fresh_database,
    is_postgres,
    make_campaign,
    query,
    server_env,
)

DATABASE_URL = os.environ.get("DATABASE_URL", "")
# one cluster for the file (a module fixture): its tests run on one xdist worker
pytestmark = [
    pytest.mark.skipif(
        not is_postgres(DATABASE_URL),
        reason="scale-out needs a shared PostgreSQL server: run with DATABASE_URL=postgresql://...",
    ),
    pytest.mark.xdist_group("scale_out"),
]


def start_pair(url: str, var_dir: Path, *, at_once: bool = False) -> tuple[ServerProcess, ...]:
    env = server_env(url, var_dir)
    servers = tuple(
        ServerProcess(env, var_dir.parent / f"server-{name}.log") for name in ("a", "b")
    )
    try:
        if at_once:
            for s in servers:
                s.start()
            for s in servers:
                s.wait_ready()
        else:  # the first migrates an empty database; the second finds it ready
            for s in servers:
                s.start().wait_ready()
    except BaseException:
        for s in servers:
            s.kill()
        raise
    return servers


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ServerProcess, ...]]:
    """(database URL, server A, server B): one database, one shared var/ folder."""
    tmp = tmp_path_factory.mktemp("scale-out")
    with fresh_database(DATABASE_URL, prefix="engine_scale") as url:
        a, b = start_pair(url, tmp / "var")
        try:
            yield url, a, b
        finally:
            a.kill()
            b.kill()


@pytest.fixture(scope="module")
def vacancy(cluster: tuple[str, ServerProcess, ServerProcess]) -> Vacancy:
    _, a, _ = cluster
    return asyncio.run(make_campaign(a.url, n_items=6, n_candidates=4, start=False))


def seconds_left_bounds(deadline: datetime, before: float, after: float) -> tuple[int, int]:
    """What a server may answer for ``seconds_left`` if asked between ``before`` and
    ``after`` (epoch seconds): int(deadline - now) for a ``now`` in between."""
    d = deadline.timestamp()
    return int(d - after) - 1, int(d - before) + 1


def deadline_of(url: str, candidate_id: int) -> datetime | None:
    rows = query(url, "SELECT deadline_at FROM candidate WHERE id = ?", candidate_id)
    return as_datetime(rows[0][0])


def test_a_staff_session_from_one_server_works_on_the_other(
    cluster: tuple[str, ServerProcess, ServerProcess],
) -> None:
    _, a, b = cluster
    with httpx.Client(base_url=a.url) as on_a:
        r = on_a.post("/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD})
        assert r.status_code == 200, r.text
        cookies = dict(on_a.cookies)
    with httpx.Client(base_url=b.url, cookies=cookies) as on_b:
        me = on_b.get("/api/v1/auth/me")
        assert me.status_code == 200, me.text
        assert me.json()["email"] == ADMIN_EMAIL
        # a write through B with A's session
        r = on_b.post(
            "/api/v1/users",
            json={"email": "second@example.org", "role": "recruiter", "password": "x" * 16},
        )
        assert r.status_code == 201, r.text
        # logging out on B ends the session on A too
        assert on_b.post("/api/v1/auth/logout").status_code in (200, 204)
    with httpx.Client(base_url=a.url, cookies=cookies) as on_a:
        assert on_a.get("/api/v1/auth/me").status_code == 401


def test_a_login_form_from_one_server_is_accepted_by_the_other(
    cluster: tuple[str, ServerProcess, ServerProcess],
) -> None:
    """The HTML login form (CSRF-protected) fetched from A and posted to B."""
    _, a, b = cluster
    with httpx.Client(base_url=a.url) as on_a:
        page = on_a.get("/login")
        assert page.status_code == 200
        csrf_cookie = dict(on_a.cookies)
    found = re.search(r'name="_csrf_token"\s+value="([^"]+)"', page.text) or re.search(
        r'value="([^"]+)"\s+name="_csrf_token"', page.text
    )
    assert found, "the login form carries a CSRF token"
    with httpx.Client(base_url=b.url, cookies=csrf_cookie) as on_b:
        r = on_b.post(
            "/login",
            data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "_csrf_token": found[1]},
        )
        assert r.status_code in (302, 303), (r.status_code, r.text[:500])
        assert on_b.get("/api/v1/auth/me").status_code == 200
    # the same form posted to B without A's CSRF cookie is refused
    with httpx.Client(base_url=b.url) as stranger:
        r = stranger.post(
            "/login",
            data={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD, "_csrf_token": found[1]},
        )
        assert r.status_code == 403


def test_a_candidate_switches_servers_mid_test_and_loses_nothing(
    cluster: tuple[str, ServerProcess, ServerProcess], vacancy: Vacancy
) -> None:
    url, a, b = cluster
    taker = vacancy.takers[0]
    api = f"/api/v1/respond/{taker.token}"
    with httpx.Client(base_url=a.url) as on_a, httpx.Client(base_url=b.url) as on_b:
        started = on_a.post(f"{api}/start", json={"consent": True})
        assert started.status_code == 200, started.text
        items = started.json()["items"]
        assert len(items) == 6
        t = Taker(taker.candidate_id, taker.token, items)
        sent: dict[int, dict[str, str]] = {}
        # items 1-3 on A
        for n in range(3):
            item, body = answer_for(t, n)
            assert on_a.put(f"{api}/answers/{item}", json=body).status_code == 200
            sent[item] = body
        # B resumes with A's answers and the same options in the same order
        resumed = on_b.get(api).json()
        assert resumed["status"] == "started"
        assert {int(k): v for k, v in resumed["answers"].items()} == sent
        assert [i["options"] for i in resumed["items"]] == [i["options"] for i in items]
        # items 4-6 on B, one of A's answers changed on B
        for n in range(3, 6):
            item, body = answer_for(t, n)
            assert on_b.put(f"{api}/answers/{item}", json=body).status_code == 200
            sent[item] = body
        item, body = answer_for(t, 0, variant=1)
        assert on_b.put(f"{api}/answers/{item}", json=body).status_code == 200
        sent[item] = body
        # back on A: everything, with B's change
        back = on_a.get(api).json()
        assert {int(k): v for k, v in back["answers"].items()} == sent
        assert back["answered"] == 6
        # submitted on B: A knows, and refuses further answers
        assert on_b.post(f"{api}/submit").json()["status"] == "submitted"
        assert on_a.get(api).json()["status"] == "submitted"
        item, body = answer_for(t, 1, variant=2)
        assert on_a.put(f"{api}/answers/{item}", json=body).status_code == 409
    rows = query(url, "SELECT item, payload FROM answer WHERE candidate = ?", taker.candidate_id)
    assert {int(i): json.loads(p) for i, p in rows} == sent
    (events,) = query(
        url, "SELECT count(*) FROM answer_event WHERE candidate = ?", taker.candidate_id
    )[0]
    assert events == 7  # every save logged once, whichever server took it


def test_both_servers_tell_the_same_time_left(
    cluster: tuple[str, ServerProcess, ServerProcess], vacancy: Vacancy
) -> None:
    url, a, b = cluster
    taker = vacancy.takers[1]
    api = f"/api/v1/respond/{taker.token}"
    with httpx.Client(base_url=a.url) as on_a, httpx.Client(base_url=b.url) as on_b:
        assert on_b.post(f"{api}/start", json={"consent": True}).status_code == 200
        deadline = deadline_of(url, taker.candidate_id)
        assert deadline is not None and deadline.tzinfo is not None
        assert deadline > datetime.now(UTC)
        for client in (on_a, on_b, on_a, on_b):
            before = time.time()
            left = client.get(api).json()["seconds_left"]
            after = time.time()
            low, high = seconds_left_bounds(deadline, before, after)
            assert low <= left <= high, (client.base_url, left, low, high)
        # the candidate's page on either server shows the clock from the same deadline
        for client in (on_a, on_b):
            before = time.time()
            page = client.get(f"/take/{taker.token}/items/1")
            after = time.time()
            assert page.status_code == 200
            shown = int(re.search(r'data-seconds-left="(\d+)"', page.text)[1])  # type: ignore[index]
            low, high = seconds_left_bounds(deadline, before, after)
            assert low <= shown <= high
        # a second start on A does not restart the clock
        assert on_a.post(f"{api}/start", json={"consent": True}).status_code == 200
        assert deadline_of(url, taker.candidate_id) == deadline


def test_the_same_answer_saved_on_both_servers_at_once_is_one_answer(
    cluster: tuple[str, ServerProcess, ServerProcess], vacancy: Vacancy
) -> None:
    url, a, b = cluster
    taker = vacancy.takers[2]
    api = f"/api/v1/respond/{taker.token}"
    with httpx.Client(base_url=a.url) as on_a:
        items = on_a.post(f"{api}/start", json={"consent": True}).json()["items"]
    t = Taker(taker.candidate_id, taker.token, items)
    item, _ = answer_for(t, 0)
    bodies = [answer_for(t, 0, variant=v)[1] for v in range(8)]

    def save(n: int) -> int:
        server = (a, b)[n % 2]
        with httpx.Client(base_url=server.url) as client:
            return client.put(f"{api}/answers/{item}", json=bodies[n]).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(save, range(8)))
    assert statuses == [200] * 8
    rows = query(
        url, "SELECT payload FROM answer WHERE candidate = ? AND item = ?", taker.candidate_id, item
    )
    assert len(rows) == 1 and json.loads(rows[0][0]) in bodies
    (events,) = query(
        url,
        "SELECT count(*) FROM answer_event WHERE candidate = ? AND item = ?",
        taker.candidate_id,
        item,
    )[0]
    assert events == 8


def test_two_servers_can_start_at_once_on_an_empty_database(
    tmp_path: Path,
) -> None:
    with fresh_database(DATABASE_URL, prefix="engine_scale_race") as url:
        a, b = start_pair(url, tmp_path / "var", at_once=True)
        try:
            for s in (a, b):
                assert httpx.get(f"{s.url}/health").status_code == 200
        finally:
            a.kill()
            b.kill()
