"""Per-link rate limits: a script posting through one link is slowed to a trickle (429 with
``Retry-After``), a person answering by hand never notices, and one nomination link cannot
propose raters without end."""

from __future__ import annotations

import time

import pytest
from litestar.testing import AsyncTestClient

from server.tables import AnswerEvent
from server.web import rate_limit
from server.web.rate_limit import Limiter
from tests.integration.respondent.test_respond import first_item
from tests.integration.reviews.test_reviews import cycle


def test_a_bucket_allows_the_burst_then_the_rate() -> None:
    limiter = Limiter(rate=2.0, burst=3.0)
    assert [limiter.wait("t", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limiter.wait("t", now=0.0) == pytest.approx(0.5)  # one more in half a second
    assert limiter.wait("t", now=0.5) == 0.0
    assert limiter.wait("other", now=0.5) == 0.0  # links do not share a bucket


@pytest.mark.usefixtures("item_bank")
async def test_one_candidate_link_cannot_flood_the_database(client: AsyncTestClient) -> None:
    limiter = rate_limit.ANSWERS
    limiter._buckets.clear()
    _, _, ids, url = await first_item(client)

    async def save(n: int) -> int:
        return (await client.put(url, json={"most": ids[n % 2], "least": ids[2]})).status_code

    # A script saves as fast as the server answers until it is refused. The bucket refills
    # while the saves are made, so how many go through past the burst depends on how fast
    # this machine answers (a loaded machine or PostgreSQL answers slower): bounded by the
    # refill over the time it took, not by a count that assumes a fast machine.
    started = time.monotonic()
    codes: list[int] = []
    while 429 not in codes and len(codes) < 2_000:
        codes.append(await save(len(codes)))
    assert codes[:120] == [200] * 120  # a burst larger than any person makes
    assert codes[-1] == 429, "a link saving as fast as it can was never slowed"
    # then 40 more at once from an empty bucket: only the refill goes through
    flood_started = time.monotonic()
    flood = [await save(n) for n in range(40)]
    now = time.monotonic()
    assert flood.count(200) <= limiter.rate * (now - flood_started) + 1
    passed = codes.count(200) + flood.count(200)
    assert passed <= limiter.burst + limiter.rate * (now - started) + 1
    refused = await client.put(url, json={"most": ids[0], "least": ids[2]})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert await AnswerEvent.count() == passed


@pytest.mark.usefixtures("demo_library")
async def test_one_nomination_link_cannot_propose_without_end(client: AsyncTestClient) -> None:
    token = await _nomination_link(client)
    codes = [
        (
            await client.post(
                f"/api/v1/nominate/{token}",
                json={"name": f"Peer {n}", "email": f"p{n}@example.org", "group": "peer"},
            )
        ).status_code
        for n in range(15)
    ]
    assert codes[:10] == [201] * 10 and set(codes[10:]) == {429}
    shown = (await client.get(f"/api/v1/nominate/{token}")).json()
    assert len(shown["raters"]) == 10


@pytest.mark.usefixtures("demo_library")
async def test_a_subject_may_propose_at_most_thirty_raters(
    client: AsyncTestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rate_limit.NOMINATIONS, "burst", 1_000.0)
    token = await _nomination_link(client)
    for n in range(31):
        r = await client.post(
            f"/api/v1/nominate/{token}",
            json={"name": f"Peer {n}", "email": f"p{n}@example.org", "group": "peer"},
        )
        assert r.status_code == (201 if n < 30 else 409), (n, r.text)
    assert "at most 30" in r.text
    rate_limit.NOMINATIONS._buckets.clear()


async def _nomination_link(client: AsyncTestClient) -> str:
    """A new subject's nomination token, with the client logged out (as the subject is)."""
    rate_limit.NOMINATIONS._buckets.clear()
    rid, _ = await cycle(client)
    r = await client.post(
        f"/api/v1/reviews/{rid}/subjects", json={"name": "Ola Nord", "email": "ola@example.org"}
    )
    client.cookies.clear()
    return r.json()["nomination_link"].removeprefix("/nominate/")
