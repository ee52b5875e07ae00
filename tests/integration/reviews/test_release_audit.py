"""Closing, reopening and releasing a cycle are in the audit log, by page or by API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from litestar.testing import AsyncTestClient

from server.tables import AuditEvent
from tests.integration.reviews.test_reviews import _csrf, answer_all, cycle, rater

pytestmark = pytest.mark.usefixtures("demo_library")


async def _log() -> list[tuple[str, str]]:
    rows = await AuditEvent.select(AuditEvent.action, AuditEvent.target).order_by(AuditEvent.id)
    return [(r["action"], r["target"]) for r in rows if r["action"] != "logged_in"]


async def test_every_change_of_state_is_recorded_whoever_asks(client: AsyncTestClient) -> None:
    rid, sid = await cycle(client)
    peers = [await rater(client, rid, sid, f"P{n}", f"p{n}@example.org", "peer") for n in (1, 2, 3)]
    for token in peers:
        await answer_all(client, token, 4)
    assert (await client.post(f"/api/v1/reviews/{rid}/close")).status_code == 200
    later = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    r = await client.post(f"/api/v1/reviews/{rid}/reopen", json={"closes_at": later})
    assert r.status_code == 200, r.text
    token = _csrf((await client.get(f"/app/reviews/{rid}")).text)
    r = await client.post(f"/app/reviews/{rid}/close", data={"_csrf_token": token})
    assert r.status_code == 200, r.text
    token = _csrf(r.text)
    r = await client.post(f"/app/reviews/{rid}/release", data={"_csrf_token": token})
    assert r.status_code == 200 and "Release 1" in r.text, r.text
    assert [e for e in await _log() if e[0] in ("closed", "reopened", "released")] == [
        ("closed", f"review:{rid}"),
        ("reopened", f"review:{rid}"),
        ("closed", f"review:{rid}"),
        ("released", f"review:{rid}/release:1"),
    ]
