"""Demo logins follow the database: real ``assess serve`` start-ups (what `make run` does)
on a SQLite file that is deleted to start again. The logins printed and kept in
``var/demo-logins.txt`` must be accounts of the database being served."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from bench.serverproc import ServerProcess, fresh_database, server_env

LOGIN_LINE = re.compile(r"Log in as (\S+@example\.com)\s+password (\S+)\s+\((\w+)\)")


def _start(env: dict[str, str], log: Path) -> tuple[ServerProcess, list[tuple[str, str, str]]]:
    server = ServerProcess(env, log)
    server.start()
    server.wait_ready(timeout=180)
    printed = log.read_text(errors="replace")[server.log_start :]
    return server, LOGIN_LINE.findall(printed)


def _logs_in(server: ServerProcess, email: str, password: str) -> bool:
    r = httpx.post(
        f"{server.url}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30
    )
    return r.status_code == 200


def _file(var_dir: Path) -> list[tuple[str, str, str]]:
    lines = (var_dir / "demo-logins.txt").read_text().splitlines()
    return [(email, password, role) for role, email, password in (x.split("\t") for x in lines)]


def test_deleting_the_database_gives_new_demo_logins_that_work(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    with fresh_database(None, prefix="engine_demo_logins") as url:
        db_file = Path(url.removeprefix("sqlite:///"))
        # as `make run`: demo data, no ADMIN_EMAIL
        env = server_env(url, var_dir, DEMO="1", ADMIN_EMAIL="", ADMIN_PASSWORD="")
        log = tmp_path / "server.log"

        server, first = _start(env, log)
        try:
            assert {role for *_, role in first} == {"admin", "recruiter", "coach"}, log.read_text()
            assert sorted(first) == sorted(_file(var_dir))
            for email, password, _ in first:
                assert _logs_in(server, email, password)
        finally:
            server.stop()

        # a second start on the same database prints the same logins (the file matches)
        server, again = _start(env, log)
        try:
            assert sorted(again) == sorted(first)
        finally:
            server.stop()

        # start again from nothing: the file of the old database is left behind
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
        assert (var_dir / "demo-logins.txt").exists()
        server, fresh = _start(env, log)
        try:
            assert {role for *_, role in fresh} == {"admin", "recruiter", "coach"}, log.read_text()
            assert sorted(fresh) == sorted(_file(var_dir))
            assert {p for _, p, _ in fresh}.isdisjoint({p for _, p, _ in first})
            for email, password, _ in fresh:
                assert _logs_in(server, email, password)
            for email, password, _ in first:  # the old passwords open nothing
                assert not _logs_in(server, email, password)
        finally:
            server.stop()


def test_a_logins_file_that_does_not_match_is_not_printed(tmp_path: Path) -> None:
    """A logins file from another database names a password that is not the account's:
    it is never printed, and the file is replaced by the logins of this database."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    (var_dir / "demo-logins.txt").write_text("recruiter\trecruiter@example.com\tstale-password\n")
    with fresh_database(None, prefix="engine_demo_logins") as url:
        env = server_env(url, var_dir, DEMO="1")
        log = tmp_path / "server.log"
        server, printed = _start(env, log)
        try:
            assert ("recruiter@example.com", "stale-password", "recruiter") not in printed
            assert not _logs_in(server, "recruiter@example.com", "stale-password")
        finally:
            server.stop()
        listed = _file(var_dir) if (var_dir / "demo-logins.txt").exists() else []
        assert ("recruiter@example.com", "stale-password", "recruiter") not in listed
        assert sorted(listed) == sorted(printed)
        assert {role for *_, role in printed} == {"admin", "recruiter", "coach"}
