r"""Norms within a group of candidates: percentile ranks, z, T, sten and stanine scores.

Used to place each candidate of a campaign among the others. All functions work along
``axis`` (default 0: rows are candidates, so each column - a total or a competency - is
normed separately), ignore NaN (a missing score stays NaN and is left out of N, the mean
and the SD) and return float arrays of the input's shape.

Sten and stanine scores round half away from zero, so a score exactly on a band boundary
goes to the higher band (all band values are positive): z = 0 is sten 6 and z = 0.25 is
stanine 6.
"""

from __future__ import annotations

import numpy as np

__all__ = ["average_ranks", "percentile_ranks", "stanines", "stens", "t_scores", "z_scores"]


def _scores(scores: np.ndarray) -> np.ndarray:
    x = np.asarray(scores, dtype=float)
    if x.ndim == 0:
        raise ValueError("scores must be an array of at least one dimension")
    if np.isinf(x).any():
        raise ValueError("scores must be finite or NaN")
    return x


def _round_half_away(x: np.ndarray) -> np.ndarray:
    rounded: np.ndarray = np.sign(x) * np.floor(np.abs(x) + 0.5)
    return rounded


def average_ranks(x: np.ndarray, *, axis: int = -1) -> np.ndarray:
    r"""Ranks 1..N along ``axis``, tied values sharing the mean of the ranks they span;
    NaN stays NaN and is left out of N.

    A value with B values below it and E equal to it (itself included) has rank
    :math:`B + (E + 1)/2`: ``scipy.stats.rankdata(x, axis=axis, method="average",
    nan_policy="omit")``. The values are sorted once along the axis (NaN sort last) and
    each run of equal values gets the mean of its first and last position.
    """
    v = np.asarray(x, dtype=float)
    if v.ndim == 0:
        raise ValueError("x must be an array of at least one dimension")
    a = np.moveaxis(v, axis, -1)
    shape = a.shape
    if a.size == 0:
        return v.copy()
    rows = a.reshape(-1, shape[-1])
    n = rows.shape[1]
    order = np.argsort(rows, axis=1, kind="stable")
    s = np.take_along_axis(rows, order, axis=1)
    pos = np.broadcast_to(np.arange(n), s.shape)
    first = np.ones(s.shape, dtype=bool)  # first of a run of equal values
    first[:, 1:] = s[:, 1:] != s[:, :-1]
    last = np.ones(s.shape, dtype=bool)  # last of a run
    last[:, :-1] = first[:, 1:]
    start = np.maximum.accumulate(np.where(first, pos, 0), axis=1)
    end = np.minimum.accumulate(np.where(last, pos, n)[:, ::-1], axis=1)[:, ::-1]
    sorted_ranks = (start + end) / 2.0 + 1.0
    ranks = np.empty(rows.shape)
    np.put_along_axis(ranks, order, sorted_ranks, axis=1)
    ranks[np.isnan(rows)] = np.nan
    return np.moveaxis(ranks.reshape(shape), -1, axis)


def percentile_ranks(scores: np.ndarray, *, axis: int = 0) -> np.ndarray:
    r"""Mid-rank percentile rank of each score within its group.

    .. math:: PR = 100 \cdot \frac{B + E/2}{N}

    with B the number of scores below, E the number equal (including the score itself)
    and N the number of non-missing scores. Equivalently PR = 100 (average rank - 1/2) / N,
    which is how it is computed. A single score has PR 50; PR lies in (0, 100).

    Parameters
    ----------
    scores : ndarray
        NaN stays NaN and is excluded from N.
    axis : int
        The axis along which candidates are laid out.

    References
    ----------
    Crocker, L., & Algina, J. (1986). *Introduction to Classical and Modern Test
    Theory*. Holt, Rinehart and Winston (norms: percentile ranks with the mid-point
    convention for tied scores).
    """
    x = _scores(scores)
    n = np.sum(~np.isnan(x), axis=axis, keepdims=True)
    ranks = average_ranks(x, axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        pr: np.ndarray = 100.0 * (ranks - 0.5) / n
    return pr


def z_scores(scores: np.ndarray, *, ddof: int = 1, axis: int = 0) -> np.ndarray:
    r"""Standard scores :math:`z = (x - \bar x) / s` within the group.

    :math:`\bar x` and s (with ``ddof``: 1 = sample SD, 0 = population SD) use the
    non-missing scores. NaN where the score is missing, where all scores are equal
    (s = 0) or where there are too few scores (N <= ddof).
    """
    x = _scores(scores)
    if ddof < 0:
        raise ValueError(f"ddof must be >= 0, got {ddof}")
    n = np.sum(~np.isnan(x), axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=axis, keepdims=True) / n
        dev = x - mean
        sd = np.sqrt(np.nansum(dev * dev, axis=axis, keepdims=True) / (n - ddof))
        scale = np.max(np.abs(np.where(np.isnan(x), 0.0, x)), axis=axis, keepdims=True)
        sd = np.where((n > ddof) & (sd > 1e-12 * np.maximum(scale, 1.0)), sd, np.nan)
        z: np.ndarray = dev / sd
    return z


def t_scores(scores: np.ndarray, *, ddof: int = 1, axis: int = 0) -> np.ndarray:
    """T scores ``50 + 10 z`` (mean 50, SD 10), not rounded; NaN as in :func:`z_scores`."""
    return 50.0 + 10.0 * z_scores(scores, ddof=ddof, axis=axis)


def stens(scores: np.ndarray, *, ddof: int = 1, axis: int = 0) -> np.ndarray:
    r"""Standard tens: :math:`\mathrm{clip}(\mathrm{round}(5.5 + 2z), 1, 10)`.

    z is the sample z (``ddof=1``) within the group; rounding is half away from zero, so
    band k covers :math:`(k - 6)/2 \le z < (k - 5)/2`: sten 5 is -0.5 <= z < 0, sten 6
    is 0 <= z < 0.5. NaN stays NaN.

    References
    ----------
    Canfield, A. A. (1951). The "sten" scale - a modified C-scale. *Educational and
    Psychological Measurement*, 11, 295-297.
    """
    z = z_scores(scores, ddof=ddof, axis=axis)
    sten: np.ndarray = np.clip(_round_half_away(5.5 + 2.0 * z), 1.0, 10.0)
    return sten


def stanines(scores: np.ndarray, *, ddof: int = 1, axis: int = 0) -> np.ndarray:
    r"""Standard nines: :math:`\mathrm{clip}(\mathrm{round}(5 + 2z), 1, 9)`.

    Rounding half away from zero: stanine 5 is -0.25 <= z < 0.25, stanine 6 is
    0.25 <= z < 0.75. NaN stays NaN.
    """
    z = z_scores(scores, ddof=ddof, axis=axis)
    stanine: np.ndarray = np.clip(_round_half_away(5.0 + 2.0 * z), 1.0, 9.0)
    return stanine
