"""Messages that are due by the calendar, planned by the workers about once a minute.

Each planner queues what is due now and not yet queued (the ``dedupe`` key of a message
makes it exist once, whichever worker plans it, however often).
"""

from __future__ import annotations

from datetime import datetime

from server.outbox.hiring_schedule import plan_candidate_reminders
from server.outbox.review_schedule import plan_review_mail
from server.settings import Settings

__all__ = ["plan"]


async def plan(now: datetime, settings: Settings) -> int:
    """Queue every scheduled message due at ``now``; returns how many were queued."""
    queued = 0
    queued += await plan_candidate_reminders(now, settings)
    queued += await plan_review_mail(now, settings)
    return queued
