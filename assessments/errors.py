"""Errors raised by domain code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a document, at a path such as ``competencies[3].key``."""

    path: str
    message: str


class InvalidLibrary(ValueError):
    """A competency library that breaks its own references or uniqueness rules."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))
