"""The decision rules that turn a job analysis's figures into proposed flags.

The defaults are documented here and on the study's pages; the facilitator may change them
per study (they are stored with the study) and still accepts or overrides every proposal.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.errors import Problem

__all__ = ["InvalidRules", "Rules"]

_SHARES = ("day_one_share", "learnable_below", "develop_learnable")


class InvalidRules(ValueError):
    """Decision rules with values out of range; ``problems`` names each field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))


@dataclass(frozen=True)
class Rules:
    """The adjustable rules that propose select-for and develop.

    **Select-for** is proposed when all three hold:

    * Lawshe's CVR reaches its exact one-tailed critical value at ``alpha``
      (:func:`~assessments.job_analysis.cvr_critical`): more experts call the competency
      essential than chance explains;
    * at least ``day_one_share`` of the experts who answered say it is needed on the first
      day;
    * fewer than ``learnable_below`` of them say it can be learned on the job within the
      first months (the Uniform Guidelines, 29 CFR 1607.5F, warn against selecting on what
      is learned in a brief orientation).

    **Develop** is proposed when the mean importance is at least ``develop_importance``
    (1-5) and at least ``develop_learnable`` of the experts say it can be learned on the job.
    A competency can be proposed for both, or for neither. With the defaults the two
    learnable rules are complementary (below .5 for select-for, at least .5 for develop),
    so both is proposed only when ``develop_learnable`` is set below ``learnable_below``;
    the facilitator can still decide both when accepting the proposals.

    Warnings: fewer than ``min_experts`` experts, and rwg of importance or frequency below
    ``low_rwg`` (.70, the conventional cut-off; LeBreton & Senter 2008).

    Attributes
    ----------
    alpha : float
        One-tailed significance level of the CVR critical value, in (0, 1). Default .05.
    day_one_share : float
        Share in [0, 1] saying "needed on day one" that select-for needs (at least). 2/3.
    learnable_below : float
        Share in [0, 1] saying "learnable in the first months" that select-for must stay
        below. .5.
    develop_importance : float
        Mean importance in [1, 5] that develop needs (at least). 3.5.
    develop_learnable : float
        Share in [0, 1] saying "learnable" that develop needs (at least). .5.
    min_experts : int
        Fewer experts than this (at least 1) gives the warning ``few_experts``. 5.
    low_rwg : float
        rwg in [0, 1] below which agreement is flagged as low. .70.

    References
    ----------
    LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
    reliability and interrater agreement. *Organizational Research Methods*, 11(4), 815-852.
    doi:10.1177/1094428106296642
    Uniform Guidelines on Employee Selection Procedures (1978), 29 CFR 1607.5F, 1607.14C.
    """

    alpha: float = 0.05
    day_one_share: float = 2 / 3
    learnable_below: float = 0.5
    develop_importance: float = 3.5
    develop_learnable: float = 0.5
    min_experts: int = 5
    low_rwg: float = 0.7

    def problems(self) -> list[Problem]:
        """Every value out of range, each with its field name (empty when none)."""
        found: list[Problem] = []
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if f.name == "min_experts":
                if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                    found.append(Problem(f.name, f"must be a whole number, got {value!r}"))
                elif value < 1:
                    found.append(Problem(f.name, f"must be at least 1, got {value!r}"))
                continue
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not math.isfinite(value)
            ):
                found.append(Problem(f.name, f"must be a number, got {value!r}"))
                continue
            value = float(value)
            if f.name == "alpha" and not 0.0 < value < 1.0:
                found.append(Problem(f.name, f"must be between 0 and 1 (exclusive), got {value}"))
            elif f.name == "develop_importance" and not 1.0 <= value <= 5.0:
                found.append(Problem(f.name, f"must be between 1 and 5, got {value}"))
            elif (f.name in _SHARES or f.name == "low_rwg") and not 0.0 <= value <= 1.0:
                found.append(Problem(f.name, f"must be between 0 and 1, got {value}"))
        return found

    def validated(self) -> Rules:
        """These rules, or :class:`InvalidRules` (a ValueError) naming each bad field."""
        found = self.problems()
        if found:
            raise InvalidRules(found)
        return self

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> Rules:
        """Rules from a stored or submitted mapping; missing keys take the defaults.

        ``{}`` (a study that never changed its rules) gives the defaults. Raises
        :class:`InvalidRules`, a ValueError whose ``problems`` name each field, for an
        unknown key or a value out of range (see :meth:`problems`).
        """
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise InvalidRules([Problem("rules", "must be a mapping of rule names to values")])
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = [Problem(str(k), "is not a decision rule") for k in data if k not in names]
        if unknown:
            raise InvalidRules(unknown)
        return cls(**{k: data[k] for k in data}).validated()

    def as_dict(self) -> dict[str, float | int]:
        """JSON-ready dict of every rule (the inverse of :meth:`from_mapping`)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
