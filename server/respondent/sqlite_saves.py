"""Answer saves on SQLite: the job each save hands to the process's writer thread.

``server.core.db.SQLiteLine`` runs the jobs queued at one moment in one transaction, so one
commit serves every save in it (what ``pg_saves`` does on PostgreSQL with one statement).
A job writes its answer and its event only while the test runs (``started``, before its
deadline at that save's time) with the items the answer was checked against
(``items_version``), and reads back, in one row, the test's deadline and how many of the
candidate's other answers are complete. It runs without a savepoint of its own: the answer
is one statement, and if the event or the read fails the line rolls the batch back and
runs it again without this job, so a failed save changes nothing.
"""

from __future__ import annotations

import sqlite3
from typing import NamedTuple

__all__ = ["PROGRESS", "STATE", "SqliteSave", "write"]

# the answer, only while the test runs with the items it was checked against
_UPSERT = (
    "INSERT INTO answer (candidate, item, payload, saved_at) SELECT ?, ?, ?, ? "
    "WHERE EXISTS (SELECT 1 FROM candidate c JOIN sjt_form f ON f.id = c.form "
    "WHERE c.id = ? AND c.status = 'started' AND (c.deadline_at IS NULL OR c.deadline_at > ?) "
    "AND f.id = ? AND f.items_version = ?) "
    "ON CONFLICT (candidate, item) DO UPDATE SET payload = excluded.payload, "
    "saved_at = excluded.saved_at"
)
_EVENT = "INSERT INTO answer_event (candidate, item, payload, received_at) VALUES (?, ?, ?, ?)"

# per saved answer, by response format: a number that equals the form's "complete" number
# for its item exactly when ``is_complete`` holds for it (no payload decoded in Python)
PROGRESS: dict[str, str] = {
    "rate": "(SELECT count(*) FROM json_each(payload, '$.ratings'))",
    "rank": "coalesce(json_array_length(payload, '$.ranking'), 0)",
    "most_least": "(json_extract(payload, '$.most') IS NOT NULL "
    "AND json_extract(payload, '$.least') IS NOT NULL)",
}

# after a save, in one row: the candidate's deadline and how many of their other answers
# (not to item ?2) are complete: those whose "item:number" is in ?3, the form's items with
# the number of a complete answer to each as ",item:number,item:number," (an empty answer
# counts -1, which no item needs)
STATE: dict[str, str] = {
    fmt: "SELECT deadline_at, (SELECT count(*) FROM answer WHERE candidate = ?1 AND item != ?2 "
    "AND instr(?3, ',' || item || ':' || CASE WHEN payload IN ('{}', 'null') THEN -1 ELSE "
    + expr
    + " END || ',')) FROM candidate WHERE id = ?1"
    for fmt, expr in PROGRESS.items()
}


class SqliteSave(NamedTuple):
    """One answer to write: the candidate's id, the item, the answer as JSON text, the
    time of the save as SQLite stores it (``str(datetime)``), the form and its
    ``items_version`` the answer was checked against, the response format and the form's
    ",item:number," list (see ``STATE``)."""

    candidate: int
    item: int
    payload: str
    at: str
    form: int
    version: int
    fmt: str
    need: str


def write(save: SqliteSave, con: sqlite3.Connection) -> tuple[int, str | None] | None:
    """A job of the writer thread: store the answer and its event if the test still runs
    with the items it was checked against; how many of the candidate's other answers are
    complete and the test's deadline as stored, or ``None`` when nothing was written."""
    cid, item, text, at = save.candidate, save.item, save.payload, save.at
    if con.execute(_UPSERT, (cid, item, text, at, cid, at, save.form, save.version)).rowcount != 1:
        return None
    con.execute(_EVENT, (cid, item, text, at))
    cur = con.cursor()
    cur.row_factory = None
    deadline, answered = cur.execute(STATE[save.fmt], (cid, item, save.need)).fetchone()
    return answered, deadline
