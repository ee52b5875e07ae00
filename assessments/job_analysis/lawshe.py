r"""Lawshe's content validity ratio and its exact critical value.

Each subject-matter expert answers Lawshe's question about a competency: is it
*essential*, *useful but not essential*, or *not necessary* for the work? With
:math:`n_e` of N experts saying "essential",

.. math:: CVR = \frac{n_e - N/2}{N/2}

runs from -1 (nobody) through 0 (half) to +1 (everybody). Whether a CVR is more than
chance is a one-tailed binomial test of :math:`n_e` against p = 1/2: the critical value
here is computed exactly for the N at hand (Ayre & Scally 2014), not read from Lawshe's
(1975) table, whose values Wilson, Pan & Schumsky (2012) showed to be a normal
approximation and which lists only some N.
"""

from __future__ import annotations

import itertools
import math
import numbers

import numpy as np

__all__ = ["content_validity_ratio", "cvr_critical", "essential_needed"]


def _count(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def _alpha(alpha: object) -> float:
    if isinstance(alpha, bool) or not isinstance(alpha, numbers.Real):
        raise ValueError(f"alpha must be a number in (0, 1), got {alpha!r}")
    a = float(alpha)
    if not 0.0 < a < 1.0:
        raise ValueError(f"alpha must be in (0, 1), got {alpha!r}")
    return a


def content_validity_ratio(n_essential: int, n: int) -> float:
    r"""Lawshe's content validity ratio :math:`CVR = (n_e - N/2)/(N/2)`.

    Parameters
    ----------
    n_essential : int
        :math:`n_e`, the experts who answered "essential".
    n : int
        N, the experts who answered Lawshe's question at all ("cannot say" does not count).

    Returns
    -------
    float
        The CVR in [-1, 1]: 0 when exactly half say "essential", 1 when all do.

    Raises
    ------
    ValueError
        Naming ``n`` when it is not a whole number of at least 1, or ``n_essential`` when it
        is not a whole number between 0 and ``n``.

    References
    ----------
    Lawshe, C. H. (1975). A quantitative approach to content validity. *Personnel
    Psychology*, 28(4), 563-575. doi:10.1111/j.1744-6570.1975.tb01393.x
    """
    big_n = _count(n, "n")
    n_e = _count(n_essential, "n_essential")
    if big_n < 1:
        raise ValueError(f"n must be at least 1, got {big_n}")
    if not 0 <= n_e <= big_n:
        raise ValueError(f"n_essential must be between 0 and n ({big_n}), got {n_e}")
    half = big_n / 2.0
    return (n_e - half) / half


def essential_needed(n: int, alpha: float = 0.05) -> int | None:
    r"""The fewest "essential" answers of n experts that are significant, or None.

    The smallest :math:`n_e` whose one-tailed exact binomial probability under
    :math:`H_0: p = 1/2` is below ``alpha``:

    .. math:: P(X \ge n_e \mid N = n, p = 1/2) = \sum_{x=n_e}^{n} \binom{n}{x} 2^{-n} < \alpha

    (``scipy.stats.binom.sf(n_e - 1, n, 0.5)``, here in exact integers). None when even
    :math:`n_e = n` does not reach it, :math:`2^{-n} \ge \alpha`: at ``alpha`` = .05,
    panels of fewer than five experts (:math:`2^{-4} = .0625`).

    Parameters
    ----------
    n : int
        The experts who answered Lawshe's question (at least 1).
    alpha : float
        One-tailed significance level, in (0, 1).

    References
    ----------
    Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content validity ratio:
    Revisiting the original methods of calculation. *Measurement and Evaluation in
    Counseling and Development*, 47(1), 79-86. doi:10.1177/0748175613513808
    """
    big_n = _count(n, "n")
    if big_n < 1:
        raise ValueError(f"n must be at least 1, got {big_n}")
    a = _alpha(alpha)
    # P(X >= n_e) for n_e = 0..n in exact integers: the ways of n_e or more "essential"
    # answers over 2^n, each rounded once to float
    ways = [math.comb(big_n, x) for x in range(big_n + 1)]
    at_least = list(itertools.accumulate(reversed(ways)))[::-1]
    upper_tail = np.array([w / 2**big_n for w in at_least])
    reached = np.flatnonzero(upper_tail < a)
    return int(reached[0]) if reached.size else None


def cvr_critical(n: int, alpha: float = 0.05) -> float:
    r"""The smallest CVR of n experts that is significant at one-tailed ``alpha``.

    :math:`CVR_{critical} = (n_e - N/2)/(N/2)` for :math:`n_e` = :func:`essential_needed`,
    the fewest "essential" answers whose exact binomial probability
    :math:`P(X \ge n_e \mid N, p = 1/2)` is below ``alpha`` (Ayre & Scally 2014; Wilson,
    Pan & Schumsky 2012 for the one-tailed reading of Lawshe's table). A CVR meets it when
    :math:`CVR \ge CVR_{critical}`.

    Parameters
    ----------
    n : int
        The experts who answered Lawshe's question (at least 1).
    alpha : float
        One-tailed significance level, in (0, 1); .05 by default.

    Returns
    -------
    float
        The critical CVR, or ``float("nan")`` when no count of n experts is significant
        (at .05: fewer than five experts, where even unanimity has probability
        :math:`2^{-n} \ge .0625`). Test with ``math.isnan``.

    Raises
    ------
    ValueError
        Naming ``n`` or ``alpha`` when out of range.

    References
    ----------
    Lawshe, C. H. (1975). A quantitative approach to content validity. *Personnel
    Psychology*, 28(4), 563-575.
    Wilson, F. R., Pan, W., & Schumsky, D. A. (2012). Recalculation of the critical values
    for Lawshe's content validity ratio. *Measurement and Evaluation in Counseling and
    Development*, 45(3), 197-210. doi:10.1177/0748175612440286
    Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content validity ratio.
    *Measurement and Evaluation in Counseling and Development*, 47(1), 79-86.
    """
    needed = essential_needed(n, alpha)
    if needed is None:
        return math.nan
    return content_validity_ratio(needed, n)
