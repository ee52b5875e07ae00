"""A row's figures printed as one line (reports.figures): the widths are the installed
DejaVu Sans, each figure is placed where its own cell ended it, and in a real PDF
(WeasyPrint, read back with poppler's pdftotext) every figure ends where it ended when
each had a cell of its own."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from reports.environment import CSS
from reports.figures import FIGURE_UNITS, SPACE_UNITS, UNITS_PER_EM, figure_row
from reports.pdf import pdf_bytes

NAMES = ("Alpha", "Beta", "Gamma")
WORD = re.compile(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')


def test_the_widths_are_the_installed_font() -> None:
    path = subprocess.run(
        ["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True, check=True
    ).stdout
    assert "DejaVuSans.ttf" in path, path
    font = TTFont(path)
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    assert font["head"].unitsPerEm == UNITS_PER_EM
    for char, units in {**FIGURE_UNITS, **SPACE_UNITS}.items():
        assert metrics[cmap[ord(char)]][0] == units, f"U+{ord(char):04X}"


def ends(text: str) -> list[float]:
    """Where each figure of a line ends, in font units from its start."""
    out, x = [], 0.0
    for char in text:
        x += SPACE_UNITS.get(char, 0) or FIGURE_UNITS[char]
        if char in FIGURE_UNITS:
            out.append(x)
    return out


def test_each_figure_ends_the_width_of_the_columns_after_it_before_the_last() -> None:
    values = ["4", "3.00", "–", "+0.56", "-.12", "11"]
    widths = [6.61, 4.4, 5.1, 5.1, 4.61, 7.66]
    text = figure_row(values, widths)
    assert "".join(c for c in text if c not in SPACE_UNITS) == "".join(values)
    # the figure boundaries: where each value's last character ends
    positions = ends(text)
    last_chars = [sum(len(v) for v in values[: i + 1]) - 1 for i in range(len(values))]
    value_ends = [positions[i] for i in last_chars]
    for i in range(len(values) - 1):
        wanted = sum(widths[i + 1 :]) * UNITS_PER_EM
        assert value_ends[-1] - value_ends[i] == pytest.approx(wanted, abs=5), values[i]
    assert len(text) - len("".join(values)) < 6 * len(values)  # a few glyphs per gap
    assert figure_row([], []) == ""
    assert figure_row(["1.00"], [5.0]) == "1.00"
    with pytest.raises(ValueError, match="2 values for 1 columns"):
        figure_row(["1", "2"], [4.0])


def test_in_print_each_figure_ends_where_its_own_cell_ended_it(tmp_path: Path) -> None:
    widths = [6.61, 4.4, 5.1, 5.1]
    rows = [["4", "3.00", "2.44", "+0.56"], ["3", "–", "4.06", "-0.01"], ["5", "1.00", ".93", "–"]]
    head = "".join(
        f'<th class="n" style="width: {w:.2f}em">H{i}</th>' for i, w in enumerate(widths)
    )

    def page(body: str) -> str:
        return (
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>t</title>'
            f'<style>{CSS}</style></head><body><table class="fixed"><thead><tr><th>Name</th>'
            f"{head}</tr></thead><tbody>{body}</tbody></table></body></html>"
        )

    cells = "".join(
        f"<tr><th>{NAMES[i]}</th>" + "".join(f'<td class="n">{v}</td>' for v in r) + "</tr>"
        for i, r in enumerate(rows)
    )
    merged = "".join(
        f'<tr><th>{NAMES[i]}</th><td class="n figures" colspan="4">{figure_row(r, widths)}</td>'
        "</tr>"
        for i, r in enumerate(rows)
    )

    def figures(html: str) -> list[tuple[float, float, str]]:
        pdf = tmp_path / "t.pdf"
        pdf.write_bytes(pdf_bytes(html))
        out = subprocess.run(
            ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        found = [(float(y), float(x1), w) for y, x1, w in WORD.findall(out)]
        return [  # the figures: not the heads, nor the page's title and number
            f
            for f in found
            if f[2] not in ("Name", "t", *NAMES) and not f[2].startswith("H") and f[0] < 780
        ]

    apart, together = figures(page(cells)), figures(page(merged))
    assert [w for *_, w in apart] == [v for r in rows for v in r]
    assert [w for *_, w in together] == [w for *_, w in apart]
    for (y0, x0, w), (y1, x1, _w) in zip(apart, together, strict=True):
        assert abs(y1 - y0) < 0.01 and abs(x1 - x0) < 0.05, (w, x0, x1)
