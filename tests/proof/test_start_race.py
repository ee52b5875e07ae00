"""Servers started at once on an empty database all come up (server/bootstrap.py
``setup_lock``): they take turns to migrate and create the admin, the later ones find it
done. Real ``assess serve`` processes on SQLite (a flock next to the file) and, with
``DATABASE_URL=postgresql://...``, on a new PostgreSQL database (an advisory lock).
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx

from bench.serverproc import (
    ADMIN_EMAIL,
    ServerProcess,
    fresh_database,
    is_postgres,
    query,
    server_env,
)

DATABASE_URL = os.environ.get("DATABASE_URL", "")


def test_three_servers_start_at_once_on_an_empty_database(tmp_path: Path) -> None:
    base = DATABASE_URL if is_postgres(DATABASE_URL) else None
    with fresh_database(base, prefix="engine_start_race") as url:
        env = server_env(url, tmp_path / "var")
        servers = [ServerProcess(env, tmp_path / f"server-{n}.log") for n in range(3)]
        try:
            for s in servers:
                s.start()
            for s in servers:
                s.wait_ready()
            for s in servers:
                assert httpx.get(f"{s.url}/health").status_code == 200
        finally:
            for s in servers:
                s.kill()
        admins = query(url, "SELECT count(*) FROM staff_user WHERE email = ?", ADMIN_EMAIL)
        assert admins[0][0] == 1
        applied = query(url, "SELECT count(*) FROM migration")
        assert applied[0][0] == len(
            {r[0] for r in query(url, "SELECT name FROM migration")}
        )  # each migration recorded once
