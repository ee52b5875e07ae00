"""Vectorised SJT scoring (assessments/sjt/scoring.py) against a separate plain-Python reference.

The reference functions below are written from the published definitions, one candidate,
item and option at a time, with ``math``, lists and floats (no numpy). Their item bounds
are found by brute force: every whole-number rating vector (``itertools.product``), every
rank order (``itertools.permutations``), every (most, least) pair. The vectorised
functions must agree with them on random forms (several seeds) holding padding filled
with garbage (99), omitted and partly answered items, tied keys, flat candidates and
flat-key items, for every format and method, for the bounds and for ``score_test`` under
both omission policies. The scale is kept small (1..5, 2-4 options) so enumeration is
fast.

Sources of the definitions
--------------------------
McDaniel, M. A., Psotka, J., Legree, P. J., Yost, A. P., & Weekley, J. A. (2011). Toward an
understanding of situational judgment item validity and group differences. *Journal of
Applied Psychology*, 96(2), 327-336. (Standardized rate scoring: within-person z-scores.)

Weng, Q., Yang, H., Lievens, F., & McDaniel, M. A. (2018). Optimizing the validity of
situational judgment tests: The importance of scoring methods. *Journal of Vocational
Behavior*, 104, 199-209. (Distance and correlation scoring of rate-format items.)

Motowidlo, S. J., Dunnette, M. D., & Carter, G. W. (1990). An alternative selection
procedure: The low-fidelity simulation. *Journal of Applied Psychology*, 75(6), 640-647.
(The most/least response format.)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest

from assessments.sjt.keys import key_ranks, option_keys
from assessments.sjt.scoring import (
    ConsensusKey,
    MostLeastWeights,
    most_least_bounds,
    most_least_options_bounds,
    rank_bounds,
    rate_bounds,
    score_most_least,
    score_most_least_options,
    score_rank,
    score_rate,
    score_standardized,
    score_test,
)

nan = float("nan")
SCALE = (1, 5)
GRID = tuple(float(g) for g in range(1, 6))  # the whole-number ratings of SCALE
PAD = 99.0  # garbage on padded positions: must be ignored
SEEDS = (0, 1, 2, 3, 4, 5)
N_CAND, N_ITEMS, N_OPTS = 40, 6, 4
POLICIES = ("lowest", "middle")
TOL = {"rtol": 1e-9, "atol": 1e-9}


@pytest.fixture(autouse=True)
def clean():
    """Pure computation, no database: skip tests/conftest.py's per-test row deletion."""
    yield


# =========================================================================================
# Reference implementation: plain Python, one candidate / item / option at a time
# =========================================================================================


def _isnan(x: float) -> bool:
    return math.isnan(x)


def _mean(xs: list[float]) -> float:
    return math.fsum(xs) / len(xs)


def _pop_sd(xs: list[float]) -> float:
    """Population standard deviation (divide by n), as in a within-person z-score."""
    m = _mean(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / len(xs))


def _options(row: list[float], valid_row: list[bool]) -> list[float]:
    """The values of an item's valid options in option order (padding dropped)."""
    return [x for x, ok in zip(row, valid_row, strict=True) if ok]


def ref_pearson(xs: list[float], ys: list[float]) -> float:
    """Pearson product-moment r of two equally long lists.

    r = sum (x - mx)(y - my) / sqrt(sum (x - mx)^2 sum (y - my)^2). r is undefined when
    either side does not vary (SD = 0); the module scores that 0 (no better than chance).
    """
    if max(xs) == min(xs) or max(ys) == min(ys):
        return 0.0
    mx, my = _mean(xs), _mean(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy)


def ref_rate_item(ratings: list[float], key: list[float], method: str) -> float:
    """One rate-format item (valid options only); NaN unless every option is rated.

    Weng, Yang, Lievens & McDaniel (2018), rate-format scoring methods:
    * absolute (distance) = -sum_o |r_o - k_o|
    * squared             = -sum_o (r_o - k_o)^2
    * correlation         = Pearson r between the item's ratings and its key
                            (also McDaniel et al. 2011); 0 for a flat answer or key.
    """
    if any(_isnan(r) for r in ratings):
        return nan
    if method == "absolute":
        return -math.fsum(abs(r - k) for r, k in zip(ratings, key, strict=True))
    if method == "squared":
        return -math.fsum((r - k) ** 2 for r, k in zip(ratings, key, strict=True))
    if method == "correlation":
        return ref_pearson(ratings, key)
    raise AssertionError(method)


def ref_score_rate(ratings, key, valid, method: str) -> list[list[float]]:
    """Item scores of every candidate, item by item (lists in, lists out)."""
    return [
        [
            ref_rate_item(_options(sheet[i], valid[i]), _options(key[i], valid[i]), method)
            for i in range(len(valid))
        ]
        for sheet in ratings
    ]


def _key_z(key, valid, items) -> tuple[list[tuple[int, int]], dict, int] | None:
    """z-scores of the key over the valid options of ``items`` (population SD).

    Returns (options, {option: z}, V) or None when the key does not vary there.
    """
    opts = [(i, o) for i in items for o in range(len(valid[i])) if valid[i][o]]
    kv = [key[i][o] for i, o in opts]
    if not kv or max(kv) == min(kv):
        return None
    mk, sk = _mean(kv), _pop_sd(kv)
    return opts, {(i, o): (key[i][o] - mk) / sk for i, o in opts}, len(opts)


def ref_standardized_items(sheet, key, valid) -> list[float]:
    """Standardized item scores of one candidate.

    McDaniel, Psotka, Legree, Yost & Weekley (2011): each candidate's ratings are
    converted to z-scores within person over all the ratings of the test (population SD;
    the module uses every rated valid option, also of partly rated items), the key is
    z-scored over all its options, and the item score is -sum_o (z_r,o - z_k,o)^2.
    No z-scores (NaN) for a candidate whose ratings do not vary.
    """
    n_items = len(valid)
    _, zk, _ = _key_z(key, valid, range(n_items))
    rated = [
        sheet[i][o]
        for i in range(n_items)
        for o in range(len(valid[i]))
        if valid[i][o] and not _isnan(sheet[i][o])
    ]
    if not rated or max(rated) == min(rated):
        return [nan] * n_items
    mr, sr = _mean(rated), _pop_sd(rated)
    out = []
    for i in range(n_items):
        opts = [o for o in range(len(valid[i])) if valid[i][o]]
        if any(_isnan(sheet[i][o]) for o in opts):
            out.append(nan)
            continue
        out.append(-math.fsum(((sheet[i][o] - mr) / sr - zk[i, o]) ** 2 for o in opts))
    return out


def ref_standardized_r(sheet, key, valid, items, omitted: str) -> float:
    """Test-level standardized score: the profile correlation r (McDaniel et al. 2011).

    Over the V valid options of ``items``: sum_o (z_r - z_k)^2 = 2V(1 - r), so r carries
    the method's whole ranking. A complete sheet: r = Pearson r of ratings and key (0 for
    a flat candidate). Omitted items (not every option rated): under "lowest" the sheet
    scores -1; under "middle" the omitted options count as rated at the candidate's mean,
    r = sum over the answered options of z_r z_k / V (z_r over the answered options).
    NaN when ``items`` has no option or the key does not vary over them.
    """
    kz = _key_z(key, valid, items)
    if kz is None:
        return nan
    opts, zk, v_count = kz
    answered = [
        i for i in items if all(not _isnan(sheet[i][o]) for o, ok in enumerate(valid[i]) if ok)
    ]
    if len(answered) < len(items):
        if omitted == "lowest":
            return -1.0
    else:  # a complete sheet: the plain Pearson r of the two profiles
        return ref_pearson([sheet[i][o] for i, o in opts], [key[i][o] for i, o in opts])
    use = [(i, o) for i, o in opts if i in answered]
    xs = [sheet[i][o] for i, o in use]
    if not xs or max(xs) == min(xs):
        return 0.0
    mr, sr = _mean(xs), _pop_sd(xs)
    return math.fsum((sheet[i][o] - mr) / sr * zk[i, o] for i, o in use) / v_count


def ref_standardized_bounds(key, valid) -> list[tuple[float, float]]:
    """Bounds of a standardized item score whatever the rest of the sheet.

    hi = 0; lo = -(sqrt(V) + ||z_k,i||)^2: over the N <= V rated options sum z_r^2 = N, so
    ||z_r,i|| <= sqrt(V) and ||z_r,i - z_k,i|| <= ||z_r,i|| + ||z_k,i|| (triangle inequality).
    """
    _, zk, v_count = _key_z(key, valid, range(len(valid)))
    out = []
    for i in range(len(valid)):
        norm = math.sqrt(math.fsum(z * z for (j, _), z in zk.items() if j == i))
        out.append((-((math.sqrt(v_count) + norm) ** 2), 0.0))
    return out


def ref_most_least_item(most, least, best, worst, w: MostLeastWeights) -> float:
    """One most/least item (Motowidlo, Dunnette & Carter 1990 response format).

    Keyed events: the best option chosen as most (+1 by default), the worst as least (+1),
    the worst as most (-1), the best as least (-1); any other choice scores 0. NaN unless
    both choices are given. A key whose best and worst are the same option does not
    discriminate: 0.
    """
    if _isnan(most) or _isnan(least):
        return nan
    if best == worst:
        return 0.0
    score = 0.0
    if most == best:
        score += w.best_as_most
    if most == worst:
        score += w.worst_as_most
    if least == worst:
        score += w.worst_as_least
    if least == best:
        score += w.best_as_least
    return score


def ref_option_key_item(most, least, keys_row) -> float:
    """Most/least with a key on every option (+1 / 0 / -1): ok[most] - ok[least]."""
    if _isnan(most) or _isnan(least):
        return nan
    return keys_row[int(most)] - keys_row[int(least)]


def ref_rank_item(ranks: list[float], kr: list[float], method: str, m: float) -> float:
    """One rank-format item (valid options only); NaN unless every option is ranked.

    * distance: sum_o max(0, M - |rank_o - key_o|), M = n - 1 by default: each option
      earns M points less its distance from the keyed position;
    * spearman: Spearman's rho = the Pearson r of the candidate's ranks with the key ranks
      (ties in the key keep their average ranks); 0 for a key that ties every option.
    """
    if any(_isnan(r) for r in ranks):
        return nan
    if method == "distance":
        return math.fsum(max(0.0, m - abs(r - k)) for r, k in zip(ranks, kr, strict=True))
    return ref_pearson(ranks, kr)


def ref_key_ranks(eff: list[float]) -> list[float]:
    """Average ranks, 1 = most effective: 1 + (options above) + (ties - 1) / 2.

    Values equal to 9 decimals tie (keys.TIE_DECIMALS).
    """
    e = [round(x, 9) for x in eff]
    return [1 + sum(1 for y in e if y > x) + (sum(1 for y in e if y == x) - 1) / 2 for x in e]


def ref_option_keys(eff: list[float], effective: float, ineffective: float) -> list[float]:
    """+1 at or above ``effective``, -1 at or below ``ineffective``, else 0."""
    return [1.0 if x >= effective else -1.0 if x <= ineffective else 0.0 for x in eff]


# --- bounds by enumeration ---------------------------------------------------------------


@dataclass(frozen=True)
class RefBound:
    """Lowest and highest item score over every answer, and an answer reaching each."""

    lo: float
    lo_answer: tuple
    hi: float
    hi_answer: tuple


def _enumerate(answers, score: Callable[[tuple], float]) -> RefBound:
    lo = hi = None
    for a in answers:
        s = score(a)
        if lo is None or s < lo[0]:
            lo = (s, a)
        if hi is None or s > hi[0]:
            hi = (s, a)
    return RefBound(lo[0], lo[1], hi[0], hi[1])


def ref_rate_bounds(key, valid, method: str) -> list[RefBound]:
    """Every whole-number rating vector on GRID of every item (itertools.product)."""
    out = []
    for i in range(len(valid)):
        k = _options(key[i], valid[i])
        out.append(
            _enumerate(
                itertools.product(GRID, repeat=len(k)),
                lambda a, k=k: ref_rate_item(list(a), k, method),
            )
        )
    return out


def _pairs(valid_row):
    opts = [o for o, ok in enumerate(valid_row) if ok]
    return [(m, le) for m in opts for le in opts if m != le]


def ref_most_least_bounds(best, worst, valid, w) -> list[RefBound]:
    """Every (most, least) pair of distinct valid options."""
    return [
        _enumerate(
            _pairs(valid[i]),
            lambda a, i=i: ref_most_least_item(a[0], a[1], best[i], worst[i], w),
        )
        for i in range(len(valid))
    ]


def ref_option_key_bounds(keys, valid) -> list[RefBound]:
    return [
        _enumerate(_pairs(valid[i]), lambda a, i=i: ref_option_key_item(a[0], a[1], keys[i]))
        for i in range(len(valid))
    ]


def ref_rank_bounds(kr, valid, method: str, m: list[float]) -> list[RefBound]:
    """Every order of every item's options (itertools.permutations)."""
    out = []
    for i in range(len(valid)):
        k = _options(kr[i], valid[i])
        out.append(
            _enumerate(
                itertools.permutations([float(r) for r in range(1, len(k) + 1)]),
                lambda a, k=k, i=i: ref_rank_item(list(a), k, method, m[i]),
            )
        )
    return out


# --- totals ------------------------------------------------------------------------------


@dataclass
class RefResult:
    total: list[float]
    total_scaled: list[float]
    competency: list[list[float]]
    competency_scaled: list[list[float]]
    answered: list[int]
    competency_answered: list[list[int]]
    items: int
    excluded: list[bool]


def ref_score_test(scores, lo, hi, targets, omitted: str) -> RefResult:
    """Sum item scores over the scored items and put the sum on 0-100.

    Scored items: every item except those whose key cannot discriminate (lo == hi). An
    omitted item (NaN) scores lo ("lowest") or (lo + hi) / 2 ("middle") and stays in the
    scale. scaled = 100 (sum - sum lo) / (sum hi - sum lo) over the scored items (those
    targeting the competency for a competency score); NaN when there is none.
    """
    n_items = len(lo)
    excluded = [abs(hi[i] - lo[i]) <= 1e-12 for i in range(n_items)]
    n_comp = len(targets[0]) if targets else 0

    def one(row, items):
        items = [i for i in items if not excluded[i]]
        if not items:
            return nan, nan
        total = 0.0
        for i in items:
            if _isnan(row[i]):
                total += lo[i] if omitted == "lowest" else (lo[i] + hi[i]) / 2
            else:
                total += row[i]
        slo = math.fsum(lo[i] for i in items)
        shi = math.fsum(hi[i] for i in items)
        return total, 100 * (total - slo) / (shi - slo)

    res = RefResult([], [], [], [], [], [], n_items - sum(excluded), excluded)
    for row in scores:
        t, ts = one(row, range(n_items))
        res.total.append(t)
        res.total_scaled.append(ts)
        res.answered.append(
            sum(1 for i in range(n_items) if not excluded[i] and not _isnan(row[i]))
        )
        comps = [one(row, [i for i in range(n_items) if targets[i][j]]) for j in range(n_comp)]
        res.competency.append([c[0] for c in comps])
        res.competency_scaled.append([c[1] for c in comps])
        res.competency_answered.append(
            [
                sum(
                    1
                    for i in range(n_items)
                    if targets[i][j] and not excluded[i] and not _isnan(row[i])
                )
                for j in range(n_comp)
            ]
        )
    return res


# =========================================================================================
# Random forms
# =========================================================================================


@dataclass
class Case:
    valid: np.ndarray  # items x options
    key: np.ndarray  # rate key on SCALE, PAD on padding
    whole_key: np.ndarray  # the key rounded to whole numbers, PAD on padding
    targets: np.ndarray  # items x competencies
    ratings: np.ndarray  # candidates x items x options
    most: np.ndarray
    least: np.ndarray
    best: np.ndarray
    worst: np.ndarray
    option_keys: np.ndarray  # PAD on padding
    key_ranks: np.ndarray  # PAD on padding
    ranks: np.ndarray
    rng: np.random.Generator


FLAT_ITEM = 2  # its key rates every option alike
TIED_ITEM = 3  # its key ties two options


def make_case(seed: int) -> Case:
    """A random form of N_ITEMS items (2-4 options, padded to 4) and N_CAND candidates.

    Even seeds pad at the end of the option axis, odd seeds anywhere. Candidates 0-5 are
    special: 0 rates every option 3 (flat sheet), 1 is flat within each item, 2 answers the
    key, 3 is blank, 4 is flat with one item omitted, 5 answered one item only; the others
    answer at random with whole items omitted and single options left blank.
    """
    rng = np.random.default_rng(seed)
    counts = rng.integers(2, N_OPTS + 1, N_ITEMS)
    counts[:4] = (4, 3, 3, 4)  # the widest item has 4 options; item 1 and 2 are padded
    valid = np.zeros((N_ITEMS, N_OPTS), dtype=bool)
    for i, n in enumerate(counts):
        pos = np.sort(rng.choice(N_OPTS, n, replace=False)) if seed % 2 else np.arange(n)
        valid[i, pos] = True

    key = rng.integers(1, 6, (N_ITEMS, N_OPTS)).astype(float)
    fractional = rng.random(N_ITEMS) < 0.4  # consensus-style means (quarter steps)
    key[fractional] = np.round(rng.uniform(1, 5, (int(fractional.sum()), N_OPTS)) * 4) / 4
    key[FLAT_ITEM] = 3.0
    opts3 = np.flatnonzero(valid[TIED_ITEM])
    key[TIED_ITEM, opts3] = [4.0, 4.0, 2.0, 1.0][: len(opts3)]
    key[~valid] = PAD
    whole_key = np.where(valid, np.floor(key + 0.5), PAD)

    targets = np.zeros((N_ITEMS, 4), dtype=bool)
    targets[:, 0] = rng.random(N_ITEMS) < 0.5
    targets[FLAT_ITEM, 1] = True  # a competency of one item that cannot discriminate
    # competency 2 targets no item
    targets[:, 3] = True

    # --- rate sheets
    r = rng.integers(1, 6, (N_CAND, N_ITEMS, N_OPTS)).astype(float)
    r[0] = 3.0
    r[1] = rng.integers(1, 6, N_ITEMS)[:, None]
    r[2] = whole_key
    r[3] = nan
    r[4] = 2.0
    r[4, 1] = nan
    r[5] = nan
    r[5, 0] = rng.integers(1, 6, N_OPTS)
    omit = rng.random((N_CAND, N_ITEMS)) < 0.15
    omit[:6] = False
    r[omit] = nan
    part = (rng.random((N_CAND, N_ITEMS, N_OPTS)) < 0.05) & valid
    part[:6] = False
    r[part] = nan
    r[:, ~valid] = PAD

    # --- most/least
    kv = np.where(valid, key, nan)
    best = np.nanargmax(kv, axis=1)  # first index on ties; FLAT_ITEM: best == worst
    worst = np.nanargmin(kv, axis=1)
    most = np.full((N_CAND, N_ITEMS), nan)
    least = np.full((N_CAND, N_ITEMS), nan)
    for c in range(N_CAND):
        for i in range(N_ITEMS):
            most[c, i], least[c, i] = rng.choice(np.flatnonzero(valid[i]), 2, replace=False)
    for i in range(N_ITEMS):
        other = next(o for o in np.flatnonzero(valid[i]) if o != best[i])
        most[2, i], least[2, i] = best[i], worst[i] if worst[i] != best[i] else other
    most[3] = least[3] = nan
    most[omit] = nan  # whole items omitted
    only_most = rng.random((N_CAND, N_ITEMS)) < 0.05
    only_most[:6] = False
    least[only_most] = nan  # only most given: omitted too

    ok = option_keys(np.where(valid, key, nan), valid, effective=4, ineffective=2)
    ok[~valid] = PAD

    # --- rank
    kr = key_ranks(np.where(valid, key, nan), valid)
    kr[~valid] = PAD
    ranks = np.full((N_CAND, N_ITEMS, N_OPTS), PAD)
    for c in range(N_CAND):
        for i in range(N_ITEMS):
            opts = np.flatnonzero(valid[i])
            ranks[c, i, opts] = rng.permutation(len(opts)) + 1
    for i in range(N_ITEMS):  # candidate 2: the key's order (ties by option index)
        opts = np.flatnonzero(valid[i])
        order = sorted(opts, key=lambda o, i=i: (kr[i, o], o))
        ranks[2, i, order] = np.arange(1, len(opts) + 1)
    ranks[3] = nan
    ranks[omit] = nan
    ranks[part] = nan  # partly ranked items
    return Case(valid, key, whole_key, targets, r, most, least, best, worst, ok, kr, ranks, rng)


def L(x) -> list:
    """numpy -> nested Python lists of floats/bools for the reference."""
    return np.asarray(x).tolist()


# =========================================================================================
# Every per-item method: vectorised function, bounds, reference and answer layout
# =========================================================================================


@dataclass(frozen=True)
class Method:
    name: str
    score: Callable  # (case, sheet) -> candidates x items
    bounds: Callable  # case -> ItemBounds
    ref_score: Callable  # (case, sheet) -> list of lists
    ref_bounds: Callable  # case -> list[RefBound]
    sheet: Callable  # case -> the random sheet
    assemble: Callable  # (case, one answer per item) -> a one-candidate sheet
    key_answer: Callable  # case -> the key's own answer, one per item


def _rate(method: str) -> Method:
    def assemble(case, answers):
        out = np.full((1, N_ITEMS, N_OPTS), PAD)
        for i, a in enumerate(answers):
            out[0, i, case.valid[i]] = a
        return out

    return Method(
        f"rate-{method}",
        lambda case, s: score_rate(s, case.key, case.valid, method=method, scale=SCALE),
        lambda case: rate_bounds(case.key, case.valid, method=method, scale=SCALE),
        lambda case, s: ref_score_rate(L(s), L(case.key), L(case.valid), method),
        lambda case: ref_rate_bounds(L(case.key), L(case.valid), method),
        lambda case: case.ratings,
        assemble,
        lambda case: [tuple(case.whole_key[i, case.valid[i]]) for i in range(N_ITEMS)],
    )


def _ml_assemble(case, answers):
    most = np.array([[float(a[0]) for a in answers]])
    least = np.array([[float(a[1]) for a in answers]])
    return most, least


def _most_least(name: str, w: MostLeastWeights) -> Method:
    def score(case, s):
        return score_most_least(
            s[0], s[1], best=case.best, worst=case.worst, valid=case.valid, weights=w
        )

    def ref(case, s):
        return [
            [
                ref_most_least_item(m, le, int(case.best[i]), int(case.worst[i]), w)
                for i, (m, le) in enumerate(zip(mrow, lrow, strict=True))
            ]
            for mrow, lrow in zip(L(s[0]), L(s[1]), strict=True)
        ]

    def key_answer(case):
        out = []
        for i in range(N_ITEMS):
            b, wo = int(case.best[i]), int(case.worst[i])
            if b == wo:
                wo = next(o for o in np.flatnonzero(case.valid[i]) if o != b)
            out.append((b, wo))
        return out

    return Method(
        name,
        score,
        lambda case: most_least_bounds(case.best, case.worst, case.valid, weights=w),
        ref,
        lambda case: ref_most_least_bounds(L(case.best), L(case.worst), L(case.valid), w),
        lambda case: (case.most, case.least),
        _ml_assemble,
        key_answer,
    )


def _option_key_method() -> Method:
    def ref(case, s):
        ok = L(case.option_keys)
        return [
            [
                ref_option_key_item(m, le, ok[i])
                for i, (m, le) in enumerate(zip(mrow, lrow, strict=True))
            ]
            for mrow, lrow in zip(L(s[0]), L(s[1]), strict=True)
        ]

    def key_answer(case):
        out = []
        for i in range(N_ITEMS):
            opts = list(np.flatnonzero(case.valid[i]))
            vals = [case.option_keys[i, o] for o in opts]
            top = opts[vals.index(max(vals))]
            bottom = opts[vals.index(min(vals))]
            if top == bottom:  # every option keyed alike
                bottom = next(o for o in opts if o != top)
            out.append((top, bottom))
        return out

    return Method(
        "most_least_options",
        lambda case, s: score_most_least_options(s[0], s[1], case.option_keys, valid=case.valid),
        lambda case: most_least_options_bounds(case.option_keys, case.valid),
        ref,
        lambda case: ref_option_key_bounds(L(case.option_keys), L(case.valid)),
        lambda case: (case.most, case.least),
        _ml_assemble,
        key_answer,
    )


def _m_values(case, m) -> list[float]:
    n = case.valid.sum(axis=1)
    if m is None:
        return [float(k - 1) for k in n]
    return [float(x) for x in np.broadcast_to(m, n.shape)]


def _rank(name: str, method: str, m=None) -> Method:
    def assemble(case, answers):
        out = np.full((1, N_ITEMS, N_OPTS), PAD)
        for i, a in enumerate(answers):
            out[0, i, case.valid[i]] = a
        return out

    def ref(case, s):
        kr, valid, mm = L(case.key_ranks), L(case.valid), _m_values(case, m)
        return [
            [
                ref_rank_item(
                    _options(sheet[i], valid[i]), _options(kr[i], valid[i]), method, mm[i]
                )
                for i in range(N_ITEMS)
            ]
            for sheet in L(s)
        ]

    def key_answer(case):
        out = []
        for i in range(N_ITEMS):
            opts = list(np.flatnonzero(case.valid[i]))
            order = sorted(opts, key=lambda o, i=i: (case.key_ranks[i, o], o))
            out.append(tuple(float(order.index(o) + 1) for o in opts))
        return out

    return Method(
        name,
        lambda case, s: score_rank(s, case.key_ranks, case.valid, method=method, m=m),
        lambda case: rank_bounds(case.key_ranks, case.valid, method=method, m=m),
        ref,
        lambda case: ref_rank_bounds(L(case.key_ranks), L(case.valid), method, _m_values(case, m)),
        lambda case: case.ranks,
        assemble,
        key_answer,
    )


M_PER_ITEM = np.array([0.5, 1.0, 1.5, 2.0, 2.5, 3.5])
METHODS = [
    _rate("absolute"),
    _rate("squared"),
    _rate("correlation"),
    _most_least("most_least", MostLeastWeights()),
    _most_least(
        "most_least-weighted",
        MostLeastWeights(best_as_most=2, worst_as_least=1, worst_as_most=-2, best_as_least=-0.5),
    ),
    _option_key_method(),
    _rank("rank-distance", "distance"),
    _rank("rank-distance-m2", "distance", m=2.0),
    _rank("rank-distance-m-per-item", "distance", m=M_PER_ITEM),
    _rank("rank-spearman", "spearman"),
]
METHOD_IDS = [m.name for m in METHODS]


def _assert_result_equal(got, ref: RefResult) -> None:
    np.testing.assert_allclose(got.total, ref.total, **TOL)
    np.testing.assert_allclose(got.total_scaled, ref.total_scaled, **TOL)
    np.testing.assert_allclose(got.competency, np.array(ref.competency), **TOL)
    np.testing.assert_allclose(got.competency_scaled, np.array(ref.competency_scaled), **TOL)
    np.testing.assert_array_equal(got.answered, ref.answered)
    np.testing.assert_array_equal(got.competency_answered, np.array(ref.competency_answered))
    assert got.items == ref.items
    assert got.excluded.tolist() == ref.excluded


# =========================================================================================
# Tests
# =========================================================================================


@pytest.mark.parametrize("seed", SEEDS)
def test_key_ranks_and_option_keys_match_reference(seed):
    case = make_case(seed)
    v = case.valid
    eff = np.where(v, case.key, PAD)
    got = key_ranks(eff, v)
    got_ok = option_keys(eff, v, effective=4, ineffective=2)
    for i in range(N_ITEMS):
        e = _options(L(case.key[i]), L(v[i]))
        assert got[i, v[i]].tolist() == ref_key_ranks(e)
        assert np.isnan(got[i, ~v[i]]).all()
        assert got_ok[i, v[i]].tolist() == ref_option_keys(e, 4, 2)
    # the flat item ties every option at (n + 1) / 2; the tied item shares rank 1.5
    n_flat = int(v[FLAT_ITEM].sum())
    assert got[FLAT_ITEM, v[FLAT_ITEM]].tolist() == [(n_flat + 1) / 2] * n_flat
    assert got[TIED_ITEM, v[TIED_ITEM]][:2].tolist() == [1.5, 1.5]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS, ids=METHOD_IDS)
def test_item_scores_match_reference(method, seed):
    case = make_case(seed)
    sheet = method.sheet(case)
    got = method.score(case, sheet)
    ref = np.array(method.ref_score(case, sheet))
    assert got.shape == (N_CAND, N_ITEMS)
    np.testing.assert_allclose(got, ref, **TOL)
    # the data really holds omitted items, and the blank candidate is all NaN
    assert np.isnan(ref).any() and np.isnan(got[3]).all()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS, ids=METHOD_IDS)
def test_bounds_match_enumeration(method, seed):
    case = make_case(seed)
    got = method.bounds(case)
    ref = method.ref_bounds(case)
    np.testing.assert_allclose(got.lo, [b.lo for b in ref], **TOL)
    np.testing.assert_allclose(got.hi, [b.hi for b in ref], **TOL)
    # every scored answer lies within them
    s = method.score(case, method.sheet(case))
    ok = np.isnan(s) | ((s >= got.lo - 1e-9) & (s <= got.hi + 1e-9))
    assert ok.all()


@pytest.mark.parametrize("omitted", POLICIES)
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS, ids=METHOD_IDS)
def test_score_test_matches_reference(method, seed, omitted):
    case = make_case(seed)
    sheet = method.sheet(case)
    got = score_test(method.score(case, sheet), method.bounds(case), case.targets, omitted=omitted)
    rb = method.ref_bounds(case)
    ref = ref_score_test(
        method.ref_score(case, sheet),
        [b.lo for b in rb],
        [b.hi for b in rb],
        L(case.targets),
        omitted,
    )
    _assert_result_equal(got, ref)
    assert got.omitted == omitted and got.scale == "0-100"
    assert np.all(
        np.isnan(got.total_scaled) | ((got.total_scaled >= 0) & (got.total_scaled <= 100))
    )
    # competency 2 targets no item: no score. The flat-key item discriminates only for the
    # distance-to-key rate methods; elsewhere it is left out, and with it competency 1.
    assert np.isnan(got.competency_scaled[:, 2]).all()
    flat_scored = method.name in ("rate-absolute", "rate-squared")
    assert got.excluded[FLAT_ITEM] != flat_scored
    if method.name.startswith("rate-"):  # rate keys discriminate otherwise (option keys may not)
        assert got.excluded.sum() == (not flat_scored)
    assert np.isnan(got.competency_scaled[:, 1]).all() != flat_scored
    # the blank candidate scores the floor under "lowest", the middle under "middle"
    assert got.total_scaled[3] == pytest.approx(0.0 if omitted == "lowest" else 50.0)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("method", METHODS, ids=METHOD_IDS)
def test_both_ends_of_the_scale_are_reached(method, seed):
    """100 and 0 are scores of real sheets: the enumerated argmax / argmin of every item."""
    case = make_case(seed)
    rb = method.ref_bounds(case)
    bounds = method.bounds(case)
    for answers, end in (([b.hi_answer for b in rb], 100.0), ([b.lo_answer for b in rb], 0.0)):
        sheet = method.assemble(case, answers)
        s = method.score(case, sheet)
        np.testing.assert_allclose(s[0], [b.hi if end else b.lo for b in rb], **TOL)
        res = score_test(s, bounds, case.targets)
        assert res.total_scaled[0] == pytest.approx(end, abs=1e-9)
        comp = res.competency_scaled[0]
        np.testing.assert_allclose(comp[~np.isnan(comp)], end, atol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    "method", [m for m in METHODS if m.name != "rate-correlation"], ids=lambda m: m.name
)
def test_the_keys_own_answer_scores_100(method, seed):
    """The key's own answer (rate: rounded to whole numbers) scores hi on every item."""
    case = make_case(seed)
    s = method.score(case, method.assemble(case, method.key_answer(case)))
    bounds = method.bounds(case)
    np.testing.assert_allclose(s[0], bounds.hi, **TOL)
    res = score_test(s, bounds, case.targets)
    assert res.total_scaled[0] == pytest.approx(100.0, abs=1e-9)
    # candidate 2 of the random sheets is the key's answer too (most/least, rank, rate)
    s2 = method.score(case, method.sheet(case))[2]
    np.testing.assert_allclose(s2, bounds.hi, **TOL)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_keys_own_answer_scores_100_correlation(seed):
    """Correlation: a whole-number key's own answer has r = 1 on every item that varies."""
    case = make_case(seed)
    key = case.whole_key
    answer = np.where(case.valid, key, PAD)[None]
    s = score_rate(answer, key, case.valid, method="correlation", scale=SCALE)
    b = rate_bounds(key, case.valid, method="correlation", scale=SCALE)
    np.testing.assert_allclose(s[0], b.hi, **TOL)
    assert s[0, FLAT_ITEM] == 0.0 and b.hi[FLAT_ITEM] == 0.0
    assert score_test(s, b, case.targets).total_scaled[0] == pytest.approx(100.0)


def test_a_rounded_fractional_key_need_not_reach_the_correlation_maximum():
    """Why the test above uses a whole-number key: rounding can flatten a fractional key.

    Key [1.5, 1.5, 2] rounds to [2, 2, 2], a flat answer (r = 0), while [1, 1, 2] has
    r = 1; the enumerated bound is 1 and score_test's 100 is reached by [1, 1, 2].
    """
    valid = np.ones((1, 3), bool)
    key = np.array([[1.5, 1.5, 2.0]])
    b = rate_bounds(key, valid, method="correlation", scale=SCALE)
    assert b.hi[0] == pytest.approx(1.0)
    s = score_rate(
        np.array([[[2.0, 2.0, 2.0]], [[1.0, 1.0, 2.0]]]),
        key,
        valid,
        method="correlation",
        scale=SCALE,
    )
    assert s[0, 0] == 0.0 and s[1, 0] == pytest.approx(1.0)


# --- standardized ------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_standardized_item_scores_and_bounds_match_reference(seed):
    case = make_case(seed)
    got = score_rate(case.ratings, case.key, case.valid, method="standardized", scale=SCALE)
    key, valid = L(case.key), L(case.valid)
    ref = np.array([ref_standardized_items(sheet, key, valid) for sheet in L(case.ratings)])
    np.testing.assert_allclose(got, ref, **TOL)
    assert np.isnan(got[0]).all()  # flat sheet: no z-scores
    assert np.isnan(got[1]).sum() < N_ITEMS  # flat within items, not over the sheet
    b = rate_bounds(case.key, case.valid, method="standardized", scale=SCALE)
    rb = ref_standardized_bounds(key, valid)
    np.testing.assert_allclose(b.lo, [x[0] for x in rb], **TOL)
    np.testing.assert_allclose(b.hi, [x[1] for x in rb], **TOL)
    assert np.all(np.isnan(got) | ((got >= b.lo - 1e-9) & (got <= 1e-12)))
    for omitted in POLICIES:
        res = score_test(got, b, case.targets, omitted=omitted)
        _assert_result_equal(
            res,
            ref_score_test(ref.tolist(), b.lo.tolist(), b.hi.tolist(), L(case.targets), omitted),
        )


@pytest.mark.parametrize("omitted", POLICIES)
@pytest.mark.parametrize("seed", SEEDS)
def test_score_standardized_matches_reference(seed, omitted):
    case = make_case(seed)
    res = score_standardized(
        case.ratings, case.key, case.valid, case.targets, scale=SCALE, omitted=omitted
    )
    key, valid, t = L(case.key), L(case.valid), L(case.targets)
    sets = [list(range(N_ITEMS))] + [
        [i for i in range(N_ITEMS) if t[i][j]] for j in range(case.targets.shape[1])
    ]
    ref = np.array(
        [
            [ref_standardized_r(sheet, key, valid, items, omitted) for items in sets]
            for sheet in L(case.ratings)
        ]
    )
    np.testing.assert_allclose(res.total, ref[:, 0], **TOL)
    np.testing.assert_allclose(res.total_scaled, 100 * ref[:, 0], **TOL)
    np.testing.assert_allclose(res.competency, ref[:, 1:], **TOL)
    np.testing.assert_allclose(res.competency_scaled, 100 * ref[:, 1:], **TOL)
    answered = [
        [all(not _isnan(x) for x in _options(sheet[i], valid[i])) for i in range(N_ITEMS)]
        for sheet in L(case.ratings)
    ]
    np.testing.assert_array_equal(res.answered, [sum(a) for a in answered])
    np.testing.assert_array_equal(
        res.competency_answered,
        [[sum(a[i] for i in items) for items in sets[1:]] for a in answered],
    )
    assert res.scale == "r x 100" and res.omitted == omitted and res.items == N_ITEMS
    assert np.all(np.abs(res.total_scaled) <= 100 + 1e-9)
    # candidate 0 is flat (complete): r = 0; candidate 2 answers the rounded key
    assert res.total[0] == 0.0
    assert res.total[2] == pytest.approx(
        ref_pearson(
            [x for i in range(N_ITEMS) for x in _options(L(case.whole_key[i]), valid[i])],
            [x for i in range(N_ITEMS) for x in _options(key[i], valid[i])],
        )
    )
    # blank (3), flat with an item omitted (4), one item answered (5)
    if omitted == "lowest":
        np.testing.assert_array_equal(res.total[3:6], [-1.0, -1.0, -1.0])
    else:
        np.testing.assert_array_equal(res.total[3:5], [0.0, 0.0])


@pytest.mark.parametrize("seed", SEEDS)
def test_score_standardized_of_the_keys_own_answer_is_100(seed):
    case = make_case(seed)
    answer = np.where(case.valid, case.whole_key, PAD)[None]
    res = score_standardized(answer, case.whole_key, case.valid, case.targets, scale=SCALE)
    assert res.total_scaled[0] == pytest.approx(100.0)
    # a positive linear transformation of the key is as good: 2 + key / 2 (scale 1..5)
    shifted = np.where(case.valid, 2 + case.whole_key / 2, PAD)[None]
    assert score_standardized(shifted, case.whole_key, case.valid, scale=SCALE).total_scaled[
        0
    ] == pytest.approx(100.0)


@pytest.mark.parametrize("omitted", POLICIES)
@pytest.mark.parametrize("eps", [1e-4, 1e-6, 1e-7])
def test_score_standardized_near_flat_fractional_ratings(eps, omitted):
    """Ratings that vary by little (eps > FLAT x width = 4e-9) around a mean far from 0.

    Not flat, so r is defined (and does not depend on eps: the profile is 5 - eps [0, 0,
    1, 0, 1, 0]). Sums of squares less n mean^2 cancel catastrophically here (r = 0.0944
    came out 0.0943 at eps 1e-6 and 0.021 at 1e-8); centred sums must not.
    """
    valid = np.ones((2, 3), bool)
    key = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 5.0]])
    targets = np.array([[True, True], [False, True]])
    ratings = np.array([[[5, 5, 5 - eps], [5, 5 - eps, 5]]])
    if omitted == "middle":
        ratings = np.concatenate([ratings, ratings])
        ratings[1, 1] = nan  # the second sheet omits item 1
    res = score_standardized(ratings, key, valid, targets, scale=SCALE, omitted=omitted)
    sets = [[0, 1], [0], [0, 1]]
    ref = [
        [ref_standardized_r(sheet, L(key), L(valid), items, omitted) for items in sets]
        for sheet in L(ratings)
    ]
    got = np.column_stack([res.total, res.competency])
    np.testing.assert_allclose(got, ref, rtol=1e-6)
    assert res.total[0] == pytest.approx(0.0944911182523068, rel=1e-6)


# --- regression cases from the issue -----------------------------------------------------


def test_regression_flat_fractional_ratings_have_no_z_scores():
    # 0.1 on every option of a 0..6 scale: the deviations from the mean are rounding noise
    # (~1e-17), not variation; dividing by them gave huge z-scores before.
    ratings = np.full((1, 1, 3), 0.1)
    valid = np.ones((1, 3), bool)
    s = score_rate(ratings, [[1, 2, 3]], valid, method="standardized", scale=(0, 6))
    assert s.shape == (1, 1) and np.isnan(s[0, 0])
    res = score_standardized(ratings, [[1, 2, 3]], valid, scale=(0, 6))
    assert res.total[0] == 0.0 and res.total_scaled[0] == 0.0


def test_regression_consensus_most_least_ties_are_exact():
    # 5 respondents of one 3-option item
    most = np.array([[1.0], [1.0], [2.0], [2.0], [2.0]])
    least = np.array([[2.0], [0.0], [1.0], [1.0], [1.0]])
    valid = np.ones((1, 3), bool)
    ck = ConsensusKey("most_least").fit(most, least, valid=valid)
    # counts: most [0, 2, 3], least [1, 3, 1] -> (most - least) / 5 = [-1, -1, 2] / 5
    np.testing.assert_array_equal(ck.effectiveness_, [[-0.2, -0.2, 0.4]])
    assert ck.effectiveness_[0, 0] == ck.effectiveness_[0, 1]  # an exact tie
    # shares subtracted in floating point do not tie: 0 - .2 != .4 - .6
    assert ck.most_share_[0, 0] - ck.least_share_[0, 0] != (
        ck.most_share_[0, 1] - ck.least_share_[0, 1]
    )
    np.testing.assert_array_equal(ck.ranks_, [[2.5, 2.5, 1.0]])
    # key_ranks rounds to 9 decimals, so it ties the float differences as well
    np.testing.assert_array_equal(
        key_ranks(np.array([[0 - 0.2, 0.4 - 0.6, 0.4]]), valid), [[2.5, 2.5, 1.0]]
    )


def test_regression_rank_scores_with_the_tied_consensus_key():
    """Distance and Spearman against the tied key [2.5, 2.5, 1] by hand.

    n = 3, M = n - 1 = 2. The candidate of the issue ranks option 2 first: [2, 3, 1].
      tied key [2.5, 2.5, 1]: |2 - 2.5| = .5 -> 1.5, |3 - 2.5| = .5 -> 1.5, |1 - 1| = 0 -> 2:
        distance 5; centred ranks [0, 1, -1], centred key [.5, .5, -1]: cross 1.5,
        SS 2 and 1.5 -> rho = 1.5 / sqrt(3) = sqrt(3)/2 = 0.866.
      the broken key [3, 2, 1] (float differences decided the tie): 1 + 1 + 2 = 4 and
        rho = 1 / sqrt(2 * 2) = 0.5 - the values the issue reported.
    Swapping the two tied options ([3, 2, 1]) must score the same against the tied key.
    [1, 2, 3]: .5 + 1.5 + 0 = 2, rho = (-.5 + 0 - 1) / sqrt(3) = -sqrt(3)/2.
    """
    valid = np.ones((1, 3), bool)
    tied = np.array([[2.5, 2.5, 1.0]])
    cands = np.array([[[2, 3, 1]], [[3, 2, 1]], [[1, 2, 3]]], dtype=float)
    d = score_rank(cands, tied, valid, method="distance")
    rho = score_rank(cands, tied, valid, method="spearman")
    np.testing.assert_allclose(d[:, 0], [5.0, 5.0, 2.0])
    np.testing.assert_allclose(rho[:, 0], [np.sqrt(3) / 2, np.sqrt(3) / 2, -np.sqrt(3) / 2])
    assert rho[0, 0] == pytest.approx(0.866, abs=5e-4)
    broken = np.array([[3.0, 2.0, 1.0]])
    assert score_rank(cands[:1], broken, valid, method="distance")[0, 0] == 4.0
    assert score_rank(cands[:1], broken, valid, method="spearman")[0, 0] == pytest.approx(0.5)
    # the reference agrees, and the tied key's bounds are reached by these candidates
    for c, (dd, rr) in enumerate(zip(d[:, 0], rho[:, 0], strict=True)):
        assert ref_rank_item(L(cands[c, 0]), [2.5, 2.5, 1.0], "distance", 2.0) == dd
        assert ref_rank_item(L(cands[c, 0]), [2.5, 2.5, 1.0], "spearman", 2.0) == pytest.approx(rr)
    b = rank_bounds(tied, valid, method="distance")
    assert (b.lo[0], b.hi[0]) == (2.0, 5.0)
    b = rank_bounds(tied, valid, method="spearman")
    np.testing.assert_allclose([b.lo[0], b.hi[0]], [-np.sqrt(3) / 2, np.sqrt(3) / 2])
    # end to end: the consensus key of the previous test gives these ranks
    most = np.array([[1.0], [1.0], [2.0], [2.0], [2.0]])
    least = np.array([[2.0], [0.0], [1.0], [1.0], [1.0]])
    kr = ConsensusKey("most_least").fit(most, least, valid=valid).ranks_
    assert score_rank(cands[:1], kr, valid, method="distance")[0, 0] == 5.0
    assert score_rank(cands[:1], kr, valid, method="spearman")[0, 0] == pytest.approx(
        np.sqrt(3) / 2
    )
