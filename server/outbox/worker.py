"""The worker: sends the outbox, plans scheduled messages, runs background jobs.

One runs in every ``assess serve`` process (``WORKER_IN_SERVE=1``, the default) and as its
own process with ``assess worker`` (any number). Each pass:

1. about once a minute, queue the messages the calendar makes due (``schedule.plan``);
2. if ``SMTP_URL`` is set, take a batch of due messages (:func:`repository.claim`: on
   PostgreSQL ``FOR UPDATE SKIP LOCKED``, so workers never take the same message; at most
   ``MAIL_RATE`` a minute over every worker), compose each (its link derived now), hand
   them to the mail server over one connection, and record what happened: ``sent``;
   ``queued`` again after ``MAIL_RETRY_SECONDS`` × 2^(tries − 1) (± 10 %, at most six
   hours) on a passing failure; ``failed`` on a refusal or after ``MAIL_MAX_TRIES``;
   ``cancelled`` when no longer due;
3. run one background job, if one waits.

A worker killed mid-batch leaves its messages ``sending``; after ``WORKER_LOCK_SECONDS``
another worker takes them again with the same ``Message-ID`` (a copy that did reach the
person before the crash is then recognisable as the same message).

On SQLite a single process sends (a lock file beside the database): the others plan and
run jobs only.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import random
import socket
import uuid
from datetime import timedelta
from pathlib import Path
from typing import IO, Any

import anyio.to_thread

from server.core import mail
from server.core.db import is_postgres, utcnow
from server.core.vocabulary import OutboxStatus
from server.jobs import runner as jobs
from server.outbox import repository as outbox
from server.outbox import schedule
from server.outbox.compose import compose
from server.outbox.letters import CannotSend, Composed, NotDue
from server.settings import Settings

__all__ = ["Worker", "backoff"]

log = logging.getLogger("assess.worker")

BATCH = 20
PLAN_EVERY = timedelta(seconds=60)
MAX_WAIT = timedelta(hours=6)


def backoff(settings: Settings, tries: int, rng: random.Random) -> timedelta:
    """How long to wait before try ``tries + 1``: doubling from ``MAIL_RETRY_SECONDS``,
    at most six hours, ± 10 % so that workers do not retry in step."""
    wait = min(settings.mail_retry_seconds * 2 ** max(tries - 1, 0), MAX_WAIT.total_seconds())
    return timedelta(seconds=wait * rng.uniform(0.9, 1.1))


class Worker:
    """One worker (a loop in a server process, or ``assess worker``)."""

    def __init__(self, settings: Settings, *, batch: int = BATCH) -> None:
        self.settings = settings
        self.batch = batch
        self.name = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._rng = random.Random()
        self._planned_at = utcnow() - PLAN_EVERY
        self._lock_file: IO[str] | None = None
        self._may_send: bool | None = None

    # -- the one-process rule on SQLite -------------------------------------------------

    def may_send(self) -> bool:
        """Whether this worker sends mail (on SQLite: the one holding the lock file)."""
        if not self.settings.smtp_url:
            return False
        if self._may_send is None:
            if is_postgres():
                self._may_send = True
            else:
                path = Path(self.settings.database.path + ".outbox-lock")
                fh = path.open("a")
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    fh.close()
                    self._may_send = False
                else:
                    self._lock_file = fh
                    self._may_send = True
        return self._may_send

    def close(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        self._may_send = None

    # -- one pass -------------------------------------------------------------------------

    async def tick(self) -> int:
        """One pass; returns how much was done (0: nothing was due)."""
        done = 0
        now = utcnow()
        if now - self._planned_at >= PLAN_EVERY:
            self._planned_at = now
            done += await schedule.plan(now, self.settings)
        if self.may_send():
            done += await self.send_batch()
        if await jobs.run_next(self.name, self.settings):
            done += 1
        return done

    async def send_batch(self) -> int:
        """Take, compose and send one batch; returns how many messages were taken."""
        rows = await outbox.claim(
            self.name,
            limit=self.batch,
            lock_seconds=self.settings.worker_lock_seconds,
            rate=self.settings.mail_rate,
        )
        if not rows:
            return 0
        ready: list[tuple[dict[str, Any], Composed]] = []
        for row in rows:
            try:
                ready.append((row, await compose(row, self.settings)))
            except NotDue as exc:
                await outbox.mark_stopped(
                    row["id"], self.name, status=OutboxStatus.CANCELLED, reason=str(exc)
                )
            except CannotSend as exc:
                await outbox.mark_stopped(
                    row["id"], self.name, status=OutboxStatus.FAILED, reason=str(exc)
                )
        if ready:
            results = await anyio.to_thread.run_sync(self._deliver_all, ready)
            for (row, composed), problem in zip(ready, results, strict=True):
                await self._record(row, composed, problem)
        return len(rows)

    def _deliver_all(
        self, ready: list[tuple[dict[str, Any], Composed]]
    ) -> list[mail.Refused | mail.Unavailable | None]:
        """Hand every letter over one connection (in a thread: smtplib blocks)."""
        try:
            smtp = mail.connect(self.settings.smtp_url)
        except mail.Unavailable as exc:
            return [exc] * len(ready)
        results: list[mail.Refused | mail.Unavailable | None] = []
        try:
            self._deliver_each(smtp, ready, results)
        except Exception:  # not a mail server's answer: a fault of ours, logged
            log.exception("delivering a batch failed")
        finally:
            with contextlib.suppress(Exception):
                smtp.quit()
        # a connection that broke mid-batch: the rest were not handed over
        results += [mail.Unavailable("the connection closed")] * (len(ready) - len(results))
        return results

    def _deliver_each(
        self,
        smtp: Any,
        ready: list[tuple[dict[str, Any], Composed]],
        results: list[mail.Refused | mail.Unavailable | None],
    ) -> None:
        for row, composed in ready:
            letter = mail.Letter(
                to_email=row["to_email"],
                to_name=row["to_name"],
                subject=composed.subject,
                text=composed.text,
                html=composed.html,
                message_id=row["message_id"],
            )
            try:
                mail.deliver(smtp, self.settings.smtp_from, letter)
                results.append(None)
            except (mail.Refused, mail.Unavailable) as exc:
                results.append(exc)

    async def _record(
        self,
        row: dict[str, Any],
        composed: Composed,
        problem: mail.Refused | mail.Unavailable | None,
    ) -> None:
        ident = row["id"]
        if problem is None:
            await outbox.mark_sent(
                ident, self.name, subject_line=composed.subject, body=composed.shown
            )
        elif isinstance(problem, mail.Refused) or row["tries"] >= self.settings.mail_max_tries:
            await outbox.mark_stopped(
                ident, self.name, status=OutboxStatus.FAILED, reason=str(problem)
            )
        else:
            at = utcnow() + backoff(self.settings, row["tries"], self._rng)
            await outbox.mark_retry(ident, self.name, error=str(problem), at=at)

    # -- the loop -------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event | None = None) -> None:
        """Pass after pass until ``stop`` is set; waits ``WORKER_POLL_MS`` when idle."""
        stop = stop or asyncio.Event()
        log.info("worker %s started", self.name)
        try:
            while not stop.is_set():
                try:
                    done = await self.tick()
                except Exception:  # the loop must outlive one bad pass (logged, retried)
                    log.exception("worker pass failed")
                    done = 0
                if not done:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stop.wait(), self.settings.worker_poll_seconds)
        finally:
            self.close()
