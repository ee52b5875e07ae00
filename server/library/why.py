"""Why each flag of a role's competency stands, as the role and competency pages show it.

The texts are the templates' (``_flags.html``: every sentence is translated there); this
module only picks what the evidence holds and formats its numbers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessments.competency import FLAGS, Competency
from server.library.evidence import first_study, recorded

__all__ = ["ExpertCount", "StudyRef", "Why", "why_lines"]

EXPERT_KINDS = ("incumbent", "manager", "trainer")


@dataclass(frozen=True)
class StudyRef:
    id: int | None
    name: str
    date: str | None = None
    value: bool | None = None  # what the study set the flag to


@dataclass(frozen=True)
class ExpertCount:
    kind: str
    n: int


@dataclass(frozen=True)
class Why:
    """One flag's line: ``kind`` is ``study``, ``hand`` or ``none`` (nothing recorded)."""

    flag: str
    value: bool
    kind: str
    study: StudyRef | None = None  # the study that set the flag (kind study)
    experts: int | None = None
    expert_kinds: tuple[ExpertCount, ...] = ()
    cvr: str | None = None
    cvr_critical: str | None = None
    importance: str | None = None
    day_one: int | None = None  # per cent
    learnable: int | None = None  # per cent
    overridden: bool = False
    reason: str = ""
    by: str | None = None  # kind hand: who changed it ("import" for a library import)
    date: str | None = None
    via: StudyRef | None = None  # kind hand: the study of another role that changed it
    via_role: str | None = None
    earlier: StudyRef | None = None  # kind hand: the study that had set it before


def _decimal(x: Any) -> str | None:
    """A coefficient as statistics print it: ``.60``, ``-.20``, ``1.00``."""
    if not isinstance(x, int | float) or isinstance(x, bool):
        return None
    text = f"{x:.2f}"
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def _mean(x: Any) -> str | None:
    if not isinstance(x, int | float) or isinstance(x, bool):
        return None
    return f"{x:.1f}"


def _percent(x: Any) -> int | None:
    if not isinstance(x, int | float) or isinstance(x, bool):
        return None
    return round(100 * x)


def _count(x: Any) -> int | None:
    return x if isinstance(x, int) and not isinstance(x, bool) else None


def _study(item: Mapping[str, Any] | None) -> StudyRef | None:
    if item is None:
        return None
    value = item.get("value", item.get("proposed"))
    return StudyRef(
        id=_count(item.get("study")),
        name=str(item.get("study_name") or ""),
        date=item.get("date"),
        value=value if isinstance(value, bool) else None,
    )


def _line(flag: str, value: bool, item: Any) -> Why:
    if not recorded(item):
        return Why(flag=flag, value=value, kind="none")
    if item.get("source") == "study":
        figures = item.get("figures") or {}
        experts = item.get("experts") or {}
        kinds = tuple(
            ExpertCount(k, n)
            for k in EXPERT_KINDS
            if (n := _count(experts.get(k))) is not None and n > 0
        )
        return Why(
            flag=flag,
            value=value,
            kind="study",
            study=_study(item),
            experts=_count(experts.get("n")),
            expert_kinds=kinds,
            cvr=_decimal(figures.get("cvr")),
            cvr_critical=_decimal(figures.get("cvr_critical")),
            importance=_mean(figures.get("importance_mean")),
            day_one=_percent(figures.get("needed_day_one")),
            learnable=_percent(figures.get("learnable")),
            overridden=bool(item.get("overridden")),
            reason=str(item.get("reason") or ""),
        )
    via = None
    if item.get("study") is not None or item.get("study_name"):
        via = _study({"study": item.get("study"), "study_name": item.get("study_name")})
    return Why(
        flag=flag,
        value=value,
        kind="hand",
        by=item.get("by"),
        date=item.get("date"),
        via=via,
        via_role=item.get("role_name"),
        earlier=_study(first_study(item.get("earlier"))),
    )


def why_lines(competency: Competency, evidence: Mapping[str, Any] | None) -> list[Why]:
    """A line for each flag the competency has, or whose evidence is recorded for the role."""
    evidence = evidence or {}
    out = []
    for flag in FLAGS:
        value = competency.has_flag(flag)
        item = evidence.get(flag)
        if value or recorded(item):
            out.append(_line(flag, value, item))
    return out
