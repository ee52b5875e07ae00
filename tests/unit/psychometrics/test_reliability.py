"""Tests for assessments.psychometrics.reliability.

Reference values are hand-computed (the arithmetic is in the comments) or follow from
closed-form identities of classical test theory; R cannot be run here.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from assessments.psychometrics.reliability import (
    Alpha,
    ItemAnalysis,
    SplitHalf,
    cronbach_alpha,
    guttman_lambda6,
    item_analysis,
    omega_total,
    spearman_brown,
    split_half,
)

# 5 respondents x 3 items. Hand computation (sample variances, ddof = 1):
#   item 1: 1 2 3 4 5, mean 3.0, SS 10, var 2.5
#   item 2: 2 2 4 4 3, mean 3.0, SS 4, var 1.0
#   item 3: 2 3 3 5 4, mean 3.4, SS 1.96+.16+.16+2.56+.36 = 5.2, var 1.3
#   cov12 = (2+1+0+1+0)/4 = 1.0; cov13 = (2.8+.4+0+1.6+1.2)/4 = 1.5
#   cov23 = (1.4+.4-.4+1.6+0)/4 = .75
#   total: 5 7 10 13 12, var 45.2/4 = 11.3 = 4.8 + 2 * (1 + 1.5 + .75)
#   alpha = 3/2 * (1 - 4.8/11.3) = 9.75/11.3
SMALL = np.array([[1, 2, 2], [2, 2, 3], [3, 4, 3], [4, 4, 5], [5, 3, 4]], dtype=float)
SMALL_ALPHA = 9.75 / 11.3  # = 0.86283186, hand computation above
# r12 = 1/sqrt(2.5), r13 = 1.5/sqrt(2.5*1.3), r23 = .75/sqrt(1.3)
_R_BAR = (1 / math.sqrt(2.5) + 1.5 / math.sqrt(3.25) + 0.75 / math.sqrt(1.3)) / 3
SMALL_STD_ALPHA = 3 * _R_BAR / (1 + 2 * _R_BAR)  # = 0.87884758, hand computation


def exact_sample(cov: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    """Data whose sample covariance (ddof = 1) is exactly ``cov``."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, cov.shape[0]))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    return 10.0 + z @ np.linalg.cholesky(cov).T


def compound_symmetry(k: int, r: float, var: float = 1.0) -> np.ndarray:
    c = np.full((k, k), r * var)
    np.fill_diagonal(c, var)
    return c


# --------------------------------------------------------------------------- alpha


def test_alpha_hand_computed() -> None:
    res = cronbach_alpha(SMALL)
    assert isinstance(res, Alpha)
    assert res.alpha == pytest.approx(0.8628318584, abs=1e-9)  # 9.75 / 11.3, by hand
    assert res.alpha == pytest.approx(SMALL_ALPHA, abs=1e-12)
    assert res.std_alpha == pytest.approx(SMALL_STD_ALPHA, abs=1e-12)
    assert res.std_alpha == pytest.approx(0.8788476, abs=1e-6)  # hand: r_bar = .707433
    assert (res.n, res.k, res.missing) == (5, 3, "pairwise")


def test_alpha_parallel_items_identity() -> None:
    # k parallel items, inter-item correlation r: alpha = std alpha = k r / (1 + (k-1) r)
    # (Lord & Novick 1968, Spearman-Brown for k parallel parts). k = 6, r = .3 -> 1.8/2.5.
    x = exact_sample(compound_symmetry(6, 0.3, var=4.0), n=200)
    res = cronbach_alpha(x)
    assert res.alpha == pytest.approx(0.72, abs=1e-10)
    assert res.std_alpha == pytest.approx(0.72, abs=1e-10)


def test_feldt_interval_matches_f_formula() -> None:
    res = cronbach_alpha(SMALL, ci=0.95)
    # Feldt (1965): (1 - alpha) / (1 - alpha_hat) ~ F(n - 1, (n - 1)(k - 1)) = F(4, 8)
    f_hi = stats.f.ppf(0.975, 4, 8)
    f_lo = stats.f.ppf(0.025, 4, 8)
    assert res.ci[0] == pytest.approx(1 - (1 - SMALL_ALPHA) * f_hi, abs=1e-12)
    assert res.ci[1] == pytest.approx(1 - (1 - SMALL_ALPHA) * f_lo, abs=1e-12)
    # F(.975; 4, 8) = 5.0526 (F tables) -> lower = 1 - .137168 * 5.0526 = .30694
    assert res.ci[0] == pytest.approx(0.30694, abs=1e-4)
    assert res.ci[0] < res.alpha < res.ci[1]


def test_feldt_interval_narrows_with_n_and_level() -> None:
    small = cronbach_alpha(SMALL)
    big = cronbach_alpha(np.tile(SMALL, (20, 1)))  # same alpha, n = 100
    assert big.alpha == pytest.approx(small.alpha, abs=1e-12)
    assert big.n == 100
    assert big.ci[1] - big.ci[0] < small.ci[1] - small.ci[0]
    assert big.ci[0] < big.alpha < big.ci[1]
    lo90 = cronbach_alpha(SMALL, ci=0.90).ci
    assert small.ci[0] < lo90[0] < lo90[1] < small.ci[1]


def test_missing_rules_agree_on_complete_data() -> None:
    pw = cronbach_alpha(SMALL, missing="pairwise")
    lw = cronbach_alpha(SMALL, missing="listwise")
    assert pw.alpha == pytest.approx(lw.alpha, abs=1e-12)
    assert pw.std_alpha == pytest.approx(lw.std_alpha, abs=1e-12)
    assert pw.ci == pytest.approx(lw.ci, abs=1e-12)


def test_missing_rules_differ_with_nan() -> None:
    x = np.vstack([SMALL, [[np.nan, 1, 5], [3, np.nan, 1], [np.nan, np.nan, 2]]])
    lw = cronbach_alpha(x, missing="listwise")
    assert lw.n == 5  # complete rows only
    assert lw.alpha == pytest.approx(SMALL_ALPHA, abs=1e-12)  # same rows as SMALL
    pw = cronbach_alpha(x, missing="pairwise")
    # pairwise n = smallest pairwise n: items 1 & 2 share 5 rows, 1 & 3 share 6, 2 & 3 share 6
    assert pw.n == 5
    assert abs(pw.alpha - lw.alpha) > 0.05
    # independent check: alpha from covariances each computed on its own complete pairs
    c = np.empty((3, 3))
    for i in range(3):
        for j in range(3):
            ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            c[i, j] = np.cov(x[ok, i], x[ok, j])[0, 1]
    assert pw.alpha == pytest.approx(1.5 * (1 - np.trace(c) / c.sum()), abs=1e-12)


def test_alpha_validation_and_json() -> None:
    with pytest.raises(ValueError, match="missing"):
        cronbach_alpha(SMALL, missing="mean")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="ci"):
        cronbach_alpha(SMALL, ci=1.5)
    with pytest.raises(ValueError, match="x"):
        cronbach_alpha(SMALL[:, 0])
    with pytest.raises(ValueError, match="x"):
        cronbach_alpha(SMALL[:, :1])
    d = cronbach_alpha(SMALL).to_dict()
    assert json.loads(json.dumps(d, allow_nan=False))["alpha"] == pytest.approx(SMALL_ALPHA)
    const = np.ones((4, 3))
    d = cronbach_alpha(const).to_dict()
    assert d["alpha"] is None
    json.dumps(d, allow_nan=False)


# --------------------------------------------------------------------------- lambda 6 / omega

# Congeneric one-factor model, standardised loadings .8 .7 .6 .5: R_ij = l_i l_j.
LOADINGS = np.array([0.8, 0.7, 0.6, 0.5])
R_CONGENERIC = np.outer(LOADINGS, LOADINGS)
np.fill_diagonal(R_CONGENERIC, 1.0)


def test_omega_congeneric_recovers_loadings() -> None:
    x = exact_sample(R_CONGENERIC, n=300)
    # sum l = 2.6, sum (1 - l^2) = 4 - (.64+.49+.36+.25) = 2.26
    # omega = 2.6^2 / (2.6^2 + 2.26) = 6.76 / 9.02 (McDonald 1999, ch. 6)
    assert omega_total(x) == pytest.approx(6.76 / 9.02, abs=1e-6)
    # std alpha: r_bar = (9.02 - 4) / 12 = .418333 -> 4 r / (1 + 3 r) = .742054 < omega
    assert cronbach_alpha(x).std_alpha == pytest.approx(1.673333333 / 2.255, abs=1e-8)
    assert omega_total(x) > cronbach_alpha(x).std_alpha


def test_omega_equals_alpha_when_tau_equivalent() -> None:
    # equal standardised loadings sqrt(.4): omega = k r / (1 + (k-1) r) = std alpha
    x = exact_sample(compound_symmetry(5, 0.4), n=150, seed=3)
    assert omega_total(x) == pytest.approx(2.0 / 2.6, abs=1e-6)  # 5*.4 / (1 + 4*.4)
    assert omega_total(x) == pytest.approx(cronbach_alpha(x).std_alpha, abs=1e-6)


def test_omega_needs_three_items() -> None:
    with pytest.raises(ValueError, match="x"):
        omega_total(SMALL[:, :2])


def test_lambda6_closed_form_one_factor() -> None:
    # For R = diag(psi) + l l' (Woodbury): (R^-1)_ii = (1/psi_i) (1 - (l_i^2/psi_i) / (1 + s))
    # with psi = 1 - l^2, s = sum l^2/psi = 1.77778 + .96078 + .5625 + .33333 = 3.63440
    # smc = .415959 .356616 .271589 .191875; lambda6 = 1 - (4 - 1.236039) / 9.02 = .693574
    x = exact_sample(R_CONGENERIC, n=300, seed=1)
    assert guttman_lambda6(x) == pytest.approx(0.6935742, abs=1e-6)
    # note: lambda6 >= alpha does not hold in general; here lambda6 < std alpha (.742)


def test_lambda6_hand_small() -> None:
    # 3 items: smc_i = 1 - 1/(R^-1)_ii; independent computation by the cofactor formula
    # (R^-1)_11 = (1 - r23^2) / det R
    r12, r13, r23 = 1 / math.sqrt(2.5), 1.5 / math.sqrt(3.25), 0.75 / math.sqrt(1.3)
    det = 1 + 2 * r12 * r13 * r23 - r12**2 - r13**2 - r23**2
    inv_diag = np.array([1 - r23**2, 1 - r13**2, 1 - r12**2]) / det
    smc = 1 - 1 / inv_diag
    expected = 1 - np.sum(1 - smc) / (3 + 2 * (r12 + r13 + r23))
    assert guttman_lambda6(SMALL) == pytest.approx(expected, abs=1e-12)
    assert guttman_lambda6(SMALL) == pytest.approx(0.8457456, abs=1e-6)


def test_lambda6_singular_raises() -> None:
    x = np.column_stack([SMALL, SMALL[:, 0] + SMALL[:, 1]])
    with pytest.raises(ValueError, match="singular"):
        guttman_lambda6(x)


# --------------------------------------------------------------------------- Spearman-Brown


def test_spearman_brown() -> None:
    assert spearman_brown(0.5, 2) == pytest.approx(2 / 3, abs=1e-12)  # 1.0 / 1.5
    assert spearman_brown(0.6, 0.5) == pytest.approx(0.3 / 0.7, abs=1e-12)  # halving
    assert spearman_brown(0.2, 5) == pytest.approx(5 / 9, abs=1e-12)  # 1.0 / 1.8
    np.testing.assert_allclose(spearman_brown(np.array([0.5, 0.0]), 3), [0.75, 0.0])
    with pytest.raises(ValueError, match="factor"):
        spearman_brown(0.5, 0)


# --------------------------------------------------------------------------- split half


def test_split_half_odd_even_hand() -> None:
    res = split_half(SMALL)
    assert isinstance(res, SplitHalf)
    # halves: items 1+3 vs item 2: cov = 1 + .75 = 1.75, var(1+3) = 2.5 + 1.3 + 2*1.5 = 6.8
    r = 1.75 / math.sqrt(6.8)  # = .6710944
    assert res.r == pytest.approx(r, abs=1e-12)
    assert res.spearman_brown == pytest.approx(2 * r / (1 + r), abs=1e-12)
    json.dumps(res.to_dict(), allow_nan=False)


def test_split_half_listwise() -> None:
    x = np.vstack([SMALL, [np.nan, 9, 9]])
    assert split_half(x).r == pytest.approx(split_half(SMALL).r, abs=1e-12)


def test_split_half_random_parallel_items() -> None:
    # 4 parallel items, r = .3: every 2-vs-2 split has r_half = 2r/(1+r) = .6/1.3 and
    # Spearman-Brown 4r/(1+3r) = 1.2/1.9 = alpha of the whole test
    x = exact_sample(compound_symmetry(4, 0.3), n=100, seed=2)
    res = split_half(x, method="random", n_splits=50, rng=np.random.default_rng(7))
    assert res.r == pytest.approx(0.6 / 1.3, abs=1e-10)
    assert res.spearman_brown == pytest.approx(1.2 / 1.9, abs=1e-10)


def test_split_half_random_is_reproducible_and_validated() -> None:
    a = split_half(SMALL, method="random", n_splits=20, rng=np.random.default_rng(1))
    b = split_half(SMALL, method="random", n_splits=20, rng=np.random.default_rng(1))
    assert a == b
    # SMALL has 3 splits {1}, {2}, {3} vs the rest; mean over draws lies within them
    singles = [0.8111071, 0.6710944, 0.8414523]  # r_drop of each item (hand, see item tests)
    assert min(singles) - 1e-9 <= a.r <= max(singles) + 1e-9
    with pytest.raises(ValueError, match="rng"):
        split_half(SMALL, method="random")
    with pytest.raises(ValueError, match="method"):
        split_half(SMALL, method="first_last")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n_splits"):
        split_half(SMALL, method="random", n_splits=0, rng=np.random.default_rng(1))


# --------------------------------------------------------------------------- item analysis


def test_item_analysis_hand() -> None:
    res = item_analysis(SMALL)
    assert isinstance(res, ItemAnalysis)
    np.testing.assert_allclose(res.mean, [3.0, 3.0, 3.4], atol=1e-12)
    np.testing.assert_allclose(res.sd, np.sqrt([2.5, 1.0, 1.3]), atol=1e-12)
    np.testing.assert_array_equal(res.n, [5, 5, 5])
    assert np.isnan(res.p).all()
    # r_drop item 1: cov(1, 2+3) = 1 + 1.5 = 2.5, var(2+3) = 1 + 1.3 + 1.5 = 3.8
    # item 2: (1 + .75) / sqrt(1 * 6.8); item 3: (1.5 + .75) / sqrt(1.3 * 5.5)
    np.testing.assert_allclose(
        res.r_drop,
        [2.5 / math.sqrt(2.5 * 3.8), 1.75 / math.sqrt(6.8), 2.25 / math.sqrt(1.3 * 5.5)],
        atol=1e-12,
    )
    # alpha if deleted, 2 items: 2 (1 - (v_a + v_b) / (v_a + v_b + 2 c))
    # drop 1: 2 * 1.5/3.8; drop 2: 2 * 3/6.8; drop 3: 2 * 2/5.5
    np.testing.assert_allclose(res.alpha_if_deleted, [3 / 3.8, 6 / 6.8, 4 / 5.5], atol=1e-12)
    assert res.flags == ((), ("alpha rises when deleted",), ())  # .882 > .863


def test_item_analysis_matches_rest_correlation_and_alpha() -> None:
    rng = np.random.default_rng(11)
    x = exact_sample(R_CONGENERIC, n=80, seed=4)
    res = item_analysis(x)
    for i in range(4):
        rest = np.delete(x, i, axis=1)
        assert res.r_drop[i] == pytest.approx(
            np.corrcoef(x[:, i], rest.sum(axis=1))[0, 1], abs=1e-12
        )
        assert res.alpha_if_deleted[i] == pytest.approx(cronbach_alpha(rest).alpha, abs=1e-12)
    # with missing data alpha_if_deleted still equals pairwise alpha of the rest
    xm = x.copy()
    xm[rng.random(xm.shape) < 0.15] = np.nan
    res_m = item_analysis(xm)
    np.testing.assert_array_equal(res_m.n, (~np.isnan(xm)).sum(axis=0))
    for i in range(4):
        assert res_m.alpha_if_deleted[i] == pytest.approx(
            cronbach_alpha(np.delete(xm, i, axis=1)).alpha, abs=1e-12
        )


def test_item_analysis_flags_unrelated_and_reversed_items() -> None:
    base = exact_sample(compound_symmetry(4, 0.5), n=120, seed=5)
    # item index 4 correlates only .05 with each of four items that correlate .5:
    # r_drop = 4 * .05 / sqrt(1 * (4 + 12 * .5)) = .2 / sqrt(10) = .0632456
    cov = np.full((5, 5), 0.05)
    cov[:4, :4] = compound_symmetry(4, 0.5)
    cov[4, 4] = 1.0
    x = exact_sample(cov, n=120, seed=6)
    res = item_analysis(x)
    assert res.r_drop[4] == pytest.approx(0.2 / math.sqrt(10), abs=1e-10)
    assert res.flags[4] == ("weak r_drop (< .20)", "alpha rises when deleted")
    assert all(f == () for f in res.flags[:4])

    # a 1..5 Likert item keyed the other way: 6 - x of a good item
    likert = np.clip(np.round(3 + (base - 10.0)), 1, 5)
    likert[:, 3] = 6 - likert[:, 3]
    before = item_analysis(likert)
    assert before.r_drop[3] < 0
    assert "negative r_drop" in before.flags[3]
    after = item_analysis(likert, reverse=[3], scale=(1, 5))
    assert after.r_drop[3] > 0.3
    assert after.flags[3] == ()
    np.testing.assert_allclose(after.mean[3], 6 - before.mean[3], atol=1e-12)


def test_item_analysis_dichotomous_p_and_validation() -> None:
    x = np.array([[1, 0, 1], [1, 1, 1], [0, 0, 1], [1, 1, 0], [np.nan, 1, 1]], dtype=float)
    res = item_analysis(x)
    np.testing.assert_allclose(res.p, [3 / 4, 3 / 5, 4 / 5], atol=1e-12)  # p = mean of 0/1
    d = res.to_dict()
    out = json.loads(json.dumps(d, allow_nan=False))
    assert out["n"] == [4, 5, 5]
    assert out["flags"] == [list(f) for f in res.flags]
    with pytest.raises(ValueError, match="scale"):
        item_analysis(x, reverse=[0])
    with pytest.raises(ValueError, match="scale"):
        item_analysis(x, reverse=[0], scale=(1, 1))
    with pytest.raises(ValueError, match="reverse"):
        item_analysis(x, reverse=[3], scale=(0, 1))
    with pytest.raises(ValueError):
        res.mean[0] = 2.0  # read-only arrays in a frozen result


def test_random_split_half_from_the_covariance_equals_the_half_sums() -> None:
    # each split's r computed the plain way: sum the two halves over rows and correlate
    rng = np.random.default_rng(3)
    x = rng.integers(1, 6, size=(200, 7)).astype(float)
    found = split_half(x, method="random", n_splits=50, rng=np.random.default_rng(9))
    order = np.random.default_rng(9).permuted(np.tile(np.arange(7), (50, 1)), axis=1)
    rs = []
    for row in order:
        a = x[:, row[:3]].sum(axis=1)
        b = x[:, row[3:]].sum(axis=1)
        rs.append(np.corrcoef(a, b)[0, 1])
    assert found.r == pytest.approx(np.mean(rs), abs=1e-12)
    assert found.spearman_brown == pytest.approx(np.mean([2 * r / (1 + r) for r in rs]), abs=1e-12)


def test_random_split_half_memory_does_not_grow_with_rows() -> None:
    import tracemalloc

    x = np.random.default_rng(1).integers(1, 6, size=(100_000, 25)).astype(float)
    tracemalloc.start()
    try:
        split_half(x, method="random", n_splits=1000, rng=np.random.default_rng(2))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the data are 20 MB; rows x splits would be 800 MB
    assert peak < 100e6, peak
