"""What ``bench/load.py`` measures its save figures with: the database copy the peer writes
to (and the undoing of its warm-up there), the window in which every connection is busy,
and the runs of slices added up."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from bench.load import RunResult, answer_marks, busy_window, drop_answers_after, joined
from bench.serverproc import (
    database_copy,
    fresh_database,
    is_postgres,
    pg_execute,
    query,
    sqlite_path,
)


def execute(url: str, *statements: str) -> None:
    if is_postgres(url):
        asyncio.run(pg_execute(url, *statements))
        return
    with sqlite3.connect(sqlite_path(url)) as con:
        for sql in statements:
            con.execute(sql)


def numbers(url: str) -> list[int]:
    return [int(n) for (n,) in query(url, "SELECT n FROM t ORDER BY n")]


def test_the_peers_copy_is_a_database_of_its_own() -> None:
    url = os.environ.get("DATABASE_URL", "")
    with fresh_database(url if is_postgres(url) else None, prefix="engine_copy") as original:
        execute(original, "CREATE TABLE t (n INTEGER)", "INSERT INTO t (n) VALUES (1)")
        with database_copy(original) as copy:
            assert copy != original
            execute(copy, "INSERT INTO t (n) VALUES (2)")
            assert numbers(copy) == [1, 2]
            assert numbers(original) == [1]  # the peer's writes stay in its copy
        if is_postgres(original):
            name = copy.rsplit("/", 1)[1]
            assert not query(original, "SELECT 1 FROM pg_database WHERE datname = ?", name)
        else:
            assert not Path(sqlite_path(copy)).exists()  # dropped on the way out


def test_the_peers_warm_up_answers_are_deleted_and_nothing_else() -> None:
    url = os.environ.get("DATABASE_URL", "")
    with fresh_database(url if is_postgres(url) else None, prefix="engine_warm") as db:
        execute(
            db,
            "CREATE TABLE answer (id INTEGER, item INTEGER)",
            "CREATE TABLE answer_event (id INTEGER, item INTEGER)",
        )
        assert answer_marks(db) == (0, 0)  # empty tables
        execute(
            db,
            "INSERT INTO answer (id, item) VALUES (1, 10), (2, 20)",
            "INSERT INTO answer_event (id, item) VALUES (1, 10), (2, 20), (3, 20)",
        )
        marks = answer_marks(db)
        assert marks == (2, 3)
        execute(  # the warm-up: a new answer, its event and one of an earlier answer
            db,
            "INSERT INTO answer (id, item) VALUES (3, 30)",
            "INSERT INTO answer_event (id, item) VALUES (4, 30), (5, 10)",
        )
        drop_answers_after(db, marks)
        assert query(db, "SELECT id FROM answer ORDER BY id") == [(1,), (2,)]
        assert query(db, "SELECT id FROM answer_event ORDER BY id") == [(1,), (2,), (3,)]


def test_busy_window_counts_the_answers_while_every_connection_is_busy() -> None:
    # connection 1 sends first at 0 and answers last at 1,000; connection 2 from 100 to 900
    n, seconds = busy_window([0, 100], [1000, 900], [50, 100, 150, 600, 900, 950, 1000])
    assert (n, seconds) == (3, 800 / 1e6)  # 150, 600 and 900; not before 100, not after 900


def test_busy_window_is_empty_when_the_connections_never_overlap() -> None:
    assert busy_window([0, 500], [400, 1000], [100, 400, 600]) == (0, 0.0)
    assert busy_window([], [], []) == (0, 0.0)


def run(statuses: list[int | None], seconds: float, busy_n: int, busy_s: float) -> RunResult:
    return RunResult(
        client="wrk",
        n=len(statuses),
        seconds=seconds,
        statuses=statuses,
        latencies=[0.01] * sum(s is not None for s in statuses),
        socket_errors=0,
        errors=[],
        busy_n=busy_n,
        busy_seconds=busy_s,
        server_cpu=seconds,
        machine_busy=1.0 if seconds < 2 else 2.0,
    )


def test_slices_add_up_to_one_run_in_request_order() -> None:
    whole = joined([run([200, 200, 409], 1.0, 2, 0.5), run([200, None], 3.0, 1, 1.5)])
    assert whole.statuses == [200, 200, 409, 200, None]  # as the requests were listed
    assert whole.n == 5 and whole.answered == 4 and whole.non_2xx == 1
    assert whole.seconds == 4.0 and whole.server_cpu == 4.0
    assert whole.busy_rps == 3 / 2.0  # answers and seconds added up, not rates averaged
    assert whole.machine_busy == (1.0 * 1.0 + 2.0 * 3.0) / 4.0  # weighted by time
