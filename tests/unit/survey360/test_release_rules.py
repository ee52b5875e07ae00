"""Anonymity across figures and releases (rules 6 and 7 of the aggregation module).

Each test is an attack a curious reader of the reports could make: combine the figures of
one report, or subtract one release from the next, to recover one rater's ratings.
"""

from __future__ import annotations

import dataclasses
import itertools

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
    groups = np.array(["self", *rng.choice(["manager", "peer", "direct_report"], n - 1)])
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
    # the late peer alone would be a figure of one rater: held back from every figure,
    # release 2 shows exactly what release 1 showed
    assert _cells(two) == _cells(one) and _cells(one)
    assert two.competencies == one.competencies
    # without rule 7, the difference gives the late peer's rating exactly
    plain = aggregate(ratings, groups, **KW)
    s1, s0 = plain.statements[0].groups["peer"], one.statements[0].groups["peer"]
    assert s1.n * s1.mean - s0.n * s0.mean == pytest.approx(1.0)


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
    # Showing seven direct reports in release 2 would give the first two by subtraction:
    # the direct-report figures of release 2 hold the five late ones only.
    ratings = np.array([[4, 4, 4]] * 3 + [[1, 1, 1], [2, 2, 2]] + [[5, 5, 5]] * 5, dtype=float)
    groups = ["peer"] * 3 + ["direct_report"] * 2 + ["direct_report"] * 5
    one, two = _two_releases(ratings, groups, [1] * 5 + [2] * 5, **KW)
    assert "direct_report" in one.suppressed_groups
    for s in two.statements:
        assert (s.groups["direct_report"].n, s.groups["direct_report"].mean) == (5, 5.0)
    # others is shown in both: release 2 adds five raters, a set the rules allow
    assert one.statements[0].groups["others"].n == 5
    assert two.statements[0].groups["others"].n == 10


@pytest.mark.parametrize("seed", range(40))
def test_every_figure_is_made_of_safe_release_figures(seed):
    """Property: every shown figure of the merged report is the pooled figure of some
    releases' own shown figures (n and sum add up), so subtracting releases isolates
    nothing a release's own report would not show."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 14))
    groups = rng.choice(["manager", "peer", "direct_report", "customer"], size=n)
    ratings = rng.integers(1, 6, size=(n, 3)).astype(float)
    ratings[rng.random((n, 3)) < 0.25] = nan
    batches = rng.integers(1, 4, size=n)
    merged = _cells(aggregate(ratings, groups, batches=batches, **KW))
    alone = {
        int(b): _cells(aggregate(ratings[batches == b], list(groups[batches == b]), **KW))
        for b in np.unique(batches)
    }
    for cell, (count, mean) in merged.items():
        if cell[0] != "statement":
            continue
        parts = [alone[b][cell] for b in alone if cell in alone[b]]
        assert any(
            sum(p[0] for p in subset) == count
            and sum(p[0] * p[1] for p in subset) == pytest.approx(count * mean)
            for size in range(1, len(parts) + 1)
            for subset in itertools.combinations(parts, size)
        ), (cell, count, mean, parts)


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
