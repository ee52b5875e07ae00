r"""Aggregation of 360 ratings into a report, with rater anonymity enforced here.

Inputs are matrices: ``ratings`` is raters x statements on the raw scale (NaN for "Cannot
say" or missing), one rater group per row, one competency key and one reverse-key flag
per column. Every statistic is computed over whole matrices; the only Python loops run
over the handful of rater groups or build the output.

Anonymity rules
---------------
Rater groups are ``"self"``, ``"manager"``, ``"peer"``, ``"direct_report"`` and
``"customer"``; ``"others"`` is everyone except self. ``threshold`` (default 3) is the
smallest number of raters whose ratings may be shown together.

1. **Self and manager** are shown as themselves whatever their size: the report says so
   in ``notes`` (the manager's ratings are not anonymous).
2. **Any other group** with fewer than ``threshold`` raters is *suppressed*: it is not
   shown on its own, and ``suppressed_groups`` names it (names only, never counts).
3. **Others** (all non-self raters, suppressed groups included) is shown only when it
   has at least ``threshold`` raters. When it is not shown, the ratings and comments of
   suppressed groups are used nowhere: only raters who count contribute to any figure.
4. **Per statement and per competency** the same rules apply to the raters who actually
   gave a rating (``n``): the mean, SD and distribution of a group other than self and
   manager, and of others, are shown (not None) only when ``n >= threshold``. ``n`` itself
   is always shown for a shown group.
5. **Complementary suppression** (``complementary=True``, the default): "others" minus
   the groups shown beside it leaves the pooled ratings of the suppressed raters, which
   could be worked out by subtraction (others sum - manager sum - peer sum = the direct
   reports' sum; with distributions even each rating). So whenever that remainder holds
   between 1 and ``threshold - 1`` raters, the smallest group shown beside others (never
   self or manager; on ties the later in the order above) is withheld as well and joins
   the remainder; when no such group is left, others is withheld. This runs for the
   whole report (a group withheld this way is listed in ``suppressed_groups``) and again
   for each statement and competency, where "Cannot say" answers change the counts.
   ``complementary=False`` gives rules 1-4 alone.

6. **Competency figures come from statement figures.** A group's competency mean is
   the mean of its *shown* statement means over the competency's statements (and its
   agreement comes from the shown statement SDs), so no competency figure adds anything
   to the statement figures beside it. (A mean of rater scores would not: with four
   peers of whom one answered "Cannot say" once, the statement means and the mean of
   the four competency scores give that peer's score exactly.)
7. **Releases** (``batches``). When a report is released again after late answers, each
   rater carries the release in which they were first counted. In each figure, the
   raters of a release count only when rules 1-6 applied to that release's raters alone
   would show that figure; otherwise they are held back from it (not counted in its n,
   mean, SD or distribution). So every released figure, in this and every earlier
   release, pools figures of per-release reports over disjoint raters, each safe on its
   own: subtracting one release from the next gives at most what the late raters' own
   report would show. One late peer counts in no figure; two direct reports withheld in
   the first release are never merged with five who answered late (those five form the
   figure). Comments of a release's raters are shown only as that release's rules allow
   (with its own ``others`` shown). With one release this rule changes nothing.

No output holds per-rater data: no rater ids, no rater order, no per-rater scores, and
comments carry no group (self's own comments are returned apart, as ``self_texts``).

Scores
------
Means and SDs are on the *scored* scale (reverse-keyed statements flipped,
``min + max - x``); distributions count the *raw* answers ``min..max``. Missing data are
handled pairwise: each figure uses the raters who gave the ratings it needs.

- Statement, per group: ``n`` raters who rated it, mean, SD (ddof=1, None when n < 2),
  distribution.
- Competency, per group: ``n`` raters who rated at least one of its statements, and
  the mean of the group's shown statement means over its statements,
  :math:`\bar x_{gc} = \frac{1}{|S^*_{gc}|}\sum_{s \in S^*_{gc}} \bar x_{gs}` with
  :math:`S^*_{gc}` the statements of competency c shown for group g (rule 6). With no
  "Cannot say" this equals the mean of the raters' competency scores.
- Agreement, per competency, within each shown group of two or more raters: rwg(J)
  over the competency's statements with the uniform null distribution
  (:func:`assessments.psychometrics.agreement.rwg_j_groups`;
  :math:`\sigma^2_{EU} = (A^2 - 1)/12 = 2` for A = 5 points), and the mean over those
  statements of the group's statement SD. Both use only the statement figures of that
  group which are shown (rule 4) and have n >= 2.
- Self-other gap: self mean - others mean, per statement and per competency (None when
  either is not shown).
- Blind spot: a competency with self - others >= ``gap`` (default 1.0 scale point);
  hidden strength: others - self >= ``gap``.
- Highest and lowest: the ``extremes`` (5) statements with the highest and lowest
  others mean, ties broken by statement order. The two lists are chosen independently
  and overlap when there are fewer than 2 x ``extremes`` statements.

References
----------
James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
reliability with and without response bias. *Journal of Applied Psychology*, 69(1), 85-98.
doi:10.1037/0021-9010.69.1.85
Fleenor, J. W., Taylor, S., & Chappelow, C. (2008). *Leveraging the Impact of 360-Degree
Feedback*. Pfeiffer (rater anonymity, minimum group sizes, self-other agreement).
Hundepool, A., Domingo-Ferrer, J., Franconi, L., Giessing, S., Schulte Nordholt, E.,
Spicer, K., & de Wolf, P.-P. (2012). *Statistical Disclosure Control*. Wiley.
doi:10.1002/9781118348239 (primary and complementary cell suppression).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assessments.psychometrics.agreement import rwg_j_groups
from assessments.survey360.instrument import QUESTION_KEYS, Scale, scored

__all__ = [
    "GROUPS",
    "OTHERS",
    "CommentSet",
    "CompetencyResult",
    "CompetencyStats",
    "GroupSize",
    "RankedStatement",
    "Report360",
    "StatementResult",
    "StatementStats",
    "aggregate",
    "aggregate_counted",
]

GROUPS: tuple[str, ...] = ("self", "manager", "peer", "direct_report", "customer")
"""Rater groups, in report order."""
ALWAYS_SHOWN: tuple[str, ...] = ("self", "manager")
OTHERS = "others"
_GAP_TOLERANCE = 1e-9


# --- report types (plain Python values only, so they serialise to JSON as they are) -----


@dataclass(frozen=True)
class GroupSize:
    """A group shown in the report and its number of raters."""

    name: str
    n: int


@dataclass(frozen=True)
class StatementStats:
    """One group's figures on one statement.

    ``n`` raters gave a rating; ``mean`` and ``sd`` are on the scored scale,
    ``distribution`` counts the raw answers min..max. All three are None when withheld
    (anonymity rules 4 and 5), ``sd`` also when n < 2.
    """

    n: int
    mean: float | None
    sd: float | None
    distribution: tuple[int, ...] | None


@dataclass(frozen=True)
class StatementResult:
    id: int
    competency: str
    reverse: bool
    groups: dict[str, StatementStats]
    gap: float | None


@dataclass(frozen=True)
class CompetencyStats:
    """One group's figures on one competency.

    ``n`` raters rated at least one of its statements; ``mean`` is the mean of the
    group's shown statement means (rule 6).
    ``rwg`` and ``mean_sd`` describe agreement within the group (None for fewer than
    two raters or when no shown statement has two ratings).
    """

    n: int
    mean: float | None
    rwg: float | None
    mean_sd: float | None


@dataclass(frozen=True)
class CompetencyResult:
    key: str
    statements: tuple[int, ...]
    groups: dict[str, CompetencyStats]
    gap: float | None


@dataclass(frozen=True)
class RankedStatement:
    id: int
    mean: float


@dataclass(frozen=True)
class CommentSet:
    """Comments on a competency or answers to an open question (``key``).

    ``texts`` come from every rater who counts except self, without any group, in random
    order; ``self_texts`` are the person's own.
    """

    key: str
    texts: tuple[str, ...]
    self_texts: tuple[str, ...]


@dataclass(frozen=True)
class Report360:
    """The aggregated 360 report of one person.

    Serialises to JSON as it is (``dataclasses.asdict`` or msgspec): floats, ints,
    strings, tuples and dicts only; a missing figure is None, never NaN.
    """

    threshold: int
    scale: tuple[int, int]
    groups: tuple[GroupSize, ...]
    suppressed_groups: tuple[str, ...]
    competencies: tuple[CompetencyResult, ...]
    statements: tuple[StatementResult, ...]
    blind_spots: tuple[str, ...]
    hidden_strengths: tuple[str, ...]
    highest: tuple[RankedStatement, ...]
    lowest: tuple[RankedStatement, ...]
    comments: tuple[CommentSet, ...]
    notes: tuple[str, ...]
    rules: str


# --- validation -------------------------------------------------------------------------


def _scale(scale: Scale | tuple[int, int]) -> tuple[int, int]:
    if isinstance(scale, Scale):
        return scale.min, scale.max
    try:
        lo, hi = scale
    except (TypeError, ValueError):
        raise ValueError(f"scale must be a Scale or a (min, max) pair, got {scale!r}") from None
    if not all(float(v).is_integer() for v in (lo, hi)) or lo >= hi:
        raise ValueError(f"scale must be two integers min < max, got {scale!r}")
    return int(lo), int(hi)


def _ratings(ratings: np.ndarray, lo: int, hi: int) -> np.ndarray:
    raw = np.asarray(ratings, dtype=float)
    if raw.ndim != 2:
        raise ValueError(f"ratings must be a 2-D raters x statements array, got shape {raw.shape}")
    bad = ~np.isnan(raw) & ((raw < lo) | (raw > hi) | (raw != np.round(raw)))
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"ratings must be whole points {lo}..{hi} or NaN; found {raw[where]!r} at {where}"
        )
    return raw


def _groups(groups: Sequence[str] | np.ndarray, n_raters: int) -> np.ndarray:
    g = np.asarray(groups, dtype=object)
    if g.shape != (n_raters,):
        raise ValueError(f"groups must name one group per rater ({n_raters}), got shape {g.shape}")
    unknown = sorted({str(v) for v in g if v not in GROUPS})
    if unknown:
        raise ValueError(
            f"unknown rater group(s) {', '.join(map(repr, unknown))}; "
            f"expected one of {', '.join(GROUPS)}"
        )
    if np.sum(g == "self") > 1:
        raise ValueError("at most one rater can be 'self'")
    return g


def _batches(batches: Sequence[int] | np.ndarray | None, n_raters: int) -> np.ndarray:
    if batches is None:
        return np.ones(n_raters, dtype=np.int64)
    b = np.asarray(batches)
    if b.shape != (n_raters,):
        raise ValueError(
            f"batches must give one release per rater ({n_raters}), got shape {b.shape}"
        )
    if b.dtype.kind not in "iu" or (b < 1).any():
        raise ValueError("batches must be whole release numbers >= 1")
    return b.astype(np.int64)


def _statement_ids(ids: Sequence[int] | None, n: int) -> tuple[int, ...]:
    if ids is None:
        return tuple(range(1, n + 1))
    out = tuple(int(i) for i in ids)
    if len(out) != n:
        raise ValueError(f"statement_ids must hold one id per statement ({n}), got {len(out)}")
    if len(set(out)) != n:
        raise ValueError("statement_ids must be unique")
    return out


# --- anonymity ----------------------------------------------------------------------------


def _visibility(
    counts: np.ndarray,
    always: np.ndarray,
    pooled: np.ndarray,
    others: np.ndarray,
    threshold: int,
    complementary: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Which cells may be shown (anonymity rules 1-5), for many units at once.

    Parameters
    ----------
    counts : ndarray of int, groups x units
        Raters of each shown-candidate group contributing to each unit (a whole report,
        a statement or a competency).
    always : ndarray of bool, groups
        Self and manager: shown whenever they contribute.
    pooled : ndarray of bool, groups
        Groups whose raters are part of others (all but self).
    others : ndarray of int, units
        Raters contributing to others at each unit (0 when others is not shown at all).

    Returns
    -------
    visible : ndarray of bool, groups x units
    others_visible : ndarray of bool, units
    """
    visible = np.where(always[:, None], counts > 0, counts >= threshold)
    others_visible = others >= threshold
    if not complementary:
        return visible, others_visible
    big = np.iinfo(np.int64).max
    for _ in range(counts.shape[0] + 1):
        residual = others - np.sum(np.where(visible & pooled[:, None], counts, 0), axis=0)
        leaky = others_visible & (residual > 0) & (residual < threshold)
        if not leaky.any():
            break
        candidates = visible & pooled[:, None] & ~always[:, None] & leaky[None, :]
        has = candidates.any(axis=0)
        # the smallest candidate; reversed so that ties go to the later group
        smallest = np.argmin(np.where(candidates, counts, big)[::-1], axis=0)
        pick = counts.shape[0] - 1 - smallest
        units = np.flatnonzero(has)
        visible[pick[units], units] = False
        others_visible &= ~(leaky & ~has)
    return visible, others_visible


def _allowed(
    member: np.ndarray,
    group: np.ndarray,
    sel: np.ndarray,
    has: np.ndarray,
    always: np.ndarray,
    pooled: np.ndarray,
    threshold: int,
    complementary: bool,
) -> tuple[np.ndarray, set[str]]:
    """Where the raters in ``sel`` (one release) may contribute to a figure (rule 7).

    Returns rows (the groups of :data:`GROUPS`, then others) x units, True where those
    raters contribute nothing or a figure that rules 1-6 applied to them alone would show;
    and the groups whose comments those rules pool into others.
    """
    sizes = (member & sel[None, :]).sum(axis=1)
    shown, oshown_col = _visibility(
        sizes[:, None], always, pooled, np.array([sizes[pooled].sum()]), threshold, complementary
    )
    shown, oshown = shown[:, 0], bool(oshown_col[0])
    rows = np.vstack([member & sel[None, :], ((group != "self") & sel)[None, :]])
    counts = rows.astype(np.int64) @ has.astype(np.int64)
    where = np.flatnonzero(shown)
    vis, ovis = _visibility(
        counts[where],
        always[where],
        pooled[where],
        counts[-1] if oshown else np.zeros(counts.shape[1], dtype=np.int64),
        threshold,
        complementary,
    )
    ok = np.zeros(counts.shape, dtype=bool)
    ok[where] = vis
    ok[-1] = ovis & oshown
    names = np.array(GROUPS, dtype=object)
    comment_groups = {str(g) for g in names[shown & pooled]} | (
        {str(g) for g in names[(sizes > 0) & ~shown]} if oshown else set()
    )
    return (counts == 0) | ok, comment_groups


# --- statistics -------------------------------------------------------------------------


def _num(value: float) -> float | None:
    return None if not np.isfinite(value) else float(value)


def _statement_stats(
    counted: np.ndarray, x: np.ndarray, raw: np.ndarray, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """n, mean, SD (ddof=1) and distribution of every row (a group) x statement.

    ``counted`` (rows x raters x statements) marks the ratings each figure contains.
    """
    n = counted.sum(axis=1)
    x0 = np.where(counted, x[None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = x0.sum(axis=1) / n
        dev = np.where(counted, x[None] - mean[:, None, :], 0.0)
        sd = np.sqrt(np.sum(dev * dev, axis=1) / (n - 1))
    sd = np.where(n >= 2, sd, np.nan)
    onehot = (raw[:, :, None] == points[None, None, :]).astype(np.int64)
    dist = np.einsum("grs,rsa->gsa", counted.astype(np.int64), onehot)
    return n, mean, sd, dist


def _agreement(
    x: np.ndarray,
    masks: np.ndarray,
    shown: np.ndarray,
    sd: np.ndarray,
    comp_index: np.ndarray,
    n_comp: int,
    scale: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """rwg(J) and mean statement SD per row (group) x competency over shown statements.

    A thin adapter to :func:`assessments.psychometrics.agreement.rwg_j_groups`, which
    takes raters x groups x items: here the raters are the group's raters, the "groups"
    the competencies and the items the competency's statements, padded to a common length
    with NaN. Padded and withheld slots have no ratings, so they are left out of J (it
    counts statements rated by at least two raters). ``shown`` (rows x raters x
    statements) marks the ratings each shown statement figure contains.
    """
    n_rows = masks.shape[0]
    onehot = np.zeros((x.shape[1], n_comp))
    onehot[np.arange(x.shape[1]), comp_index] = 1.0
    slot = (np.cumsum(onehot, axis=0) - 1)[np.arange(x.shape[1]), comp_index].astype(int)
    width = max(2, int(onehot.sum(axis=0).max(initial=0)))
    rwg = np.full((n_rows, n_comp), np.nan)
    sizes = masks.sum(axis=1)
    shown_cells = shown.any(axis=1)
    for r in np.flatnonzero(sizes >= 2):
        judges = np.where(shown[r][masks[r]], x[masks[r]], np.nan)
        padded = np.full((judges.shape[0], n_comp, width), np.nan)
        padded[:, comp_index, slot] = judges
        rwg[r] = rwg_j_groups(padded, options=scale[1] - scale[0] + 1)
    sd_shown = np.where(shown_cells & (sizes >= 2)[:, None], sd, np.nan)
    have = np.isfinite(sd_shown)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_sd = (np.where(have, sd_shown, 0.0) @ onehot) / (have.astype(float) @ onehot)
    return rwg, mean_sd


def _ranked(
    means: np.ndarray, ids: tuple[int, ...], k: int, highest: bool
) -> tuple[RankedStatement, ...]:
    idx = np.flatnonzero(np.isfinite(means))
    key = -means[idx] if highest else means[idx]
    order = idx[np.lexsort((idx, key))][:k]
    return tuple(RankedStatement(ids[i], float(means[i])) for i in order)


# --- comments ---------------------------------------------------------------------------


def _comments(
    comments: Sequence[tuple[str, str, str] | tuple[str, str, str, int]],
    keys: Sequence[str],
    sizes: dict[str, int],
    pooled_groups: dict[int, set[str]],
    rng: np.random.Generator | None,
) -> tuple[CommentSet, ...]:
    pool: dict[str, list[str]] = {k: [] for k in keys}
    own: dict[str, list[str]] = {k: [] for k in keys}
    for n, item in enumerate(comments):
        try:
            key, text, group, *rest = item
        except (TypeError, ValueError):
            raise ValueError(
                f"comments[{n}] must be a (key, text, group) triple, got {item!r}"
            ) from None
        batch = rest[0] if len(rest) == 1 else 1
        if len(rest) > 1 or batch not in pooled_groups:
            raise ValueError(
                f"comments[{n}] must be (key, text, group) or (key, text, group, batch) with "
                f"a batch of batches, got {item!r}"
            )
        if key not in pool:
            raise ValueError(
                f"comments[{n}]: unknown key {key!r}; expected a competency of the statements "
                f"or one of {', '.join(QUESTION_KEYS)}"
            )
        if group not in GROUPS:
            raise ValueError(f"comments[{n}]: unknown rater group {group!r}")
        if sizes[group] == 0:
            raise ValueError(f"comments[{n}]: group {group!r} has no rater in ratings")
        if not isinstance(text, str):
            raise ValueError(f"comments[{n}]: text must be a string, got {type(text).__name__}")
        text = text.strip()
        if not text:
            continue
        if group == "self":
            own[key].append(text)
        elif group in pooled_groups[batch]:
            pool[key].append(text)
    out = []
    for key in keys:
        texts = pool[key]
        if rng is not None:
            texts = [texts[i] for i in rng.permutation(len(texts))]
        else:
            texts = sorted(texts, key=lambda t: (t.casefold(), t))
        out.append(CommentSet(key, tuple(texts), tuple(own[key])))
    return tuple(out)


# --- the report -------------------------------------------------------------------------


def _notes(
    threshold: int, suppressed: bool, others_shown: bool, complementary: bool, shuffled: bool
) -> tuple[str, ...]:
    notes = [
        "Self and manager ratings are shown as they are, whatever the number of raters: "
        "the manager's ratings are not anonymous.",
        f"Other rater groups, and 'others' (everyone except self), are shown only with at "
        f"least {threshold} raters; a statement's or a competency's mean, SD and "
        f"distribution only with at least {threshold} ratings.",
    ]
    if complementary:
        notes.append(
            "A group, or 'others', may also be withheld for the whole report or for one "
            "statement or competency when 'others' minus the groups shown would leave fewer "
            f"than {threshold} raters, whose ratings could then be worked out by subtraction."
        )
    if suppressed and others_shown:
        notes.append(
            "The ratings and comments of the groups in suppressed_groups are included in "
            "'others' only."
        )
    elif suppressed:
        notes.append(
            "'others' is not shown, so the ratings and comments of the groups in "
            "suppressed_groups are not used anywhere in this report."
        )
    elif not others_shown:
        notes.append(f"'others' is not shown: it has fewer than {threshold} raters.")
    order = "random" if shuffled else "alphabetical"
    notes.append(f"Comments are shown without the rater's group, in {order} order.")
    return tuple(notes)


def _rules(gap: float, extremes: int, scale: tuple[int, int]) -> str:
    return (
        f"Blind spot: self mean - others mean >= {gap:g} scale point(s) on a competency "
        f"(the person rates themselves notably higher than others do). Hidden strength: "
        f"others mean - self mean >= {gap:g}. Means are on the scored {scale[0]}-{scale[1]} "
        f"scale (reverse-keyed statements flipped, 'Cannot say' left out); a competency "
        f"score is the mean of a rater's ratings on its statements and the group mean is "
        f"the mean of those scores. Highest and lowest: the {extremes} statements with the "
        f"highest and lowest 'others' mean, ties broken by statement order."
    )


def aggregate(
    ratings: np.ndarray,
    groups: Sequence[str] | np.ndarray,
    statement_competency: Sequence[str],
    reverse: Sequence[bool] | np.ndarray,
    *,
    threshold: int = 3,
    scale: Scale | tuple[int, int] = (1, 5),
    statement_ids: Sequence[int] | None = None,
    comments: Sequence[tuple[str, str, str] | tuple[str, str, str, int]] = (),
    rng: np.random.Generator | None = None,
    gap: float = 1.0,
    extremes: int = 5,
    complementary: bool = True,
    batches: Sequence[int] | np.ndarray | None = None,
) -> Report360:
    """Aggregate one person's 360 ratings into an anonymity-safe report.

    Parameters
    ----------
    ratings : ndarray, raters x statements
        Raw ratings, whole points of ``scale``; NaN for "Cannot say" or missing. One row
        per rater who submitted.
    groups : sequence of str, raters
        Each rater's group, one of :data:`GROUPS`; at most one ``"self"``.
    statement_competency : sequence of str, statements
        The competency key of each statement; competencies are reported in order of
        first appearance.
    reverse : sequence of bool, statements
        True for a reverse-keyed statement (scored ``min + max - x``).
    threshold : int
        The smallest number of raters shown together (anonymity rules in the module
        docstring).
    scale : Scale or (min, max)
    statement_ids : sequence of int, optional
        Ids reported for the statements; default 1..S (the ids of
        :func:`assessments.survey360.instrument.build_instrument`).
    comments : sequence of (key, text, group) or (key, text, group, batch)
        Free text on a competency (its key) or an open question (``"strengths"``,
        ``"start_stop"``) with the writer's group (and release, with ``batches``; 1 when
        left out). Empty texts are dropped.
    rng : numpy.random.Generator, optional
        Shuffles the comments; without it they are sorted alphabetically, so their order
        never follows submission order.
    gap : float
        Self-other difference (scale points) that marks a blind spot or hidden strength.
    extremes : int
        How many highest and lowest statements to list.
    complementary : bool
        Apply complementary suppression (rule 5).
    batches : sequence of int, raters, optional
        The release (1, 2, ...) in which each rater was first counted (rule 7); default
        all raters in one.

    Returns
    -------
    Report360

    Raises
    ------
    ValueError
        On shapes that do not match, ratings off the scale, unknown groups or comment
        keys, more than one self rater, or invalid parameters.
    """
    return aggregate_counted(
        ratings,
        groups,
        statement_competency,
        reverse,
        threshold=threshold,
        scale=scale,
        statement_ids=statement_ids,
        comments=comments,
        rng=rng,
        gap=gap,
        extremes=extremes,
        complementary=complementary,
        batches=batches,
    )[0]


def aggregate_counted(
    ratings: np.ndarray,
    groups: Sequence[str] | np.ndarray,
    statement_competency: Sequence[str],
    reverse: Sequence[bool] | np.ndarray,
    *,
    threshold: int = 3,
    scale: Scale | tuple[int, int] = (1, 5),
    statement_ids: Sequence[int] | None = None,
    comments: Sequence[tuple[str, str, str] | tuple[str, str, str, int]] = (),
    rng: np.random.Generator | None = None,
    gap: float = 1.0,
    extremes: int = 5,
    complementary: bool = True,
    batches: Sequence[int] | np.ndarray | None = None,
) -> tuple[Report360, np.ndarray]:
    """The report of :func:`aggregate`, and which ratings its statement figures contain.

    Parameters are those of :func:`aggregate`. The second result is bool, raters x
    statements: the ratings no figure shows (withheld groups, raters of a release held
    back by rule 7, "cannot say") are False and must enter no other figure (the
    reliability of a cycle uses only the True ones). It is per rater, so it is never part
    of a report: only the caller's own further statistics may use it.
    """
    lo, hi = _scale(scale)
    raw = _ratings(ratings, lo, hi)
    n_raters, n_statements = raw.shape
    group = _groups(groups, n_raters)
    comp = tuple(str(c) for c in statement_competency)
    if len(comp) != n_statements:
        raise ValueError(
            f"statement_competency must name one competency per statement ({n_statements}), "
            f"got {len(comp)}"
        )
    if n_statements == 0:
        raise ValueError("ratings must have at least one statement (column)")
    ids = _statement_ids(statement_ids, n_statements)
    if isinstance(threshold, bool) or not isinstance(threshold, int | np.integer):
        raise ValueError(f"threshold must be an int, got {threshold!r}")
    if threshold < 1:
        raise ValueError(f"threshold must be >= 1, got {threshold}")
    if not (np.isfinite(gap) and gap > 0):
        raise ValueError(f"gap must be a positive number of scale points, got {gap!r}")
    if isinstance(extremes, bool) or not isinstance(extremes, int) or extremes < 0:
        raise ValueError(f"extremes must be an int >= 0, got {extremes!r}")
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    threshold = int(threshold)
    batch = _batches(batches, n_raters)
    x = scored(raw, reverse, (lo, hi))
    rev = np.asarray(reverse).astype(bool)
    rated = ~np.isnan(raw)
    names = np.array(GROUPS, dtype=object)
    always = np.isin(names, ALWAYS_SHOWN)
    pooled = names != "self"

    # Whole report: which groups are shown, and whether others is.
    member = group[None, :] == names[:, None]
    sizes = member.sum(axis=1)
    shown, others_shown_col = _visibility(
        sizes[:, None], always, pooled, np.array([sizes[pooled].sum()]), threshold, complementary
    )
    shown, others_shown = shown[:, 0], bool(others_shown_col[0])
    suppressed = tuple(str(g) for g in names[(sizes > 0) & ~shown])
    others = (group != "self") if others_shown else np.zeros(n_raters, dtype=bool)

    # Rows: the shown groups, then others (an empty row when others is not shown, left
    # out of the output). Only raters in some row count anywhere.
    row_names = [str(g) for g in names[shown]] + ([OTHERS] if others_shown else [])
    masks = np.vstack([member[shown], others[None, :]])
    k = int(shown.sum())
    row_always, row_pooled = always[shown], pooled[shown]

    def cells(counts: np.ndarray) -> np.ndarray:
        vis, ovis = _visibility(
            counts[:k], row_always, row_pooled, counts[k], threshold, complementary
        )
        return np.vstack([vis, ovis[None, :]])

    # Rule 7: in each figure, a release's raters count only where that release's own
    # report would show the figure; elsewhere they are left out of it (held back).
    row_index = [GROUPS.index(str(g)) for g in names[shown]] + [len(GROUPS)]
    counted = masks[:, :, None] & rated[None, :, :]  # rows x raters x statements
    comment_groups: dict[int, set[str]] = {}
    releases = np.unique(batch)
    if len(releases) == 1:  # one release: rules 1-6 alone, n shown for withheld figures
        comment_groups[int(releases[0])] = set(GROUPS)
    for b in releases if len(releases) > 1 else ():
        sel = batch == b
        ok_s, comment_groups[int(b)] = _allowed(
            member, group, sel, rated, always, pooled, threshold, complementary
        )
        counted &= ~(sel[None, :, None] & ~ok_s[row_index][:, None, :])

    points = np.arange(lo, hi + 1, dtype=float)
    n_s, mean_s, sd_s, dist_s = _statement_stats(counted, x, raw, points)
    show_s = cells(n_s)

    keys = list(dict.fromkeys(comp))
    comp_index = np.array([keys.index(c) for c in comp], dtype=int)
    indicator = np.zeros((n_statements, len(keys)))
    indicator[np.arange(n_statements), comp_index] = 1.0
    n_c = np.sum(
        np.einsum("grs,sc->grc", counted.astype(np.int64), indicator.astype(np.int64)) > 0, axis=1
    )
    show_c = cells(n_c)
    rwg, mean_sd = _agreement(
        x, masks, counted & show_s[:, None, :], sd_s, comp_index, len(keys), (lo, hi)
    )

    # Rule 6: a competency mean is the mean of the group's shown statement means.
    mean_s = np.where(show_s, mean_s, np.nan)
    shown_s = np.isfinite(mean_s)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_c = (np.where(shown_s, mean_s, 0.0) @ indicator) / (shown_s.astype(float) @ indicator)
    mean_c = np.where(show_c, mean_c, np.nan)
    nan_s, nan_c = np.full(n_statements, np.nan), np.full(len(keys), np.nan)
    self_s = mean_s[row_names.index("self")] if "self" in row_names else nan_s
    self_c = mean_c[row_names.index("self")] if "self" in row_names else nan_c
    others_s = mean_s[-1] if others_shown else nan_s
    others_c = mean_c[-1] if others_shown else nan_c
    gap_s, gap_c = self_s - others_s, self_c - others_c

    statements = tuple(
        StatementResult(
            id=ids[s],
            competency=comp[s],
            reverse=bool(rev[s]),
            groups={
                name: StatementStats(
                    n=int(n_s[r, s]),
                    mean=_num(mean_s[r, s]),
                    sd=_num(sd_s[r, s]) if show_s[r, s] else None,
                    distribution=tuple(int(v) for v in dist_s[r, s]) if show_s[r, s] else None,
                )
                for r, name in enumerate(row_names)
            },
            gap=_num(gap_s[s]),
        )
        for s in range(n_statements)
    )
    competencies = tuple(
        CompetencyResult(
            key=key,
            statements=tuple(ids[s] for s in np.flatnonzero(comp_index == c)),
            groups={
                name: CompetencyStats(
                    n=int(n_c[r, c]),
                    mean=_num(mean_c[r, c]),
                    rwg=_num(rwg[r, c]) if show_c[r, c] else None,
                    mean_sd=_num(mean_sd[r, c]) if show_c[r, c] else None,
                )
                for r, name in enumerate(row_names)
            },
            gap=_num(gap_c[c]),
        )
        for c, key in enumerate(keys)
    )
    with np.errstate(invalid="ignore"):
        blind = gap_c >= gap - _GAP_TOLERANCE
        hidden = -gap_c >= gap - _GAP_TOLERANCE
    pooled_groups = {str(g) for g in names[shown & pooled]} | (
        set(suppressed) if others_shown else set()
    )
    pooled_by_batch = {b: groups_b & pooled_groups for b, groups_b in comment_groups.items()}
    covered = (counted & show_s[:, None, :]).any(axis=0)
    report = Report360(
        threshold=threshold,
        scale=(lo, hi),
        groups=tuple(GroupSize(name, int(masks[r].sum())) for r, name in enumerate(row_names)),
        suppressed_groups=suppressed,
        competencies=competencies,
        statements=statements,
        blind_spots=tuple(keys[c] for c in np.flatnonzero(blind)),
        hidden_strengths=tuple(keys[c] for c in np.flatnonzero(hidden)),
        highest=_ranked(others_s, ids, extremes, highest=True),
        lowest=_ranked(others_s, ids, extremes, highest=False),
        comments=_comments(
            comments,
            [*keys, *QUESTION_KEYS],
            {g: int(n) for g, n in zip(GROUPS, sizes, strict=True)},
            pooled_by_batch,
            rng,
        ),
        notes=_notes(threshold, bool(suppressed), others_shown, complementary, rng is not None),
        rules=_rules(gap, extremes, (lo, hi)),
    )
    return report, covered
