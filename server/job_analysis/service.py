"""The job-analysis study as the facilitator runs it (``job_analysis_service: Studies``):
the steps and what each needs, the figures and proposals, decisions, applying the model
to the library, and the report. Every change is recorded in the audit log.
"""

from __future__ import annotations

from typing import Any

import msgspec

from assessments.errors import Problem
from assessments.job_analysis import (
    InvalidRules,
    Ratings,
    Rules,
    StudyFigures,
    analyse,
)
from reports.markers import N_
from server.admin import audit
from server.core.errors import Conflict, Invalid, NotFound
from server.core.schemas import User
from server.core.vocabulary import StudyStep
from server.job_analysis import model_repository as model
from server.job_analysis import names
from server.job_analysis import repository as repo
from server.job_analysis.apply import apply_study
from server.job_analysis.decided import MIN_SHOWN, Decided, rules_of
from server.job_analysis.repository import StudyRecord
from server.job_analysis.schemas import (
    Applied,
    DecisionIn,
    Draft,
    DraftIn,
    DraftPatch,
    Expert,
    ExpertIn,
    Study,
    StudyPatch,
)
from server.outbox import expert_mail

__all__ = ["ORDER", "StudyService", "sortable"]

ORDER = [StudyStep.CARDS, StudyStep.SORT, StudyStep.RATE, StudyStep.DECIDE, StudyStep.APPLIED]
"""The steps of a study, in order."""


class StudyService:
    """Every action on a study; ``user`` must be allowed to see it (else 404)."""

    async def create(self, name: str, role_id: int, user: User) -> Study:
        ident = await repo.create_study(name, role_id, user.id)
        await audit.record(user.id, "created", f"job_analysis:{ident}", {"name": name})
        return await self.get(ident, user)

    async def get(self, ident: int, user: User, lang: str = "en") -> Study:
        """The study; draft competencies linked to the library in ``lang`` (see names)."""
        study = await repo.get_study(ident, user)
        return await self._out(study, lang)

    async def _out(self, study: StudyRecord, lang: str = "en") -> Study:
        cards = await model.list_cards(study.id)
        return Study(
            id=study.id,
            name=study.name,
            role_id=study.role_id,
            role_key=study.role_key,
            role_name=study.role_name,
            step=study.step,
            rules={k: float(v) for k, v in rules_of(study).as_dict().items()},
            created_at=study.created_at,
            created_by=study.created_by,
            applied_at=study.applied_at,
            library_version=study.library_version,
            experts=await repo.list_experts(study.id),
            cards=len(cards),
            unsorted=sum(1 for c in cards if c.competency_id is None),
            competencies=await _in_language(await model.list_drafts(study.id), lang),
        )

    async def update(self, ident: int, patch: StudyPatch, user: User) -> Study:
        study = await repo.get_study(ident, user)
        if study.step == StudyStep.APPLIED:
            raise Conflict(
                "step: the study is applied; start a new study to change the model",
                problems=[
                    Problem(
                        "step", N_("the study is applied: start a new study to change the model")
                    )
                ],
            )
        if patch.name is not None:
            await repo.rename(ident, patch.name)
        if patch.rules is not None:
            rules = {**study.rules, **{k: v for k, v in _items(patch.rules) if v is not None}}
            try:
                Rules.from_mapping(rules)
            except InvalidRules as err:
                raise Invalid(
                    [Problem(f"rules.{p.path}", p.message) for p in err.problems]
                ) from None
            await repo.set_rules(ident, rules)
        if patch.step is not None and patch.step != study.step:
            await self.move(study, patch.step, user)
        given = {k: v for k, v in msgspec.to_builtins(patch).items() if v is not None}
        await audit.record(user.id, "updated", f"job_analysis:{ident}", given)
        return await self.get(ident, user)

    async def move(self, study: StudyRecord, step: str, user: User) -> None:
        """Go one step on (when what it needs is there) or one step back (before decide)."""
        here, there = ORDER.index(StudyStep(study.step)), ORDER.index(StudyStep(step))
        if step == StudyStep.APPLIED:
            raise Invalid([Problem("step", N_("apply the study to reach this step"))])
        if there == here + 1:
            await self._check_ready(study, StudyStep(step))
        elif there != here - 1:
            raise Invalid(
                [Problem("step", f"from {study.step!r} only the next or the previous step")]
            )
        if study.step == StudyStep.DECIDE and there < here:
            await model.clear_decisions(study.id)
        await repo.move_step(study.id, study.step, step)

    async def _check_ready(self, study: StudyRecord, step: StudyStep) -> None:
        if step == StudyStep.SORT and not await model.list_cards(study.id):
            raise Conflict(
                "step: no expert has written a card yet",
                problems=[Problem("step", N_("no expert has written a card yet"))],
            )
        if step == StudyStep.RATE and not await model.list_drafts(study.id):
            raise Conflict(
                "step: sort the cards into at least one competency first",
                problems=[Problem("step", N_("sort the cards into at least one competency first"))],
            )
        if step == StudyStep.DECIDE:
            drafts = await model.list_drafts(study.id)
            matrix = await model.rating_matrix(study.id, [d.id for d in drafts])
            if matrix.importance.shape[0] == 0:
                raise Conflict(
                    "step: no expert has rated yet",
                    problems=[Problem("step", N_("no expert has rated yet"))],
                )

    # ---- experts -------------------------------------------------------------------

    async def messages(self, ident: int) -> dict[int, list[dict[str, Any]]]:
        """Each expert's e-mail (invitations) as staff may see it, by expert id."""
        return await expert_mail.study_messages(ident)

    async def invite(self, ident: int, data: ExpertIn, user: User) -> Expert:
        study = await repo.get_study(ident, user)
        if study.step in (StudyStep.DECIDE, StudyStep.APPLIED):
            raise Conflict(
                "step: the experts have rated; the study takes no new experts",
                problems=[
                    Problem("step", N_("the experts have rated: the study takes no new experts"))
                ],
            )
        expert = await repo.add_expert(
            ident, name=data.name, email=data.email, kind=data.kind, language=data.language
        )
        await audit.record(
            user.id, "invited", f"job_analysis:{ident}/expert:{expert.id}", {"kind": data.kind}
        )
        return expert

    async def new_link(self, ident: int, expert_id: int, user: User) -> Expert:
        await repo.get_study(ident, user)
        expert = await repo.new_expert_link(ident, expert_id)
        await audit.record(user.id, "new_link", f"job_analysis:{ident}/expert:{expert_id}")
        return expert

    # ---- figures and decisions -------------------------------------------------------

    async def figures(
        self, study: StudyRecord, lang: str = "en"
    ) -> tuple[StudyFigures | None, list[Decided]]:
        """The study's figures over every rating so far, and each draft with its proposal
        (linked drafts named in ``lang``)."""
        drafts = await _in_language(await model.list_drafts(study.id), lang)
        matrix = await model.rating_matrix(study.id, [d.id for d in drafts])
        if not drafts or matrix.importance.shape[0] == 0:
            return None, [Decided(d, None, False) for d in drafts]
        result = analyse(
            Ratings(
                importance=matrix.importance,
                frequency=matrix.frequency,
                day_one=matrix.day_one,
                learnable=matrix.learnable,
                lawshe=matrix.lawshe,
            ),
            rules_of(study),
        )
        decided = [
            Decided(d, f, f.n >= MIN_SHOWN)
            for d, f in zip(drafts, result.competencies, strict=True)
        ]
        return result, decided

    async def decide(self, ident: int, draft_id: int, data: DecisionIn, user: User) -> None:
        study = await _at_decide(ident, user, N_("decisions are taken in the decide step"))
        _, decided = await self.figures(study)
        one = next((d for d in decided if d.draft.id == draft_id), None)
        if one is None:
            raise NotFound.of("competency of this study", draft_id)
        reason = data.reason.strip()
        if (data.select_for, data.develop) != one.proposed and not reason:
            raise Invalid([Problem("reason", N_("say why the decision differs from the proposal"))])
        await model.set_decision(
            ident,
            draft_id,
            select_for=data.select_for,
            develop=data.develop,
            reason=reason,
            user_id=user.id,
        )
        await audit.record(
            user.id,
            "decided",
            f"job_analysis:{ident}/competency:{draft_id}",
            {"select_for": data.select_for, "develop": data.develop, "reason": reason},
        )

    async def accept_all(self, ident: int, user: User) -> int:
        """Accept the proposal of every competency not decided yet; returns how many."""
        study = await _at_decide(ident, user, N_("decisions are taken in the decide step"))
        _, decided = await self.figures(study)
        n = 0
        for d in decided:
            if d.draft.select_for is None or d.draft.develop is None:
                select_for, develop = d.proposed
                await model.set_decision(
                    ident,
                    d.draft.id,
                    select_for=select_for,
                    develop=develop,
                    reason="",
                    user_id=user.id,
                )
                n += 1
        await audit.record(user.id, "decided", f"job_analysis:{ident}", {"accepted": n})
        return n

    async def apply(self, ident: int, user: User) -> Applied:
        study = await _at_decide(ident, user, N_("a study is applied from the decide step"))
        figures, decided = await self.figures(study)
        undecided = [d.draft.name for d in decided if d.draft.select_for is None]
        if undecided or not decided:
            raise Conflict(
                "decisions: decide every competency first",
                problems=[Problem("decisions", N_("decide every competency first"))],
            )
        if not any(d.draft.select_for or d.draft.develop for d in decided):
            raise Conflict(
                "decisions: no competency is select-for or develop",
                problems=[Problem("decisions", N_("no competency is select-for or develop"))],
            )
        # claim the study first: of two requests applying it at once (a double submit),
        # only one writes a library version; the claim is undone if the write fails
        try:
            await repo.move_step(ident, StudyStep.DECIDE, StudyStep.APPLIED)
        except Conflict:
            raise Conflict(
                "step: the study is being applied or was applied by another request",
                problems=[Problem("step", N_("a study is applied from the decide step"))],
            ) from None
        try:
            version = await apply_study(study, figures, decided, user)
        except BaseException:
            await repo.move_step(ident, StudyStep.APPLIED, StudyStep.DECIDE)
            raise
        await repo.mark_applied(ident, version, user.id)
        await audit.record(
            user.id, "applied", f"job_analysis:{ident}", {"library_version": version}
        )
        return Applied(study_id=ident, library_version=version, role_id=study.role_id)

    # ---- sorting ---------------------------------------------------------------------

    async def sort(self, ident: int, moves: list[tuple[int, int | None, str]], user: User) -> None:
        await sortable(ident, user)
        await model.sort_cards(ident, moves)
        await audit.record(user.id, "sorted", f"job_analysis:{ident}", {"cards": len(moves)})

    async def add_draft(self, ident: int, data: DraftIn, user: User) -> Draft:
        await sortable(ident, user)
        draft_id = await model.create_draft(
            ident,
            name=data.name,
            definition=data.definition,
            key=data.key,
            library_key=data.library_key,
        )
        await audit.record(user.id, "created", f"job_analysis:{ident}/competency:{draft_id}")
        return next(d for d in await model.list_drafts(ident) if d.id == draft_id)

    async def edit_draft(self, ident: int, draft_id: int, data: DraftPatch, user: User) -> Draft:
        await sortable(ident, user)
        await model.update_draft(
            ident,
            draft_id,
            name=data.name,
            definition=data.definition,
            library_key=data.library_key,
            unlink=data.unlink,
        )
        await audit.record(user.id, "updated", f"job_analysis:{ident}/competency:{draft_id}")
        return next(d for d in await model.list_drafts(ident) if d.id == draft_id)

    async def delete_draft(self, ident: int, draft_id: int, user: User) -> None:
        await sortable(ident, user)
        await model.delete_draft(ident, draft_id)
        await audit.record(user.id, "deleted", f"job_analysis:{ident}/competency:{draft_id}")

    async def merge(self, ident: int, draft_id: int, into: int, user: User) -> Draft:
        await sortable(ident, user)
        await model.merge_drafts(ident, draft_id, into)
        await audit.record(
            user.id, "merged", f"job_analysis:{ident}/competency:{draft_id}", {"into": into}
        )
        return next(d for d in await model.list_drafts(ident) if d.id == into)


async def _at_decide(ident: int, user: User, refusal: str) -> StudyRecord:
    """The study when it is at the decide step; else 409 with ``refusal``."""
    study = await repo.get_study(ident, user)
    if study.step != StudyStep.DECIDE:
        raise Conflict(
            f"step: {refusal} (the study is at {study.step!r})",
            problems=[Problem("step", refusal)],
        )
    return study


async def _in_language(drafts: list[Draft], lang: str) -> list[Draft]:
    linked = await names.library_competencies((d.library_key for d in drafts), lang)
    out = []
    for d in drafts:
        name, definition = names.shown(d.name, d.definition, d.library_key, lang, linked)
        out.append(msgspec.structs.replace(d, name=name, definition=definition))
    return out


def _items(struct: Any) -> list[tuple[str, Any]]:
    return [(f, getattr(struct, f)) for f in struct.__struct_fields__]


SORTING = (StudyStep.CARDS, StudyStep.SORT)


async def sortable(ident: int, user: User) -> StudyRecord:
    """The study when its cards and groups may change (cards and sort steps), else 409."""
    study = await repo.get_study(ident, user)
    if study.step not in SORTING:
        raise Conflict(
            f"step: cards are sorted before the experts rate (the study is at {study.step!r});"
            " go back to the sort step first",
            problems=[
                Problem(
                    "step",
                    N_("the experts are rating this model: go back to the sort step to change it"),
                )
            ],
        )
    return study
