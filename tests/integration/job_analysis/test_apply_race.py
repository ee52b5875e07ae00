"""Applying a study twice at once (a double click, two tabs) against a real server process
with two workers: one request applies it, the other is refused, and the library gets one
version."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench.serverproc import ServerProcess, fresh_database, is_postgres, query, server_env

ADMIN, PASSWORD = "admin@example.org", "a long passphrase for the race"
SCREEN = {
    "importance": 5,
    "frequency": 5,
    "day_one": True,
    "learnable": False,
    "lawshe": "essential",
}


def test_two_applies_at_once_write_one_library_version(tmp_path: Path) -> None:
    url = os.environ.get("DATABASE_URL", "")
    with fresh_database(url if is_postgres(url) else None, prefix="engine_apply_race") as db:
        env = server_env(
            db,
            tmp_path / "var",
            DEMO="1",
            ADMIN_EMAIL=ADMIN,
            ADMIN_PASSWORD=PASSWORD,
            WORKER_IN_SERVE="0",
        )
        proc = ServerProcess(env, tmp_path / "server.log", workers=2)
        try:
            proc.start().wait_ready(timeout=180)
            s = requests.Session()
            api = f"{proc.url}/api/v1"
            assert s.post(f"{api}/auth/login", json={"email": ADMIN, "password": PASSWORD}).ok
            role = next(
                r["id"] for r in s.get(f"{api}/roles").json()["items"] if r["key"] == "cs_operator"
            )
            sid = s.post(f"{api}/job-analyses", json={"name": "Race", "role_id": role}).json()["id"]
            tokens = []
            for i in range(6):
                r = s.post(
                    f"{api}/job-analyses/{sid}/experts",
                    json={"name": f"E{i}", "email": f"e{i}@example.org", "kind": "trainer"},
                )
                tokens.append(r.json()["link"].rsplit("/", 1)[-1])
            card = s.post(f"{api}/expert/{tokens[0]}/cards", json={"text": "Keeps calm"}).json()
            assert s.patch(f"{api}/job-analyses/{sid}", json={"step": "sort"}).ok
            group = s.post(
                f"{api}/job-analyses/{sid}/competencies",
                json={"name": "Calm", "library_key": "stress_resistance"},
            ).json()["id"]
            s.put(
                f"{api}/job-analyses/{sid}/cards/{card['card']['id']}",
                json={"competency_id": group},
            )
            assert s.patch(f"{api}/job-analyses/{sid}", json={"step": "rate"}).ok
            for t in tokens:
                assert s.put(f"{api}/expert/{t}/ratings/{group}", json=SCREEN).ok
            assert s.patch(f"{api}/job-analyses/{sid}", json={"step": "decide"}).ok
            assert s.post(f"{api}/job-analyses/{sid}/decisions/accept").ok
            before = query(db, "SELECT count(*) FROM library_version")[0][0]
            with ThreadPoolExecutor(max_workers=8) as pool:
                codes = sorted(
                    pool.map(
                        lambda _: (
                            s.post(f"{api}/job-analyses/{sid}/apply", timeout=120).status_code
                        ),
                        range(8),
                    )
                )
            assert codes == [200] + [409] * 7
            assert query(db, "SELECT count(*) FROM library_version")[0][0] == before + 1
            got = s.get(f"{api}/job-analyses/{sid}").json()
            assert got["step"] == "applied" and got["library_version"] == before + 1
        finally:
            proc.kill()
