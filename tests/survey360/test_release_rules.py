"""Anonymity across figures and releases (rules 6 and 7 of the aggregation module).

Each test is an attack a curious reader of the reports could make: combine the figures of
one report, or subtract one release from the next, to recover one rater's ratings.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from assessments.survey360.aggregation import Report360, aggregate

nan = np.nan


def _cells(report: Report360) -> dict[tuple[str, int, str], tuple[int, float]]:
    """(level, unit, group) -> (n, mean) of every figure the report shows."""
    out = {}
    for s in report.statements:
        for g, v in s.groups.items():
            if v.mean is not None:
                out[("statement", s.id, g)] = (v.n, v.mean)
    for c in report.competencies:
        for g, v in c.groups.items():
            if v.mean is not None:
                out[("competency", hash(c.key), g)] = (v.n, v.mean)
    return out


def _rounded(value):
    """Figures to 9 decimals (sums taken in another order differ in the last bits)."""
    if dataclasses.is_dataclass(value):
        return _rounded(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return round(value, 9) if isinstance(value, float) else value


# --- rule 6: one report alone ------------------------------------------------------------

# The example: four peers, the first answers "cannot say" once (statement 1).
FOUR_PEERS = np.array(
    [
        [nan, 4, 5, 4],
        [4, 3, 4, 5],
        [5, 4, 4, 4],
        [3, 5, 4, 4],
    ]
)


def test_cannot_say_does_not_give_away_a_competency_score():
    r = aggregate(FOUR_PEERS, ["peer"] * 4, ["c"] * 4, [False] * 4)
    means = [s.groups["peer"].mean for s in r.statements]
    comp = r.competencies[0].groups["peer"]
    # the first peer's score is (4 + 5 + 4)/3 = 4.333; under a mean of rater scores the
    # attack k * (4 * competency mean - (3 m1 + 4 (m2 + m3 + m4))/k) recovered it exactly
    k = 4
    known = (3 * means[0] + 4 * sum(means[1:])) / k
    assert k * (4 * comp.mean - known) != pytest.approx(13 / 3)
    # rule 6: the competency mean is the mean of the statement means, nothing more
    assert comp.mean == pytest.approx(np.mean(means))
    assert comp.n == 4


@pytest.mark.parametrize("seed", range(20))
def test_competency_figures_tell_nothing_beyond_statement_figures(seed):
    """Permuting a statement's ratings among the group's raters who rated it keeps every
    statement figure (and who answered "cannot say" where), and changes the raters'
    competency scores: the report must not change."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(4, 12))
    groups = np.array(["self"] + list(rng.choice(["manager", "peer", "direct_report"], n - 1)))
    ratings = rng.integers(1, 6, size=(n, 6)).astype(float)
    ratings[rng.random((n, 6)) < 0.2] = nan
    comp = ["a", "a", "a", "b", "b", "b"]
    shuffled = ratings.copy()
    for g in set(groups):
        for s in range(6):
            rows = np.flatnonzero((groups == g) & ~np.isnan(ratings[:, s]))
            shuffled[rows, s] = ratings[rng.permutation(rows), s]
    a = aggregate(ratings, groups, comp, [False] * 6)
    b = aggregate(shuffled, groups, comp, [False] * 6)
    # "others" pools groups: permuting within each group keeps its figures too
    assert _rounded(a.statements) == _rounded(b.statements)  # the premise
    assert _rounded(a.competencies) == _rounded(b.competencies)


# --- rule 7: releases ------------------------------------------------------------------


def _two_releases(ratings, groups, batches, **kw):
    first = np.asarray(batches) == 1
    one = aggregate(ratings[first], list(np.asarray(groups)[first]), **kw)
    two = aggregate(ratings, groups, batches=batches, **kw)
    return one, two


KW = {"statement_competency": ["c", "c", "d"], "reverse": [False] * 3}


def test_one_late_peer_cannot_be_subtracted_out():
    # release 1: manager and four peers; one peer answers late
    ratings = np.array(
        [[4, 4, 3], [3, 4, 5], [5, 5, 4], [4, 3, 4], [2, 3, 3], [1, 5, 2]], dtype=float
    )
    groups = ["manager", "peer", "peer", "peer", "peer", "peer"]
    one, two = _two_releases(ratings, groups, [1, 1, 1, 1, 1, 2], **KW)
    before, after = _cells(one), _cells(two)
    assert after, "the second release shows the first release's figures"
    for cell, (n, _) in after.items():
        # a figure shown in both releases has the same raters: nothing to subtract
        if cell in before:
            assert before[cell][0] == n
        assert cell[2] == "manager" or n == before[cell][0]
    # without rule 7, the difference gives the late peer's rating exactly
    plain = aggregate(ratings, groups, **KW)
    s1 = plain.statements[0].groups["peer"]
    late = s1.n * s1.mean - one.statements[0].groups["peer"].n * one.statements[0].groups[
        "peer"
    ].mean
    assert late == pytest.approx(1.0)


def test_three_late_peers_are_added():
    ratings = np.array(
        [[4, 4, 3], [3, 4, 5], [5, 5, 4], [4, 3, 4], [2, 3, 3], [1, 5, 2], [3, 3, 3]],
        dtype=float,
    )
    groups = ["manager", "peer", "peer", "peer", "peer", "peer", "peer"]
    _, two = _two_releases(ratings, groups, [1, 1, 1, 1, 2, 2, 2], **KW)
    assert two.statements[0].groups["peer"].n == 6
    assert two.statements[0].groups["peer"].mean == pytest.approx(18 / 6)


def test_a_group_withheld_once_stays_withheld_for_its_raters():
    # release 1: two direct reports (withheld, pooled in others); five more arrive late.
    # Showing seven direct reports in release 2 would give the first two by subtraction.
    ratings = np.array(
        [[4, 4, 4]] * 3 + [[1, 1, 1], [2, 2, 2]] + [[5, 5, 5]] * 5, dtype=float
    )
    groups = ["peer"] * 3 + ["direct_report"] * 2 + ["direct_report"] * 5
    one, two = _two_releases(ratings, groups, [1] * 5 + [2] * 5, **KW)
    assert "direct_report" in one.suppressed_groups
    assert all(s.groups["direct_report"].mean is None for s in two.statements)
    # others is shown in both: release 2 adds five raters, a set the rules allow
    assert one.statements[0].groups["others"].n == 5
    assert two.statements[0].groups["others"].n == 10


@pytest.mark.parametrize("seed", range(40))
def test_every_figure_is_made_of_safe_release_figures(seed):
    """Property: for every shown figure of the merged report and every release, that
    release's raters in it are none, or exactly the raters of a figure shown in that
    release's own report (so differences between releases isolate nothing smaller)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 14))
    groups = rng.choice(["manager", "peer", "direct_report", "customer"], size=n)
    ratings = rng.integers(1, 6, size=(n, 3)).astype(float)
    ratings[rng.random((n, 3)) < 0.25] = nan
    batches = rng.integers(1, 4, size=n)
    merged = aggregate(ratings, groups, batches=batches, **KW)
    for b in np.unique(batches):
        sel = batches == b
        alone = _cells(aggregate(ratings[sel], list(groups[sel]), **KW))
        for s in merged.statements:
            for g, v in s.groups.items():
                if v.mean is None:
                    continue
                pool = (groups != "self") if g == "others" else (groups == g)
                contributing = int(np.sum(pool & sel & ~np.isnan(ratings[:, s.id - 1])))
                if contributing:
                    assert alone[("statement", s.id, g)][0] == contributing


def test_late_comments_wait_for_enough_late_raters():
    ratings = np.array([[4, 4, 3]] * 4, dtype=float)
    groups = ["peer"] * 4
    comments = [("strengths", f"early {i}", "peer", 1) for i in range(3)]
    comments.append(("strengths", "late and alone", "peer", 2))
    r = aggregate(ratings, groups, comments=comments, batches=[1, 1, 1, 2], **KW)
    texts = next(c.texts for c in r.comments if c.key == "strengths")
    assert sorted(texts) == ["early 0", "early 1", "early 2"]
    r = aggregate(ratings[:3], groups[:3], comments=comments[:3], **KW)
    assert len(next(c.texts for c in r.comments if c.key == "strengths")) == 3


@pytest.mark.parametrize(
    ("batches", "message"),
    [([1, 1], "one release per rater"), ([0, 1, 1], "release numbers >= 1")],
)
def test_batches_are_checked(batches, message):
    with pytest.raises(ValueError, match=message):
        aggregate(np.ones((3, 3)), ["peer"] * 3, batches=batches, **KW)
