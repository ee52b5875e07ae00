"""A printed row's figures as one line of text, each ending where its own cell would end it.

WeasyPrint pays for a table cell about as much as for a paragraph: a box, its style, a
line, a text, collapsed borders (see :mod:`reports.lines`). In the 360 report most cells
hold one figure, right-aligned in a column of a width set beforehand (``table-layout:
fixed``, the widths from :func:`reports.environment._fixed_columns`), so a row's figures
can print as one cell spanning their columns: one line of text, right-aligned like the
cells were, in which spaces of known widths put each figure's end where the end of its
cell's content was. The last figure ends at the spanning cell's content edge, as it did in
its own cell; each one before it ends the width of the columns after it further left.

The widths are DejaVu Sans's (the report font; installed with ``fonts-dejavu-core``),
exact, in font units: the characters a formatted figure holds, and ten spaces between a
hair space (0.1 em) and an em space, from which a gap is put together to within a
thousandth of an em (the spaces, figures and points of DejaVu Sans are not kerned). A
character outside the table counts its upper bound (:func:`reports.textwidth.width_em`).
The line must not wrap (``white-space: nowrap``): most of these spaces allow a break.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from functools import cache
from itertools import combinations_with_replacement

from reports.textwidth import width_em

__all__ = ["FIGURE_UNITS", "SPACE_UNITS", "UNITS_PER_EM", "figure_row"]

UNITS_PER_EM = 2048
"""Font units in an em of DejaVu Sans."""
FIGURE_UNITS = {
    **dict.fromkeys("0123456789", 1303),
    ".": 651,
    ",": 651,
    "+": 1716,
    "-": 739,
    "\u2212": 1716,  # minus sign
    "\u2013": 1024,  # en dash: a missing value
}
"""Advance widths (font units) of what a formatted figure holds, DejaVu Sans regular."""
SPACE_UNITS = {
    "\u2003": 2048,  # em space
    "\u2007": 1303,  # figure space
    "\u2002": 1024,  # en space
    "\u2004": 675,  # three-per-em space
    "\u2008": 651,  # punctuation space
    "\u2005": 512,  # four-per-em space
    "\u205f": 455,  # medium mathematical space
    "\u2009": 409,  # thin space
    "\u2006": 342,  # six-per-em space
    "\u200a": 204,  # hair space
}
"""Advance widths (font units) of the spaces a gap is made of, DejaVu Sans regular; none
collapses as ordinary spaces do."""
_MOST = 5  # spaces put together for the part of a gap under two em


def _units(text: str) -> float:
    return sum(FIGURE_UNITS[c] if c in FIGURE_UNITS else width_em(c) * UNITS_PER_EM for c in text)


@cache
def _sums() -> tuple[list[int], dict[int, str]]:
    """Every width up to :data:`_MOST` spaces add up to (sorted), and the fewest spaces
    that give it."""
    fewest: dict[int, str] = {}
    for n in range(_MOST + 1):
        for chars in combinations_with_replacement(SPACE_UNITS, n):
            total = sum(SPACE_UNITS[c] for c in chars)
            if total not in fewest or n < len(fewest[total]):
                fewest[total] = "".join(chars)
    return sorted(fewest), fewest


def _spaces(units: float) -> str:
    """Spaces as close as they come to ``units`` wide: em spaces, then at most
    :data:`_MOST` spaces for the last two em or less; a gap of an em or more within 5
    units (0.0025 em), a narrower one within half a hair space (0.05 em)."""
    if units <= 0:
        return ""
    ems = max(0, int(units // UNITS_PER_EM) - 1)
    rest = units - ems * UNITS_PER_EM
    widths, fewest = _sums()
    i = bisect_left(widths, rest)
    near = [widths[j] for j in (i - 1, i) if 0 <= j < len(widths)]
    best = min(near, key=lambda w: (abs(w - rest), len(fewest[w])))
    return "\u2003" * ems + fewest[best]


def figure_row(values: Sequence[str], widths_em: Sequence[float]) -> str:
    """``values`` (formatted figures) as one line of text for a right-aligned cell that
    spans columns ``widths_em`` wide (in em of the line's font), each value ending where
    it ended right-aligned in a cell of its own, with the same padding.

    Raises ``ValueError`` unless there is one width per value.
    """
    if len(values) != len(widths_em):
        raise ValueError(f"{len(values)} values for {len(widths_em)} columns")
    if not values:
        return ""
    text = values[0]
    end = _units(values[0])  # where the last value so far ends, as printed
    goal = end  # where it should end
    for value, width in zip(values[1:], widths_em[1:], strict=True):
        goal += width * UNITS_PER_EM
        size = _units(value)
        gap = _spaces(goal - size - end)
        text += gap + value
        end += sum(SPACE_UNITS[c] for c in gap) + size
    return text
