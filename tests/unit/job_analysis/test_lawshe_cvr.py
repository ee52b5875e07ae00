"""Lawshe's content validity ratio and its exact critical value (assessments.job_analysis).

Published values with their sources next to them. The exact binomial values are also
recomputed here from first principles (math.comb with fractions), never from the module.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.stats import binomtest, norm

from assessments.job_analysis import content_validity_ratio, cvr_critical, essential_needed

# Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content validity ratio:
# Revisiting the original methods of calculation. Measurement and Evaluation in
# Counseling and Development, 47(1), 79-86: their table of exact critical values, one-tailed
# alpha = .05, N = 5..40, as (N, n_e critical, CVR critical). The article itself was not
# readable here; the rows were taken from a transcription of that table kept with a public
# content-validity tool (LAWSHE_CRITICAL, "Ayre & Scally 2014, exact binomial, alpha=.05
# one-tailed"), and the first ones agree with the worked reading in the R package
# contentvalidR's tests (8 experts need 7, 9 need 8, 10 need 9, 12 need 10).
AYRE_SCALLY_2014 = [
    (5, 5, 1.000),
    (6, 6, 1.000),
    (7, 7, 1.000),
    (8, 7, 0.750),
    (9, 8, 0.778),
    (10, 9, 0.800),
    (11, 9, 0.636),
    (12, 10, 0.667),
    (13, 10, 0.538),
    (14, 11, 0.571),
    (15, 12, 0.600),
    (16, 12, 0.500),
    (17, 13, 0.529),
    (18, 13, 0.444),
    (19, 14, 0.474),
    (20, 15, 0.500),
    (21, 15, 0.429),
    (22, 16, 0.455),
    (23, 16, 0.391),
    (24, 17, 0.417),
    (25, 18, 0.440),
    (26, 18, 0.385),
    (27, 19, 0.407),
    (28, 19, 0.357),
    (29, 20, 0.379),
    (30, 20, 0.333),
    (31, 21, 0.355),
    (32, 22, 0.375),
    (33, 22, 0.333),
    (34, 23, 0.353),
    (35, 23, 0.314),
    (36, 24, 0.333),
    (37, 24, 0.297),
    (38, 25, 0.316),
    (39, 26, 0.333),
    (40, 26, 0.300),
]

# Lawshe (1975), Personnel Psychology 28, 563-575, Table 1 "Minimum values of CVR ...
# one tailed test, p = .05" (as reprinted e.g. on cvrindex.pro, and in the R package
# contentvalidR's tests). Lawshe adjusted a unanimous 1.00 to .99 "for ease of
# manipulation", hence .99 for 5-7 panelists.
LAWSHE_1975 = {
    5: 0.99,
    6: 0.99,
    7: 0.99,
    8: 0.75,
    9: 0.78,
    10: 0.62,
    11: 0.59,
    12: 0.56,
    13: 0.54,
    14: 0.51,
    15: 0.49,
    20: 0.42,
    25: 0.37,
    30: 0.33,
    35: 0.31,
    40: 0.29,
}

# Wilson, F. R., Pan, W., & Schumsky, D. A. (2012). Recalculation of the critical values for
# Lawshe's content validity ratio. Measurement and Evaluation in Counseling and
# Development, 45(3), 197-210, Table 2 (normal approximation, one-tailed):
# N = 5: .736 at alpha .05, .877 at .025; N = 6: .672 at .05, .800 at .025, .950 at .01
# (as quoted in the R package contentvalidR's tests, "as published"); N = 13: .456 at .05
# (as quoted by a study citing Wilson et al. 2012, bio-protocol r8758338).
WILSON_2012 = [(5, 0.05, 0.736), (5, 0.025, 0.877), (6, 0.05, 0.672), (6, 0.025, 0.800),
               (6, 0.01, 0.950), (13, 0.05, 0.456)]  # fmt: skip


def exact_upper_tail(n_e: int, n: int) -> Fraction:
    """P(X >= n_e | N = n, p = 1/2) as an exact fraction: sum C(n, x) / 2^n."""
    return Fraction(sum(math.comb(n, x) for x in range(n_e, n + 1)), 2**n)


# --- the ratio ----------------------------------------------------------------------------


def test_cvr_lawshe_1975_landmarks():
    # Lawshe (1975): negative when fewer than half say "essential", zero when exactly half,
    # 1.00 when all, between 0 and 1 when more than half but not all.
    assert content_validity_ratio(4, 10) == pytest.approx(-0.2)  # (4 - 5)/5
    assert content_validity_ratio(5, 10) == 0.0
    assert content_validity_ratio(10, 10) == 1.0
    assert content_validity_ratio(0, 10) == -1.0
    assert 0 < content_validity_ratio(7, 10) < 1


def test_cvr_formula_by_hand():
    # (n_e - N/2)/(N/2): 3 of 5 -> (3 - 2.5)/2.5 = .2 (the R psychometric::CVratio example
    # panel, "essential = 3" of 5); 7 of 8 -> 3/4 = .75; 8 of 9 -> 3.5/4.5 = .778;
    # 10 of 13 -> 3.5/6.5 = .538
    assert content_validity_ratio(3, 5) == pytest.approx(0.2)
    assert content_validity_ratio(7, 8) == pytest.approx(0.75)
    assert content_validity_ratio(8, 9) == pytest.approx(7 / 9)
    assert content_validity_ratio(10, 13) == pytest.approx(7 / 13)
    assert content_validity_ratio(1, 1) == 1.0
    assert content_validity_ratio(np.int64(2), np.int64(4)) == 0.0  # numpy counts work


@pytest.mark.parametrize(
    "n_essential, n, field",
    [
        (0, 0, "n must be at least 1"),
        (1, -3, "n must be at least 1"),
        (-1, 5, "n_essential must be between 0 and n"),
        (6, 5, "n_essential must be between 0 and n"),
        (2.5, 5, "n_essential must be a whole number"),
        (2, 5.0, "n must be a whole number"),
        (True, 5, "n_essential must be a whole number"),
    ],
)
def test_cvr_refuses_bad_counts_naming_the_field(n_essential, n, field):
    with pytest.raises(ValueError, match=field):
        content_validity_ratio(n_essential, n)


# --- the critical value -------------------------------------------------------------------


def test_critical_values_ayre_scally_2014():
    for n, n_critical, published_cvr in AYRE_SCALLY_2014:
        assert essential_needed(n) == n_critical, n
        assert round(cvr_critical(n), 3) == published_cvr, n
        assert cvr_critical(n) == pytest.approx((n_critical - n / 2) / (n / 2)), n


def test_critical_counts_are_the_exact_binomial_boundary():
    # computed here from binomial coefficients: n_critical is below .05, one fewer is not
    for n, n_critical, _ in AYRE_SCALLY_2014:
        assert exact_upper_tail(n_critical, n) < Fraction(5, 100), n
        assert exact_upper_tail(n_critical - 1, n) >= Fraction(5, 100), n


def test_critical_value_hand_arithmetic_eight_experts():
    # P(X >= 7 | 8) = (C(8,7) + C(8,8))/256 = 9/256 = .035 < .05;
    # P(X >= 6 | 8) = (28 + 8 + 1)/256 = 37/256 = .145 -> 7 of 8, CVR (7 - 4)/4 = .75
    assert essential_needed(8) == 7
    assert cvr_critical(8) == 0.75


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_no_critical_value_below_five_experts(n):
    # even unanimity has P = 2^-n >= 2^-4 = .0625 > .05 (Ayre & Scally 2014 start at 5)
    assert essential_needed(n) is None
    assert math.isnan(cvr_critical(n))


def test_alpha_is_strictly_below():
    # N = 4: P(X = 4) = 1/16 = .0625 exactly; "below alpha" is strict
    assert essential_needed(4, alpha=0.0625) is None
    assert essential_needed(4, alpha=0.07) == 4
    assert cvr_critical(4, alpha=0.07) == 1.0


def test_critical_counts_beyond_the_table_exact_fractions():
    # Beyond the published table (N > 40, other alphas) no published values were found
    # here: the count is checked against the exact upper tail computed from binomial
    # coefficients, for alpha .01, .025, .05 and .10.
    alphas = (Fraction(1, 100), Fraction(25, 1000), Fraction(5, 100), Fraction(1, 10))
    for n, alpha in itertools.product([*range(1, 61), 75, 100], alphas):
        significant = [k for k in range(n + 1) if exact_upper_tail(k, n) < alpha]
        expected = significant[0] if significant else None
        assert essential_needed(n, float(alpha)) == expected, (n, alpha)
        if expected is None:
            assert math.isnan(cvr_critical(n, float(alpha)))
        else:
            assert cvr_critical(n, float(alpha)) == pytest.approx((2 * expected - n) / n)


def test_critical_counts_against_scipy_binomtest():
    # and against scipy's exact binomial test, one-sided "greater" against p = .5
    for n in (5, 13, 41, 50, 64, 100):
        p = [binomtest(k, n, 0.5, alternative="greater").pvalue for k in range(n + 1)]
        for alpha in (0.01, 0.05, 0.10):
            expected = next((k for k in range(n + 1) if p[k] < alpha), None)
            assert essential_needed(n, alpha) == expected, (n, alpha)


def test_lawshe_table_against_the_exact_counts():
    # Lawshe's printed minimums are not the exact CVRs (N = 10: .62 against .80; 12: .56
    # against .667; 15: .49 against .60), but only whole counts of experts exist, so what
    # matters is the count a minimum asks for. Read as "the CVR, printed to two decimals,
    # reaches the minimum" (his .99 standing for a unanimous 1.00), every row asks for the
    # exact count. Read strictly, two rows ask for one more expert than the exact test:
    # N = 9, where .78 is 8 of 9 (.778) printed, and N = 13, where .54 is 10 of 13 (.538).
    for n, lawshe in LAWSHE_1975.items():
        minimum = 1.0 if lawshe == 0.99 else lawshe
        printed = next(k for k in range(n + 1) if round((2 * k - n) / n, 2) >= minimum)
        strict = next(k for k in range(n + 1) if (2 * k - n) / n >= minimum)
        assert printed == essential_needed(n), n
        assert strict == essential_needed(n) + (1 if n in (9, 13) else 0), n


def test_wilson_2012_values_are_the_normal_approximation():
    for n, alpha, published in WILSON_2012:
        # Wilson et al. (2012): CVR_critical = z_(1-alpha)/sqrt(N), the normal
        # approximation to the binomial without continuity correction.
        assert round(norm.ppf(1 - alpha) / math.sqrt(n), 3) == published, (n, alpha)
        # The exact value is never below it; at N = 5 (alpha .025) and N = 6 (alpha .01)
        # no count is significant at all (2^-5 = .031, 2^-6 = .016), where the
        # approximation still prints a value.
        exact = cvr_critical(n, alpha)
        if (n, alpha) in ((5, 0.025), (6, 0.01)):
            assert math.isnan(exact)
        else:
            assert exact >= published, (n, alpha)


def test_exact_values_are_at_least_the_normal_approximation():
    # The normal approximation is liberal at these N: it would accept 8 of 10
    # (CVR .60 > .520) where the exact test needs 9 of 10.
    z = norm.ppf(0.95)
    for n in range(5, 41):
        assert cvr_critical(n) >= z / math.sqrt(n)
    assert content_validity_ratio(8, 10) > z / math.sqrt(10)
    assert essential_needed(10) == 9


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"n": 0}, "n must be at least 1"),
        ({"n": 2.0}, "n must be a whole number"),
        ({"n": 10, "alpha": 0.0}, "alpha"),
        ({"n": 10, "alpha": 1.0}, "alpha"),
        ({"n": 10, "alpha": "0.05"}, "alpha"),
    ],
)
def test_critical_value_refuses_bad_input_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=field):
        cvr_critical(**kwargs)
    with pytest.raises(ValueError, match=field):
        essential_needed(**kwargs)
