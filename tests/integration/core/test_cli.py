"""The ``assess`` CLI and the service as a real process (what `make run` starts)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml

from bench.serverproc import wait_for_health
from server.bootstrap import DEMO_LIBRARY
from server.tables import Competency, StaffUser

ASSESS = [sys.executable, "-m", "server.cli"]


def run(*args: str, env: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*ASSESS, *args], capture_output=True, text=True, timeout=120, env=env or os.environ, **kw
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_help_lists_the_commands() -> None:
    out = run("--help").stdout
    for command in ("serve", "migrate", "create-user", "demo", "library"):
        assert command in out
    assert "import" in run("library", "--help").stdout


async def test_library_import_export_and_invalid_file(tmp_path: Path) -> None:
    r = run("library", "import", str(DEMO_LIBRARY))
    assert r.returncode == 0, r.stderr
    assert "created" in r.stdout
    exported = run("library", "export", "--format", "yaml")
    assert exported.returncode == 0
    assert (
        yaml.safe_load(exported.stdout)["competencies"]
        == yaml.safe_load(DEMO_LIBRARY.read_text())["competencies"]
    )
    count = await Competency.count()
    bad = tmp_path / "bad.yaml"
    bad.write_text("competencies:\n  - key: Bad\n    name: x\n    definition: d\n    develop: 1\n")
    r = run("library", "import", str(bad))
    assert r.returncode == 1
    assert "competencies[0].key" in r.stderr and "competencies[0].develop" in r.stderr
    assert "nothing was changed" in r.stderr
    assert await Competency.count() == count
    assert run("library", "import", str(tmp_path / "missing.yaml")).returncode == 1


async def test_create_user() -> None:
    r = run("create-user", "Coach@Test.Example", "--role", "coach", "--password", "a long password")
    assert r.returncode == 0, r.stderr
    row = await StaffUser.select().where(StaffUser.email == "coach@test.example").first()
    assert row["role"] == "coach"
    again = run("create-user", "coach@test.example", "--role", "coach", "--password", "x" * 12)
    assert again.returncode == 1 and "already exists" in again.stderr
    short = run("create-user", "x@test.example", "--role", "coach", "--password", "short")
    assert short.returncode == 2 and "password" in short.stderr


def test_bad_database_url_is_explained() -> None:
    env = {**os.environ, "DATABASE_URL": "mysql://db/x"}
    r = run("migrate", env=env)
    assert r.returncode != 0
    assert "DATABASE_URL" in r.stderr


@pytest.fixture
def server(tmp_path: Path):
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "ADMIN_EMAIL": "boss@test.example",
        "ADMIN_PASSWORD": "the boss password",
        "VAR_DIR": str(tmp_path),
        "DB_POOL_SIZE": "4",
    }
    proc = subprocess.Popen(
        [*ASSESS, "serve"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    base = f"http://127.0.0.1:{port}"
    if not wait_for_health(base, lambda: proc.poll() is None, 60):
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        proc.kill()
        pytest.fail("server did not start")
    yield base, proc
    proc.terminate()
    proc.wait(timeout=20)


def test_serve_loads_demo_data_and_admin_logs_in(server) -> None:
    base, proc = server
    with httpx.Client(base_url=base, follow_redirects=True) as c:
        assert c.get("/api/v1/competencies").status_code == 401
        page = c.get("/app")
        assert page.status_code == 200 and "Log in" in page.text  # redirected to the login page
        r = c.post(
            "/api/v1/auth/login",
            json={"email": "boss@test.example", "password": "the boss password"},
        )
        assert r.status_code == 200 and r.json()["role"] == "admin"
        items = c.get("/api/v1/competencies", params={"flag": "select_for"}).json()["items"]
        assert {"customer_orientation", "results_orientation", "stress_resistance"} <= {
            i["key"] for i in items
        }
        assert all(i["select_for"] and i["indicators"] for i in items)
        assert "Customer orientation" in c.get("/app").text
    proc.terminate()
    out = proc.communicate(timeout=20)[0]
    assert f"http://127.0.0.1:{base.rsplit(':', 1)[1]}/login" in out
    assert "boss@test.example" in out
    assert "recruiter@example.com" in out  # demo logins are printed
