"""The evidence behind each flag of a role's competency, as JSON (no storage here).

``RoleCompetency.evidence`` holds ``{"select_for": E, "develop": E}``; E is either a
job-analysis study with its figures (``{"source": "study", "value": ..., "study": ...}``)
or a change by hand (``{"source": "hand", "value": ..., "by": ..., "date": ...,
"earlier": <the E it replaced>}``). A flag without a key has nothing recorded: it reads,
and is exported, as ``{"source": "hand"}``; that bare value given back means the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeGuard

from assessments.competency import FLAGS
from server.core.schemas import FlagEvidence

__all__ = [
    "NOTHING",
    "first_study",
    "hand_mark",
    "merged",
    "public",
    "recorded",
    "recorded_only",
]

NOTHING: Mapping[str, str] = {"source": "hand"}
"""What a flag with nothing recorded reads as (set by hand, by nobody known, at no date)."""

_FIELDS = frozenset(FlagEvidence.__struct_fields__)


def recorded(item: Any) -> TypeGuard[Mapping[str, Any]]:
    """Whether ``item`` records something (not missing, not the bare ``{"source": "hand"}``)."""
    return isinstance(item, Mapping) and any(k != "source" for k in item)


def recorded_only(evidence: Mapping[str, Any] | None) -> dict[str, Any]:
    """``evidence`` without the flags that record nothing (what is stored)."""
    return {f: dict(e) for f, e in (evidence or {}).items() if f in FLAGS and recorded(e)}


def merged(stored: Mapping[str, Any] | None, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The evidence to store when ``given`` arrives for a row holding ``stored``: each flag
    given replaces the stored one (the bare ``{"source": "hand"}`` clears it), each flag not
    given keeps what is stored."""
    return recorded_only({**(stored or {}), **(given or {})})


def _number(x: Any) -> bool:
    return x is None or (isinstance(x, int | float) and not isinstance(x, bool))


def _count(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _trimmed(item: Mapping[str, Any]) -> dict[str, Any]:
    """``item`` limited to what the library document can say (its documented keys; numbers
    for the figures, counts for the experts), at every ``earlier`` level."""
    out = {k: v for k, v in item.items() if k in _FIELDS and k != "earlier"}
    if isinstance(out.get("figures"), Mapping):
        out["figures"] = {k: v for k, v in out["figures"].items() if _number(v)}
    if isinstance(out.get("experts"), Mapping):
        out["experts"] = {k: v for k, v in out["experts"].items() if _count(v)}
    earlier = item.get("earlier")
    if isinstance(earlier, Mapping):
        out["earlier"] = _trimmed(earlier)
    return out


def public(evidence: Mapping[str, Any] | None) -> dict[str, Any]:
    """Both flags' evidence as the API and the library export show it: the stored evidence,
    or ``{"source": "hand"}`` where nothing is recorded."""
    stored = evidence or {}
    return {f: _trimmed(stored[f]) if recorded(stored.get(f)) else dict(NOTHING) for f in FLAGS}


def first_study(item: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """The latest study in ``item``'s chain (``item`` itself, or an ``earlier`` one)."""
    while isinstance(item, Mapping):
        if item.get("source") == "study":
            return item
        item = item.get("earlier")
    return None


def _earlier(previous: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What a hand change keeps of the evidence it replaces, bounded: the replaced evidence
    itself and, under it, the study that last set the flag (older hand changes drop out)."""
    if not recorded(previous):
        return None
    if previous.get("source") == "study":
        return dict(previous)
    out = {k: v for k, v in previous.items() if k != "earlier"}
    study = first_study(previous.get("earlier"))
    if study is not None:
        out["earlier"] = dict(study)
    return out


def hand_mark(
    value: bool,
    *,
    by: str,
    date: str,
    previous: Mapping[str, Any] | None,
    **more: Any,
) -> dict[str, Any]:
    """The evidence of a flag changed by hand (the editor, the API, an import, or a study
    of another role): ``{"source": "hand", "value", "by", "date", "earlier"}``."""
    mark: dict[str, Any] = {"source": "hand", "value": value, "by": by, "date": date, **more}
    earlier = _earlier(previous)
    if earlier is not None:
        mark["earlier"] = earlier
    return mark
