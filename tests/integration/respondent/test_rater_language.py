"""The rater page in the rater's language: competency names, statements and scale words
from the library's translations (English where a text has none)."""

from __future__ import annotations

import re

import pytest
from litestar.testing import AsyncTestClient

from tests.integration.reviews.test_reviews import cycle, rater

pytestmark = pytest.mark.usefixtures("demo_library")


@pytest.mark.parametrize(
    ("lang", "never"),
    [("nb", "Nesten aldri"), ("sv", "Nästan aldrig")],
)
async def test_the_form_speaks_the_raters_language(
    client: AsyncTestClient, lang: str, never: str
) -> None:
    rid, sid = await cycle(client)
    review = (await client.get(f"/api/v1/reviews/{rid}")).json()
    comps = (await client.get("/api/v1/competencies", params={"limit": 200})).json()["items"]
    first = next(c for c in comps if c["key"] == review["competencies"][0])
    token = await rater(client, rid, sid, "Pia", "pia@example.org", "peer")
    client.cookies.clear()
    html = (await client.get(f"/rate/{token}?lang={lang}")).text
    assert f'<html lang="{lang}">' in html
    assert f'<h2 id="c-1">{first["translations"][lang]["name"]}</h2>' in html
    statement = first["indicators"][0]["translations"][lang]
    assert re.search(rf"<legend>\s*{re.escape(statement)}\s*</legend>", html)
    assert f'<span class="anchor">{never}</span>' in html and "Almost never" not in html
    # every English text of the demo form has its translation
    for english in ("Comments on", "What does this person", "Almost always"):
        assert english not in html, english
    # the JSON form of the same link says the same
    form = (await client.get(f"/api/v1/respond/{token}?lang={lang}")).json()
    ratings = [i for i in form["items"] if i["format"] == "rating"]
    assert ratings[0]["text"] == statement and ratings[0]["scale"]["anchors"][0] == never
