r"""A candidate's SJT profile read against the role, and interview questions for the gaps.

The SJT scores each select-for competency on 0-100; a role asks for a level from 1 to 5.
This module puts both on one scale, reads every competency as a strength, in line with
the requirement, or a risk, picks the weakest competencies, and turns their behavioural
indicators into behavioural interview questions.

Rules (the reports print them)
------------------------------
* **Required level on the 0-100 scale** (:func:`level_mark`): the levels 1-5 are spread
  evenly over the score scale, as a percent of the maximum possible (POMP, Cohen et al.
  1999): :math:`mark = 100 \cdot (level - 1) / 4`, so level 1 = 0, 2 = 25, 3 = 50,
  4 = 75, 5 = 100. One level is 25 points.
* **Strength / risk** (:func:`read_profile`): with :math:`gap = score - mark`, a
  competency is a *strength* when :math:`gap \ge` :data:`MARGIN` (half a level, 12.5
  points), a *risk* when :math:`gap < -` :data:`MARGIN`, and *in line* with the
  requirement otherwise; *not scored* when the candidate answered none of its items.
* **Weakest competencies** (:func:`weakest`): scored competencies ordered by gap (lowest
  first; then lower score, then key); as many as fall below their mark, but at least
  :data:`MIN_WEAKEST` and at most :data:`MAX_WEAKEST`.
* **Questions** (:func:`interview_questions`): per competency, indicators are taken
  alternately from the observed-behaviour list (``present``) and the warning-sign list
  (``absent``), in library order, up to ``per_competency``. A ``present`` indicator gives a
  "tell me about a time" question about showing it; an ``absent`` one asks about a moment
  the candidate felt pulled towards the warning sign and what they did instead (Janz's
  behaviour description interview: past behaviour, situation-action-result probes).

References
----------
Cohen, P., Cohen, J., Aiken, L. S., & West, S. G. (1999). The problem of units and the
circumstance for POMP. *Multivariate Behavioral Research*, 34(3), 315-346.
doi:10.1207/S15327906MBR3403_2
Janz, T. (1982). Initial comparisons of patterned behavior description interviews versus
unstructured interviews. *Journal of Applied Psychology*, 67(5), 577-580.
doi:10.1037/0021-9010.67.5.577
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from assessments.competency import MAX_LEVEL, MIN_LEVEL, Competency, Indicator

__all__ = [
    "MARGIN",
    "MAX_WEAKEST",
    "MIN_WEAKEST",
    "CompetencyReading",
    "InterviewQuestion",
    "QuestionTemplates",
    "interview_questions",
    "level_mark",
    "read_profile",
    "weakest",
]

MARGIN = 12.5
MIN_WEAKEST = 2
MAX_WEAKEST = 3

ReadingKind = Literal["strength", "in_line", "risk", "not_scored"]


def level_mark(level: float | np.ndarray) -> float | np.ndarray:
    r"""A required level (1-5) on the 0-100 score scale: :math:`100 (level - 1) / 4`.

    Parameters
    ----------
    level : float or ndarray
        Required level(s), each in [1, 5].

    Returns
    -------
    float or ndarray
        The mark(s): level 1 = 0, 3 = 50, 4 = 75, 5 = 100.

    Raises
    ------
    ValueError
        If a level is outside 1-5 or not finite.
    """
    lv = np.asarray(level, dtype=float)
    if not np.isfinite(lv).all() or (lv < MIN_LEVEL).any() or (lv > MAX_LEVEL).any():
        raise ValueError(f"required levels must be within {MIN_LEVEL}-{MAX_LEVEL}, got {level!r}")
    out = 100.0 * (lv - MIN_LEVEL) / (MAX_LEVEL - MIN_LEVEL)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class CompetencyReading:
    """One competency of a candidate's profile against the role's requirement.

    Attributes
    ----------
    competency : str
        Competency key.
    score : float or None
        The candidate's 0-100 score; None when no item of it was answered.
    required_level : int
        The role's required level (1-5).
    mark : float
        The required level on the 0-100 scale (:func:`level_mark`).
    gap : float or None
        ``score - mark``; None when not scored.
    reading : {"strength", "in_line", "risk", "not_scored"}
    """

    competency: str
    score: float | None
    required_level: int
    mark: float
    gap: float | None
    reading: ReadingKind


def read_profile(
    scores: Mapping[str, float | None],
    required_levels: Mapping[str, int],
    *,
    margin: float = MARGIN,
) -> tuple[CompetencyReading, ...]:
    """Read each competency of ``required_levels`` as strength, in line, risk or not scored.

    Parameters
    ----------
    scores : Mapping[str, float or None]
        The candidate's 0-100 score per competency key (None or NaN: not scored; a
        competency missing from ``scores`` is not scored either).
    required_levels : Mapping[str, int]
        The role's required level (1-5) per competency, in the order to report.
    margin : float
        Points above (below) the mark from which a competency is a strength (risk).

    Returns
    -------
    tuple of CompetencyReading
        In the order of ``required_levels``.

    Raises
    ------
    ValueError
        If ``margin`` is negative, a score lies outside 0-100 or a level outside 1-5.
    """
    if not np.isfinite(margin) or margin < 0:
        raise ValueError(f"margin must be a number >= 0, got {margin!r}")
    keys = list(required_levels)
    levels = np.array([required_levels[k] for k in keys], dtype=float)
    marks = np.asarray(level_mark(levels), dtype=float).reshape(len(keys))
    raw = [scores.get(k) for k in keys]
    s = np.array([np.nan if v is None else v for v in raw], dtype=float)
    if np.isinf(s).any() or (s < 0).any() or (s > 100).any():
        raise ValueError("scores must lie within 0-100 (or be None/NaN when not scored)")
    gap = s - marks
    with np.errstate(invalid="ignore"):
        kind = np.where(
            np.isnan(gap),
            "not_scored",
            np.where(gap >= margin, "strength", np.where(gap < -margin, "risk", "in_line")),
        )
    return tuple(
        CompetencyReading(
            competency=k,
            score=None if np.isnan(s[i]) else float(s[i]),
            required_level=int(levels[i]),
            mark=float(marks[i]),
            gap=None if np.isnan(gap[i]) else float(gap[i]),
            reading=str(kind[i]),  # type: ignore[arg-type]
        )
        for i, k in enumerate(keys)
    )


def weakest(
    readings: Sequence[CompetencyReading],
    *,
    least: int = MIN_WEAKEST,
    most: int = MAX_WEAKEST,
) -> tuple[CompetencyReading, ...]:
    """The weakest scored competencies: those below their mark, ``least`` to ``most`` of them.

    Ordered by gap (lowest first), then by score, then by key, so the result does not
    depend on the input order.

    Raises
    ------
    ValueError
        If ``least`` > ``most`` or either is negative.
    """
    if least < 0 or most < least:
        raise ValueError(f"need 0 <= least <= most, got least={least}, most={most}")
    scored = sorted(
        (r for r in readings if r.gap is not None),
        key=lambda r: (r.gap, r.score, r.competency),
    )
    below = sum(1 for r in scored if r.gap is not None and r.gap < 0)
    return tuple(scored[: min(max(below, least), most)])


@dataclass(frozen=True)
class QuestionTemplates:
    """Question wordings with a ``%(indicator)s`` placeholder (pass translated ones)."""

    present: str = (
        "Tell me about a time when your work showed this: “%(indicator)s”. What was the "
        "situation, what did you do, and what happened next?"
    )
    absent: str = (
        "Some people in this job end up doing this: “%(indicator)s”. Tell me about a time "
        "when you felt pulled that way. What did you do instead?"
    )


@dataclass(frozen=True)
class InterviewQuestion:
    """A behavioural interview question built from one indicator of a competency.

    Attributes
    ----------
    competency : str
        Competency key.
    indicator : str
        The indicator's text (what to listen for: a ``present`` behaviour is what a good
        answer shows; an ``absent`` one is the warning sign).
    polarity : {"present", "absent"}
    question : str
        The question to ask.
    """

    competency: str
    indicator: str
    polarity: Literal["present", "absent"]
    question: str


def _pick(indicators: Sequence[Indicator], n: int) -> list[Indicator]:
    present = [i for i in indicators if i.polarity == "present"]
    absent = [i for i in indicators if i.polarity == "absent"]
    out: list[Indicator] = []
    for a, b in zip(present, absent, strict=False):
        out += [a, b]
    longer = present if len(present) > len(absent) else absent
    out += longer[min(len(present), len(absent)) :]
    return out[:n]


def interview_questions(
    competencies: Sequence[Competency],
    *,
    per_competency: int = 2,
    templates: QuestionTemplates | None = None,
) -> tuple[InterviewQuestion, ...]:
    """Interview questions from the behavioural indicators of ``competencies``.

    Parameters
    ----------
    competencies : sequence of Competency
        The competencies to probe (e.g. the :func:`weakest`), already in the language of
        the questions (see :func:`assessments.competency.localized`).
    per_competency : int
        Indicators used per competency, alternating observed behaviours and warning signs.
    templates : QuestionTemplates, optional
        The wordings (English by default); each has a ``%(indicator)s`` placeholder.

    Returns
    -------
    tuple of InterviewQuestion
        Competency by competency, in the given order; none for a competency without
        indicators.
    """
    if per_competency < 1:
        raise ValueError(f"per_competency must be at least 1, got {per_competency}")
    t = templates or QuestionTemplates()
    out = []
    for c in competencies:
        for ind in _pick(c.indicators, per_competency):
            text = ind.text.strip().rstrip(".")
            wording = t.present if ind.polarity == "present" else t.absent
            out.append(
                InterviewQuestion(
                    competency=c.key,
                    indicator=ind.text.strip(),
                    polarity=ind.polarity,
                    question=wording % {"indicator": text},
                )
            )
    return tuple(out)
