"""One table of every benchmark line: ours, its peer in the same run, the aim, met or not.

Each ``bench/*.py`` script calls :func:`record` for each of its lines; when the
environment names a file in ``BENCH_SUMMARY`` (``make bench`` does), the line is appended
there as JSON. ``python bench/summary.py FILE`` prints the table (``--markdown`` for the
README).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

__all__ = ["record"]


def record(
    task: str,
    ours: str,
    peer: str,
    ratio: str,
    aim: str,
    met: bool | None,
    data: dict[str, object] | None = None,
) -> None:
    """Append one line (``met=None``: a figure without an aim; ``data``: numbers for
    tables built from several lines) to ``$BENCH_SUMMARY``."""
    path = os.environ.get("BENCH_SUMMARY")
    if not path:
        return
    line: dict[str, object] = {
        "task": task,
        "ours": ours,
        "peer": peer,
        "ratio": ratio,
        "aim": aim,
        "met": met,
    }
    line["data"] = data or {}
    with open(path, "a") as fh:
        fh.write(json.dumps(line) + "\n")


def verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "not met")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--markdown", action="store_true")
    args = ap.parse_args()
    rows = [json.loads(x) for x in args.file.read_text().splitlines() if x.strip()]
    head = ("work", "ours", "peer (same run)", "ratio", "aim", "")
    table = [head] + [
        (r["task"], r["ours"], r["peer"], r["ratio"], r["aim"], verdict(r["met"])) for r in rows
    ]
    if args.markdown:
        print("| " + " | ".join(head) + " |")
        print("|" + " --- |" * len(head))
        for row in table[1:]:
            print("| " + " | ".join(row) + " |")
    else:
        widths = [min(60, max(len(row[i]) for row in table)) for i in range(len(head))]
        for n, row in enumerate(table):
            print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                print("  ".join("-" * w for w in widths))
    failed = sum(1 for r in rows if r["met"] is False)
    print(f"\n{len(rows)} lines, {failed} not met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
