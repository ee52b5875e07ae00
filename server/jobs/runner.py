"""Running background jobs in the workers.

``server.outbox.worker.Worker.tick`` calls :func:`run_next` once per pass: it takes one due
job (:func:`server.jobs.repository.claim`), runs its kind (:data:`server.jobs.kinds.RUNNERS`)
while recording the progress (each step also holds the job ``WORKER_LOCK_SECONDS`` longer),
and stores the file or the reason it failed. About once a minute it also deletes the jobs
whose time is over and fails the jobs whose workers died :data:`MAX_TRIES` times mid-run.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from reports.markers import N_
from server.core.db import utcnow
from server.core.errors import DomainError
from server.jobs import repository as repo
from server.jobs.kinds import KEEP, RUNNERS, JobFailed
from server.jobs.repository import Claimed
from server.settings import Settings

__all__ = ["MAX_TRIES", "run_next"]

log = logging.getLogger("assess.jobs")

MAX_TRIES = 3
"""A job whose worker stopped this many times while running it is failed, not retried."""
TIDY_EVERY = timedelta(seconds=60)

UNKNOWN_KIND = N_("This kind of file cannot be made by this version of the server.")
STOPPED = N_("The file could not be made: the worker stopped each time it tried.")
BROKE = N_("The file could not be made because of an error in the server.")

_tidied: dict[str, datetime] = {}


class _Lost(Exception):
    """Another worker took the job over (this one was presumed dead): stop quietly."""


async def _tidy(worker: str, settings: Settings) -> None:
    now = utcnow()
    last = _tidied.get(worker)
    if last is not None and now - last < TIDY_EVERY:
        return
    _tidied[worker] = now
    deleted = await repo.delete_expired(now)
    stopped = await repo.give_up_stale(MAX_TRIES, STOPPED, keep=KEEP)
    if deleted or stopped:
        log.info("jobs: %s expired deleted, %s failed after %s tries", deleted, stopped, MAX_TRIES)


async def run_next(worker: str, settings: Settings) -> bool:
    """Take one due job and run it; whether there was one."""
    await _tidy(worker, settings)
    job = await repo.claim(worker, lock_seconds=settings.worker_lock_seconds, max_tries=MAX_TRIES)
    if job is None:
        return False
    await run(job, settings)
    return True


async def run(job: Claimed, settings: Settings) -> None:
    """Run a claimed job to its end: ``done`` with its file, or ``failed`` with a reason."""
    runner = RUNNERS.get(job.kind)
    if runner is None:
        await repo.fail(job, UNKNOWN_KIND, keep=KEEP)
        return

    async def step(done: int, total: int) -> None:
        if not await repo.progress(job, done, total, lock_seconds=settings.worker_lock_seconds):
            raise _Lost

    log.info("job %s (%s) started, try %s", job.id, job.kind, job.tries)
    try:
        made = await runner(job, step)
    except _Lost:
        log.warning("job %s was taken over by another worker", job.id)
        return
    except JobFailed as exc:
        reason = exc.reason
    except DomainError as exc:  # a rule of the data, said by the domain (in English)
        reason = exc.detail
    except Exception:  # a bug or a broken dependency: logged, the person gets words
        log.exception("job %s (%s) failed", job.id, job.kind)
        reason = BROKE
    else:
        total = (await repo.get(job.id) or {}).get("total") or 1
        stored = await repo.finish(
            job,
            data=made.data,
            filename=made.filename,
            content_type=made.content_type,
            total=int(total),
            params={**job.params, **made.remember},
            keep=KEEP,
        )
        log.info("job %s done (%s bytes)%s", job.id, len(made.data), "" if stored else ", lost")
        return
    await repo.fail(job, reason, keep=KEEP)
    log.info("job %s failed: %s", job.id, reason)
