"""Instructions per answer save, counted by callgrind: our app and its database-write peer.

Timings on this shared machine move by a third from minute to minute; the instructions a
save executes do not. This counts them for the answer save of ``bench/load.py`` and for its
database-write peer (``bench/bare_app.py``), each driven in process through its ASGI app
(no HTTP server, no client: those are the same for both) with the same requests, 64 at
once, on a copy of the same SQLite database:

1. a real ``assess serve`` makes a vacancy with a 20-item most/least form and 500 started
   candidates through the API (as ``bench/load.py`` does), and stops;
2. for each app, two runs under ``valgrind --tool=callgrind --separate-threads=yes``: one
   that saves the warm-up answers only (1,000: the first two items of every candidate) and
   one that then saves ``--saves`` more; the difference, divided by ``--saves``, is what
   one save costs, per thread (the event loop's and the others: the SQLite writer).

Run (from the project root; needs valgrind, Debian package ``valgrind``; about 5 minutes)::

    .venv/bin/python bench/save_instructions.py [--saves 1500]

Used to find where the SQLite save's time went (issue 18); not part of ``make bench``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

WARM = 1000  # saves before the counted ones: items 1 and 2 of each of the 500 candidates
AT_ONCE = 64


def make_database(work: Path) -> Path:
    """A SQLite file with a started vacancy, and the requests (token, item, body) in order."""
    from bench.serverproc import ServerProcess, answer_for, make_campaign, server_env

    db = work / "setup.sqlite"
    env = server_env(f"sqlite:///{db}", work / "var")
    server = ServerProcess(env, work / "server.log")
    try:
        server.start().wait_ready()
        vacancy = asyncio.run(make_campaign(server.url, n_items=20, n_candidates=500))
    finally:
        server.stop()
    with sqlite3.connect(db) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    requests = [
        [t.token, *answer_for(t, n)] for n in range(20) for t in vacancy.takers
    ]  # item by item: every candidate's first item, then every candidate's second, ...
    (work / "requests.json").write_text(json.dumps(requests))
    return db


async def drive(app: Any, requests: list[list[Any]]) -> list[int]:
    """Each request through the ASGI app, AT_ONCE at a time; their status codes."""
    statuses: list[int] = []
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(token: str, item: int, answer: dict[str, str]) -> None:
        body = json.dumps(answer).encode()
        path = f"/api/v1/respond/{token}/answers/{item}"
        scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": "PUT",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "headers": [
                (b"host", b"127.0.0.1:8000"),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError("unreachable")

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(int(message["status"]))

        async with gate:
            await app(scope, receive, send)

    await asyncio.gather(*(one(*r) for r in requests))
    return statuses


async def lifespan(app: Any) -> asyncio.Task[None]:
    """The app started (its startup hooks run); the task that holds its lifespan, to keep."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    await inbox.put({"type": "lifespan.startup"})
    scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
    task = asyncio.get_running_loop().create_task(app(scope, inbox.get, outbox.put))
    started = await outbox.get()
    if started["type"] != "lifespan.startup.complete":
        raise RuntimeError(f"the app did not start: {started}")
    return task


def run_app(which: str, work: Path, saves: int) -> None:
    """In this process (under callgrind): the warm-up saves, then ``saves`` more."""
    db = work / f"{which}-{saves}.sqlite"
    shutil.copy(work / "setup.sqlite", db)
    url = f"sqlite:///{db}"
    if which == "ours":
        from bench.serverproc import server_env

        # no in-process worker: it wakes every 2 s of wall time, and under callgrind (about
        # 50 times slower) its passes would land among the counted saves
        os.environ.update(server_env(url, work / "var", WORKER_IN_SERVE="0"))
        from server.asgi import app
    else:
        os.environ["BARE_DATABASE_URL"] = url
        from bench.bare_app import app
    requests = json.loads((work / "requests.json").read_text())

    async def main() -> list[int]:
        running = await lifespan(app)  # held: a task nobody refers to may be collected
        statuses = await drive(app, requests[:WARM])
        statuses += await drive(app, requests[WARM : WARM + saves])
        assert not running.done(), "the app's lifespan ended while it served"
        return statuses

    statuses = asyncio.run(main())
    if set(statuses) != {200}:
        print(f"{which}: statuses {sorted(set(statuses))}", file=sys.stderr)
        os._exit(1)
    sys.stdout.flush()
    os._exit(0)  # the same way out in both runs: no interpreter shutdown to count


def counted(work: Path, which: str, saves: int) -> dict[str, int]:
    """Instructions per thread (``main`` and ``others``) of one run under callgrind."""
    out = work / f"cg.{which}.{saves}"
    subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--separate-threads=yes",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--drive",
            which,
            "--work",
            str(work),
            "--saves",
            str(saves),
        ],
        check=True,
        capture_output=True,
    )
    threads = {"main": 0, "others": 0}
    for part in work.glob(f"cg.{which}.{saves}-*"):
        match = re.search(r"^summary: (\d+)", part.read_text(errors="replace"), re.M)
        if match:
            threads["main" if part.name.endswith("-01") else "others"] += int(match.group(1))
    return threads


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--saves", type=int, default=1500, help="saves counted (at most 9,000)")
    ap.add_argument("--drive", choices=["ours", "peer"], help=argparse.SUPPRESS)
    ap.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.drive:  # one run, under callgrind (0 saves: the warm-up alone)
        run_app(args.drive, args.work, args.saves)
        return 0
    if not 1 <= args.saves <= 20 * 500 - WARM:
        ap.error("--saves: 1 to 9,000")
    if shutil.which("valgrind") is None:
        print("valgrind is not installed (Debian package valgrind)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="engine-instructions-") as tmp:
        work = Path(tmp)
        make_database(work)
        rows = {}
        for which in ("ours", "peer"):
            before, after = counted(work, which, 0), counted(work, which, args.saves)
            rows[which] = {t: (after[t] - before[t]) / args.saves for t in before}
    print(f"instructions per answer save, {args.saves} saves counted, {AT_ONCE} at once")
    print(f"{'':6} {'event loop':>12} {'other threads':>14} {'all':>12}")
    for which, per in rows.items():
        print(f"{which:6} {per['main']:12,.0f} {per['others']:14,.0f} {sum(per.values()):12,.0f}")
    ours, peer = sum(rows["ours"].values()), sum(rows["peer"].values())
    print(f"the peer's count is {peer / ours:.0%} of ours (all threads)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
