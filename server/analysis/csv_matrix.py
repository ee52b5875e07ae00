"""A CSV of respondents x items read into a response matrix, with errors that say where.

The format an I/O psychologist exports from a survey tool or a spreadsheet:

* the first line names the columns (the item names);
* an optional first column identifies respondents: it is taken as an identifier when it
  is called ``id``, ``respondent``, ``name`` (and a few synonyms, see :data:`ID_NAMES`) or
  when at least half of its values are not numbers (a first item with a stray word in a
  cell is reported as an error, not silently taken for identifiers); an identifier
  column anywhere else is an error;
* every other cell is a number or missing: empty, ``NA``, ``N/A``, ``NaN``, ``.`` or
  ``null`` (any case);
* comma, semicolon or tab between cells (detected with :class:`csv.Sniffer`), a dot as
  decimal mark, UTF-8 (a byte-order mark is fine).

Bad input raises :class:`~server.core.errors.Invalid` (422 on the API) listing each problem
with its place, e.g. ``line 7, column A3: 'x' is not a number``. Used by the API, the
staff page and ``assess analyse`` (which needs no database).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from assessments.errors import Problem
from assessments.psychometrics import Message, ScaleAnalysis, analyse_scale
from server.core.errors import Invalid

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ITEMS = 500
MAX_PROBLEMS = 20
MISSING = frozenset({"", "na", "n/a", "nan", ".", "null"})
ID_NAMES = frozenset(
    {"id", "respondent", "respondent_id", "name", "participant", "person", "subject", "case"}
)
DETAIL = "The file cannot be analysed"
_NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_SCALE = re.compile(rf"^\s*({_NUMBER})\s*[,;]\s*({_NUMBER})\s*$")


@dataclass(frozen=True, eq=False)
class ResponseMatrix:
    """A parsed CSV.

    Attributes
    ----------
    items : tuple of str
        Item names from the header, in column order.
    values : ndarray
        Respondents x items, float, NaN for a missing answer.
    lines : tuple of int
        The line of the file each respondent came from (the header is line 1).
    ids : tuple of str or None
        Respondent identifiers from the first column, when it holds them.
    id_column : str or None
        The name of that column.
    delimiter : str
        The delimiter found.
    """

    items: tuple[str, ...]
    values: np.ndarray
    lines: tuple[int, ...]
    ids: tuple[str, ...] | None
    id_column: str | None
    delimiter: str


def _fail(found: Sequence[Problem]) -> Invalid:
    shown = list(found[:MAX_PROBLEMS])
    if len(found) > MAX_PROBLEMS:
        shown.append(Problem("file", f"and {len(found) - MAX_PROBLEMS} more problems"))
    return Invalid(shown, DETAIL)


def _text(data: bytes | str, max_bytes: int | None) -> str:
    size = len(data) if isinstance(data, bytes) else len(data.encode("utf-8"))
    if max_bytes is not None and size > max_bytes:
        raise _fail(
            [Problem("file", f"larger than {max_bytes // (1024 * 1024)} MB ({size:,} bytes)")]
        )
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _fail(
            [Problem("file", f"not UTF-8 text (byte {exc.start + 1}); save the CSV as UTF-8")]
        ) from None


def _delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    try:
        found = csv.Sniffer().sniff(text[:65536], delimiters=",;\t").delimiter
    except csv.Error:
        found = ""
    if found and found in header:
        return found
    counts = {d: header.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _numbers(cells: list[str]) -> tuple[np.ndarray, list[int]]:
    """Floats (NaN for missing) and the positions of cells that are not numbers."""
    cleaned = ["nan" if c.lower() in MISSING else c for c in cells]
    try:
        out = np.asarray(cleaned, dtype=float)
        bad = np.flatnonzero(np.isinf(out)).tolist()
        text_nan = [i for i in np.flatnonzero(np.isnan(out)).tolist() if cleaned[i] != "nan"]
        if not bad and not text_nan:
            return out, []
    except ValueError:
        pass
    out = np.full(len(cells), np.nan)
    bad = []
    for i, c in enumerate(cleaned):
        if c == "nan":
            continue
        if not re.fullmatch(_NUMBER, c):
            bad.append(i)
            continue
        out[i] = float(c)
    return out, bad


def parse_matrix(
    data: bytes | str,
    *,
    max_bytes: int | None = MAX_BYTES,
    max_rows: int = MAX_ROWS,
    max_items: int = MAX_ITEMS,
) -> ResponseMatrix:
    """Read a CSV of respondents x items; 422 naming every problem (at most 20 shown).

    Parameters
    ----------
    data : bytes or str
        The file (bytes are decoded as UTF-8, with or without a byte-order mark).
    max_bytes, max_rows, max_items : int
        Limits: 5 MB (None: no size limit), 100,000 respondents, 500 items.
    """
    text = _text(data, max_bytes)
    if not text.strip():
        raise _fail([Problem("file", "the file is empty")])
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
        rows: list[list[str]] = []
        lines: list[int] = []
        found: list[Problem] = []
        for raw in reader:
            if not any(c.strip() for c in raw):
                continue  # blank line
            if len(rows) >= max_rows:
                raise _fail([Problem("file", f"more than {max_rows:,} respondents (rows)")])
            cells = [c.strip() for c in raw]
            if len(cells) != len(header):
                found.append(
                    Problem(
                        f"line {reader.line_num}",
                        f"{len(cells)} values, but the header names {len(header)} columns",
                    )
                )
                continue
            rows.append(cells)
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise _fail([Problem(f"line {reader.line_num}", f"not valid CSV: {exc}")]) from None

    # a trailing column without a name or any value is a spreadsheet artefact
    while header and not header[-1] and not any(r[len(header) - 1] for r in rows):
        header.pop()
        rows = [r[: len(header)] for r in rows]
    for n, name in enumerate(header, start=1):
        if not name:
            found.append(Problem(f"column {n}", "has no name in the header (line 1)"))
    seen: set[str] = set()
    for name in header:
        if name and name in seen:
            found.append(Problem(f"column {name}", "named twice in the header"))
        seen.add(name)
    if found:
        raise _fail(found)
    if not rows:
        raise _fail([Problem("file", "no respondents: the file has a header but no rows")])

    columns = [[r[j] for r in rows] for j in range(len(header))]
    id_column: str | None = None
    ids: tuple[str, ...] | None = None
    first, first_bad = _numbers(columns[0])
    given = int((~np.isnan(first)).sum()) + len(first_bad)
    # identifiers: named so, or mostly not numbers (a typo in an item stays an error)
    if header[0].lower() in ID_NAMES or (first_bad and 2 * len(first_bad) >= given):
        id_column, ids = header[0], tuple(columns[0])
        header, columns = header[1:], columns[1:]
    if len(header) > max_items:
        raise _fail([Problem("file", f"more than {max_items} items (columns): {len(header)}")])
    if len(header) < 2:
        raise _fail(
            [Problem("file", f"a scale needs at least 2 item columns, found {len(header)}")]
        )
    values = np.empty((len(rows), len(header)))
    for j, name in enumerate(header):
        if name.lower() in ID_NAMES:
            found.append(
                Problem(
                    f"column {name}",
                    "looks like a respondent identifier: make it the first column",
                )
            )
            continue
        col, bad = _numbers(columns[j])
        values[:, j] = col
        found += [
            Problem(
                f"line {lines[i]}, column {name}",
                f"{columns[j][i][:40]!r} is not a number "
                "(leave the cell empty or write NA for a missing answer)",
            )
            for i in bad
        ]
    if found:
        raise _fail(found)
    return ResponseMatrix(
        items=tuple(header),
        values=values,
        lines=tuple(lines),
        ids=ids,
        id_column=id_column,
        delimiter=delimiter,
    )


def parse_reverse(text: str | None) -> tuple[str, ...]:
    """``"A1, A3"`` -> ``("A1", "A3")``; empty names are ignored."""
    if not text:
        return ()
    return tuple(dict.fromkeys(p.strip() for p in text.split(",") if p.strip()))


def parse_scale(text: str | None) -> tuple[tuple[float, float] | None, list[Problem]]:
    """``"1,6"`` -> ``(1.0, 6.0)``; problems under the path ``scale``."""
    if text is None or not text.strip():
        return None, []
    match = _SCALE.match(text)
    if not match:
        return None, [
            Problem("scale", f"{text[:40]!r}: give min,max of the response scale, e.g. 1,5")
        ]
    lo, hi = float(match[1]), float(match[2])
    if not lo < hi:
        return None, [Problem("scale", f"min must be below max, got {lo:g},{hi:g}")]
    return (lo, hi), []


def reverse_problems(reverse: Sequence[str], matrix: ResponseMatrix) -> list[Problem]:
    unknown = [r for r in reverse if r not in matrix.items]
    if not unknown:
        return []
    return [
        Problem(
            "reverse",
            f"not in the header: {', '.join(unknown)} (items: {', '.join(matrix.items[:12])}"
            f"{', ...' if len(matrix.items) > 12 else ''})",
        )
    ]


def scale_problems(matrix: ResponseMatrix, scale: tuple[float, float]) -> list[Problem]:
    """One problem per column with an answer outside ``scale``, naming its first line."""
    lo, hi = scale
    with np.errstate(invalid="ignore"):
        outside = (matrix.values < lo) | (matrix.values > hi)
    found = []
    for j in np.flatnonzero(outside.any(axis=0)):
        rows = np.flatnonzero(outside[:, j])
        first = int(rows[0])
        found.append(
            Problem(
                f"column {matrix.items[j]}",
                f"{matrix.values[first, j]:g} on line {matrix.lines[first]} is outside the "
                f"scale {lo:g}–{hi:g}"
                + (f" ({rows.size} answers outside)" if rows.size > 1 else ""),
            )
        )
    return found


def analyse_csv(
    data: bytes | str,
    *,
    reverse: str | None = None,
    scale: str | None = None,
    seed: int = 0,
    max_bytes: int | None = MAX_BYTES,
) -> ScaleAnalysis:
    """Parse, check ``reverse`` and ``scale`` against the file, and analyse the scale.

    ``reverse`` is a comma-separated list of item names, ``scale`` ``"min,max"``. Every
    problem with the file and the two options is reported at once as a 422.
    """
    rev = parse_reverse(reverse)
    bounds, found = parse_scale(scale)
    try:
        matrix = parse_matrix(data, max_bytes=max_bytes)
    except Invalid as exc:
        if not found:
            raise
        raise _fail([*found, *exc.problems]) from None
    found += reverse_problems(rev, matrix)
    if bounds is not None:
        found += scale_problems(matrix, bounds)
    if found:
        raise _fail(found)
    try:
        result = analyse_scale(
            matrix.values, items=matrix.items, reverse=rev, scale=bounds, seed=seed
        )
    except ValueError as exc:
        raise _fail([Problem("file", str(exc))]) from None
    if matrix.id_column is None:
        return result
    note = Message(
        "id_column",
        "The first column, %(column)s, was read as respondent identifiers, not as an item.",
        {"column": matrix.id_column},
    )
    return replace(result, notes=(note, *result.notes))
