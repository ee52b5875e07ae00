r"""Submitted 360 forms as arrays, and one person's result from them.

A submitted form is its rater's group and the answers by item id of the
:class:`~assessments.survey360.instrument.Instrument`: ``{"rating": 1..5}`` on a statement
(absent or ``None``: "cannot say"), ``{"comment": text}`` on a comment box or an open
question. :func:`rating_matrix` lays the forms out as raters x statements;
:func:`subject_result` aggregates a person's forms under the anonymity rules
(:func:`~assessments.survey360.aggregation.aggregate_counted`) and computes the agreement
within the groups the report shows
(:func:`~assessments.survey360.reliability.counted_agreement`). Only group-level figures
leave it: no rater's identity or answers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assessments.survey360.aggregation import Report360, aggregate_counted
from assessments.survey360.instrument import Instrument
from assessments.survey360.reliability import SubjectAgreement, counted_agreement

__all__ = ["RatingMatrix", "SubjectResult", "has_rating", "rating_matrix", "subject_result"]

#: One submitted form: the rater's group and the answers by item id.
Form = tuple[str, Mapping[int, Mapping[str, Any]]]


def has_rating(inst: Instrument, answers: Mapping[int, Mapping[str, Any]]) -> bool:
    """Whether a form rates at least one statement ("cannot say" and comments do not).

    A form without a rating adds no view, so it is never counted: counted, it would raise
    its group's size and could help a group of one or two reach the anonymity threshold.
    """
    return any(answers.get(s.id, {}).get("rating") is not None for s in inst.statements)


@dataclass(frozen=True, eq=False)
class RatingMatrix:
    """Forms laid out for aggregation (see :func:`rating_matrix`).

    Attributes
    ----------
    ratings : ndarray, raters x statements
        The rating given, NaN for "cannot say" or no answer.
    groups : tuple of str
        Each rater's group.
    comments : tuple of tuple
        ``(competency or question key, text, group)``, with the release number last when
        the forms come from several releases.
    """

    ratings: np.ndarray
    groups: tuple[str, ...]
    comments: tuple[tuple[Any, ...], ...]


def rating_matrix(
    inst: Instrument, forms: Sequence[Form], batches: Sequence[int] | None = None
) -> RatingMatrix:
    """Raters x statements in the instrument's statement order, groups and comments.

    Parameters
    ----------
    inst : Instrument
    forms : sequence of (group, answers)
    batches : sequence of int, optional
        The release each form belongs to; given, each comment carries it.
    """
    if batches is not None and len(batches) != len(forms):
        raise ValueError(f"batches must hold one release per form ({len(forms)})")
    ids = [s.id for s in inst.statements]
    ratings = np.full((len(forms), len(ids)), np.nan)
    comments: list[tuple[Any, ...]] = []
    keys = {c.id: c.competency for c in inst.comments} | {q.id: q.key for q in inst.questions}
    for r, (group, answers) in enumerate(forms):
        for j, sid in enumerate(ids):
            value = answers.get(sid, {}).get("rating")
            if value is not None:
                ratings[r, j] = value
        for item, key in keys.items():
            text = answers.get(item, {}).get("comment")
            if text:
                comments.append(
                    (key, text, group) if batches is None else (key, text, group, batches[r])
                )
    return RatingMatrix(ratings, tuple(g for g, _ in forms), tuple(comments))


@dataclass(frozen=True)
class SubjectResult:
    """A person's aggregated report and the agreement within its shown groups."""

    report: Report360
    agreement: SubjectAgreement


def subject_result(
    inst: Instrument,
    forms: Sequence[tuple[str, Mapping[int, Mapping[str, Any]], int]],
    threshold: int,
    subject_id: int,
    rng: np.random.Generator,
) -> SubjectResult:
    """The anonymity-safe aggregate of a person's forms: (group, answers, release) each.

    Parameters
    ----------
    inst : Instrument
    forms : sequence of (group, answers, release number)
    threshold : int
        The smallest group shown on its own (rule 1 of the aggregation).
    subject_id : int
        Carried into the agreement result.
    rng : numpy.random.Generator
        Shuffles comments so that their order says nothing about who wrote them.
    """
    batches = [b for *_, b in forms]
    m = rating_matrix(inst, [(g, a) for g, a, _ in forms], batches)
    report, counted = aggregate_counted(
        m.ratings,
        m.groups,
        list(inst.statement_competency),
        inst.reverse,
        threshold=threshold,
        scale=inst.scale,
        statement_ids=[s.id for s in inst.statements],
        comments=[(str(c[0]), str(c[1]), str(c[2]), int(c[3])) for c in m.comments],
        rng=rng,
        batches=batches,
    )
    agreement = counted_agreement(m.ratings, m.groups, report, counted, batches, subject=subject_id)
    return SubjectResult(report, agreement)
