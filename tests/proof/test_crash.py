"""Crash: ``kill -9`` the server while candidates are answering, start it again on the same
database, and check that

- every answer acknowledged (2xx) before the kill is stored exactly once, with the payload
  that was acknowledged; a save that was in flight at the kill is stored whole or not at
  all; nothing is duplicated (one ``answer`` row per candidate and item, one
  ``answer_event`` per save that reached the database);
- the candidates' clocks carry on: the stored deadlines are unchanged by the restart and the
  time left is counted from them (the downtime is not given back, nor is the clock reset);
- the candidates resume where they were and finish the test on the restarted server.

Real processes (``assess serve``) and real HTTP; a SQLite file always, and PostgreSQL (a
new database on that server) when DATABASE_URL is PostgreSQL. One worker: ``kill -9`` goes
to the server's whole process group, so with ``--workers N`` it is the same crash.
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from bench.serverproc import (
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
N_CANDIDATES = 8
N_ITEMS = 20
KILL_AFTER = 40  # acknowledged saves (of 160) before the kill

Key = tuple[int, int]  # (candidate id, item id)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgres",
            marks=pytest.mark.skipif(
                not is_postgres(DATABASE_URL),
                reason="the PostgreSQL run needs DATABASE_URL=postgresql://...",
            ),
        ),
    ]
)
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of its own for the server processes (not the suite's)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/crash.db"
    else:
        with fresh_database(DATABASE_URL, prefix="engine_crash") as url:
            yield url


@pytest.fixture
def server(server_db: str, tmp_path: Path) -> Iterator[ServerProcess]:
    proc = ServerProcess(server_env(server_db, tmp_path / "var"), tmp_path / "server.log")
    try:
        yield proc.start().wait_ready()
    finally:
        proc.kill()


@dataclass
class Ledger:
    """What the candidates sent and what the server acknowledged (thread-safe)."""

    kill_after: int
    on_threshold: Any
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempts: Counter[Key] = field(default_factory=Counter)
    sent: dict[Key, list[dict[str, str]]] = field(default_factory=dict)
    acked: dict[Key, dict[str, str]] = field(default_factory=dict)
    ack_count: int = 0
    failures: list[str] = field(default_factory=list)

    def attempt(self, key: Key, body: dict[str, str]) -> None:
        with self.lock:
            self.attempts[key] += 1
            self.sent.setdefault(key, []).append(body)

    def ack(self, key: Key, body: dict[str, str]) -> None:
        with self.lock:
            self.acked[key] = body
            self.ack_count += 1
            fire = self.ack_count == self.kill_after
        if fire:
            self.on_threshold()


def answer_all(url: str, takers: list[Taker], ledger: Ledger, *, skip: set[Key]) -> None:
    """Every candidate answers its items in order, all at once (a thread each); a candidate
    stops at the first connection error (the server is gone)."""

    def candidate(t: Taker) -> None:
        with httpx.Client(base_url=url, timeout=30.0) as client:
            for n in range(len(t.items)):
                item, body = answer_for(t, n)
                key = (t.candidate_id, item)
                if key in skip:
                    continue
                ledger.attempt(key, body)
                try:
                    r = client.put(f"/api/v1/respond/{t.token}/answers/{item}", json=body)
                except httpx.TransportError:
                    return
                if r.status_code == 200:
                    ledger.ack(key, body)
                else:
                    ledger.failures.append(f"{r.status_code} {r.text[:300]}")

    threads = [threading.Thread(target=candidate, args=(t,)) for t in takers]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=60)
    assert not any(th.is_alive() for th in threads)


def stored(url: str, campaign_id: int) -> tuple[dict[Key, list[Any]], Counter[Key]]:
    rows = query(
        url,
        "SELECT a.candidate, a.item, a.payload FROM answer a "
        "JOIN candidate c ON c.id = a.candidate WHERE c.campaign = ?",
        campaign_id,
    )
    answers: dict[Key, list[Any]] = {}
    for c, i, p in rows:
        answers.setdefault((int(c), int(i)), []).append(json.loads(p))
    events = query(
        url,
        "SELECT e.candidate, e.item FROM answer_event e "
        "JOIN candidate c ON c.id = e.candidate WHERE c.campaign = ?",
        campaign_id,
    )
    return answers, Counter((int(c), int(i)) for c, i in events)


def check_no_loss_no_duplicate(url: str, vacancy: Vacancy, ledger: Ledger) -> None:
    answers, events = stored(url, vacancy.campaign_id)
    assert set(answers) <= set(ledger.attempts), "an answer nobody sent"
    for key, rows in answers.items():
        assert len(rows) == 1, f"{key}: {len(rows)} answer rows"
    for key, body in ledger.acked.items():
        assert key in answers, f"{key}: acknowledged but not stored"
        assert answers[key][0] == body, f"{key}: stored {answers[key][0]}, acknowledged {body}"
    for key, n in events.items():
        # every save reached the server_db at most once; an acknowledged one exactly once
        assert n <= ledger.attempts[key], f"{key}: {n} events for {ledger.attempts[key]} saves"
    for key in ledger.acked:
        assert events[key] >= 1
    for key, rows in answers.items():
        if key not in ledger.acked:  # in flight at the kill: stored whole, as sent
            assert rows[0] in ledger.sent[key]


def deadlines(url: str, vacancy: Vacancy) -> dict[int, datetime | None]:
    ids = [t.candidate_id for t in vacancy.takers]
    rows = query(
        url, "SELECT id, deadline_at, status FROM candidate WHERE campaign = ?", vacancy.campaign_id
    )
    out = {int(i): as_datetime(d) for i, d, _ in rows if int(i) in ids}
    assert all(s == "started" for i, _, s in rows if int(i) in ids)
    return out


def test_kill_9_while_candidates_answer_loses_and_duplicates_nothing(
    server: ServerProcess, server_db: str
) -> None:
    vacancy = asyncio.run(
        make_campaign(server.url, n_items=N_ITEMS, n_candidates=N_CANDIDATES, start=True)
    )
    before = deadlines(server_db, vacancy)
    assert all(d is not None for d in before.values())
    with httpx.Client(base_url=server.url) as client:
        left_before = {
            t.candidate_id: client.get(f"/api/v1/respond/{t.token}").json()["seconds_left"]
            for t in vacancy.takers
        }

    killed_at: list[float] = []

    def kill() -> None:
        server.kill()  # kill -9 of the server's process group, mid-stream
        killed_at.append(time.time())

    ledger = Ledger(kill_after=KILL_AFTER, on_threshold=kill)
    answer_all(server.url, vacancy.takers, ledger, skip=set())
    assert killed_at, "the server was not killed"
    assert ledger.failures == []
    total = N_CANDIDATES * N_ITEMS
    assert KILL_AFTER <= len(ledger.acked) < total, "the kill came mid-stream"

    # after the kill, before the restart: what was acknowledged is there, once
    check_no_loss_no_duplicate(server_db, vacancy, ledger)

    server.start().wait_ready()  # the same server_db, the same port
    assert deadlines(server_db, vacancy) == before  # the clock was neither reset nor paused
    with httpx.Client(base_url=server.url) as client:
        for t in vacancy.takers:
            asked = time.time()
            test = client.get(f"/api/v1/respond/{t.token}").json()
            answered = time.time()
            assert test["status"] == "started"
            deadline = before[t.candidate_id]
            assert deadline is not None
            # counted from the stored deadline, so the downtime is not given back
            assert int(deadline.timestamp() - answered) - 1 <= test["seconds_left"]
            assert test["seconds_left"] <= int(deadline.timestamp() - asked) + 1
            assert test["seconds_left"] <= left_before[t.candidate_id]
            # the candidate resumes with every acknowledged answer
            resumed = {(t.candidate_id, int(k)): v for k, v in test["answers"].items()}
            for key, body in ledger.acked.items():
                if key[0] == t.candidate_id:
                    assert resumed.get(key) == body

    # the candidates finish on the restarted server (an unacknowledged save is sent again)
    finish = Ledger(kill_after=0, on_threshold=None)
    answer_all(server.url, vacancy.takers, finish, skip=set(ledger.acked))
    assert finish.failures == []
    assert len(ledger.acked) + len(finish.acked) == total
    merged = Ledger(kill_after=0, on_threshold=None)
    merged.attempts = ledger.attempts + finish.attempts
    merged.sent = {k: ledger.sent.get(k, []) + finish.sent.get(k, []) for k in merged.attempts}
    merged.acked = {**ledger.acked, **finish.acked}
    check_no_loss_no_duplicate(server_db, vacancy, merged)
    answers, events = stored(server_db, vacancy.campaign_id)
    assert len(answers) == total
    assert sum(events.values()) <= sum(merged.attempts.values())
    assert sum(events.values()) >= total


def test_a_restart_keeps_the_clock_of_a_test_started_before_it(
    server: ServerProcess, server_db: str
) -> None:
    """The same without load: a clean stop and a kill -9 both leave the deadline alone."""
    vacancy = asyncio.run(make_campaign(server.url, n_items=4, n_candidates=1, start=True))
    (taker,) = vacancy.takers
    before = deadlines(server_db, vacancy)[taker.candidate_id]
    for stop in (server.stop, server.kill):
        stop()
        server.start().wait_ready()
        assert deadlines(server_db, vacancy)[taker.candidate_id] == before
        with httpx.Client(base_url=server.url) as client:
            test = client.get(f"/api/v1/respond/{taker.token}").json()
        assert test["status"] == "started" and 0 < test["seconds_left"] <= 4 * 3600
