"""Property tests (hypothesis): under ``omitted="lowest"`` leaving an item blank never pays.

For every response format and scoring method, a random answer sheet is scored together
with copies of it in which one item (or one option of an item) is blanked; no copy may
score a higher total (``total_scaled``) or a higher score on any competency
(``competency_scaled``) than the sheet itself. The scaled scores stay within 0-100
(standardized: -100..100, the profile correlation x 100) and the key's own answer scores
100 on every per-item method. Forms are small (1-4 items of 2-4 options on a 1..5 scale)
so that the exact bounds (enumerated) stay cheap.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from assessments.sjt.keys import key_ranks
from assessments.sjt.scoring import (
    MostLeastWeights,
    ScoringResult,
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

nan = np.nan
SCALE = (1, 5)
N_OPTS = 4
PAD = 99.0  # garbage on padded positions
EPS = 1e-9
SETTINGS = settings(max_examples=150, deadline=None, derandomize=True)


@pytest.fixture(autouse=True)
def clean():
    """Pure computation, no database: skip tests/conftest.py's per-test row deletion."""
    yield


# --- strategies --------------------------------------------------------------------------


@st.composite
def forms(draw):
    """valid (items x 4, 2-4 options per item, padding anywhere) and targets (items x 2)."""
    n_items = draw(st.integers(1, 4))
    valid = np.zeros((n_items, N_OPTS), dtype=bool)
    for i in range(n_items):
        opts = draw(st.sets(st.integers(0, N_OPTS - 1), min_size=2, max_size=N_OPTS))
        valid[i, sorted(opts)] = True
    targets = np.array(
        draw(
            st.lists(
                st.lists(st.booleans(), min_size=2, max_size=2), min_size=n_items, max_size=n_items
            )
        )
    )
    return valid, targets


def _per_option(draw, valid, values, fill=PAD) -> np.ndarray:
    out = np.full(valid.shape, fill)
    for i, o in zip(*np.nonzero(valid), strict=True):
        out[i, o] = draw(values)
    return out


def _holes(draw, valid, x: np.ndarray) -> np.ndarray:
    """Blank a few whole items and a few single options (omitted / partly answered)."""
    x = x.copy()
    n_items = valid.shape[0]
    for i in draw(st.sets(st.integers(0, n_items - 1), max_size=n_items)):
        x[..., i, :] = nan
    for i, o in zip(*np.nonzero(valid), strict=True):
        if draw(st.integers(0, 9)) == 0:
            x[..., i, o] = nan
    return x


WHOLE = st.integers(1, 5).map(float)
HALVES = st.integers(2, 10).map(lambda h: h / 2)  # 1, 1.5, ..., 5 (consensus-style means)


# --- the property ------------------------------------------------------------------------


def _blanked(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """x (1 x items x options) then, for every item, x with that item blanked and x with
    its first valid option blanked (a partly answered item is omitted too)."""
    rows = [x[0]]
    for i in range(valid.shape[0]):
        whole = x[0].copy()
        whole[i, :] = nan
        one = x[0].copy()
        one[i, np.flatnonzero(valid[i])[0]] = nan
        rows += [whole, one]
    return np.stack(rows)


def _blanked_choices(most: np.ndarray, least: np.ndarray):
    """most/least (1 x items) then, per item, the item blanked, and only least blanked."""
    ms, ls = [most[0]], [least[0]]
    for i in range(most.shape[1]):
        m, le = most[0].copy(), least[0].copy()
        m[i] = le[i] = nan
        ms.append(m)
        ls.append(le)
        m, le = most[0].copy(), least[0].copy()
        le[i] = nan
        ms.append(m)
        ls.append(le)
    return np.stack(ms), np.stack(ls)


def _assert_blanking_never_pays(res: ScoringResult, lo: float = 0.0) -> None:
    """Row 0 is the sheet, the other rows the sheet with something blanked."""
    total = res.total_scaled
    comp = res.competency_scaled
    if res.items == 0:  # no item can discriminate: no score at all
        assert np.isnan(total).all()
        return
    assert np.all((total >= lo - EPS) & (total <= 100 + EPS))
    assert np.all(total[1:] <= total[0] + EPS), (total[0], total[1:])
    # a competency's score exists or not whatever the answers
    assert (np.isnan(comp) == np.isnan(comp[:1])).all()
    ok = ~np.isnan(comp)
    assert np.all((comp[ok] >= lo - EPS) & (comp[ok] <= 100 + EPS))
    assert np.all(np.where(ok[1:], comp[1:] <= comp[:1] + EPS, True))


def _assert_key_scores_100(res: ScoringResult) -> None:
    if res.items == 0:
        assert np.isnan(res.total_scaled).all()
        return
    assert res.total_scaled[0] == pytest.approx(100.0, abs=EPS)
    comp = res.competency_scaled[0]
    np.testing.assert_allclose(comp[~np.isnan(comp)], 100.0, atol=EPS)


# --- rate --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["absolute", "squared", "correlation"])
@SETTINGS
@given(form=forms(), data=st.data())
def test_rate_blanking_never_pays(form, method, data):
    valid, targets = form
    # correlation: a whole-number key, so that its own (whole-number) answer has r = 1
    key = _per_option(data.draw, valid, WHOLE if method == "correlation" else HALVES)
    ratings = _holes(data.draw, valid, _per_option(data.draw, valid, WHOLE)[None])
    b = rate_bounds(key, valid, method=method, scale=SCALE)

    def score(x):
        s = score_rate(x, key, valid, method=method, scale=SCALE)
        return score_test(s, b, targets, omitted="lowest")

    _assert_blanking_never_pays(score(_blanked(ratings, valid)))
    own = np.where(valid, np.floor(key + 0.5), PAD)[None]  # the key rounded to whole numbers
    _assert_key_scores_100(score(own))


@SETTINGS
@given(form=forms(), data=st.data())
def test_standardized_blanking_never_pays(form, data):
    valid, targets = form
    key = _per_option(data.draw, valid, WHOLE)
    kv = key[valid]
    assume(kv.max() > kv.min())  # a key that does not vary at all cannot be standardized
    ratings = _holes(data.draw, valid, _per_option(data.draw, valid, WHOLE)[None])

    def score(x):
        return score_standardized(x, key, valid, targets, scale=SCALE, omitted="lowest")

    res = score(_blanked(ratings, valid))
    # by design an incomplete sheet (or competency) scores the floor, -1 (-100)
    assert res.items == valid.shape[0]
    _assert_blanking_never_pays(res, lo=-100.0)
    np.testing.assert_array_equal(res.total_scaled[1:], -100.0)
    # the key's own answer: r = 1 (a competency whose key is flat has no score)
    own = score(np.where(valid, key, PAD)[None])
    assert own.total_scaled[0] == pytest.approx(100.0)
    comp = own.competency_scaled[0]
    np.testing.assert_allclose(comp[~np.isnan(comp)], 100.0)


# --- most/least --------------------------------------------------------------------------


def _two_options(draw, valid_row) -> tuple[int, int]:
    opts = np.flatnonzero(valid_row).tolist()
    a = draw(st.sampled_from(opts))
    b = draw(st.sampled_from([o for o in opts if o != a]))
    return a, b


def _choices(draw, valid):
    most = np.full((1, valid.shape[0]), nan)
    least = np.full((1, valid.shape[0]), nan)
    for i in range(valid.shape[0]):
        most[0, i], least[0, i] = _two_options(draw, valid[i])
        blank = draw(st.integers(0, 5))
        if blank == 0:
            most[0, i] = least[0, i] = nan
        elif blank == 1:
            least[0, i] = nan
    return most, least


WEIGHTS = st.builds(
    MostLeastWeights,
    best_as_most=st.integers(0, 4).map(lambda x: x / 2),
    worst_as_least=st.integers(0, 4).map(lambda x: x / 2),
    worst_as_most=st.integers(-4, 0).map(lambda x: x / 2),
    best_as_least=st.integers(-4, 0).map(lambda x: x / 2),
)


@SETTINGS
@given(form=forms(), weights=st.one_of(st.just(MostLeastWeights()), WEIGHTS), data=st.data())
def test_most_least_blanking_never_pays(form, weights, data):
    valid, targets = form
    # best == worst is allowed: a key that cannot discriminate (the item is left out)
    best = np.array([data.draw(st.sampled_from(np.flatnonzero(r).tolist())) for r in valid])
    worst = np.array([data.draw(st.sampled_from(np.flatnonzero(r).tolist())) for r in valid])
    most, least = _choices(data.draw, valid)
    b = most_least_bounds(best, worst, valid, weights=weights)

    def score(m, le):
        s = score_most_least(m, le, best=best, worst=worst, valid=valid, weights=weights)
        return score_test(s, b, targets, omitted="lowest")

    _assert_blanking_never_pays(score(*_blanked_choices(most, least)))
    own_least = np.array(
        [
            w if w != bb else next(o for o in np.flatnonzero(r) if o != bb)
            for bb, w, r in zip(best, worst, valid, strict=True)
        ]
    )
    _assert_key_scores_100(score(best[None].astype(float), own_least[None].astype(float)))


@SETTINGS
@given(form=forms(), data=st.data())
def test_most_least_option_keys_blanking_never_pays(form, data):
    valid, targets = form
    ok = _per_option(data.draw, valid, st.sampled_from([-1.0, 0.0, 1.0]))
    most, least = _choices(data.draw, valid)
    b = most_least_options_bounds(ok, valid)

    def score(m, le):
        return score_test(score_most_least_options(m, le, ok, valid=valid), b, targets)

    _assert_blanking_never_pays(score(*_blanked_choices(most, least)))
    top, bottom = [], []
    for i in range(valid.shape[0]):
        opts = np.flatnonzero(valid[i])
        t = opts[np.argmax(ok[i, opts])]
        u = opts[np.argmin(ok[i, opts])]
        top.append(t)
        bottom.append(u if u != t else next(o for o in opts if o != t))
    _assert_key_scores_100(score(np.array([top], float), np.array([bottom], float)))


# --- rank --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["distance", "spearman"])
@SETTINGS
@given(form=forms(), m=st.one_of(st.none(), st.integers(1, 8).map(lambda x: x / 2)), data=st.data())
def test_rank_blanking_never_pays(form, method, m, data):
    valid, targets = form
    eff = _per_option(data.draw, valid, WHOLE, fill=nan)  # ties are likely
    kr = np.where(valid, key_ranks(eff, valid), PAD)
    ranks = np.full((1, *valid.shape), PAD)
    for i in range(valid.shape[0]):
        opts = np.flatnonzero(valid[i])
        ranks[0, i, opts] = data.draw(st.permutations(range(1, len(opts) + 1)))
    ranks = _holes(data.draw, valid, ranks)
    b = rank_bounds(kr, valid, method=method, m=m)

    def score(x):
        s = score_rank(x, kr, valid, method=method, m=m)
        return score_test(s, b, targets, omitted="lowest")

    _assert_blanking_never_pays(score(_blanked(ranks, valid)))
    # the key's order (tied options in option order) is the best answer, also for any M
    own = np.full((1, *valid.shape), PAD)
    for i in range(valid.shape[0]):
        opts = np.flatnonzero(valid[i])
        order = sorted(opts, key=lambda o, i=i: (kr[i, o], o))
        own[0, i, order] = np.arange(1, len(opts) + 1)
    _assert_key_scores_100(score(own))
