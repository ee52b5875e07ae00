"""The login throttle under concurrency, against a real server process: attempts at once are
checked in turn (the right password sent last after a burst of wrong ones is refused), and a
client cannot dodge the per-address lock by sending a new X-Forwarded-For each time."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from bench.serverproc import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    running_server,
)


@pytest.fixture
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with running_server(
        tmp_path_factory.mktemp("logins"),
        prefix="engine_logins",
        LOGIN_MAX_FAILURES="5",
        LOGIN_DELAY_MS="1",
    ) as url:
        yield url


def _login(url: str, email: str, password: str, **headers: str) -> int:
    r = requests.post(
        f"{url}/api/v1/auth/login",
        json={"email": email, "password": password},
        headers=headers,
        timeout=120,
    )
    return r.status_code


def test_twenty_attempts_at_once_cannot_slip_under_the_lock(server: str) -> None:
    wrong = [(ADMIN_EMAIL, f"wrong-{n}") for n in range(19)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda a: _login(server, *a), wrong))
    assert codes.count(401) == 5 and codes.count(429) == 14
    # the right password after them is refused too: the e-mail is locked
    assert _login(server, ADMIN_EMAIL, ADMIN_PASSWORD) == 429
    assert requests.get(f"{server}/health", timeout=10).status_code == 200


def test_a_forwarded_for_header_does_not_make_a_new_address(server: str) -> None:
    codes = [
        _login(server, f"nobody{n}@example.org", "x", **{"X-Forwarded-For": f"10.0.0.{n}"})
        for n in range(8)
    ]
    assert codes[:5] == [401] * 5 and set(codes[5:]) == {429}
