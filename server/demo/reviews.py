"""Demo 360 cycle for ``make run``: three operators rated by every group, one of them with
only two direct reports so that the anonymity threshold visibly suppresses that group.

The cycle is closed and released, as a finished cycle would be, so its reports open."""

from __future__ import annotations

import numpy as np

from server.accounts import repository as accounts
from server.core.db import present
from server.core.vocabulary import ALL_LANGUAGES
from server.demo.hiring import FIRST, LAST
from server.library import repository as library_repo
from server.reviews import releases, releases_repository
from server.reviews import repository as reviews
from server.tables import OutboxMessage, Review, StaffUser

SUBJECTS = (
    (
        "Maria Berg",
        "maria.berg@example.com",
        {"self": 1, "manager": 1, "peer": 4, "direct_report": 3, "customer": 3},
    ),
    (
        "Ivan Petrov",
        "ivan.petrov@example.com",
        {"self": 1, "manager": 1, "peer": 3, "direct_report": 2, "customer": 3},
    ),
    (
        "Sara Lund",
        "sara.lund@example.com",
        {"self": 1, "manager": 1, "peer": 5, "direct_report": 3, "customer": 4},
    ),
)
BIAS = {"self": 0.45, "manager": -0.1, "peer": 0.0, "direct_report": 0.15, "customer": -0.05}
COMMENTS = (
    "Stays calm with difficult callers and explains the options clearly.",
    "Could summarise the customer's problem before jumping to a solution.",
    "Very reliable on follow-ups; customers ask for them by name.",
    "Sometimes rushes the end of the call when the queue is long.",
    "Shares useful product tips with the team.",
    "Start asking for help earlier when a case gets stuck.",
)


async def load(rng: np.random.Generator) -> None:
    """Create the demo cycle once (nothing happens when a review already exists)."""
    if await Review.exists():
        return
    coach = (
        await StaffUser.select().where(StaffUser.role == "coach").order_by(StaffUser.id).first()
        or await StaffUser.select().where(StaffUser.role == "admin").first()
    )
    if coach is None:
        return
    role_id = await library_repo.role_id("cs_operator")
    ident = await reviews.create_review(
        name="Operators, autumn 360",
        role_id=role_id,
        owner_id=coach["id"],
        opens_at=None,
        closes_at=None,
        threshold=3,
        reminder_days=[7, 14],
        add=(),
        drop=(),
        languages=list(ALL_LANGUAGES),
    )
    row = present(await Review.select().where(Review.id == ident).first(), "review", ident)
    inst = reviews.instrument_of(row)
    comps = list(inst.competencies)
    n = 0
    for name, email, groups in SUBJECTS:
        subject = await reviews.add_subject(ident, name, email)
        level = rng.normal(3.6, 0.45, size=len(comps))
        for group, count in groups.items():
            for _ in range(count):
                n += 1
                rater_email = email if group == "self" else f"rater{n}@example.com"
                rater = await reviews.add_rater(
                    ident,
                    subject,
                    # raters are people with names (the cycle page lists them)
                    name=name
                    if group == "self"
                    else f"{FIRST[(n * 7) % len(FIRST)]} {LAST[(n * 11) % len(LAST)]}",
                    email=rater_email,
                    group=group,
                    language="",
                )
                # type-ignore reason: a rater the coach invites always has a link
                session = await reviews.find_rater(rater.link.removeprefix("/rate/"))  # type: ignore[union-attr]
                assert session is not None
                answers: dict[int, dict[str, object]] = {}
                for s in inst.statements:
                    if rng.random() < 0.07:
                        value = None  # cannot say
                    else:
                        true = level[comps.index(s.competency)] + BIAS[group]
                        raw = true if not s.reverse else 6 - true
                        value = int(np.clip(np.rint(raw + rng.normal(0, 0.7)), 1, 5))
                    answers[s.id] = {"rating": value}
                for q in inst.questions:
                    if rng.random() < 0.6:
                        answers[q.id] = {"comment": COMMENTS[int(rng.integers(len(COMMENTS)))]}
                await reviews.record_submitted_form(session, answers)
    await releases_repository.close(ident)
    row = present(await Review.select().where(Review.id == ident).first(), "review", ident)
    await releases.release(row, await accounts.get_user(coach["id"]))
    # simulated people who answered long ago: nothing is e-mailed to them or the coach
    await OutboxMessage.delete().where(OutboxMessage.review == ident)
