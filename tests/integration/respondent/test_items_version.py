"""``sjt_form.items_version``: raised by database triggers whenever a form's items change,
and an answer checked against items that changed since is not written (both engines)."""

from __future__ import annotations

from typing import Any

import pytest
from litestar.testing import AsyncTestClient

from server.core.db import dumps, utcnow
from server.core.tokens import token_hash
from server.respondent import repository as responses
from server.tables import Answer, AnswerEvent, Candidate, SjtForm, SjtFormItem
from tests.conftest import login
from tests.integration.respondent.test_respond import first_item

pytestmark = pytest.mark.usefixtures("item_bank")


async def version_of(form_id: int) -> int:
    row = await SjtForm.select(SjtForm.items_version).where(SjtForm.id == form_id).first()
    assert row is not None
    return int(row["items_version"])


async def edit_item(client: AsyncTestClient, item_id: int, new_option_text: str) -> None:
    await login(client, "admin")
    stored = (await client.get(f"/api/v1/sjt/items/{item_id}")).json()
    options = [dict(o) for o in stored["options"]]
    options[0]["text"] = new_option_text
    body: dict[str, Any] = {k: stored[k] for k in ("key", "stem", "context", "status", "formats")}
    body |= {"options": options, "competencies": stored["competencies"]}
    r = await client.put(f"/api/v1/sjt/items/{item_id}", json=body)
    assert r.status_code == 200, r.text
    client.cookies.clear()


async def form_of(token: str) -> int:
    row = (
        await Candidate.select(Candidate.form)
        .where(Candidate.token_hash == token_hash(token))
        .first()
    )
    assert row is not None
    return int(row["form"])


async def test_editing_an_item_raises_the_version_of_the_form_that_holds_it(
    client: AsyncTestClient,
) -> None:
    token, item_id, _, _ = await first_item(client)
    form = await form_of(token)
    n_items = await SjtFormItem.count().where(SjtFormItem.form == form)
    assert await version_of(form) == n_items  # one raise per item put on the form
    await edit_item(client, item_id, "A reworded response to the situation.")
    assert await version_of(form) == n_items + 1
    # moving an item on the form raises it too
    await SjtFormItem.update({SjtFormItem.position: 99}).where(
        (SjtFormItem.form == form) & (SjtFormItem.item == item_id)
    )
    assert await version_of(form) == n_items + 2


async def test_an_answer_checked_against_items_that_changed_since_is_not_written(
    client: AsyncTestClient,
) -> None:
    token, item_id, ids, url = await first_item(client)
    link = await responses.lookup(token, for_save=True)
    assert link is not None
    await edit_item(client, item_id, "A reworded response to the situation.")
    answer = {"most": ids[0], "least": ids[1]}
    session = responses.session_of(link, await responses.items_of(link))
    written = await responses._write(
        token_hash(token), link, session, item_id, dumps(answer), utcnow()
    )
    assert written is None
    assert await Answer.count() == 0 and await AnswerEvent.count() == 0
    # the save itself checks against the items as they are now, and stores the answer
    r = await client.put(url, json=answer)
    assert r.status_code == 200, r.text
    assert await Answer.count() == 1 and await AnswerEvent.count() == 1
