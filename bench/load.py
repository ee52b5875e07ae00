"""Load: candidates answering an SJT at once against a real server process.

Run (from the project root)::

    .venv/bin/python bench/load.py                      # SQLite, 1 worker
    .venv/bin/python bench/load.py --database-url postgresql://postgres@127.0.0.1:55433/postgres
    .venv/bin/python bench/load.py --quick              # 100 candidates instead of 500

What it does, in one run: three rounds (``--rounds``) of

1. a fresh database: a SQLite file in a temporary folder, or with ``--database-url
   postgresql://...`` a new database on that server (created, and dropped afterwards);
2. ``assess serve --workers N`` in its own process (1 worker on SQLite, 2 on PostgreSQL by
   default); through the real staff API: a vacancy with a 20-item most/least SJT form and
   500 candidates invited from CSV (their links come back in the answer), each of whom then
   consents and starts the test through the respondent API;
3. 10,000 answer saves (``PUT /api/v1/respond/{token}/answers/{item}``, every candidate x
   item once) over 64 keep-alive connections: throughput, p50 and p99 latency;
4. in the database afterwards: every save acknowledged with a 2xx is stored with the payload
   sent (0 lost), one ``answer`` row per candidate and item and one ``answer_event`` per
   acknowledged save (0 duplicated), and the count of non-2xx answers;
5. the database-write peer (``bench/bare_app.py``: bare Litestar and the same write in one
   statement) with the same worker count, under the same client and connections, with the
   same requests, on a copy of the database made after step 2. Both servers run side by
   side and take turns: the saves go in six slices, each sent to one server and then to the
   other (ours first in every other slice), so each pair of figures is measured seconds
   apart under the same conditions (``--quick``: one slice, as a slice needs 1,500 saves);

then the bare endpoint (the same app without a database: decodes a small JSON body and
answers JSON) once. Each round's ratio is taken against the peer of the same round and the
line gives the median of the rounds. Before the turns, one whole run of ours and then one
of the peer's, seconds apart, moved the ratio of one round by a third on a shared machine
(51 % to 101 % within one run of unchanged code).

The aim (issue 18): the answer save at >= 70% of the database-write peer's throughput with
p99 <= 1.5 x the peer's, 0 lost and 0 duplicated. It prints met / not met and never fails
on an aim; it exits 1 only when an answer was lost or duplicated or a save was not answered
2xx.

The load generator is ``wrk`` (Debian package ``wrk``) with a Lua script: one connection per
wrk thread, so each response is matched to its request and the 2xx-acknowledged saves are
known one by one; the script times each request itself (wrk's own histogram "corrects" for
coordinated omission) and hands a request out again, rather than skipping it, when wrk asks
twice because a write would block. Without wrk (or with ``--client python``) a small asyncio
HTTP/1.1 client does the same. Both print their own CPU time next to the server's (the
server's: ``assess serve`` and its workers, not PostgreSQL's backends), and how busy the
machine was before the run, so that a saturated client or a shared machine shows.

Other flags: ``--workers``, ``--candidates``, ``--items`` (1-20), ``--connections``,
``--bare-requests``, ``--keep`` (keep the database and the logs), ``--saves-only`` (our
saves and their check, no peers and no summary lines) and ``--json FILE`` (our saves'
figures as JSON, of the median round; ``bench/all.py`` uses both to compare the
engines). ``ENGINE_ROOT=/path`` runs the server of another checkout (e.g. ``git archive``
of a commit) for a comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import platform
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serverproc import (
    ServerProcess,
    Taker,
    answer_for,
    cpu_seconds,
    database_copy,
    free_port,
    fresh_database,
    is_postgres,
    make_campaign,
    query,
    server_env,
)
from bench.summary import record

AIM_RATIO = 0.70  # of the database-write peer's throughput (issue 18)
AIM_P99_RATIO = 1.5  # x the peer's p99
CHUNKS = 6  # slices of a round's saves, ours and the peer's in turn (see side_by_side)
# requests a slice needs at the least: with 64 connections, ~25 each, so that the moments
# with every connection busy make up most of it (``--quick``: one slice of 2,000)
MIN_SLICE = 1500

WRK_SCRIPT = r"""
-- One connection per thread, so at most one request is in flight and the response belongs
-- to the request handed out last. request() hands out the next request only after the
-- previous one was answered: wrk asks again when a write found the socket busy, and must
-- then get the same (unsent) request, not skip it. Each thread times its requests itself
-- (wrk's own histogram "corrects" latencies) and, when its last request is answered,
-- writes a "# first-sent last-answered" line, then "index status microseconds answered-at"
-- lines (monotonic microseconds), and the bodies of non-2xx answers.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } load_timespec;
int clock_gettime(int clk_id, load_timespec *tp);
]]
local ts = ffi.new("load_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts)  -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + math.floor(tonumber(ts.tv_nsec) / 1000)
end

local counter = 0
function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

function init(args)
  dir = args[1]
  reqs = {}
  local f = io.open(dir .. "/" .. id .. ".req", "r")
  for line in f:lines() do
    local method, path, body = line:match("^(%S+) (%S+) ?(.*)$")
    local headers = {}
    if body ~= "" then headers["Content-Type"] = "application/json" end
    reqs[#reqs + 1] = wrk.format(method, path, headers, body ~= "" and body or nil)
  end
  f:close()
  filler = wrk.format("GET", "/health")
  got = 0
  t0 = 0
  first = nil
  lines = {}
  errors = {}
end

function request()
  t0 = now_us()
  if first == nil then first = t0 end
  return reqs[got + 1] or filler
end

function response(status, headers, body)
  local t1 = now_us()
  got = got + 1
  if got > #reqs then return end
  lines[got] = string.format("%d %d %d %.0f", got, status, t1 - t0, t1)
  if status < 200 or status > 299 then
    local text = string.gsub(string.sub(body or "", -400), "%s+", " ")
    errors[#errors + 1] = got .. " " .. status .. " " .. text
  end
  if got == #reqs then
    local out = io.open(dir .. "/" .. id .. ".errors", "w")
    out:write(table.concat(errors, "\n"), "\n")
    out:close()
    out = io.open(dir .. "/" .. id .. ".status", "w")
    out:write(string.format("# %.0f %.0f\n", first, t1))
    out:write(table.concat(lines, "\n"), "\n")
    out:close()
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK-RESULT %d %d %d %d %d %d\n", summary.requests,
    e.connect, e.read, e.write, e.timeout, e.status))
end
"""


@dataclass(frozen=True)
class Req:
    method: str
    path: str
    body: bytes = b""


@dataclass
class RunResult:
    client: str
    n: int
    seconds: float  # from the first request sent to the last response received
    statuses: list[int | None]  # per request; None: no response matched to it
    latencies: list[float]  # seconds, of the answered requests
    socket_errors: int
    errors: list[str]  # "status body" of non-2xx answers
    # answers received while every connection had a request in flight, and how long that
    # lasted: from the last connection's first request to the first connection's last answer
    busy_n: int = 0
    busy_seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    database_cpu: float = 0.0  # PostgreSQL's processes (0 on SQLite: in the server's)
    machine_busy: float = 0.0  # cores busy on average during the run (all processes)

    @property
    def answered(self) -> int:
        return sum(1 for s in self.statuses if s is not None)

    @property
    def rps(self) -> float:
        return self.answered / self.seconds if self.seconds else 0.0

    @property
    def busy_rps(self) -> float:
        """Throughput with every connection busy: without the start (connections not yet
        all sending) and the end (some done, fewer in flight, each answered sooner)."""
        return self.busy_n / self.busy_seconds if self.busy_seconds else self.rps

    @property
    def non_2xx(self) -> int:
        return sum(1 for s in self.statuses if s is not None and not 200 <= s < 300)

    @property
    def unanswered(self) -> int:
        return len(self.statuses) - self.answered

    def percentile_ms(self, p: float) -> float:
        """Nearest-rank percentile of the latencies, in milliseconds."""
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        rank = max(1, math.ceil(p / 100 * len(ordered)))
        return ordered[rank - 1] * 1000

    @property
    def p50_ms(self) -> float:
        return self.percentile_ms(50)

    @property
    def p99_ms(self) -> float:
        return self.percentile_ms(99)

    @property
    def max_ms(self) -> float:
        return self.percentile_ms(100)


# ---- machine -----------------------------------------------------------------------------


def cpu_busy_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot (/proc/stat)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def database_version(url: str) -> str:
    if is_postgres(url):
        return "PostgreSQL " + str(query(url, "SHOW server_version")[0][0])
    return f"SQLite {sqlite3.sqlite_version} (file, WAL)"


def print_machine(url: str, client: str) -> None:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    print(f"machine   {os.cpu_count()} cores ({cpu or platform.machine()}), {platform.system()}")
    print(f"python    {platform.python_implementation()} {platform.python_version()}")
    print(f"database  {database_version(url)}")
    busy0, total0 = cpu_busy_ticks()
    time.sleep(1.0)
    busy1, total1 = cpu_busy_ticks()
    idle_load = (busy1 - busy0) / max(1, total1 - total0) * (os.cpu_count() or 1)
    print(
        f"busy      {idle_load:.2f} cores busy before the run (other processes)"
        + ("  <- the figures below share the machine" if idle_load > 0.3 else "")
    )
    if client == "wrk":
        out = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
        print(f"client    {(out.stdout + out.stderr).splitlines()[0].strip()}")
    else:
        print("client    asyncio HTTP/1.1 client (bench/load.py), uvloop when installed")


# ---- the load generators -----------------------------------------------------------------


def busy_window(first: list[int], last: list[int], answered_at: list[int]) -> tuple[int, float]:
    """How many answers came while every connection had a request in flight, and for how
    many seconds that lasted: from the last connection's first request to the first
    connection's last answer (``first`` and ``last``: one time per connection; all times in
    monotonic microseconds). ``(0, 0.0)`` when no such moment came."""
    if not first:
        return 0, 0.0
    start, end = max(first), min(last)
    if end <= start:
        return 0, 0.0
    return sum(1 for at in answered_at if start < at <= end), (end - start) / 1e6


def run_wrk(base_url: str, reqs: list[Req], connections: int, work: Path) -> RunResult:
    """Send every request exactly once over ``connections`` connections (wrk, Lua)."""
    connections = min(connections, len(reqs))
    work.mkdir(parents=True, exist_ok=True)
    for old in [*work.glob("*.status"), *work.glob("*.errors")]:
        old.unlink()
    slices: list[list[int]] = [[] for _ in range(connections)]
    for i in range(len(reqs)):
        slices[i % connections].append(i)
    for t, idx in enumerate(slices):
        with open(work / f"{t}.req", "w") as fh:
            for i in idx:
                r = reqs[i]
                fh.write(f"{r.method} {r.path} {r.body.decode()}\n")
    script = work / "load.lua"
    script.write_text(WRK_SCRIPT)
    cap = max(60, len(reqs) // 20)  # wrk needs a duration: a cap, threads stop when done
    cmd = [
        "wrk",
        f"-t{connections}",
        f"-c{connections}",
        f"-d{cap}s",
        "--timeout",
        "60s",
        "-s",
        str(script),
        base_url,
        "--",
        str(work),
    ]
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    stdout = work / "wrk.out"
    with open(stdout, "w") as out_fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out_fh, stderr=subprocess.STDOUT)
        # wrk always runs for its whole -d: each thread writes its statuses when its last
        # response is in; when every thread has, the run is over (then SIGINT ends wrk)
        try:
            while proc.poll() is None:
                done = sum(1 for e in os.scandir(work) if e.name.endswith(".status"))
                if done >= connections:
                    break
                time.sleep(0.002)
            wall = time.perf_counter() - t0
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = stdout.read_text()
    line = next((ln for ln in text.splitlines() if ln.startswith("WRK-RESULT")), None)
    if line is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{text}")
    socket_errors = sum(int(x) for x in line.split()[2:6])
    statuses: list[int | None] = [None] * len(reqs)
    latencies: list[float] = []
    errors: list[str] = []
    first, last, answered_at = [], [], []
    for t, idx in enumerate(slices):
        status_file, errors_file = work / f"{t}.status", work / f"{t}.errors"
        if status_file.exists():
            for ln in status_file.read_text().splitlines():
                if ln.startswith("#"):
                    _, start_us, end_us = ln.split()
                    first.append(int(start_us))
                    last.append(int(end_us))
                elif ln.strip():
                    n, status, micros, at = ln.split()
                    statuses[idx[int(n) - 1]] = int(status)
                    latencies.append(int(micros) / 1e6)
                    answered_at.append(int(at))
        if errors_file.exists():
            errors += [ln.split(" ", 1)[1] for ln in errors_file.read_text().splitlines() if ln]
    client_cpu = (after_children.ru_utime + after_children.ru_stime) - (
        before_children.ru_utime + before_children.ru_stime
    )
    busy_n, busy_seconds = busy_window(first, last, answered_at)
    return RunResult(
        client="wrk",
        n=len(reqs),
        seconds=(max(last) - min(first)) / 1e6 if first else wall,
        statuses=statuses,
        latencies=latencies,
        socket_errors=socket_errors,
        errors=errors,
        busy_n=busy_n,
        busy_seconds=busy_seconds,
        client_cpu=client_cpu,
    )


async def _python_load(
    host: str, port: int, reqs: list[Req], connections: int
) -> tuple[list[int | None], list[float], int, list[str]]:
    statuses: list[int | None] = [None] * len(reqs)
    latencies: list[float] = [0.0] * len(reqs)
    bodies: list[str] = []
    errors = 0
    head = f"Host: {host}:{port}\r\n"

    async def connection(indices: list[int]) -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i in indices:
                r = reqs[i]
                msg = f"{r.method} {r.path} HTTP/1.1\r\n{head}"
                if r.body:
                    msg += f"Content-Type: application/json\r\nContent-Length: {len(r.body)}\r\n"
                data = msg.encode() + b"\r\n" + r.body
                t0 = time.perf_counter()
                writer.write(data)
                status_line = await reader.readline()
                length, chunked = 0, False
                while True:
                    h = await reader.readline()
                    if h in (b"\r\n", b""):
                        break
                    name, _, value = h.decode("latin-1").partition(":")
                    name = name.strip().lower()
                    if name == "content-length":
                        length = int(value)
                    elif name == "transfer-encoding" and "chunked" in value.lower():
                        chunked = True
                body = b""
                if chunked:
                    while True:
                        size = int((await reader.readline()).strip() or b"0", 16)
                        body += (await reader.readexactly(size + 2))[:-2]
                        if size == 0:
                            break
                elif length:
                    body = await reader.readexactly(length)
                latencies[i] = time.perf_counter() - t0
                statuses[i] = status = int(status_line.split()[1])
                if not 200 <= status < 300:
                    text = " ".join(body[-400:].decode(errors="replace").split())
                    bodies.append(f"{status} {text}")
        except (OSError, asyncio.IncompleteReadError, IndexError, ValueError):
            errors += 1
        finally:
            writer.close()

    slices: list[list[int]] = [[] for _ in range(min(connections, len(reqs)))]
    for i in range(len(reqs)):
        slices[i % len(slices)].append(i)
    await asyncio.gather(*(connection(s) for s in slices))
    return statuses, latencies, errors, bodies


def run_python(base_url: str, reqs: list[Req], connections: int) -> RunResult:
    host, port = base_url.removeprefix("http://").split(":")
    try:
        import uvloop

        runner: Any = uvloop.run
    except ImportError:  # pragma: no cover
        runner = asyncio.run
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    statuses, latencies, errors, bodies = runner(_python_load(host, int(port), reqs, connections))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    return RunResult(
        client="python",
        n=len(reqs),
        seconds=wall,
        statuses=statuses,
        latencies=[lat for lat, s in zip(latencies, statuses, strict=True) if s is not None],
        socket_errors=errors,
        errors=bodies,
        client_cpu=cpu,
    )


def postgres_pids(url: str) -> Callable[[], list[int]]:
    """The processes of the PostgreSQL server at ``url``'s port on this machine (its
    postmaster, found by ``-p PORT`` on its command line, and the postmaster's children);
    all PostgreSQL processes when no postmaster names its port."""
    port = str(urlsplit(url).port or 5432)

    def pids() -> list[int]:
        procs: dict[int, tuple[int, str, list[str]]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    stat = (entry / "stat").read_text()
                    comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                    ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
                    argv = (entry / "cmdline").read_bytes().decode().split("\0")
                    procs[int(entry.name)] = (ppid, comm, argv)
        masters = [
            pid
            for pid, (_, comm, argv) in procs.items()
            if comm in ("postgres", "postmaster")
            and any(a == port or a.endswith(f"-p {port}") for a in argv)
        ]
        if not masters:
            return [pid for pid, (_, comm, _) in procs.items() if comm == "postgres"]
        return masters + [pid for pid, (ppid, _, _) in procs.items() if ppid in masters]

    return pids


def run_load(
    client: str,
    server: ServerProcess,
    reqs: list[Req],
    connections: int,
    work: Path,
    database_pids: Callable[[], list[int]] = list,
) -> RunResult:
    pids = server.pids()
    db_before = {pid: cpu_seconds([pid]) for pid in database_pids()}
    server_cpu0 = cpu_seconds(pids)
    busy0, total0 = cpu_busy_ticks()
    if client == "wrk":
        result = run_wrk(server.url, reqs, connections, work)
    else:
        result = run_python(server.url, reqs, connections)
    busy1, total1 = cpu_busy_ticks()
    result.server_cpu = cpu_seconds(pids) - server_cpu0
    # a backend started during the run counts with all its CPU time
    db_after = {pid: cpu_seconds([pid]) for pid in database_pids()}
    result.database_cpu = sum(t - db_before.get(pid, 0.0) for pid, t in db_after.items())
    cores = os.cpu_count() or 1
    result.machine_busy = (busy1 - busy0) / max(1, total1 - total0) * cores
    return result


# ---- the run ----------------------------------------------------------------------------


def save_requests(takers: list[Taker], n_items: int) -> tuple[list[Req], list[tuple[Any, ...]]]:
    """Every candidate's every item once, in waves: all candidates' first items, then the
    second, ... (as people taking the test at the same time); with the expected payloads."""
    reqs, expected = [], []
    for n in range(n_items):
        for t in takers:
            item_id, body = answer_for(t, n)
            reqs.append(
                Req(
                    "PUT",
                    f"/api/v1/respond/{t.token}/answers/{item_id}",
                    json.dumps(body, separators=(",", ":")).encode(),
                )
            )
            expected.append((t.candidate_id, item_id, body))
    return reqs, expected


def bare_requests(n: int) -> list[Req]:
    body = json.dumps({"most": "b", "least": "c"}, separators=(",", ":")).encode()
    token = "x" * 43
    return [Req("POST", f"/bare/{token}/answers/{i % 20 + 1}", body) for i in range(n)]


def stored_answers(url: str, campaign_id: int) -> tuple[list[tuple[Any, ...]], Counter[Any]]:
    """(candidate, item, payload) of every answer row, and answer_event counts per key."""
    answers = query(
        url,
        "SELECT a.candidate, a.item, a.payload FROM answer a "
        "JOIN candidate c ON c.id = a.candidate WHERE c.campaign = ?",
        campaign_id,
    )
    events = query(
        url,
        "SELECT e.candidate, e.item FROM answer_event e "
        "JOIN candidate c ON c.id = e.candidate WHERE c.campaign = ?",
        campaign_id,
    )
    rows = [
        (int(c), int(i), json.loads(p) if isinstance(p, str | bytes) else p) for c, i, p in answers
    ]
    return rows, Counter((int(c), int(i)) for c, i in events)


@dataclass(frozen=True)
class Verdict:
    acknowledged: int
    lost: int
    wrong_payload: int
    duplicate_answers: int
    duplicate_events: int
    events: int
    answers: int
    unacknowledged_stored: int

    @property
    def ok(self) -> bool:
        return not (self.lost or self.wrong_payload or self.duplicate_answers)


def verify(url: str, campaign_id: int, expected: list[Any], statuses: list[Any]) -> Verdict:
    rows, events = stored_answers(url, campaign_id)
    per_key = Counter((c, i) for c, i, _ in rows)
    stored = {(c, i): p for c, i, p in rows}
    acked = [
        (c, i, body)
        for (c, i, body), s in zip(expected, statuses, strict=True)
        if s is not None and 200 <= s < 300
    ]
    acked_keys = {(c, i) for c, i, _ in acked}
    lost = sum(1 for c, i, _ in acked if (c, i) not in stored or events[(c, i)] == 0)
    wrong = sum(1 for c, i, body in acked if (c, i) in stored and stored[(c, i)] != body)
    return Verdict(
        acknowledged=len(acked),
        lost=lost,
        wrong_payload=wrong,
        duplicate_answers=sum(n - 1 for n in per_key.values() if n > 1),
        duplicate_events=sum(n - 1 for n in events.values() if n > 1),
        events=sum(events.values()),
        answers=len(rows),
        unacknowledged_stored=sum(1 for k in stored if k not in acked_keys),
    )


def show(label: str, r: RunResult) -> None:
    print(
        f"{label:<16} {r.n:>6} req in {r.seconds:6.2f} s = {r.rps:8.0f} req/s "
        f"({r.busy_rps:6.0f} all busy)   p50 {r.p50_ms:7.2f} ms   p99 {r.p99_ms:7.2f} ms   "
        f"max {r.max_ms:7.1f} ms   "
        f"non-2xx {r.non_2xx}   socket errors {r.socket_errors}"
    )
    database = f", database {r.database_cpu:5.1f} s ({r.database_cpu / r.seconds:.2f} cores)"
    print(
        f"{'':<16} CPU: server {r.server_cpu:5.1f} s ({r.server_cpu / r.seconds:.2f} cores)"
        + (database if r.database_cpu else "")
        + f", client {r.client_cpu:5.1f} s ({r.client_cpu / r.seconds:.2f} cores), "
        f"machine busy {r.machine_busy:.2f} of {os.cpu_count()} cores"
    )


def peer_process(
    work: Path, name: str, workers: int, database_url: str = "", pool_size: int = 10
) -> ServerProcess:
    """``bench/bare_app.py`` under uvicorn with ``workers`` processes (no database unless
    ``database_url``: then its answer-save route writes there)."""
    port = free_port()
    env = server_env("sqlite:///unused.db", work / "var")
    env.update(BARE_DATABASE_URL=database_url, BARE_POOL_SIZE=str(pool_size))
    return ServerProcess(
        env,
        work / f"{name}.log",
        workers=workers,
        port=port,
        command=[
            sys.executable,
            "-m",
            "uvicorn",
            "bare_app:app",
            "--app-dir",
            str(Path(__file__).resolve().parent),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--proxy-headers",
            "--no-access-log",
            "--log-level",
            "info",
        ],
    )


def verdict_line(verdict: Verdict, reqs: int, result: RunResult) -> bool:
    """Print what the database holds for the acknowledged saves; whether all is well."""
    print(
        f"verified  {verdict.acknowledged} saves acknowledged (2xx) of {reqs}; "
        f"in the database: {verdict.answers} answers, {verdict.events} answer events"
    )
    print(
        f"          lost {verdict.lost}, wrong payload {verdict.wrong_payload}, "
        f"duplicated answers {verdict.duplicate_answers}, duplicated events "
        f"{verdict.duplicate_events}, non-2xx {result.non_2xx}, "
        f"no response {result.unanswered}"
        + (
            f", stored without acknowledgement {verdict.unacknowledged_stored}"
            if verdict.unacknowledged_stored
            else ""
        )
    )
    events_ok = verdict.events == verdict.acknowledged + verdict.unacknowledged_stored
    ok = verdict.ok and events_ok and result.non_2xx == 0 and result.unanswered == 0
    if not ok:
        print("          FAILED: see the counts above")
    for text, count in Counter(result.errors).most_common(5):
        print(f"          {count} x {text}")
    return ok


@dataclass
class Round:
    """One round: our saves on a fresh database, checked, and (unless ``--saves-only``)
    the peer's on a copy of it, taken in turn with ours, and the answer events it wrote."""

    saves: RunResult
    verdict: Verdict
    n_reqs: int
    peer: RunResult | None = None
    peer_events: int = 0

    @property
    def peer_ok(self) -> bool:
        p = self.peer
        return p is not None and (
            p.non_2xx == 0 and p.unanswered == 0 and self.peer_events == p.answered
        )

    @property
    def ratio(self) -> float:
        """Our throughput over the peer's of this round (every connection busy)."""
        p = self.peer
        return self.saves.busy_rps / p.busy_rps if p and p.busy_rps else 0.0

    @property
    def p99_ratio(self) -> float:
        p99 = self.peer.p99_ms if self.peer else 0.0
        return self.saves.p99_ms / p99 if p99 else float("inf")


def one_round(
    args: argparse.Namespace,
    client: str,
    workers: int,
    db_pids: Callable[[], list[int]],
    work: Path,
    label: str,
    *,
    pg: bool,
    peer: bool,
) -> Round:
    """A fresh database and vacancy; our saves on it (then checked in the database); with
    ``peer``, the database-write peer's on a copy of it, the two taking turns (see
    :func:`side_by_side`)."""
    with fresh_database(args.database_url, prefix="engine_load", keep=args.keep) as url:
        where = url if pg else "a new SQLite file"
        pool = f", DB_POOL_SIZE={args.pool_size}" if args.pool_size else ""
        print(
            f"{label}setup     {where}, assess serve --workers {workers}{pool}, "
            f"{args.connections} conns"
        )
        server = our_server(args, url, work, workers)
        try:
            server.start().wait_ready()
            t0 = time.perf_counter()
            vacancy = asyncio.run(
                make_campaign(server.url, n_items=args.items, n_candidates=args.candidates)
            )
            print(
                f"          vacancy {vacancy.campaign_id}: {len(vacancy.item_ids)}-item form, "
                f"{len(vacancy.takers)} candidates invited and started "
                f"({time.perf_counter() - t0:.1f} s, through the API)"
            )
            reqs, expected = save_requests(vacancy.takers, args.items)
            # warm-up: reads only (each worker compiles its routes, opens its pool)
            warm = [Req("GET", f"/api/v1/respond/{t.token}") for t in vacancy.takers[:200]]
            if not peer:
                run_load(client, server, warm, args.connections, work / "warm")
                saves = run_load(client, server, reqs, args.connections, work / "saves", db_pids)
        finally:
            server.stop()
        if not peer:
            verdict = verify(url, vacancy.campaign_id, expected, saves.statuses)
            return Round(saves, verdict, len(reqs))
        with database_copy(url, keep=args.keep) as peer_url:
            saves, theirs, peer_events = side_by_side(
                args, client, workers, db_pids, work, (url, peer_url), reqs, warm
            )
        verdict = verify(url, vacancy.campaign_id, expected, saves.statuses)
        if args.keep:
            print(f"kept      {url}, {peer_url} and {work}")
    return Round(saves, verdict, len(reqs), theirs, peer_events)


def our_server(args: argparse.Namespace, url: str, work: Path, workers: int) -> ServerProcess:
    extra = {"DB_POOL_SIZE": str(args.pool_size)} if args.pool_size else {}
    return ServerProcess(
        server_env(url, work / "var", **extra), work / "server.log", workers=workers
    )


def side_by_side(
    args: argparse.Namespace,
    client: str,
    workers: int,
    db_pids: Callable[[], list[int]],
    work: Path,
    urls: tuple[str, str],
    reqs: list[Req],
    warm: list[Req],
) -> tuple[RunResult, RunResult, int]:
    """Our saves and the peer's, each server on its own copy of the database, both running;
    the requests in CHUNKS consecutive slices (fewer, of MIN_SLICE at the least, for a short
    run), each sent to one server and then the other (ours first in the even slices, the
    peer's first in the odd ones). The two are then
    measured seconds apart at most, so a change in the machine's speed moves both alike.
    Returns our run, the peer's (each its slices added up) and the answer events the peer
    wrote."""
    ours_url, peer_url = urls
    ours = our_server(args, ours_url, work, workers)
    peer = peer_process(work, "peer", workers, peer_url, args.peer_pool_size)
    parts: dict[str, list[RunResult]] = {"saves": [], "peer": []}
    with contextlib.ExitStack() as running:
        for server in (ours, peer):
            server.start()
            running.callback(server.stop)
        ours.wait_ready()
        peer.wait_ready()
        run_load(client, ours, warm, args.connections, work / "warm")
        # the peer's warm-up: its first saves (each worker opens its pool), on its copy; they
        # are deleted again, so that its measured saves insert their answers, as ours do
        marks = answer_marks(peer_url)
        run_load(client, peer, reqs[:2000], args.connections, work / "warm")
        drop_answers_after(peer_url, marks)
        events_before = query(peer_url, "SELECT count(*) FROM answer_event")[0][0]
        size = math.ceil(len(reqs) / max(1, min(CHUNKS, len(reqs) // MIN_SLICE)))
        for n, start in enumerate(range(0, len(reqs), size)):
            part = reqs[start : start + size]
            turns = [("saves", ours), ("peer", peer)]
            for name, server in turns[:: -1 if n % 2 else 1]:
                parts[name].append(
                    run_load(client, server, part, args.connections, work / name, db_pids)
                )
    peer_events = query(peer_url, "SELECT count(*) FROM answer_event")[0][0] - events_before
    return joined(parts["saves"]), joined(parts["peer"]), peer_events


def answer_marks(url: str) -> tuple[int, int]:
    """The highest ``answer`` and ``answer_event`` ids in the database now (0 for none)."""
    row = query(
        url,
        "SELECT (SELECT coalesce(max(id), 0) FROM answer), "
        "(SELECT coalesce(max(id), 0) FROM answer_event)",
    )[0]
    return int(row[0]), int(row[1])


def drop_answers_after(url: str, marks: tuple[int, int]) -> None:
    """Delete the answers and answer events added since :func:`answer_marks` gave
    ``marks`` (an answer that was there before and was replaced stays as replaced: the
    peer's copy has none when it warms up)."""
    query(url, "DELETE FROM answer WHERE id > ?", marks[0])
    query(url, "DELETE FROM answer_event WHERE id > ?", marks[1])


def joined(parts: list[RunResult]) -> RunResult:
    """One run made of runs of consecutive slices of the requests: their answers in order,
    their times and CPU added up."""
    seconds = sum(p.seconds for p in parts)
    return RunResult(
        client=parts[0].client,
        n=sum(p.n for p in parts),
        seconds=seconds,
        statuses=[s for p in parts for s in p.statuses],
        latencies=[t for p in parts for t in p.latencies],
        socket_errors=sum(p.socket_errors for p in parts),
        errors=[e for p in parts for e in p.errors],
        busy_n=sum(p.busy_n for p in parts),
        busy_seconds=sum(p.busy_seconds for p in parts),
        client_cpu=sum(p.client_cpu for p in parts),
        server_cpu=sum(p.server_cpu for p in parts),
        database_cpu=sum(p.database_cpu for p in parts),
        machine_busy=sum(p.machine_busy * p.seconds for p in parts) / seconds if seconds else 0.0,
    )


def median_run(runs: list[RunResult]) -> RunResult:
    """The run with the median throughput (the lower middle one of an even count)."""
    return sorted(runs, key=lambda r: r.busy_rps)[(len(runs) - 1) // 2]


def met(ok: bool) -> str:
    return "met" if ok else "not met"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url",
        default=None,
        help="postgresql://user@host:port/db: a new database is created on that server "
        "(and dropped afterwards); default: a SQLite file in a temporary folder",
    )
    p.add_argument("--workers", type=int, default=None, help="default: 1 SQLite, 2 PostgreSQL")
    p.add_argument("--candidates", type=int, default=500)
    p.add_argument("--items", type=int, default=20, help="items in the SJT form (1-20)")
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--quick", action="store_true", help="100 candidates (2,000 saves)")
    p.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    p.add_argument("--bare-requests", type=int, default=None, help="default: max(saves, 20000)")
    p.add_argument("--keep", action="store_true", help="keep the database and logs")
    p.add_argument(
        "--pool-size",
        type=int,
        default=None,
        help="DB_POOL_SIZE of each server worker (PostgreSQL); default: the server's own",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of ours and the peer's in turn, each on a fresh database (default 3)",
    )
    p.add_argument(
        "--saves-only",
        action="store_true",
        help="only our saves (checked as always): no peers, no summary lines",
    )
    p.add_argument(
        "--json", type=Path, default=None, help="write our saves' figures to this file (JSON)"
    )
    p.add_argument(
        "--peer-pool-size",
        type=int,
        default=10,
        help="asyncpg pool of each worker of the database-write peer (PostgreSQL)",
    )
    args = p.parse_args(argv)
    # a plain `kill` still runs the clean-up below (the servers are stopped)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if args.quick:
        args.candidates = min(args.candidates, 100)
    if not 1 <= args.items <= 20:
        p.error("--items: 1 to 20")
    if args.rounds < 1:
        p.error("--rounds: at least 1")
    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "python"
        if client == "python":
            print("wrk not found (apt-get install wrk): using the asyncio client")
    elif client == "wrk" and not shutil.which("wrk"):
        p.error("wrk not found: apt-get install wrk, or --client python")
    pg = bool(args.database_url) and is_postgres(args.database_url)
    workers = args.workers or (2 if pg else 1)
    n_saves = args.candidates * args.items
    n_bare = args.bare_requests or max(n_saves, 20_000)

    work = Path(tempfile.mkdtemp(prefix="engine-load-"))
    print_machine(args.database_url or "sqlite", client)
    db_pids = postgres_pids(args.database_url) if pg else list
    if args.saves_only:
        one = one_round(args, client, workers, db_pids, work, "", pg=pg, peer=False)
        if args.json is not None:
            args.json.write_text(json.dumps(figures(one.saves)))
        print()
        show("answer saves", one.saves)
        print()
        ok = verdict_line(one.verdict, one.n_reqs, one.saves)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        return 0 if ok else 1
    rounds = [
        one_round(
            args,
            client,
            workers,
            db_pids,
            work,
            f"round {n + 1} of {args.rounds}: ",
            pg=pg,
            peer=True,
        )
        for n in range(args.rounds)
    ]

    bare_server = peer_process(work, "bare", workers)
    try:
        bare_server.start().wait_ready()
        run_load(client, bare_server, bare_requests(2000), args.connections, work / "warm")
        bare = run_load(client, bare_server, bare_requests(n_bare), args.connections, work / "bare")
    finally:
        bare_server.stop()

    engine = "PostgreSQL" if pg else "SQLite"
    peer_label = (
        f"one asyncpg statement, pool of {args.peer_pool_size}"
        if pg
        else "same file, WAL, synchronous=FULL, one writer thread"
    )
    print()
    for n, one in enumerate(rounds, 1):
        show(f"answer saves {n}", one.saves)
        if one.peer is not None:
            show(f"database peer {n}", one.peer)
    show("bare endpoint", bare)
    print(f"{'':<16} database peer: bare Litestar + the same write ({peer_label})")
    print()
    ok = True
    for one in rounds:
        ok = verdict_line(one.verdict, one.n_reqs, one.saves) and ok
        if one.peer is not None and not one.peer_ok:
            print(
                f"peer      {one.peer_events} events written for {one.peer.answered} answered "
                f"requests, non-2xx {one.peer.non_2xx}: the peer's figure is not comparable"
            )
    # each round's ratio against the peer of the same round; the median of the rounds
    ratio = statistics.median(r.ratio for r in rounds)
    p99_ratio = statistics.median(r.p99_ratio for r in rounds)
    saves = median_run([r.saves for r in rounds])
    peer = median_run([r.peer for r in rounds if r.peer is not None])
    if args.json is not None:
        args.json.write_text(json.dumps(figures(saves)))
    bare_ratio = saves.busy_rps / bare.busy_rps if bare.busy_rps else 0.0
    n_all = sum(r.n_reqs for r in rounds)
    lost = sum(r.verdict.lost for r in rounds)
    duplicated = sum(r.verdict.duplicate_answers + r.verdict.duplicate_events for r in rounds)
    non_2xx = sum(r.saves.non_2xx for r in rounds)
    zero = lost == 0 and duplicated == 0
    each = ", ".join(f"{r.ratio:.0%}" for r in rounds)
    print()
    print(
        f"ratio     {ratio:.0%} of the database-write peer's throughput, the median of "
        f"{len(rounds)} rounds ({each}; aim >= {AIM_RATIO:.0%}): {met(ratio >= AIM_RATIO)}"
    )
    print(
        f"p99       {p99_ratio:.2f} x the peer's p99, the median of the rounds "
        f"(aim <= {AIM_P99_RATIO} x): {met(p99_ratio <= AIM_P99_RATIO)}"
    )
    print(f"integrity {lost} lost, {duplicated} duplicated of {n_all} (aim 0): {met(zero and ok)}")
    print(f"bare      {bare_ratio:.0%} of the bare endpoint without a database (no aim)")
    if client == "python" and saves.client_cpu / saves.seconds > 0.8:
        print("note      the asyncio client used most of a core: install wrk for a fair figure")
    where = f"{engine}, {workers} worker{'s' if workers > 1 else ''}, {args.connections} conns"
    record(
        f"answer save, {where}",
        f"{saves.busy_rps:,.0f} saves/s, p99 {saves.p99_ms:.0f} ms "
        f"(median of {len(rounds)} rounds)",
        f"{peer.busy_rps:,.0f} req/s, p99 {peer.p99_ms:.0f} ms (bare Litestar + the same write: "
        f"{peer_label}; each round beside ours)",
        f"{ratio:.0%}, p99 {p99_ratio:.2f} x",
        f">= {AIM_RATIO:.0%}, p99 <= {AIM_P99_RATIO} x",
        ratio >= AIM_RATIO and p99_ratio <= AIM_P99_RATIO,
        {
            "engine": engine,
            "workers": workers,
            "ours": figures(saves),
            "peer": figures(peer),
            "bare": figures(bare),
        },
    )
    record(
        f"answer save, {where}: integrity",
        f"{lost} lost, {duplicated} duplicated, {non_2xx} non-2xx of {n_all}",
        "",
        "",
        "0 lost, 0 duplicated",
        zero and ok,
    )
    record(
        f"answer save, {where}: vs the bare endpoint",
        f"{saves.busy_rps:,.0f} saves/s",
        f"{bare.busy_rps:,.0f} req/s (bare Litestar, no database)",
        f"{bare_ratio:.0%}",
        "(no aim)",
        None,
    )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


def figures(r: RunResult) -> dict[str, float]:
    return {
        "rps": round(r.busy_rps, 1),
        "p50_ms": round(r.p50_ms, 2),
        "p99_ms": round(r.p99_ms, 2),
        "server_cores": round(r.server_cpu / r.seconds, 2) if r.seconds else 0.0,
        "database_cores": round(r.database_cpu / r.seconds, 2) if r.seconds else 0.0,
        "client_cores": round(r.client_cpu / r.seconds, 2) if r.seconds else 0.0,
    }


if __name__ == "__main__":
    raise SystemExit(main())
