"""``assess worker`` and ``assess outbox``: the workers and the outbox from a terminal."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import TextIO

from server.core.db import close_pool, start_pool
from server.core.vocabulary import OutboxStatus
from server.outbox import repository as outbox
from server.outbox.compose import compose
from server.outbox.letters import CannotSend, NotDue
from server.outbox.worker import Worker
from server.settings import Settings

__all__ = ["run_worker", "show_outbox"]

NO_SERVER = "not sent: no mail server configured (SMTP_URL)"


async def run_worker(settings: Settings, *, once: bool = False) -> int:
    """Run a worker until SIGINT or SIGTERM (``once``: a single pass, then stop)."""
    if settings.pool_size > 0:
        await start_pool(min(settings.pool_size, 4))
    worker = Worker(settings)
    try:
        if once:
            done = await worker.tick()
            print(f"worker {worker.name}: {done} done", flush=True)
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        mail = settings.smtp_url.split("@")[-1] if settings.smtp_url else NO_SERVER
        print(f"worker {worker.name} started (mail: {mail}); stop with Ctrl+C", flush=True)
        await worker.run(stop)
        return 0
    finally:
        worker.close()
        if settings.pool_size > 0:
            await close_pool()


def _state(row: dict, settings: Settings) -> str:
    if row["status"] == OutboxStatus.QUEUED and not settings.smtp_url:
        return NO_SERVER
    state = str(row["status"])
    if row["sent_at"]:
        state += f" {row['sent_at']:%Y-%m-%d %H:%M} UTC"
    if row["tries"]:
        state += f", {row['tries']} tries"
    if row["last_error"]:
        state += f" ({row['last_error']})"
    return state


async def show_outbox(
    settings: Settings,
    *,
    status: str | None,
    limit: int,
    show: int | None,
    out: TextIO = sys.stdout,
) -> int:
    """List the outbox, newest first, or print one message as it would be sent now."""
    if show is not None:
        row = await outbox.get(show)
        if row is None:
            print(f"no message {show}", file=sys.stderr)
            return 1
        print(
            f"Message {row['id']}: {row['kind']} to {row['to_name']} <{row['to_email']}>", file=out
        )
        print(f"State: {_state(row, settings)}", file=out)
        print(f"Message-ID: {row['message_id']}", file=out)
        try:
            composed = await compose(row, settings)
        except (NotDue, CannotSend) as exc:
            print(f"Would not be sent: {exc}", file=out)
            return 0
        print(f"Subject: {composed.subject}\n\n{composed.text}", file=out)
        return 0
    rows, total = await outbox.list_messages(status=status, limit=limit)
    print(f"{total} messages" + (f" {status}" if status else ""), file=out)
    for row in rows:
        print(
            f"{row['id']:>6}  {row['created_at']:%Y-%m-%d %H:%M}  {row['kind']:<22} "
            f"{row['to_email']:<32} {_state(row, settings)}",
            file=out,
        )
    if total > len(rows):
        print(f"... {total - len(rows)} more (--limit)", file=out)
    return 0
