"""Real server processes for the load benchmark and the proof tests (tests/proof).

- ``ServerProcess``: ``assess serve`` (or any uvicorn app) in its own process group, on a
  free loopback port, with its own environment; ``kill()`` is ``kill -9`` of the whole group
  (the uvicorn supervisor and its workers), ``stop()`` a clean shutdown.
- ``fresh_database``: a new SQLite file in a temporary folder, or a new database on the
  PostgreSQL server named by a ``postgresql://`` URL (dropped afterwards);
  ``database_copy``: a copy of one (``bench/load.py`` gives its peer a copy of ours).
- ``make_campaign``: a vacancy with an N-item SJT form and invited, started candidates,
  created through the real staff and respondent APIs (tokens exist only in the answers to
  the invitations).

Nothing here imports the server package: the server runs in other processes. The servers
run from ``ENGINE_ROOT`` when it is set (another checkout), else from this one.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

# The checkout whose server is run (its folder is the servers' working directory, so its
# packages come first); ENGINE_ROOT runs another one, e.g. a `git archive` of a commit.
PROJECT_ROOT = Path(os.environ.get("ENGINE_ROOT") or Path(__file__).resolve().parent.parent)
ADMIN_EMAIL = "load-admin@example.org"
ADMIN_PASSWORD = "load test admin passphrase"
ROLE_KEY = "load_test_role"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a server process: inherited, minus the test suite's settings.

    No ``SECRET_KEY`` unless given: processes with the same ``var_dir`` share the key that
    the first one generates there (as on one host with the default configuration).
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "PORT",
            "HOST",
            "VAR_DIR",
            "DB_POOL_SIZE",
            "DEMO",
            "SECRET_KEY",
            "WORKER_IN_SERVE",
            "CLOCK_FILE",
        )
        and not k.startswith("PYTEST")
    }
    env.update(
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),
        DEMO="0",
        ADMIN_EMAIL=ADMIN_EMAIL,
        ADMIN_PASSWORD=ADMIN_PASSWORD,
        PICCOLO_CONF="server.piccolo_conf",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def wait_for_health(url: str, alive: Callable[[], bool], timeout: float = 60.0) -> bool:
    """Poll ``GET {url}/health`` every 0.1 s until it answers 200 (True), the process is
    no longer ``alive()`` or ``timeout`` seconds pass (False).

    One client serves every poll: a client per poll builds an SSL context each time
    (about 25 ms of CPU, taken from the server that is starting on the same cores).
    """
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline and alive():
            try:
                if client.get(f"{url}/health").status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
    return False


@dataclass
class ServerProcess:
    """One server (``assess serve`` by default) in its own process group.

    ``command`` gets ``--port`` and ``--workers`` appended for ``assess serve``; for another
    command, put them in it yourself.
    """

    env: dict[str, str]
    log_path: Path
    workers: int = 1
    port: int = field(default_factory=free_port)
    command: Sequence[str] | None = None
    proc: subprocess.Popen[bytes] | None = None
    log_start: int = 0  # where this start's lines begin in the log

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("already running")
        cmd = list(self.command or [sys.executable, "-m", "server.cli", "serve"])
        if self.command is None:
            cmd += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(self.workers)]
        env = dict(self.env, PORT=str(self.port))
        self.log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        try:
            self.proc = subprocess.Popen(
                cmd,
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: kill() reaches every worker
            )
        finally:
            log.close()
        return self

    def wait_ready(self, timeout: float = 60.0) -> ServerProcess:
        """Wait until ``GET /health`` answers 200 (and every worker had time to start)."""
        proc = self.proc
        assert proc is not None
        deadline = time.monotonic() + timeout
        if wait_for_health(self.url, lambda: proc.poll() is None, timeout):
            if self.workers > 1:
                self._wait_workers(deadline)
            return self
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{self.log_tail()}")
        self.kill()
        raise RuntimeError(f"server not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def _wait_workers(self, deadline: float) -> None:
        """uvicorn logs one 'Application startup complete' per worker process."""
        while time.monotonic() < deadline:
            with open(self.log_path, "rb") as fh:
                fh.seek(self.log_start)
                text = fh.read().decode(errors="replace")
            if text.count("Application startup complete") >= self.workers:
                return
            time.sleep(0.1)

    def kill(self) -> None:
        """``kill -9`` the whole process group (supervisor and workers), no clean-up."""
        if self.proc is None:
            return
        if self.proc.poll() is None:  # never signal a group whose leader is gone (pid reuse)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
        self.proc = None

    def stop(self, timeout: float = 10.0) -> None:
        """A clean shutdown (SIGTERM), then ``kill()`` if it takes longer than ``timeout``."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=timeout)
        self.kill()

    def pids(self) -> list[int]:
        """The supervisor's and its workers' process ids (for CPU accounting)."""
        if self.proc is None:
            return []
        out = [self.proc.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    fields = stat[stat.rindex(")") + 2 :].split()
                    if int(fields[2]) == self.proc.pid and int(entry.name) != self.proc.pid:
                        out.append(int(entry.name))  # same process group
        return out

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.kill()


def cpu_seconds(pids: Sequence[int]) -> float:
    """User + system CPU time of these processes so far (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2 :].split()
            total += int(fields[11]) + int(fields[12])
    return total / tick


# ---- databases ---------------------------------------------------------------------------


def is_postgres(url: str) -> bool:
    return urlsplit(url).scheme.lower() in ("postgres", "postgresql", "postgresql+asyncpg")


def _pg_connect_args(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "localhost",
        "port": parts.port or 5432,
        "user": parts.username or None,
        "password": parts.password or None,
        "database": parts.path.lstrip("/") or "postgres",
    }


async def pg_execute(url: str, *statements: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(**_pg_connect_args(url))
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


def sqlite_path(url: str) -> str:
    return url.removeprefix("sqlite:///")


def query(url: str, sql: str, *args: Any) -> list[tuple[Any, ...]]:
    """The rows of one SQL statement (placeholders ``?``) on a SQLite file or PostgreSQL,
    committed.

    Synchronous (call it outside a running event loop). JSON columns come back as text.
    """
    if is_postgres(url):
        numbers = iter(range(1, len(args) + 1))
        pg_sql = re.sub(r"\?", lambda _: f"${next(numbers)}", sql)

        async def run() -> list[tuple[Any, ...]]:
            import asyncpg

            conn = await asyncpg.connect(**_pg_connect_args(url))
            try:
                return [tuple(r) for r in await conn.fetch(pg_sql, *args)]
            finally:
                await conn.close()

        return asyncio.run(run())
    con = sqlite3.connect(sqlite_path(url))
    try:
        rows = con.execute(sql, args).fetchall()
        con.commit()
        return rows
    finally:
        con.close()


def as_datetime(value: Any) -> datetime | None:
    """A timestamp column's value (SQLite gives ISO text, PostgreSQL a datetime)."""
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


@contextlib.contextmanager
def fresh_database(
    url: str | None = None, *, prefix: str = "engine_proof", keep: bool = False
) -> Iterator[str]:
    """A new, empty database; yields its URL.

    ``url`` None or ``sqlite...``: a file in a new temporary folder. ``postgresql://...``: a
    new database on that server (created from a connection to the database the URL names),
    dropped on exit unless ``keep``.
    """
    if url is None or not is_postgres(url):
        tmp = tempfile.mkdtemp(prefix=f"{prefix}-")
        try:
            yield f"sqlite:///{tmp}/engine.db"
        finally:
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
        return
    name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"
    asyncio.run(pg_execute(url, f'CREATE DATABASE "{name}"'))
    parts = urlsplit(url)
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        if not keep:
            asyncio.run(pg_execute(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextlib.contextmanager
def database_copy(url: str, *, keep: bool = False) -> Iterator[str]:
    """A copy of the database at ``url``, which nothing may be connected to; yields its URL.

    SQLite: the file and its write-ahead log, if any, copied into a new temporary folder
    (not the shared-memory index: SQLite rebuilds it when the copy is first opened).
    PostgreSQL: a new database made with the original as its template on the same server,
    dropped on exit unless ``keep``.
    """
    if not is_postgres(url):
        tmp = tempfile.mkdtemp(prefix="engine-copy-")
        source = Path(sqlite_path(url))
        for part in (source, Path(f"{source}-wal")):
            if part.exists():
                shutil.copy(part, Path(tmp) / part.name)
        try:
            yield f"sqlite:///{tmp}/{source.name}"
        finally:
            if not keep:
                shutil.rmtree(tmp, ignore_errors=True)
        return
    parts = urlsplit(url)
    original = parts.path.lstrip("/")
    name = f"{original}_copy"[:63]
    # from the server's maintenance database: a template must have no connection at all
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    asyncio.run(pg_execute(admin, f'CREATE DATABASE "{name}" TEMPLATE "{original}"'))
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        if not keep:
            asyncio.run(pg_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# ---- a vacancy through the real API ------------------------------------------------------


@dataclass(frozen=True)
class Taker:
    """An invited (and, once started, started) candidate."""

    candidate_id: int
    token: str
    items: list[dict[str, Any]] = field(default_factory=list)  # as GET /respond shows them


@dataclass(frozen=True)
class Vacancy:
    campaign_id: int
    item_ids: list[int]
    takers: list[Taker]
    time_limit_seconds: int


def library_document(n_competencies: int = 1) -> dict[str, Any]:
    comps = [f"load_competency_{n}" for n in range(n_competencies)]
    return {
        "format": "competency-library",
        "version": 1,
        "areas": [{"key": "load_area", "name": "Load test area"}],
        "competencies": [
            {
                "key": key,
                "name": f"Load competency {n}",
                "definition": "Handles a busy queue of customers calmly and correctly.",
                "select_for": True,
                "area": "load_area",
            }
            for n, key in enumerate(comps)
        ],
        "roles": [
            {
                "key": ROLE_KEY,
                "name": "Load test role",
                "area": "load_area",
                "competencies": [{"competency": key} for key in comps],
            }
        ],
    }


async def staff_client(base_url: str, **kwargs: Any) -> httpx.AsyncClient:
    """A client logged in as the admin that ``server_env`` creates."""
    client = httpx.AsyncClient(base_url=base_url, timeout=60.0, **kwargs)
    r = await client.post(
        "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
    )
    r.raise_for_status()
    return client


def _check(r: httpx.Response, *ok: int) -> Any:
    if r.status_code not in (ok or (200, 201)):
        raise RuntimeError(f"{r.request.method} {r.request.url.path}: {r.status_code} {r.text}")
    return r.json()


async def make_campaign(
    base_url: str,
    *,
    n_items: int = 20,
    n_candidates: int = 10,
    start: bool = True,
    time_limit_seconds: int = 4 * 3600,
    concurrency: int = 16,
) -> Vacancy:
    """A vacancy with an ``n_items`` most/least SJT form (1-20 items) and ``n_candidates``
    invited from CSV; with ``start`` each has consented and started (POST .../start)."""
    if not 1 <= n_items <= 20:
        raise ValueError("n_items: 1 to 20 (a blueprint takes at most 20 items per competency)")
    staff = await staff_client(base_url)
    try:
        _check(await staff.post("/api/v1/library/import", json=library_document()))
        roles = _check(await staff.get("/api/v1/roles", params={"limit": 500}))["items"]
        role_id = next(r["id"] for r in roles if r["key"] == ROLE_KEY)
        for n in range(n_items):
            options = [
                {"key": k, "text": f"Response {k.upper()} to situation {n + 1}."} for k in "abcd"
            ]
            item = _check(
                await staff.post(
                    "/api/v1/sjt/items",
                    json={
                        "key": f"load_item_{n + 1}",
                        "stem": f"Situation {n + 1}: a customer on hold for 20 minutes calls back.",
                        "options": options,
                        "competencies": ["load_competency_0"],
                        "status": "active",
                    },
                )
            )
            _check(
                await staff.post(
                    f"/api/v1/sjt/items/{item['id']}/key",
                    json={"effectiveness": {"a": 6.5, "b": 4.0, "c": 3.0, "d": 1.5}},
                )
            )
        campaign = _check(
            await staff.post(
                "/api/v1/campaigns",
                json={
                    "name": "Load test vacancy",
                    "role_id": role_id,
                    "blueprint": {"items_per_competency": n_items, "format": "most_least"},
                    "time_limit_seconds": time_limit_seconds,
                    "languages": ["en"],
                },
            )
        )
        form = _check(await staff.get(f"/api/v1/sjt/forms/{campaign['form_ids'][0]}"))
        rows = "".join(f"Candidate {n},candidate{n}@load.example\n" for n in range(n_candidates))
        invited = _check(
            await staff.post(
                f"/api/v1/campaigns/{campaign['id']}/candidates/import",
                content=f"name,email\n{rows}".encode(),
                headers={"content-type": "text/csv"},
            )
        )["invited"]
    finally:
        await staff.aclose()
    takers = [Taker(c["id"], c["link"].removeprefix("/take/")) for c in invited]
    if start:
        takers = await start_all(base_url, takers, concurrency=concurrency)
    return Vacancy(campaign["id"], list(form["item_ids"]), takers, time_limit_seconds)


async def start_all(
    base_url: str, takers: Sequence[Taker], *, concurrency: int = 16
) -> list[Taker]:
    """Consent and start every candidate's test; returns them with their items."""
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=60.0, limits=limits) as client:

        async def one(t: Taker) -> Taker:
            async with gate:
                test = _check(
                    await client.post(f"/api/v1/respond/{t.token}/start", json={"consent": True})
                )
            return Taker(t.candidate_id, t.token, test["items"])

        return list(await asyncio.gather(*(one(t) for t in takers)))


def answer_for(taker: Taker, n: int, variant: int = 0) -> tuple[int, dict[str, str]]:
    """The candidate's answer to their n-th item: (item id, most/least body)."""
    item = taker.items[n]
    ids = [o["id"] for o in item["options"]]
    k = (taker.candidate_id + n + variant) % len(ids)
    return item["id"], {"most": ids[k], "least": ids[(k + 1) % len(ids)]}


@contextlib.contextmanager
def running_server(var_dir: Path, *, prefix: str, **extra: str) -> Iterator[str]:
    """A real ``assess serve`` on a new empty database of the suite's engine; yields its URL.

    PostgreSQL when ``DATABASE_URL`` names one (a database of its own is created and
    dropped), else a SQLite file; ``extra`` are settings (``DEMO="1"`` for demo data).
    """
    url = os.environ.get("DATABASE_URL", "")
    with fresh_database(url if is_postgres(url) else None, prefix=prefix) as db:
        proc = ServerProcess(server_env(db, var_dir / "var", **extra), var_dir / "server.log")
        try:
            proc.start().wait_ready(timeout=180)
            yield proc.url
        finally:
            proc.kill()
