"""Long tables printed as lines (reports.lines): every row and column kept, figures padded
to their column, rows grouped; and in a real PDF (WeasyPrint, read back with poppler's
pdftotext) every figure ends under its column head and no name runs into the figures."""

from __future__ import annotations

import gettext
import html as htmllib
import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reports import hiring
from reports.lines import (
    FIGURE_DASH,
    FIGURE_SPACE,
    GROUP,
    POINT,
    PUNCTUATION_SPACE,
    Row,
    line_table,
)
from reports.pdf import pdf_bytes
from server.sjt.schemas import BandInfo, Pending, Ranked, Ranking

NUMBERS = [("Total", ""), ("Percentile", ""), ("CO", "Customer orientation")]


def width_ch(text: str) -> float:
    """Width of a run of padded figures, in digits."""
    point = {".", PUNCTUATION_SPACE}
    return sum(POINT if c in point else 1.0 for c in text)


def rows(n: int) -> list[Row]:
    return [
        Row(
            key=str(i + 1),
            name=f"Candidate {i + 1}",
            numbers=[f"{100 - i * 7.5:.1f}", str(99 - i), "–" if i == 3 else str(50 + i)],
            last="passed" if i < 4 else "below",
            classes="top" if i < 2 else "",
        )
        for i in range(n)
    ]


def test_rows_become_lines_in_groups_with_figures_padded_to_their_columns() -> None:
    table = line_table(rows(14), key="Rank", name="Candidate", numbers=NUMBERS, last="Cut")
    assert [c.kind for c in table.columns] == ["key", "name", "n", "n", "n", "last"]
    assert table.columns[4].title == "Customer orientation" and table.columns[-1].width is None
    # groups break where the classes change, else every GROUP rows
    sizes = [len(g.text.split("\n")) for g in table.groups]
    assert sizes == [2, GROUP, GROUP, 2] and [g.classes for g in table.groups[:2]] == ["top", ""]
    lines = [line for g in table.groups for line in g.text.split("\n")]
    assert len(lines) == 14
    figures = []
    for i, line in enumerate(lines):
        head, tail = line.split("\t")
        assert head.lstrip(FIGURE_SPACE).startswith(f"{i + 1}{FIGURE_SPACE}Candidate {i + 1}")
        assert tail.endswith("passed" if i < 4 else "below")
        figures.append(tail.rsplit(FIGURE_SPACE, 1)[0])
    assert len({width_ch(f) for f in figures}) == 1  # every row as wide: columns line up
    assert FIGURE_DASH in figures[3] and "92.5" in figures[1]
    assert figures[1].startswith(FIGURE_SPACE * 2 + "92.5")  # "100.0" sets the width


def test_a_long_name_wraps_and_its_figures_stay_on_its_first_line() -> None:
    long = Row(
        key="1",
        name="Maximilian Alexander von Hohenzollern-Sigmaringen der Dritte " * 3,
        numbers=["50.0", "40", "30"],
        last="below",
        classes="top",
    )
    table = line_table([long, *rows(1)], key="Rank", name="Candidate", numbers=NUMBERS, last="Cut")
    lines = table.groups[0].text.split("\n")
    assert len(lines) > 2 and lines[0].count("\t") == 1
    assert all("\t" not in line for line in lines[1:-1]) and "\t" in lines[-1]
    words = " ".join(line.split("\t")[0].strip(FIGURE_SPACE + " ") for line in lines[:-1])
    assert words.split() == ["1", *long.name.split()]  # the rank, then the whole name


def test_a_table_without_key_and_bad_rows() -> None:
    table = line_table(
        [Row(key=None, name="Pending 1", numbers=["3"], last="started")],
        key=None,
        name="Candidate",
        numbers=[("Answers saved", "")],
        last="Status",
    )
    assert [c.kind for c in table.columns] == ["name", "n", "last"]
    assert table.groups[0].text.startswith("Pending 1")
    bad = [
        (Row(key="1", name="x", numbers=["1", "2"], last=""), "2 numbers for 3"),
        (Row(key="1", name="x", numbers=["1", "2", "n/a"], last=""), "not a formatted number"),
        (Row(key="1a", name="x", numbers=["1", "2", "3"], last=""), "must be digits"),
    ]
    for row, message in bad:
        with pytest.raises(ValueError, match=message):
            line_table([row], key="Rank", name="Candidate", numbers=NUMBERS, last="Cut")


# ---- printed ------------------------------------------------------------------------------

NAMES = [
    "Анна-Мария Константиновна Петрова-Водкина",
    "Björn Åkesson",
    "Maximilian Alexander von Hohenzollern-Sigmaringen der Dritte",
    '<script>alert("x")</script>',
    "Wolfeschlegelsteinhausenbergerdorffwelchevoralternwarengewissenhaft",
    "Zoë Ørsted\nsecond line",
    "Ян",
    "WWWWWWWWWW MMMMMMMMMM WWWWWWWWWW",
]


def printed_report(n: int) -> tuple[hiring.HiringReport, list[Ranked]]:
    ranked = []
    for i in range(n):
        score = None if i == n - 1 else round(96.4 - i * 1.7, 2)
        ranked.append(
            Ranked(
                rank=i + 1,
                candidate_id=i + 1,
                name=NAMES[i] if i < len(NAMES) else f"Candidate {i + 1}",
                score=score,
                percentile=None if score is None else round(100 - i * 1.5, 1),
                sten=None if score is None else max(1, 10 - i // 7),
                competency_scores={"co": None if i == 5 else 50.0 + i, "ro": 88.0},
                passed=None if score is None else score >= 55,
                answered=11 if i == 2 else 12,
                submitted_at=datetime(2025, 3, 1, tzinfo=UTC),
                timed_out=i == 2,
                band=None if score is None else 1 + i // 9,
                form_id=1,
                items=12,
                completion="timed_out" if i == 2 else "complete",
            )
        )
    ranking = Ranking(
        campaign_id=1,
        method="most_least",
        key_method="expert",
        key_versions={},
        cut_score=55.0,
        ranked=ranked,
        not_submitted=[Pending(candidate_id=900, name="Pending One", status="started", answered=2)],
        bands=BandInfo(form_id=1, alpha=0.8, sem=5.0, sed=7.07, z=1.96, width=13.9),
    )
    view = hiring.hiring_report(
        campaign_id=1,
        name="Printed",
        role="Operator",
        invited=n + 1,
        started=n + 1,
        ranking=ranking,
        columns=hiring.columns([("co", "Customer orientation"), ("ro", "Results orientation")]),
        forms=[],
        monitoring={},
        labels={},
        now=datetime(2025, 3, 14, tzinfo=UTC),
        lang="en",
        t=gettext.NullTranslations(),
    )
    return replace(view, for_print=True), ranked


WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>'
)


def test_printed_figures_end_under_their_heads_and_names_stay_clear(tmp_path: Path) -> None:
    view, ranked = printed_report(60)
    html = hiring.render_hiring(view, gettext.NullTranslations())
    pdf = tmp_path / "ranked.pdf"
    pdf.write_bytes(pdf_bytes(html))
    out = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    heads = ["Total", "Percentile", "Sten", "CO", "RO", "Band"]
    checked = 0
    for page in out.split("<page ")[1:]:
        words = [(float(a), float(b), float(c), w) for a, b, c, w in WORD.findall(page)]
        right = {w: x1 for x0, _y, x1, w in words if w in heads}
        if len(right) < len(heads):
            continue  # no ranking on this page
        lines: dict[float, list[tuple[float, float, str]]] = {}
        for x0, y, x1, w in words:
            lines.setdefault(round(y, 1), []).append((x0, x1, w))
        for tokens in lines.values():
            tokens.sort()
            if tokens[-1][2] not in ("passed", "below", "–") or len(tokens) < 9:
                continue
            figures = tokens[-1 - len(heads) : -1]
            for (_x0, x1, _w), head in zip(figures, heads, strict=True):
                assert abs(x1 - right[head]) < 1.0, (head, tokens)
            name_end = max(x1 for x0, x1, _w in tokens[: -1 - len(heads)])
            assert name_end < figures[0][0] - 3, tokens
            checked += 1
    assert checked == len(ranked)
    text = " ".join(htmllib.unescape(w) for *_, w in WORD.findall(out))
    flat = "".join(text.split())
    for r in ranked:  # every name, whole (a long one wraps: its parts in order)
        assert "".join(r.name.split()) in flat
    assert "Pending One" in text and "(timed out, 11/12)" in text
