"""CSV for spreadsheets: one writer, and cells neutralised against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence


def csv_cell(value: object) -> str:
    """A cell safe to open in a spreadsheet: no formula injection (=, +, -, @, tab, CR).

    Such a cell is prefixed with an apostrophe, as OWASP's CSV-injection advice says;
    numbers are written by :func:`csv_text` as numbers and are not affected.
    """
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with a header; ints and floats as numbers, every other cell neutralised."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow(
            [
                v if isinstance(v, int | float) and not isinstance(v, bool) else csv_cell(v)
                for v in row
            ]
        )
    return buf.getvalue()
