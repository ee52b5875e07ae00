r"""Scoring situational judgement tests: item scores, their bounds and test totals.

Three response formats are scored:

* **rate** - the candidate rates every option's effectiveness on a scale
  (:func:`score_rate`, four methods);
* **most/least** - the candidate picks the most and the least effective option
  (:func:`score_most_least`, :func:`score_most_least_options`);
* **rank** - the candidate orders the options from most (1) to least effective
  (:func:`score_rank`, two methods).

Every function is vectorised over candidates: responses are candidates x items (x options)
arrays, options padded to the largest option count, ``valid`` (items x options, bool)
tells which options exist, NaN marks a missing answer. Values on padded positions are
ignored whatever they hold. Item scores are candidates x items float arrays, higher is
always better, and NaN where the item was not answered. Each format has a bounds
function giving the lowest and highest item score that some answer to the item reaches
(:class:`ItemBounds`, found exactly by enumerating every answer to the item), which
:func:`score_test` uses to put totals and competency scores on 0-100: 100 is the highest
score any single answer sheet can get (the key's own answer wherever it is a possible
answer) and 0 the lowest. An omitted
item is never worth more than an answered one: by default (``omitted="lowest"``) it scores
its lowest possible score, and the scale spans every item of the form.

Standardized rate scoring (McDaniel et al. 2011) is a test-level method: the candidate's
ratings are standardized over the whole sheet, so items do not add up independently and no
sum of per-item bounds is attainable. :func:`score_standardized` reports it on its
natural scale instead: the profile correlation r between the candidate's ratings and the
key over all options, times 100 (-100..100).

Keys come from :mod:`assessments.sjt.keys` or from a sample (:class:`ConsensusKey`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal, NoReturn, Self

import numpy as np

from assessments.sjt.keys import (
    FLAT,
    _check_in_scale,
    _check_scale,
    _key_matrix,
    _valid_mask,
    key_ranks,
)

__all__ = [
    "OMISSION_POLICIES",
    "ConsensusKey",
    "ItemBounds",
    "MostLeastWeights",
    "NotFittedError",
    "ScoringResult",
    "most_least_bounds",
    "most_least_options_bounds",
    "rank_bounds",
    "rate_bounds",
    "score_most_least",
    "score_most_least_options",
    "score_rank",
    "score_rate",
    "score_standardized",
    "score_test",
]

RateMethod = Literal["absolute", "squared", "correlation", "standardized"]
RankMethod = Literal["distance", "spearman"]
RATE_METHODS: tuple[str, ...] = ("absolute", "squared", "correlation", "standardized")
RANK_METHODS: tuple[str, ...] = ("distance", "spearman")
OmissionPolicy = Literal["lowest", "middle"]
#: How an omitted (unanswered) item is scored: ``lowest`` (the default) gives it the
#: lowest score any answer to it can get; ``middle`` the middle of its range (0 for
#: most/least with the default weights, the neutral point at which omitted most/least
#: items are usually scored). Under both, the 0-100 scale spans every item of the form.
OMISSION_POLICIES: tuple[str, ...] = ("lowest", "middle")


@dataclass(frozen=True, eq=False)
class ItemBounds:
    """The lowest (``lo``) and highest (``hi``) possible score of each item."""

    lo: np.ndarray
    hi: np.ndarray


@dataclass(frozen=True)
class MostLeastWeights:
    """Points for the four keyed events of a most/least item (other choices score 0)."""

    best_as_most: float = 1.0
    worst_as_least: float = 1.0
    worst_as_most: float = -1.0
    best_as_least: float = -1.0


# --- validation helpers -----------------------------------------------------------------


def _responses(x: np.ndarray, v: np.ndarray, name: str) -> np.ndarray:
    r = np.asarray(x, dtype=float)
    if r.ndim != 3 or r.shape[1:] != v.shape:
        raise ValueError(
            f"{name} must be candidates x items x options with items x options = "
            f"{v.shape}, got shape {r.shape}"
        )
    return r


def _choices(x: np.ndarray, v: np.ndarray, name: str) -> np.ndarray:
    """Option indices (candidates x items, NaN = missing) that must point at valid options."""
    c = np.asarray(x, dtype=float)
    if c.ndim != 2 or c.shape[1] != v.shape[0]:
        raise ValueError(
            f"{name} must be candidates x items with {v.shape[0]} items, got shape {c.shape}"
        )
    given = ~np.isnan(c)
    idx = np.where(given, c, 0.0)
    bad = given & ((idx != np.floor(idx)) | (idx < 0) | (idx >= v.shape[1]))
    if bad.any():
        cand, item = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold option indices 0..{v.shape[1] - 1} or NaN; candidate {cand} "
            f"item {item} holds {c[cand, item]!r}"
        )
    idx = idx.astype(np.intp)
    bad = given & ~v[np.arange(v.shape[0]), idx]
    if bad.any():
        cand, item = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name}: candidate {cand} chose option {idx[cand, item]} of item {item}, "
            "which is padding (not a valid option)"
        )
    return c


def _most_least(
    most: np.ndarray, least: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    m = _choices(most, v, "most")
    least_ = _choices(least, v, "least")
    if m.shape != least_.shape:
        raise ValueError(
            f"most and least must have the same shape, got {m.shape} and {least_.shape}"
        )
    same = m == least_  # NaN == NaN is False
    if same.any():
        cand, item = (int(i) for i in np.argwhere(same)[0])
        raise ValueError(
            f"most and least must differ: candidate {cand} chose option {int(m[cand, item])} "
            f"as both most and least effective in item {item}"
        )
    answered = ~np.isnan(m) & ~np.isnan(least_)
    mi = np.where(answered, m, 0).astype(np.intp)
    li = np.where(answered, least_, 0).astype(np.intp)
    return mi, li, answered


def _option_index(x: np.ndarray, v: np.ndarray, name: str) -> np.ndarray:
    """A per-item option index (best or worst) pointing at a valid option."""
    a = np.asarray(x)
    if a.shape != (v.shape[0],):
        raise ValueError(
            f"{name} must hold one option index per item ({v.shape[0]}), got {a.shape}"
        )
    if not np.issubdtype(a.dtype, np.integer):
        af = a.astype(float)
        if not np.all(np.isfinite(af) & (af == np.floor(af))):
            raise ValueError(f"{name} must hold integer option indices")
        a = af.astype(np.intp)
    bad = (a < 0) | (a >= v.shape[1])
    bad[~bad] = ~v[np.flatnonzero(~bad), a[~bad]]
    if bad.any():
        item = int(np.flatnonzero(bad)[0])
        raise ValueError(f"{name}[{item}] = {a[item]} is not a valid option of item {item}")
    return a.astype(np.intp)


def _check_ranks(r: np.ndarray, v: np.ndarray, name: str) -> None:
    """Given ranks must be distinct whole numbers 1..n_i within each item."""
    n = v.sum(axis=1).astype(float)
    given = ~np.isnan(r) & v
    bad = given & ((r < 1) | (r > n[:, None]) | (r != np.floor(r)))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{name} must hold ranks 1..n (n = the item's option count {int(n[where[-2]])}); "
            f"found {r[where]!r} at index {where}"
        )
    # Distinctness: a sum of k distinct powers of two has exactly k bits set, and only then.
    bits = np.where(given, np.exp2(np.where(given, r, 1.0) - 1), 0.0).sum(axis=-1)
    dup = np.bitwise_count(bits.astype(np.int64)) != given.sum(axis=-1)
    if dup.any():
        where = tuple(int(i) for i in np.argwhere(dup)[0])
        raise ValueError(
            f"{name} must be a permutation of 1..n within each item; index {where} repeats a rank"
        )


def _key_rank_matrix(kr: np.ndarray, v: np.ndarray) -> np.ndarray:
    k = _key_matrix(kr, v, "key_ranks")
    n = v.sum(axis=1)
    if np.any(v & ((k < 1) | (k > n[:, None]))):
        raise ValueError("key_ranks must lie in 1..n for every valid option")
    sums = np.where(v, k, 0).sum(axis=1)
    off = np.flatnonzero(~np.isclose(sums, n * (n + 1) / 2))
    if off.size:
        raise ValueError(
            f"key_ranks of item {int(off[0])} do not sum to n(n+1)/2: use (average) ranks, "
            "see keys.key_ranks"
        )
    return k


def _pearson(x: np.ndarray, k: np.ndarray, v: np.ndarray, width: float) -> np.ndarray:
    """Pearson r per candidate and item between x (c x i x o) and k (i x o) over valid options.

    NaN where x has a missing valid value. 0 where the answer does not vary over the item's
    options (r is undefined; a flat answer agrees with the key no better than chance) and
    where the key does not vary (the item cannot discriminate; its bounds are 0..0 and
    :func:`score_test` leaves it out). "Does not vary": every deviation from the mean is
    within ``FLAT * width`` (``width`` = the scale's max - min).
    """
    n = v.sum(axis=1)
    kc = np.where(v, k - np.nanmean(np.where(v, k, np.nan), axis=1, keepdims=True), 0.0)
    kss = (kc * kc).sum(axis=1)
    tol = (FLAT * width) ** 2
    xv = np.where(v, x, 0.0)
    xc = np.where(v, x - (xv.sum(axis=2) / n)[..., None], 0.0)
    xss = np.einsum("cio,cio->ci", xc, xc)
    num = np.einsum("cio,io->ci", xc, kc)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = num / np.sqrt(xss * kss)
    flat = ~(xss > tol * n) | ~(kss > tol * n)[None, :]
    r = np.where(flat, 0.0, r)
    r[np.any(np.isnan(x) & v, axis=2)] = np.nan
    return np.clip(r, -1.0, 1.0)


# --- rate format ------------------------------------------------------------------------


def score_rate(
    ratings: np.ndarray,
    key: np.ndarray,
    valid: np.ndarray,
    *,
    method: RateMethod = "absolute",
    scale: tuple[float, float] = (1, 7),
) -> np.ndarray:
    r"""Score rate-format answers (every option rated on ``scale``) against a key.

    With :math:`r_o` the candidate's rating and :math:`k_o` the key of option o of an item:

    * ``absolute``: :math:`-\sum_o |r_o - k_o|`
    * ``squared``: :math:`-\sum_o (r_o - k_o)^2`
    * ``correlation``: Pearson r between the ratings and the key over the item's options.
      0 when the candidate gave every option of the item the same rating (r is
      undefined; a flat answer agrees with the key no better than chance), and 0 for an
      item whose key rates every option alike (it cannot discriminate: its bounds are
      0..0 and :func:`score_test` leaves it out).
    * ``standardized`` (McDaniel, Psotka, Legree, Yost & Weekley 2011): each candidate's
      ratings are z-scored over **all** the candidate's rated valid options of the whole
      test (population SD, ddof=0), the key is z-scored the same way over all valid
      options, and the item score is :math:`-\sum_o (z_{r,o} - z_{k,o})^2`. This removes
      the candidate's elevation (mean) and scatter (spread), so ratings ``a + b * key``
      (b > 0) score 0, the best possible. A candidate whose ratings do not vary (every
      deviation from their mean within ``FLAT`` times the scale's width) has no z-scores:
      every item is NaN. These item scores serve item analysis; the test score of the
      method is :func:`score_standardized` (items are not independent, so their sum has no
      attainable per-item bounds).

    Missing data: an item is answered only when every valid option is rated; otherwise
    its score is NaN (see ``omitted`` in :func:`score_test`). For ``standardized`` the
    candidate's mean and SD use every rated valid option, including those of partly
    answered items.

    Parameters
    ----------
    ratings : ndarray, candidates x items x options
        Ratings on ``scale``; NaN = not rated. A rating outside the scale raises.
    key : ndarray, items x options
        Effectiveness of each option on the same scale (e.g. ``ExpertKey.effectiveness``).
    valid : ndarray of bool, items x options
    method : {"absolute", "squared", "correlation", "standardized"}
    scale : (min, max)

    Returns
    -------
    ndarray, candidates x items
        Item scores, higher is better; bounds in :func:`rate_bounds`.

    References
    ----------
    McDaniel, M. A., Psotka, J., Legree, P. J., Yost, A. P., & Weekley, J. A. (2011).
    Toward an understanding of situational judgment item validity and group differences.
    *Journal of Applied Psychology*, 96(2), 327-336. doi:10.1037/a0021983

    Weng, Q., Yang, H., Lievens, F., & McDaniel, M. A. (2018). Optimizing the validity of
    situational judgment tests: The importance of scoring methods. *Journal of Vocational
    Behavior*, 104, 199-209. doi:10.1016/j.jvb.2017.11.005
    """
    if method not in RATE_METHODS:
        raise ValueError(f"method must be one of {RATE_METHODS}, got {method!r}")
    v = _valid_mask(valid)
    lim = _check_scale(scale)
    r = _responses(ratings, v, "ratings")
    k = _key_matrix(key, v, "key")
    _check_in_scale(r, v, lim, "ratings")
    _check_in_scale(k, v, lim, "key")
    kz = np.where(v, k, 0.0)

    if method == "absolute":
        # A NaN on a valid option makes the sum NaN: exactly the unanswered items.
        item_score: np.ndarray = -np.where(v, np.abs(r - kz), 0.0).sum(axis=2)
        return item_score
    if method == "squared":
        d = np.where(v, r - kz, 0.0)
        item_score = -np.einsum("cio,cio->ci", d, d)
        return item_score
    if method == "correlation":
        return _pearson(r, k, v, lim[1] - lim[0])

    # standardized
    zk = _standardized_key(k, v, lim)
    rated = v & ~np.isnan(r)
    n = rated.sum(axis=(1, 2))
    rv = np.where(rated, r, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = rv.sum(axis=(1, 2)) / n
        dev = np.where(rated, r - mean[:, None, None], 0.0)
        ss_item = np.einsum("cio,cio->ci", dev, dev)
        sd = np.sqrt(ss_item.sum(axis=1) / n)
        sd[~(np.abs(dev).max(axis=(1, 2), initial=0.0) > FLAT * (lim[1] - lim[0]))] = np.nan
        cross = np.einsum("cio,io->ci", dev, zk)
        score = -(ss_item / sd[:, None] ** 2 - 2 * cross / sd[:, None] + (zk * zk).sum(axis=1))
    answered = ~np.any(np.isnan(r) & v, axis=2)
    return np.where(answered, np.minimum(score, 0.0), np.nan)


def _standardized_key(k: np.ndarray, v: np.ndarray, lim: tuple[float, float]) -> np.ndarray:
    """The key z-scored over all valid options of the test (ddof=0), 0 on padding."""
    vals = k[v]
    if not np.abs(vals - vals.mean()).max() > FLAT * (lim[1] - lim[0]):
        raise ValueError("key gives every option the same value: it cannot be standardized")
    return np.where(v, (k - vals.mean()) / vals.std(), 0.0)


def _rating_grid(lim: tuple[float, float]) -> np.ndarray:
    """The whole-number ratings of a scale with whole-number ends (what the server accepts)."""
    lo, hi = lim
    if lo != np.floor(lo) or hi != np.floor(hi):
        raise ValueError(
            f"scale must have whole-number ends for exact bounds (ratings are whole numbers), "
            f"got {lim!r}"
        )
    return np.arange(lo, hi + 1)


# Enumerating every rating vector of an item is exact; beyond this many vectors per item
# the scale is too fine for the correlation bounds to be enumerated.
_MAX_VECTORS = 2_000_000


def _correlation_bounds(k: np.ndarray, v: np.ndarray, grid: np.ndarray) -> ItemBounds:
    """Exact min and max of the item correlation over every whole-number rating vector."""
    n = v.sum(axis=1)
    lo = np.empty(v.shape[0])
    hi = np.empty(v.shape[0])
    width = float(grid[-1] - grid[0])
    for size in np.unique(n):
        if len(grid) ** size > _MAX_VECTORS:
            raise ValueError(
                f"a {len(grid)}-point scale with {size} options has too many rating vectors "
                "to enumerate exact correlation bounds"
            )
        items = np.flatnonzero(n == size)
        r = _enumerated_r(
            np.array(list(itertools.product(grid, repeat=int(size)))),
            np.stack([k[i, v[i]] for i in items]),
            width,
        )
        lo[items] = r.min(axis=0)
        hi[items] = r.max(axis=0)
    return ItemBounds(lo=lo, hi=hi)


def _enumerated_r(answers: np.ndarray, keys: np.ndarray, width: float) -> np.ndarray:
    """r of every answer vector (rows) with every key (rows): answers x keys; flat -> 0.

    The same rule as :func:`_pearson`, as one matrix product for enumerated answers.
    """
    size = answers.shape[1]
    tol = (FLAT * width) ** 2 * size
    ac = answers - answers.mean(axis=1, keepdims=True)
    kc = keys - keys.mean(axis=1, keepdims=True)
    ass = (ac * ac).sum(axis=1)
    kss = (kc * kc).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (ac @ kc.T) / np.sqrt(ass[:, None] * kss[None, :])
    r[~(ass > tol), :] = 0.0
    r[:, ~(kss > tol)] = 0.0
    clipped: np.ndarray = np.clip(r, -1.0, 1.0)
    return clipped


def rate_bounds(
    key: np.ndarray,
    valid: np.ndarray,
    *,
    method: RateMethod = "absolute",
    scale: tuple[float, float] = (1, 7),
) -> ItemBounds:
    r"""Lowest and highest :func:`score_rate` item score that some answer reaches, per item.

    Ratings are whole numbers from min to max of ``scale`` (what the respondent pages and
    the API accept), so the bounds are those of the best and the worst whole-number answer:

    * ``absolute``: lo = :math:`-\sum_o \max(k_o - min, max - k_o)` (every option rated at
      the end of the scale farthest from its key), hi = :math:`-\sum_o |g(k_o) - k_o|`
      with :math:`g(k)` the whole number nearest to k (the key's own answer: 0 when the
      key is whole numbers);
    * ``squared``: the same with squared distances;
    * ``correlation``: the lowest and highest r over every whole-number rating vector of
      the item (enumerated; a flat vector scores 0). Items whose key does not vary get
      0..0.
    * ``standardized``: the item's part of a test-level score; hi = 0 and lo =
      :math:`-(\sqrt{V} + \lVert z_{k,i} \rVert)^2` with V the number of valid options in
      the test and :math:`z_{k,i}` the item's standardized key, a bound for the item score
      whatever the rest of the sheet (:math:`\sum z^2 = N \le V` over the candidate's
      rated options, and :math:`\lVert z_r - z_k \rVert \le \lVert z_r \rVert +
      \lVert z_k \rVert`). It serves item analysis only: the items' bounds are not
      reached together, so the test score of this method is :func:`score_standardized`.

    An item whose key cannot discriminate (every answer scores the same) gets lo == hi;
    :func:`score_test` leaves it out.
    """
    if method not in RATE_METHODS:
        raise ValueError(f"method must be one of {RATE_METHODS}, got {method!r}")
    v = _valid_mask(valid)
    lim = _check_scale(scale)
    lo_s, hi_s = lim
    k = _key_matrix(key, v, "key")
    _check_in_scale(k, v, lim, "key")
    n_items = v.shape[0]
    if method == "standardized":
        zk = _standardized_key(k, v, lim)
        lo = -((np.sqrt(v.sum()) + np.sqrt((zk * zk).sum(axis=1))) ** 2)
        return ItemBounds(lo=lo, hi=np.zeros(n_items))
    grid = _rating_grid(lim)
    if method == "correlation":
        return _correlation_bounds(k, v, grid)
    far = np.where(v, np.maximum(k - lo_s, hi_s - k), 0.0)
    near = np.where(v, np.abs(np.clip(np.floor(k + 0.5), lo_s, hi_s) - k), 0.0)
    power = 1 if method == "absolute" else 2
    return ItemBounds(lo=-(far**power).sum(axis=1), hi=-(near**power).sum(axis=1))


# --- most/least format ------------------------------------------------------------------


def score_most_least(
    most: np.ndarray,
    least: np.ndarray,
    *,
    best: np.ndarray,
    worst: np.ndarray,
    valid: np.ndarray,
    weights: MostLeastWeights | None = None,
) -> np.ndarray:
    """Score most/least answers against the keyed best and worst option of each item.

    item score = ``best_as_most``  if most == best
               + ``worst_as_most`` if most == worst
               + ``worst_as_least`` if least == worst
               + ``best_as_least`` if least == best

    With the default weights (+1, +1, -1, -1) an item scores -2..+2.

    Parameters
    ----------
    most, least : ndarray, candidates x items
        Chosen option indices as floats, NaN = not given. The item is answered only when
        both are given. The same option as most and least raises ValueError (the
        server refuses such an answer; it must never be scored silently).
    best, worst : ndarray of int, items
        Keyed best and worst option of each item (e.g. ``ExpertKey.best``). An item whose
        best and worst are the same option has a key that cannot discriminate (every
        option keyed alike): it scores 0 and its bounds are 0..0, so :func:`score_test`
        leaves it out.
    valid : ndarray of bool, items x options
    weights : MostLeastWeights, optional

    Returns
    -------
    ndarray, candidates x items
        NaN where the item was not answered; bounds in :func:`most_least_bounds`.
    """
    w = weights or MostLeastWeights()
    v = _valid_mask(valid)
    b, wo = _best_worst_indices(best, worst, v)
    mi, li, answered = _most_least(most, least, v)
    score = (
        np.where(mi == b, w.best_as_most, 0.0)
        + np.where(mi == wo, w.worst_as_most, 0.0)
        + np.where(li == wo, w.worst_as_least, 0.0)
        + np.where(li == b, w.best_as_least, 0.0)
    )
    score = np.where(b == wo, 0.0, score)  # a flat key: the item cannot discriminate
    return np.where(answered, score, np.nan)


def _best_worst_indices(
    best: np.ndarray, worst: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    return _option_index(best, v, "best"), _option_index(worst, v, "worst")


def _pair_bounds(most_points: np.ndarray, least_points: np.ndarray, v: np.ndarray) -> ItemBounds:
    """Exact bounds of most_points[most] + least_points[least] over most != least."""
    total = most_points[:, :, None] + least_points[:, None, :]
    ok = v[:, :, None] & v[:, None, :] & ~np.eye(v.shape[1], dtype=bool)
    return ItemBounds(
        lo=np.where(ok, total, np.inf).min(axis=(1, 2)),
        hi=np.where(ok, total, -np.inf).max(axis=(1, 2)),
    )


def most_least_bounds(
    best: np.ndarray,
    worst: np.ndarray,
    valid: np.ndarray,
    *,
    weights: MostLeastWeights | None = None,
) -> ItemBounds:
    """Exact lowest and highest :func:`score_most_least` score per item.

    Found by enumerating every (most, least) pair of distinct valid options.
    """
    w = weights or MostLeastWeights()
    v = _valid_mask(valid)
    b, wo = _best_worst_indices(best, worst, v)
    opts = np.arange(v.shape[1])
    most_pts = np.where(opts == b[:, None], w.best_as_most, 0.0) + np.where(
        opts == wo[:, None], w.worst_as_most, 0.0
    )
    least_pts = np.where(opts == wo[:, None], w.worst_as_least, 0.0) + np.where(
        opts == b[:, None], w.best_as_least, 0.0
    )
    flat = (b == wo)[:, None]
    return _pair_bounds(np.where(flat, 0.0, most_pts), np.where(flat, 0.0, least_pts), v)


def _option_key_matrix(
    option_keys: np.ndarray, valid: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray]:
    ok = np.asarray(option_keys, dtype=float)
    if ok.ndim != 2:
        raise ValueError(f"option_keys must be items x options, got shape {ok.shape}")
    v = np.ones(ok.shape, dtype=bool) if valid is None else _valid_mask(valid)
    if v.shape != ok.shape:
        raise ValueError(f"option_keys shape {ok.shape} differs from valid shape {v.shape}")
    return _key_matrix(ok, v, "option_keys"), v


def score_most_least_options(
    most: np.ndarray,
    least: np.ndarray,
    option_keys: np.ndarray,
    *,
    valid: np.ndarray | None = None,
) -> np.ndarray:
    """Score most/least answers with a key on every option.

    item score = ``option_keys[most] - option_keys[least]``: with +1/0/-1 option keys
    (:func:`assessments.sjt.keys.option_keys`) choosing an effective option as most and
    an ineffective one as least scores +2.

    Parameters
    ----------
    most, least : ndarray, candidates x items
        Option indices, NaN = not given; answered only when both are given; most ==
        least raises ValueError.
    option_keys : ndarray, items x options
    valid : ndarray of bool, items x options, optional
        Which options exist; all by default.
    """
    ok, v = _option_key_matrix(option_keys, valid)
    mi, li, answered = _most_least(most, least, v)
    items = np.arange(v.shape[0])
    score = ok[items, mi] - ok[items, li]
    return np.where(answered, score, np.nan)


def most_least_options_bounds(
    option_keys: np.ndarray, valid: np.ndarray | None = None
) -> ItemBounds:
    """Exact lowest and highest :func:`score_most_least_options` score per item."""
    ok, v = _option_key_matrix(option_keys, valid)
    okz = np.where(v, ok, 0.0)
    return _pair_bounds(okz, -okz, v)


# --- rank format ------------------------------------------------------------------------


def _rank_m(m: float | np.ndarray | None, v: np.ndarray) -> np.ndarray:
    n = v.sum(axis=1).astype(float)
    if m is None:
        m_default: np.ndarray = n - 1
        return m_default
    mm = np.broadcast_to(np.asarray(m, dtype=float), n.shape)
    if not np.all(np.isfinite(mm) & (mm > 0)):
        raise ValueError(f"m must be positive (a scalar or one value per item), got {m!r}")
    return mm.copy()


def score_rank(
    ranks: np.ndarray,
    key_ranks: np.ndarray,
    valid: np.ndarray,
    *,
    method: RankMethod = "distance",
    m: float | np.ndarray | None = None,
) -> np.ndarray:
    r"""Score rank-format answers (options ordered 1 = most effective) against key ranks.

    * ``distance``: :math:`\sum_o \max(0, M - |\mathrm{rank}_o - \mathrm{key}_o|)`: every
      option earns M points less the distance between its given and keyed position.
      M defaults to n - 1 per item (n = the item's option count), so only an option
      put at the opposite end of the order earns nothing; pass ``m`` (scalar or per item)
      to change it.
    * ``spearman``: Spearman's rank correlation between the candidate's ranks and the key
      ranks over the item's options (Pearson r of the ranks; ties in the key keep their
      average ranks, as in :func:`scipy.stats.spearmanr`).

    Parameters
    ----------
    ranks : ndarray, candidates x items x options
        The rank position 1..n given to each option. An item is answered when every valid
        option has a rank; the given ranks of an item must be distinct whole numbers
        1..n (so a complete item is a permutation), else ValueError. A partly ranked item
        is unanswered (NaN), like a partly rated one.
    key_ranks : ndarray, items x options
        Key ranks from :func:`assessments.sjt.keys.key_ranks` (average ranks on ties).
    valid : ndarray of bool, items x options
    method : {"distance", "spearman"}
    m : float or ndarray, optional
        Maximum points per option for ``distance``.

    Returns
    -------
    ndarray, candidates x items
        NaN where not answered; bounds in :func:`rank_bounds`.
    """
    if method not in RANK_METHODS:
        raise ValueError(f"method must be one of {RANK_METHODS}, got {method!r}")
    v = _valid_mask(valid)
    r = _responses(ranks, v, "ranks")
    kr = _key_rank_matrix(key_ranks, v)
    _check_ranks(r, v, "ranks")
    if method == "spearman":
        return _pearson(r, kr, v, float(v.shape[1]))
    mm = _rank_m(m, v)
    pts = np.maximum(0.0, mm[:, None] - np.abs(r - np.where(v, kr, 0.0)))
    item_score: np.ndarray = np.where(v, pts, 0.0).sum(axis=2)
    return item_score


def rank_bounds(
    key_ranks: np.ndarray,
    valid: np.ndarray,
    *,
    method: RankMethod = "distance",
    m: float | np.ndarray | None = None,
) -> ItemBounds:
    """Exact lowest and highest :func:`score_rank` score per item.

    Found by scoring every permutation of the item's options (at most 6! = 720), so the
    bounds are reached, also when the key has ties. A key that ties every option scores
    every order alike: lo == hi, and :func:`score_test` leaves the item out.
    """
    if method not in RANK_METHODS:
        raise ValueError(f"method must be one of {RANK_METHODS}, got {method!r}")
    v = _valid_mask(valid)
    kr = _key_rank_matrix(key_ranks, v)
    mm = _rank_m(m, v)
    n = v.sum(axis=1)
    lo = np.empty(v.shape[0])
    hi = np.empty(v.shape[0])
    for size in np.unique(n):  # one pass per option count (at most 6 distinct values)
        items = np.flatnonzero(n == size)
        perms = np.array(list(itertools.permutations(range(1, size + 1))), dtype=float)
        k = np.stack([kr[i, v[i]] for i in items])  # items_n x size, in option order
        if method == "distance":
            diff = np.abs(perms[:, None, :] - k[None, :, :])
            s = np.maximum(0.0, mm[items][None, :, None] - diff).sum(axis=2)
        else:  # a key tying every option gives 0 for every order: bounds 0..0
            s = _enumerated_r(perms, k, float(size))
        lo[items] = s.min(axis=0)
        hi[items] = s.max(axis=0)
    return ItemBounds(lo=lo, hi=hi)


# --- totals -----------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ScoringResult:
    """Test and competency scores of every candidate (see :func:`score_test`).

    Attributes
    ----------
    total : ndarray, candidates
        Sum of the item scores over the scored items, omitted items counted by the
        ``omitted`` policy (:func:`score_standardized`: the profile correlation r).
    total_scaled : ndarray, candidates
        The total on the reported scale (``scale``): 0-100 between the lowest and the
        highest score a sheet can get, or r x 100 for standardized scoring.
    competency : ndarray, candidates x competencies
        The same over the items targeting each competency (NaN: no scored item does).
    competency_scaled : ndarray, candidates x competencies
    answered : ndarray of int, candidates
        Scored items the candidate answered.
    competency_answered : ndarray of int, candidates x competencies
    items : int
        Scored items: the form's items less those left out (``excluded``).
    competency_items : ndarray of int, competencies
        Scored items targeting each competency.
    excluded : ndarray of bool, items
        Items left out of every score because their key cannot discriminate (lo == hi:
        every answer scores the same).
    omitted : str
        The omission policy used (:data:`OMISSION_POLICIES`).
    scale : str
        ``"0-100"`` or ``"r x 100"``.
    """

    total: np.ndarray
    total_scaled: np.ndarray
    competency: np.ndarray
    competency_scaled: np.ndarray
    answered: np.ndarray
    competency_answered: np.ndarray
    items: int = 0
    competency_items: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    excluded: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    omitted: str = "lowest"
    scale: str = "0-100"


def _check_omitted(omitted: str) -> None:
    if omitted not in OMISSION_POLICIES:
        raise ValueError(f"omitted must be one of {OMISSION_POLICIES}, got {omitted!r}")


def _targets(targets: np.ndarray | None, n_items: int) -> np.ndarray:
    if targets is None:
        return np.zeros((n_items, 0))
    t = np.asarray(targets)
    if t.ndim != 2 or t.shape[0] != n_items:
        raise ValueError(
            f"targets must be items x competencies with {n_items} items, got {t.shape}"
        )
    if t.dtype != bool and not np.isin(t, (0, 1)).all():
        raise ValueError("targets must hold booleans")
    return t.astype(float)


def score_test(
    scores: np.ndarray,
    bounds: ItemBounds | tuple[np.ndarray, np.ndarray],
    targets: np.ndarray | None = None,
    *,
    omitted: OmissionPolicy = "lowest",
) -> ScoringResult:
    r"""Sum item scores into test and competency scores, raw and on 0-100.

    .. math::

        \mathrm{total} = \sum_{i \in S} s_i, \qquad
        \mathrm{scaled} = 100 \cdot \frac{\mathrm{total} - \sum_{i \in S} lo_i}
                                         {\sum_{i \in S} hi_i - \sum_{i \in S} lo_i}

    over the scored items S: every item of the form (for a competency: every item that
    targets it) except those whose key cannot discriminate (:math:`hi_i = lo_i`; they are
    reported in ``excluded``). With exact per-item bounds (every ``*_bounds`` function but
    standardized ``rate_bounds``) items are scored independently, so 100 is the highest
    score any single sheet gets (the key's own answers where they are possible answers)
    and 0 the lowest; both are reached. An item counts for every competency it targets.

    Missing data: an omitted item (NaN score) is scored by the ``omitted`` policy and
    stays in the scale:

    * ``"lowest"`` (default): its lowest possible score :math:`lo_i`, so leaving an item
      blank never scores more than any answer to it (a blank sheet scores 0);
    * ``"middle"``: the middle of its range :math:`(lo_i + hi_i) / 2` (0 for most/least
      items with the default weights; a blank sheet scores 50). A guess that would score
      below the middle is then worth less than a blank: use it only for untimed tests
      whose instructions say so.

    Parameters
    ----------
    scores : ndarray, candidates x items
        Item scores from one of the ``score_*`` functions (NaN = not answered).
    bounds : ItemBounds or (lo, hi)
        Per-item bounds from the matching ``*_bounds`` function; lo <= hi. A score outside
        its item's bounds raises ValueError (the bounds belong to another key or method).
    targets : ndarray of bool, items x competencies, optional
        Which competencies each item targets; omitted -> no competency scores.
    omitted : {"lowest", "middle"}
    """
    _check_omitted(omitted)
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2:
        raise ValueError(f"scores must be candidates x items, got shape {s.shape}")
    n_items = s.shape[1]
    lo, hi = (bounds.lo, bounds.hi) if isinstance(bounds, ItemBounds) else bounds
    lo = np.asarray(lo, dtype=float)
    hi = np.asarray(hi, dtype=float)
    if lo.shape != (n_items,) or hi.shape != (n_items,):
        raise ValueError(f"bounds must hold one lo and one hi per item ({n_items})")
    if not np.all(np.isfinite(lo) & np.isfinite(hi) & (lo <= hi)):
        raise ValueError("bounds must be finite with lo <= hi for every item")
    t = _targets(targets, n_items)
    if np.isinf(s).any():
        raise ValueError("scores must be finite or NaN")
    tol = 1e-9 * np.maximum(1.0, np.maximum(np.abs(lo), np.abs(hi)))
    outside = (s < lo - tol) | (s > hi + tol)
    if outside.any():
        cand, item = (int(i) for i in np.argwhere(outside)[0])
        raise ValueError(
            f"scores: candidate {cand} item {item} scored {s[cand, item]:g}, outside the "
            f"item's bounds [{lo[item]:g}, {hi[item]:g}]"
        )

    excluded = hi - lo <= tol
    keep = (~excluded).astype(float)
    fill = lo if omitted == "lowest" else (lo + hi) / 2
    answered = ~np.isnan(s) & ~excluded
    filled = np.where(np.isnan(s), fill, np.clip(s, lo, hi)) * keep
    kt = keep[:, None] * t
    total, t_scaled = _sum_and_scale(filled.sum(axis=1), keep @ lo, keep @ hi, int(keep.sum()))
    comp_items = kt.sum(axis=0).round().astype(np.int64)
    comp, c_scaled = _sum_and_scale(filled @ kt, lo @ kt, hi @ kt, comp_items)
    return ScoringResult(
        total=total,
        total_scaled=t_scaled,
        competency=comp,
        competency_scaled=c_scaled,
        answered=answered.sum(axis=1),
        competency_answered=(answered @ kt).round().astype(np.int64),
        items=int(keep.sum()),
        competency_items=comp_items,
        excluded=excluded,
        omitted=omitted,
    )


def _sum_and_scale(
    raw: np.ndarray,
    lo: float | np.ndarray,
    hi: float | np.ndarray,
    count: int | np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    none = np.broadcast_to(np.asarray(count) == 0, np.shape(raw))
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = np.clip(100.0 * (raw - lo) / (hi - lo), 0.0, 100.0)
    return np.where(none, np.nan, raw), np.where(none, np.nan, scaled)


def score_standardized(
    ratings: np.ndarray,
    key: np.ndarray,
    valid: np.ndarray,
    targets: np.ndarray | None = None,
    *,
    scale: tuple[float, float] = (1, 7),
    omitted: OmissionPolicy = "lowest",
) -> ScoringResult:
    r"""Test and competency scores of standardized rate scoring, as profile correlations.

    McDaniel et al. (2011) z-score each candidate's ratings over all the options of the
    test (:math:`z_r`, population SD) and the key likewise (:math:`z_k`), and score the
    squared distance :math:`D = \sum_o (z_{r,o} - z_{k,o})^2` (the sum of
    :func:`score_rate`'s standardized item scores is :math:`-D`). Over the V options of a
    complete sheet :math:`\sum z_r^2 = \sum z_k^2 = V`, so

    .. math::  -D = -2V (1 - r), \qquad r = \frac{1}{V} \sum_o z_{r,o} z_{k,o}

    with r the Pearson correlation between the candidate's ratings and the key over all
    options. r carries the whole ranking of the method, and its range [-1, 1] is its
    natural scale: ``total`` is r and ``total_scaled`` is 100 r (-100 = the reverse of the
    key, 0 = no agreement, 100 = the key up to a positive linear transformation). There is
    no attainable 0-100 for this method: the test-level extremes over whole-number sheets
    depend on the whole key and are not summed from items. A competency's score is the
    same correlation over the options of the items that target it.

    A candidate whose ratings do not vary (every deviation from their mean within
    ``FLAT`` times the scale's width) has no z-scores and agrees with the key no better
    than chance: r = 0.

    Missing data: an item is answered when every option is rated (ratings of a partly
    rated item are not used). ``omitted="lowest"``: r compares whole profiles and has no
    value for part of a sheet, so a sheet (or a competency's part of it) with an omitted
    item scores the floor, -1 (-100), below any complete answer; ``omitted="middle"``:
    omitted options count as rated at the candidate's own mean (they add 0 to the sum
    above; z-scores over the answered options), so a blank sheet scores 0.

    Parameters
    ----------
    ratings : ndarray, candidates x items x options
    key : ndarray, items x options
    valid : ndarray of bool, items x options
    targets : ndarray of bool, items x competencies, optional
    scale : (min, max)
    omitted : {"lowest", "middle"}

    References
    ----------
    McDaniel, M. A., Psotka, J., Legree, P. J., Yost, A. P., & Weekley, J. A. (2011).
    Toward an understanding of situational judgment item validity and group differences.
    *Journal of Applied Psychology*, 96(2), 327-336. doi:10.1037/a0021983
    """
    _check_omitted(omitted)
    v = _valid_mask(valid)
    lim = _check_scale(scale)
    r = _responses(ratings, v, "ratings")
    k = _key_matrix(key, v, "key")
    _check_in_scale(r, v, lim, "ratings")
    _check_in_scale(k, v, lim, "key")
    _standardized_key(k, v, lim)  # raises for a key that does not vary at all
    n_items = v.shape[0]
    t = _targets(targets, n_items)
    answered = ~np.any(np.isnan(r) & v, axis=2)  # candidates x items
    sets = np.concatenate([np.ones((n_items, 1)), t], axis=1)  # items x (test, competencies)
    width = lim[1] - lim[0]
    # Per candidate and answered item, from one pass over candidates x items x options:
    # the item's mean rating, and the sum of squares and the cross-products with the key of
    # the deviations from the item's means (centred within the item, so nothing cancels).
    # Every set (the test, each competency) is a union of items; its centred sums are the
    # items' sums plus a between-item part from the item means (the pairwise update of
    # Chan, Golub & LeVeque 1983), at candidates x items cost per set. Raw sums of squares
    # less n mean^2 would lose every digit for ratings that vary little around a mean far
    # from 0 (fractional ratings just above the FLAT threshold).
    use = v[None] & answered[:, :, None]
    n_opt = v.sum(axis=1)  # options per item
    nn = answered * n_opt  # answered options per candidate and item
    x = np.where(use, r, 0.0)
    x_item = x.sum(axis=2) / n_opt  # 0 where not answered
    dx = np.where(use, x - x_item[..., None], 0.0)
    k_item = np.where(v, k, 0.0).sum(axis=1) / n_opt
    dk = np.where(v, k - k_item[:, None], 0.0)
    # highest and lowest rating of answered items: a deviation's max is >= 0 and its min
    # <= 0, so the zeros on padding never decide them
    hi_x = np.where(answered, x_item + dx.max(axis=2), -np.inf)
    lo_x = np.where(answered, x_item + dx.min(axis=2), np.inf)
    size = n_opt @ sets  # options per set
    n = nn @ sets  # answered options per candidate and set
    ss = np.einsum("cio,cio->ci", dx, dx) @ sets  # within-item parts
    cross = np.einsum("cio,io->ci", dx, dk) @ sets
    with np.errstate(invalid="ignore", divide="ignore"):  # sets without items / answers
        k_mean = (n_opt * k_item) @ sets / size
        x_mean = (nn * x_item) @ sets / n
    out = np.empty((r.shape[0], sets.shape[1]))
    for j in range(sets.shape[1]):  # the test, then each competency
        items = sets[:, j] > 0
        kv = k[v & items[:, None]]
        if kv.size == 0 or not np.abs(kv - kv.mean()).max() > FLAT * width:
            out[:, j] = np.nan  # no items, or the key does not vary over them
            continue
        k_gap = np.where(items, k_item - k_mean[j], 0.0)
        k_sd = np.sqrt(((dk * dk).sum(axis=1) @ sets[:, j] + n_opt @ k_gap**2) / size[j])
        gap = x_item - x_mean[:, j, None]
        w_gap = np.where(items, nn, 0) * gap
        x_ss = ss[:, j] + np.einsum("ci,ci->c", w_gap, gap)
        with np.errstate(invalid="ignore", divide="ignore"):
            # sum over the answered options of (x - mean x)(k - mean k), over sd x sd k
            agree = (cross[:, j] + w_gap @ k_gap) / (np.sqrt(x_ss / n[:, j]) * k_sd * size[j])
        spread = hi_x[:, items].max(axis=1) - lo_x[:, items].min(axis=1)
        flat = ~(spread > FLAT * width)  # also no answered option: -inf - inf
        col = np.clip(np.where(flat, 0.0, agree), -1.0, 1.0)
        if omitted == "lowest":
            col = np.where(n[:, j] < size[j], -1.0, col)
        out[:, j] = col
    comp_items = t.sum(axis=0).round().astype(np.int64)
    return ScoringResult(
        total=out[:, 0],
        total_scaled=100.0 * out[:, 0],
        competency=out[:, 1:],
        competency_scaled=100.0 * out[:, 1:],
        answered=answered.sum(axis=1),
        competency_answered=(answered @ t).round().astype(np.int64),
        items=n_items,
        competency_items=comp_items,
        excluded=np.zeros(n_items, dtype=bool),
        omitted=omitted,
        scale="r x 100",
    )


# --- consensus keys ---------------------------------------------------------------------


class NotFittedError(ValueError, AttributeError):
    """A :class:`ConsensusKey` was used before :meth:`ConsensusKey.fit`."""


def _mode(x: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Most frequent non-NaN value along ``axis``; ties go to the lowest value.

    Returns the mode and its count (NaN and 0 where there is no value).
    """
    values = np.unique(x[~np.isnan(x)])
    shape = np.delete(np.array(x.shape), axis)
    best = np.full(shape, np.nan)
    best_n = np.zeros(shape, dtype=np.int64)
    for value in values:  # few distinct values: scale points or rank positions
        n = np.sum(x == value, axis=axis)
        better = n > best_n  # strict: an equal count keeps the lower value seen first
        best = np.where(better, value, best)
        best_n = np.where(better, n, best_n)
    return best, best_n


class ConsensusKey:
    """A key learned from a sample of respondents (scikit-learn style ``fit``).

    Parameters
    ----------
    format : {"rate", "most_least", "rank"}
        Response format of the sample.
    method : {"mean", "mode"}
        * rate + mean: ``effectiveness_`` = mean rating of each option over the
          respondents who rated it (pairwise);
        * rate + mode: the most frequent rating (ties -> the lowest value);
        * most_least (both methods, which coincide): ``most_share_`` / ``least_share_``
          = proportion of the item's respondents choosing each option as most / least;
          ``best_`` = the option most often chosen as most, ``worst_`` = the option most
          often chosen as least (ties -> lowest index; if the same option wins both it
          stays ``best_`` and ``worst_`` is the runner-up for least);
          ``effectiveness_`` = (most count - least count) / respondents, from exact
          counts, so options that tie in counts tie exactly;
        * rank + mean: ``mean_rank_`` per option, ``ranks_`` = its average ranks;
        * rank + mode: ``mode_rank_`` = most frequent rank per option (ties -> lowest
          rank); ``ranks_`` re-ranks the modes (average ranks) so that it is a valid key
          even when two options share a modal rank. For ranks ``effectiveness_`` =
          n + 1 - mean (mode) rank, higher = better.
    scale : (min, max)
        Rating scale, used to validate rate-format samples.

    Attributes
    ----------
    effectiveness_, ranks_ : ndarray, items x options
        Key for :func:`score_rate` and :func:`score_rank` (NaN on padding).
    best_, worst_ : ndarray of int, items
        Key for :func:`score_most_least` (rate/rank: highest / lowest effectiveness,
        first index on ties).
    n_ : ndarray of int, items x options
        Respondents contributing to each option.

    Missing data: rate uses every given rating (pairwise per option); most/least and
    rank use only the items a respondent answered completely. An option without any
    response raises ValueError on fit. Reading a learned attribute before ``fit`` raises
    :class:`NotFittedError` (a ValueError).
    """

    def __init__(
        self,
        format: Literal["rate", "most_least", "rank"] = "rate",
        method: Literal["mean", "mode"] = "mean",
        *,
        scale: tuple[float, float] = (1, 7),
    ) -> None:
        if format not in ("rate", "most_least", "rank"):
            raise ValueError(f"format must be 'rate', 'most_least' or 'rank', got {format!r}")
        if method not in ("mean", "mode"):
            raise ValueError(f"method must be 'mean' or 'mode', got {method!r}")
        self.format = format
        self.method = method
        self.scale = _check_scale(scale)

    def __repr__(self) -> str:
        return f"ConsensusKey(format={self.format!r}, method={self.method!r})"

    def __getattr__(self, name: str) -> NoReturn:
        if name.endswith("_") and not name.startswith("__"):
            raise NotFittedError(
                f"this ConsensusKey is not fitted yet: call fit(...) before reading {name}"
            )
        raise AttributeError(name)

    def fit(self, *responses: np.ndarray, valid: np.ndarray) -> Self:
        """Learn the key from a sample.

        ``fit(ratings, valid=valid)`` for rate, ``fit(most, least, valid=valid)`` for
        most_least and ``fit(ranks, valid=valid)`` for rank, with the arrays of the
        matching ``score_*`` function.
        """
        v = _valid_mask(valid)
        expected = 2 if self.format == "most_least" else 1
        if len(responses) != expected:
            raise ValueError(
                f"fit for format {self.format!r} takes {expected} response array(s), "
                f"got {len(responses)}"
            )
        if self.format == "rate":
            r = _responses(responses[0], v, "ratings")
            _check_in_scale(r, v, self.scale, "ratings")
            r = np.where(v, r, np.nan)
            n = np.sum(~np.isnan(r), axis=0)
            self._require(n, v)
            if self.method == "mean":
                eff = np.nansum(r, axis=0) / np.where(n > 0, n, 1)
            else:
                eff, _ = _mode(r)
            eff = np.where(v, eff, np.nan)
            self._set_from_effectiveness(eff, v, n)
        elif self.format == "most_least":
            mi, li, answered = _most_least(responses[0], responses[1], v)
            opts = np.arange(v.shape[1])
            most_n = ((mi[..., None] == opts) & answered[..., None]).sum(axis=0)
            least_n = ((li[..., None] == opts) & answered[..., None]).sum(axis=0)
            n_item = answered.sum(axis=0)
            n = np.where(v, n_item[:, None], 0)
            self._require(n, v)
            most_share = np.where(v, most_n / n_item[:, None], np.nan)
            least_share = np.where(v, least_n / n_item[:, None], np.nan)
            best = np.where(v, most_share, -np.inf).argmax(axis=1)
            least_rest = np.where(v & (opts != best[:, None]), least_share, -np.inf)
            self.most_share_ = most_share
            self.least_share_ = least_share
            # From the exact counts: shares subtracted in floating point would break ties
            # (0 - .2 != .4 - .6) and so the ranks and the keys built from them.
            self.effectiveness_ = np.where(v, (most_n - least_n) / n_item[:, None], np.nan)
            self.best_ = best
            self.worst_ = least_rest.argmax(axis=1)
            self.ranks_ = key_ranks(self.effectiveness_, v)
            self.n_ = n
        else:
            r = _responses(responses[0], v, "ranks")
            _check_ranks(r, v, "ranks")
            complete = ~np.any(np.isnan(r) & v, axis=2)
            r = np.where(v & complete[..., None], r, np.nan)
            n = np.sum(~np.isnan(r), axis=0)
            self._require(n, v)
            size = v.sum(axis=1)[:, None]
            if self.method == "mean":
                pos = np.nansum(r, axis=0) / np.where(n > 0, n, 1)
                self.mean_rank_ = np.where(v, pos, np.nan)
            else:
                pos, _ = _mode(r)
                self.mode_rank_ = np.where(v, pos, np.nan)
            pos = np.where(v, pos, np.nan)
            # ranks_ = key_ranks(n + 1 - pos) = average ranks of pos (1 = best)
            self._set_from_effectiveness(size + 1 - pos, v, n)
        return self

    def _require(self, n: np.ndarray, v: np.ndarray) -> None:
        empty = v & (n == 0)
        if empty.any():
            item, option = (int(i) for i in np.argwhere(empty)[0])
            raise ValueError(
                f"no usable responses for item {item} option {option}: a consensus key "
                "needs at least one"
            )

    def _set_from_effectiveness(self, eff: np.ndarray, v: np.ndarray, n: np.ndarray) -> None:
        self.effectiveness_ = eff
        self.best_ = np.where(v, eff, -np.inf).argmax(axis=1)
        self.worst_ = np.where(v, eff, np.inf).argmin(axis=1)
        self.ranks_ = key_ranks(eff, v)
        self.n_ = n
