"""Expert, direct and derived keys (assessments/sjt/keys.py), against hand computations."""

from __future__ import annotations

import numpy as np
import pytest

from assessments.psychometrics.agreement import rwg_j_groups
from assessments.sjt.keys import (
    ExpertKey,
    direct_key,
    expert_agreement,
    expert_key,
    key_ranks,
    option_keys,
)

nan = np.nan

# 4 experts rate the 4 options of one item on 1-7.
PANEL = np.array(
    [
        [[6, 3, 2, 5]],
        [[7, 4, 1, 5]],
        [[6, 3, 2, 4]],
        [[5, 2, 1, 6]],
    ],
    dtype=float,
)
ONE_ITEM = np.ones((1, 4), dtype=bool)


def test_expert_key_means_sds_and_best_worst():
    key = expert_key(PANEL, ONE_ITEM)
    assert isinstance(key, ExpertKey)
    # (6+7+6+5)/4 = 6, (3+4+3+2)/4 = 3, (2+1+2+1)/4 = 1.5, (5+5+4+6)/4 = 5
    np.testing.assert_allclose(key.effectiveness, [[6.0, 3.0, 1.5, 5.0]])
    # squared deviations 0+1+0+1 = 2 -> 2/3; 0.25*4 = 1 -> 1/3; 0+0+1+1 = 2 -> 2/3
    np.testing.assert_allclose(key.sd**2, [[2 / 3, 2 / 3, 1 / 3, 2 / 3]])
    np.testing.assert_array_equal(key.n_experts, [[4, 4, 4, 4]])
    assert key.best.tolist() == [0] and key.worst.tolist() == [2]


def test_rwg_j_hand_computation():
    # s̄² = (2/3 + 2/3 + 1/3 + 2/3) / 4 = 7/12; σ²_EU = (7² - 1)/12 = 4 for a 7-point scale
    # ratio = (7/12)/4 = 7/48; rwg(J) = 4(41/48) / (4(41/48) + 7/48) = 164/171 = 0.959064
    key = expert_key(PANEL, ONE_ITEM)
    assert key.rwg[0] == pytest.approx(164 / 171)
    assert expert_agreement(PANEL, ONE_ITEM)[0] == pytest.approx(164 / 171)
    assert not key.flagged[0] and key.reasons == ((),)
    assert "rwg(J) < 0.7" in key.rule


def test_rwg_j_five_point_null_variance():
    # σ²_EU = (A² - 1)/12 = 2.0 for A = 5 (James, Demaree & Wolf 1984; the R package
    # multilevel's rwg.j uses ranvar = 2 "for 5 response options").
    # Two judges, two options: [1, 3] and [2, 2]: variances 2 and 0 -> s̄² = 1,
    # ratio = 1/2, rwg(J) = 2(1/2) / (2(1/2) + 1/2) = 2/3.
    ratings = np.array([[[1, 2]], [[3, 2]]], dtype=float)
    assert expert_agreement(ratings, np.ones((1, 2), bool), scale=(1, 5))[0] == pytest.approx(2 / 3)
    # On a 7-point scale σ²_EU = 4: ratio = 1/4, rwg(J) = 2(3/4) / (2(3/4) + 1/4) = 6/7.
    assert expert_agreement(ratings, np.ones((1, 2), bool), scale=(1, 7))[0] == pytest.approx(6 / 7)


def test_rwg_j_matches_the_formula_on_random_panels():
    # rwg(J) = J(1 - s̄²/σ²) / (J(1 - s̄²/σ²) + s̄²/σ²), as in multilevel::rwg.j, per item.
    rng = np.random.default_rng(7)
    ratings = rng.integers(3, 8, size=(6, 5, 4)).astype(float)
    got = expert_agreement(ratings, np.ones((5, 4), bool))
    for i in range(5):
        ratio = ratings[:, i, :].var(axis=0, ddof=1).mean() / 4.0
        expected = 0.0 if ratio > 1 else 4 * (1 - ratio) / (4 * (1 - ratio) + ratio)
        assert got[i] == pytest.approx(expected)


def test_rwg_truncated_to_zero_when_variance_exceeds_uniform():
    # Experts split 1 vs 7 on every option: variance 12 > σ²_EU = 4 -> rwg(J) = 0.
    ratings = np.array([[[1, 7, 1, 7]], [[7, 1, 7, 1]], [[1, 7, 1, 7]], [[7, 1, 7, 1]]], float)
    key = expert_key(ratings, ONE_ITEM)
    assert key.rwg[0] == 0.0
    assert key.flagged[0]
    assert any(r.startswith("rwg(J) 0.00 < 0.7") for r in key.reasons[0])


def test_flags_best_not_separated_from_runner_up():
    # means 6.0, 5.75, 2.0, 1.0: best gap 0.25 <= 0.5 -> flagged; worst gap 1.0 -> fine
    ratings = np.array(
        [[[6, 6, 2, 1]], [[6, 6, 2, 1]], [[6, 5, 2, 1]], [[6, 6, 2, 1]]], dtype=float
    )
    key = expert_key(ratings, ONE_ITEM)
    assert key.flagged[0]
    assert key.reasons[0] == ("best option within 0.5 of the runner-up",)
    # a gap of exactly the margin still flags (gap <= margin)
    assert expert_key(ratings, ONE_ITEM, margin=0.25).flagged[0]
    assert not expert_key(ratings, ONE_ITEM, margin=0.2).flagged[0]


def test_flags_worst_not_separated_and_few_experts():
    ratings = np.array([[[6, 4, 2, 2]], [[6, 4, 1, 2]]], dtype=float)
    key = expert_key(ratings, ONE_ITEM)
    # worst 1.5 vs 2.0: gap 0.5 <= 0.5; only 2 experts < 3
    assert key.reasons[0] == (
        "worst option within 0.5 of the second worst",
        "an option rated by 2 < 3 experts",
    )


def test_missing_expert_ratings_are_pairwise():
    ratings = PANEL.copy()
    ratings[3, 0, 0] = nan  # expert 4 skipped option 0
    key = expert_key(ratings, ONE_ITEM)
    # option 0: (6+7+6)/3 = 6.333..., sd of [6,7,6] = sqrt(1/3)
    assert key.effectiveness[0, 0] == pytest.approx(19 / 3)
    assert key.sd[0, 0] == pytest.approx(np.sqrt(1 / 3))
    assert key.n_experts[0].tolist() == [3, 4, 4, 4]


def test_padding_is_ignored():
    valid = np.array([[True, True, True, True, False]])
    ratings = np.concatenate([PANEL, np.full((4, 1, 1), 99.0)], axis=2)
    key = expert_key(ratings, valid)
    np.testing.assert_allclose(key.effectiveness[0, :4], [6.0, 3.0, 1.5, 5.0])
    assert np.isnan(key.effectiveness[0, 4]) and key.n_experts[0, 4] == 0
    assert key.rwg[0] == pytest.approx(164 / 171)


def test_single_expert_is_flagged_with_undefined_rwg():
    key = expert_key(PANEL[:1], ONE_ITEM)
    assert np.isnan(key.rwg[0]) and np.isnan(key.sd).all()
    assert key.flagged[0]
    assert key.reasons[0][0] == "rwg(J) undefined (no option rated by two experts)"


@pytest.mark.parametrize(
    ("ratings", "valid", "kwargs", "match"),
    [
        (PANEL * 2, ONE_ITEM, {}, "ratings must lie within the scale 1..7"),
        (PANEL[0], ONE_ITEM, {}, "ratings must be experts x items x options"),
        (PANEL, np.ones((1, 5), bool), {}, "ratings must be experts x items x options"),
        (PANEL, np.array([[True, False, False, False]]), {}, "valid: every item needs"),
        (PANEL, ONE_ITEM, {"scale": (7, 1)}, "scale must be"),
        (PANEL, ONE_ITEM, {"rwg_min": 1.5}, "rwg_min"),
        (PANEL, ONE_ITEM, {"margin": -1}, "margin"),
    ],
)
def test_expert_key_rejects_bad_input(ratings, valid, kwargs, match):
    with pytest.raises(ValueError, match=match):
        expert_key(ratings, valid, **kwargs)


def test_direct_key():
    valid = np.array([[True, True, True, True], [True, True, True, False]])
    eff = np.array([[6.0, 3.0, 6.0, 1.0], [2.0, 5.0, 4.0, nan]])
    key = direct_key(eff, valid)
    assert np.isnan(key.rwg).all() and np.isnan(key.sd).all()
    assert key.n_experts.sum() == 0
    assert key.best.tolist() == [0, 1] and key.worst.tolist() == [3, 0]
    # item 0 ties two best options (6 and 6): flagged; item 1 is fine
    assert key.flagged.tolist() == [True, False]
    assert key.reasons == (("best option within 0 of the runner-up",), ())
    with pytest.raises(ValueError, match="effectiveness must be finite"):
        direct_key(np.array([[6.0, nan, 2.0, 1.0]]), np.ones((1, 4), bool))


def test_key_ranks_average_ties_and_padding():
    valid = np.array([[True, True, True, True], [True, True, True, False]])
    eff = np.array([[6.0, 6.0, 2.0, 4.0], [1.0, 7.0, 3.0, 0.0]])
    ranks = key_ranks(eff, valid)
    # item 0: 6 and 6 share ranks 1 and 2 -> 1.5 each; 4 -> 3; 2 -> 4
    np.testing.assert_array_equal(ranks[0], [1.5, 1.5, 4.0, 3.0])
    np.testing.assert_array_equal(ranks[1, :3], [3.0, 1.0, 2.0])
    assert np.isnan(ranks[1, 3])


def test_option_keys():
    valid = np.array([[True, True, True, True, True], [True, True, True, True, False]])
    eff = np.array([[6.0, 5.0, 4.0, 3.0, 1.0], [4.9, 3.1, 7.0, 2.0, 9.0]])
    ok = option_keys(eff, valid)
    # >= 5 -> +1, <= 3 -> -1, else 0; padding 0
    np.testing.assert_array_equal(ok, [[1, 1, 0, -1, -1], [0, 0, 1, -1, 0]])
    np.testing.assert_array_equal(
        option_keys(eff, valid, effective=6, ineffective=1)[0], [1, 0, 0, 0, -1]
    )
    with pytest.raises(ValueError, match="ineffective"):
        option_keys(eff, valid, effective=3, ineffective=5)


def test_rwg_j_is_the_psychometrics_rwg_j_over_options():
    # keys.rwg_j: judges x items x options on a 1-7 scale = rwg_j_groups with A = 7, the
    # SJT items as groups and their valid options as items (padding ignored)
    rng = np.random.default_rng(2)
    ratings = rng.integers(1, 8, size=(5, 3, 5)).astype(float)
    ratings[rng.random(ratings.shape) < 0.2] = nan
    valid = np.array([[1, 1, 1, 1, 1], [1, 1, 1, 1, 0], [1, 1, 1, 0, 0]], dtype=bool)
    ratings[:, ~valid] = 99.0  # padding: ignored whatever it holds
    got = expert_agreement(ratings, valid)
    np.testing.assert_array_equal(got, rwg_j_groups(ratings, options=7, valid=valid))
    np.testing.assert_array_equal(expert_key(np.clip(ratings, 1, 7), valid).rwg, got)
    with pytest.raises(ValueError, match="two points"):
        expert_agreement(ratings, valid, scale=(1, 1.5))
