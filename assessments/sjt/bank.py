"""Item statistics across the bank: each item's analysis pooled over the forms that used it.

Every form of every campaign yields, per item, the item's mean score (0-1 within the item's
bounds: its difficulty), SD, corrected item-total correlation (``r_drop``) and flags
(:func:`assessments.psychometrics.item_analysis`). An item sits on several forms, so its
bank statistics pool them, weighting each form by its number of candidates ``n``.

Which items the form builder avoids: those flagged ``negative r_drop`` or ``alpha rises
when deleted`` on a form with at least :data:`MIN_N` candidates. A weak but positive
r_drop alone is not enough, because SJT items are heterogeneous by design and their
item-total correlations are typically low (McDaniel et al. 2007); and estimates from
fewer than 30 candidates are too unstable to act on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assessments.psychometrics.reliability import FLAG_ALPHA_RISES, FLAG_NEGATIVE

MIN_N = 30
AVOID_FLAGS = (FLAG_NEGATIVE, FLAG_ALPHA_RISES)


@dataclass(frozen=True)
class FormItemStats:
    """One item's analysis on one form with ``n`` submitted candidates."""

    item_id: int
    n: int
    mean: float | None
    sd: float | None
    r_drop: float | None
    flags: Sequence[str] = ()


@dataclass(frozen=True)
class BankItemStats:
    """An item's statistics pooled over forms (n-weighted means; None where none known)."""

    item_id: int
    n: int
    forms: int
    mean: float | None
    sd: float | None
    r_drop: float | None
    flags: tuple[str, ...]
    avoid: bool


def _weighted(pairs: Iterable[tuple[int, float | None]]) -> float | None:
    known = [(n, v) for n, v in pairs if v is not None and n > 0]
    total = sum(n for n, _ in known)
    return None if not total else round(sum(n * v for n, v in known) / total, 4)


def pooled_item_stats(rows: Iterable[FormItemStats]) -> dict[int, BankItemStats]:
    """Per item id, the n-weighted mean difficulty, SD and r_drop over its forms.

    ``flags`` keeps every flag raised on a form with at least ``MIN_N`` candidates; ``avoid``
    is true when one of them is in ``AVOID_FLAGS`` (see the module docstring).
    """
    by_item: dict[int, list[FormItemStats]] = {}
    for r in rows:
        if r.n < 0:
            raise ValueError(f"n: must not be negative, got {r.n} for item {r.item_id}")
        by_item.setdefault(r.item_id, []).append(r)
    out: dict[int, BankItemStats] = {}
    for item_id, found in by_item.items():
        flags = tuple(sorted({f for r in found if r.n >= MIN_N for f in r.flags}))
        out[item_id] = BankItemStats(
            item_id=item_id,
            n=sum(r.n for r in found),
            forms=len(found),
            mean=_weighted((r.n, r.mean) for r in found),
            sd=_weighted((r.n, r.sd) for r in found),
            r_drop=_weighted((r.n, r.r_drop) for r in found),
            flags=flags,
            avoid=any(f in AVOID_FLAGS for f in flags),
        )
    return out


def keys_to_avoid(stats: Mapping[int, BankItemStats], keys: Mapping[int, str]) -> set[str]:
    """The item keys (``keys``: item id -> key) the form builder should take last."""
    return {keys[i] for i, s in stats.items() if s.avoid and i in keys}
