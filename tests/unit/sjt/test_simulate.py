"""Latent-trait simulation of SJT data (assessments/simulate.py)."""

from __future__ import annotations

import numpy as np
import pytest

from assessments.simulate import (
    item_theta,
    simulate_candidates,
    simulate_expert_ratings,
    simulate_missing,
    simulate_most_least_responses,
    simulate_rank_responses,
    simulate_rate_responses,
)
from assessments.sjt.keys import expert_key, key_ranks, option_keys
from assessments.sjt.scoring import (
    most_least_bounds,
    most_least_options_bounds,
    rank_bounds,
    rate_bounds,
    score_most_least,
    score_most_least_options,
    score_rank,
    score_rate,
    score_test,
)

N_ITEMS, N_OPTIONS, N_COMP = 20, 5, 3


def _design(seed: int = 0):
    rng = np.random.default_rng(seed)
    valid = np.ones((N_ITEMS, N_OPTIONS), bool)
    valid[::4, 4] = False  # every 4th item has 4 options
    true = np.where(valid, rng.uniform(1.5, 6.5, valid.shape), np.nan)
    targets = np.zeros((N_ITEMS, N_COMP), bool)
    targets[np.arange(N_ITEMS), np.arange(N_ITEMS) % N_COMP] = True
    targets[0, 1] = True  # item 0 targets two competencies
    return rng, valid, true, targets


def test_expert_ratings_are_whole_scale_points():
    rng, valid, true, _ = _design()
    r = simulate_expert_ratings(true, valid, 6, rng)
    assert r.shape == (6, N_ITEMS, N_OPTIONS)
    assert np.isnan(r[:, ~valid]).all()
    v = r[:, valid]
    assert np.all((v >= 1) & (v <= 7) & (v == np.round(v)))
    # noise 0.7 around the truth: the panel mean recovers it closely
    key = expert_key(simulate_expert_ratings(true, valid, 200, rng), valid)
    assert np.abs(key.effectiveness[valid] - true[valid]).max() < 0.35


def test_candidates_have_the_requested_correlation():
    rng, _, _, targets = _design()
    a = simulate_candidates(20_000, targets, rng, correlation=0.3)
    assert a.shape == (20_000, N_COMP)
    c = np.corrcoef(a.T)
    assert np.abs(c[np.triu_indices(N_COMP, 1)] - 0.3).max() < 0.03
    assert np.abs(a.std(axis=0) - 1).max() < 0.03
    with pytest.raises(ValueError, match="correlation must lie in"):
        simulate_candidates(10, targets, rng, correlation=-0.6)


def test_item_theta_is_the_mean_over_targeted_competencies():
    _, _, _, targets = _design()
    a = np.array([[1.0, 2.0, 6.0]])
    theta = item_theta(a, targets)
    assert theta[0, 0] == pytest.approx(1.5)  # item 0 targets competencies 0 and 1
    assert theta[0, 1] == 2.0 and theta[0, 2] == 6.0


def test_same_seed_same_data():
    _, valid, true, targets = _design()
    runs = []
    for _ in range(2):
        rng = np.random.default_rng(42)
        a = simulate_candidates(50, targets, rng)
        runs.append(simulate_rate_responses(a, targets, true, valid, rng))
    np.testing.assert_array_equal(runs[0], runs[1])


def _corr(theta, total):
    return np.corrcoef(theta, total)[0, 1]


def test_higher_ability_scores_higher_rate():
    rng, valid, true, targets = _design(1)
    a = simulate_candidates(500, targets, rng)
    theta = a.mean(axis=1)
    r = simulate_rate_responses(a, targets, true, valid, rng)
    assert r.shape == (500, N_ITEMS, N_OPTIONS) and np.isnan(r[:, ~valid]).all()
    rv = r[:, valid]
    assert np.all((rv >= 1) & (rv <= 7) & (rv == np.round(rv)))
    for method in ("absolute", "squared", "correlation", "standardized"):
        s = score_rate(r, true, valid, method=method)
        res = score_test(s, rate_bounds(true, valid, method=method), targets)
        ok = ~np.isnan(res.total_scaled)
        assert _corr(theta[ok], res.total_scaled[ok]) > 0.3, method


def test_higher_ability_scores_higher_most_least():
    rng, valid, true, targets = _design(2)
    a = simulate_candidates(500, targets, rng)
    most, least = simulate_most_least_responses(a, targets, true, valid, rng)
    assert not np.any(most == least)
    items = np.arange(N_ITEMS)
    assert valid[items, most.astype(int)].all() and valid[items, least.astype(int)].all()
    key = expert_key(simulate_expert_ratings(true, valid, 8, rng), valid)
    s = score_most_least(most, least, best=key.best, worst=key.worst, valid=valid)
    res = score_test(s, most_least_bounds(key.best, key.worst, valid), targets)
    assert _corr(a.mean(axis=1), res.total) > 0.3
    ok = option_keys(true, valid)
    s = score_most_least_options(most, least, ok, valid=valid)
    res = score_test(s, most_least_options_bounds(ok, valid), targets)
    assert _corr(a.mean(axis=1), res.total) > 0.3


def test_higher_ability_scores_higher_rank():
    rng, valid, true, targets = _design(3)
    a = simulate_candidates(500, targets, rng)
    ranks = simulate_rank_responses(a, targets, true, valid, rng)
    assert np.isnan(ranks[:, ~valid]).all()
    kr = key_ranks(true, valid)
    for method in ("distance", "spearman"):
        s = score_rank(ranks, kr, valid, method=method)  # raises on a non-permutation
        res = score_test(s, rank_bounds(kr, valid, method=method), targets)
        assert _corr(a.mean(axis=1), res.total) > 0.3, method


def test_baseline_zero_is_chance_for_average_ability():
    # utility a·θ·(k - c): a candidate with θ = 0 chooses at random
    rng, valid, true, targets = _design(4)
    a = np.zeros((4000, N_COMP))
    most, _ = simulate_most_least_responses(a, targets, true, valid, rng, baseline=0.0)
    share = np.mean(most[:, 1] == 0)
    assert share == pytest.approx(1 / 5, abs=0.03)


def test_simulate_missing():
    rng, valid, true, targets = _design(5)
    a = simulate_candidates(2000, targets, rng)
    r = simulate_rate_responses(a, targets, true, valid, rng)
    gone = simulate_missing(r, rng, rate=0.1)
    assert not np.isnan(r[:, valid]).any()  # input untouched
    blank = np.isnan(gone[:, :, 0])
    assert blank.mean() == pytest.approx(0.1, abs=0.01)
    assert np.isnan(gone[blank][:, :4]).all()  # the whole item is blank
    most, least = simulate_most_least_responses(a, targets, true, valid, rng)
    m2, l2 = simulate_missing((most, least), rng, rate=0.2)
    np.testing.assert_array_equal(np.isnan(m2), np.isnan(l2))
    with pytest.raises(ValueError, match="rate must lie"):
        simulate_missing(r, rng, rate=1.5)


def test_simulation_rejects_bad_input():
    rng, valid, true, targets = _design()
    with pytest.raises(ValueError, match=r"rng must be a numpy\.random\.Generator"):
        simulate_candidates(10, targets, 42)
    no_target = targets.copy()
    no_target[3] = False
    with pytest.raises(ValueError, match=r"item\(s\) \[3\] target no competency"):
        simulate_candidates(10, no_target, rng)
    with pytest.raises(ValueError, match="abilities must be candidates x competencies"):
        simulate_rate_responses(np.zeros((5, 2)), targets, true, valid, rng)
