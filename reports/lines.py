"""Long tables for print, laid out as lines of text so WeasyPrint pays per group, not per cell.

WeasyPrint's cost grows with the boxes it lays out and draws: every table cell is a block
with a line and a text box, about half a millisecond each, so a ranking of 1,000
candidates in 11 columns took 15 s of CPU. Here a row of the table is one line of text
and up to :data:`GROUP` rows share one table cell (``white-space: pre``): the same
ranking is 1,000 lines in 200 cells.

How a row lines up with the column heads, which stay ordinary ``<th>`` cells over
columns of fixed widths (in pt, from the digit width of DejaVu Sans, the report font):

* the key (a rank) is padded on the left with figure spaces (U+2007, as wide as a digit
  by definition), so the name after it always starts at the same place;
* the name is followed by a tab, and ``tab-size`` puts the first tab stop where the
  numbers begin. A name too wide for its room is wrapped beforehand onto more lines
  (:func:`reports.textwidth.wrap`, from an upper bound of its printed width), the
  numbers on its first line only;
* each number is padded on the left to the width of its column: figure spaces for
  digits, a punctuation space (U+2008, as wide as a full stop) where a value has no
  decimal point and others in its column have one. A missing value or a minus sign is a
  figure dash (U+2012, as wide as a digit);
* the last column (a word) needs no padding: nothing follows it.

WeasyPrint (70) lays a tab out where ``tab-size`` says but draws it 2.4 % wider (it
reads Pango units, 1,024 a pixel, as thousandths), so the figures after it would print
up to 6 pt right of their column, by how short the name is. The name is therefore
padded with spaces, from the same upper bound of its width, to within about a digit of
the tab stop: the tab that is left is short, and so is the error (under 0.3 pt).

Rows are grouped in fives (a rule under each group), and a new group starts wherever the
rows' ``classes`` change, so that a group is highlighted as a whole (band 1) and a rule
falls where the rows change (at the cut). What would cost per row is left out: a bold
figure (a box of its own; 40 % more time) or a cell coloured in part (a gradient in
each cell; a quarter more drawing time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from reports.textwidth import CH_EM, MARGIN, POINT_EM, SPACE_EM, printable, width_em, wrap

__all__ = ["GROUP", "Column", "Group", "LineTable", "Row", "line_table"]

GROUP = 5
"""Rows per group (one table cell, a rule under it)."""
PAGE_WIDTH_PT = 180 * 72 / 25.4
"""Width of the page's content box: A4 less the 15 mm side margins of ``report.css``."""
FONT_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)
"""Sizes tried in turn (pt) until the name column gets :data:`MIN_NAME_CH`."""
MIN_NAME_CH = 22
PX_PT = 0.75
"""A CSS pixel in pt."""

EM_SPACE = "\u2003"
FIGURE_SPACE = "\u2007"
PUNCTUATION_SPACE = "\u2008"
FIGURE_DASH = "\u2012"
POINT = POINT_EM / CH_EM
"""Width of a full stop in digits (ch)."""
_DASHES = str.maketrans({"-": FIGURE_DASH, "\u2013": FIGURE_DASH, "\u2212": FIGURE_DASH})
_DIGITS = frozenset("0123456789" + FIGURE_DASH)


@dataclass(frozen=True)
class Row:
    """A row of a table: ``key`` (digits, or None for a table without one) printed right
    aligned before ``name``; ``numbers`` formatted (digits, one optional ".", a leading
    "-"; "–" for a missing value); ``last`` a short word printed at the end."""

    key: str | None
    name: str
    numbers: Sequence[str]
    last: str
    classes: str = ""


@dataclass(frozen=True)
class Column:
    """A column head: ``width`` in pt (None: the rest of the table, the last column);
    ``kind`` is "key", "name", "n" (a number) or "last"; ``title`` the full name of an
    abbreviated head."""

    label: str
    width: float | None
    kind: str
    title: str = ""


@dataclass(frozen=True)
class Group:
    """Up to :data:`GROUP` rows as lines of text (more lines when a name wraps)."""

    text: str
    classes: str


@dataclass(frozen=True)
class LineTable:
    """A table laid out as lines: its heads, where the tab stop is (pt from the start of
    a row), the font size (pt) and the groups of rows.

    Lengths are in pt, from the digit width of DejaVu Sans: WeasyPrint's ``ch`` is not
    the same for every property (a ``tab-size`` in ``ch`` came out 1.7 % longer).
    """

    columns: tuple[Column, ...]
    tab: float
    font_pt: float
    groups: tuple[Group, ...]


def _number(value: str) -> str:
    text = (value or "–").translate(_DASHES)
    if any(c not in _DIGITS and c != "." for c in text) or text.count(".") > 1:
        raise ValueError(f"not a formatted number: {value!r}")
    return text


def _digits(text: str) -> int:
    return sum(1 for c in text if c in _DIGITS)


def _head_ch(label: str) -> float:
    """Room a bold column head needs, in ``ch`` of the regular font: its longest word
    (a head wraps at its spaces)."""
    return max(width_em(w, bold=True) for w in [*label.split(), ""]) * MARGIN / CH_EM


def line_table(
    rows: Sequence[Row],
    *,
    key: str | None,
    name: str,
    numbers: Sequence[tuple[str, str]],
    last: str,
) -> LineTable:
    """Lay ``rows`` out as lines under the heads ``key`` (None: no key column),
    ``name``, ``numbers`` (``(label, title)``, the title "" unless the label abbreviates
    it) and ``last``.

    Raises ``ValueError`` when a row has a different number of numbers than there are
    number columns, a number that is not a formatted number or a key that is not
    digits.
    """
    cells = []
    for row in rows:
        if row.key is not None and not (row.key.isascii() and row.key.isdigit()):
            raise ValueError(f"a key must be digits, got {row.key!r}")
        if len(row.numbers) != len(numbers):
            raise ValueError(
                f"a row has {len(row.numbers)} numbers for {len(numbers)} number columns"
            )
        cells.append([_number(v) for v in row.numbers])

    # number columns: digits, whether a full stop, and a gap of at least one digit
    widths: list[tuple[int, bool, int]] = []
    for j, (label, _title) in enumerate(numbers):
        values = [c[j] for c in cells]
        digits = max((_digits(v) for v in values), default=1)
        point = any("." in v for v in values)
        data = digits + (POINT if point else 0.0)
        gap = max(1, math.ceil(_head_ch(label) + 0.5 - data))
        widths.append((digits, point, gap))
    numbers_ch = sum(d + (POINT if p else 0.0) + g for d, p, g in widths)

    key_digits = max((len(r.key) for r in rows if r.key is not None), default=0)
    key_ch = 0 if key is None else max(key_digits + 1, math.ceil(_head_ch(key) + 1.5))
    last_ch = 1 + max([_head_ch(last), *(width_em(r.last) * MARGIN / CH_EM for r in rows)])

    for font_pt in FONT_SIZES:
        page_ch = math.floor(PAGE_WIDTH_PT / (CH_EM * font_pt)) - 1
        name_ch = page_ch - key_ch - numbers_ch - last_ch
        if name_ch >= max(MIN_NAME_CH, _head_ch(name) + 1):
            break
    name_ch = max(name_ch, MIN_NAME_CH)
    ch_pt = CH_EM * font_pt
    # WeasyPrint hands Pango a tab stop in whole pixels (0.75 pt): the stop where the
    # numbers begin is such a length, and the name column ends there.
    tab = math.floor((key_ch + name_ch) * ch_pt / PX_PT) * PX_PT

    columns = [Column(key, key_ch * ch_pt, "key")] if key is not None else []
    columns.append(Column(name, tab - key_ch * ch_pt, "name"))
    columns += [
        Column(label, (d + (POINT if p else 0.0) + g) * ch_pt, "n", title)
        for (label, title), (d, p, g) in zip(numbers, widths, strict=True)
    ]
    columns.append(Column(last, None, "last"))

    room = tab / font_pt - (key_ch + 1) * CH_EM  # em for the name, a digit short of the stop
    indent = FIGURE_SPACE * key_ch
    groups: list[Group] = []
    lines: list[str] = []
    classes = ""
    count = 0
    for row, values in zip(rows, cells, strict=True):
        if lines and (row.classes != classes or count == GROUP):
            groups.append(Group("\n".join(lines), classes))
            lines, count = [], 0
        classes = row.classes
        count += 1
        head = ""
        if key is not None:
            head = FIGURE_SPACE * (key_ch - 1 - len(row.key or "")) + (row.key or "")
            head += FIGURE_SPACE
        parts = wrap(printable(row.name), room)
        figures = "".join(
            FIGURE_SPACE * (d + g - _digits(v))
            + (PUNCTUATION_SPACE if p and "." not in v else "")
            + v
            for v, (d, p, g) in zip(values, widths, strict=True)
        )
        filler = _filler(room - width_em(parts[0]) * MARGIN)
        lines.append(f"{head}{parts[0]}{filler}\t{figures}{FIGURE_SPACE}{printable(row.last)}")
        lines += [indent + part for part in parts[1:]]
    if lines:
        groups.append(Group("\n".join(lines), classes))
    return LineTable(columns=tuple(columns), tab=tab, font_pt=font_pt, groups=tuple(groups))


def _filler(em: float) -> str:
    """Spaces at most ``em`` wide: em spaces (U+2003, an em by definition), then figure
    spaces, then one space for a half digit. Fewer, wider glyphs: WeasyPrint draws a
    line glyph by glyph."""
    if em <= 0:
        return ""
    whole = math.floor(em)
    digits = math.floor((em - whole) / CH_EM)
    rest = em - whole - digits * CH_EM
    return EM_SPACE * whole + FIGURE_SPACE * digits + (" " if rest >= SPACE_EM else "")
