"""The SQLite writer thread (server/core/db.py ``SQLiteLine``): jobs queued at once are
committed together, and a job that fails changes nothing, with or without its own
savepoint, while the other jobs of its batch are kept. Jobs queued with ``run_together``
next to each other run in one call, and alone when that call fails. A batch wakes the
event loop once.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest

from server.core.db import SQLiteLine


@pytest.fixture
def line(tmp_path: Path) -> Iterator[SQLiteLine]:
    path = str(tmp_path / "line.db")
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE t (n INTEGER PRIMARY KEY)")
    line = SQLiteLine(path)
    yield line
    line.close()


def stored(line: SQLiteLine) -> list[int]:
    with sqlite3.connect(line.path) as con:
        return [n for (n,) in con.execute("SELECT n FROM t ORDER BY n")]


def insert(*numbers: int, fail: bool = False) -> Callable[[sqlite3.Connection], int]:
    """A job writing ``numbers`` (one statement each), then raising when ``fail``."""

    def job(con: sqlite3.Connection) -> int:
        for n in numbers:
            con.execute("INSERT INTO t (n) VALUES (?)", (n,))
        if fail:
            raise ValueError(f"job {numbers} fails after writing")
        return len(numbers)

    return job


async def one_batch(line: SQLiteLine, *jobs: Awaitable[int]) -> list[int | BaseException]:
    """The jobs' outcomes, all queued while the thread is busy: they make one batch."""
    gate = threading.Event()
    busy = asyncio.ensure_future(line.run(lambda con: gate.wait(10)))
    await asyncio.sleep(0.05)  # the thread has taken the blocking job
    waiting = asyncio.gather(*jobs, return_exceptions=True)
    await asyncio.sleep(0)  # each job is queued
    gate.set()
    await busy
    return list(await waiting)


@pytest.mark.parametrize("savepoint", [True, False])
async def test_a_failing_job_changes_nothing_and_its_batch_is_kept(
    line: SQLiteLine, savepoint: bool
) -> None:
    results = await one_batch(
        line,
        line.run(insert(1, 2), savepoint=savepoint),
        line.run(insert(3, 4, fail=True), savepoint=savepoint),
        line.run(insert(5), savepoint=savepoint),
        line.run(insert(6, fail=True), savepoint=savepoint),
        line.run(insert(7), savepoint=savepoint),
    )
    assert results[0] == 2 and results[2] == 1 and results[4] == 1
    assert isinstance(results[1], ValueError) and "(3, 4)" in str(results[1])
    assert isinstance(results[3], ValueError) and "(6,)" in str(results[3])
    assert stored(line) == [1, 2, 5, 7]


async def test_a_job_without_savepoint_that_breaks_a_constraint_takes_only_itself_out(
    line: SQLiteLine,
) -> None:
    await line.run(insert(9))
    results = await one_batch(
        line,
        line.run(insert(1), savepoint=False),
        line.run(insert(2, 9), savepoint=False),  # 2 is written, then 9 exists already
        line.run(insert(3), savepoint=False),
    )
    assert results[0] == 1 and results[2] == 1
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert stored(line) == [1, 3, 9]


def insert_each(calls: list[list[int]]) -> Callable[[sqlite3.Connection, list[int]], list[int]]:
    """A call for jobs run together: one statement per number, the number back for each;
    ``calls`` gets the numbers of every call."""

    def many(con: sqlite3.Connection, numbers: list[int]) -> list[int]:
        calls.append(list(numbers))
        for n in numbers:
            con.execute("INSERT INTO t (n) VALUES (?)", (n,))
        return [n * 10 for n in numbers]

    return many


async def test_jobs_queued_together_run_in_one_call_up_to_a_job_of_another_kind(
    line: SQLiteLine,
) -> None:
    calls: list[list[int]] = []
    many = insert_each(calls)
    results = await one_batch(
        line,
        line.run_together(many, 1),
        line.run_together(many, 2),
        line.run(insert(5)),
        line.run_together(many, 3),
    )
    assert results == [10, 20, 1, 30]  # each job its own result
    assert calls == [[1, 2], [3]]  # one call for the jobs next to each other
    assert stored(line) == [1, 2, 3, 5]


async def test_a_call_together_that_fails_runs_each_job_alone_and_only_the_bad_one_fails(
    line: SQLiteLine,
) -> None:
    await line.run(insert(9))
    calls: list[list[int]] = []
    many = insert_each(calls)
    results = await one_batch(
        line, line.run_together(many, 1), line.run_together(many, 9), line.run_together(many, 3)
    )
    assert results[0] == 10 and results[2] == 30
    assert isinstance(results[1], sqlite3.IntegrityError)  # 9 exists already
    assert calls == [[1, 9, 3], [1], [9], [1], [3]]  # together, then alone (again after 9)
    assert stored(line) == [1, 3, 9]  # the call together was rolled back: 1 once


async def test_a_batch_wakes_the_event_loop_once(line: SQLiteLine) -> None:
    loop = asyncio.get_running_loop()
    wakes: list[object] = []
    real = loop.call_soon_threadsafe

    def counted(*args: object, **kwargs: object) -> asyncio.Handle:
        wakes.append(args[0])
        return real(*args, **kwargs)  # type: ignore[arg-type]

    loop.call_soon_threadsafe = counted  # type: ignore[method-assign]
    try:
        results = await one_batch(line, *(line.run(insert(n)) for n in range(1, 6)))
    finally:
        del loop.call_soon_threadsafe  # type: ignore[method-assign]
    assert results == [1] * 5
    assert len(wakes) == 2  # the blocking job's batch, then the five jobs' batch


class Numbers:
    """Two kinds of call together, as bound methods (a new object at each access)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[int]]] = []

    def tens(self, con: sqlite3.Connection, numbers: list[int]) -> list[int]:
        self.calls.append(("tens", list(numbers)))
        return insert_each([])(con, numbers)

    def short(self, con: sqlite3.Connection, numbers: list[int]) -> list[int]:
        """One result short when called for several: its jobs must not take them."""
        self.calls.append(("short", list(numbers)))
        results = insert_each([])(con, numbers)
        return results[:-1] if len(results) > 1 else results


async def test_calls_of_different_kinds_stay_apart_and_a_short_answer_splits_its_call(
    line: SQLiteLine,
) -> None:
    numbers = Numbers()
    results = await one_batch(
        line,
        line.run_together(numbers.tens, 1),
        line.run_together(numbers.tens, 2),
        line.run_together(numbers.short, 3),
        line.run_together(numbers.short, 4),
    )
    assert results == [10, 20, 30, 40]
    # tens together; short together, one result short: rolled back, then each alone
    assert numbers.calls == [
        ("tens", [1, 2]),
        ("short", [3, 4]),
        ("tens", [1, 2]),
        ("short", [3]),
        ("short", [4]),
    ]
    assert stored(line) == [1, 2, 3, 4]


async def test_a_caller_that_gave_up_leaves_the_others_of_its_batch_answered(
    line: SQLiteLine,
) -> None:
    gate = threading.Event()
    busy = asyncio.ensure_future(line.run(lambda con: gate.wait(10)))
    await asyncio.sleep(0.05)  # the thread has taken the blocking job
    first, gone, last = (asyncio.ensure_future(line.run(insert(n))) for n in (1, 2, 3))
    await asyncio.sleep(0)  # each job is queued
    gone.cancel()  # a closed browser: its request is cancelled while its save waits
    gate.set()
    await busy
    assert await asyncio.wait_for(asyncio.gather(first, last), 5) == [1, 1]
    assert gone.cancelled()
    assert stored(line) == [1, 2, 3]  # queued before the cancel: written all the same
