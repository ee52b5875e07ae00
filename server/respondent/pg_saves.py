"""Answer saves on PostgreSQL, written together: many saves, one statement, one commit.

A save waits in this process's queue for at most the statement before it. Whatever is
queued when a statement can start is written by one statement, so one commit (one WAL
flush) and one round trip serve every save in it. Under load this is what SQLite's writer
thread does (``server.core.db.SQLiteLine``); alone, a save goes out at once, as before.

Each save keeps its own checks and its own result. For each row the statement
share-locks the candidate while the test runs (``started``, before its deadline at that
save's time) with the items the answer was checked against (``items_version``), writes the
answer and its event, and counts the candidate's other answers that are complete (as the
SQLite statements do). A row whose check fails writes nothing and gets no result; its save
then looks the link up again to tell why.

A statement holds at most one save per candidate. A second save of the same candidate
waits for the next statement, so each save sees the answers written before it. The rows
are locked and written in the order of (candidate, item), so two statements in two
processes cannot deadlock on each other's rows. A save is acknowledged only after the
statement that wrote it has committed. If the statement fails, every save in it fails.
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass, field
from datetime import datetime

from server.core.db import Row, pg_fetch

__all__ = ["PgSave", "SaveQueue", "save_queue"]

# The progress of the candidate's other answers, as ``sqlite_saves.PROGRESS`` counts it, per
# response format (the save's ``fmt``).
_PROGRESS = (
    "CASE c.fmt "
    "WHEN 'rate' THEN CASE WHEN json_typeof(s.payload->'ratings') = 'object' THEN "
    "(SELECT count(*) FROM json_object_keys(s.payload->'ratings')) ELSE 0 END "
    "WHEN 'rank' THEN CASE WHEN json_typeof(s.payload->'ranking') = 'array' THEN "
    "json_array_length(s.payload->'ranking') ELSE 0 END "
    "ELSE (s.payload->>'most' IS NOT NULL AND s.payload->>'least' IS NOT NULL)::int END"
)

SAVE_MANY = f"""
WITH r AS (
    SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::text[], $5::timestamptz[],
                         $6::int[], $7::int[], $8::text[], $9::text[])
        AS r(ord, token_hash, item, payload, at, form, version, fmt, need)
), c AS (
    SELECT r.ord, r.item, r.payload, r.at, r.fmt, r.need, x.id, x.deadline_at
    FROM r JOIN candidate x ON x.token_hash = r.token_hash JOIN sjt_form f ON f.id = x.form
    WHERE x.status = 'started' AND (x.deadline_at IS NULL OR x.deadline_at > r.at)
      AND x.form = r.form AND f.items_version = r.version
    ORDER BY x.id, r.item
    FOR SHARE OF x
), a AS (
    INSERT INTO answer (candidate, item, payload, saved_at)
    SELECT id, item, payload::json, at FROM c ORDER BY id, item
    ON CONFLICT (candidate, item)
    DO UPDATE SET payload = EXCLUDED.payload, saved_at = EXCLUDED.saved_at
), e AS (
    INSERT INTO answer_event (candidate, item, payload, received_at)
    SELECT id, item, payload::json, at FROM c ORDER BY id, item
)
SELECT c.ord, c.deadline_at, (
    SELECT count(*) FROM answer s WHERE s.candidate = c.id AND s.item <> c.item
    AND position(',' || s.item || ':' || {_PROGRESS} || ',' IN c.need) > 0
) AS answered
FROM c
"""

MAX_ROWS = 500  # saves per statement


@dataclass(frozen=True)
class PgSave:
    """One answer to write: the candidate's id (one save per candidate per statement),
    the link's token hash, the item, the answer as JSON text, the time of the save, the
    form and its ``items_version`` the answer was checked against, the response format,
    and the form's items with the number of a complete answer to each, as
    ",item:number,item:number," (see ``sqlite_saves.PROGRESS``)."""

    candidate: int
    token_hash: str
    item: int
    payload: str
    at: datetime
    form: int
    version: int
    fmt: str
    need: str


@dataclass
class _Waiting:
    save: PgSave
    done: asyncio.Future[Row | None] = field(repr=False)


class SaveQueue:
    """The saves of one event loop, written a statement at a time (see the module)."""

    def __init__(self) -> None:
        self._queue: list[_Waiting] = []
        self._writing = False
        self.statements = 0  # statements sent (for tests and benchmarks)
        self.largest = 0  # most saves in one statement

    async def write(self, save: PgSave) -> Row | None:
        """The save's row (``deadline_at``, ``answered``: how many of the candidate's
        other answers are complete) once committed, or ``None`` when its checks refused
        it (nothing written)."""
        loop = asyncio.get_running_loop()
        waiting = _Waiting(save, loop.create_future())
        self._queue.append(waiting)
        if not self._writing:
            self._writing = True
            # on the next turn of the loop: the saves that arrive meanwhile go along
            loop.call_soon(self._start, loop)
        return await waiting.done

    def _start(self, loop: asyncio.AbstractEventLoop) -> None:
        task = loop.create_task(self._drain())
        _TASKS.add(task)
        task.add_done_callback(_TASKS.discard)

    def _take(self) -> list[_Waiting]:
        """The next statement's saves: in order of arrival, one per candidate."""
        batch: list[_Waiting] = []
        later: list[_Waiting] = []
        seen: set[int] = set()
        for w in self._queue:
            if w.save.candidate in seen or len(batch) >= MAX_ROWS:
                later.append(w)
            else:
                seen.add(w.save.candidate)
                batch.append(w)
        self._queue = later
        return batch

    async def _drain(self) -> None:
        try:
            while self._queue:
                batch = self._take()
                try:
                    rows = await _write(batch)
                except BaseException as error:  # every save of the statement fails
                    for w in batch:
                        if not w.done.done():
                            w.done.set_exception(error)
                    if not isinstance(error, Exception):
                        raise
                    continue
                self.statements += 1
                self.largest = max(self.largest, len(batch))
                for n, w in enumerate(batch):
                    if not w.done.done():
                        w.done.set_result(rows.get(n))
        finally:
            self._writing = False
            if self._queue:  # left waiting when the task was cancelled
                self._writing = True
                loop = asyncio.get_running_loop()
                loop.call_soon(self._start, loop)


async def _write(batch: list[_Waiting]) -> dict[int, Row]:
    saves = [w.save for w in batch]
    rows = await pg_fetch(
        SAVE_MANY,
        list(range(len(saves))),
        [s.token_hash for s in saves],
        [s.item for s in saves],
        [s.payload for s in saves],
        [s.at for s in saves],
        [s.form for s in saves],
        [s.version for s in saves],
        [s.fmt for s in saves],
        [s.need for s in saves],
    )
    return {row["ord"]: row for row in rows}


_TASKS: set[asyncio.Task[None]] = set()
_QUEUES: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, SaveQueue] = (
    weakref.WeakKeyDictionary()
)


def save_queue() -> SaveQueue:
    """This event loop's queue of answer saves."""
    loop = asyncio.get_running_loop()
    queue = _QUEUES.get(loop)
    if queue is None:
        queue = _QUEUES[loop] = SaveQueue()
    return queue
