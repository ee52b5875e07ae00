"""Weights and required levels a job analysis writes into a role."""

from __future__ import annotations

import math

import pytest

from assessments.job_analysis import required_level, weights_from_criticality


def test_weights_are_criticality_over_its_mean():
    # criticalities 20, 10, 15: mean 15 -> 20/15 = 1.333 -> 1.33; 10/15 -> 0.67; 1.0
    assert weights_from_criticality([20.0, 10.0, 15.0]) == (1.33, 0.67, 1.0)
    # equal criticalities weigh the same
    assert weights_from_criticality([12.5, 12.5]) == (1.0, 1.0)


def test_unknown_criticality_weighs_one_and_is_left_out_of_the_mean():
    # known 8 and 16: mean 12 -> 0.67, 1.33; None and NaN -> 1.0
    assert weights_from_criticality([8.0, None, 16.0, math.nan]) == (0.67, 1.0, 1.33, 1.0)
    assert weights_from_criticality([None, None]) == (1.0, 1.0)
    assert weights_from_criticality([]) == ()
    assert weights_from_criticality([7]) == (1.0,)  # ints are numbers too


def test_weights_stay_positive_after_rounding():
    # 1 against a mean of (1 + 25*300)/301 ~ 24.92: 0.04; never rounded to 0
    weights = weights_from_criticality([1.0] + [25.0] * 300)
    assert weights[0] == 0.04
    assert min(weights_from_criticality([0.001, 25.0])) == 0.01


@pytest.mark.parametrize("bad", [0.0, -3.0, math.inf, "12", True])
def test_weights_refuse_bad_values_naming_the_position(bad):
    with pytest.raises(ValueError, match=r"criticality\[1\]"):
        weights_from_criticality([10.0, bad])


@pytest.mark.parametrize(
    "mean, level",
    [
        (None, 3),
        (math.nan, 3),
        (4.4, 4),
        (4.5, 5),  # half up
        (2.5, 3),  # half up, not to even
        (3.49, 3),
        (1.0, 1),
        (5.0, 5),
        (0.2, 1),  # clipped
        (7.0, 5),
        (4, 4),
    ],
)
def test_required_level_is_rounded_mean_importance(mean, level):
    assert required_level(mean) == level


@pytest.mark.parametrize("bad", [math.inf, "4", True])
def test_required_level_refuses_bad_values(bad):
    with pytest.raises(ValueError, match="importance_mean"):
        required_level(bad)
