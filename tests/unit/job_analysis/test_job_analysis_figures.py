"""Per-competency figures, proposals, warnings and ICC(2,k) of a job analysis.

A small study whose every figure is worked out by hand in the comments, ICC(2,k) on
Shrout & Fleiss's (1979) Table 2 data, and the validation of the ratings.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assessments.job_analysis import (
    COMPETENCY_WARNINGS,
    Check,
    InvalidRules,
    Ratings,
    Rules,
    analyse,
    icc2k_summary,
)
from assessments.psychometrics.agreement import icc

nan = np.nan

# Six experts (rows) x five draft competencies (columns) A..E; NaN is "cannot say".
# A: screen at hiring. B: develop. C: every figure on its threshold. D: three experts, no
# agreement on importance. E: nobody answered.
IMPORTANCE = [
    [5, 4, 4, 1, nan],
    [5, 4, 3, 5, nan],
    [4, 4, 4, 3, nan],
    [5, 4, 3, nan, nan],
    [4, nan, 4, nan, nan],
    [5, 4, 3, nan, nan],
]
FREQUENCY = [
    [4, 3, 2, 2, nan],
    [4, 3, 2, 2, nan],
    [4, 5, 2, 2, nan],
    [4, 3, 2, nan, nan],
    [4, nan, 2, nan, nan],
    [4, 3, 2, nan, nan],
]
DAY_ONE = [
    [1, 0, 1, 1, nan],
    [1, 0, 1, 1, nan],
    [1, 1, 1, 1, nan],
    [1, 0, 1, nan, nan],
    [1, nan, 0, nan, nan],
    [0, 0, 0, nan, nan],
]
LEARNABLE = [
    [0, 1, 1, 0, nan],
    [0, 1, 1, 0, nan],
    [0, 1, 1, nan, nan],
    [0, 0, 0, nan, nan],
    [0, nan, 0, nan, nan],
    [1, 1, 0, nan, nan],
]
LAWSHE = [  # 2 essential, 1 useful, 0 not necessary
    [2, 2, 2, 2, nan],
    [2, 1, 2, 2, nan],
    [2, 1, 2, 2, nan],
    [2, 2, 2, nan, nan],
    [2, nan, 2, nan, nan],
    [2, 2, 0, nan, nan],
]


def study(**changes: list[list[float]]) -> Ratings:
    arrays = {
        "importance": IMPORTANCE,
        "frequency": FREQUENCY,
        "day_one": DAY_ONE,
        "learnable": LEARNABLE,
        "lawshe": LAWSHE,
    }
    arrays.update(changes)
    return Ratings(**{k: np.array(v, dtype=float) for k, v in arrays.items()})


@pytest.fixture(scope="module")
def figures():
    return analyse(study())


def flags(c):
    return (c.proposed_select_for, c.proposed_develop)


def test_a_is_proposed_for_selection(figures):
    a = figures.competencies[0]
    assert (a.n, a.importance_n, a.frequency_n) == (6, 6, 6)
    # importance 5,5,4,5,4,5: mean 28/6 = 14/3; SS 4(1/3)^2 + 2(2/3)^2 = 4/3, s^2 = 4/15,
    # SD = sqrt(4/15) = .516; rwg = 1 - (4/15)/2 = 13/15 = .867
    assert a.importance_mean == pytest.approx(14 / 3)
    assert a.importance_sd == pytest.approx((4 / 15) ** 0.5)
    assert a.importance_rwg == pytest.approx(13 / 15)
    # frequency all 4: SD 0, rwg 1; criticality mean of 4 x importance = 56/3 = 18.67
    assert (a.frequency_mean, a.frequency_sd, a.frequency_rwg) == (4.0, 0.0, 1.0)
    assert a.criticality == pytest.approx(56 / 3)
    # 5 of 6 needed on day one, 1 of 6 learnable, 6 of 6 essential: CVR 1 = critical 1
    assert (a.day_one_n, a.needed_day_one) == (6, pytest.approx(5 / 6))
    assert (a.learnable_n, a.learnable) == (6, pytest.approx(1 / 6))
    assert (a.lawshe_n, a.n_essential, a.cvr, a.cvr_critical, a.cvr_met) == (6, 6, 1, 1, True)
    assert flags(a) == (True, False)  # develop fails: 1/6 < .5 learnable
    assert a.warnings == ()


def test_b_is_proposed_for_development_with_cannot_say(figures):
    b = figures.competencies[1]
    # expert 4 said "cannot say" to all five questions: he does not count
    assert (b.n, b.importance_n, b.frequency_n, b.day_one_n, b.learnable_n) == (5, 5, 5, 5, 5)
    assert (b.importance_mean, b.importance_sd, b.importance_rwg) == (4.0, 0.0, 1.0)
    # frequency 3,3,5,3,3: mean 3.4; SS 4(.16) + 2.56 = 3.2, s^2 = .8, rwg 1 - .8/2 = .6
    assert b.frequency_mean == pytest.approx(3.4)
    assert b.frequency_sd == pytest.approx(0.8**0.5)
    assert b.frequency_rwg == pytest.approx(0.6)
    # criticality (12 + 12 + 20 + 12 + 12)/5 = 13.6
    assert b.criticality == pytest.approx(13.6)
    assert (b.needed_day_one, b.learnable) == (pytest.approx(0.2), pytest.approx(0.8))
    # 3 of 5 essential: CVR (3 - 2.5)/2.5 = .2 < 1.0 (N = 5 needs all five)
    assert (b.lawshe_n, b.n_essential) == (5, 3)
    assert b.cvr == pytest.approx(0.2)
    assert (b.cvr_critical, b.cvr_met) == (1.0, False)
    assert flags(b) == (False, True)
    assert b.warnings == ("low_agreement_frequency",)  # .6 < .7


def test_c_thresholds_are_inclusive_where_the_rules_say_at_least(figures):
    c = figures.competencies[2]
    # importance 4,3,4,3,4,3: mean 3.5 exactly (>= 3.5); SS 6(.25) = 1.5, s^2 .3, rwg .85
    assert c.importance_mean == 3.5
    assert c.importance_rwg == pytest.approx(0.85)
    # 4 of 6 needed on day one = 2/3 (>= 2/3); 3 of 6 learnable = .5: not below .5 for
    # select-for, but at least .5 for develop; 5 of 6 essential: CVR 2/3 < 1
    by_rule = {check.rule: check for check in c.checks}
    assert by_rule["day_one"].met and by_rule["day_one"].value == pytest.approx(2 / 3)
    assert not by_rule["learnable_below"].met
    assert by_rule["learnable"].met and by_rule["importance"].met
    assert c.cvr == pytest.approx(2 / 3) and not c.cvr_met
    assert flags(c) == (False, True)


def test_d_few_experts_no_agreement_and_unreachable_cvr(figures):
    d = figures.competencies[3]
    assert (d.n, d.lawshe_n, d.learnable_n) == (3, 3, 2)
    # importance 1, 5, 3: mean 3, SS 8, s^2 4 > 2: rwg truncated to 0; SD 2
    assert (d.importance_mean, d.importance_sd, d.importance_rwg) == (3.0, 2.0, 0.0)
    assert d.criticality == pytest.approx((2 + 10 + 6) / 3)
    # 3 of 3 essential: CVR 1, but no count of 3 experts is significant (1/8 > .05)
    assert (d.cvr, d.cvr_critical, d.cvr_met) == (1.0, None, False)
    assert d.checks[0] == Check("cvr", "select_for", 1.0, None, False)
    # day one (3/3) and learnable (0/2) pass: only the CVR keeps it from select-for
    assert [check.met for check in d.checks[:3]] == [False, True, True]
    assert flags(d) == (False, False)
    assert d.warnings == ("few_experts", "low_agreement_importance", "cvr_unreachable")


def test_e_nobody_answered(figures):
    e = figures.competencies[4]
    assert (e.n, e.importance_n, e.lawshe_n, e.n_essential) == (0, 0, 0, 0)
    assert e.importance_mean is e.importance_sd is e.importance_rwg is None
    assert e.frequency_mean is e.criticality is e.needed_day_one is e.learnable is None
    assert (e.cvr, e.cvr_critical, e.cvr_met) == (None, None, False)
    assert all(check.value is None and not check.met for check in e.checks)
    assert flags(e) == (False, False)
    assert e.warnings == ("no_ratings",)


def test_checks_list_every_rule_with_its_threshold(figures):
    a = figures.competencies[0]
    assert [(c.rule, c.flag) for c in a.checks] == [
        ("cvr", "select_for"),
        ("day_one", "select_for"),
        ("learnable_below", "select_for"),
        ("importance", "develop"),
        ("learnable", "develop"),
    ]
    assert [c.threshold for c in a.checks] == [1.0, pytest.approx(2 / 3), 0.5, 3.5, 0.5]
    assert [c.met for c in a.checks] == [True, True, True, True, False]
    for c in figures.competencies:
        for flag, proposed in (
            ("select_for", c.proposed_select_for),
            ("develop", c.proposed_develop),
        ):
            assert proposed == all(check.met for check in c.checks if check.flag == flag)
        assert set(c.warnings) <= set(COMPETENCY_WARNINGS)


def test_study_level(figures):
    assert figures.n_experts == 6
    assert figures.rules == Rules()
    assert figures.warnings == ()
    assert len(figures.competencies) == 5


def test_changed_rules_change_proposals_and_warnings():
    # develop_learnable .1: A (1/6 learnable) is proposed for both
    both = analyse(study(), Rules(develop_learnable=0.1)).competencies[0]
    assert flags(both) == (True, True)
    # alpha .15: 3 of 3 essential has P = 1/8 = .125 < .15, so D is no longer unreachable
    # and is proposed for selection
    d = analyse(study(), Rules(alpha=0.15)).competencies[3]
    assert (d.cvr_critical, d.cvr_met, flags(d)) == (1.0, True, (True, False))
    assert "cvr_unreachable" not in d.warnings
    # more experts wanted: study and every rated competency warn
    strict = analyse(study(), Rules(min_experts=7, low_rwg=0.5))
    assert strict.warnings == ("few_experts",)
    assert [c.warnings for c in strict.competencies] == [
        ("few_experts",),
        ("few_experts",),  # frequency rwg .6 is no longer low
        ("few_experts",),
        ("few_experts", "low_agreement_importance", "cvr_unreachable"),
        ("no_ratings",),
    ]


def test_invalid_rules_are_refused_naming_the_field():
    with pytest.raises(ValueError, match="alpha") as caught:
        analyse(study(), Rules(alpha=0))
    assert isinstance(caught.value, InvalidRules)


def test_an_expert_who_answered_nothing_is_not_counted():
    rows = {
        k: [*v, [nan] * 5]
        for k, v in {
            "importance": IMPORTANCE,
            "frequency": FREQUENCY,
            "day_one": DAY_ONE,
            "learnable": LEARNABLE,
            "lawshe": LAWSHE,
        }.items()
    }
    with_silent = analyse(study(**rows))
    assert with_silent.n_experts == 6
    assert with_silent.competencies == analyse(study()).competencies
    assert with_silent.icc_importance == analyse(study()).icc_importance


def test_no_ratings_at_all():
    empty = [[nan] * 3] * 4
    f = analyse(
        study(importance=empty, frequency=empty, day_one=empty, learnable=empty, lawshe=empty)
    )
    assert f.n_experts == 0
    assert f.warnings == ("no_ratings",)
    assert all(c.warnings == ("no_ratings",) for c in f.competencies)
    assert f.icc_importance.note == f.icc_frequency.note == "too_few"
    assert (f.icc_importance.n_targets, f.icc_importance.k_raters) == (0, 0)


def assert_close(got, expected):
    """Equal, except floats within 1e-12 (sums over a column or the matrix may differ in
    the last bit)."""
    if dataclasses.is_dataclass(expected):
        for f in dataclasses.fields(expected):
            assert_close(getattr(got, f.name), getattr(expected, f.name))
    elif isinstance(expected, tuple):
        assert len(got) == len(expected)
        for g, e in zip(got, expected, strict=True):
            assert_close(g, e)
    elif isinstance(expected, float):
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    else:
        assert got == expected


def test_competencies_are_independent_columns():
    # vectorised over the matrix: each competency's figures are those of its column alone
    rng = np.random.default_rng(17)
    shape = (9, 7)

    def draw(values):
        a = rng.choice(values, size=shape).astype(float)
        a[rng.random(shape) < 0.2] = nan
        return a

    ratings = Ratings(
        importance=draw([1, 2, 3, 4, 5]),
        frequency=draw([1, 2, 3, 4, 5]),
        day_one=draw([0, 1]),
        learnable=draw([0, 1]),
        lawshe=draw([0, 1, 2]),
    )
    whole = analyse(ratings)
    for j in range(shape[1]):
        column = Ratings(
            **{f.name: getattr(ratings, f.name)[:, [j]] for f in dataclasses.fields(Ratings)}
        )
        assert_close(analyse(column).competencies[0], whole.competencies[j])


# --- ICC(2,k) ----------------------------------------------------------------------------

# Shrout, P. E., & Fleiss, J. L. (1979). Psychological Bulletin, 86, 420-428, Table 2:
# 6 targets rated by 4 judges (the data of tests/unit/psychometrics/test_agreement.py).
# Here the judges are the experts (rows) and the targets the competencies (columns).
SF_TARGETS_BY_JUDGES = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)
SF = SF_TARGETS_BY_JUDGES.T


def test_icc2k_shrout_fleiss_table_4():
    s = icc2k_summary(SF)
    # Shrout & Fleiss (1979), Table 4: ICC(2,4) = .62
    assert round(s.value, 2) == 0.62
    # R psych::ICC(sf): ICC2k 0.620, 95% CI 0.071 to 0.93
    assert s.value == pytest.approx(0.620, abs=0.0005)
    assert s.lower == pytest.approx(0.071, abs=0.0005)
    assert s.upper == pytest.approx(0.93, abs=0.005)
    assert (s.n_targets, s.k_raters, s.note) == (6, 4, "")


def test_icc2k_drops_silent_experts_then_incomplete_competencies():
    # a fifth expert who rated nothing is dropped; then a seventh competency that one
    # expert could not rate is dropped (listwise): Table 2 again
    x = np.vstack([SF, [nan] * 6])
    x = np.hstack([x, [[3], [4], [nan], [5], [nan]]])
    s = icc2k_summary(x)
    assert (s.n_targets, s.k_raters) == (6, 4)
    assert s == icc2k_summary(SF)


def test_icc2k_notes_when_it_cannot_be_computed():
    one_target = icc2k_summary(np.array([[3.0, nan], [4.0, 2.0], [5.0, nan]]))
    assert (one_target.value, one_target.note, one_target.n_targets) == (None, "too_few", 1)
    one_expert = icc2k_summary(np.array([[3.0, 4.0, 5.0], [nan, nan, nan]]))
    assert (one_expert.note, one_expert.k_raters) == ("too_few", 1)
    same = icc2k_summary(np.full((3, 4), 4.0))
    assert (same.value, same.lower, same.upper, same.note) == (None, None, None, "no_variance")


def test_icc2k_bound_is_none_where_the_step_up_is_undefined():
    # 2 targets, 5 raters: the ICC(2,1) lower bound lies below -1/(k-1) = -.25, where
    # k r / (1 + (k-1) r) is no bound at all (psych::ICC would print a number above 1)
    x = np.array([[5, 4], [5, 4], [4, 4], [5, 3], [4, 5]], dtype=float)
    r = icc(x.T)
    assert r.forms["ICC2"].ci[0] < -0.25
    s = icc2k_summary(x)
    assert s.value == pytest.approx(r.forms["ICC2k"].value)
    assert s.lower is None
    assert s.upper == pytest.approx(r.forms["ICC2k"].ci[1])


def test_analyse_uses_icc2k_on_the_competencies_every_expert_rated(figures):
    # importance: A and C are rated by all six experts (B, D, E are not)
    expected = icc(np.array(IMPORTANCE, dtype=float)[:, [0, 2]].T).forms["ICC2k"]
    s = figures.icc_importance
    assert (s.n_targets, s.k_raters) == (2, 6)
    assert s.value == pytest.approx(expected.value)
    assert s == icc2k_summary(np.array(IMPORTANCE, dtype=float))
    assert figures.icc_frequency == icc2k_summary(np.array(FREQUENCY, dtype=float))
    # frequency: every expert gave A 4 and C 2, perfect absolute agreement: ICC(2,k) = 1
    # (MSE = MSC = 0, so (MSR - MSE)/(MSR + (MSC - MSE)/n) = 1); F is infinite, so the
    # interval is not defined
    s = figures.icc_frequency
    assert (s.value, s.lower, s.upper, s.note) == (1.0, None, None, "")


# --- rwg ---------------------------------------------------------------------------------


def test_rwg_uses_the_uniform_null_of_five_options():
    # rwg = 1 - s^2 / sigma^2_EU with sigma^2_EU = (A^2 - 1)/12 = (25 - 1)/12 = 2 for A = 5
    # options (James, Demaree & Wolf 1984, J Appl Psychol 69, 85-98; the R package
    # multilevel's rwg documents ranvar = 2 as "the variance from a rectangular
    # distribution in the case where there are 5 response options"). No published worked
    # example with raw ratings was available here, so the ratings below are worked by hand.
    # Importance 3, 4, 5, 4: mean 4, SS 2, s^2 = 2/3 -> rwg 1 - (2/3)/2 = 2/3.
    # Frequency 1, 5, 1, 5: s^2 = 16/3 > 2 -> truncated to 0 (James et al. 1984).
    col = [[3], [4], [5], [4]]
    ratings = Ratings(
        importance=np.array(col, dtype=float),
        frequency=np.array([[1], [5], [1], [5]], dtype=float),
        day_one=np.ones((4, 1)),
        learnable=np.zeros((4, 1)),
        lawshe=np.full((4, 1), 2.0),
    )
    c = analyse(ratings).competencies[0]
    assert c.importance_rwg == pytest.approx(2 / 3)
    assert c.frequency_rwg == 0.0
    assert c.warnings == (
        "few_experts",
        "low_agreement_importance",
        "low_agreement_frequency",
        "cvr_unreachable",
    )
    # one rating: no variance, so no rwg and no SD
    one = analyse(dataclasses.replace(ratings, importance=np.array([[4], [nan], [nan], [nan]])))
    first = one.competencies[0]
    assert (first.importance_n, first.importance_mean) == (1, 4.0)
    assert first.importance_sd is first.importance_rwg is None
    assert "low_agreement_importance" not in first.warnings


def test_icc2k_refuses_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        icc2k_summary(np.arange(4.0))
    with pytest.raises(ValueError, match="finite"):
        icc2k_summary(np.array([[1.0, np.inf], [2.0, 3.0]]))


# --- validation of the ratings -------------------------------------------------------------


@pytest.mark.parametrize(
    "name, bad, message",
    [
        (
            "importance",
            6,
            r"importance must hold 1, 2, 3, 4, 5 or NaN; got 6.0 for expert 2, "
            r"competency 1",
        ),
        ("importance", 2.5, "importance must hold"),
        ("frequency", 0, "frequency must hold"),
        ("day_one", 0.5, "day_one must hold 0, 1 or NaN"),
        ("learnable", 2, "learnable must hold 0, 1 or NaN"),
        ("lawshe", 3, "lawshe must hold 0, 1, 2 or NaN"),
        ("lawshe", np.inf, "lawshe must hold"),
    ],
)
def test_out_of_range_values_name_the_array(name, bad, message):
    arrays = {f.name: np.array(getattr(study(), f.name)) for f in dataclasses.fields(Ratings)}
    arrays[name][2, 1] = bad
    with pytest.raises(ValueError, match=message):
        analyse(Ratings(**arrays))


def test_shapes_must_agree_naming_the_array():
    with pytest.raises(ValueError, match=r"lawshe has shape \(6, 4\), but importance has \(6, 5\)"):
        analyse(study(lawshe=[row[:4] for row in LAWSHE]))
    with pytest.raises(ValueError, match="day_one must be a 2-D"):
        analyse(study(day_one=[1.0, 0.0]))
    words = dataclasses.replace(study(), frequency=np.array([["often"] * 5] * 6, dtype=object))
    with pytest.raises(ValueError, match="frequency must be a numeric"):
        analyse(words)


def test_results_are_frozen(figures):
    with pytest.raises(dataclasses.FrozenInstanceError):
        figures.n_experts = 3  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        figures.competencies[0].cvr = 0.0  # type: ignore[misc]
