"""Answer saves on SQLite: what the process's writer thread runs for them.

``server.core.db.SQLiteLine`` runs the jobs queued at one moment in one transaction, so one
commit serves every save in it; the saves among them run together, as ``write_many``:
three statements per round of them (see below), not three per save (``pg_saves`` does it
on PostgreSQL in one statement). The thread takes the interpreter's lock back after every
statement, from an event loop that is busy with the next requests, so statements per save
cost more than their SQL.

Each save keeps its own checks and its own result. For each save the first statement
checks that the test runs (``started``, before its deadline at that save's time) with the
items the answer was checked against (``items_version``), and reads the test's deadline
and how many of the candidate's other answers are complete; the saves that pass are then
written, their answers and their events, in the order they came. A save that fails its
checks writes nothing and gets ``None``; it then looks the link up again to tell why.

The saves of one candidate go in turns (a round holds at most one save per candidate),
so each save counts the answers written before it, and a candidate's saves are written in
the order they came, as if the saves ran one by one (the saves of different candidates in
one call share the transaction; their events may interleave differently). If a statement
fails, the line runs the batch again with each save alone (``write_many`` of one), so a
failed save changes nothing and fails alone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from functools import cache
from typing import NamedTuple

__all__ = ["PROGRESS", "SqliteSave", "write_many"]

# per saved answer, by response format: a number that equals the form's "complete" number
# for its item exactly when ``is_complete`` holds for it (no payload decoded in Python)
PROGRESS: dict[str, str] = {
    "rate": "(SELECT count(*) FROM json_each(payload, '$.ratings'))",
    "rank": "coalesce(json_array_length(payload, '$.ranking'), 0)",
    "most_least": "(json_extract(payload, '$.most') IS NOT NULL "
    "AND json_extract(payload, '$.least') IS NOT NULL)",
}

MAX_ROUND = 64  # saves per statement (a statement per size is prepared and kept)


class SqliteSave(NamedTuple):
    """One answer to write: the candidate's id, the item, the answer as JSON text, the
    time of the save as SQLite stores it (``str(datetime)``), the form and its
    ``items_version`` the answer was checked against, the response format and the form's
    items with the number of a complete answer to each, as ",item:number,item:number,"
    (an empty answer counts -1, which no item needs)."""

    candidate: int
    item: int
    payload: str
    at: str
    form: int
    version: int
    fmt: str
    need: str

    def checked(self) -> tuple[int, int, str, int, int, str, str]:
        """What the check statement takes of it, after its ord (see ``_check``)."""
        return self.candidate, self.item, self.at, self.form, self.version, self.fmt, self.need

    def row(self) -> tuple[int, int, str, str]:
        """Its ``answer`` and ``answer_event`` row: candidate, item, payload, time."""
        return self.candidate, self.item, self.payload, self.at


@cache
def _check(rows: int) -> str:
    """For ``rows`` saves (ord, candidate, item, at, form, version, fmt, need): the ord,
    deadline and count of complete other answers of each save whose test still runs with
    the items it was checked against, in ord order. A complete answer is one whose
    "item:number" (``PROGRESS`` of its format) is in the save's ``need``."""
    progress = " ".join(f"WHEN '{fmt}' THEN {expr}" for fmt, expr in PROGRESS.items())
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?)"] * rows)
    return (
        f"WITH s(ord, cand, item, at, form, version, fmt, need) AS (VALUES {values}) "
        "SELECT s.ord, c.deadline_at, (SELECT count(*) FROM answer WHERE candidate = s.cand "
        "AND item != s.item AND instr(s.need, ',' || item || ':' || CASE WHEN payload IN "
        f"('{{}}', 'null') THEN -1 ELSE CASE s.fmt {progress} END END || ',')) "
        "FROM s JOIN candidate c ON c.id = s.cand JOIN sjt_form f ON f.id = c.form "
        "WHERE c.status = 'started' AND (c.deadline_at IS NULL OR c.deadline_at > s.at) "
        "AND f.id = s.form AND f.items_version = s.version ORDER BY s.ord"
    )


@cache
def _answers(rows: int) -> str:
    values = ", ".join(["(?, ?, ?, ?)"] * rows)
    return (
        f"INSERT INTO answer (candidate, item, payload, saved_at) VALUES {values} "
        "ON CONFLICT (candidate, item) DO UPDATE SET payload = excluded.payload, "
        "saved_at = excluded.saved_at"
    )


@cache
def _events(rows: int) -> str:
    values = ", ".join(["(?, ?, ?, ?)"] * rows)
    return f"INSERT INTO answer_event (candidate, item, payload, received_at) VALUES {values}"


def _rounds(saves: Sequence[SqliteSave]) -> list[list[int]]:
    """The saves' positions in rounds of at most MAX_ROUND with at most one save per
    candidate each; a candidate's saves in the order they came, one per round."""
    rounds: list[list[int]] = []
    turn: dict[int, int] = {}  # candidate -> the round of their next save
    for n, save in enumerate(saves):
        r = turn.get(save.candidate, 0)
        while r < len(rounds) and len(rounds[r]) >= MAX_ROUND:
            r += 1
        if r == len(rounds):
            rounds.append([])
        rounds[r].append(n)
        turn[save.candidate] = r + 1
    return rounds


def write_many(
    con: sqlite3.Connection, saves: list[SqliteSave]
) -> list[tuple[int, str | None] | None]:
    """Jobs of the writer thread: store each answer and its event if its test still runs
    with the items it was checked against. For each save, in order: how many of the
    candidate's other answers are complete and the test's deadline as stored, or ``None``
    when nothing was written."""
    unknown = {s.fmt for s in saves} - PROGRESS.keys()
    if unknown:
        raise ValueError(f"no progress count for the response format(s) {sorted(unknown)}")
    cur = con.cursor()
    cur.row_factory = None
    out: list[tuple[int, str | None] | None] = [None] * len(saves)
    for round_ in _rounds(saves):
        checks = [v for n in round_ for v in (n, *saves[n].checked())]
        rows = cur.execute(_check(len(round_)), checks).fetchall()
        if not rows:
            continue
        values = [v for n, _, _ in rows for v in saves[n].row()]
        cur.execute(_answers(len(rows)), values)
        cur.execute(_events(len(rows)), values)
        for n, deadline, answered in rows:
            out[n] = (answered, deadline)
    return out
