r"""Internal-consistency reliability and classical item analysis.

All functions take a response matrix ``x`` of respondents (rows) by items (columns) with
NaN for a missing answer, and return plain floats or small frozen dataclasses with a
``to_dict()`` that is JSON-ready (NaN becomes ``None``).

Missing data
------------
``"pairwise"`` (the default wherever there is a choice) builds the item covariance matrix
from pairwise-complete rows, as R's ``cov(x, use = "pairwise")`` and ``psych::alpha``
do: the covariance of items i and j uses the rows where both are answered, with the means
of those rows; the variance of item i uses every row where i is answered. The correlation
matrix is the rescaled covariance matrix (``cov2cor``), as in ``psych::alpha``.
``"listwise"`` first drops every row with a missing answer. :func:`split_half` always
works listwise, because half-test sums need every item.

Which n
-------
The n of a pairwise statistic is the *smallest pairwise n*: the fewest rows on which any
entry of the covariance matrix rests. It equals the number of rows on complete data and
is never larger than any entry's own n, so an interval built on it is not narrower than
the data support. (The number of complete rows would be more conservative still, but it
collapses towards zero under planned or scattered missingness, e.g. 11 % of rows when
ten items each miss 20 % at random, making the interval useless.) Listwise n is the
number of complete rows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from scipy import special

__all__ = [
    "Alpha",
    "ItemAnalysis",
    "SplitHalf",
    "cronbach_alpha",
    "guttman_lambda6",
    "item_analysis",
    "omega_total",
    "spearman_brown",
    "split_half",
]

Missing = Literal["pairwise", "listwise"]

FLAG_NEGATIVE = "negative r_drop"
FLAG_WEAK = "weak r_drop (< .20)"
FLAG_ALPHA_RISES = "alpha rises when deleted"
WEAK_R_DROP = 0.20


# --------------------------------------------------------------------------- helpers


def _json_float(v: float) -> float | None:
    v = float(v)
    return None if math.isnan(v) else v


def _json_list(a: np.ndarray) -> list[float | None]:
    return [_json_float(v) for v in np.asarray(a, dtype=float).ravel()]


def _matrix(x: np.ndarray, *, min_items: int = 2, check_finite: bool = True) -> np.ndarray:
    m = np.asarray(x, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"x must be a 2-D respondents x items matrix, got {m.ndim} dimension(s)")
    if m.shape[1] < min_items:
        raise ValueError(f"x must have at least {min_items} items (columns), got {m.shape[1]}")
    if check_finite:
        _check_finite(m)
    return m


def _check_finite(m: np.ndarray) -> None:
    if np.isinf(m).any():
        raise ValueError("x must be finite or NaN")


def _listwise(m: np.ndarray) -> np.ndarray:
    complete: np.ndarray = m[~np.isnan(m).any(axis=1)]
    return complete


# Large data are worked on in row blocks of about _BLOCK_VALUES values, so temporaries
# stay in the processor's cache and none is as large as the data (fresh memory costs a
# page fault per 4 KiB on first touch, which for a 100,000 x 40 matrix takes about as
# long as the arithmetic).
_BLOCK_VALUES = 1 << 17  # values per row block of a temporary (1 MiB of float64)
_SHIFT_ROWS = 64  # rows looked at for the pairwise shift (and for an early NaN)
_DOT_ROWS = 10_000  # longest dot product OpenBLAS runs on the calling thread (ddot)
_SUM_GROUP = 8  # rows taken side by side in the column sums of squares (longer loops)


def _block_rows(rows: int, width: int) -> int:
    """Rows per block so that a block of ``width`` columns holds about _BLOCK_VALUES."""
    return max(1, min(rows, _BLOCK_VALUES // max(width, 1)))


def _column_sums(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column sums and column sums of squares of ``m``.

    A C-contiguous matrix is read once, a row block of about _BLOCK_VALUES values (a
    multiple of _SUM_GROUP rows) at a time. The block's sums of squares come first, from
    an einsum over its grouped view (_SUM_GROUP rows as one row of 8 k values, a free
    reshape, so numpy's inner loop runs over 8 k values instead of k); that brings the
    block into the cache, where its column sums are then one small matrix product,
    ``ones(2, r) @ block`` (two rows, so that numpy calls a matrix-matrix product, which
    OpenBLAS runs on the calling thread at this size; a matrix-vector product of this size
    would be split across threads). Two separate passes, one per sum, each read the whole
    matrix from memory: at 100,000 x 40, right after other work has filled the cache, they
    took about 2.4 ms and this single pass about 2.1 ms (with the data already in the
    cache, the two are about equal: each sum is bound by its arithmetic).

    The sums are accumulated block by block (at most _BLOCK_VALUES / k rows each). Other
    layouts take one einsum per sum over the whole matrix.
    """
    n, k = m.shape
    whole = n - n % _SUM_GROUP
    if not m.flags.c_contiguous or whole == 0:
        return np.einsum("ij->j", m), np.einsum("ij,ij->j", m, m)
    step = max(_SUM_GROUP, _block_rows(n, k) // _SUM_GROUP * _SUM_GROUP)
    ones = np.ones((2, min(step, whole)))
    sq, sq_blk = np.zeros(_SUM_GROUP * k), np.empty(_SUM_GROUP * k)
    s2, s2_blk = np.zeros((2, k)), np.empty((2, k))  # the two rows are equal
    for start in range(0, whole, step):
        blk = m[start : min(start + step, whole)]
        grouped = blk.reshape(-1, _SUM_GROUP * k)
        sq += np.einsum("ij,ij->j", grouped, grouped, out=sq_blk)
        s2 += np.matmul(ones[:, : blk.shape[0]], blk, out=s2_blk)
    s: np.ndarray = s2[0]
    q: np.ndarray = sq.reshape(_SUM_GROUP, k).sum(axis=0)
    if whole < n:
        tail = m[whole:]
        s += np.einsum("ij->j", tail)
        q += np.einsum("ij,ij->j", tail, tail)
    return s, q


# Complete data: alpha and the item statistics need only the item variances and two or
# three weighted row sums, not the k x k covariance matrix (O(nk) instead of O(nk^2)).
# The item variances come from raw moments, (sum x^2 - (sum x)^2 / n) / (n - 1), whose
# relative error is about eps * sqrt(n) * kappa with kappa = sum x^2 / sum (x - mean)^2
# (cancellation; checked against exact sums: 0.3 to 1 times that). That path is taken only
# while this bound stays below _RAW_MOMENT_TOL (e.g. kappa <= 285 at n = 100,000; Likert
# items have kappa of about 2 to 60); otherwise, and for a constant item (kappa infinite),
# the exact centred covariance matrix is used. Integer data give exact raw moments anyway.
_RAW_MOMENT_TOL = 1e-11
_EPS = float(np.finfo(float).eps)


@dataclass(frozen=True)
class _Moments:
    """Item means and variances (ddof = 1) of a complete, well-conditioned matrix."""

    n: int
    mean: np.ndarray
    var: np.ndarray


def _complete_moments(m: np.ndarray) -> _Moments | None:
    """Raw-moment item statistics, or None when ``m`` has a NaN or inf, fewer than two
    rows, or an item for which raw moments are not accurate (see above)."""
    n = m.shape[0]
    if n < 2 or np.isnan(m[:_SHIFT_ROWS]).any():  # a NaN in the first rows: no full pass
        return None
    s, q = _column_sums(m)
    if not (np.isfinite(s).all() and np.isfinite(q).all()):
        return None  # NaN or inf anywhere makes its column sums so; or overflow
    mean = s / n
    ss = q - s * mean
    if not (ss > 0.0).all():
        return None  # a constant item (whose rounding residue is not 0)
    if float(np.max(q / ss)) * _EPS * math.sqrt(n) > _RAW_MOMENT_TOL:
        return None
    return _Moments(n, mean, ss / (n - 1.0))


# Pairwise data: the covariance of each pair from three matrix products over a copy x0 of
# the data shifted per item and with 0 for NaN, and the 0/1 answered mask o:
#   n_ij = (o'o)_ij, s_ij = (x0'o)_ij (sum of item i over the rows where j is answered,
#   and i too as x0 is 0 elsewhere), p_ij = (x0'x0)_ij,
#   cov_ij = (p_ij - s_ij s_ji / n_ij) / (n_ij - 1),
# which is the covariance over the rows where both are answered, centred on the means of
# those rows: R's cov(x, use = "pairwise") (pairwise.complete.obs). The shift is the
# median of each item's first answers: close to the centre (no cancellation) and, for an
# item with a single value, that value, so its covariances come out exactly 0.
# The three products are the blocks of one symmetric rank-k update (float64 SYRK) of the
# n x 2k matrix w = [x0 o]: w'w = [[p, s], [s', n]], whose upper triangle holds each of
# them once. w is built and multiplied a row block at a time (see _BLOCK_VALUES): built
# whole, it would be twice the data's size in fresh memory.


def _shift(m: np.ndarray) -> np.ndarray:
    if m.shape[0] == 0:
        return np.zeros(m.shape[1])
    head = np.sort(m[:_SHIFT_ROWS], axis=0)  # NaN sorts last
    cnt = np.count_nonzero(~np.isnan(head), axis=0)
    cols = np.arange(m.shape[1])
    lo = head[np.maximum((cnt - 1) // 2, 0), cols]
    hi = head[cnt // 2, cols]
    with np.errstate(invalid="ignore"):
        c: np.ndarray = lo + (hi - lo) / 2.0  # exact when lo == hi
    empty = np.flatnonzero(cnt == 0)
    if empty.size:  # no answer in the first rows: the first answer of the item, if any
        col = m[:, empty]
        first = np.argmax(~np.isnan(col), axis=0)
        c[empty] = col[first, np.arange(empty.size)]
    c[~np.isfinite(c)] = 0.0
    return c


@dataclass(frozen=True)
class _Pairwise:
    """Pairwise covariance matrix (ddof = 1; NaN where n_ij < 2), pairwise n and the
    item means over each item's answered rows."""

    cov: np.ndarray
    n: np.ndarray
    mean: np.ndarray


def _pairwise(m: np.ndarray) -> _Pairwise:
    """Pairwise-complete covariances (see above); raises ValueError if ``m`` holds inf."""
    rows, k = m.shape
    c = _shift(m)
    g = np.zeros((2 * k, 2 * k))  # w'w over the blocks with a NaN
    p0 = np.zeros((k, k))  # x0'x0, column sums and rows of the blocks without one
    t0 = np.zeros(k)
    r0 = 0
    step = _block_rows(rows, 2 * k)
    # Element-wise work runs on flat contiguous blocks where it can (one long loop each;
    # a 2-D operation on rows of k values pays numpy's per-row overhead once per row),
    # and the results are then written into the two halves of w.
    c_rows = np.tile(c, step)
    x0_flat = np.empty(step * k)
    nan_flat = np.empty(step * k, dtype=bool)
    w_buf = np.empty((step, 2 * k))
    with np.errstate(invalid="ignore", over="ignore"):
        for start in range(0, rows, step):
            blk = m[start : start + step]
            r, size = blk.shape[0], blk.size
            flat = blk.reshape(-1)  # a view when m is C-contiguous, else a block copy
            x0, nan = x0_flat[:size], nan_flat[:size]
            np.subtract(flat, c_rows[:size], out=x0)
            np.isnan(flat, out=nan)
            if nan.any():
                np.copyto(x0, 0.0, where=nan)
                w = w_buf[:r]
                w[:, :k] = x0.reshape(r, k)
                np.logical_not(nan.reshape(r, k), out=w[:, k:])  # o, as 0.0 / 1.0
                g += w.T @ w  # one SYRK: p, s and n of this block
            else:  # o is all ones: s_ij is the column sum of item i, n_ij the rows
                xb = x0.reshape(r, k)
                p0 += xb.T @ xb
                t0 += np.einsum("ij->j", xb)
                r0 += r
        p = g[:k, :k] + p0
    if not np.isfinite(np.diagonal(p)).all():  # inf in m, or finite values overflowing
        _check_finite(m)
    s = g[:k, k:] + t0[:, None]
    n_ij = g[k:, k:] + float(r0)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = (p - s * s.T / n_ij) / (n_ij - 1.0)
        mean = c + np.diagonal(s) / np.diagonal(n_ij)
    return _Pairwise(np.where(n_ij >= 2, cov, np.nan), n_ij, mean)


def _cov2cor(cov: np.ndarray) -> np.ndarray:
    d = np.sqrt(np.diag(cov))
    with np.errstate(invalid="ignore", divide="ignore"):
        r: np.ndarray = cov / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    return r


def _alpha_from_cov(cov: np.ndarray) -> float:
    k = cov.shape[0]
    total = cov.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(k / (k - 1.0) * (1.0 - np.trace(cov) / total))


def _std_alpha_from_cor(r: np.ndarray) -> float:
    k = r.shape[0]
    r_bar = (r.sum() - np.trace(r)) / (k * (k - 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(k * r_bar / (1.0 + (k - 1.0) * r_bar))


def _check_cor(r: np.ndarray) -> None:
    if np.isnan(r).any():
        raise ValueError(
            "x gives an undefined correlation (an item with zero variance or fewer than "
            "two rows shared by a pair of items)"
        )


# --------------------------------------------------------------------------- alpha


@dataclass(frozen=True)
class Alpha:
    """Cronbach's alpha with its Feldt interval.

    Attributes
    ----------
    alpha : float
        Raw alpha from the covariance matrix.
    std_alpha : float
        Standardised alpha from the correlation matrix.
    ci : tuple of float
        (lower, upper) Feldt interval at the requested level.
    n : int
        The n used for the interval: smallest pairwise n (pairwise) or the number of
        complete rows (listwise).
    k : int
        Number of items.
    missing : str
        ``"pairwise"`` or ``"listwise"``.
    """

    alpha: float
    std_alpha: float
    ci: tuple[float, float]
    n: int
    k: int
    missing: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "alpha": _json_float(self.alpha),
            "std_alpha": _json_float(self.std_alpha),
            "ci": [_json_float(self.ci[0]), _json_float(self.ci[1])],
            "n": int(self.n),
            "k": int(self.k),
            "missing": self.missing,
        }


def _feldt_ci(alpha: float, n: int, k: int, level: float) -> tuple[float, float]:
    if n < 2 or math.isnan(alpha):
        return (math.nan, math.nan)
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - level) / 2.0
    # quantiles of F(df1, df2): special.fdtri is what scipy.stats.f.ppf evaluates
    lower = 1.0 - (1.0 - alpha) * special.fdtri(df1, df2, 1.0 - tail)
    upper = 1.0 - (1.0 - alpha) * special.fdtri(df1, df2, tail)
    return (float(lower), float(upper))


def cronbach_alpha(x: np.ndarray, *, missing: Missing = "pairwise", ci: float = 0.95) -> Alpha:
    r"""Cronbach's alpha, standardised alpha and the Feldt confidence interval.

    .. math::

        \alpha = \frac{k}{k-1}\left(1 - \frac{\sum_i \sigma_i^2}{\sum_{i,j} \sigma_{ij}}
        \right), \qquad
        \alpha_{std} = \frac{k \bar r}{1 + (k-1) \bar r}

    with :math:`\sigma_{ij}` the item covariance matrix (ddof = 1) and :math:`\bar r` the
    mean off-diagonal correlation. The interval (Feldt, 1965; Feldt, Woodruff & Salih,
    1987) uses :math:`(1-\alpha)/(1-\hat\alpha) \sim F(n-1, (n-1)(k-1))`:

    .. math::

        \text{lower} = 1 - (1-\hat\alpha) F_{1-a/2}, \qquad
        \text{upper} = 1 - (1-\hat\alpha) F_{a/2}, \qquad a = 1 - \text{ci},

    the same orientation as ``psych::alpha.ci``.

    Parameters
    ----------
    x : ndarray
        Respondents x items, NaN missing; at least two items.
    missing : {"pairwise", "listwise"}
        Pairwise-complete covariances (as ``psych::alpha(use = "pairwise")``) or complete
        rows only. See the module docstring.
    ci : float
        Confidence level in (0, 1).

    Returns
    -------
    Alpha
        ``n`` is the n of the interval: the smallest pairwise n under ``"pairwise"``, the
        number of complete rows under ``"listwise"``. NaN where undefined (zero total
        variance, fewer than two rows).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297-334. doi:10.1007/BF02310555
    Feldt, L. S. (1965). The approximate sampling distribution of Kuder-Richardson
    reliability coefficient twenty. *Psychometrika*, 30(3), 357-370.
    doi:10.1007/BF02289499
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
    coefficient alpha. *Applied Psychological Measurement*, 11(1), 93-103.
    doi:10.1177/014662168701100107
    """
    m = _matrix(x, check_finite=False)  # checked below (implied by the fast path)
    if not (isinstance(ci, int | float) and 0.0 < ci < 1.0):
        raise ValueError(f"ci must be a confidence level in (0, 1), got {ci!r}")
    if missing not in ("pairwise", "listwise"):
        raise ValueError(f"missing must be 'pairwise' or 'listwise', got {missing!r}")
    k = m.shape[1]
    mom = _complete_moments(m)  # complete data: both rules use every row
    if mom is None and missing == "listwise":
        m = _listwise(m)
        mom = _complete_moments(m)
    if mom is not None:
        a, std = _alpha_from_moments(m, mom)
        n = mom.n
    else:
        pw = _pairwise(m)  # complete rows only, if listwise
        cov, n = pw.cov, int(pw.n.min())
        a = _alpha_from_cov(cov)
        std = _std_alpha_from_cor(_cov2cor(cov))
    return Alpha(a, std, _feldt_ci(a, n, k, float(ci)), n, k, missing)


def _alpha_from_moments(m: np.ndarray, mom: _Moments) -> tuple[float, float]:
    """Raw and standardised alpha of complete data without the covariance matrix.

    The sum of all covariances is the variance of the total score, and the sum of all
    correlations the variance of the sum of the items each divided by its SD. Both
    scores come from one product per row block, ``block @ [1, 1/sd]``, small enough
    (rows x k x 2 <= 2^18 multiply-adds) for OpenBLAS to run it on the calling thread.
    The scores of up to _DOT_ROWS rows are gathered in one buffer, centred on their exact
    means (known from the item means) and squared with one dot product per score, which
    OpenBLAS also keeps on the calling thread up to that length; so on a busy machine no
    call waits for a second thread.

    The rows are read last block first: the blocks :func:`_column_sums` read last are
    still in the processor's shared cache (about a third of a 100,000 x 40 matrix here),
    so this pass starts without waiting for memory.
    """
    n, k = m.shape
    w = np.ones((k, 2))
    w[:, 1] = 1.0 / np.sqrt(mom.var)
    mu_t, mu_z = (float(v) for v in mom.mean @ w)  # means of the two scores
    step = min(_block_rows(n, k), _DOT_ROWS)  # rows per product
    span = min(n, step * (_DOT_ROWS // step))  # rows per dot product
    buf = np.empty((span, 2))  # scores of up to span rows: total, sum over SDs
    ss_t = ss_z = 0.0
    for first in reversed(range(0, n, span)):
        part = m[first : first + span]
        d = buf[: part.shape[0]]
        for start in reversed(range(0, part.shape[0], step)):
            np.matmul(part[start : start + step], w, out=d[start : start + step])
        t, z = d[:, 0], d[:, 1]
        np.subtract(t, mu_t, out=t)
        np.subtract(z, mu_z, out=z)
        ss_t += float(t @ t)
        ss_z += float(z @ z)
    total, z_var = ss_t / (n - 1.0), ss_z / (n - 1.0)
    r_bar = (z_var - k) / (k * (k - 1.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        a = k / (k - 1.0) * (1.0 - float(mom.var.sum()) / total)
        std = k * r_bar / (1.0 + (k - 1.0) * r_bar)
    return float(a), float(std)


def guttman_lambda6(x: np.ndarray) -> float:
    r"""Guttman's lambda 6 from squared multiple correlations.

    .. math::

        \lambda_6 = 1 - \frac{\sum_i (1 - R^2_{smc,i})}{\sum_{i,j} R_{ij}}, \qquad
        R^2_{smc,i} = 1 - 1 / (R^{-1})_{ii}

    on the pairwise correlation matrix R (``psych::alpha``'s ``G6(smc)``).

    Raises ``ValueError`` if R is singular (an item is a linear function of the others)
    or undefined.

    References
    ----------
    Guttman, L. (1945). A basis for analyzing test-retest reliability. *Psychometrika*,
    10(4), 255-282. doi:10.1007/BF02288892
    """
    m = _matrix(x, check_finite=False)  # _pairwise checks
    r = _cov2cor(_pairwise(m).cov)
    _check_cor(r)
    try:
        inv = np.linalg.inv(r)
    except np.linalg.LinAlgError:
        raise ValueError("x gives a singular correlation matrix") from None
    if np.linalg.cond(r) > 1e12:
        raise ValueError("x gives a singular correlation matrix")
    smc = 1.0 - 1.0 / np.diag(inv)
    return float(1.0 - np.sum(1.0 - smc) / r.sum())


def spearman_brown(r: float | np.ndarray, factor: float) -> float | np.ndarray:
    r"""Spearman-Brown prophecy: reliability of a test ``factor`` times as long.

    .. math:: r^* = \frac{f r}{1 + (f - 1) r}

    Vectorised over ``r``; ``factor`` must be > 0 (use a fraction to shorten).

    References
    ----------
    Brown, W. (1910). Some experimental results in the correlation of mental abilities.
    *British Journal of Psychology*, 3(3), 296-322.
    doi:10.1111/j.2044-8295.1910.tb00207.x
    Spearman, C. (1910). Correlation calculated from faulty data. *British Journal of
    Psychology*, 3(3), 271-295. doi:10.1111/j.2044-8295.1910.tb00206.x
    """
    if not factor > 0:
        raise ValueError(f"factor must be > 0, got {factor!r}")
    rr = np.asarray(r, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = factor * rr / (1.0 + (factor - 1.0) * rr)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------- split half


@dataclass(frozen=True)
class SplitHalf:
    """Split-half correlation ``r`` and its Spearman-Brown step-up to full length."""

    r: float
    spearman_brown: float

    def to_dict(self) -> dict[str, Any]:
        return {"r": _json_float(self.r), "spearman_brown": _json_float(self.spearman_brown)}


def _column_corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of matching columns of a and b (n x s each)."""
    da = a - a.mean(axis=0)
    db = b - b.mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        r: np.ndarray = (da * db).sum(axis=0) / np.sqrt(
            (da * da).sum(axis=0) * (db * db).sum(axis=0)
        )
    return r


def split_half(
    x: np.ndarray,
    *,
    method: Literal["odd_even", "random"] = "odd_even",
    n_splits: int = 1000,
    rng: np.random.Generator | None = None,
) -> SplitHalf:
    r"""Split-half reliability with the Spearman-Brown correction (listwise).

    ``"odd_even"``: r is the Pearson correlation between the sums of items 1, 3, 5, ...
    and items 2, 4, 6, ... (1-based), and ``spearman_brown`` is
    :math:`2r / (1 + r)`.

    ``"random"``: ``n_splits`` random splits, each putting a random floor(k/2) items in
    one half and the rest in the other (drawn with ``rng``, which is required). ``r`` is
    the mean split-half correlation and ``spearman_brown`` the mean of the per-split
    corrected values (not the correction of the mean r). Splits are drawn independently,
    so the same split may occur more than once. Each split's halves are compared through
    the item covariance matrix C (with a and b = 1 - a the split's item indicators:
    :math:`\mathrm{var}_A = a^T C a`, :math:`\mathrm{cov}_{AB} = a^T C b`), so memory grows
    with splits x items, not with the number of rows.

    Rows with any missing item are dropped (listwise). NaN if fewer than two rows remain
    or a half has zero variance.

    References
    ----------
    Spearman, C. (1910). Correlation calculated from faulty data. *British Journal of
    Psychology*, 3(3), 271-295. doi:10.1111/j.2044-8295.1910.tb00206.x
    Brown, W. (1910). Some experimental results in the correlation of mental abilities.
    *British Journal of Psychology*, 3(3), 296-322.
    doi:10.1111/j.2044-8295.1910.tb00207.x
    """
    m = _listwise(_matrix(x))
    k = m.shape[1]
    if method == "odd_even":
        a = m[:, 0::2].sum(axis=1, keepdims=True)
        b = m[:, 1::2].sum(axis=1, keepdims=True)
        r = float(_column_corr(a, b)[0]) if m.shape[0] >= 2 else math.nan
        return SplitHalf(r, float(spearman_brown(r, 2.0)))
    if method != "random":
        raise ValueError(f"method must be 'odd_even' or 'random', got {method!r}")
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator for method='random'")
    if not (isinstance(n_splits, int | np.integer) and n_splits >= 1):
        raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}")
    if m.shape[0] < 2:
        return SplitHalf(math.nan, math.nan)
    order = rng.permuted(np.tile(np.arange(k), (int(n_splits), 1)), axis=1)
    in_a = np.zeros((int(n_splits), k))
    np.put_along_axis(in_a, order[:, : k // 2], 1.0, axis=1)
    centred = m - m.mean(axis=0)
    cov = centred.T @ centred  # k x k (a common factor cancels in r)
    a_cov = in_a @ cov  # n_splits x k
    var_a = np.einsum("sk,sk->s", a_cov, in_a)
    with_total = a_cov.sum(axis=1)  # cov(A, A + B)
    cov_ab = with_total - var_a
    var_b = cov.sum() - 2 * with_total + var_a
    scale = max(1.0, float(np.abs(cov).max()))
    flat = ~(var_a > 1e-12 * scale) | ~(var_b > 1e-12 * scale)
    with np.errstate(invalid="ignore", divide="ignore"):
        r_split = np.where(flat, np.nan, cov_ab / np.sqrt(var_a * var_b))
    r_split = np.clip(r_split, -1.0, 1.0)
    sb = spearman_brown(r_split, 2.0)
    return SplitHalf(float(np.mean(r_split)), float(np.mean(sb)))


# --------------------------------------------------------------------------- omega


def _one_factor_minres(r: np.ndarray) -> np.ndarray:
    """Loadings of a one-factor model minimising the off-diagonal squared residuals."""
    k = r.shape[0]
    iu, ju = np.triu_indices(k, 1)
    target = r[iu, ju]

    def resid(lam: np.ndarray) -> np.ndarray:
        res: np.ndarray = lam[iu] * lam[ju] - target
        return res

    def jac(lam: np.ndarray) -> np.ndarray:
        j = np.zeros((iu.size, k))
        rows = np.arange(iu.size)
        j[rows, iu] = lam[ju]
        j[rows, ju] = lam[iu]
        return j

    # start: square roots of the squared multiple correlations (communality estimates)
    # (a 0 on the inverse's diagonal, from a nearly singular R, gives -inf: clipped below)
    try:
        with np.errstate(divide="ignore"):
            smc = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        smc = np.full(k, 0.5)
    start = np.sqrt(np.clip(smc, 0.05, 0.95))
    # imported here, not with the module: scipy.optimize takes about 0.3 s to import
    # (half of the server's start-up beside the rest of scipy) and only this fit needs it
    from scipy import optimize

    fit = optimize.least_squares(resid, start, jac=jac, bounds=(-1.0, 1.0), method="trf")
    lam: np.ndarray = fit.x
    return lam if lam.sum() >= 0 else -lam


def omega_total(x: np.ndarray) -> float:
    r"""McDonald's omega total from a one-factor minres model.

    A single common factor is fitted to the pairwise correlation matrix R by minimum
    residuals (unweighted least squares): the standardised loadings λ minimise
    :math:`\sum_{i<j} (R_{ij} - \lambda_i \lambda_j)^2` (scipy ``least_squares``, loadings
    bounded to [-1, 1] so no uniqueness is negative). With uniquenesses
    :math:`\psi_i = 1 - \lambda_i^2`,

    .. math:: \omega = \frac{(\sum_i \lambda_i)^2}{(\sum_i \lambda_i)^2 + \sum_i (1 - \lambda_i^2)}

    Needs at least three items (two items do not identify a one-factor model). With equal
    loadings (tau-equivalent standardised items) omega equals standardised alpha.

    References
    ----------
    McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Lawrence Erlbaum
    Associates (ch. 6).
    Harman, H. H., & Jones, W. H. (1966). Factor analysis by minimizing residuals
    (minres). *Psychometrika*, 31(3), 351-368. doi:10.1007/BF02289468
    """
    m = _matrix(x, min_items=3, check_finite=False)  # _pairwise checks
    r = _cov2cor(_pairwise(m).cov)
    _check_cor(r)
    lam = _one_factor_minres(r)
    common = lam.sum() ** 2
    return float(common / (common + np.sum(1.0 - lam**2)))


# --------------------------------------------------------------------------- items


@dataclass(frozen=True, eq=False)
class ItemAnalysis:
    """Classical item statistics, one entry per item (column order of ``x``).

    Attributes
    ----------
    mean, sd : ndarray
        Mean and sample SD (ddof = 1) over the answered rows, after reverse keying.
    n : ndarray
        Number of answered rows per item.
    p : ndarray
        Proportion endorsing (mean) for items whose answers are all 0 or 1, NaN otherwise.
    r_drop : ndarray
        Corrected item-total correlation (item vs the sum of the other items).
    alpha_if_deleted : ndarray
        Cronbach's alpha of the remaining items.
    flags : tuple of tuple of str
        Per item, any of ``"negative r_drop"``, ``"weak r_drop (< .20)"``,
        ``"alpha rises when deleted"``.
    """

    mean: np.ndarray
    sd: np.ndarray
    n: np.ndarray
    p: np.ndarray
    r_drop: np.ndarray
    alpha_if_deleted: np.ndarray
    flags: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "mean": _json_list(self.mean),
            "sd": _json_list(self.sd),
            "n": [int(v) for v in self.n],
            "p": _json_list(self.p),
            "r_drop": _json_list(self.r_drop),
            "alpha_if_deleted": _json_list(self.alpha_if_deleted),
            "flags": [list(f) for f in self.flags],
        }


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


def _dichotomous(m: np.ndarray, mean: np.ndarray, var: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Items with at least one answer, every answer 0 or 1.

    Such an item has 0 <= mean <= 1 and the largest variance possible there,
    mean (1 - mean) n / (n - 1); only items passing that test are checked value by value.
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        bound = mean * (1.0 - mean) * n / (n - 1.0)
        maybe = (n > 0) & (mean >= -1e-12) & (mean <= 1.0 + 1e-12)
        maybe &= ~(var < bound * (1.0 - 1e-9))  # NaN variance (one answer) passes
    out = np.zeros(m.shape[1], dtype=bool)
    idx = np.flatnonzero(maybe)
    if idx.size:
        sub = m[:, idx]
        out[idx] = np.all(np.isnan(sub) | (sub == 0.0) | (sub == 1.0), axis=0)
    return out


def item_analysis(
    x: np.ndarray,
    *,
    reverse: Sequence[int] = (),
    scale: tuple[float, float] | None = None,
) -> ItemAnalysis:
    r"""Item means, SDs, p values, corrected item-total correlations and alpha if deleted.

    Items listed in ``reverse`` (0-based column indices) are first reverse keyed as
    ``min + max - x`` with ``scale = (min, max)``, which is then required.

    Everything rests on the pairwise covariance matrix C (see the module docstring), as
    ``psych::alpha`` does, so ``alpha_if_deleted[i]`` equals
    ``cronbach_alpha(x without item i).alpha`` also with missing data. The corrected
    item-total correlation is the correlation of item i with the sum of the others,
    expressed through C:

    .. math::

        r_{drop,i} = \frac{\sum_{j \ne i} C_{ij}}
        {\sqrt{C_{ii} \sum_{j \ne i} \sum_{l \ne i} C_{jl}}}

    On complete data this is exactly the Pearson correlation of the item with the rest
    score; with missing data each covariance uses its pairwise-complete rows.
    ``alpha_if_deleted`` needs at least three items (NaN otherwise).

    Flags: ``"negative r_drop"`` if r_drop < 0; ``"weak r_drop (< .20)"`` if
    0 <= r_drop < .20; ``"alpha rises when deleted"`` if alpha_if_deleted > alpha of all
    items.

    References
    ----------
    Crocker, L., & Algina, J. (1986). *Introduction to Classical and Modern Test Theory*.
    Holt, Rinehart and Winston, ch. 14 (item analysis; corrected item-total correlation).
    Revelle, W. *psych: Procedures for Psychological, Psychometric, and Personality
    Research* (R package), ``psych::alpha`` (``r.drop``, ``alpha.drop``).
    """
    m = _matrix(x, check_finite=False)  # checked below (implied by the fast path)
    k = m.shape[1]
    rev = np.asarray(list(reverse), dtype=int).ravel()
    if rev.size:
        if scale is None:
            raise ValueError("scale (min, max) is required when reverse is given")
        if len(scale) != 2 or not float(scale[0]) < float(scale[1]):
            raise ValueError(f"scale must be (min, max) with min < max, got {scale!r}")
        if ((rev < -k) | (rev >= k)).any():
            raise ValueError(f"reverse holds an item index outside 0..{k - 1}: {list(reverse)}")
        m = m.copy()
        m[:, rev] = float(scale[0]) + float(scale[1]) - m[:, rev]

    mom = _complete_moments(m)
    if mom is not None:
        # complete data: the covariance matrix enters only through its diagonal, its row
        # sums (cov(item, total) = x'(t - mean t) / (n - 1)) and its sum (var(total))
        n = np.full(k, mom.n)
        mean, diag = mom.mean, mom.var
        tc = m @ np.ones(k) - mean.sum()  # centred total score
        row = (m.T @ tc - mean * tc.sum()) / (mom.n - 1.0)
        total = float(tc @ tc) / (mom.n - 1.0)
        trace = float(diag.sum())
    else:
        pw = _pairwise(m)
        cov = pw.cov
        n = np.diagonal(pw.n).astype(int)
        mean, diag = pw.mean, np.diag(cov)
        row = cov.sum(axis=1)
        total = cov.sum()
        trace = np.trace(cov)
    sd = np.sqrt(np.maximum(diag, 0.0))  # a constant item: exactly 0; NaN stays NaN
    p = np.where(_dichotomous(m, mean, diag, n), mean, np.nan)

    rest_cov = row - diag  # cov(item i, rest score)
    rest_var = total - 2.0 * row + diag  # var(rest score)
    trace_rest = trace - diag
    with np.errstate(invalid="ignore", divide="ignore"):
        r_drop = rest_cov / np.sqrt(diag * rest_var)
        if k >= 3:
            alpha_del = (k - 1.0) / (k - 2.0) * (1.0 - trace_rest / rest_var)
        else:
            alpha_del = np.full(k, np.nan)
        alpha_all = float(k / (k - 1.0) * (1.0 - trace / total))

    flags = tuple(
        tuple(
            f
            for f, on in (
                (FLAG_NEGATIVE, rd < 0),
                (FLAG_WEAK, 0 <= rd < WEAK_R_DROP),
                (FLAG_ALPHA_RISES, ad > alpha_all),
            )
            if on
        )
        for rd, ad in zip(r_drop.tolist(), alpha_del.tolist(), strict=True)
    )
    return ItemAnalysis(
        mean=_frozen(mean),
        sd=_frozen(sd),
        n=_frozen(n),
        p=_frozen(p),
        r_drop=_frozen(r_drop),
        alpha_if_deleted=_frozen(alpha_del),
        flags=flags,
    )
