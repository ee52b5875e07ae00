"""A vacancy's ranked report as a document (no HTTP): the data gathered into the report's
view model, and the names the reports print in the reader's language.

Used by the report routes (``server.hiring.api``) and by the background job that prints a
large vacancy's PDF (``server.jobs.kinds``).
"""

from __future__ import annotations

from dataclasses import replace

from assessments.competency import Competency as DomainCompetency
from assessments.competency import Role as DomainRole
from assessments.competency import localized, localized_named
from reports import hiring
from server.core.db import utcnow
from server.hiring import ranking as ranking_steps
from server.library import repository as library_repo
from server.library.convert import to_domain
from server.respondent import repository as responses
from server.sjt.schemas import MONITORING_QUESTIONS, Campaign
from server.web.catalogues import translations

__all__ = ["columns", "ranked_report", "render", "required", "role_name", "select_for"]


async def select_for(campaign: Campaign, lang: str) -> list[DomainCompetency]:
    """The role's select-for competencies (the ranking's columns), in ``lang``."""
    found, _ = await library_repo.list_competencies(
        role=str(campaign.role_id), flag="select_for", limit=500
    )
    return [localized(to_domain(c, DomainCompetency), lang) for c in found]


async def columns(campaign: Campaign, lang: str) -> list[hiring.Column]:
    return hiring.columns([(c.key, c.name) for c in await select_for(campaign, lang)])


async def _role(campaign: Campaign, lang: str) -> DomainRole:
    role = to_domain(await library_repo.get_role(campaign.role_id), DomainRole)
    return localized_named(role, lang)


async def required(campaign: Campaign, lang: str) -> list[tuple[DomainCompetency, int]]:
    """The select-for competencies with the role's required level of each."""
    levels = {r.competency: r.required_level for r in (await _role(campaign, lang)).competencies}
    return [(c, levels.get(c.key, 3)) for c in await select_for(campaign, lang)]


async def role_name(campaign: Campaign, lang: str) -> str:
    return (await _role(campaign, lang)).name


async def ranked_report(campaign: Campaign, lang: str) -> hiring.HiringReport:
    """The ranked report's view model: ranking, bands, reliability, fairness in aggregate."""
    result, forms = await ranking_steps.ranking_and_analysis(campaign)
    scored = [r.candidate_id for r in result.ranked if r.score is not None]
    return hiring.hiring_report(
        campaign_id=campaign.id,
        name=campaign.name,
        role=await role_name(campaign, lang),
        invited=campaign.counts.invited,
        started=campaign.counts.started,
        ranking=result,
        columns=await columns(campaign, lang),
        forms=forms,
        monitoring=await responses.monitoring_answers(scored),
        labels=MONITORING_QUESTIONS,
        now=utcnow(),
        lang=lang,
        t=translations(lang),
    )


def render(view: hiring.HiringReport, lang: str, *, for_print: bool) -> str:
    """The report as a standalone HTML document (``for_print``: the PDF's layout)."""
    return hiring.render_hiring(
        replace(view, for_print=for_print) if for_print else view, translations(lang)
    )
