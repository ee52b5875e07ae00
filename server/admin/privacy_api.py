"""Data-protection requests, for admins: export all data about a person, or erase it."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request, get, post
from litestar.params import QueryParameter

from server.admin import audit, privacy
from server.web.auth import CurrentUser, admin_guard
from server.web.base import ApiController

Email = Annotated[
    str,
    QueryParameter(
        min_length=3,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\Z",
        description="The person's e-mail address (as invited)",
    ),
]


class PrivacyController(ApiController):
    path = "/api/v1/privacy"
    guards = [admin_guard]
    tags = ["privacy"]

    @get(
        "/person",
        summary="Everything held about one person (access request), as JSON",
        description=(
            "Finds the person as candidate, as person reviewed and as rater. The export is "
            "recorded in the audit log under a one-way reference to the address."
        ),
    )
    async def export_person(
        self, request: Request[Any, Any, Any], user: CurrentUser, email: Email
    ) -> dict[str, Any]:
        data = await privacy.person_data(email)
        await audit.record(user.id, "exported", privacy.person_ref(email), {"what": "person data"})
        return data

    @post(
        "/person/erase",
        status_code=200,
        summary="Erase one person and all their data (right to erasure)",
        description=(
            "Deletes the person's candidacies with answers, scores and equal-opportunity "
            "answers; their 360 reviews with raters, ratings and plans; their ratings of "
            "others. Stored reliability results are recomputed without them. Irreversible."
        ),
    )
    async def erase_person(
        self, request: Request[Any, Any, Any], user: CurrentUser, email: Email
    ) -> dict[str, Any]:
        erased = await privacy.erase_person(email)
        await audit.record(user.id, "erased", privacy.person_ref(email), erased)
        return {"erased": erased}
