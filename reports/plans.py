"""Development plans (IDP) and onboarding plans as HTML (and PDF through reports.pdf)."""

from __future__ import annotations

import gettext

from assessments.development import DevelopmentPlan, OnboardingPlan
from reports.charts import bar_chart
from reports.environment import report_environment


def idp_html(
    plan: DevelopmentPlan,
    *,
    person: str,
    cycle: str,
    version: int,
    saved: str | None,
    translations: gettext.NullTranslations | None = None,
) -> str:
    """The plan as a printable page: priorities on a timeline, strengths, manager notes."""
    env = report_environment(translations)
    _ = (translations or gettext.NullTranslations()).gettext
    chart = None
    if plan.priorities:
        chart = bar_chart(
            [p.name for p in plan.priorities],
            [
                (_("Others"), [p.others_mean for p in plan.priorities]),
                (_("Self"), [p.self_mean for p in plan.priorities]),
            ],
            scale=(1, 5),
            markers=[p.required_level for p in plan.priorities],
            marker_label=_("Required level"),
            title=_("Priorities: ratings against the required level"),
            description=_(
                "For each priority, how others and the person rated it on the 1-5 scale; "
                "the dark tick is the level the role requires."
            ),
            ident="idp",
        )
    return env.get_template("idp.html").render(
        plan=plan,
        person=person,
        cycle=cycle,
        version=version,
        saved=saved,
        chart=chart,
        lang=plan.lang,
    )


def onboarding_html(
    plan: OnboardingPlan,
    *,
    person: str,
    vacancy: str,
    scores: dict[str, float],
    names: dict[str, str],
    translations: gettext.NullTranslations | None = None,
) -> str:
    """The onboarding plan of a hired candidate: where to start and the first module."""
    env = report_environment(translations)
    _ = (translations or gettext.NullTranslations()).gettext
    keys = list(scores)
    chart = (
        bar_chart(
            [names.get(k, k) for k in keys],
            [(_("SJT score"), [scores[k] for k in keys])],
            scale=(0, 100),
            title=_("Situational judgement test profile"),
            description=_("The candidate's score per select-for competency on the 0-100 scale."),
            ident="onboarding",
        )
        if keys
        else None
    )
    return env.get_template("onboarding.html").render(
        plan=plan, person=person, vacancy=vacancy, chart=chart, lang=plan.lang
    )
