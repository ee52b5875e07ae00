"""Report charts: escaped labels, a title and description, a text equivalent, sane axes."""

from __future__ import annotations

import re

import pytest

from reports.charts import bar_chart, histogram


def ticks(svg: str) -> list[str]:
    return re.findall(r'fill="#5b6472">([0-9.-]+)</text>', svg)


def test_bar_chart_escapes_labels_and_has_a_text_equivalent() -> None:
    c = bar_chart(
        ["<script>x</script>", "Empathy"],
        [("Self", [4.0, None]), ("Others", [3.25, 2.5])],
        scale=(1, 5),
        markers=[3, 4],
        marker_label="Required",
        title="Ratings",
        description="Self and others",
    )
    svg = str(c.svg)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert '<title id="chart-t">Ratings</title>' in svg and 'role="img"' in svg
    assert c.header == ("", "Self", "Others", "Required")
    assert c.rows[1] == ("Empathy", "–", "2.50", "4.00")
    assert ticks(svg) == ["1", "2", "3", "4", "5"]


@pytest.mark.parametrize(
    ("scale", "expected"),
    [
        ((0, 1), ["0", "0.2", "0.4", "0.6", "0.8", "1"]),
        ((0, 100), ["0", "25", "50", "75", "100"]),
        ((-1, 1), ["-1", "-0.5", "0", "0.5", "1"]),
    ],
)
def test_axis_ticks_suit_the_scale(scale: tuple[float, float], expected: list[str]) -> None:
    c = bar_chart(["a"], [("x", [0.5])], scale=scale, title="t", description="d")
    assert ticks(str(c.svg)) == expected


def test_histogram_counts_and_ignores_missing() -> None:
    h = histogram(
        [5, 15, 15, float("nan"), 95], edges=range(0, 101, 10), title="t", description="d"
    )
    assert [r[1] for r in h.rows] == ["1", "2", "0", "0", "0", "0", "0", "0", "0", "1"]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="scale"):
        bar_chart(["a"], [("x", [1])], scale=(5, 1), title="t", description="d")
    with pytest.raises(ValueError, match="edges"):
        histogram([1], edges=[3, 2], title="t", description="d")
