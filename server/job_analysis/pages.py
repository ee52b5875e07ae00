"""Staff pages of job-analysis studies (facilitators: admins and coaches).

``/app/job-analyses`` lists the studies and starts one; a study's page invites experts and
moves the steps; ``/sort`` groups the cards into competencies; ``/decide`` shows the figures
and proposals, takes the decisions and applies the model to the library. Every form posts
and redirects (a reload repeats nothing); a refused change shows the page again with the
problem, and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Request, get, post
from litestar.response import Redirect, Template

from assessments.competency import localized, localized_named
from assessments.errors import Problem
from reports.markers import N_
from server.core.errors import DomainError, Invalid, NotFound
from server.core.schemas import User
from server.core.validation import problems
from server.core.vocabulary import LANGUAGES, ExpertKind, StudyStep
from server.job_analysis import model_repository as model
from server.job_analysis import repository as repo
from server.job_analysis.decided import MIN_SHOWN
from server.job_analysis.dependencies import Studies
from server.job_analysis.schemas import (
    DecisionIn,
    DraftIn,
    DraftPatch,
    ExpertIn,
    StudyIn,
    StudyPatch,
)
from server.job_analysis.service import ORDER, StudyService
from server.library import repository as library
from server.web.auth import CurrentUser, page_coaching_guard
from server.web.context import page_context, page_gettext, staff_language
from server.web.errors import status_of
from server.web.params import PathId

T = TypeVar("T")
ALL = 10_000
GUARD = [page_coaching_guard]
STEP_LABELS = {
    StudyStep.CARDS: N_("Cards"),
    StudyStep.SORT: N_("Sort"),
    StudyStep.RATE: N_("Rate the model"),
    StudyStep.DECIDE: N_("Decide"),
    StudyStep.APPLIED: N_("Applied"),
}
KIND_LABELS = {
    ExpertKind.INCUMBENT: N_("Incumbent (does the role well)"),
    ExpertKind.MANAGER: N_("Manager of the role"),
    ExpertKind.TRAINER: N_("Trainer of the role"),
}
WARNINGS = {
    "few_experts": N_("fewer experts than the rules ask for"),
    "low_agreement_importance": N_("the experts disagree on importance (low rwg)"),
    "low_agreement_frequency": N_("the experts disagree on frequency (low rwg)"),
    "cvr_unreachable": N_("too few experts for the CVR to reach significance"),
    "no_ratings": N_("nobody has rated it yet"),
}


def _problems(err: DomainError, t: Callable[[str], str]) -> list[Problem]:
    found = [Problem(p.path, t(p.message)) for p in err.problems]
    return found or [Problem("", t(err.detail))]


def _convert(data: dict[str, Any], cls: type[T]) -> T:
    """``data`` as ``cls``, or Invalid naming every field that is wrong."""
    found = problems(data, cls)
    if found:
        raise Invalid(found)
    return msgspec.convert(data, cls)


async def _act(
    request: Request[Any, Any, Any],
    action: Callable[[], Awaitable[Any]],
    redirect: str,
    again: Callable[[list[Problem], int], Awaitable[Template]],
) -> Any:
    """Run ``action``; redirect to ``redirect`` when it worked, else show ``again`` with why."""
    t = page_gettext(request)
    try:
        await action()
    except DomainError as err:
        if isinstance(err, NotFound):
            raise
        return await again(_problems(err, t), status_of(err))
    return Redirect(path=redirect)


def _form(**fields: Any) -> dict[str, Any]:
    """The form's fields that were filled in."""
    return {k: v for k, v in fields.items() if v is not None and v != ""}


# ---- the list --------------------------------------------------------------------------


async def _studies(
    request: Request[Any, Any, Any],
    user: User,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    lang = staff_language(request)
    items, _ = await repo.list_studies(user, limit=ALL, offset=0, lang=lang)
    roles = [localized_named(r, lang) for r in (await library.list_roles(limit=ALL, offset=0))[0]]
    return Template(
        "job_analysis/list.html",
        context=await page_context(
            request,
            studies=items,
            roles=roles,
            role_names={r.id: r.name for r in roles},
            step_labels=STEP_LABELS,
            errors=errors or [],
        ),
        status_code=status,
        media_type="text/html",  # also when a POST handler (a redirect or this) answers
    )


@get("/app/job-analyses", guards=GUARD, include_in_schema=False)
async def studies_page(request: Request[Any, Any, Any], user: CurrentUser) -> Template:
    return await _studies(request, user)


@post("/app/job-analyses", guards=GUARD, include_in_schema=False)
async def study_create(
    request: Request[Any, Any, Any], user: CurrentUser, job_analysis_service: Studies
) -> Any:
    form = await request.form()
    made: dict[str, int] = {}

    async def action() -> None:
        role = str(form.get("role_id", ""))
        data = _convert(
            {
                "name": str(form.get("name", "")).strip(),
                "role_id": int(role) if role.isdigit() else 0,
            },
            StudyIn,
        )
        made["id"] = (await job_analysis_service.create(data.name, data.role_id, user)).id

    async def again(errors: list[Problem], status: int) -> Template:
        return await _studies(request, user, errors, status)

    result = await _act(request, action, "", again)
    if isinstance(result, Redirect):
        return Redirect(path=f"/app/job-analyses/{made['id']}")
    return result


# ---- one study -------------------------------------------------------------------------


async def _study(
    request: Request[Any, Any, Any],
    service: StudyService,
    user: User,
    ident: int,
    template: str,
    *,
    errors: list[Problem] | None = None,
    status: int = 200,
    **more: Any,
) -> Template:
    study = await repo.get_study(ident, user)
    lang = staff_language(request)
    out = await service.get(ident, user, lang)
    links = await repo.expert_links(ident)
    return Template(
        template,
        context=await page_context(
            request,
            s=out,
            role_name=(study.role_translations.get(lang, {}) or {}).get("name") or study.role_name,
            steps=ORDER,
            step_labels=STEP_LABELS,
            step_index=ORDER.index(StudyStep(out.step)),
            kinds=list(ExpertKind),
            kind_labels=KIND_LABELS,
            languages=LANGUAGES,
            links=links,
            base_url=request.app.state.settings.link_base,
            mail=await service.messages(ident),
            mail_configured=bool(request.app.state.settings.smtp_url),
            errors=errors or [],
            **more,
        ),
        status_code=status,
        media_type="text/html",  # also when a POST handler (a redirect or this) answers
    )


def _here(ident: int, part: str = "") -> str:
    return f"/app/job-analyses/{ident}{part}"


@get("/app/job-analyses/{study_id:int}", guards=GUARD, include_in_schema=False)
async def study_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Template:
    return await _study(request, job_analysis_service, user, study_id, "job_analysis/study.html")


@post("/app/job-analyses/{study_id:int}/experts", guards=GUARD, include_in_schema=False)
async def expert_add(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Any:
    form = await request.form()

    async def action() -> None:
        data = _convert(
            {
                "name": str(form.get("name", "")).strip(),
                "email": str(form.get("email", "")).strip(),
                "kind": str(form.get("kind", "")),
                "language": str(form.get("language", "en")),
            },
            ExpertIn,
        )
        await job_analysis_service.invite(study_id, data, user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _study(
            request,
            job_analysis_service,
            user,
            study_id,
            "job_analysis/study.html",
            errors=errors,
            status=status,
            entered=dict(form),
        )

    return await _act(request, action, _here(study_id, "#experts-h"), again)


@post(
    "/app/job-analyses/{study_id:int}/experts/{expert_id:int}/link",
    guards=GUARD,
    include_in_schema=False,
)
async def expert_new_link(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
    expert_id: PathId,
) -> Any:
    await job_analysis_service.new_link(study_id, expert_id, user)
    return Redirect(path=_here(study_id, f"#expert-{expert_id}"))


@post("/app/job-analyses/{study_id:int}/step", guards=GUARD, include_in_schema=False)
async def study_step(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Any:
    form = await request.form()
    step = str(form.get("step", ""))
    target = {"sort": "/sort", "decide": "/decide"}.get(step, "")

    async def action() -> None:
        await job_analysis_service.update(study_id, _convert({"step": step}, StudyPatch), user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _study(
            request,
            job_analysis_service,
            user,
            study_id,
            "job_analysis/study.html",
            errors=errors,
            status=status,
        )

    return await _act(request, action, _here(study_id, target), again)


# ---- sort ------------------------------------------------------------------------------


async def _sort(
    request: Request[Any, Any, Any],
    service: StudyService,
    user: User,
    ident: int,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    lang = staff_language(request)
    study = await repo.get_study(ident, user)
    library_items = [
        localized(c, lang) for c in (await library.list_competencies(limit=ALL, offset=0))[0]
    ]
    role_keys = {r.competency for r in (await library.get_role(study.role_id)).competencies}
    return await _study(
        request,
        service,
        user,
        ident,
        "job_analysis/sort.html",
        errors=errors,
        status=status,
        cards=await model.list_cards(ident),
        library_items=sorted(library_items, key=lambda c: (c.key not in role_keys, c.name)),
        library_names={c.key: c.name for c in library_items},
        role_keys=role_keys,
    )


@get("/app/job-analyses/{study_id:int}/sort", guards=GUARD, include_in_schema=False)
async def sort_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Template:
    return await _sort(request, job_analysis_service, user, study_id)


@post("/app/job-analyses/{study_id:int}/sort", guards=GUARD, include_in_schema=False)
async def sort_save(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Any:
    form = await request.form()
    moves: list[tuple[int, int | None, str]] = []
    for name in form:
        if not name.startswith("group-"):
            continue
        card = name.removeprefix("group-")
        group = str(form.get(name, ""))
        polarity = str(form.get(f"polarity-{card}", "present"))
        if not card.isdigit() or (group and not group.isdigit()):
            continue
        moves.append(
            (
                int(card),
                int(group) if group else None,
                "absent" if polarity == "absent" else "present",
            )
        )

    async def action() -> None:
        await job_analysis_service.sort(study_id, moves, user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _sort(request, job_analysis_service, user, study_id, errors, status)

    return await _act(request, action, _here(study_id, "/sort#cards-h"), again)


@post("/app/job-analyses/{study_id:int}/groups", guards=GUARD, include_in_schema=False)
async def group_create(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Any:
    form = await request.form()

    async def action() -> None:
        data = _convert(
            _form(
                name=str(form.get("name", "")).strip(),
                definition=str(form.get("definition", "")).strip(),
                library_key=str(form.get("library_key", "")) or None,
            ),
            DraftIn,
        )
        await job_analysis_service.add_draft(study_id, data, user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _sort(request, job_analysis_service, user, study_id, errors, status)

    return await _act(request, action, _here(study_id, "/sort#groups-h"), again)


@post(
    "/app/job-analyses/{study_id:int}/groups/{group_id:int}", guards=GUARD, include_in_schema=False
)
async def group_edit(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
    group_id: PathId,
) -> Any:
    form = await request.form()
    do = str(form.get("do", "save"))

    async def action() -> None:
        if do == "delete":
            await job_analysis_service.delete_draft(study_id, group_id, user)
        elif do == "merge":
            into = str(form.get("into", ""))
            await job_analysis_service.merge(
                study_id, group_id, int(into) if into.isdigit() else 0, user
            )
        else:
            library_key = str(form.get("library_key", ""))
            data = _convert(
                {
                    "name": str(form.get("name", "")).strip(),
                    "definition": str(form.get("definition", "")).strip(),
                    **({"library_key": library_key} if library_key else {"unlink": True}),
                },
                DraftPatch,
            )
            await job_analysis_service.edit_draft(study_id, group_id, data, user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _sort(request, job_analysis_service, user, study_id, errors, status)

    anchor = "#groups-h" if do in ("delete", "merge") else f"#group-{group_id}"
    return await _act(request, action, _here(study_id, "/sort" + anchor), again)


# ---- decide ----------------------------------------------------------------------------


async def _decide(
    request: Request[Any, Any, Any],
    service: StudyService,
    user: User,
    ident: int,
    errors: list[Problem] | None = None,
    status: int = 200,
) -> Template:
    study = await repo.get_study(ident, user)
    figures, decided = await service.figures(study, staff_language(request))
    return await _study(
        request,
        service,
        user,
        ident,
        "job_analysis/decide.html",
        errors=errors,
        status=status,
        figures=figures,
        decided=decided,
        min_shown=MIN_SHOWN,
        warnings=WARNINGS,
    )


@get("/app/job-analyses/{study_id:int}/decide", guards=GUARD, include_in_schema=False)
async def decide_page(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Template:
    return await _decide(request, job_analysis_service, user, study_id)


@post(
    "/app/job-analyses/{study_id:int}/decisions/{group_id:int}",
    guards=GUARD,
    include_in_schema=False,
)
async def decision_save(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
    group_id: PathId,
) -> Any:
    form = await request.form()

    async def action() -> None:
        data = _convert(
            {
                "select_for": form.get("select_for") == "1",
                "develop": form.get("develop") == "1",
                "reason": str(form.get("reason", "")).strip(),
            },
            DecisionIn,
        )
        await job_analysis_service.decide(study_id, group_id, data, user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _decide(request, job_analysis_service, user, study_id, errors, status)

    return await _act(request, action, _here(study_id, f"/decide#c-{group_id}"), again)


@post("/app/job-analyses/{study_id:int}/accept", guards=GUARD, include_in_schema=False)
async def accept_all(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Any:
    async def action() -> None:
        await job_analysis_service.accept_all(study_id, user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _decide(request, job_analysis_service, user, study_id, errors, status)

    return await _act(request, action, _here(study_id, "/decide#apply-h"), again)


@post("/app/job-analyses/{study_id:int}/rules", guards=GUARD, include_in_schema=False)
async def rules_save(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Any:
    form = await request.form()

    def number(name: str) -> float | None:
        text = str(form.get(name, "")).strip().replace(",", ".")
        try:
            return float(text) if text else None
        except ValueError:
            return float("nan")

    async def action() -> None:
        values = {
            name: number(name)
            for name in (
                "alpha",
                "day_one_share",
                "learnable_below",
                "develop_importance",
                "develop_learnable",
                "low_rwg",
            )
        }
        experts = number("min_experts")
        rules = {k: v for k, v in values.items() if v is not None}
        if experts is not None:
            rules["min_experts"] = int(experts) if experts == experts else -1
        await job_analysis_service.update(study_id, _convert({"rules": rules}, StudyPatch), user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _decide(request, job_analysis_service, user, study_id, errors, status)

    return await _act(request, action, _here(study_id, "/decide#rules-h"), again)


@post("/app/job-analyses/{study_id:int}/apply", guards=GUARD, include_in_schema=False)
async def apply_study(
    request: Request[Any, Any, Any],
    user: CurrentUser,
    job_analysis_service: Studies,
    study_id: PathId,
) -> Any:
    async def action() -> None:
        await job_analysis_service.apply(study_id, user)

    async def again(errors: list[Problem], status: int) -> Template:
        return await _decide(request, job_analysis_service, user, study_id, errors, status)

    return await _act(request, action, _here(study_id), again)


JOB_ANALYSIS_PAGE_HANDLERS = [
    studies_page,
    study_create,
    study_page,
    expert_add,
    expert_new_link,
    study_step,
    sort_page,
    sort_save,
    group_create,
    group_edit,
    decide_page,
    decision_save,
    accept_all,
    rules_save,
    apply_study,
]
