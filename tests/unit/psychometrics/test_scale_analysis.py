"""Tests for assessments.psychometrics.scale_analysis (the "analyse your own data" core).

The analysis only calls the psychometrics functions, so most tests check that each number
is exactly what those functions give on the same (reverse-keyed, cleaned) matrix; the
published reference is Shrout & Fleiss (1979), where alpha equals ICC(3,k).
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from assessments.psychometrics import (
    Alpha,
    ScaleAnalysis,
    analyse_scale,
    cronbach_alpha,
    guttman_lambda6,
    icc,
    item_analysis,
    omega_total,
    read_alpha,
    sem,
    split_half,
)

# Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin, 86, 420-428, Table 2: 6 targets x 4 judges.
# Cronbach's alpha of the judges as items equals ICC(3,k), consistency of the mean of k
# (McGraw & Wong, 1996, Psychological Methods, 1, 30-46): S&F Table 4 print ICC(3,4) = .91;
# R psych::ICC(sf) (help page example) prints ICC3k = 0.909; 1 - EMS/BMS = 1 - 1.02/11.24.
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
SF_ALPHA_PUBLISHED = 0.91  # Shrout & Fleiss (1979), Table 4, ICC(3,4)
SF_ALPHA_PSYCH = 0.909  # psych::ICC(sf), ICC3k
JUDGES = ["J1", "J2", "J3", "J4"]


def likert(n: int, k: int, *, loading: float = 0.8, seed: int = 1, noise: float = 1.0):
    """Likert 1-5 answers of n respondents to k items of one factor."""
    rng = np.random.default_rng(seed)
    theta = rng.standard_normal((n, 1))
    raw = 3 + loading * 1.2 * theta + noise * rng.standard_normal((n, k))
    return np.clip(np.round(raw), 1, 5)


def same(a: Alpha | None, b: Alpha) -> bool:
    """Equal up to rounding (BLAS may sum in another order on a copied matrix)."""
    if a is None or (a.n, a.k, a.missing) != (b.n, b.k, b.missing):
        return False
    return [a.alpha, a.std_alpha, *a.ci] == pytest.approx([b.alpha, b.std_alpha, *b.ci], abs=1e-12)


def codes(result: ScaleAnalysis) -> set[str]:
    return {w.code for w in result.warnings}


# --------------------------------------------------------------------------- published


def test_shrout_fleiss_alpha_is_the_published_icc3k() -> None:
    r = analyse_scale(SF, items=JUDGES)
    assert r.alpha is not None
    assert round(r.alpha.alpha, 2) == SF_ALPHA_PUBLISHED
    assert r.alpha.alpha == pytest.approx(SF_ALPHA_PSYCH, abs=0.0005)
    assert r.alpha.alpha == pytest.approx(icc(SF).forms["ICC3k"].value, abs=1e-12)
    assert (r.n, r.k, r.alpha.n) == (6, 4, 6)


def test_reverse_keying_restores_the_published_alpha() -> None:
    # J2 stored on a reversed 1-10 scale: reverse keying it gives back the original data
    flipped = SF.copy()
    flipped[:, 1] = 11 - flipped[:, 1]
    plain = analyse_scale(flipped, items=JUDGES)
    keyed = analyse_scale(flipped, items=JUDGES, reverse=["J2"], scale=(1, 10))
    assert plain.alpha is not None and keyed.alpha is not None
    assert plain.alpha.alpha < 0.5
    assert keyed.alpha.alpha == pytest.approx(SF_ALPHA_PSYCH, abs=0.0005)
    assert keyed.reverse == ("J2",) and keyed.scale == (1.0, 10.0)
    assert [i.reversed for i in keyed.items] == [False, True, False, False]
    assert keyed.items[1].mean == pytest.approx(SF[:, 1].mean())
    assert "flagged_items" in codes(plain)
    assert "J2" in next(w for w in plain.warnings if w.code == "flagged_items").items


# --------------------------------------------------------------------------- same numbers


def test_every_number_is_the_psychometrics_functions_own() -> None:
    x = likert(150, 6)
    x[np.random.default_rng(2).random(x.shape) < 0.08] = np.nan
    r = analyse_scale(x, items=[f"Q{j}" for j in range(6)], seed=7)
    a = cronbach_alpha(x, missing="pairwise")
    lw = cronbach_alpha(x, missing="listwise")
    # equal up to rounding: BLAS may sum in another order on a copied matrix
    tol = {"abs": 1e-12}
    assert r.alpha is not None and r.alpha_listwise is not None
    assert same(r.alpha, a) and same(r.alpha_listwise, lw)
    assert r.omega_total == pytest.approx(omega_total(x), abs=1e-9)
    assert r.guttman_lambda6 == pytest.approx(guttman_lambda6(x), **tol)
    oe = split_half(x, method="odd_even")
    rs = split_half(x, method="random", n_splits=1000, rng=np.random.default_rng(7))
    assert r.split_half_odd_even is not None and r.split_half_random is not None
    assert r.split_half_odd_even.to_dict() == pytest.approx(oe.to_dict(), **tol)
    assert r.split_half_random.to_dict() == pytest.approx(rs.to_dict(), **tol)
    assert (r.n_splits, r.seed) == (1000, 7)
    ia = item_analysis(x)
    for field in ("mean", "sd", "r_drop", "alpha_if_deleted"):
        got = [getattr(i, field) for i in r.items]
        assert got == pytest.approx(getattr(ia, field).tolist(), **tol), field
    assert [i.n for i in r.items] == ia.n.tolist()
    assert [i.missing for i in r.items] == (150 - ia.n).tolist()
    assert tuple(i.flags for i in r.items) == ia.flags
    complete = x[~np.isnan(x).any(axis=1)]
    total_sd = complete.sum(axis=1).std(ddof=1)
    assert r.total_sd == pytest.approx(total_sd, abs=1e-12)
    assert r.sem == pytest.approx(sem(total_sd, a.alpha), abs=1e-12)
    assert r.sem == pytest.approx(total_sd * math.sqrt(1 - a.alpha), abs=1e-12)
    assert r.missing.rows_complete == complete.shape[0]
    assert r.missing.cells_missing == int(np.isnan(x).sum())
    assert r.missing.pairwise_n == a.n < 150
    assert lw.n == complete.shape[0]


def test_reverse_matches_item_analysis_reverse() -> None:
    x = likert(120, 5)
    x[:, 2] = 6 - x[:, 2]
    r = analyse_scale(x, items=list("ABCDE"), reverse=["C"], scale=(1, 5))
    ia = item_analysis(x, reverse=[2], scale=(1, 5))
    assert [i.r_drop for i in r.items] == pytest.approx(ia.r_drop.tolist(), abs=1e-12)
    keyed = x.copy()
    keyed[:, 2] = 6 - keyed[:, 2]
    assert same(r.alpha, cronbach_alpha(keyed))
    assert r.items[2].r_drop is not None and r.items[2].r_drop > 0.3


def test_scale_is_inferred_from_the_data_and_said() -> None:
    x = likert(80, 4)
    x[:, 0] = 6 - x[:, 0]
    assert np.nanmin(x) == 1 and np.nanmax(x) == 5
    inferred = analyse_scale(x, items=list("ABCD"), reverse=["A"])
    given = analyse_scale(x, items=list("ABCD"), reverse=["A"], scale=(1, 5))
    assert inferred.scale_inferred and inferred.scale == (1.0, 5.0)
    assert not given.scale_inferred
    assert inferred.alpha == given.alpha
    note = next(n for n in inferred.notes if n.code == "scale_inferred")
    assert "1 and 5" in note.message
    assert not any(n.code == "scale_inferred" for n in given.notes)


def test_seed_makes_random_split_half_reproducible() -> None:
    x = likert(60, 8)
    one = analyse_scale(x, items=[str(j) for j in range(8)], seed=3)
    two = analyse_scale(x, items=[str(j) for j in range(8)], seed=3)
    other = analyse_scale(x, items=[str(j) for j in range(8)], seed=4)
    assert one.split_half_random == two.split_half_random
    assert one.split_half_random != other.split_half_random
    assert one.split_half_odd_even == other.split_half_odd_even


def test_item_order_does_not_change_the_scale_coefficients() -> None:
    x = likert(100, 5, seed=5)
    names = list("ABCDE")
    r = analyse_scale(x, items=names)
    order = [3, 0, 4, 2, 1]
    p = analyse_scale(x[:, order], items=[names[j] for j in order])
    assert p.alpha is not None and r.alpha is not None
    assert p.alpha.alpha == pytest.approx(r.alpha.alpha, abs=1e-12)
    assert p.guttman_lambda6 == pytest.approx(r.guttman_lambda6, abs=1e-10)
    assert p.omega_total == pytest.approx(r.omega_total, abs=1e-6)
    by_name = {i.name: i.r_drop for i in r.items}
    assert {i.name: i.r_drop for i in p.items} == pytest.approx(by_name, abs=1e-12)


# --------------------------------------------------------------------------- problems


def test_zero_variance_item_is_left_out_and_named() -> None:
    x = likert(50, 4)
    x[:, 2] = 3.0
    r = analyse_scale(x, items=["A", "B", "Same", "D"])
    assert r.k == 3 and len(r.items) == 4
    const = r.items[2]
    assert const.excluded and const.sd == 0.0 and const.mean == 3.0 and const.r_drop is None
    assert const.flags == ("zero variance (left out)",)
    w = next(w for w in r.warnings if w.code == "zero_variance")
    assert w.items == ("Same",) and "Same" in w.message
    kept = x[:, [0, 1, 3]]
    assert same(r.alpha, cronbach_alpha(kept))
    assert r.omega_total == pytest.approx(omega_total(kept), abs=1e-9)
    assert [i.name for i in r.analysed_items] == ["A", "B", "D"]


def test_item_with_fewer_than_two_answers_is_left_out() -> None:
    x = likert(40, 4)
    x[:, 3] = np.nan
    x[0, 3] = 2
    r = analyse_scale(x, items=list("ABCD"))
    assert r.items[3].excluded and r.items[3].n == 1 and r.items[3].missing == 39
    assert "too_few_answers" in codes(r)
    assert same(r.alpha, cronbach_alpha(x[:, :3]))


def test_two_items_give_no_omega_but_the_rest() -> None:
    r = analyse_scale(likert(60, 2), items=["A", "B"])
    assert r.omega_total is None
    assert any(n.code == "omega_needs_three" for n in r.notes)
    assert r.alpha is not None and r.guttman_lambda6 is not None
    assert all(i.alpha_if_deleted is None for i in r.items)


def test_empty_rows_are_dropped_and_counted() -> None:
    x = np.vstack([likert(40, 3), np.full((2, 3), np.nan)])
    r = analyse_scale(x, items=list("ABC"))
    assert r.n == 40 and r.missing.rows_empty == 2
    assert r.missing.cells_missing == 0
    assert any(n.code == "empty_rows" for n in r.notes)


def test_pairs_without_overlap_are_reported_not_raised() -> None:
    # planned missingness with no respondent answering both A and B
    nan = np.nan
    x = np.array(
        [[1, nan, 2], [2, nan, 3], [3, nan, 3], [nan, 2, 1], [nan, 4, 5], [nan, 3, 4]],
        dtype=float,
    )
    r = analyse_scale(x, items=list("ABC"))
    assert r.alpha is not None and r.alpha.alpha != r.alpha.alpha  # NaN: no overlap
    assert r.reading is None and r.sem is None
    assert "not_computed" in codes(r) and "few_complete_rows" in codes(r)
    assert json.dumps(r.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": np.ones((2, 3)) * [[1], [2]]}, "too few respondents"),
        ({"items": ["A", "B"]}, "items names 2 columns"),
        ({"items": ["A", "A", "C"]}, "repeated: A"),
        ({"reverse": ["Z", "A"]}, "not in the data: Z"),
        ({"scale": (1, 3)}, "outside the scale 1-3 in: B, C"),
        ({"scale": (5, 1)}, "min < max"),
        ({"x": np.array([[1, 2, 2], [1, 3, 3], [1, 4, 4], [1, 4, 4.0]]) * [1, 0, 1]}, "vary"),
        ({"x": np.ones((4, 1)), "items": ["A"]}, "at least 2 items"),
        ({"x": np.full((4, 3), 2.0), "reverse": ["A"]}, "every answer is equal"),
    ],
)
def test_invalid_input_raises_value_error_saying_what(kwargs: dict, match: str) -> None:
    x = np.array([[1, 2, 3], [2, 4, 3], [3, 3, 5], [2, 4, 4]], dtype=float)
    args = {"x": x, "items": ["A", "B", "C"], **kwargs}
    with pytest.raises(ValueError, match=match):
        analyse_scale(args.pop("x"), **args)


# --------------------------------------------------------------------------- warnings


def test_small_sample_and_low_alpha_warnings() -> None:
    r = analyse_scale(likert(20, 4, loading=0.2, seed=9), items=list("ABCD"))
    assert {"small_n"} <= codes(r)
    assert r.alpha is not None
    if r.alpha.alpha < 0:
        assert "negative_alpha" in codes(r)
    else:
        assert "low_alpha" in codes(r) and r.reading is not None and r.reading.band == "poor"
    mid = analyse_scale(likert(60, 6), items=list("ABCDEF"))
    assert "tentative_n" in codes(mid) and "small_n" not in codes(mid)


def test_good_scale_has_no_warnings() -> None:
    r = analyse_scale(likert(400, 8, loading=0.9, seed=11), items=[f"Q{j}" for j in range(8)])
    assert r.alpha is not None and 0.80 <= r.alpha.alpha < 0.95
    assert r.warnings == ()
    assert r.reading is not None and r.reading.band in ("good", "excellent")
    assert "Cicchetti (1994)" in r.reading.source and "Nunnally (1978)" in r.reading.source


def test_negative_alpha_warns_and_gives_no_sem() -> None:
    x = likert(200, 4, seed=4)
    x[:, 0] = 6 - x[:, 0]
    x[:, 1] = 6 - x[:, 1]
    r = analyse_scale(x, items=list("ABCD"))
    assert r.alpha is not None and r.alpha.alpha < 0
    assert "negative_alpha" in codes(r)
    assert r.sem is None
    assert r.items[0].flags[0] == "negative r_drop"


def test_very_high_alpha_notes_possible_redundancy() -> None:
    base = likert(300, 1, seed=2)
    x = np.hstack([base, base, base, np.clip(base + 1, 1, 5)])
    x[0, 3] = 1  # not an exact copy
    r = analyse_scale(x, items=list("ABCD"))
    assert any(n.code == "very_high_alpha" for n in r.notes)


@pytest.mark.parametrize(
    ("alpha", "band"),
    [
        (0.95, "excellent"),
        (0.90, "excellent"),
        (0.8999, "good"),
        (0.80, "good"),
        (0.7999, "fair"),
        (0.70, "fair"),
        (0.6999, "poor"),
        (-0.3, "poor"),
    ],
)
def test_reading_bands(alpha: float, band: str) -> None:
    reading = read_alpha(alpha)
    assert reading is not None and reading.band == band
    assert reading.text.lower().startswith(band)


def test_reading_undefined() -> None:
    assert read_alpha(None) is None
    assert read_alpha(float("nan")) is None


# --------------------------------------------------------------------------- JSON


def test_to_dict_is_json_ready() -> None:
    x = likert(30, 4)
    x[:, 3] = 1.0  # zero variance: None where undefined
    x[0, 0] = np.nan
    d = analyse_scale(x, items=["A", "B", "C", "<b>D</b>"]).to_dict()
    back = json.loads(json.dumps(d, allow_nan=False))
    assert back["n"] == 30 and back["k"] == 3
    assert set(back) >= {
        "alpha",
        "alpha_listwise",
        "omega_total",
        "guttman_lambda6",
        "split_half",
        "sem",
        "items",
        "warnings",
        "notes",
        "missing",
        "reading",
        "total",
    }
    assert back["items"][3]["r_drop"] is None and back["items"][3]["excluded"] is True
    assert back["missing"]["cells_missing"] == 1
    assert back["alpha"]["missing"] == "pairwise" and back["alpha_listwise"]["n"] == 29
    assert back["split_half"]["n"] == 29 and back["split_half"]["seed"] == 0
    assert all(set(w) == {"code", "message", "items"} for w in back["warnings"])


def test_dichotomous_items_get_p() -> None:
    rng = np.random.default_rng(0)
    theta = rng.standard_normal((200, 1))
    x = (theta + rng.standard_normal((200, 5)) > 0).astype(float)
    r = analyse_scale(x, items=list("ABCDE"))
    for j, item in enumerate(r.items):
        assert item.p == pytest.approx(x[:, j].mean())


def test_omega_is_left_out_above_the_item_limit() -> None:
    from assessments.psychometrics.scale_analysis import OMEGA_MAX_ITEMS

    k = OMEGA_MAX_ITEMS + 1
    r = analyse_scale(likert(150, k), items=[f"Q{j}" for j in range(k)])
    assert r.omega_total is None and r.alpha is not None and r.guttman_lambda6 is not None
    assert any(n.code == "omega_skipped" for n in r.notes)
