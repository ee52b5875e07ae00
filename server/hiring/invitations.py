"""Candidates invited in bulk: a CSV with a header (name, email, optional language and
extra_time_seconds), read into invitations or a list of every problem. No HTTP."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from assessments.errors import Problem
from server.core.validation import problems
from server.hiring.repository import Invitation
from server.sjt.schemas import CandidateIn

__all__ = ["MAX_CSV_ROWS", "parse_invitations", "parse_lines"]

MAX_CSV_ROWS = 5000


def parse_invitations(text: str) -> tuple[list[Invitation], list[Problem]]:
    """Rows of a CSV with a header (name, email, optional language and extra_time_seconds)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    found: list[Problem] = []
    if "name" not in header or "email" not in header:
        return [], [Problem("header", "the first line must name the columns: name,email")]
    people = []
    for n, raw in enumerate(reader, start=2):
        if n - 1 > MAX_CSV_ROWS:
            found.append(Problem("body", f"at most {MAX_CSV_ROWS} rows"))
            break
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        data: dict[str, Any] = {"name": row.get("name", ""), "email": row.get("email", "")}
        if row.get("language"):
            data["language"] = row["language"]
        if row.get("extra_time_seconds"):
            try:
                data["extra_time_seconds"] = int(row["extra_time_seconds"])
            except ValueError:
                data["extra_time_seconds"] = row["extra_time_seconds"]
        row_problems = problems(data, CandidateIn)
        found += [Problem(f"line {n}: {p.path}", p.message) for p in row_problems]
        if not row_problems:
            people.append(
                Invitation(
                    data["name"],
                    data["email"],
                    data.get("language", ""),
                    data.get("extra_time_seconds", 0),
                )
            )
    if not people and not found:
        found.append(Problem("body", "no candidates in the file"))
    return people, found


_ANGLE = re.compile(r"^(?P<name>.*?)\s*<(?P<email>[^<>]+)>\s*$")


def parse_lines(text: str) -> tuple[list[Invitation], list[Problem]]:
    """Candidates pasted one per line, ``Name <e-mail>`` or ``Name, e-mail`` (a comma, a
    semicolon or a tab between them); blank lines are skipped. Every problem is named by
    its line (``line 3: email``)."""
    people: list[Invitation] = []
    found: list[Problem] = []
    lines = [(n, line.strip()) for n, line in enumerate(text.splitlines(), start=1)]
    for n, line in [(n, line) for n, line in lines if line]:
        if len(people) + len(found) >= MAX_CSV_ROWS:
            found.append(Problem("body", f"at most {MAX_CSV_ROWS} rows"))
            break
        angle = _ANGLE.match(line)
        if angle:
            name, email = angle["name"].strip().strip(",;"), angle["email"].strip()
        else:
            parts = re.split(r"[,;\t]", line, maxsplit=1)
            name, email = (parts[0].strip(), parts[1].strip()) if len(parts) == 2 else ("", line)
        row_problems = problems({"name": name, "email": email}, CandidateIn)
        found += [Problem(f"line {n}: {p.path}", p.message) for p in row_problems]
        if not row_problems:
            people.append(Invitation(name, email))
    if not people and not found:
        found.append(Problem("body", "no candidates given"))
    return people, found
