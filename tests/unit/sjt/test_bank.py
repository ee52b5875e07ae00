"""Bank statistics pooled over forms, and which items the form builder avoids."""

from __future__ import annotations

import pytest

from assessments.psychometrics.reliability import FLAG_ALPHA_RISES, FLAG_NEGATIVE, FLAG_WEAK
from assessments.sjt.bank import FormItemStats, keys_to_avoid, pooled_item_stats


def test_pooling_weights_each_form_by_its_candidates() -> None:
    stats = pooled_item_stats(
        [
            FormItemStats(1, 40, 0.5, 0.2, 0.30),
            FormItemStats(1, 10, 1.0, 0.1, None),
            FormItemStats(2, 0, None, None, None),
        ]
    )
    one = stats[1]
    assert (one.n, one.forms) == (50, 2)
    assert one.mean == pytest.approx((40 * 0.5 + 10 * 1.0) / 50)
    assert one.sd == pytest.approx((40 * 0.2 + 10 * 0.1) / 50)
    assert one.r_drop == pytest.approx(0.30)  # the form without an r_drop is left out
    assert stats[2].mean is None and stats[2].n == 0


def test_only_flags_from_forms_large_enough_count_and_weak_alone_is_kept() -> None:
    stats = pooled_item_stats(
        [
            FormItemStats(1, 29, 0.5, 0.2, -0.1, (FLAG_NEGATIVE,)),  # too few to act on
            FormItemStats(2, 30, 0.5, 0.2, -0.1, (FLAG_NEGATIVE,)),
            FormItemStats(3, 80, 0.5, 0.2, 0.1, (FLAG_WEAK,)),
            FormItemStats(4, 80, 0.5, 0.2, 0.25, (FLAG_ALPHA_RISES,)),
        ]
    )
    assert stats[1].flags == () and not stats[1].avoid
    assert stats[2].avoid and stats[4].avoid
    assert stats[3].flags == (FLAG_WEAK,) and not stats[3].avoid
    assert keys_to_avoid(stats, {1: "a", 2: "b", 3: "c", 4: "d"}) == {"b", "d"}


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError, match="n: must not be negative"):
        pooled_item_stats([FormItemStats(1, -1, None, None, None)])
