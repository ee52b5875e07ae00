"""SJT items: scenarios with 4-6 response options, answers to them, and option order.

An item can be delivered in three response formats:

- ``rate``: the candidate rates the effectiveness of every option on a scale;
- ``most_least``: the candidate picks the most and the least effective option;
- ``rank``: the candidate orders all options from most to least effective.

Answers are validated here (pure code) before the server stores them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any, Literal

import numpy as np

Format = Literal["rate", "most_least", "rank"]
FORMATS: tuple[Format, ...] = ("rate", "most_least", "rank")
Status = Literal["draft", "active", "retired"]
MIN_OPTIONS, MAX_OPTIONS = 4, 6
RATE_SCALE = (1, 7)


class AnswerError(ValueError):
    """An answer that does not fit its item; ``field`` names the part that is wrong."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


@dataclass(frozen=True)
class Option:
    key: str
    text: str
    translations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Item:
    key: str
    stem: str
    options: tuple[Option, ...]
    competencies: tuple[str, ...]
    context: str = ""
    status: Status = "draft"
    formats: tuple[Format, ...] = FORMATS
    version: int = 1
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    id: int | None = None

    @cached_property
    def option_keys(self) -> tuple[str, ...]:
        """The options' keys in order (worked out once per item: the options are frozen)."""
        return tuple(o.key for o in self.options)


def item_problems(item: Item) -> list[tuple[str, str]]:
    """Rules an item must satisfy beyond field types, as (path, message) pairs."""
    out = []
    n = len(item.options)
    if not MIN_OPTIONS <= n <= MAX_OPTIONS:
        out.append(("options", f"an item has {MIN_OPTIONS} to {MAX_OPTIONS} options, not {n}"))
    seen: set[str] = set()
    for i, o in enumerate(item.options):
        if o.key in seen:
            out.append((f"options[{i}].key", f"duplicate option key {o.key!r}"))
        seen.add(o.key)
    if not item.competencies:
        out.append(("competencies", "an item must target at least one competency"))
    if len(set(item.competencies)) != len(item.competencies):
        out.append(("competencies", "a competency is listed twice"))
    if not item.formats:
        out.append(("formats", "at least one response format"))
    return out


def localized_item(item: Item, lang: str) -> Item:
    """The item with its texts in ``lang``, English for every text a language lacks."""
    if lang == "en":
        return item
    tr = item.translations.get(lang, {})
    return replace(
        item,
        stem=tr.get("stem") or item.stem,
        context=tr.get("context") or item.context,
        options=tuple(replace(o, text=o.translations.get(lang) or o.text) for o in item.options),
    )


def option_order(n_options: int, seed: int, item_id: int) -> tuple[int, ...]:
    """The order in which one candidate sees an item's options.

    A permutation drawn from ``numpy.random.default_rng([seed, item_id])``: the stored
    per-candidate ``seed`` reproduces exactly the screen the candidate saw.
    """
    rng = np.random.default_rng([seed, item_id])
    return tuple(int(i) for i in rng.permutation(n_options))


def _int_in_scale(value: Any, where: str, scale: tuple[int, int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(where, f"expected an integer from {scale[0]} to {scale[1]}")
    if not scale[0] <= value <= scale[1]:
        raise AnswerError(where, f"{value} is outside the scale {scale[0]}-{scale[1]}")
    return value


_ANSWER_KEYS: dict[str, frozenset[str]] = {
    "rate": frozenset({"ratings"}),
    "most_least": frozenset({"most", "least"}),
    "rank": frozenset({"ranking"}),
}


def validated_answer(
    item: Item, fmt: Format, payload: Mapping[str, Any], *, scale: tuple[int, int] = RATE_SCALE
) -> dict[str, Any]:
    """Check an answer against its item and format; return it normalised for storage.

    - ``rate``: ``{"ratings": {option_key: n}}`` with n on the scale; options may be rated
      one at a time (the item counts as answered once all are rated);
    - ``most_least``: ``{"most": key, "least": key}``, either may be ``None`` while the
      candidate is still choosing, but never the same option;
    - ``rank``: ``{"ranking": [key, ...]}``, a permutation of all option keys.

    Raises
    ------
    AnswerError
        Naming the field and the problem.
    """
    keys = item.option_keys
    expected = _ANSWER_KEYS[fmt]
    unknown = set(payload) - expected
    if unknown:
        raise AnswerError(
            next(k for k in payload if k in unknown),
            f"not part of a {fmt} answer (expected {', '.join(sorted(expected))})",
        )
    if fmt == "rate":
        ratings = payload.get("ratings")
        if not isinstance(ratings, Mapping) or not ratings:
            raise AnswerError("ratings", "expected an object {option_id: rating}")
        out = {}
        for k, v in ratings.items():
            if k not in keys:
                raise AnswerError(f"ratings.{k}", "unknown option")
            out[k] = _int_in_scale(v, f"ratings.{k}", scale)
        return {"ratings": {k: out[k] for k in keys if k in out}}
    if fmt == "most_least":
        most, least = payload.get("most"), payload.get("least")
        if most is None and least is None:
            raise AnswerError("most", "choose the most and/or the least effective option")
        for name, value in (("most", most), ("least", least)):
            if value is not None and value not in keys:
                raise AnswerError(name, f"unknown option {value!r}")
        if most is not None and most == least:
            raise AnswerError("least", "the same option cannot be both most and least effective")
        return {"most": most, "least": least}
    ranking = payload.get("ranking")
    if not isinstance(ranking, Sequence) or isinstance(ranking, str):
        raise AnswerError("ranking", "expected a list of option ids")
    if sorted(map(str, ranking)) != sorted(keys) or len(ranking) != len(keys):
        raise AnswerError("ranking", f"must list each of the {len(keys)} options exactly once")
    return {"ranking": list(ranking)}


def is_complete(item: Item, fmt: Format, answer: Mapping[str, Any] | None) -> bool:
    """Whether a stored answer counts as an answer to the item (for progress and scoring)."""
    if not answer:
        return False
    if fmt == "rate":
        return len(answer.get("ratings", {})) == len(item.options)
    if fmt == "most_least":
        return answer.get("most") is not None and answer.get("least") is not None
    return len(answer.get("ranking", [])) == len(item.options)
