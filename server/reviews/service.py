"""The 360 slice's orchestration as controllers receive it by dependency injection
(``review_service`` in a handler's parameters): closing, reopening and releasing a cycle
(:mod:`server.reviews.releases`) and reading its frozen results
(:mod:`server.reviews.results`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from server.admin import audit
from server.core.schemas import User
from server.reviews import messages, releases, releases_repository, results
from server.reviews.schemas import Release

__all__ = ["ReviewService"]


class ReviewService:
    """Releases and released results of 360 cycles. Closing, reopening and releasing
    are recorded in the audit log, whichever page or API call asked for them."""

    async def close(self, review_id: int, user: User) -> None:
        await releases_repository.close(review_id)
        await audit.record(user.id, "closed", f"review:{review_id}")

    async def reopen(self, review_id: int, closes_at: datetime, user: User) -> None:
        await releases.reopen(review_id, closes_at)
        await audit.record(user.id, "reopened", f"review:{review_id}")

    async def release(self, row: Mapping[str, Any], user: User) -> Release:
        made = await releases.release(row, user)
        await audit.record(user.id, "released", f"review:{row['id']}/release:{made.number}")
        return made

    waiting = staticmethod(releases_repository.waiting)
    messages = staticmethod(messages.cycle_mail)
    list_releases = staticmethod(releases.list_releases)
    released_subject = staticmethod(releases.released_subject)
    released_reliability = staticmethod(releases.released_reliability)
    report_dict = staticmethod(results.report_dict)
    report_labels = staticmethod(results.report_labels)
    competency_names = staticmethod(results.competency_names)
