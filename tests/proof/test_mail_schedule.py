"""A vacancy's mail in a real server process, with a real SMTP server and a clock moved
forward through ``CLOCK_FILE``:

invitation on invite (its link opens the test) → a failing mail server (retried, nothing
lost, the link unchanged) → receipt after submitting → the reminder two days before the
vacancy closes, to the candidate who has not submitted only, carrying the same link, once.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.serverproc import (
    ServerProcess,
    fresh_database,
    make_campaign,
    server_env,
    staff_client,
)
from tests.mailsink import MailSink, link_in

DAY = 86_400


def _wait(sink: MailSink, count: int, server: ServerProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(sink.messages) < count:
        if time.monotonic() > deadline:
            subjects = [str(m["Subject"]) for m in sink.messages]
            raise AssertionError(f"{subjects}: not {count} messages\n{server.log_tail()}")
        time.sleep(0.1)


async def _submit(base: str, link: str) -> None:
    token = link.rsplit("/", 1)[1]
    async with httpx.AsyncClient(base_url=base, timeout=30) as c:
        test = (await c.post(f"/api/v1/respond/{token}/start", json={"consent": True})).json()
        for item in test["items"]:
            ids = [o["id"] for o in item["options"]]
            r = await c.put(
                f"/api/v1/respond/{token}/answers/{item['id']}",
                json={"most": ids[0], "least": ids[1]},
            )
            assert r.status_code == 200, r.text
        assert (await c.post(f"/api/v1/respond/{token}/submit")).status_code == 200


async def _close_in(base: str, campaign_id: int, days: float) -> None:
    staff = await staff_client(base)
    try:
        closes = datetime.now(UTC) + timedelta(days=days)
        r = await staff.patch(
            f"/api/v1/campaigns/{campaign_id}",
            json={"closes_at": closes.isoformat(), "reminder_days": 2},
        )
        assert r.status_code == 200, r.text
    finally:
        await staff.aclose()


def test_invitation_retry_receipt_and_reminder_on_the_calendar(tmp_path: Path) -> None:
    clock = tmp_path / "clock"
    clock.write_text("0")
    with fresh_database(None, prefix="engine_schedule") as url, MailSink() as sink:
        env = server_env(
            url,
            tmp_path / "var",
            SMTP_URL=sink.url,
            SMTP_FROM="jobs@proof.example",
            CLOCK_FILE=str(clock),
            WORKER_POLL_MS="100",
            MAIL_RETRY_SECONDS="1",
            MAIL_RATE="0",
        )
        sink.refuse(451)  # the first message meets a mail server that says "later"
        with ServerProcess(env, tmp_path / "server.log") as server:
            server.start().wait_ready()
            vacancy = asyncio.run(make_campaign(server.url, n_items=1, n_candidates=2, start=False))
            asyncio.run(_close_in(server.url, vacancy.campaign_id, days=5))
            _wait(sink, 2, server)
            invited = {str(m["To"].addresses[0].addr_spec): m for m in sink.messages}
            assert set(invited) == {"candidate0@load.example", "candidate1@load.example"}
            links = {to: link_in(m, "take") for to, m in invited.items()}
            # the links mailed are the links the invitation made, refused try or not
            assert {t.token for t in vacancy.takers} == {
                link.rsplit("/", 1)[1] for link in links.values()
            }
            assert httpx.get(links["candidate1@load.example"]).status_code == 200

            asyncio.run(_submit(server.url, links["candidate0@load.example"]))
            _wait(sink, 3, server)
            receipt = sink.messages[2]
            assert receipt["To"].addresses[0].addr_spec == "candidate0@load.example"
            assert "/take/" not in receipt.get_body(preferencelist=("plain",)).get_content()

            time.sleep(1)
            assert len(sink.messages) == 3  # nothing due yet: closing is five days off
            clock.write_text(str(3.5 * DAY))  # now 1.5 days before closing
            _wait(sink, 4, server)
            reminder = sink.messages[3]
            assert reminder["To"].addresses[0].addr_spec == "candidate1@load.example"
            assert link_in(reminder, "take") == links["candidate1@load.example"]
            clock.write_text(str(3.6 * DAY))
            time.sleep(2)
            assert len(sink.messages) == 4, "a reminder went twice or to who had submitted"
