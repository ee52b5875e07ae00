"""The answer-save fast path counts progress in SQL (SQLite's JSON functions, no payload
decoded in Python); it must count exactly the answers ``is_complete`` counts.

Property: for every format, any item and any answer ``validated_answer`` accepts (partial
ones included), the statement run after a save counts the answer exactly when
``is_complete`` holds; the item just saved, items not on the form and empty answers never
count.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assessments.sjt.items import AnswerError, Item, Option, is_complete, validated_answer
from server.core.db import dumps
from server.respondent.repository import _complete_at
from server.respondent.sqlite_saves import STATE


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


def answers_table(*rows: tuple[int, str]) -> sqlite3.Connection:
    """Candidate 1 (with a deadline) and their answers (item, payload)."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE candidate (id INTEGER, deadline_at TEXT)")
    con.execute("INSERT INTO candidate VALUES (1, '2026-12-04 10:00:00+00:00')")
    con.execute("CREATE TABLE answer (candidate INTEGER, item INTEGER, payload TEXT)")
    con.executemany("INSERT INTO answer VALUES (1, ?, ?)", rows)
    return con


def counted(con: sqlite3.Connection, fmt: str, saved_item: int, items: list[Item]) -> int:
    form_key = ("test", *((it.id, len(it.options)) for it in items))  # as the cache needs it
    need = _complete_at(fmt, form_key, items)  # type: ignore[arg-type]
    deadline, answered = con.execute(STATE[fmt], (1, saved_item, need)).fetchone()
    assert deadline == "2026-12-04 10:00:00+00:00"
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
        for fmt in STATE:
            assert counted(answers_table((7, text)), fmt, 99, [item]) == 0
