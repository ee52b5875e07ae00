"""The candidates' messages that the calendar makes due (called by ``schedule.plan``).

- A reminder ``reminder_days`` days before a vacancy closes (a vacancy setting, default
  2; 0 = none) to each candidate who has not submitted: once per candidate and closing
  date (moving the closing date plans a new one), while the vacancy is open.
- A test whose time ran out is submitted (at its deadline) even when nobody opens its
  link again, so the candidate's receipt goes out now rather than when staff next look.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from server.core.db import write_transaction
from server.core.vocabulary import CandidateStatus, MessageKind
from server.outbox import repository as outbox
from server.outbox.candidate_mail import candidate_message, mail_setting
from server.respondent.repository import submit_expired
from server.settings import Settings
from server.tables import Campaign, Candidate

__all__ = ["plan_candidate_reminders", "reminder_key"]

MAX_DAYS = 30  # the largest ``reminder_days`` a vacancy may set (CampaignUpdate)


def reminder_key(candidate_id: int, closes_at: datetime) -> str:
    """The ``dedupe`` of a reminder: one per candidate and closing date."""
    return f"candidate-reminder:{candidate_id}:{closes_at:%Y-%m-%d}"


async def plan_candidate_reminders(now: datetime, settings: Settings) -> int:
    """Queue the candidate reminders due at ``now`` (and submit tests out of time first);
    returns how many reminders were queued."""
    timed_out = (Candidate.status == CandidateStatus.STARTED) & (Candidate.deadline_at <= now)
    if await Candidate.exists().where(timed_out):
        await submit_expired(timed_out)
    vacancies = await Campaign.select(
        Campaign.id, Campaign.opens_at, Campaign.closes_at, Campaign.settings, Campaign.languages
    ).where((Campaign.closes_at > now) & (Campaign.closes_at <= now + timedelta(days=MAX_DAYS)))
    due = {}
    for v in vacancies:
        days = int(mail_setting(v["settings"], "reminder_days") or 0)
        opened = v["opens_at"] is None or v["opens_at"] <= now
        if days > 0 and opened and now >= v["closes_at"] - timedelta(days=days):
            due[v["id"]] = v
    if not due:
        return 0
    people = await Candidate.select(
        Candidate.id, Candidate.campaign, Candidate.name, Candidate.email, Candidate.language
    ).where(Candidate.campaign.is_in(list(due)) & (Candidate.status != CandidateStatus.SUBMITTED))
    letters = [
        candidate_message(
            MessageKind.CANDIDATE_REMINDER,
            p,
            due[p["campaign"]]["languages"],
            dedupe=reminder_key(p["id"], due[p["campaign"]]["closes_at"]),
        )
        for p in people
    ]
    if not letters:
        return 0
    async with write_transaction():
        return await outbox.enqueue(letters, sender=settings.smtp_from)
