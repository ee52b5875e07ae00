"""The answer saves on SQLite (``server.respondent.sqlite_saves.write_many``) count
progress in SQL (SQLite's JSON functions, no payload decoded in Python); it must count
exactly the answers ``is_complete`` counts.

Property: for every format, any item and any answer ``validated_answer`` accepts (partial
ones included), a save counts the answer exactly when ``is_complete`` holds; the item just
saved, items not on the form and empty answers never count. Saves written in one call
keep their own checks and count each other as if they ran one by one.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assessments.sjt.items import AnswerError, Item, Option, is_complete, validated_answer
from server.core.db import dumps
from server.respondent.repository import _complete_at
from server.respondent.sqlite_saves import (
    MAX_ROUND,
    PROGRESS,
    SqliteSave,
    _rounds,
    write_many,
)

PROGRESS_FORMATS = list(PROGRESS)


@st.composite
def item_and_answer(draw: st.DrawFn) -> tuple[str, Item, dict[str, Any]]:
    fmt = draw(st.sampled_from(["rate", "most_least", "rank"]))
    keys = [chr(ord("a") + i) for i in range(draw(st.integers(2, 6)))]
    item = Item("i", "stem", tuple(Option(k, k) for k in keys), ("c",), id=7)
    if fmt == "rate":
        rated = draw(st.lists(st.sampled_from(keys), unique=True, max_size=len(keys)))
        payload: dict[str, Any] = {"ratings": {k: draw(st.integers(1, 7)) for k in rated}}
    elif fmt == "most_least":
        payload = {
            "most": draw(st.none() | st.sampled_from(keys)),
            "least": draw(st.none() | st.sampled_from(keys)),
        }
    else:
        payload = {"ranking": draw(st.permutations(keys))[: draw(st.integers(0, len(keys)))]}
    return fmt, item, payload


DEADLINE = "2026-12-04 10:00:00+00:00"
BEFORE = "2026-12-04 09:59:59+00:00"


def answers_table(*rows: tuple[int, str], candidates: int = 1) -> sqlite3.Connection:
    """Form 3 (items version 1), its started candidates 1, 2, ... (with a deadline) and
    candidate 1's answers (item, payload)."""
    con = sqlite3.connect(":memory:")
    con.executescript(
        "CREATE TABLE sjt_form (id INTEGER PRIMARY KEY, items_version INTEGER);"
        "INSERT INTO sjt_form VALUES (3, 1);"
        "CREATE TABLE candidate (id INTEGER PRIMARY KEY, form INTEGER, status TEXT,"
        " deadline_at TEXT);"
        "CREATE TABLE answer (id INTEGER PRIMARY KEY, candidate INTEGER, item INTEGER,"
        " payload TEXT, saved_at TEXT, UNIQUE (candidate, item));"
        "CREATE TABLE answer_event (id INTEGER PRIMARY KEY, candidate INTEGER, item INTEGER,"
        " payload TEXT, received_at TEXT);"
    )
    con.executemany(
        "INSERT INTO candidate VALUES (?, 3, 'started', ?)",
        [(c, DEADLINE) for c in range(1, candidates + 1)],
    )
    con.executemany("INSERT INTO answer (candidate, item, payload) VALUES (1, ?, ?)", rows)
    return con


def a_save(
    fmt: str,
    item: int,
    items: list[Item],
    *,
    payload: str = "{}",
    candidate: int = 1,
    at: str = BEFORE,
    version: int = 1,
) -> SqliteSave:
    form_key = ("test", *((it.id, len(it.options)) for it in items))  # as the cache needs it
    need = _complete_at(fmt, form_key, items)  # type: ignore[arg-type]
    return SqliteSave(candidate, item, payload, at, 3, version, fmt, need)


def counted(con: sqlite3.Connection, fmt: str, saved_item: int, items: list[Item]) -> int:
    [written] = write_many(con, [a_save(fmt, saved_item, items)])
    assert written is not None
    answered, deadline = written
    assert deadline == DEADLINE
    return int(answered)


@settings(max_examples=300, deadline=None)
@given(item_and_answer())
def test_sql_progress_equals_is_complete(case: tuple[str, Item, dict[str, Any]]) -> None:
    fmt, item, payload = case
    try:
        answer = validated_answer(item, fmt, payload)  # type: ignore[arg-type]
    except AnswerError:
        assume(False)
        return
    con = answers_table((7, dumps(answer)))
    complete = is_complete(item, fmt, answer)  # type: ignore[arg-type]
    assert counted(con, fmt, 99, [item]) == int(complete)


def most_least_item(n: int) -> Item:
    return Item(f"i{n}", "stem", tuple(Option(k, k) for k in "abcd"), ("c",), id=n)


def test_only_other_items_on_the_form_count() -> None:
    items = [most_least_item(n) for n in (7, 8, 9)]
    done = dumps({"most": "a", "least": "b"})
    con = answers_table((7, done), (8, done), (12, done), (9, dumps({"most": "a", "least": None})))
    # 7 and 8 complete; 12 is not on the form; 9 is half answered
    assert counted(con, "most_least", 99, items) == 2
    assert counted(con, "most_least", 8, items) == 1  # the item just saved is counted apart
    # an answer to item 1 (not on the form) must not pass for one to item 71
    items = [most_least_item(71)]
    assert counted(answers_table((1, done)), "most_least", 99, items) == 0
    assert counted(answers_table((71, done)), "most_least", 99, items) == 1


def test_an_empty_answer_never_counts() -> None:
    item = Item("i", "stem", tuple(Option(k, k) for k in "ab"), ("c",), id=7)
    for text in ("{}", "null"):
        for fmt in PROGRESS_FORMATS:
            assert counted(answers_table((7, text)), fmt, 99, [item]) == 0


def stored(con: sqlite3.Connection, table: str) -> list[tuple[int, int, str]]:
    return con.execute(f"SELECT candidate, item, payload FROM {table} ORDER BY id").fetchall()


def test_a_save_outside_the_running_test_writes_nothing() -> None:
    items = [most_least_item(7)]
    done = dumps({"most": "a", "least": "b"})
    con = answers_table((7, done))
    con.execute("UPDATE candidate SET status = 'submitted'")
    assert write_many(con, [a_save("most_least", 7, items)]) == [None]
    assert stored(con, "answer") == [(1, 7, done)] and stored(con, "answer_event") == []
    with pytest.raises(ValueError, match="'essay'"):  # a format nobody counts: no guess
        write_many(con, [a_save("essay", 7, items)])
    con = answers_table((7, done))
    refused = [
        a_save("most_least", 7, items, at=DEADLINE),  # out of time
        a_save("most_least", 7, items, version=2),  # the items changed since
    ]
    assert write_many(con, refused) == [None, None]
    assert stored(con, "answer") == [(1, 7, done)] and stored(con, "answer_event") == []
    assert write_many(con, [a_save("most_least", 7, items)]) == [(0, DEADLINE)]  # running
    assert stored(con, "answer") == [(1, 7, "{}")]
    assert stored(con, "answer_event") == [(1, 7, "{}")]


def test_saves_in_one_call_count_each_other_as_if_one_by_one() -> None:
    items = [most_least_item(n) for n in (7, 8, 9)]
    done = dumps({"most": "a", "least": "b"})
    con = answers_table(candidates=2)
    saves = [
        a_save("most_least", 7, items, payload=done),
        a_save("most_least", 8, items, payload=done, candidate=2),
        a_save("most_least", 8, items, payload=done),  # sees 7, saved just before
        a_save("most_least", 9, items, payload=done, at=DEADLINE),  # refused
        a_save("most_least", 7, items, payload="{}"),  # 7 again, emptied: 8 counts
        a_save("most_least", 9, items, payload=done),  # 8 complete, 7 no longer
    ]
    assert write_many(con, saves) == [
        (0, DEADLINE),
        (0, DEADLINE),
        (1, DEADLINE),
        None,
        (1, DEADLINE),
        (1, DEADLINE),
    ]
    assert stored(con, "answer") == [(1, 7, "{}"), (2, 8, done), (1, 8, done), (1, 9, done)]
    # one event per written save; each candidate's in the order they came
    events = stored(con, "answer_event")
    assert len(events) == 5
    assert [e for e in events if e[0] == 1] == [
        (1, 7, done),
        (1, 8, done),
        (1, 7, "{}"),
        (1, 9, done),
    ]


def test_rounds_hold_one_save_per_candidate_and_at_most_max_round() -> None:
    items = [most_least_item(7)]
    saves = [a_save("most_least", 7, items, candidate=c) for c in (1, 2, 1, 1, 3)]
    assert _rounds(saves) == [[0, 1, 4], [2], [3]]
    many = [a_save("most_least", 7, items, candidate=c) for c in range(MAX_ROUND + 2)]
    assert [len(r) for r in _rounds(many)] == [MAX_ROUND, 2]
    con = answers_table(candidates=MAX_ROUND + 2)
    written = write_many(con, many[1:])  # candidates 1 to MAX_ROUND + 1: two rounds
    assert written == [(0, DEADLINE)] * (MAX_ROUND + 1)
    assert len(stored(con, "answer")) == len(stored(con, "answer_event")) == MAX_ROUND + 1
