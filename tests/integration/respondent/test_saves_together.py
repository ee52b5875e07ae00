"""Saves that arrive at once: each is written, with its own checks and its own result.

On PostgreSQL the saves queued in a process at one moment go out as one statement
(``server.respondent.pg_saves``); on SQLite the writer thread commits what is queued. Either
way a refused save (its test submitted) must not take the others with it, two saves of one
candidate must both count, and nothing may be written twice.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.db import dumps, is_postgres, utcnow
from server.core.tokens import token_hash
from server.respondent import repository as responses
from server.respondent.pg_saves import save_queue
from server.tables import Answer, AnswerEvent
from tests.conftest import login
from tests.integration.hiring.test_campaigns import new_campaign
from tests.integration.respondent.test_respond import started

pytestmark = pytest.mark.usefixtures("item_bank")


def answer(item: dict[str, Any]) -> dict[str, Any]:
    ids = [o["id"] for o in item["options"]]
    return {"most": ids[0], "least": ids[-1]}


async def test_saves_at_once_are_each_written_with_their_own_result(
    client: AsyncTestClient,
) -> None:
    await login(client, "recruiter")
    c = await new_campaign(client)
    tokens = []
    for n in range(6):
        r = await client.post(
            f"/api/v1/campaigns/{c['id']}/candidates",
            json={"name": f"Candidate {n}", "email": f"c{n}@example.org"},
        )
        assert r.status_code == 201, r.text
        tokens.append(r.json()["link"].removeprefix("/take/"))
    client.cookies.clear()
    items = []
    for token in tokens:
        r = await client.post(f"/api/v1/respond/{token}/start", json={"consent": True})
        assert r.status_code == 200, r.text
        items.append(r.json()["items"])
    # one answer each, one at a time: later saves of these links skip the lookup, so the
    # saves below reach the queue in one turn of the event loop
    for token, its in zip(tokens, items, strict=True):
        saved = await responses.save_by_token(token, its[0]["id"], answer(its[0]))
        assert saved is not None and saved.answered == 1
    r = await client.post(f"/api/v1/respond/{tokens[5]}/submit")
    assert r.status_code == 200, r.text

    before = (save_queue().statements,) if is_postgres() else None
    pairs = zip(tokens, items, strict=True)
    saves = [responses.save_by_token(t, i[1]["id"], answer(i[1])) for t, i in pairs]
    saves.append(responses.save_by_token(tokens[0], items[0][2]["id"], answer(items[0][2])))
    results = await asyncio.gather(*saves, return_exceptions=True)

    # the submitted test's save is refused as submitted, and writes nothing
    assert isinstance(results[5], responses.Gone), results[5]
    assert str(results[5]) == responses.SUBMITTED
    # the others are written, each counting the answers stored before it
    for got in results[:5]:
        assert isinstance(got, responses.SavedAnswer) and got.answered == 2, got
    last = results[6]
    assert isinstance(last, responses.SavedAnswer) and last.item_id == items[0][2]["id"]
    assert last.answered == 3  # the same candidate's other save of this moment counts
    assert await Answer.count() == 6 + 5 + 1
    assert await AnswerEvent.count() == 6 + 5 + 1
    stored = await Answer.select(Answer.candidate, Answer.item).run()
    assert len({(a["candidate"], a["item"]) for a in stored}) == len(stored)
    if before is not None:
        # PostgreSQL: the six candidates' saves in one statement; candidate 0's second
        # save finds its link taken by the first (a link is remembered by one save at a
        # time), looks it up and goes out in the next statement
        assert save_queue().statements - before[0] == 2
        assert save_queue().largest >= 6


async def test_two_saves_of_one_candidate_at_once_each_count_the_other(
    client: AsyncTestClient,
) -> None:
    # the write step itself, twice at once for one candidate (as two tabs would): the
    # second is written after the first and counts it (on PostgreSQL: in the next
    # statement, since a statement holds one save per candidate)
    token, test = await started(client)
    first, second = test["items"][:2]
    link = await responses.lookup(token, for_save=True)
    assert link is not None
    session = responses.session_of(link, await responses.items_of(link))
    now = utcnow()

    def write(item: dict[str, Any]) -> Any:
        text = dumps(answer(item))
        return responses._write(token_hash(token), link, session, item["id"], text, now)

    a, b = await asyncio.gather(write(first), write(second))
    assert a is not None and b is not None
    assert a[0] == 0  # nothing stored before the first
    assert b[0] == 1  # the first, complete
    assert await Answer.count() == 2 and await AnswerEvent.count() == 2
