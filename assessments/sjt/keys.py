"""Scoring keys for situational judgement tests (SJTs).

A key says how effective each response option of each item is. It comes from a panel of
subject-matter experts (:func:`expert_key`), is typed in directly (:func:`direct_key`) or
is learned from a sample of respondents (:class:`assessments.sjt.scoring.ConsensusKey`).

Array conventions
-----------------
Items have 4-6 response options. Arrays put options on the last axis, padded to the
largest option count; ``valid`` (items x options, bool) tells which options exist. Values
on padded positions are ignored whatever they hold; outputs hold NaN (floats), ``0``
(option keys) or ``-1`` (option indices) there. Option indices are 0-based positions in
the item's canonical option order. Missing values are NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assessments.psychometrics.agreement import rwg_j_groups
from assessments.psychometrics.conversions import average_ranks

__all__ = [
    "ExpertKey",
    "direct_key",
    "expert_agreement",
    "expert_key",
    "key_ranks",
    "option_keys",
]


#: Effectiveness values equal to this many decimal places are ties (see :func:`key_ranks`).
TIE_DECIMALS = 9
#: Values closer than this (relative to the scale's width) count as equal: a candidate
#: whose ratings vary less does not vary, and a key whose options differ less does not
#: discriminate (also used by :mod:`assessments.sjt.scoring`).
FLAT = 1e-9


# --- shared validation (also used by scoring.py and simulate.py) -----------------------


def _valid_mask(valid: np.ndarray, *, min_options: int = 2) -> np.ndarray:
    """Return ``valid`` as a 2-D bool array, checking every item has ``min_options``."""
    v = np.asarray(valid)
    if v.ndim != 2:
        raise ValueError(f"valid must be a 2-D items x options array, got shape {v.shape}")
    if v.dtype != bool:
        if not np.isin(v, (0, 1)).all():
            raise ValueError("valid must hold booleans (True where the option exists)")
        v = v.astype(bool)
    counts = v.sum(axis=1)
    short = np.flatnonzero(counts < min_options)
    if short.size:
        raise ValueError(
            f"valid: every item needs at least {min_options} options; "
            f"item(s) {short.tolist()} have fewer"
        )
    return v


def _check_scale(scale: tuple[float, float]) -> tuple[float, float]:
    try:
        lo, hi = (float(s) for s in scale)
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a (min, max) pair, got {scale!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"scale must be a (min, max) pair with min < max, got {scale!r}")
    return lo, hi


def _check_in_scale(
    x: np.ndarray, valid: np.ndarray, scale: tuple[float, float], name: str
) -> None:
    """Raise when a non-missing value on a valid option lies outside ``scale``."""
    lo, hi = scale
    bad = ((x < lo) | (x > hi) | np.isinf(x)) & valid
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must lie within the scale {lo:g}..{hi:g}; found {x[where]!r} at index {where}"
        )


def _key_matrix(effectiveness: np.ndarray, valid: np.ndarray, name: str) -> np.ndarray:
    """A complete items x options key: finite on valid options, NaN on padding."""
    k = np.asarray(effectiveness, dtype=float)
    if k.shape != valid.shape:
        raise ValueError(
            f"{name} must have the shape of valid (items x options) {valid.shape}, got {k.shape}"
        )
    missing = ~np.isfinite(k) & valid
    if missing.any():
        item, option = (int(i) for i in np.argwhere(missing)[0])
        raise ValueError(
            f"{name} must be finite for every valid option; item {item} option {option} is not"
        )
    return np.where(valid, k, np.nan)


def _best_worst(means: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index of the highest and lowest mean per item (first on ties, -1 when none)."""
    usable = valid & np.isfinite(means)
    best = np.where(usable, means, -np.inf).argmax(axis=1)
    worst = np.where(usable, means, np.inf).argmin(axis=1)
    none = ~usable.any(axis=1)
    best[none] = -1
    worst[none] = -1
    return best, worst


FLAT_REASON = "every option has the same effectiveness: the key cannot discriminate"


def _flat(means: np.ndarray, valid: np.ndarray, width: float) -> np.ndarray:
    """Items whose options all have the same mean (within ``FLAT`` of ``width``)."""
    usable = valid & np.isfinite(means)
    top = np.where(usable, means, -np.inf).max(axis=1)
    bottom = np.where(usable, means, np.inf).min(axis=1)
    with np.errstate(invalid="ignore"):
        flat: np.ndarray = usable.any(axis=1) & ~(top - bottom > FLAT * width)
    return flat


def _separation(means: np.ndarray, valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gap between the best and runner-up mean, and between the runner-up-worst and worst."""
    usable = valid & np.isfinite(means)
    top = np.sort(np.where(usable, means, -np.inf), axis=1)[:, ::-1]
    bottom = np.sort(np.where(usable, means, np.inf), axis=1)
    with np.errstate(invalid="ignore"):
        best_gap = top[:, 0] - top[:, 1]
        worst_gap = bottom[:, 1] - bottom[:, 0]
    best_gap[~np.isfinite(best_gap)] = np.nan
    worst_gap[~np.isfinite(worst_gap)] = np.nan
    return best_gap, worst_gap


# --- keys -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ExpertKey:
    """An effectiveness key for every option of every item, with its quality checks.

    Attributes
    ----------
    effectiveness : ndarray, items x options
        Mean effectiveness per option (NaN on padding).
    sd : ndarray, items x options
        Standard deviation of the expert ratings (ddof=1); NaN with fewer than two
        ratings and for a key entered directly.
    n_experts : ndarray of int, items x options
        Experts who rated the option (0 for a direct key and on padding).
    best, worst : ndarray of int, items
        Option index of the highest and the lowest mean (first index on ties).
    rwg : ndarray, items
        Within-group agreement rwg(J) of the experts over the item's options
        (NaN for a direct key).
    flagged : ndarray of bool, items
        Items whose key should be reviewed before use.
    reasons : tuple of tuple of str
        Why each item was flagged (an empty tuple when it was not).
    rule : str
        The flagging rule in words, with the thresholds used.
    """

    effectiveness: np.ndarray
    sd: np.ndarray
    n_experts: np.ndarray
    best: np.ndarray
    worst: np.ndarray
    rwg: np.ndarray
    flagged: np.ndarray
    reasons: tuple[tuple[str, ...], ...]
    rule: str

    @property
    def n_items(self) -> int:
        return int(self.effectiveness.shape[0])


def expert_agreement(
    ratings: np.ndarray, valid: np.ndarray, *, scale: tuple[float, float] = (1, 7)
) -> np.ndarray:
    """Within-group agreement rwg(J) of judges over the options of each item.

    The J "items" of the index are an SJT item's options; the judges are the experts.

    .. math::

        r_{wg(J)} = \\frac{J(1 - \\bar s^2/\\sigma^2_{EU})}
                         {J(1 - \\bar s^2/\\sigma^2_{EU}) + \\bar s^2/\\sigma^2_{EU}},
        \\qquad \\sigma^2_{EU} = \\frac{A^2 - 1}{12}

    where :math:`\\bar s^2` is the mean over the options of the judges' variance
    (ddof=1) and A the number of scale points (``max - min + 1``: 7 for a 1-7 scale,
    so :math:`\\sigma^2_{EU} = 4`). When
    :math:`\\bar s^2 > \\sigma^2_{EU}` the observed variance is truncated to the expected
    one, which gives 0 (James, Demaree & Wolf 1984), so the index lies in [0, 1].
    Computed by :func:`assessments.psychometrics.agreement.rwg_j_groups` (the SJT items
    are its groups, their options its items).

    Parameters
    ----------
    ratings : ndarray, judges x items x options
        Ratings, NaN where a judge skipped an option.
    valid : ndarray of bool, items x options
    scale : (min, max)
        The rating scale; its integer points define A.

    Returns
    -------
    ndarray, items
        rwg(J). Missing data are handled pairwise: each option's variance uses the judges
        who rated it, and J counts the valid options rated by at least two judges. NaN
        when no option has two ratings.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
    reliability with and without response bias. *Journal of Applied Psychology*, 69(1),
    85-98. doi:10.1037/0021-9010.69.1.85

    LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
    reliability and interrater agreement. *Organizational Research Methods*, 11(4),
    815-852. doi:10.1177/1094428106296642
    """
    v = _valid_mask(valid)
    lo, hi = _check_scale(scale)
    r = np.asarray(ratings, dtype=float)
    if r.ndim != 3 or r.shape[1:] != v.shape:
        raise ValueError(
            f"ratings must be judges x items x options with items x options = {v.shape}, "
            f"got shape {r.shape}"
        )
    return rwg_j_groups(r, options=_scale_points(lo, hi), valid=v)


def _scale_points(lo: float, hi: float) -> int:
    """A, the number of integer points of the rating scale (7 for 1-7)."""
    a = int(np.floor(hi - lo)) + 1
    if a < 2:
        raise ValueError(f"scale must span at least two points for rwg(J), got {lo:g}..{hi:g}")
    return a


def _rwg_reason(rwg: float, rwg_min: float) -> str:
    if np.isnan(rwg):
        return "rwg(J) undefined (no option rated by two experts)"
    return f"rwg(J) {rwg:.2f} < {rwg_min:g}"


def expert_key(
    ratings: np.ndarray,
    valid: np.ndarray,
    *,
    scale: tuple[float, float] = (1, 7),
    rwg_min: float = 0.70,
    margin: float = 0.5,
    min_experts: int = 3,
) -> ExpertKey:
    """Build a rate-format key from expert effectiveness ratings and check its quality.

    ``effectiveness`` is each option's mean rating over the experts who rated it
    (pairwise: an expert who skipped one option still counts for the others), ``sd`` its
    standard deviation (ddof=1), ``best``/``worst`` the options with the highest and
    lowest mean (first index on ties) and ``rwg`` the agreement rwg(J) over each item's
    options (see :func:`expert_agreement`).

    Flagging rule: an item is flagged when any of

    * every option has the same mean (within ``1e-9`` of the scale's width): the key
      cannot discriminate between options, so most/least, option-key, rank and
      correlation scoring leave the item out and their new forms do not take it,
    * ``rwg < rwg_min`` (the experts do not agree; LeBreton & Senter 2008 discuss .70 as
      the conventional cut-off),
    * the best option's mean exceeds the runner-up's by no more than ``margin``
      (``gap <= margin``: the key does not separate them; the same for the worst option
      and the second worst),
    * some valid option was rated by fewer than ``min_experts`` experts.

    Parameters
    ----------
    ratings : ndarray, experts x items x options
        Effectiveness ratings on ``scale``; NaN where an expert skipped an option.
    valid : ndarray of bool, items x options
    scale : (min, max)
        Rating scale, 1-7 by default; a rating outside it raises ValueError.
    rwg_min, margin, min_experts : float, float, int
        Thresholds of the flagging rule.

    Returns
    -------
    ExpertKey

    References
    ----------
    James, Demaree & Wolf (1984); LeBreton & Senter (2008), see :func:`expert_agreement`.
    """
    v = _valid_mask(valid)
    lo, hi = _check_scale(scale)
    r = np.asarray(ratings, dtype=float)
    if r.ndim != 3 or r.shape[1:] != v.shape:
        raise ValueError(
            f"ratings must be experts x items x options with items x options = {v.shape}, "
            f"got shape {r.shape}"
        )
    if not 0 <= rwg_min <= 1:
        raise ValueError(f"rwg_min must lie in [0, 1], got {rwg_min}")
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    if min_experts < 1:
        raise ValueError(f"min_experts must be >= 1, got {min_experts}")
    _check_in_scale(r, v, (lo, hi), "ratings")
    r = np.where(v, r, np.nan)

    n = np.sum(~np.isnan(r), axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(r, axis=0) / n
        var = np.nansum((r - mean) ** 2, axis=0) / (n - 1)
    mean = np.where(v & (n > 0), mean, np.nan)
    sd = np.where(v & (n >= 2), np.sqrt(var), np.nan)
    rwg = rwg_j_groups(r, options=_scale_points(lo, hi))  # padding is NaN already
    best, worst = _best_worst(mean, v)
    best_gap, worst_gap = _separation(mean, v)
    fewest = np.where(v, n, np.iinfo(np.int64).max).min(axis=1)

    low_rwg = ~(rwg >= rwg_min)  # NaN rwg (no option with two ratings) counts as low
    best_close = ~(best_gap > margin)
    worst_close = ~(worst_gap > margin)
    few = fewest < min_experts
    flat = _flat(mean, v, hi - lo)
    reasons = tuple(
        tuple(
            text
            for cond, text in (
                (flat[i], FLAT_REASON),
                (low_rwg[i], _rwg_reason(rwg[i], rwg_min)),
                (best_close[i], f"best option within {margin:g} of the runner-up"),
                (worst_close[i], f"worst option within {margin:g} of the second worst"),
                (few[i], f"an option rated by {fewest[i]} < {min_experts} experts"),
            )
            if cond
        )
        for i in range(v.shape[0])
    )
    rule = (
        f"flag an item when rwg(J) < {rwg_min:g}, when the best (or worst) option's mean "
        f"is within {margin:g} of the runner-up (gap <= {margin:g}), or when a valid "
        f"option was rated by fewer than {min_experts} experts"
    )
    return ExpertKey(
        effectiveness=mean,
        sd=sd,
        n_experts=np.where(v, n, 0),
        best=best,
        worst=worst,
        rwg=rwg,
        flagged=flat | low_rwg | best_close | worst_close | few,
        reasons=reasons,
        rule=rule,
    )


def direct_key(effectiveness: np.ndarray, valid: np.ndarray, *, margin: float = 0.0) -> ExpertKey:
    """Wrap an effectiveness key entered directly (no expert ratings) as an ExpertKey.

    ``sd`` and ``rwg`` are NaN and ``n_experts`` is 0. Items are flagged only when every
    option has the same effectiveness (the key cannot discriminate) or when the best (or
    worst) option is within ``margin`` of the runner-up (``gap <= margin``); the default 0
    flags exact ties, which would make best/worst scoring ambiguous.

    Parameters
    ----------
    effectiveness : ndarray, items x options
        Effectiveness of every valid option (any finite numbers; padding ignored).
    valid : ndarray of bool, items x options
    margin : float
        Separation required between best (worst) and the runner-up.
    """
    v = _valid_mask(valid)
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    k = _key_matrix(effectiveness, v, "effectiveness")
    best, worst = _best_worst(k, v)
    best_gap, worst_gap = _separation(k, v)
    best_close = ~(best_gap > margin)
    worst_close = ~(worst_gap > margin)
    usable = np.where(v, k, np.nan)
    flat = _flat(k, v, float(np.nanmax(usable) - np.nanmin(usable)) or 1.0)
    reasons = tuple(
        tuple(
            text
            for cond, text in (
                (flat[i], FLAT_REASON),
                (best_close[i], f"best option within {margin:g} of the runner-up"),
                (worst_close[i], f"worst option within {margin:g} of the second worst"),
            )
            if cond
        )
        for i in range(v.shape[0])
    )
    nan = np.full(v.shape[0], np.nan)
    return ExpertKey(
        effectiveness=k,
        sd=np.full(v.shape, np.nan),
        n_experts=np.zeros(v.shape, dtype=np.int64),
        best=best,
        worst=worst,
        rwg=nan,
        flagged=flat | best_close | worst_close,
        reasons=reasons,
        rule=(
            f"direct key: flag an item when the best (or worst) option is within "
            f"{margin:g} of the runner-up (gap <= {margin:g})"
        ),
    )


def key_ranks(effectiveness: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """Rank the options of each item by effectiveness: 1 = most effective.

    Ties get the average of the ranks they span (``[6, 6, 2]`` -> ``[1.5, 1.5, 3]``), so
    an item's ranks always sum to n(n + 1)/2. Padding is NaN. Effectiveness values equal
    to ``TIE_DECIMALS`` (9) decimal places tie: a mean or share that is equal in exact
    arithmetic but not in floating point (``0 - .2`` and ``.4 - .6``) must not decide an
    order.

    Parameters
    ----------
    effectiveness : ndarray, items x options
    valid : ndarray of bool, items x options
    """
    v = _valid_mask(valid)
    k = _key_matrix(effectiveness, v, "effectiveness")
    return average_ranks(-np.round(k, TIE_DECIMALS), axis=1)


def option_keys(
    effectiveness: np.ndarray,
    valid: np.ndarray,
    *,
    effective: float = 5.0,
    ineffective: float = 3.0,
) -> np.ndarray:
    """Key each option +1 (effective), 0 (neutral) or -1 (ineffective).

    ``+1`` when effectiveness >= ``effective``, ``-1`` when <= ``ineffective``, else 0;
    padding is 0. Used by :func:`assessments.sjt.scoring.score_most_least_options`.

    Parameters
    ----------
    effectiveness : ndarray, items x options
    valid : ndarray of bool, items x options
    effective, ineffective : float
        Thresholds, with ``ineffective < effective``.
    """
    if not ineffective < effective:
        raise ValueError(f"ineffective ({ineffective}) must be lower than effective ({effective})")
    v = _valid_mask(valid)
    k = _key_matrix(effectiveness, v, "effectiveness")
    out = np.zeros(v.shape)
    with np.errstate(invalid="ignore"):
        out[v & (k >= effective)] = 1.0
        out[v & (k <= ineffective)] = -1.0
    return out
