r"""Adverse impact of a selection decision: four-fifths rule, z test and Fisher's exact test.

:func:`adverse_impact` compares the selection rate of every group with the rate of the
group selected most often (the reference group), as the Uniform Guidelines on Employee
Selection Procedures ask, and adds two significance tests of each group against the
reference, because the four-fifths ratio alone is unstable in small groups.

The four-fifths comparison is made on exact integers (5 s_g n_ref < 4 s_ref n_g), so a
ratio of exactly 0.80 is never flagged through floating-point error.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from scipy import special

__all__ = ["AdverseImpact", "GroupImpact", "adverse_impact"]

FOUR_FIFTHS_NUM = 4
FOUR_FIFTHS_DEN = 5
MIN_CELL = 5
MIN_TOTAL = 30


def _json_float(v: float | None) -> float | None:
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


@dataclass(frozen=True)
class GroupImpact:
    """Selection statistics of one group.

    Attributes
    ----------
    n : int
        Number of candidates in the group.
    selected : int
        Number selected.
    rate : float
        Selection rate ``selected / n``.
    impact_ratio : float
        ``rate / reference rate``; NaN when nobody at all was selected.
    flag : bool
        True when the impact ratio is below 0.80 (four-fifths rule). Exactly 0.80 is not
        flagged. Never True when nobody was selected.
    z : float or None
        Pooled two-proportion z of this group against the reference (negative when this
        group's rate is lower); None for the reference group, NaN when the pooled rate is
        0 or 1.
    fisher_p : float or None
        Two-sided Fisher exact p on the 2 x 2 table against the reference; None for the
        reference group.
    """

    n: int
    selected: int
    rate: float
    impact_ratio: float
    flag: bool
    z: float | None
    fisher_p: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": int(self.n),
            "selected": int(self.selected),
            "rate": _json_float(self.rate),
            "impact_ratio": _json_float(self.impact_ratio),
            "flag": bool(self.flag),
            "z": _json_float(self.z),
            "fisher_p": _json_float(self.fisher_p),
        }


@dataclass(frozen=True)
class AdverseImpact:
    """Adverse-impact analysis of one selection decision.

    Attributes
    ----------
    groups : Mapping
        Group label -> :class:`GroupImpact`, in sorted label order (first-appearance order
        when the labels cannot be sorted). Read-only.
    reference : Hashable
        The group with the highest selection rate (the first in ``groups`` order on a tie).
    warnings : tuple of str
        Small-sample warnings: groups with fewer than 5 selected or 5 not selected (the
        z test's normal approximation is unreliable; prefer ``fisher_p``), fewer than 30
        candidates overall (every statistic is unstable), nobody selected.
    """

    groups: Mapping[Hashable, GroupImpact]
    reference: Hashable
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict; group labels become strings."""
        return {
            "groups": {str(g): gi.to_dict() for g, gi in self.groups.items()},
            "reference": str(self.reference),
            "warnings": list(self.warnings),
        }


def _selected(selected: Sequence[float] | np.ndarray) -> np.ndarray:
    s = np.asarray(selected)
    if s.ndim != 1:
        raise ValueError(f"selected must be 1-D, got {s.ndim} dimension(s)")
    if s.dtype == bool:
        return s
    if s.dtype.kind not in "iuf":
        raise ValueError(f"selected must be booleans (or 0/1), got dtype {s.dtype}")
    if not np.isin(s, (0, 1)).all():
        raise ValueError("selected must contain only True/False (or 0/1); missing is not allowed")
    return s.astype(bool)


def _labels(group: Sequence[Hashable] | np.ndarray) -> list[Hashable]:
    g = np.asarray(group, dtype=object)
    if g.ndim != 1:
        raise ValueError(f"group must be 1-D, got {g.ndim} dimension(s)")
    out: list[Hashable] = g.tolist()
    for v in out:
        if v is None or (isinstance(v, float) and math.isnan(v)):
            raise ValueError("group must not contain missing labels (None or NaN)")
    return out


def _order(labels: list[Any]) -> list[Any]:
    uniq = list(dict.fromkeys(labels))
    try:
        return sorted(uniq)
    except TypeError:
        return uniq


def _pooled_z(s1: int, n1: int, s2: int, n2: int) -> float:
    p = (s1 + s2) / (n1 + n2)
    var = p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)
    if var <= 0.0:
        return math.nan
    return (s1 / n1 - s2 / n2) / math.sqrt(var)


# Ties of probability within this relative error count as equally likely: R's fisher.test.
_FISHER_REL_ERR = 1.0 + 1e-7


def _fisher_two_sided(a: int, b: int, c: int, d: int) -> float:
    r"""Two-sided p of Fisher's exact test on the table ``[[a, b], [c, d]]``.

    With the margins fixed, the count x in the first cell is hypergeometric:

    .. math:: P(x) \propto \binom{a+b}{x} \binom{c+d}{a+c-x}, \qquad
        \max(0, a+c-(c+d)) \le x \le \min(a+b, a+c)

    and p is the total probability of every x no more likely than the observed a,
    :math:`\sum_x P(x) [P(x) \le P(a)(1 + 10^{-7})]`, which is R's
    ``fisher.test(alternative = "two.sided")`` (its relative error 1e-7 makes equally
    likely tables count whatever their rounding) and ``scipy.stats.fisher_exact``.
    Probabilities are formed from ``gammaln`` relative to the largest, so large tables
    neither overflow nor underflow.

    References
    ----------
    Fisher, R. A. (1935). *The Design of Experiments*. Oliver and Boyd.
    R Core Team. ``fisher.test``, R package stats (src/library/stats/R/fisher.test.R).
    """
    r1, c1, n = a + b, a + c, a + b + c + d
    lo, hi = max(0, c1 - (n - r1)), min(r1, c1)
    x = np.arange(lo, hi + 1, dtype=float)
    log_d = -(
        special.gammaln(x + 1.0)
        + special.gammaln(r1 - x + 1.0)
        + special.gammaln(c1 - x + 1.0)
        + special.gammaln(n - r1 - c1 + x + 1.0)
    )
    dens = np.exp(log_d - log_d.max())
    dens /= dens.sum()
    p = dens[dens <= dens[a - lo] * _FISHER_REL_ERR].sum()
    return float(min(1.0, p))


def adverse_impact(
    selected: Sequence[float] | np.ndarray, group: Sequence[Hashable] | np.ndarray
) -> AdverseImpact:
    r"""Four-fifths rule, pooled z test and Fisher exact test for each group.

    For group g with :math:`s_g` of :math:`n_g` selected, rate :math:`p_g = s_g/n_g`, and
    the reference group r with the highest rate:

    .. math::

        IR_g = \frac{p_g}{p_r}, \qquad \text{flag}_g = IR_g < 0.80, \qquad
        z_g = \frac{p_g - p_r}{\sqrt{\bar p (1 - \bar p)(1/n_g + 1/n_r)}}, \quad
        \bar p = \frac{s_g + s_r}{n_g + n_r}

    and ``fisher_p`` is Fisher's exact test, two-sided as R's ``fisher.test``, on
    ``[[s_g, n_g - s_g], [s_r, n_r - s_r]]`` (see :func:`_fisher_two_sided`).

    Parameters
    ----------
    selected : array_like of bool
        One decision per candidate (True = selected); 0/1 is accepted. No missing values.
    group : array_like
        One group label per candidate, same length; at least two distinct groups.

    Returns
    -------
    AdverseImpact

    Raises
    ------
    ValueError
        On mismatched lengths, non-boolean ``selected``, missing labels or fewer than two
        groups.

    References
    ----------
    Uniform Guidelines on Employee Selection Procedures (1978). *Federal Register*,
    43(166), 38290-38315; 29 CFR 1607.4(D) (four-fifths rule).
    Morris, S. B., & Lobsenz, R. E. (2000). Significance tests and confidence intervals
    for the adverse impact ratio. *Personnel Psychology*, 53(1), 89-111.
    doi:10.1111/j.1744-6570.2000.tb00195.x
    """
    s = _selected(selected)
    labels = _labels(group)
    if len(labels) != s.size:
        raise ValueError(
            f"selected and group must have the same length, got {s.size} and {len(labels)}"
        )
    order = _order(labels)
    if len(order) < 2:
        raise ValueError(f"group must contain at least two distinct groups, got {len(order)}")

    # Counts per group, vectorised over candidates.
    index = {g: i for i, g in enumerate(order)}
    codes = np.fromiter((index[v] for v in labels), dtype=np.intp, count=len(labels))
    n = np.bincount(codes, minlength=len(order))
    sel = np.bincount(codes, weights=s, minlength=len(order)).astype(np.int64)

    # Reference: highest rate, compared exactly (s_i n_j > s_j n_i), first on ties.
    ref = 0
    for i in range(1, len(order)):
        if sel[i] * n[ref] > sel[ref] * n[i]:
            ref = i
    s_r, n_r = int(sel[ref]), int(n[ref])
    p_r = s_r / n_r

    warnings: list[str] = []
    if s.size < MIN_TOTAL:
        warnings.append(
            f"only {s.size} candidates in total (< {MIN_TOTAL}): all statistics are unstable"
        )
    if s_r == 0:
        warnings.append("nobody was selected: impact ratios are undefined")

    out: dict[Hashable, GroupImpact] = {}
    for i, g in enumerate(order):
        s_g, n_g = int(sel[i]), int(n[i])
        if min(s_g, n_g - s_g) < MIN_CELL:
            warnings.append(
                f"group {g!s}: {s_g} selected and {n_g - s_g} not selected (fewer than "
                f"{MIN_CELL} in a cell): the z test is unreliable, rely on fisher_p"
            )
        if s_r == 0:
            ratio, flag = math.nan, False
        else:
            ratio = (s_g / n_g) / p_r
            flag = FOUR_FIFTHS_DEN * s_g * n_r < FOUR_FIFTHS_NUM * s_r * n_g
        if i == ref:
            z = p = None
        else:
            z = _pooled_z(s_g, n_g, s_r, n_r)
            p = _fisher_two_sided(s_g, n_g - s_g, s_r, n_r - s_r)
        out[g] = GroupImpact(n_g, s_g, s_g / n_g, ratio, bool(flag), z, p)

    return AdverseImpact(MappingProxyType(out), order[ref], tuple(warnings))
