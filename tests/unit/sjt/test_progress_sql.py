"""The answer-save fast path counts progress in SQL (SQLite's JSON functions, no payload
decoded in Python); it must count exactly the answers ``is_complete`` counts.

Property: for every format, any item and any answer ``validated_answer`` accepts (partial
ones included), the number the SQL gives equals the form's "complete" number exactly when
``is_complete`` holds.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assessments.sjt.items import AnswerError, Item, Option, is_complete, validated_answer
from server.core.db import dumps
from server.respondent.repository import _PROGRESS_SQLITE, _complete_at


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


@settings(max_examples=300, deadline=None)
@given(item_and_answer())
def test_sql_progress_equals_is_complete(case: tuple[str, Item, dict[str, Any]]) -> None:
    fmt, item, payload = case
    try:
        answer = validated_answer(item, fmt, payload)  # type: ignore[arg-type]
    except AnswerError:
        assume(False)
        return
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE answer (candidate INTEGER, item INTEGER, payload TEXT)")
    con.execute("INSERT INTO answer VALUES (1, ?, ?)", (item.id, dumps(answer)))
    ((found_item, number),) = con.execute(_PROGRESS_SQLITE[fmt], (1,)).fetchall()
    need = _complete_at(fmt, ("test", fmt, len(item.options)), [item])  # type: ignore[arg-type]
    assert found_item == item.id
    assert (number == need[item.id]) == is_complete(item, fmt, answer)  # type: ignore[arg-type]


def test_an_empty_answer_never_counts() -> None:
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE answer (candidate INTEGER, item INTEGER, payload TEXT)")
    for text in ("{}", "null"):
        con.execute("DELETE FROM answer")
        con.execute("INSERT INTO answer VALUES (1, 7, ?)", (text,))
        for sql in _PROGRESS_SQLITE.values():
            ((_, number),) = con.execute(sql, (1,)).fetchall()
            assert number == -1
