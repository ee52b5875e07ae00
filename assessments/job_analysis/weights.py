"""What a job analysis writes into the role: relative weights and required levels."""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["required_level", "weights_from_criticality"]

_MIN_WEIGHT = 0.01  # rounding never turns a positive weight into 0


def _unknown(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def weights_from_criticality(criticality: Sequence[float | None]) -> tuple[float, ...]:
    r"""Relative weights of a role's competencies from their criticality.

    .. math:: w_i = \mathrm{round}\left(c_i / \bar c,\ 2\right)

    with :math:`\bar c` the mean of the known criticalities (importance x frequency,
    1..25; see :class:`~assessments.job_analysis.CompetencyFigures`), so the known weights
    average about 1 and a competency twice as critical as the average weighs about 2.
    An unknown criticality (None or NaN: nobody rated the competency) gets 1.0; when none
    is known, every weight is 1.0. A positive weight is never rounded below 0.01.

    Raises
    ------
    ValueError
        Naming ``criticality[i]`` when a value is not a positive finite number.
    """
    known: list[float] = []
    for i, value in enumerate(criticality):
        if _unknown(value):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"criticality[{i}] must be a number or None, got {value!r}")
        if not (math.isfinite(value) and value > 0):
            raise ValueError(f"criticality[{i}] must be a positive number, got {value!r}")
        known.append(float(value))
    if not known:
        return tuple(1.0 for _ in criticality)
    mean = math.fsum(known) / len(known)
    return tuple(
        1.0 if _unknown(c) else max(_MIN_WEIGHT, round(float(c) / mean, 2))  # type: ignore[arg-type]
        for c in criticality
    )


def required_level(importance_mean: float | None) -> int:
    """The required level (1-5) a study proposes: the mean importance, rounded.

    Rounded half up (3.5 gives 4) and clipped to 1..5; 3, the middle of the scale, when
    nobody rated importance (None or NaN). It is a starting point: the facilitator can
    change it in the role editor after the study is applied.

    Raises
    ------
    ValueError
        Naming ``importance_mean`` when it is not a finite number (or None).
    """
    if _unknown(importance_mean):
        return 3
    if isinstance(importance_mean, bool) or not isinstance(importance_mean, int | float):
        raise ValueError(f"importance_mean must be a number or None, got {importance_mean!r}")
    if not math.isfinite(importance_mean):
        raise ValueError(f"importance_mean must be finite, got {importance_mean!r}")
    return int(min(5, max(1, math.floor(float(importance_mean) + 0.5))))
