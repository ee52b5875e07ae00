"""Printed text widths: the tables are the installed DejaVu Sans, an upper bound of what
WeasyPrint prints, and wrapping keeps every character."""

from __future__ import annotations

import math
import subprocess

import pytest
from fontTools.ttLib import TTFont

from reports import textwidth
from reports.textwidth import printable, width_em, wrap


def font_file(pattern: str) -> str:
    """The file fontconfig gives WeasyPrint for ``pattern``."""
    found = subprocess.run(
        ["fc-match", "-f", "%{file}", pattern], capture_output=True, text=True, check=True
    ).stdout
    assert "DejaVuSans" in found, f"{pattern} is not DejaVu Sans here: {found}"
    return found


@pytest.mark.parametrize(("pattern", "bold"), [("DejaVu Sans", False), ("DejaVu Sans:bold", True)])
def test_the_tables_are_the_installed_font_rounded_up(pattern: str, bold: bool) -> None:
    font = TTFont(font_file(pattern))
    cmap, metrics = font.getBestCmap(), font["hmtx"]
    upem = font["head"].unitsPerEm
    table = textwidth._WIDTHS[bold]
    ranges = textwidth._BOLD if bold else textwidth._REGULAR
    checked = 0
    for first, codes in ranges:
        for cp in range(first, first + len(codes)):
            char = chr(cp)
            if cp not in cmap:
                assert char not in table, f"U+{cp:04X} has no glyph but a width"
                assert width_em(char, bold=bold) == textwidth.UNKNOWN_EM
                continue
            advance = metrics[cmap[cp]][0] / upem
            assert advance <= table[char] < advance + 1 / 32, f"U+{cp:04X}"
            checked += 1
    assert checked > 1000
    if not bold:
        assert metrics[cmap[ord("0")]][0] / upem == textwidth.CH_EM
        assert metrics[cmap[ord(" ")]][0] / upem == textwidth.SPACE_EM
        for char, em in (("\u2007", textwidth.CH_EM), ("\u2012", textwidth.CH_EM)):
            assert metrics[cmap[ord(char)]][0] / upem == em
        assert metrics[cmap[0x2003]][0] == upem  # an em space is an em
        for char in (".", "\u2008"):
            assert metrics[cmap[ord(char)]][0] / upem == textwidth.POINT_EM


def test_widths_add_up_and_unknown_characters_count_wide() -> None:
    assert width_em("") == 0
    assert width_em("00") == pytest.approx(2 * math.ceil(textwidth.CH_EM * 32) / 32)
    assert width_em("Ж", bold=True) > width_em("Ж") > width_em("ж")
    assert width_em("张伟") == 2 * textwidth.UNKNOWN_EM  # no glyph in DejaVu Sans


def test_wrap_keeps_every_character_and_each_line_fits() -> None:
    name = "Anna-Karin Lindqvist Andersson von Schwarzenberg-Hohenlohe"
    lines = wrap(name, 12)
    assert lines == ["Anna-Karin Lindqvist", "Andersson von", "Schwarzenberg-Hohe", "nlohe"]
    assert all(width_em(line) * textwidth.MARGIN <= 12 for line in lines)
    assert wrap("Short name", 12) == ["Short name"]
    assert wrap("", 5) == [""]
    word = "Supercalifragilisticexpialidocious"
    assert "".join(wrap(word, 5)) == word


def test_wrap_never_starts_a_line_with_a_combining_mark() -> None:
    name = "e\u0301" * 40  # é as e + combining acute, 40 times, no space
    lines = wrap(name, 4)
    assert "".join(lines) == name and len(lines) > 1
    assert all(not line.startswith("\u0301") for line in lines)
    with pytest.raises(ValueError, match="room_em"):
        wrap("x", 0)


def test_printable_puts_a_name_on_one_line() -> None:
    assert printable("Zoë\nØrsted\tx\u2028y\r") == "Zoë Ørsted x y "
    assert printable("Ян <b>") == "Ян <b>"
