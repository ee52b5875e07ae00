r"""Measurement error of observed scores: SEM, confidence intervals and SED bands.

* :func:`sem` - standard error of measurement :math:`SD\sqrt{1 - r_{xx}}`.
* :func:`score_ci` - a symmetric interval :math:`x \pm z \cdot SEM` around each score.
* :func:`sed_bands` - score banding on the standard error of the difference
  :math:`SED = \sqrt 2 \, SEM`: scores closer than :math:`z \cdot SED` to a band's anchor
  are treated as not reliably different (Cascio, Outtz, Zedeck & Goldstein 1991).

Missing scores (NaN) stay NaN in intervals and belong to no band (band 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

__all__ = ["SEDBands", "score_ci", "sed_bands", "sem"]

# Differences within this relative tolerance of the band width count as inside the band,
# so that e.g. 100 - 1.96 * 5 falls in a band of width 1.96 * 5 despite rounding.
_REL_TOL = 1e-9


def _nonneg(value: float | np.ndarray, name: str) -> np.ndarray:
    v = np.asarray(value, dtype=float)
    if not np.isfinite(v).all() or (v < 0).any():
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return v


def _positive_z(z: float) -> float:
    zf = float(z)
    if not (np.isfinite(zf) and zf > 0):
        raise ValueError(f"z must be a positive number, got {z!r}")
    return zf


def sem(sd: float | np.ndarray, reliability: float | np.ndarray) -> float | np.ndarray:
    r"""Standard error of measurement :math:`SEM = SD\sqrt{1 - r_{xx}}`.

    Parameters
    ----------
    sd : float or ndarray
        Standard deviation of the observed scores (>= 0).
    reliability : float or ndarray
        Reliability :math:`r_{xx}` of the scores, in [0, 1].

    Returns a float for scalar inputs, otherwise the broadcast array.

    References
    ----------
    Lord, F. M., & Novick, M. R. (1968). *Statistical Theories of Mental Test Scores*.
    Addison-Wesley.
    """
    s = _nonneg(sd, "sd")
    r = np.asarray(reliability, dtype=float)
    if not np.isfinite(r).all() or (r < 0).any() or (r > 1).any():
        raise ValueError(f"reliability must be in [0, 1], got {reliability!r}")
    out = s * np.sqrt(1.0 - r)
    return float(out) if out.ndim == 0 else out


def score_ci(
    scores: np.ndarray, sem: float | np.ndarray, *, z: float = 1.96
) -> tuple[np.ndarray, np.ndarray]:
    r"""Lower and upper bounds :math:`x \mp z \cdot SEM` around each observed score.

    ``sem`` may be a scalar or an array broadcastable to ``scores``. The interval is
    centred on the observed score (not on the estimated true score). NaN stays NaN.
    """
    x = np.asarray(scores, dtype=float)
    e = _nonneg(sem, "sem")
    zf = _positive_z(z)
    half = zf * e
    return x - half, x + half


@dataclass(frozen=True)
class SEDBands:
    """Score bands built on the standard error of the difference.

    Attributes
    ----------
    method : str
        ``"fixed"`` or ``"sliding"``.
    sem : float
        The SEM used.
    sed : float
        :math:`\\sqrt 2 \\cdot SEM`.
    width : float
        :math:`z \\cdot SED`: scores within this distance of a band's anchor share the band.
    in_top_band : ndarray of bool
        Candidates within ``width`` of the highest score (False for NaN).
    band : ndarray of int
        Band of each candidate, 0 for NaN; see :func:`sed_bands` for each method.
    """

    method: str
    sem: float
    sed: float
    width: float
    in_top_band: np.ndarray
    band: np.ndarray


def sed_bands(
    scores: np.ndarray,
    sem: float,
    *,
    method: Literal["fixed", "sliding"] = "fixed",
    z: float = 1.96,
) -> SEDBands:
    r"""Band candidates' scores with the SED: width :math:`z\sqrt 2\,SEM`.

    A score x is within a band anchored at score a when :math:`a - x \le` width. The top
    band (``in_top_band``, band 1) is anchored at the highest score under both methods.

    ``method="fixed"``: band 1 covers [top - width, top]; band 2 is anchored at the highest
    score below band 1, and so on, so the bands are disjoint and numbered 1, 2, 3, ...
    without gaps.

    ``method="sliding"`` (Cascio et al. 1991): the band is anchored at the highest score
    not yet selected and slides down each time the candidates with the anchor score have
    all been selected. ``band`` is then the 1-based position, among the distinct scores in
    descending order, of the highest score whose band reaches the candidate: band b means
    the candidate becomes eligible once every candidate scoring at the b - 1 highest
    distinct scores has been selected. Band 1 is the same as under ``"fixed"``; later band
    numbers may skip values (a slide that admits no new candidate uses up a number).

    Parameters
    ----------
    scores : ndarray, 1-D
        Observed scores, NaN for missing (band 0, not in the top band).
    sem : float
        Standard error of measurement of the scores (>= 0).
    method : "fixed" or "sliding"
    z : float
        Critical value (1.96: 95% two-sided).

    References
    ----------
    Cascio, W. F., Outtz, J., Zedeck, S., & Goldstein, I. L. (1991). Statistical
    implications of six methods of test score use in personnel selection. *Human
    Performance*, 4, 233-264.
    """
    x = np.asarray(scores, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"scores must be a 1-D array, got shape {x.shape}")
    if np.isinf(x).any():
        raise ValueError("scores must be finite or NaN")
    e = _nonneg(sem, "sem")
    if e.ndim != 0:
        raise ValueError("sem must be a single number for banding")
    if method not in ("fixed", "sliding"):
        raise ValueError(f"method must be 'fixed' or 'sliding', got {method!r}")
    zf = _positive_z(z)
    sem_f = float(e)
    sed = float(np.sqrt(2.0) * sem_f)
    width = zf * sed
    reach = width + _REL_TOL * max(1.0, abs(width))

    ok = ~np.isnan(x)
    band = np.zeros(x.shape, dtype=int)
    if ok.any():
        asc = np.unique(x[ok])  # distinct scores, ascending
        m = asc.size
        band_of = np.empty(m, dtype=int)  # band of each distinct score
        if method == "fixed":
            # one pass per band: anchor at the highest unbanded score, take all within reach
            top, number = m - 1, 1
            while top >= 0:
                low = int(np.searchsorted(asc, asc[top] - reach, side="left"))
                band_of[low : top + 1] = number
                top, number = low - 1, number + 1
        else:
            # the highest anchor reaching each score: the largest distinct score <= s + reach;
            # its position in descending order (1-based) is the band
            highest = np.searchsorted(asc, asc + reach, side="right") - 1
            band_of = m - highest
        band[ok] = band_of[np.searchsorted(asc, x[ok])]
    return SEDBands(
        method=method,
        sem=sem_f,
        sed=sed,
        width=width,
        in_top_band=band == 1,
        band=band,
    )
