r"""One scale, every classical reliability statistic: the core of "analyse your own data".

:func:`analyse_scale` takes a respondents x items matrix (NaN for a missing answer) with
the item names, reverse keys the items named in ``reverse`` (``min + max - x``), leaves
out items that cannot enter a covariance matrix (zero variance, fewer than two answers),
and calls the functions of :mod:`assessments.psychometrics` - it computes no statistic of
its own. The result, :class:`ScaleAnalysis`, holds the numbers, the missing-data rules
each statistic follows, warnings, and a plain-language reading of alpha; ``to_dict()`` is
JSON-ready (NaN becomes ``None``).

Missing data
------------
Alpha, standardised alpha, Guttman's lambda 6, omega and the item statistics rest on the
pairwise-complete covariance matrix, as ``psych::alpha`` does (see
:mod:`assessments.psychometrics.reliability`); their n is the smallest pairwise n.
Listwise alpha, both split-half coefficients and the SD of the total score (hence the
SEM) use only the respondents who answered every analysed item. Rows without any answer
are dropped before anything else and counted in :attr:`MissingData.rows_empty`.

Texts
-----
Warnings and notes are :class:`Message` objects: a ``code``, an English ``template`` with
``%(name)s`` placeholders and its ``params``, so that a report can translate the template
and fill in the values (``message`` is the English text). The reading of alpha follows
Cicchetti's (1994) bands and Nunnally's (1978) uses.
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assessments.psychometrics.reliability import (
    Alpha,
    SplitHalf,
    cronbach_alpha,
    guttman_lambda6,
    item_analysis,
    omega_total,
    split_half,
)
from assessments.psychometrics.scores import sem

__all__ = [
    "MIN_RESPONDENTS",
    "OMEGA_MAX_ITEMS",
    "ItemStats",
    "Message",
    "MissingData",
    "Reading",
    "ScaleAnalysis",
    "analyse_scale",
    "read_alpha",
]

MIN_RESPONDENTS = 3
SMALL_N = 30
"""Fewer respondents than this: the estimates are rough (the reports say so)."""
TENTATIVE_N = 100
LOW_ALPHA = 0.70
"""Alpha below this is flagged: too imprecise for decisions about one person."""
REDUNDANT_ALPHA = 0.95
CI_LEVEL = 0.95
OMEGA_MAX_ITEMS = 100  # omega_total's minres fit grows steeply with k (~7 s at 100 items)
FLAG_ZERO_VARIANCE = "zero variance (left out)"
FLAG_TOO_FEW = "fewer than 2 answers (left out)"
BANDS_SOURCE = "Bands: Cicchetti (1994); uses: Nunnally (1978), Nunnally & Bernstein (1994)."


def _num(v: Any) -> float | None:
    """A finite float, or None (NaN, inf, None)."""
    if v is None:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def _alpha_dict(a: Alpha | None) -> dict[str, Any] | None:
    return None if a is None else a.to_dict()


def _split_dict(s: SplitHalf | None) -> dict[str, Any] | None:
    return None if s is None else s.to_dict()


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Message:
    """A warning or note: an English ``template`` with ``%(name)s`` placeholders.

    Attributes
    ----------
    code : str
        Stable identifier, e.g. ``"low_alpha"``, ``"small_n"``, ``"zero_variance"``.
    template : str
        English text with ``%(name)s`` placeholders (a translation key for reports).
    params : Mapping[str, str | int | float]
        The values of the placeholders.
    items : tuple of str
        Item names the message is about (empty when it is about the whole scale).
    """

    code: str
    template: str
    params: Mapping[str, str | int | float] = field(default_factory=dict)
    items: tuple[str, ...] = ()

    @property
    def message(self) -> str:
        """The English text with the values filled in."""
        return self.template % dict(self.params)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "items": list(self.items)}


@dataclass(frozen=True)
class ItemStats:
    """One column of the input, in input order.

    Attributes
    ----------
    name : str
        The column name.
    reversed : bool
        Reverse keyed (``min + max - x``) before the analysis; every statistic below is
        of the keyed item.
    n, missing : int
        Answered and missing cells among the analysed respondents.
    mean, sd : float or None
        Mean and SD (ddof = 1) over the answered cells.
    p : float or None
        Proportion endorsing (the mean) when every answer is 0 or 1, else None.
    r_drop, alpha_if_deleted : float or None
        Corrected item-total correlation and alpha without the item (pairwise), None for
        an item left out.
    flags : tuple of str
        ``item_analysis`` flags, or why the item was left out.
    excluded : bool
        Left out of every statistic (zero variance or fewer than two answers).
    """

    name: str
    reversed: bool
    n: int
    missing: int
    mean: float | None
    sd: float | None
    p: float | None
    r_drop: float | None
    alpha_if_deleted: float | None
    flags: tuple[str, ...]
    excluded: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "reversed": self.reversed,
            "n": self.n,
            "missing": self.missing,
            "mean": self.mean,
            "sd": self.sd,
            "p": self.p,
            "r_drop": self.r_drop,
            "alpha_if_deleted": self.alpha_if_deleted,
            "flags": list(self.flags),
            "excluded": self.excluded,
        }


@dataclass(frozen=True)
class MissingData:
    """How much is missing and how each statistic treats it.

    Attributes
    ----------
    cells : int
        Respondents x analysed items.
    cells_missing : int
        Missing cells among them.
    rows_complete : int
        Respondents who answered every analysed item (the listwise n).
    rows_empty : int
        Rows without any answer, dropped before the analysis (not in ``n``).
    pairwise_n : int
        Smallest pairwise n: the fewest respondents behind any covariance.
    treatment : str
        Plain-language statement of the rules (English).
    """

    cells: int
    cells_missing: int
    rows_complete: int
    rows_empty: int
    pairwise_n: int
    treatment: str

    @property
    def share(self) -> float:
        """Share of missing cells (0 when there are no cells)."""
        return self.cells_missing / self.cells if self.cells else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "cells": self.cells,
            "cells_missing": self.cells_missing,
            "share": self.share,
            "rows_complete": self.rows_complete,
            "rows_empty": self.rows_empty,
            "pairwise_n": self.pairwise_n,
            "treatment": self.treatment,
        }


@dataclass(frozen=True)
class Reading:
    """Plain-language reading of alpha.

    Attributes
    ----------
    band : str
        ``"excellent"`` (>= .90), ``"good"`` (>= .80), ``"fair"`` (>= .70) or ``"poor"``.
    text : str
        What the band means for using the scores (English).
    source : str
        Where the bands and uses come from.
    """

    band: str
    text: str
    source: str = BANDS_SOURCE

    def to_dict(self) -> dict[str, Any]:
        return {"band": self.band, "text": self.text, "source": self.source}


_READINGS = (
    (
        0.90,
        "excellent",
        "Excellent (≥ .90): precise enough for important decisions about individuals, "
        "where Nunnally (1978) asks for at least .90.",
    ),
    (
        0.80,
        "good",
        "Good (≥ .80): suitable for decisions about individuals together with other "
        "evidence, and for research.",
    ),
    (
        0.70,
        "fair",
        "Fair (≥ .70): adequate for research and for comparing groups; too imprecise for "
        "decisions about individuals on this score alone.",
    ),
    (
        -math.inf,
        "poor",
        "Poor (< .70): individual scores are too imprecise to interpret; look at the "
        "flagged items and the reverse keying before using the scale.",
    ),
)


def read_alpha(alpha: float | None) -> Reading | None:
    """The band of ``alpha`` with what it means for using the scores (None if undefined).

    Bands follow Cicchetti (1994): below .70 unacceptable (here "poor"), .70-.79 fair,
    .80-.89 good, .90 and above excellent. The uses follow Nunnally (1978):
    .70 is enough in the early stages of research, .80 for basic research, and at least
    .90 (better .95) where important decisions about individuals rest on the score.

    References
    ----------
    Cicchetti, D. V. (1994). Guidelines, criteria, and rules of thumb for evaluating
    normed and standardized assessment instruments in psychology. *Psychological
    Assessment*, 6(4), 284-290. doi:10.1037/1040-3590.6.4.284
    Nunnally, J. C. (1978). *Psychometric Theory* (2nd ed.). McGraw-Hill.
    Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric Theory* (3rd ed.).
    McGraw-Hill.
    """
    a = _num(alpha)
    if a is None:
        return None
    for floor, band, text in _READINGS:
        if a >= floor:
            return Reading(band, text)
    raise AssertionError("unreachable")  # pragma: no cover


@dataclass(frozen=True)
class ScaleAnalysis:
    """Everything :func:`analyse_scale` found; ``to_dict()`` is JSON-ready.

    Attributes
    ----------
    n : int
        Respondents analysed (rows with at least one answer).
    k : int
        Items analysed (columns minus those left out).
    items : tuple of ItemStats
        Every input column in input order, including those left out.
    reverse : tuple of str
        Reverse-keyed item names.
    scale : (float, float) or None
        (min, max) of the response scale used for reverse keying; None when not needed.
    scale_inferred : bool
        ``scale`` was taken from the smallest and largest answer in the data.
    missing : MissingData
        Missing-data summary and rules.
    alpha : Alpha or None
        Cronbach's alpha, standardised alpha and Feldt 95 % interval, pairwise.
    alpha_listwise : Alpha or None
        The same on the respondents who answered every item (``n`` = complete rows).
    omega_total : float or None
        McDonald's omega total (one-factor minres, pairwise correlations); needs k >= 3
        and is left out (with a note) above :data:`OMEGA_MAX_ITEMS` items.
    guttman_lambda6 : float or None
        Guttman's lambda 6 (pairwise correlations).
    split_half_odd_even, split_half_random : SplitHalf or None
        Odd-even and mean random split-half r with Spearman-Brown (listwise).
    n_splits, seed : int
        Random splits drawn with ``numpy.random.default_rng(seed)``.
    total_mean, total_sd : float or None
        Mean and SD (ddof = 1) of the sum score over the complete rows.
    sem : float or None
        Standard error of measurement of the sum score: ``total_sd * sqrt(1 - alpha)``.
    reading : Reading or None
        What alpha means for using the scores.
    warnings, notes : tuple of Message
        Problems to act on; facts about how the numbers were made.
    """

    n: int
    k: int
    items: tuple[ItemStats, ...]
    reverse: tuple[str, ...]
    scale: tuple[float, float] | None
    scale_inferred: bool
    missing: MissingData
    alpha: Alpha | None
    alpha_listwise: Alpha | None
    omega_total: float | None
    guttman_lambda6: float | None
    split_half_odd_even: SplitHalf | None
    split_half_random: SplitHalf | None
    n_splits: int
    seed: int
    total_mean: float | None
    total_sd: float | None
    sem: float | None
    reading: Reading | None
    warnings: tuple[Message, ...]
    notes: tuple[Message, ...]

    @property
    def analysed_items(self) -> tuple[ItemStats, ...]:
        """The items that entered the statistics."""
        return tuple(i for i in self.items if not i.excluded)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: NaN is None, tuples are lists."""
        return {
            "n": self.n,
            "k": self.k,
            "reverse": list(self.reverse),
            "scale": None if self.scale is None else list(self.scale),
            "scale_inferred": self.scale_inferred,
            "missing": self.missing.to_dict(),
            "alpha": _alpha_dict(self.alpha),
            "alpha_listwise": _alpha_dict(self.alpha_listwise),
            "omega_total": self.omega_total,
            "guttman_lambda6": self.guttman_lambda6,
            "split_half": {
                "odd_even": _split_dict(self.split_half_odd_even),
                "random": _split_dict(self.split_half_random),
                "n_splits": self.n_splits,
                "seed": self.seed,
                "n": self.missing.rows_complete,
            },
            "total": {
                "mean": self.total_mean,
                "sd": self.total_sd,
                "n": self.missing.rows_complete,
            },
            "sem": self.sem,
            "reading": None if self.reading is None else self.reading.to_dict(),
            "items": [i.to_dict() for i in self.items],
            "warnings": [w.to_dict() for w in self.warnings],
            "notes": [w.to_dict() for w in self.notes],
        }


# --------------------------------------------------------------------------- analysis


def _names(names: Sequence[str]) -> str:
    return ", ".join(names)


def _auto_splits(n: int, k: int) -> int:
    # cost of random split-half is n * k * n_splits multiply-adds: keep it under ~5e9
    return int(min(1000, max(100, 5_000_000_000 // max(n * k, 1))))


def _check_input(
    x: np.ndarray, items: Sequence[str], reverse: Sequence[str]
) -> tuple[np.ndarray, list[str]]:
    m = np.array(x, dtype=float)  # a copy: reverse keying writes into it
    if m.ndim != 2:
        raise ValueError(f"x must be a 2-D respondents x items matrix, got {m.ndim} dimension(s)")
    names = [str(i) for i in items]
    if len(names) != m.shape[1]:
        raise ValueError(f"items names {len(names)} columns but x has {m.shape[1]}")
    if len(set(names)) != len(names):
        twice = sorted({n for n in names if names.count(n) > 1})
        raise ValueError(f"item names must be unique; repeated: {_names(twice)}")
    if m.shape[1] < 2:
        raise ValueError(f"a scale needs at least 2 items, got {m.shape[1]}")
    if np.isinf(m).any():
        raise ValueError("x must be finite or NaN")
    unknown = [r for r in reverse if r not in names]
    if unknown:
        raise ValueError(f"reverse names items that are not in the data: {_names(unknown)}")
    return m, names


def _check_scale(m: np.ndarray, names: list[str], scale: tuple[float, float]) -> None:
    if len(scale) != 2 or not float(scale[0]) < float(scale[1]):
        raise ValueError(f"scale must be (min, max) with min < max, got {scale!r}")
    lo, hi = float(scale[0]), float(scale[1])
    with np.errstate(invalid="ignore"):
        outside = ((m < lo) | (m > hi)).any(axis=0)
    if outside.any():
        bad = [names[j] for j in np.flatnonzero(outside)]
        raise ValueError(f"answers outside the scale {lo:g}-{hi:g} in: {_names(bad)}")


def _attempt(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, str | None]:
    """``fn(*args)`` or the reason it refused (the functions raise ValueError)."""
    try:
        return fn(*args, **kwargs), None
    except ValueError as exc:
        return None, str(exc)


def analyse_scale(
    x: np.ndarray,
    *,
    items: Sequence[str],
    reverse: Sequence[str] = (),
    scale: tuple[float, float] | None = None,
    seed: int = 0,
    n_splits: int | None = None,
) -> ScaleAnalysis:
    """Every reliability statistic of one scale, with warnings and a reading of alpha.

    Parameters
    ----------
    x : ndarray
        Respondents x items, NaN for a missing answer.
    items : sequence of str
        Unique item names, one per column.
    reverse : sequence of str
        Items to reverse key as ``min + max - x`` before anything else.
    scale : (float, float), optional
        (min, max) of the response scale. Every answer must lie inside it. When
        ``reverse`` is given without a scale, the smallest and largest answer in the data
        are used and a note says so (wrong when nobody chose an end of the scale).
    seed : int
        Seed of ``numpy.random.default_rng`` for the random split-half.
    n_splits : int, optional
        Random splits; by default 1000, fewer (at least 100) on very large matrices so
        that n x k x splits stays near 5e9.

    Returns
    -------
    ScaleAnalysis

    Raises
    ------
    ValueError
        Wrong shape or names, fewer than 2 items or :data:`MIN_RESPONDENTS` respondents
        with an answer, reverse naming unknown items, answers outside ``scale``, fewer
        than 2 items left once zero-variance items are set aside.

    Notes
    -----
    Items with zero variance or fewer than two answers cannot enter a correlation
    matrix: they are left out of every statistic, flagged and named in a warning rather
    than making the whole analysis fail. A statistic that cannot be computed (a singular
    correlation matrix for lambda 6, two items for omega) is None with a warning that
    says why.

    References
    ----------
    Streiner, D. L. (2003). Starting at the beginning: An introduction to coefficient
    alpha and internal consistency. *Journal of Personality Assessment*, 80(1), 99-103.
    doi:10.1207/S15327752JPA8001_18
    """
    m, names = _check_input(x, items, reverse)
    rev = tuple(dict.fromkeys(str(r) for r in reverse))
    notes: list[Message] = []
    warnings: list[Message] = []

    answered_rows = ~np.isnan(m).all(axis=1)
    rows_empty = int((~answered_rows).sum())
    m = m[answered_rows]
    n = m.shape[0]
    if n < MIN_RESPONDENTS:
        raise ValueError(
            f"too few respondents: {n} with at least one answer (need {MIN_RESPONDENTS})"
        )
    if rows_empty:
        notes.append(
            Message(
                "empty_rows",
                "%(rows)d rows without any answer were left out.",
                {"rows": rows_empty},
            )
        )

    inferred = False
    used_scale: tuple[float, float] | None = None
    if scale is not None:
        _check_scale(m, names, scale)
        used_scale = (float(scale[0]), float(scale[1]))
    elif rev:
        lo, hi = float(np.nanmin(m)), float(np.nanmax(m))
        if not lo < hi:
            raise ValueError("cannot infer the scale for reverse keying: every answer is equal")
        used_scale, inferred = (lo, hi), True
        notes.append(
            Message(
                "scale_inferred",
                "No scale was given: reverse keying used the smallest and largest answer in "
                "the data (%(min)g and %(max)g) as the ends of the scale. If nobody chose "
                "an end of the scale, give the scale explicitly.",
                {"min": lo, "max": hi},
            )
        )
    rev_idx = [names.index(r) for r in rev]
    if rev_idx:
        assert used_scale is not None
        m[:, rev_idx] = used_scale[0] + used_scale[1] - m[:, rev_idx]
        notes.append(
            Message(
                "reversed",
                "Reverse keyed as %(min)g + %(max)g − x: %(items)s.",
                {"min": used_scale[0], "max": used_scale[1], "items": _names(rev)},
                rev,
            )
        )

    # items that cannot enter a covariance matrix are set aside, not fatal
    obs = ~np.isnan(m)
    answers = obs.sum(axis=0)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        constant = np.nanmax(m, axis=0) == np.nanmin(m, axis=0)
    too_few = answers < 2
    zero_var = constant & ~too_few
    keep = ~(too_few | zero_var)
    if zero_var.any():
        bad = tuple(names[j] for j in np.flatnonzero(zero_var))
        warnings.append(
            Message(
                "zero_variance",
                "Every respondent gave the same answer to %(items)s: an item without "
                "variance says nothing about differences between people and was left out "
                "of every statistic.",
                {"items": _names(bad)},
                bad,
            )
        )
    if too_few.any():
        bad = tuple(names[j] for j in np.flatnonzero(too_few))
        warnings.append(
            Message(
                "too_few_answers",
                "Fewer than two respondents answered %(items)s: left out of every statistic.",
                {"items": _names(bad)},
                bad,
            )
        )
    kept = np.flatnonzero(keep)
    k = int(kept.size)
    if k < 2:
        raise ValueError(
            f"fewer than 2 items vary ({k} of {len(names)}): reliability needs at least 2"
        )
    xs = m[:, kept]

    # ------------------------------------------------------------------ statistics
    alpha, why = _attempt(cronbach_alpha, xs, missing="pairwise", ci=CI_LEVEL)
    alpha_lw, _ = _attempt(cronbach_alpha, xs, missing="listwise", ci=CI_LEVEL)
    a = _num(alpha.alpha) if alpha is not None else None
    if a is None:
        warnings.append(
            Message(
                "not_computed",
                "%(statistic)s could not be computed: %(reason)s.",
                {
                    "statistic": "Alpha",
                    "reason": why
                    or "a pair of items shares fewer than 2 respondents, or the total has "
                    "no variance",
                },
            )
        )
    omega: float | None = None
    if k > OMEGA_MAX_ITEMS:
        notes.append(
            Message(
                "omega_skipped",
                "Omega is not computed for more than %(max)d items: the one-factor fit "
                "would take minutes.",
                {"max": OMEGA_MAX_ITEMS},
            )
        )
    elif k >= 3:
        value, why = _attempt(omega_total, xs)
        omega = _num(value)
        if omega is None:
            warnings.append(
                Message(
                    "not_computed",
                    "%(statistic)s could not be computed: %(reason)s.",
                    {"statistic": "Omega", "reason": why or "undefined"},
                )
            )
    else:
        notes.append(
            Message(
                "omega_needs_three",
                "Omega needs at least three items (two do not identify a one-factor model).",
            )
        )
    value, why = _attempt(guttman_lambda6, xs)
    lambda6 = _num(value)
    if lambda6 is None:
        warnings.append(
            Message(
                "not_computed",
                "%(statistic)s could not be computed: %(reason)s.",
                {"statistic": "Guttman's λ6", "reason": why or "undefined"},
            )
        )
    splits = n_splits if n_splits is not None else _auto_splits(n, k)
    odd_even = split_half(xs, method="odd_even")
    random_half = split_half(xs, method="random", n_splits=splits, rng=np.random.default_rng(seed))
    ia = item_analysis(xs)

    complete = xs[~np.isnan(xs).any(axis=1)]
    rows_complete = int(complete.shape[0])
    totals = complete.sum(axis=1)
    total_mean = _num(totals.mean()) if rows_complete else None
    total_sd = _num(totals.std(ddof=1)) if rows_complete >= 2 else None
    sem_value: float | None = None
    if total_sd is not None and a is not None and 0.0 <= a <= 1.0:
        sem_value = _num(sem(total_sd, a))

    # ------------------------------------------------------------------ items
    position = {int(j): i for i, j in enumerate(kept)}
    rows: list[ItemStats] = []
    for j, name in enumerate(names):
        col = m[:, j]
        answered = int(answers[j])
        if j in position:
            i = position[j]
            rows.append(
                ItemStats(
                    name=name,
                    reversed=name in rev,
                    n=int(ia.n[i]),
                    missing=n - int(ia.n[i]),
                    mean=_num(ia.mean[i]),
                    sd=_num(ia.sd[i]),
                    p=_num(ia.p[i]),
                    r_drop=_num(ia.r_drop[i]),
                    alpha_if_deleted=_num(ia.alpha_if_deleted[i]),
                    flags=ia.flags[i],
                    excluded=False,
                )
            )
        else:
            seen = col[~np.isnan(col)]
            mean = _num(seen.mean()) if answered else None
            dichotomous = answered > 0 and bool(np.isin(seen, (0.0, 1.0)).all())
            rows.append(
                ItemStats(
                    name=name,
                    reversed=name in rev,
                    n=answered,
                    missing=n - answered,
                    mean=mean,
                    sd=0.0 if zero_var[j] else None,
                    p=mean if dichotomous else None,
                    r_drop=None,
                    alpha_if_deleted=None,
                    flags=(FLAG_ZERO_VARIANCE if zero_var[j] else FLAG_TOO_FEW,),
                    excluded=True,
                )
            )

    # ------------------------------------------------------------------ warnings
    if a is not None and a < 0:
        warnings.append(
            Message(
                "negative_alpha",
                "Alpha is negative (%(alpha).2f): the items correlate negatively on "
                "average, which usually means some need reverse keying; see the items with "
                "a negative item-total correlation.",
                {"alpha": a},
            )
        )
    elif a is not None and a < LOW_ALPHA:
        warnings.append(
            Message(
                "low_alpha",
                "Alpha is %(alpha).2f, below .70: the total score is too imprecise for "
                "decisions about individuals.",
                {"alpha": a},
            )
        )
    elif a is not None and a >= REDUNDANT_ALPHA:
        notes.append(
            Message(
                "very_high_alpha",
                "Alpha is %(alpha).2f: above .95 some items may ask the same thing in other "
                "words (Streiner, 2003); check whether every item is needed.",
                {"alpha": a},
            )
        )
    if n < SMALL_N:
        warnings.append(
            Message(
                "small_n",
                "Only %(n)d respondents: too few for stable estimates. Treat every number "
                "as a rough indication; the interval around alpha shows how rough.",
                {"n": n},
            )
        )
    elif n < TENTATIVE_N:
        warnings.append(
            Message(
                "tentative_n",
                "%(n)d respondents: the estimates are tentative; item statistics settle "
                "from about 100 respondents.",
                {"n": n},
            )
        )
    flagged = tuple(r.name for r in rows if r.flags and not r.excluded)
    if flagged:
        warnings.append(
            Message(
                "flagged_items",
                "Items to look at (weak or negative item-total correlation, or alpha rises "
                "without them): %(items)s.",
                {"items": _names(flagged)},
                flagged,
            )
        )
    if rows_complete < 2:
        warnings.append(
            Message(
                "few_complete_rows",
                "Only %(rows)d respondents answered every item: listwise alpha, split-half "
                "and the SEM need at least 2.",
                {"rows": rows_complete},
            )
        )
    if a is not None and a < 0 and total_sd is not None:
        notes.append(Message("no_sem", "The SEM is not given because alpha is negative."))

    # ------------------------------------------------------------------ missing data
    cells = n * k
    cells_missing = int((~obs[:, kept]).sum())
    pairwise_n = int(alpha.n) if alpha is not None else 0
    if cells_missing == 0:
        treatment = (
            f"No answers are missing: every statistic uses all {n} respondents "
            "(pairwise and listwise give the same result)."
        )
    else:
        treatment = (
            "Alpha, standardised alpha, λ6, omega and the item statistics use "
            "pairwise-complete covariances, as psych::alpha does: each covariance comes "
            "from the respondents who answered both items; the interval of alpha uses the "
            f"smallest such n ({pairwise_n}). Listwise alpha, the split-half coefficients "
            f"and the SD of the total (for the SEM) use the {rows_complete} respondents "
            "who answered every item. Missing answers are never filled in."
        )
    missing = MissingData(
        cells=cells,
        cells_missing=cells_missing,
        rows_complete=rows_complete,
        rows_empty=rows_empty,
        pairwise_n=pairwise_n,
        treatment=treatment,
    )
    return ScaleAnalysis(
        n=n,
        k=k,
        items=tuple(rows),
        reverse=rev,
        scale=used_scale,
        scale_inferred=inferred,
        missing=missing,
        alpha=alpha,
        alpha_listwise=alpha_lw,
        omega_total=omega,
        guttman_lambda6=lambda6,
        split_half_odd_even=odd_even,
        split_half_random=random_half,
        n_splits=splits,
        seed=seed,
        total_mean=total_mean,
        total_sd=total_sd,
        sem=sem_value,
        reading=read_alpha(a),
        warnings=tuple(warnings),
        notes=tuple(notes),
    )
