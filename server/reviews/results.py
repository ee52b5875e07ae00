"""A person's 360 results as the API and pages give them: the JSON form and the labels.

The figures come from :mod:`assessments.survey360.forms` (computed once, at release, by
:mod:`server.reviews.releases`); this module shapes them for reading and fetches the
texts a report prints in the reader's language.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from assessments.competency import localized
from assessments.survey360.forms import SubjectResult
from assessments.survey360.instrument import (
    Instrument,
    fill_translations,
    localized_instrument,
)
from assessments.survey360.reliability import AGREEMENT_METHOD
from reports.review360 import Labels
from server.library import repository as library_repo
from server.reviews.repository import instrument_of

__all__ = ["competency_names", "localized_form", "report_dict", "report_labels"]


async def competency_names(keys: Sequence[str], lang: str) -> dict[str, str]:
    """The names of the competencies ``keys`` in ``lang`` (English where untranslated)."""
    comps, _ = await library_repo.list_competencies(limit=500)
    return {c.key: localized(c, lang).name for c in comps if c.key in keys}


async def localized_form(instrument: Instrument, lang: str) -> tuple[Instrument, dict[str, str]]:
    """A cycle's survey in ``lang`` as a rater reads it, and its competency names.

    The survey keeps the texts of the day the cycle opened; a translation written in the
    library since then is shown where the English sentence is still the same
    (:func:`~assessments.survey360.instrument.fill_translations`); English otherwise.
    """
    comps, _ = await library_repo.list_competencies(limit=500)
    used = [c for c in comps if c.key in instrument.competencies]
    names = {c.key: localized(c, lang).name for c in used}
    return localized_instrument(fill_translations(instrument, used), lang), names


def report_dict(result: SubjectResult) -> dict[str, Any]:
    """The JSON form of a person's report: figures per shown group, and their agreement."""
    data = msgspec.to_builtins(result.report)
    shown = {g["name"]: g["n"] for g in data.pop("groups")}
    data["groups"] = {
        name: {
            "n": n,
            "competencies": {
                c["key"]: c["groups"][name] for c in data["competencies"] if name in c["groups"]
            },
        }
        for name, n in shown.items()
    }
    agreement = msgspec.to_builtins(result.agreement)
    data["agreement"] = {"method": AGREEMENT_METHOD, "groups": agreement["groups"]}
    return data


async def report_labels(review_row: Mapping[str, Any], lang: str) -> Labels:
    """Texts a report prints: competency names, statements, questions, required levels."""
    inst, names = await localized_form(instrument_of(review_row), lang)
    role = await library_repo.get_role(review_row["role"])
    return Labels(
        competencies=names,
        statements={s.id: s.text for s in inst.statements},
        questions={q.key: q.text for q in inst.questions},
        required={r.competency: r.required_level for r in role.competencies},
        role=role.translations.get(lang, {}).get("name") or role.name,
    )
