"""Intraclass correlations and rwg (assessments/psychometrics/agreement.py).

ICC values are checked against Shrout & Fleiss (1979) and R psych::ICC on the same data;
rwg values against hand computations (arithmetic in the comments).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assessments.psychometrics.agreement import ICC_FORMS, icc, rwg, rwg_j, rwg_j_groups
from assessments.sjt.keys import expert_agreement

nan = np.nan

# Shrout, P. E., & Fleiss, J. L. (1979). Psychological Bulletin, 86, 420-428, Table 2:
# 6 targets (rows) rated by 4 judges (columns). Also the data set `sf` of the example on
# R psych's ICC help page.
SF = np.array(
    [
        [9, 2, 5, 8],
        [6, 1, 3, 2],
        [8, 4, 6, 8],
        [7, 1, 2, 6],
        [10, 5, 6, 9],
        [6, 2, 4, 7],
    ],
    dtype=float,
)

# Shrout & Fleiss (1979), Table 4: ICC(1,1) .17, ICC(2,1) .29, ICC(3,1) .71,
# ICC(1,4) .44, ICC(2,4) .62, ICC(3,4) .91
SF_TABLE4 = {"ICC1": 0.17, "ICC2": 0.29, "ICC3": 0.71, "ICC1k": 0.44, "ICC2k": 0.62, "ICC3k": 0.91}
# R psych::ICC(sf), help page example: 0.166 0.290 0.715 0.443 0.620 0.909
PSYCH_ICC = {
    "ICC1": 0.166,
    "ICC2": 0.290,
    "ICC3": 0.715,
    "ICC1k": 0.443,
    "ICC2k": 0.620,
    "ICC3k": 0.909,
}
# R psych::ICC(sf), confidence bounds as printed (lower to 3 decimals, upper to 2):
# ICC1 -0.133 0.72, ICC2 0.019 0.76, ICC3 0.342 0.95,
# ICC1k -0.884 0.91, ICC2k 0.071 0.93, ICC3k 0.676 0.99
PSYCH_CI = {
    "ICC1": (-0.133, 0.72),
    "ICC2": (0.019, 0.76),
    "ICC3": (0.342, 0.95),
    "ICC1k": (-0.884, 0.91),
    "ICC2k": (0.071, 0.93),
    "ICC3k": (0.676, 0.99),
}


def test_icc_forms_keys_exactly():
    assert tuple(icc(SF).forms) == ICC_FORMS
    assert set(icc(SF).forms) == {"ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"}


def test_icc_mean_squares_shrout_fleiss_table3():
    # Shrout & Fleiss (1979), Table 3: BMS 11.24, WMS 6.26, JMS 32.49, EMS 1.02
    r = icc(SF)
    assert r.msr == pytest.approx(11.24, abs=0.005)
    assert r.msw == pytest.approx(6.26, abs=0.005)
    assert r.msc == pytest.approx(32.49, abs=0.005)
    assert r.mse == pytest.approx(1.02, abs=0.005)
    assert (r.n_targets, r.n_raters, r.n_dropped) == (6, 4, 0)


@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_shrout_fleiss_table4_two_decimals(form):
    assert round(icc(SF).forms[form].value, 2) == SF_TABLE4[form]


@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_psych_three_decimals(form):
    assert icc(SF).forms[form].value == pytest.approx(PSYCH_ICC[form], abs=0.0005)


def test_icc_f_tests_psych():
    # psych::ICC(sf): F 1.79 on (5, 18) for ICC1/ICC1k, 11.03 on (5, 15) for the others;
    # p 0.16477 and 0.00013
    forms = icc(SF).forms
    for name in ("ICC1", "ICC1k"):
        f = forms[name]
        f_stat = f.F
        assert f_stat == pytest.approx(1.79, abs=0.005)
        assert (f.df1, f.df2) == (5, 18)
        assert f.p == pytest.approx(0.16477, abs=5e-6)
    for name in ("ICC2", "ICC3", "ICC2k", "ICC3k"):
        f = forms[name]
        f_stat = f.F
        assert f_stat == pytest.approx(11.03, abs=0.005)
        assert (f.df1, f.df2) == (5, 15)
        assert f.p == pytest.approx(0.00013, abs=5e-6)


@pytest.mark.parametrize("form", ICC_FORMS)
def test_icc_confidence_intervals_psych(form):
    lo, hi = icc(SF).forms[form].ci
    assert lo == pytest.approx(PSYCH_CI[form][0], abs=0.0005)
    assert hi == pytest.approx(PSYCH_CI[form][1], abs=0.005)
    assert lo < icc(SF).forms[form].value < hi


def test_icc_hand_computed_3x2():
    # x = [[1,2],[3,3],[5,7]]: grand mean 21/6 = 3.5; row means 1.5, 3, 6; col means 3, 4
    # SSR = 2*(4 + .25 + 6.25) = 21        MSR = 21/2 = 10.5
    # SSC = 3*(.25 + .25) = 1.5             MSC = 1.5/1 = 1.5
    # SST = 6.25+2.25+.25+.25+2.25+12.25 = 23.5, SSE = 23.5 - 21 - 1.5 = 1, MSE = 1/2 = .5
    # MSW = (1.5 + 1)/(3*1) = 5/6
    r = icc(np.array([[1, 2], [3, 3], [5, 7]]))
    assert (r.msr, r.msc, r.mse, r.msw) == pytest.approx((10.5, 1.5, 0.5, 5 / 6))
    expected = {
        "ICC1": 29 / 34,  # (10.5 - 5/6)/(10.5 + 5/6) = (29/3)/(34/3)
        "ICC2": 6 / 7,  # 10/(10.5 + .5 + 2*(1.5 - .5)/3) = 10/(35/3)
        "ICC3": 10 / 11,  # 10/(10.5 + .5)
        "ICC1k": 58 / 63,  # (29/3)/10.5
        "ICC2k": 12 / 13,  # 10/(10.5 + 1/3) = 10/(65/6)
        "ICC3k": 20 / 21,  # 10/10.5
    }
    for name, value in expected.items():
        assert r.forms[name].value == pytest.approx(value, rel=1e-12), name
    # F: ICC1 MSR/MSW = 10.5/(5/6) = 12.6 on (2, 3); ICC3 MSR/MSE = 21 on (2, 2)
    f1, f3 = r.forms["ICC1"], r.forms["ICC3"]
    assert (f1.F, f1.df1, f1.df2) == pytest.approx((12.6, 2, 3))
    assert (f3.F, f3.df1, f3.df2) == pytest.approx((21.0, 2, 2))


def test_icc_drops_incomplete_rows():
    with_missing = np.vstack([SF, [3, nan, 4, 5], [nan, nan, nan, nan]])
    r = icc(with_missing)
    assert (r.n_targets, r.n_dropped) == (6, 2)
    for name in ICC_FORMS:
        assert r.forms[name] == icc(SF).forms[name]


def test_icc_results_are_frozen():
    r = icc(SF)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.n_targets = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.forms["ICC1"].value = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        r.forms["ICC1"] = r.forms["ICC2"]  # type: ignore[index]


@pytest.mark.parametrize(
    "x, match",
    [
        (np.arange(5.0), "2-D"),
        (np.ones((4, 1)), "2 raters"),
        (np.array([[1.0, 2.0], [nan, 3.0]]), "2 complete targets"),
        (np.array([[1.0, np.inf], [2.0, 3.0]]), "finite"),
    ],
)
def test_icc_validation(x, match):
    with pytest.raises(ValueError, match=match):
        icc(x)


def test_icc_alpha_validation():
    with pytest.raises(ValueError, match="alpha"):
        icc(SF, alpha=1.5)


# --- rwg -----------------------------------------------------------------------------


def test_rwg_null_variances_james_1984():
    # sigma^2_EU = (A^2 - 1)/12: 5 options (25 - 1)/12 = 2.0, 7 options (49 - 1)/12 = 4.0
    # ratings [1, 2, 3]: mean 2, SS 1 + 0 + 1 = 2, s^2 = 2/2 = 1
    assert rwg([1, 2, 3], options=5) == pytest.approx(1 - 1 / 2.0)  # 0.5
    assert rwg([1, 2, 3], options=7) == pytest.approx(1 - 1 / 4.0)  # 0.75


def test_rwg_hand_computed():
    # [3, 4, 5, 4]: mean 4, SS 1 + 0 + 1 + 0 = 2, s^2 = 2/3
    assert rwg([3, 4, 5, 4], options=5) == pytest.approx(1 - (2 / 3) / 2)  # 2/3
    assert rwg([3, 4, 5, 4], options=7) == pytest.approx(1 - (2 / 3) / 4)  # 5/6
    # a given null variance replaces (A^2 - 1)/12: 1 - (2/3)/1 = 1/3
    assert rwg([3, 4, 5, 4], null_variance=1.0) == pytest.approx(1 / 3)
    assert rwg([3, 4, 5, 4], options=5, null_variance=1.0) == pytest.approx(1 / 3)
    # perfect agreement: s^2 = 0 -> 1
    assert rwg([4, 4, 4], options=5) == 1.0


def test_rwg_truncated_to_zero():
    # [1, 5, 1, 5]: mean 3, SS 4*4 = 16, s^2 = 16/3 = 5.33 > 2 -> 1 - 2.67 < 0 -> 0
    assert rwg([1, 5, 1, 5], options=5) == 0.0


def test_rwg_missing_and_columns():
    # NaN ignored: same as [3, 4, 5, 4]
    assert rwg([3, 4, nan, 5, 4], options=5) == pytest.approx(2 / 3)
    assert np.isnan(rwg([3, nan], options=5))  # one rating: undefined
    # 2-D raters x items: one rwg per column; col 2 [1,5,1,5] truncated
    x = np.array([[3, 1, 4], [4, 5, 4], [5, 1, 4], [4, 5, nan]])
    np.testing.assert_allclose(rwg(x, options=5), [2 / 3, 0.0, 1.0])


def test_rwg_j_hand_computed():
    # items: [3,4,5,4] s^2 2/3; [4,4,4,4] s^2 0; [2,4,4,2] mean 3, SS 4, s^2 4/3
    # mean s^2 = (2/3 + 0 + 4/3)/3 = 2/3; 5 options: ratio (2/3)/2 = 1/3, J = 3
    # rwg(J) = 3(1 - 1/3) / (3(1 - 1/3) + 1/3) = 2 / (7/3) = 6/7
    x = np.array([[3, 4, 2], [4, 4, 4], [5, 4, 4], [4, 4, 2]])
    assert rwg_j(x, options=5) == pytest.approx(6 / 7)
    # 7 options: ratio (2/3)/4 = 1/6; 3(5/6) / (3(5/6) + 1/6) = 2.5/(16/6) = 15/16
    assert rwg_j(x, options=7) == pytest.approx(15 / 16)
    # null variance 1: ratio 2/3; 3(1/3)/(1 + 2/3) = 3/5
    assert rwg_j(x, null_variance=1.0) == pytest.approx(3 / 5)


def test_rwg_j_missing_pairwise_and_truncation():
    # an item with one rating does not count towards J; NaN in another item is skipped
    x = np.array([[3, 4, 2, 1], [4, 4, 4, nan], [5, 4, 4, nan], [4, 4, 2, nan], [nan] * 4])
    assert rwg_j(x, options=5) == pytest.approx(6 / 7)
    # mean s^2 (16/3) > 2 -> truncated to 0
    assert rwg_j(np.array([[1, 1], [5, 5], [1, 1], [5, 5]]), options=5) == 0.0
    assert np.isnan(rwg_j(np.array([[1.0, 2.0]]), options=5))


def test_rwg_j_agrees_with_sjt_keys():
    # keys.rwg_j (judges x items x options, scale (1, 5) -> A = 5) on the same data
    x = np.array([[3, 4, 2], [4, 4, 4], [5, 4, 4], [4, 4, 2]], dtype=float)
    expected = expert_agreement(x[:, None, :], np.ones((1, 3), dtype=bool), scale=(1, 5))
    assert rwg_j(x, options=5) == pytest.approx(float(expected[0]))


@pytest.mark.parametrize("func", [rwg, rwg_j])
def test_rwg_validation(func):
    x = np.array([[1, 2], [2, 3]])
    with pytest.raises(ValueError, match="options"):
        func(x)
    for bad in (1, 2.5, True):
        with pytest.raises(ValueError, match="options"):
            func(x, options=bad)
    for bad in (0.0, -1.0, nan):
        with pytest.raises(ValueError, match="null_variance"):
            func(x, null_variance=bad)
    with pytest.raises(ValueError, match="x must"):
        func(np.ones((2, 2, 2)), options=5)


def test_rwg_j_requires_2d():
    with pytest.raises(ValueError, match="2-D"):
        rwg_j(np.array([1.0, 2.0, 3.0]), options=5)


def test_rwg_j_groups_is_rwg_j_per_group():
    # one call over raters x groups x items = rwg_j on each group's raters x items slice
    rng = np.random.default_rng(4)
    x = rng.integers(1, 6, size=(6, 5, 4)).astype(float)
    x[rng.random(x.shape) < 0.3] = nan
    x[1:, 4, :] = nan  # group 4: one rater only -> NaN
    got = rwg_j_groups(x, options=5)
    assert got.shape == (5,)
    for g in range(5):
        np.testing.assert_allclose(got[g], rwg_j(x[:, g, :], options=5), atol=1e-15)
    assert np.isnan(got[4])
    np.testing.assert_allclose(
        rwg_j_groups(x, null_variance=1.5)[:4],
        [rwg_j(x[:, g, :], null_variance=1.5) for g in range(4)],
        atol=1e-15,
    )


def test_rwg_j_groups_valid_mask_ignores_padding():
    # group 0 has 3 items, group 1 has 2; padding holds anything, even inf
    x = np.array(
        [
            [[3, 4, 2, np.inf], [5, 5, 9, 9]],
            [[4, 4, 4, -np.inf], [5, 4, 9, 9]],
            [[5, 4, 4, 0], [4, 4, 9, 9]],
            [[4, 4, 2, 0], [5, 5, 9, 9]],
        ],
        dtype=float,
    )
    valid = np.array([[True, True, True, False], [True, True, False, False]])
    got = rwg_j_groups(x, options=5, valid=valid)
    np.testing.assert_allclose(got, [6 / 7, rwg_j(x[:, 1, :2], options=5)], atol=1e-15)
    with pytest.raises(ValueError, match="finite"):
        rwg_j_groups(x, options=5)  # the inf is on an item that counts now
    with pytest.raises(ValueError, match="valid"):
        rwg_j_groups(x, options=5, valid=valid[:, :3])
    with pytest.raises(ValueError, match="3-D"):
        rwg_j_groups(x[:, 0, :], options=5)
    with pytest.raises(ValueError, match="options"):
        rwg_j_groups(x, valid=valid)
