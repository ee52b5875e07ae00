"""The demo's finished job-analysis study of the customer-service operator.

Nine simulated experts (five operators who do the role well, two team leads, two trainers,
in four languages) write cards, mostly picked from the library's behaviours, plus a few of
their own; the facilitator sorts them into the role's competencies; the experts rate them.
Eight agree with the library's view of each competency (select-for ones essential, needed
on day one, not learnable in the first months; develop ones important and learnable) with
some spread; one answers at random (the one who does not agree). The facilitator accepts the
proposals, overrides two to both flags with a reason (the mentor still develops stress
resistance and tolerance after hiring: DOMAIN.md §2), and applies the study, so that the
role's flags in the library, and the SJT and the 360 built from them, carry its evidence.

Everything goes through the same services as the pages (no row is written by hand).
"""

from __future__ import annotations

import numpy as np

from assessments.competency import localized
from server.accounts import repository as accounts
from server.core.schemas import User
from server.job_analysis import expert_repository, expert_service
from server.job_analysis import repository as studies
from server.job_analysis.expert_schemas import CardIn, RatingIn
from server.job_analysis.schemas import DecisionIn, DraftIn, ExpertIn, StudyPatch
from server.job_analysis.service import StudyService
from server.library import repository as library
from server.tables import JobAnalysis, StaffUser

__all__ = ["load"]

ROLE = "cs_operator"
NAME = "Operator workshop"
EXPERTS = (
    ("Aino Virtanen", "incumbent", "sv"),
    ("Bjørn Haugen", "incumbent", "nb"),
    ("Clara Svensson", "incumbent", "sv"),
    ("Dmitri Orlov", "incumbent", "ru"),
    ("Emma Brown", "incumbent", "en"),
    ("Fredrik Lund", "manager", "nb"),
    ("Grace Okafor", "manager", "en"),
    ("Hanna Berg", "trainer", "sv"),
    ("Igor Petrov", "trainer", "ru"),  # answers at random: the one who does not agree
)
OWN_CARDS = (
    (0, "Keeps the same friendly tone with the tenth angry caller of the day", "tolerance"),
    (4, "Explains a bill in words the customer uses", "communication"),
    (5, "Closes each case the same day or says when it will be closed", "results_orientation"),
    (7, "Knows where to find the answer in the knowledge base within seconds", "product_knowledge"),
)
BOTH = {"stress_resistance", "tolerance"}
BOTH_REASON = (
    "Screened at hiring, and the mentor still develops it after hiring: a calm "
    "atmosphere, informal talks, real stories of coping."
)


def _answers(rng: np.random.Generator, select_for: bool, dissent: bool) -> RatingIn:
    if dissent:
        yes = rng.random(2) < 0.5
        return RatingIn(
            importance=int(rng.integers(1, 6)),
            frequency=int(rng.integers(1, 6)),
            day_one=bool(yes[0]),
            learnable=bool(yes[1]),
            lawshe=str(rng.choice(["essential", "useful", "not_necessary"])),
        )
    if select_for:
        return RatingIn(
            importance=int(rng.choice([4, 5, 5])),
            frequency=int(rng.choice([4, 5, 5])),
            day_one=bool(rng.random() < 0.92),
            learnable=bool(rng.random() < 0.05),
            lawshe="essential",
        )
    return RatingIn(
        importance=int(rng.choice([3, 4, 4, 5])),
        frequency=int(rng.choice([3, 4, 4, 5])),
        day_one=bool(rng.random() < 0.15),
        learnable=bool(rng.random() < 0.92),
        lawshe=str(rng.choice(["useful", "useful", "essential"])),
    )


async def _facilitator() -> User | None:
    row = (
        await StaffUser.select(StaffUser.id)
        .where(StaffUser.role == "coach")
        .order_by(StaffUser.id)
        .first()
        or await StaffUser.select(StaffUser.id).where(StaffUser.role == "admin").first()
    )
    return await accounts.get_user(row["id"]) if row else None


async def load(rng: np.random.Generator) -> int | None:
    """Run the demo study once; returns its id (None when a study exists or nobody can
    facilitate)."""
    if await JobAnalysis.exists():
        return None
    user = await _facilitator()
    if user is None:
        return None
    service = StudyService()
    role = await library.get_role(await library.role_id(ROLE))
    keys = [r.competency for r in role.competencies]
    competencies = {c.key: c for c in (await library.list_competencies(role=ROLE, limit=100))[0]}
    study = await service.create(NAME, int(role.id or 0), user)
    links = []
    for i, (name, kind, lang) in enumerate(EXPERTS):
        data = ExpertIn(name=name, email=f"expert{i + 1}@example.com", kind=kind, language=lang)  # type: ignore[arg-type]
        expert = await service.invite(study.id, data, user)
        link = await expert_repository.expert_by_id(expert.id)
        assert link is not None
        links.append((link, lang))

    # cards: each expert picks behaviours of the role's competencies, and some write their own
    card_group: dict[int, str] = {}
    for i, (link, lang) in enumerate(links):
        for key in keys:
            behaviours = [b for b in competencies[key].indicators if b.polarity == "present"]
            if not behaviours or rng.random() < 0.4:
                continue
            pick = behaviours[int(rng.integers(len(behaviours)))]
            saved = await expert_service.add_card(link, CardIn(source=f"{key}/{pick.key}"), lang)
            card_group[saved.card.id] = key
        for who, text, key in OWN_CARDS:
            if who == i:
                saved = await expert_service.add_card(link, CardIn(text=text), lang)
                card_group[saved.card.id] = key
        await expert_service.finish_cards(link)
    await service.update(study.id, StudyPatch(step="sort"), user)

    # sort: one group per competency the cards describe, linked to the library's
    drafts: dict[str, int] = {}
    for key in keys:
        c = localized(competencies[key], "en")
        draft = await service.add_draft(
            study.id, DraftIn(name=c.name, definition=c.definition, library_key=key), user
        )
        drafts[key] = draft.id
    moves: list[tuple[int, int | None, str]] = [
        (card, drafts[key], "present") for card, key in card_group.items()
    ]
    await service.sort(study.id, moves, user)
    await service.update(study.id, StudyPatch(step="rate"), user)

    # ratings: eight experts share the library's view, the last answers at random
    for i, (link, _lang) in enumerate(links):
        dissent = i == len(links) - 1
        for key in keys:
            answers = _answers(rng, competencies[key].select_for, dissent)
            await expert_service.save_rating(link, drafts[key], answers)
        await expert_service.finish_ratings(link)
    await service.update(study.id, StudyPatch(step="decide"), user)

    # decide: accept the proposals, and both flags where the mentor develops after hiring
    await service.accept_all(study.id, user)
    _, decided = await service.figures(await studies.get_study(study.id, user))
    for one in decided:
        key = next(k for k, v in drafts.items() if v == one.draft.id)
        if key in BOTH and one.proposed[0]:
            await service.decide(
                study.id,
                one.draft.id,
                DecisionIn(select_for=True, develop=True, reason=BOTH_REASON),
                user,
            )
    await service.apply(study.id, user)
    return study.id
