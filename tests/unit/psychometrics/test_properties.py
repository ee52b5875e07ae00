"""Property-based tests (hypothesis) for assessments.psychometrics.reliability.

Examples are small (at most 30 respondents x 6 items) and capped at 50 per property so
the module runs in seconds. Data are Likert-like integers 1..5, as in real item data.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from assessments.psychometrics.reliability import cronbach_alpha

SETTINGS = settings(max_examples=50, deadline=None, derandomize=True)


@st.composite
def likert(draw, min_rows: int = 5, max_rows: int = 30, min_items: int = 2, max_items: int = 6):
    n = draw(st.integers(min_rows, max_rows))
    k = draw(st.integers(min_items, max_items))
    return draw(arrays(np.float64, (n, k), elements=st.integers(1, 5).map(float)))


def _same(a: float, b: float, tol: float = 1e-9) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=tol, abs_tol=tol)


@SETTINGS
@given(x=likert(), data=st.data())
def test_item_order_does_not_matter(x, data):
    perm = data.draw(st.permutations(range(x.shape[1])))
    a = cronbach_alpha(x)
    b = cronbach_alpha(x[:, list(perm)])
    assert _same(a.alpha, b.alpha)
    assert _same(a.std_alpha, b.std_alpha)


@SETTINGS
@given(
    x=likert(),
    scale=st.floats(0.01, 100.0),
    shift=st.floats(-100.0, 100.0),
)
def test_linear_rescaling_of_every_item_leaves_alpha_unchanged(x, scale, shift):
    # Degenerate data (every item constant) is excluded here: see the test below.
    assume((np.ptp(x, axis=0) > 0).any())
    a = cronbach_alpha(x).alpha
    b = cronbach_alpha(scale * x + shift).alpha
    # NaN (zero total variance) must stay NaN; otherwise alpha is scale-free. The
    # tolerance allows for the rounding of a*x + b, amplified when alpha is near 0/0.
    if math.isnan(a) or math.isnan(b):
        assert math.isnan(a) and math.isnan(b)
    else:
        assert math.isclose(a, b, rel_tol=1e-7, abs_tol=1e-7)


def test_constant_rescaled_items_give_nan():
    # Found by hypothesis: 1.0 * ones gives NaN, but 0.01 * ones gives 1.0.
    assert math.isnan(cronbach_alpha(np.full((10, 2), 0.01)).alpha)


@SETTINGS
@given(
    col=arrays(np.float64, st.integers(3, 30), elements=st.integers(1, 5).map(float)),
    k=st.integers(2, 6),
)
def test_identical_items_give_alpha_one(col, k):
    x = np.repeat(col[:, None], k, axis=1)
    a = cronbach_alpha(x).alpha
    if np.ptp(col) == 0:
        assert math.isnan(a)  # zero variance: undefined
    else:
        assert abs(a - 1.0) <= 1e-9


@SETTINGS
@given(x=likert(min_rows=10), data=st.data())
def test_random_missingness_never_crashes_and_alpha_at_most_one(x, data):
    mask = data.draw(arrays(np.bool_, x.shape, elements=st.booleans()))
    # "Enough data": at most 30 % missing, and every item keeps at least 5 answers.
    budget = int(0.3 * x.size)
    drop = np.flatnonzero(mask.ravel())[:budget]
    m = x.copy().ravel()
    m[drop] = np.nan
    m = m.reshape(x.shape)
    if (np.sum(~np.isnan(m), axis=0) < 5).any():
        return
    for missing in ("pairwise", "listwise"):
        a = cronbach_alpha(m, missing=missing).alpha
        assert math.isnan(a) or a <= 1.0 + 1e-12
