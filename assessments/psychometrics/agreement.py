r"""Inter-rater reliability and agreement: intraclass correlations and rwg indices.

* :func:`icc` - the six intraclass correlations of Shrout & Fleiss (1979) for a
  targets x raters matrix, each with its F test and 95% confidence interval (the F-based
  intervals of Shrout & Fleiss 1979 and McGraw & Wong 1996, as R ``psych::ICC`` reports
  them). Missing data are handled listwise: a target (row) with any NaN is dropped, and n
  is the number of complete rows.
* :func:`rwg` and :func:`rwg_j` - within-group agreement of several raters on one item or
  on J parallel items (James, Demaree & Wolf 1984), against a uniform ("no agreement")
  null distribution unless another null variance is given. Missing data are handled
  pairwise: each item's variance uses the raters who rated it.

:func:`rwg_j_groups` computes rwg(J) for many groups at once (raters x groups x items, with
an optional validity mask); :func:`rwg_j` and the SJT expert keys
(``assessments.sjt.keys.rwg_j``: experts x SJT items x options) both call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
from scipy import special

__all__ = ["ICC_FORMS", "ICCForm", "ICCResult", "icc", "rwg", "rwg_j", "rwg_j_groups"]

ICC_FORMS = ("ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k")


@dataclass(frozen=True)
class ICCForm:
    """One intraclass correlation with its F test and confidence interval.

    Attributes
    ----------
    value : float
        The ICC.
    F, df1, df2, p : float
        The F test of "no target variance" (one-sided upper p).
    ci : (float, float)
        Lower and upper bound of the 95% confidence interval.
    """

    value: float
    F: float
    df1: float
    df2: float
    p: float
    ci: tuple[float, float]


@dataclass(frozen=True)
class ICCResult:
    """The six Shrout & Fleiss (1979) intraclass correlations of one ratings matrix.

    Attributes
    ----------
    forms : Mapping[str, ICCForm]
        Keyed ``"ICC1"``, ``"ICC2"``, ``"ICC3"``, ``"ICC1k"``, ``"ICC2k"``, ``"ICC3k"``
        (read-only).
    n_targets, n_raters : int
        The n complete targets used and the k raters.
    n_dropped : int
        Targets left out because they had a missing rating (listwise deletion).
    msr, msc, mse, msw : float
        Mean squares: rows (targets), columns (raters), residual and within rows.
    """

    forms: Mapping[str, ICCForm]
    n_targets: int
    n_raters: int
    n_dropped: int
    msr: float
    msc: float
    mse: float
    msw: float


def icc(x: np.ndarray, *, alpha: float = 0.05) -> ICCResult:
    r"""Intraclass correlations ICC(1,1), (2,1), (3,1) and their k-rater means.

    With n targets (rows), k raters (columns) and the two-way ANOVA mean squares MSR
    (rows), MSC (columns), MSE (residual) and MSW (within rows, = (SSC + SSE)/(n(k-1))):

    .. math::

        ICC1 = \frac{MSR - MSW}{MSR + (k-1)MSW}, \quad
        ICC2 = \frac{MSR - MSE}{MSR + (k-1)MSE + k(MSC - MSE)/n}, \quad
        ICC3 = \frac{MSR - MSE}{MSR + (k-1)MSE}

        ICC1k = \frac{MSR - MSW}{MSR}, \quad
        ICC2k = \frac{MSR - MSE}{MSR + (MSC - MSE)/n}, \quad
        ICC3k = \frac{MSR - MSE}{MSR}

    ICC1 is the one-way random model, ICC2 the two-way random model (absolute agreement),
    ICC3 the two-way mixed model (consistency). The F test is MSR/MSW on (n-1, n(k-1)) df
    for ICC1 and ICC1k, MSR/MSE on (n-1, (n-1)(k-1)) df for the others.

    Confidence intervals (level ``1 - alpha``): for ICC1 and ICC3 from
    :math:`F_L = F / F_{1-\alpha/2}(df_1, df_2)`, :math:`F_U = F \cdot F_{1-\alpha/2}(df_2,
    df_1)` as :math:`(F_L - 1)/(F_L + k - 1)` and :math:`(F_U - 1)/(F_U + k - 1)`, and for
    their k forms as :math:`1 - 1/F_L`, :math:`1 - 1/F_U`. ICC2 uses the Satterthwaite
    df :math:`\nu` of McGraw & Wong (1996, Table 7) and ICC2k the Spearman-Brown step-up
    of the ICC2 bounds, as R ``psych::ICC`` does.

    Parameters
    ----------
    x : ndarray, targets x raters
        Ratings. Rows with any NaN are dropped (listwise); at least two complete rows and
        two raters are needed.
    alpha : float
        1 - confidence level of the intervals (0.05: 95%).

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing
    rater reliability. *Psychological Bulletin*, 86(2), 420-428.
    doi:10.1037/0033-2909.86.2.420
    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. *Psychological Methods*, 1(1), 30-46.
    doi:10.1037/1082-989X.1.1.30
    Revelle, W. *psych: Procedures for Psychological, Psychometric, and Personality
    Research* (R package), function ``ICC``.
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"x must be a 2-D targets x raters array, got shape {a.shape}")
    if np.isinf(a).any():
        raise ValueError("x must be finite or NaN")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    complete = ~np.isnan(a).any(axis=1)
    a = a[complete]
    n, k = a.shape
    if k < 2:
        raise ValueError(f"icc needs at least 2 raters (columns), got {k}")
    if n < 2:
        raise ValueError(f"icc needs at least 2 complete targets (rows), got {n}")

    grand = a.mean()
    row_means = a.mean(axis=1)
    col_means = a.mean(axis=0)
    ss_total = np.sum((a - grand) ** 2)
    ss_r = k * np.sum((row_means - grand) ** 2)
    ss_c = n * np.sum((col_means - grand) ** 2)
    ss_e = ss_total - ss_r - ss_c
    df_r, df_c, df_e, df_w = n - 1, k - 1, (n - 1) * (k - 1), n * (k - 1)
    msr, msc, mse = ss_r / df_r, ss_c / df_c, ss_e / df_e
    msw = (ss_c + ss_e) / df_w

    with np.errstate(invalid="ignore", divide="ignore"):
        icc1 = (msr - msw) / (msr + (k - 1) * msw)
        icc2 = (msr - mse) / (msr + (k - 1) * mse + k * (msc - mse) / n)
        icc3 = (msr - mse) / (msr + (k - 1) * mse)
        icc1k = (msr - msw) / msr
        icc2k = (msr - mse) / (msr + (msc - mse) / n)
        icc3k = (msr - mse) / msr

        f1 = msr / msw
        f3 = msr / mse
        fc = msc / mse
        # F distribution: special.fdtrc / fdtri are what scipy.stats.f.sf / .ppf evaluate
        p1 = float(special.fdtrc(df_r, df_w, f1))
        p3 = float(special.fdtrc(df_r, df_e, f3))
        q = 1 - alpha / 2

        f1_lo = f1 / special.fdtri(df_r, df_w, q)
        f1_hi = f1 * special.fdtri(df_w, df_r, q)
        f3_lo = f3 / special.fdtri(df_r, df_e, q)
        f3_hi = f3 * special.fdtri(df_e, df_r, q)

        # ICC(2,1): Satterthwaite df (Shrout & Fleiss 1979 eq. 11; McGraw & Wong 1996)
        num = (k - 1) * (n - 1) * (k * icc2 * fc + n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        den = (n - 1) * k**2 * icc2**2 * fc**2 + (n * (1 + (k - 1) * icc2) - k * icc2) ** 2
        v = num / den
        fs = special.fdtri(df_r, v, q)
        fs_star = special.fdtri(v, df_r, q)
        core = k * msc + (k * n - k - n) * mse
        l2 = n * (msr - fs * mse) / (fs * core + n * msr)
        u2 = n * (fs_star * msr - mse) / (core + n * fs_star * msr)

    def _stepup(r: float) -> float:
        return float(k * r / (1 + (k - 1) * r))

    def _form(value: float, f: float, d2: float, p: float, lo: float, hi: float) -> ICCForm:
        return ICCForm(float(value), float(f), float(df_r), float(d2), p, (float(lo), float(hi)))

    forms = {
        "ICC1": _form(
            icc1, f1, df_w, p1, (f1_lo - 1) / (f1_lo + k - 1), (f1_hi - 1) / (f1_hi + k - 1)
        ),
        "ICC2": _form(icc2, f3, df_e, p3, l2, u2),
        "ICC3": _form(
            icc3, f3, df_e, p3, (f3_lo - 1) / (f3_lo + k - 1), (f3_hi - 1) / (f3_hi + k - 1)
        ),
        "ICC1k": _form(icc1k, f1, df_w, p1, 1 - 1 / f1_lo, 1 - 1 / f1_hi),
        "ICC2k": _form(icc2k, f3, df_e, p3, _stepup(l2), _stepup(u2)),
        "ICC3k": _form(icc3k, f3, df_e, p3, 1 - 1 / f3_lo, 1 - 1 / f3_hi),
    }
    return ICCResult(
        forms=MappingProxyType(forms),
        n_targets=int(n),
        n_raters=int(k),
        n_dropped=int(np.sum(~complete)),
        msr=float(msr),
        msc=float(msc),
        mse=float(mse),
        msw=float(msw),
    )


# --- rwg -------------------------------------------------------------------------------


def _null_variance(options: int | None, null_variance: float | None) -> float:
    if null_variance is not None:
        nv = float(null_variance)
        if not (np.isfinite(nv) and nv > 0):
            raise ValueError(f"null_variance must be a positive number, got {null_variance!r}")
        return nv
    if options is None:
        raise ValueError("give options (the number of scale points) or null_variance")
    if isinstance(options, bool) or int(options) != options or options < 2:
        raise ValueError(f"options must be an integer >= 2, got {options!r}")
    a = int(options)
    return (a * a - 1) / 12.0


def _item_variances(x: np.ndarray) -> np.ndarray:
    """Sample variance (ddof=1) over axis 0 (raters) of each item, using the raters who
    rated it; NaN with fewer than two."""
    n = np.sum(~np.isnan(x), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(x, axis=0) / n
        var = np.nansum((x - mean) ** 2, axis=0) / (n - 1)
    return np.where(n >= 2, var, np.nan)


def _ratings(x: np.ndarray, ndim: tuple[int, ...], what: str) -> np.ndarray:
    a = np.asarray(x, dtype=float)
    if a.ndim not in ndim:
        raise ValueError(f"x must be {what}, got shape {a.shape}")
    if np.isinf(a).any():
        raise ValueError("x must be finite or NaN")
    return a


def rwg(
    x: np.ndarray, *, options: int | None = None, null_variance: float | None = None
) -> float | np.ndarray:
    r"""Single-item within-group agreement :math:`r_{wg} = 1 - s^2/\sigma^2_{EU}`.

    :math:`s^2` is the sample variance (ddof=1) of the raters' ratings of one target on
    one item and :math:`\sigma^2_{EU} = (A^2 - 1)/12` the variance of a uniform
    distribution over A options (2.0 for 5 options, 4.0 for 7), unless ``null_variance``
    gives another null. When :math:`s^2 > \sigma^2_{EU}` the result is truncated to 0
    (James, Demaree & Wolf 1984; as R ``multilevel::rwg``), so it lies in [0, 1].

    Parameters
    ----------
    x : ndarray
        1-D: the raters' ratings of one item, giving a float. 2-D raters x items: one
        rwg per column, giving an array. NaN ratings are ignored; the result is NaN with
        fewer than two ratings.
    options : int
        A, the number of response options. Required unless ``null_variance`` is given.
    null_variance : float
        The variance expected under no agreement; overrides ``options``.
    """
    a = _ratings(x, (1, 2), "1-D (raters) or 2-D (raters x items)")
    nv = _null_variance(options, null_variance)
    var = _item_variances(a.reshape(a.shape[0], -1))
    out = np.where(np.isnan(var), np.nan, 1.0 - np.minimum(var / nv, 1.0))
    return float(out[0]) if a.ndim == 1 else out


def rwg_j(
    x: np.ndarray, *, options: int | None = None, null_variance: float | None = None
) -> float:
    r"""Multi-item within-group agreement rwg(J) of raters over J parallel items.

    .. math::

        r_{wg(J)} = \frac{J(1 - \bar s^2/\sigma^2)}{J(1 - \bar s^2/\sigma^2) + \bar s^2/\sigma^2}

    with :math:`\bar s^2` the mean over the items of the raters' sample variance (ddof=1)
    and :math:`\sigma^2` the null variance (``(A^2 - 1)/12`` for A ``options``, or
    ``null_variance``). When :math:`\bar s^2 > \sigma^2` the ratio is truncated to 1,
    giving 0 (James, Demaree & Wolf 1984; as R ``multilevel::rwg.j``).

    Parameters
    ----------
    x : ndarray, raters x items
        Ratings of one target. Missing data pairwise: each item's variance uses the raters
        who rated it; J counts the items rated by at least two raters. NaN when none is.
    options, null_variance
        As in :func:`rwg`.

    See :func:`rwg_j_groups` for many targets (groups) at once.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
    reliability with and without response bias. *Journal of Applied Psychology*, 69(1),
    85-98. doi:10.1037/0021-9010.69.1.85
    """
    a = _ratings(x, (2,), "a 2-D raters x items array")
    nv = _null_variance(options, null_variance)
    return float(_rwg_j(a[:, None, :], nv)[0])


def rwg_j_groups(
    x: np.ndarray,
    *,
    options: int | None = None,
    null_variance: float | None = None,
    valid: np.ndarray | None = None,
) -> np.ndarray:
    r"""rwg(J) of many groups at once: one value per group, as :func:`rwg_j` for each.

    Parameters
    ----------
    x : ndarray, raters x groups x items
        Ratings, NaN where a rater did not rate an item; a group's raters are the
        non-missing entries of its column (e.g. experts x SJT items x options, or raters x
        competencies x statements padded with NaN).
    options, null_variance
        The null variance, as in :func:`rwg`.
    valid : ndarray of bool, groups x items, optional
        The items that exist for each group; ratings elsewhere (padding) are ignored
        whatever they hold.

    Returns
    -------
    ndarray, groups
        rwg(J) in [0, 1] (truncated to 0 when the mean variance exceeds the null). Missing
        data pairwise: J counts a group's (valid) items rated by at least two raters; NaN
        for a group with none.
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 3:
        raise ValueError(f"x must be a 3-D raters x groups x items array, got shape {a.shape}")
    nv = _null_variance(options, null_variance)
    if valid is not None:
        v = np.asarray(valid, dtype=bool)
        if v.shape != a.shape[1:]:
            raise ValueError(f"valid must have shape (groups, items) {a.shape[1:]}, got {v.shape}")
        a = np.where(v, a, np.nan)
    if np.isinf(a).any():
        raise ValueError("x must be finite or NaN")
    return _rwg_j(a, nv)


def _rwg_j(x: np.ndarray, null_variance: float) -> np.ndarray:
    """rwg(J) per group of x (raters x groups x items, NaN missing); no validation."""
    var = _item_variances(x)  # groups x items
    j = np.sum(~np.isnan(var), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_var = np.nansum(var, axis=-1) / j
        ratio = np.minimum(mean_var / null_variance, 1.0)
        out = j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio)
    return np.where(j > 0, out, np.nan)
