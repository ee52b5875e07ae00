"""The fast paths of assessments.psychometrics.reliability against a direct computation.

``cronbach_alpha`` and ``item_analysis`` take a raw-moment path on complete data (no k x k
covariance matrix) and matrix products on pairwise data. The reference here is the
textbook computation: every covariance from ``np.cov`` on the rows where both items are
answered (R's ``cov(x, use = "pairwise")``), alpha and the item statistics from that
matrix by their defining formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from assessments.psychometrics.reliability import (
    _DOT_ROWS,
    _RAW_MOMENT_TOL,
    _SHIFT_ROWS,
    _SUM_GROUP,
    _block_rows,
    _column_sums,
    _complete_moments,
    cronbach_alpha,
    guttman_lambda6,
    item_analysis,
)


def pairwise_cov(x: np.ndarray) -> np.ndarray:
    k = x.shape[1]
    c = np.full((k, k), np.nan)
    for i in range(k):
        for j in range(k):
            ok = ~np.isnan(x[:, i]) & ~np.isnan(x[:, j])
            if ok.sum() >= 2:
                c[i, j] = np.cov(x[ok, i], x[ok, j])[0, 1]
    return c


def reference(x: np.ndarray) -> dict:
    c = pairwise_cov(x)
    k = c.shape[0]
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    r_bar = (r.sum() - k) / (k * (k - 1))
    row = c.sum(axis=1)
    rest_var = c.sum() - 2 * row + np.diag(c)
    return {
        "alpha": k / (k - 1) * (1 - np.trace(c) / c.sum()),
        "std_alpha": k * r_bar / (1 + (k - 1) * r_bar),
        "mean": np.nanmean(x, axis=0),
        "sd": d,
        "r_drop": (row - np.diag(c)) / np.sqrt(np.diag(c) * rest_var),
        "alpha_if_deleted": (k - 1) / (k - 2) * (1 - (np.trace(c) - np.diag(c)) / rest_var),
    }


def one_factor(rng: np.random.Generator, n: int, k: int, *, likert: bool) -> np.ndarray:
    theta = rng.standard_normal((n, 1))
    lam = rng.uniform(0.3, 0.8, size=k)
    x = lam * theta + np.sqrt(1 - lam**2) * rng.standard_normal((n, k))
    return np.clip(np.rint(3 + 1.2 * x), 1, 5) if likert else x


def check(x: np.ndarray, tol: float) -> None:
    ref = reference(x)
    a = cronbach_alpha(x)
    assert a.alpha == pytest.approx(ref["alpha"], abs=tol)
    assert a.std_alpha == pytest.approx(ref["std_alpha"], abs=tol)
    ia = item_analysis(x)
    for key in ("mean", "sd", "r_drop", "alpha_if_deleted"):
        np.testing.assert_allclose(getattr(ia, key), ref[key], rtol=tol, atol=tol, err_msg=key)


@pytest.mark.parametrize("likert", [True, False])
@pytest.mark.parametrize("missing_rate", [0.0, 0.1])
def test_paths_match_pairwise_np_cov(likert: bool, missing_rate: float) -> None:
    rng = np.random.default_rng(3)
    x = one_factor(rng, 400, 6, likert=likert)
    x[rng.random(x.shape) < missing_rate] = np.nan
    check(x, 1e-12)


@pytest.mark.parametrize("offset", [0.0, 10.0, 1e2, 1e4, 1e7])
def test_far_from_zero_data_stays_accurate(offset: float) -> None:
    # Raw moments lose about log10(mean^2 / var) digits: the fast path must step aside
    # (offset 100 and up: mean^2 / var >= 1e4) and the exact path keep 1e-10.
    rng = np.random.default_rng(8)
    base = one_factor(rng, 2000, 5, likert=False)
    x = base + offset
    expected = reference(base)
    assert cronbach_alpha(x).alpha == pytest.approx(expected["alpha"], abs=1e-10)
    assert cronbach_alpha(x).std_alpha == pytest.approx(expected["std_alpha"], abs=1e-10)
    np.testing.assert_allclose(item_analysis(x).r_drop, expected["r_drop"], atol=1e-10)
    took_fast = _complete_moments(x) is not None
    kappa = np.max(np.sum(x * x, axis=0) / np.sum((x - x.mean(axis=0)) ** 2, axis=0))
    assert took_fast == (kappa * np.finfo(float).eps * math.sqrt(len(x)) <= _RAW_MOMENT_TOL)
    assert took_fast == (offset <= 10.0)


def test_constant_item_on_each_path() -> None:
    # A constant item has covariances exactly 0 (its rounding residue must not count).
    rng = np.random.default_rng(5)
    x = one_factor(rng, 200, 4, likert=False)
    x[:, 2] = 0.1
    ref = pairwise_cov(x)
    ref[2, :] = ref[:, 2] = 0.0
    k = 4
    expected = k / (k - 1) * (1 - np.trace(ref) / ref.sum())
    assert cronbach_alpha(x).alpha == pytest.approx(expected, abs=1e-12)
    assert math.isnan(cronbach_alpha(x).std_alpha)  # zero SD: correlations undefined
    xm = x.copy()
    xm[::7, 0] = np.nan
    refm = pairwise_cov(xm)
    refm[2, :] = refm[:, 2] = 0.0
    expected_m = k / (k - 1) * (1 - np.trace(refm) / refm.sum())
    assert cronbach_alpha(xm).alpha == pytest.approx(expected_m, abs=1e-12)
    assert item_analysis(xm).sd[2] == 0.0


def test_item_unanswered_in_the_first_rows() -> None:
    # the pairwise shift looks at the first rows; an item first answered later still works
    rng = np.random.default_rng(6)
    x = one_factor(rng, 300, 5, likert=True)
    x[:150, 1] = np.nan
    check(x, 1e-12)
    x[:, 3] = np.nan  # an item never answered: NaN covariances, NaN alpha
    res = cronbach_alpha(x)
    assert math.isnan(res.alpha) and res.n == 0
    assert item_analysis(x).n[3] == 0 and math.isnan(item_analysis(x).mean[3])


def test_listwise_with_missing_uses_complete_rows() -> None:
    rng = np.random.default_rng(9)
    x = one_factor(rng, 300, 5, likert=True)
    x[rng.random(x.shape) < 0.05] = np.nan
    complete = x[~np.isnan(x).any(axis=1)]
    lw = cronbach_alpha(x, missing="listwise")
    assert lw.n == len(complete)
    assert lw.alpha == pytest.approx(reference(complete)["alpha"], abs=1e-12)
    assert lw.std_alpha == pytest.approx(reference(complete)["std_alpha"], abs=1e-12)


@pytest.mark.parametrize("missing", ["pairwise", "listwise"])
def test_inf_is_rejected_on_every_path(missing: str) -> None:
    x = one_factor(np.random.default_rng(1), 50, 4, likert=True)
    x[3, 1] = np.inf
    with pytest.raises(ValueError, match="finite"):
        cronbach_alpha(x, missing=missing)
    x[5, 2] = np.nan
    with pytest.raises(ValueError, match="finite"):
        cronbach_alpha(x, missing=missing)
    with pytest.raises(ValueError, match="finite"):
        item_analysis(x)
    with pytest.raises(ValueError, match="finite"):
        guttman_lambda6(x)


def test_dichotomous_p_is_exact() -> None:
    # Column 1 has sum x^2 == sum x without being 0/1 (8 x 0.5 and 1 x 2): not dichotomous.
    x = np.array(
        [
            [1, 0.5, 1, 1],
            [0, 0.5, 0, 1],
            [1, 0.5, 1, 1],
            [1, 0.5, 0, 1],
            [0, 0.5, 1, 1],
            [1, 0.5, 1, 1],
            [0, 0.5, 0, 1],
            [1, 0.5, 1, 1],
            [1, 2.0, 0, 1],
        ]
    )
    res = item_analysis(x)
    np.testing.assert_allclose(res.p[[0, 2, 3]], [6 / 9, 5 / 9, 1.0])
    assert math.isnan(res.p[1])
    xm = x.copy()
    xm[0, 0] = xm[1, 3] = np.nan
    res = item_analysis(xm)
    np.testing.assert_allclose(res.p[[0, 2, 3]], [5 / 8, 5 / 9, 1.0])
    assert math.isnan(res.p[1])


def test_many_row_blocks_with_and_without_missing() -> None:
    # The pairwise products and the complete-data totals run in row blocks; here the data
    # span several blocks, only the middle ones have a NaN, and a block is partial.
    k = 4
    rows = 3 * _block_rows(10**9, 2 * k) + 123
    rng = np.random.default_rng(11)
    x = one_factor(rng, rows, k, likert=False) + 2.0
    check(x, 1e-12)  # complete: raw moments, totals formed block by block
    middle = slice(rows // 3, rows // 3 + 5000)
    part = x[middle]
    part[rng.random(part.shape) < 0.2] = np.nan
    check(x, 1e-12)  # pairwise: blocks with and without a NaN
    lam6 = guttman_lambda6(x)
    r = reference_cor(x)
    smc = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    assert lam6 == pytest.approx(1.0 - np.sum(1.0 - smc) / r.sum(), abs=1e-12)
    assert cronbach_alpha(x).n == int(np.min((~np.isnan(x)).T.astype(float) @ ~np.isnan(x)))


def test_column_major_and_integer_input_give_the_same_result() -> None:
    rng = np.random.default_rng(12)
    x = one_factor(rng, 3000, 5, likert=True)
    x[rng.random(x.shape) < 0.1] = np.nan
    expected = cronbach_alpha(x)
    assert cronbach_alpha(np.asfortranarray(x)) == expected
    complete = one_factor(rng, 3000, 5, likert=True)
    assert cronbach_alpha(complete.astype(int)) == cronbach_alpha(complete)
    assert cronbach_alpha(np.asfortranarray(complete)).alpha == pytest.approx(
        cronbach_alpha(complete).alpha, abs=1e-14
    )


def reference_cor(x: np.ndarray) -> np.ndarray:
    c = pairwise_cov(x)
    d = np.sqrt(np.diag(c))
    r = c / np.outer(d, d)
    np.fill_diagonal(r, 1.0)
    return r


def test_few_rows_on_every_path() -> None:
    # fewer rows than one group of the column sums, one row, no row at all
    rng = np.random.default_rng(13)
    check(one_factor(rng, 5, 3, likert=False), 1e-12)
    for rows in (0, 1):
        res = cronbach_alpha(np.ones((rows, 3)))
        assert math.isnan(res.alpha) and math.isnan(res.std_alpha) and res.n == rows
        assert list(item_analysis(np.ones((rows, 3))).n) == [rows] * 3


@pytest.mark.parametrize("k", [3, 40])
def test_column_sums_in_one_pass_match_numpy(k: int) -> None:
    # The single pass works on row blocks (a multiple of _SUM_GROUP rows) of a
    # C-contiguous matrix, then the leftover rows; other layouts take a plain einsum.
    step = _block_rows(10**9, k) // _SUM_GROUP * _SUM_GROUP
    rng = np.random.default_rng(14)
    for rows in (1, _SUM_GROUP - 1, _SUM_GROUP, _SUM_GROUP + 3, step, step + 5, 3 * step + 7):
        x = rng.standard_normal((rows, k)) * 3.0 + 1.5
        s, q = _column_sums(x)
        np.testing.assert_allclose(s, x.sum(axis=0), rtol=1e-12, atol=1e-12 * rows)
        np.testing.assert_allclose(q, (x * x).sum(axis=0), rtol=1e-12)
        for other in (
            np.asfortranarray(x),
            np.repeat(x, 2, axis=0)[::2],
            np.repeat(x, 2, axis=1)[:, ::2],
        ):
            assert rows == 1 or not other.flags.c_contiguous
            so, qo = _column_sums(other)
            np.testing.assert_allclose(so, s, rtol=1e-12, atol=1e-12 * rows)
            np.testing.assert_allclose(qo, q, rtol=1e-12)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_after_the_first_rows_leaves_the_fast_path(bad: float) -> None:
    # past the rows looked at up front, a NaN or inf shows in the column sums of one block
    k = 5
    rows = 2 * _block_rows(10**9, k) + 11
    rng = np.random.default_rng(15)
    x = one_factor(rng, rows, k, likert=True)
    assert _complete_moments(x) is not None
    x[rows - 3, 2] = bad  # in the leftover rows after the last whole group
    assert _complete_moments(x) is None
    x[rows - 3, 2] = 3.0
    x[_SHIFT_ROWS + 1, 4] = bad  # in the first block, after the rows looked at
    assert _complete_moments(x) is None
    if np.isnan(bad):
        assert cronbach_alpha(x).n == rows - 1  # pairwise n of item 4
        lw = cronbach_alpha(x, missing="listwise")
        complete = np.delete(x, _SHIFT_ROWS + 1, axis=0)
        assert lw.n == rows - 1
        assert lw.alpha == pytest.approx(reference(complete)["alpha"], abs=1e-12)
    else:
        with pytest.raises(ValueError, match="finite"):
            cronbach_alpha(x)


@pytest.mark.parametrize("k", [3, 40])
def test_complete_data_over_many_blocks_matches_np_cov(k: int) -> None:
    # Many row blocks of sums and of scores (scores squared every _DOT_ROWS rows at most),
    # with leftover rows; values checked against np.cov / np.corrcoef (ddof = 1).
    rows = max(16 * _block_rows(10**9, k), 3 * _DOT_ROWS) + 77
    rng = np.random.default_rng(16)
    for x in (one_factor(rng, rows, k, likert=True), one_factor(rng, rows, k, likert=False) + 2):
        assert _complete_moments(x) is not None
        c = np.cov(x, rowvar=False)
        r = np.corrcoef(x, rowvar=False)
        r_bar = (r.sum() - k) / (k * (k - 1))
        res = cronbach_alpha(x)
        assert res.n == rows
        assert res.alpha == pytest.approx(k / (k - 1) * (1 - np.trace(c) / c.sum()), abs=1e-12)
        assert res.std_alpha == pytest.approx(k * r_bar / (1 + (k - 1) * r_bar), abs=1e-12)
        ia = item_analysis(x)
        # exactly rounded sums (numpy's own var is off by 5e-12 here on the Likert data)
        mean = np.array([math.fsum(col) / rows for col in x.T])
        var = np.array([math.fsum((col - mu) ** 2) for col, mu in zip(x.T, mean, strict=True)]) / (
            rows - 1
        )
        np.testing.assert_allclose(ia.mean, mean, rtol=1e-14)
        np.testing.assert_allclose(ia.sd, np.sqrt(var), rtol=1e-13)
