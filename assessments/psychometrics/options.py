r"""Option (distractor) analysis for single-choice and situational-judgement items.

Each column of ``choices`` is one keyed choice: a single-choice item, or one half of an
SJT "most / least effective" item (score the *most* and the *least* answers as two
columns, each with its own keyed option). For every option of every item the analysis
gives the share of respondents choosing it and the point-biserial correlation between
choosing it and the total score; per item it lists unused options, checks whether low
scorers prefer the key to high scorers, and raises flags.

The totals are used as given. For short tests pass a corrected total (without the item)
if the item's own contribution should not inflate the keyed option's correlation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["OptionAnalysis", "option_analysis"]

FLAG_NO_ANSWERS = "no answers"
FLAG_KEY_NOT_POSITIVE = "keyed option r_pb <= 0"
FLAG_DISTRACTOR_ABOVE_KEY = "a distractor has a higher r_pb than the key"
FLAG_KEY_LOW = "key preferred by low scorers"
FLAG_UNUSED = "unused option(s)"


def _json_float(v: float) -> float | None:
    v = float(v)
    return None if math.isnan(v) else v


def _json_rows(a: np.ndarray) -> list[list[float | None]]:
    return [[_json_float(v) for v in row] for row in np.asarray(a, dtype=float)]


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.asarray(a)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class OptionAnalysis:
    """Option statistics; arrays are items x options (read-only).

    Attributes
    ----------
    n : ndarray of int
        Respondents who answered each item.
    share : ndarray
        Proportion choosing each option among those who answered the item (NaN for an
        item nobody answered).
    point_biserial : ndarray
        Pearson correlation between choosing the option (1/0, among those who answered
        the item) and the total; NaN when nobody or everybody chose it or the totals of
        those answering are constant.
    key : ndarray of int
        Keyed option per item.
    key_share_low, key_share_high : ndarray
        Share choosing the key in the bottom and top third of totals (among those of the
        group who answered the item; NaN when none did).
    unused : tuple of tuple of int
        Per item, the options nobody chose.
    key_preferred_by_low : tuple of bool
        Per item, True when ``key_share_low > key_share_high``.
    flags : tuple of tuple of str
        Per item, any of ``"no answers"``, ``"keyed option r_pb <= 0"``, ``"a distractor
        has a higher r_pb than the key"``, ``"key preferred by low scorers"``,
        ``"unused option(s)"``.
    """

    n: np.ndarray
    share: np.ndarray
    point_biserial: np.ndarray
    key: np.ndarray
    key_share_low: np.ndarray
    key_share_high: np.ndarray
    unused: tuple[tuple[int, ...], ...]
    key_preferred_by_low: tuple[bool, ...]
    flags: tuple[tuple[str, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": [int(v) for v in self.n],
            "share": _json_rows(self.share),
            "point_biserial": _json_rows(self.point_biserial),
            "key": [int(v) for v in self.key],
            "key_share_low": [_json_float(v) for v in self.key_share_low],
            "key_share_high": [_json_float(v) for v in self.key_share_high],
            "unused": [list(u) for u in self.unused],
            "key_preferred_by_low": [bool(v) for v in self.key_preferred_by_low],
            "flags": [list(f) for f in self.flags],
        }


def _validate(
    choices: np.ndarray,
    key: Sequence[int] | np.ndarray,
    totals: Sequence[float] | np.ndarray,
    n_options: int | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    c = np.asarray(choices, dtype=float)
    if c.ndim != 2:
        raise ValueError(
            f"choices must be a 2-D respondents x items matrix, got {c.ndim} dimension(s)"
        )
    obs = ~np.isnan(c)
    vals = c[obs]
    if np.isinf(vals).any() or (vals != np.round(vals)).any() or (vals < 0).any():
        raise ValueError("choices must be non-negative integer option indices or NaN")
    k = np.asarray(key)
    if k.ndim != 1 or k.size != c.shape[1]:
        raise ValueError(f"key must be 1-D with one option per item ({c.shape[1]}), got {k.shape}")
    if k.dtype.kind not in "iu":
        raise ValueError(f"key must be an integer array, got dtype {k.dtype}")
    if (k < 0).any():
        raise ValueError("key must contain non-negative option indices")
    t = np.asarray(totals, dtype=float)
    if t.ndim != 1 or t.size != c.shape[0]:
        raise ValueError(
            f"totals must be 1-D with one score per respondent ({c.shape[0]}), got {t.shape}"
        )
    if not np.isfinite(t).all():
        raise ValueError("totals must be finite (drop respondents without a total first)")
    needed = int(max(vals.max(initial=-1), k.max(initial=-1))) + 1
    if n_options is None:
        n_options = needed
    elif not isinstance(n_options, int | np.integer) or n_options < needed:
        raise ValueError(
            f"n_options must be an integer >= the largest option index + 1 ({needed}), "
            f"got {n_options!r}"
        )
    return c, k.astype(np.intp), t, int(n_options)


def option_analysis(
    choices: np.ndarray,
    key: Sequence[int] | np.ndarray,
    totals: Sequence[float] | np.ndarray,
    *,
    n_options: int | None = None,
) -> OptionAnalysis:
    r"""Shares, point-biserials and low/high-group checks for every option of every item.

    For item j and option o, with :math:`d_{i} = 1` when respondent i (among the
    :math:`n_j` who answered item j) chose o and 0 otherwise:

    .. math::

        \text{share}_{jo} = \bar d, \qquad
        r_{pb,jo} = \frac{\sum_i (d_i - \bar d)(T_i - \bar T)}
        {\sqrt{\sum_i (d_i - \bar d)^2 \sum_i (T_i - \bar T)^2}}
        = \frac{\bar T_1 - \bar T_0}{s_T}\sqrt{\bar d (1-\bar d)}

    (the Pearson correlation of d with the total T; :math:`s_T` the population SD of the
    answering respondents' totals). The bottom and top thirds are the respondents with
    totals at or below the 1/3 quantile and at or above the 2/3 quantile of all totals
    (``numpy.quantile``, linear interpolation); ties at a cut-off go into the group, so
    the result does not depend on row order.

    Parameters
    ----------
    choices : ndarray
        Respondents x items, the chosen option index (0-based) or NaN when not answered.
    key : array_like of int
        Keyed option index per item.
    totals : array_like
        Total score per respondent (finite).
    n_options : int, optional
        Number of options per item; by default the largest option index seen in
        ``choices`` or ``key``, plus one. Pass it so that options nobody chose at the end
        of the range are reported as unused.

    Returns
    -------
    OptionAnalysis

    References
    ----------
    Haladyna, T. M., & Rodriguez, M. C. (2013). *Developing and Validating Test Items*.
    Routledge, ch. 18 (distractor analysis: option frequencies and option-total
    correlations).
    Attali, Y., & Fraenkel, T. (2000). The point-biserial as a discrimination index for
    distractors in multiple-choice items: Deficiencies in usage and an alternative.
    *Journal of Educational Measurement*, 37(1), 77-86.
    """
    c, k, t, n_opt = _validate(choices, key, totals, n_options)
    n_items = c.shape[1]
    obs = ~np.isnan(c)  # respondents x items
    opts = np.arange(n_opt)
    # d[i, j, o] = respondent i chose option o on item j (False when not answered).
    d = np.where(obs, c, -1.0)[:, :, None] == opts[None, None, :]
    w = obs[:, :, None].astype(float)

    n = obs.sum(axis=0)  # per item
    count = d.sum(axis=0).astype(float)  # items x options
    with np.errstate(invalid="ignore", divide="ignore"):
        share = count / n[:, None]

        # Pearson r of d with the total over the answering respondents of each item.
        t_mean = (obs * t[:, None]).sum(axis=0) / n  # per item
        tc = (t[:, None] - t_mean[None, :]) * obs  # centred totals, 0 when not answered
        dc = (d - share[None, :, :]) * w
        sxy = (dc * tc[:, :, None]).sum(axis=0)
        sxx = (dc * dc).sum(axis=0)
        syy = (tc * tc).sum(axis=0)[:, None]
        scale = np.maximum(np.abs(t).max(initial=0.0), 1.0)
        ok = (count > 0) & (count < n[:, None]) & (syy > (1e-12 * scale) ** 2 * n[:, None])
        r_pb = np.where(ok, sxy / np.sqrt(sxx * syy), np.nan)
        r_pb = np.clip(r_pb, -1.0, 1.0)

        # Key share in the bottom and top thirds.
        lo_cut, hi_cut = np.quantile(t, [1.0 / 3.0, 2.0 / 3.0])
        key_chosen = (c == k[None, :]) & obs
        low = (t <= lo_cut)[:, None] & obs
        high = (t >= hi_cut)[:, None] & obs
        key_low = (key_chosen & low).sum(axis=0) / low.sum(axis=0)
        key_high = (key_chosen & high).sum(axis=0) / high.sum(axis=0)

    prefer_low = np.nan_to_num(key_low, nan=-1.0) > np.nan_to_num(key_high, nan=np.inf)
    unused = tuple(tuple(int(o) for o in np.flatnonzero(count[j] == 0)) for j in range(n_items))

    flags: list[tuple[str, ...]] = []
    for j in range(n_items):
        f: list[str] = []
        if n[j] == 0:
            flags.append((FLAG_NO_ANSWERS,))
            continue
        r_key = r_pb[j, k[j]]
        if not math.isnan(r_key) and r_key <= 0.0:
            f.append(FLAG_KEY_NOT_POSITIVE)
        others = np.delete(r_pb[j], k[j])
        others = others[~np.isnan(others)]
        if others.size and not math.isnan(r_key) and others.max() > r_key:
            f.append(FLAG_DISTRACTOR_ABOVE_KEY)
        if prefer_low[j]:
            f.append(FLAG_KEY_LOW)
        if unused[j]:
            f.append(FLAG_UNUSED)
        flags.append(tuple(f))

    return OptionAnalysis(
        n=_frozen(n),
        share=_frozen(share),
        point_biserial=_frozen(r_pb),
        key=_frozen(k),
        key_share_low=_frozen(key_low),
        key_share_high=_frozen(key_high),
        unused=unused,
        key_preferred_by_low=tuple(bool(v) for v in prefer_low),
        flags=tuple(flags),
    )
