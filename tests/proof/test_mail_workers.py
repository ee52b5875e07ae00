"""Workers as real processes (``assess worker``) over one database and a real SMTP server:

- PostgreSQL: three workers over 1,000 queued invitations send each exactly once (one
  ``Message-ID`` each, received once), and the work is shared between them;
- SQLite: two workers, one sends (the other finds the send lock taken), each message once;
- ``kill -9`` of a worker mid-batch loses nothing: a second worker takes what the dead one
  held once its lock runs out, with the same ``Message-ID``; the only copies received
  twice are of messages the dead worker held when it died.

The invitations are queued by the real invite path (a CSV of candidates through the API).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.serverproc import (
    ServerProcess,
    fresh_database,
    is_postgres,
    make_campaign,
    query,
    server_env,
)
from tests.mailsink import MailSink

DATABASE_URL = os.environ.get("DATABASE_URL", "")
WORKER = ["-m", "server.cli", "worker"]


def _sent(url: str) -> list[tuple[str, str, str]]:
    return [
        (str(r[0]), str(r[1]), str(r[2]))
        for r in query(url, "SELECT message_id, status, worker FROM outbox_message ORDER BY id")
    ]


def _queue(url: str, tmp: Path, n: int) -> None:
    """``n`` candidates invited from a CSV by a server that runs no worker of its own."""
    import asyncio

    env = server_env(url, tmp / "var", WORKER_IN_SERVE="0")
    with ServerProcess(env, tmp / "api.log") as api:
        api.start().wait_ready()
        asyncio.run(make_campaign(api.url, n_items=1, n_candidates=n, start=False))
    assert len(_sent(url)) == n, "each invited candidate has one queued invitation"


def _workers(url: str, tmp: Path, sink: MailSink, n: int, **extra: str) -> list[ServerProcess]:
    import sys

    env = server_env(
        url,
        tmp / "var",
        SMTP_URL=sink.url,
        SMTP_FROM="jobs@proof.example",
        MAIL_RATE="0",
        WORKER_POLL_MS="100",
        **extra,
    )
    procs = [
        ServerProcess(env, tmp / f"worker{i}.log", command=[sys.executable, *WORKER])
        for i in range(n)
    ]
    for p in procs:
        p.start()
    return procs


def _wait(predicate, timeout: float, what: str, procs: list[ServerProcess]) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            logs = "\n".join(p.log_tail(15) for p in procs)
            raise AssertionError(f"{what}: not after {timeout:.0f} s\n{logs}")
        time.sleep(0.1)


@pytest.fixture
def pg_url() -> Iterator[str]:
    if not is_postgres(DATABASE_URL):
        pytest.skip(
            "several workers on one database need PostgreSQL: DATABASE_URL=postgresql://..."
        )
    with fresh_database(DATABASE_URL, prefix="engine_mail") as url:
        yield url


def test_three_workers_send_a_thousand_messages_each_exactly_once(
    pg_url: str, tmp_path: Path
) -> None:
    _queue(pg_url, tmp_path, 1000)
    with MailSink() as sink:
        procs = _workers(pg_url, tmp_path, sink, 3)
        try:
            _wait(lambda: len(sink.messages) >= 1000, 300, "1,000 messages", procs)
            time.sleep(2)  # anything sent twice would arrive now
        finally:
            for p in procs:
                p.stop()
        received = Counter(str(m["Message-ID"]) for m in sink.messages)
    rows = _sent(pg_url)
    assert {status for _, status, _ in rows} == {"sent"}
    assert set(received) == {mid for mid, _, _ in rows}
    assert max(received.values()) == 1, "a message was sent twice"
    assert len(sink.messages) == 1000
    assert len({worker for _, _, worker in rows}) >= 2, "the workers did not share the work"


def test_on_sqlite_one_worker_sends(tmp_path: Path) -> None:
    with fresh_database(None, prefix="engine_mail") as url:
        _queue(url, tmp_path, 200)
        with MailSink() as sink:
            procs = _workers(url, tmp_path, sink, 2)
            try:
                _wait(lambda: len(sink.messages) >= 200, 120, "200 messages", procs)
                time.sleep(2)
            finally:
                for p in procs:
                    p.stop()
            received = Counter(str(m["Message-ID"]) for m in sink.messages)
        rows = _sent(url)
    assert {status for _, status, _ in rows} == {"sent"}
    assert len(received) == 200 and max(received.values()) == 1
    assert len({worker for _, _, worker in rows}) == 1


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_kill_9_mid_batch_loses_nothing(engine: str, tmp_path: Path) -> None:
    if engine == "postgres" and not is_postgres(DATABASE_URL):
        pytest.skip("the PostgreSQL run needs DATABASE_URL=postgresql://...")
    with fresh_database(
        DATABASE_URL if engine == "postgres" else None, prefix="engine_kill"
    ) as url:
        _queue(url, tmp_path, 300)
        with MailSink() as sink:
            sink.delay = 0.02  # a slow server: the worker is mid-batch when it dies
            (first,) = _workers(url, tmp_path, sink, 1, WORKER_LOCK_SECONDS="3")

            def mid_batch() -> bool:
                """60 messages in, and 5 the worker holds still to send (100 ms of work at
                the least): a kill now lands mid-batch, not in the gap between two."""
                if len(sink.messages) < 60:
                    return False
                got = {str(m["Message-ID"]) for m in sink.messages}
                held = {mid for mid, status, _ in _sent(url) if status == "sending"}
                return len(held - got) >= 5

            _wait(mid_batch, 120, "60 messages and a batch half sent", [first])
            first.kill()
            held = {mid for mid, status, _ in _sent(url) if status == "sending"}
            assert held, "the worker died between batches: nothing was mid-flight"
            sink.delay = 0
            (second,) = _workers(url, tmp_path, sink, 1, WORKER_LOCK_SECONDS="3")
            try:
                _wait(
                    lambda: (
                        {str(m["Message-ID"]) for m in sink.messages}
                        >= {mid for mid, _, _ in _sent(url)}
                    ),
                    120,
                    "every message",
                    [second],
                )
                _wait(
                    lambda: all(status == "sent" for _, status, _ in _sent(url)),
                    30,
                    "every row sent",
                    [second],
                )
            finally:
                second.stop()
            received = Counter(str(m["Message-ID"]) for m in sink.messages)
        rows = _sent(url)
    assert len(rows) == 300 and set(received) == {mid for mid, _, _ in rows}
    twice = {mid for mid, count in received.items() if count > 1}
    assert twice <= held, "only a message the dead worker held may arrive twice"
    assert max(received.values()) <= 2
