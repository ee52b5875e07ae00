r"""Stored norm groups: learn norms from a reference sample, apply them to new scores later.

Unlike :mod:`assessments.psychometrics.conversions`, which places candidates among each other,
a :class:`NormGroup` is fitted once on a reference (norming) sample and then converts
any later score to a percentile rank, z, T, sten or stanine *relative to that sample*.
``to_dict()`` / ``NormGroup.from_dict()`` store and restore it as JSON.

Conventions are those of :mod:`assessments.psychometrics.conversions`: the SD is the sample
SD (ddof = 1), percentile ranks use the mid-point convention for ties, and sten and
stanine scores round half away from zero.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["NormGroup", "norms"]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


def _round_half_away(x: np.ndarray) -> np.ndarray:
    rounded: np.ndarray = np.sign(x) * np.floor(np.abs(x) + 0.5)
    return rounded


def _new_scores(x: float | Sequence[float] | np.ndarray) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if np.isinf(a).any():
        raise ValueError("x must be finite or NaN")
    return a


@dataclass(frozen=True, eq=False)
class NormGroup:
    """A norm group fitted on a reference sample.

    Attributes
    ----------
    n : int
        Number of non-missing reference scores (>= 2).
    mean : float
        Reference mean.
    sd : float
        Reference sample SD (ddof = 1), > 0.
    sorted_scores : ndarray
        The reference scores in ascending order (read-only), for percentile ranks.

    Methods return float arrays of the input's shape (a 0-d array for a scalar); NaN in
    gives NaN out.
    """

    n: int
    mean: float
    sd: float
    sorted_scores: np.ndarray

    def percentile_rank(self, x: float | Sequence[float] | np.ndarray) -> np.ndarray:
        r"""Mid-rank percentile rank in the reference sample.

        .. math:: PR = 100 \cdot \frac{B + E/2}{N}

        with B the number of reference scores below x, E the number equal to x and N the
        reference n. A score below (above) every reference score has PR 0 (100).

        References
        ----------
        Crocker, L., & Algina, J. (1986). *Introduction to Classical and Modern Test
        Theory*. Holt, Rinehart and Winston (percentile ranks, mid-point convention).
        """
        a = _new_scores(x)
        below = np.searchsorted(self.sorted_scores, a, side="left")
        upto = np.searchsorted(self.sorted_scores, a, side="right")
        pr = 100.0 * (below + 0.5 * (upto - below)) / self.n
        return np.where(np.isnan(a), np.nan, pr)

    def z(self, x: float | Sequence[float] | np.ndarray) -> np.ndarray:
        r""":math:`z = (x - \bar x_{ref}) / s_{ref}`."""
        return (_new_scores(x) - self.mean) / self.sd

    def t(self, x: float | Sequence[float] | np.ndarray) -> np.ndarray:
        """T score ``50 + 10 z`` (not rounded)."""
        return 50.0 + 10.0 * self.z(x)

    def sten(self, x: float | Sequence[float] | np.ndarray) -> np.ndarray:
        r""":math:`\mathrm{clip}(\mathrm{round}(5.5 + 2z), 1, 10)`, half away from zero.

        Sten 6 is 0 <= z < 0.5. Canfield, A. A. (1951). The "sten" scale - a modified
        C-scale. *Educational and Psychological Measurement*, 11, 295-297.
        """
        sten: np.ndarray = np.clip(_round_half_away(5.5 + 2.0 * self.z(x)), 1.0, 10.0)
        return sten

    def stanine(self, x: float | Sequence[float] | np.ndarray) -> np.ndarray:
        r""":math:`\mathrm{clip}(\mathrm{round}(5 + 2z), 1, 9)`, half away from zero.

        Stanine 5 is -0.25 <= z < 0.25.
        """
        stanine: np.ndarray = np.clip(_round_half_away(5.0 + 2.0 * self.z(x)), 1.0, 9.0)
        return stanine

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (all values are finite by construction)."""
        return {
            "n": int(self.n),
            "mean": float(self.mean),
            "sd": float(self.sd),
            "sorted_scores": [float(v) for v in self.sorted_scores],
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> NormGroup:
        """Restore a norm group stored with :meth:`to_dict`.

        The statistics are recomputed from ``sorted_scores``; a stored ``n``, ``mean`` or
        ``sd`` that disagrees with them raises ValueError (a corrupted or edited record).
        """
        if not isinstance(d, Mapping) or "sorted_scores" not in d:
            raise ValueError("d must be a mapping with 'sorted_scores' (from NormGroup.to_dict)")
        g = norms(np.asarray(d["sorted_scores"], dtype=float))
        if "n" in d and int(d["n"]) != g.n:
            raise ValueError(f"d['n'] = {d['n']} disagrees with {g.n} stored scores")
        for name in ("mean", "sd"):
            if name in d and not math.isclose(
                float(d[name]), getattr(g, name), rel_tol=1e-9, abs_tol=1e-12
            ):
                raise ValueError(
                    f"d[{name!r}] = {d[name]} disagrees with the stored scores "
                    f"({getattr(g, name)!r})"
                )
        return g


def norms(scores: Sequence[float] | np.ndarray) -> NormGroup:
    r"""Fit a :class:`NormGroup` on a reference sample.

    .. math:: \bar x = \frac{1}{N}\sum x_i, \qquad s = \sqrt{\frac{\sum (x_i - \bar x)^2}{N-1}}

    Parameters
    ----------
    scores : array_like
        Reference scores, any shape (flattened); NaN is dropped.

    Raises
    ------
    ValueError
        If fewer than two scores remain, a score is infinite, or all scores are equal
        (SD 0: z and everything derived from it would be undefined).

    References
    ----------
    Crocker, L., & Algina, J. (1986). *Introduction to Classical and Modern Test Theory*.
    Holt, Rinehart and Winston, ch. 19 (norms and standard scores).
    """
    a = np.asarray(scores, dtype=float).ravel()
    if np.isinf(a).any():
        raise ValueError("scores must be finite or NaN")
    a = a[~np.isnan(a)]
    if a.size < 2:
        raise ValueError(f"scores must contain at least 2 non-missing values, got {a.size}")
    mean = float(a.mean())
    sd = float(a.std(ddof=1))
    if not sd > 1e-12 * max(float(np.abs(a).max()), 1.0):
        raise ValueError("scores must not all be equal (SD 0)")
    return NormGroup(int(a.size), mean, sd, _frozen(np.sort(a)))
