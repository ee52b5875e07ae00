r"""Reliability of a 360 cycle: internal consistency per competency, rater agreement per person.

Two questions are answered, from the same raters x statements matrices the aggregation
takes (raw ratings, NaN for "Cannot say" or missing; reverse-keyed statements are scored
``min + max - x`` first, as everywhere in :mod:`assessments.survey360`):

1. **Do a competency's statements measure one thing?** For every competency, all the
   cycle's submitted forms (every subject, every group, self included) form one
   raters x statements matrix over that competency's statements. On it:
   Cronbach's alpha with its Feldt interval, standardised alpha, McDonald's omega total
   (one-factor minres; three statements or more), Guttman's lambda 6 and the item
   analysis (n, mean, SD, corrected item-total correlation, alpha if deleted, flags), all
   from :mod:`assessments.psychometrics`. Missing data are handled **pairwise** (each
   covariance from the raters who rated both statements; "Cannot say" is left out of
   every n, mean and covariance, never filled in); the interval uses the smallest
   pairwise n.

2. **Do the raters of one person agree?** For each subject and each rater group the
   subject's report shows (:func:`assessments.survey360.aggregation.aggregate`), with at
   least two raters:

   - **ICC(2,1) and ICC(2,k)** of Shrout & Fleiss (1979) over the statements x raters
     matrix of that group: the two-way random-effects model with *absolute agreement*.
     It fits the design: every rater rates every statement (raters crossed with
     statements), the raters are a sample of the people who could have rated, and a
     rater's leniency counts as disagreement because the report shows the group's mean
     level. The targets are the statements, so the ICC says whether the raters see the
     same profile of stronger and weaker behaviours; ICC(2,1) is the agreement of one
     rater, ICC(2,k) the reliability of the mean of the group's k raters - the figure
     the report shows. Statements a rater answered "Cannot say" are left out for the
     whole group (listwise, as :func:`assessments.psychometrics.icc` does); the number of
     statements used is reported. When a person's statements hardly differ from each
     other (little variance between targets) the ICC is low even if the raters agree on
     the level; rwg(J) answers that question.
   - **rwg(J)** per competency (James, Demaree & Wolf 1984) with the uniform null for
     the scale's A points, :math:`\sigma^2_{EU} = (A^2 - 1)/12`: agreement on the level
     of each competency, truncated to 0 when the raters disagree more than random
     answers would.

Anonymity
---------
The agreement statistics are computed only for the groups (and "others") that the
person's :class:`~assessments.survey360.aggregation.Report360` shows, over the raters of
that shown figure and only the statements (and competencies) where that figure is shown:
a suppressed group has no ICC, no rwg and no n of its own, and its raters enter only
through "others" when "others" is shown. The cycle analysis (1.) uses only the ratings
that some shown statement figure of the person's report contains (the person's own
ratings, a shown group's or "others'"): a cycle-level mean or SD can then be worked out
from the reports anyway and adds nothing that would single out a suppressed rater.

References
----------
Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
*Psychometrika*, 16(3), 297-334. doi:10.1007/BF02310555
Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference for
coefficient alpha. *Applied Psychological Measurement*, 11(1), 93-103.
doi:10.1177/014662168701100107
McDonald, R. P. (1999). *Test Theory: A Unified Treatment*. Lawrence Erlbaum Associates.
Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
reliability. *Psychological Bulletin*, 86(2), 420-428. doi:10.1037/0033-2909.86.2.420
James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
reliability with and without response bias. *Journal of Applied Psychology*, 69(1),
85-98. doi:10.1037/0021-9010.69.1.85
LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater
reliability and interrater agreement. *Organizational Research Methods*, 11(4), 815-852.
doi:10.1177/1094428106296642
Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
correlation coefficients for reliability research. *Journal of Chiropractic Medicine*,
15(2), 155-163. doi:10.1016/j.jcm.2016.02.012
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from assessments.psychometrics.agreement import ICCResult, icc, rwg_j
from assessments.psychometrics.reliability import (
    cronbach_alpha,
    guttman_lambda6,
    item_analysis,
    omega_total,
)
from assessments.psychometrics.scale_analysis import LOW_ALPHA, SMALL_N
from assessments.survey360.aggregation import OTHERS, Report360, aggregate_counted
from assessments.survey360.instrument import Scale, scored

__all__ = [
    "ICC_AVERAGE",
    "ICC_SINGLE",
    "LOW_ALPHA",
    "CycleReliability",
    "Finding",
    "GroupAgreement",
    "ICCValue",
    "ItemStatistic",
    "ScaleReliability",
    "SubjectAgreement",
    "SubjectRatings",
    "counted_agreement",
    "covered_ratings",
    "cycle_reliability",
    "icc_band",
    "icc_reading",
    "rwg_band",
    "scale_reliability",
    "subject_agreement",
]

MIN_RATERS = 3
"""Fewer raters than this on a competency: alpha is not estimated at all."""
FEW_STATEMENTS = 5
"""An ICC over fewer statements than this is flagged as rough."""
LOW_RWG = 0.70
ICC_SINGLE, ICC_AVERAGE = "ICC2", "ICC2k"
T = TypeVar("T")

MISSING_TREATMENT = (
    "'Cannot say' and unanswered statements are missing data: they are left out of every "
    "n, mean, SD and covariance and never filled in. Alpha, omega, lambda 6 and the item "
    "statistics use pairwise-complete covariances (each from the raters who rated both "
    "statements); the interval of alpha uses the smallest such n. The ICC uses only the "
    "statements every rater of the group rated (listwise); rwg(J) uses each statement's "
    "ratings (pairwise). Ratings that no figure of a person's report shows (groups and "
    "statements withheld under the anonymity rules) are left out of the cycle analysis."
)
AGREEMENT_METHOD = (
    "ICC(2,1) and ICC(2,k) (Shrout & Fleiss 1979): two-way random effects, absolute "
    "agreement, with the statements as targets and the group's raters as raters. ICC(2,1) "
    "is the agreement of a single rater, ICC(2,k) the reliability of the group's mean over "
    "its k raters. rwg(J) (James, Demaree & Wolf 1984) per competency against a uniform "
    "null distribution over the scale's points. Computed only for the groups the person's "
    "report shows."
)


def _num(value: float | None) -> float | None:
    if value is None:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


@dataclass(frozen=True)
class Finding:
    """A warning: a ``code``, its English ``message`` and the values in it (``params``).

    A report translates the message by its code and fills in the params.
    """

    code: str
    message: str
    params: dict[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemStatistic:
    """One statement of a competency scale, on the scored scale (reverse keying applied).

    ``r_drop`` is the corrected item-total correlation (with the sum of the competency's
    other statements); ``flags`` those of :func:`assessments.psychometrics.item_analysis`.
    """

    id: int
    reverse: bool
    n: int
    mean: float | None
    sd: float | None
    r_drop: float | None
    alpha_if_deleted: float | None
    flags: tuple[str, ...]


@dataclass(frozen=True)
class ScaleReliability:
    """Internal consistency of one competency's statements over a cycle's raters.

    Attributes
    ----------
    competency : str
    k : int
        Statements.
    n : int
        Raters with at least one rating on the competency.
    n_pairwise : int
        The smallest pairwise n: the n of the alpha interval (0 when alpha is not
        estimated).
    alpha, std_alpha : float or None
        Raw and standardised Cronbach's alpha.
    alpha_ci : (float or None, float or None)
        Feldt 95% interval.
    omega, lambda6 : float or None
        McDonald's omega total (one-factor minres) and Guttman's lambda 6.
    items : tuple of ItemStatistic
    warnings : tuple of Finding
    """

    competency: str
    k: int
    n: int
    n_pairwise: int
    alpha: float | None
    std_alpha: float | None
    alpha_ci: tuple[float | None, float | None]
    omega: float | None
    lambda6: float | None
    items: tuple[ItemStatistic, ...]
    warnings: tuple[Finding, ...]


@dataclass(frozen=True)
class ICCValue:
    """One intraclass correlation: ``form`` (``"ICC2"`` or ``"ICC2k"``), value, 95% CI, F test."""

    form: str
    value: float | None
    ci: tuple[float | None, float | None]
    F: float | None
    df1: float
    df2: float
    p: float | None


@dataclass(frozen=True)
class GroupAgreement:
    """Agreement among the raters of one shown group (or "others") about one person.

    Attributes
    ----------
    group : str
        A group the person's report shows, or ``"others"``.
    n : int
        The group's raters, as the report shows them.
    statements : int
        Statements rated by every rater of the group (the ICC's targets).
    icc, icc_k : ICCValue or None
        ICC(2,1) and ICC(2,k); None when fewer than two statements or raters are left.
    rwg : dict of str to float or None
        rwg(J) per competency (None where the competency figure is withheld or fewer
        than two raters rated a statement).
    warnings : tuple of Finding
    """

    group: str
    n: int
    statements: int
    icc: ICCValue | None
    icc_k: ICCValue | None
    rwg: dict[str, float | None]
    warnings: tuple[Finding, ...]


@dataclass(frozen=True)
class SubjectAgreement:
    """Rater agreement about one person, for the groups of two or more raters shown."""

    subject: int
    groups: tuple[GroupAgreement, ...]
    suppressed_groups: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class SubjectRatings:
    """The submitted forms about one person: ``ratings`` raters x statements, raw scale.

    ``batches``: the release in which each rater was first counted (rule 7 of
    :func:`assessments.survey360.aggregation.aggregate`); None for one release.
    """

    subject: int
    ratings: np.ndarray
    groups: tuple[str, ...]
    batches: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CycleReliability:
    """The reliability section of a 360 cycle (see the module docstring).

    Attributes
    ----------
    scale : (int, int)
    threshold : int
        The cycle's anonymity threshold.
    subjects : int
        People with at least one submitted form.
    forms : int
        Submitted forms.
    responses : dict of str to int
        Submitted forms per rater group over the whole cycle (counts only).
    ratings, cannot_say : int
        Statement answers on the scale, and "Cannot say" (or unanswered) statements.
    withheld : int
        Ratings left out because no shown figure contains them (anonymity).
    competencies : tuple of ScaleReliability
    agreement : tuple of SubjectAgreement
    missing, agreement_method : str
        How missing data were treated, and which agreement statistics were used.
    warnings : tuple of Finding
    """

    scale: tuple[int, int]
    threshold: int
    subjects: int
    forms: int
    responses: dict[str, int]
    ratings: int
    cannot_say: int
    withheld: int
    competencies: tuple[ScaleReliability, ...]
    agreement: tuple[SubjectAgreement, ...]
    missing: str
    agreement_method: str
    warnings: tuple[Finding, ...]


# --- readings ------------------------------------------------------------------------


def icc_band(value: float | None) -> str | None:
    """Koo & Li (2016): ``poor`` < .50 <= ``moderate`` < .75 <= ``good`` < .90 <= ``excellent``."""
    if value is None or not math.isfinite(value):
        return None
    return (
        "poor"
        if value < 0.5
        else "moderate"
        if value < 0.75
        else "good"
        if value < 0.9
        else "excellent"
    )


_ICC_BANDS = ("poor", "moderate", "good", "excellent")


def icc_reading(value: float | None, ci: tuple[float | None, float | None] | None) -> str | None:
    """How to read an ICC with its 95 % interval, in words a report can print.

    Koo & Li (2016, p. 158) ask that an ICC be read from its 95 % confidence interval, not
    the point estimate alone ("a 95 % CI of .83-.94 reads as good to excellent"). Rule:

    - ``"none"``: the estimate is below 0. A negative ICC means no agreement at all: the
      raters differ more within a statement than the statements differ (it is not a very
      poor reliability, it is none).
    - ``"uncertain"``: no interval, or the interval reaches over more than two adjacent
      Koo & Li bands (for example .39-1.00, poor to excellent): the sample is too small to
      judge, whatever the estimate.
    - otherwise the Koo & Li band of the estimate (:func:`icc_band`): ``poor`` < .50 <=
      ``moderate`` < .75 <= ``good`` < .90 <= ``excellent``.

    Returns None when there is no estimate.
    """
    band = icc_band(value)
    if band is None or value is None:
        return None
    if value < 0:
        return "none"
    lo, hi = ci if ci is not None else (None, None)
    low, high = icc_band(lo), icc_band(hi)
    if low is None or high is None:
        return "uncertain"
    if _ICC_BANDS.index(high) - _ICC_BANDS.index(low) > 1:
        return "uncertain"
    return band


def rwg_band(value: float | None) -> str | None:
    """LeBreton & Senter (2008, Table 3): none <= .30 < weak <= .50 < moderate <= .70 <
    strong <= .90 < very_strong."""
    if value is None or not math.isfinite(value):
        return None
    for bound, band in ((0.30, "none"), (0.50, "weak"), (0.70, "moderate"), (0.90, "strong")):
        if value <= bound:
            return band
    return "very_strong"


# --- internal consistency ------------------------------------------------------------


def _bounds(scale: Scale | tuple[int, int]) -> tuple[int, int]:
    if isinstance(scale, Scale):
        return scale.min, scale.max
    lo, hi = scale
    return int(lo), int(hi)


def _attempt(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[T | None, str | None]:
    """``fn(*args, **kwargs)``, or None and the reason the function refused."""
    try:
        return fn(*args, **kwargs), None
    except ValueError as exc:
        return None, str(exc)


def scale_reliability(
    ratings: np.ndarray,
    *,
    competency: str,
    statement_ids: Sequence[int],
    reverse: Sequence[bool] | np.ndarray,
    scale: Scale | tuple[int, int] = (1, 5),
) -> ScaleReliability:
    """Alpha (Feldt CI), omega, lambda 6 and item analysis of one competency's statements.

    Parameters
    ----------
    ratings : ndarray, raters x statements
        Raw ratings of the competency's statements; NaN for "Cannot say" or missing.
        Raters without any rating are left out.
    competency : str
    statement_ids : sequence of int
        One id per column.
    reverse : sequence of bool
        Reverse-keyed statements, scored ``min + max - x``.
    scale : Scale or (min, max)

    Returns
    -------
    ScaleReliability
        Statistics that cannot be computed (one statement, fewer than
        :data:`MIN_RATERS` raters, no variance, a singular correlation matrix) are None
        with a warning saying why; nothing raises for thin data.
    """
    lo, hi = _bounds(scale)
    x = scored(np.asarray(ratings, dtype=float), reverse, (lo, hi))
    ids = [int(i) for i in statement_ids]
    rev = np.asarray(reverse, dtype=bool)
    if x.shape[1] != len(ids):
        raise ValueError(f"statement_ids must name one id per column ({x.shape[1]})")
    x = x[~np.isnan(x).all(axis=1)]
    n, k = x.shape
    warnings: list[Finding] = []
    obs = ~np.isnan(x)
    item_n = obs.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(obs, x, 0.0).sum(axis=0) / item_n
        dev = np.where(obs, x - mean, 0.0)
        sd = np.sqrt((dev * dev).sum(axis=0) / (item_n - 1))
    sd = np.where(item_n >= 2, sd, np.nan)
    r_drop = np.full(k, np.nan)
    alpha_del = np.full(k, np.nan)
    flags: tuple[tuple[str, ...], ...] = tuple(() for _ in range(k))
    alpha = std_alpha = omega = lambda6 = None
    ci: tuple[float | None, float | None] = (None, None)
    n_pairwise = 0
    if k < 2:
        warnings.append(
            Finding(
                "one_statement",
                f"{competency}: one statement only; internal consistency needs at least two.",
                {"competency": competency},
            )
        )
    elif n < MIN_RATERS:
        warnings.append(
            Finding(
                "too_few_raters",
                f"{competency}: {n} raters; at least {MIN_RATERS} are needed to estimate "
                "reliability.",
                {"competency": competency, "n": n, "min": MIN_RATERS},
            )
        )
    else:
        a, why = _attempt(cronbach_alpha, x, missing="pairwise")
        if a is not None:
            alpha, std_alpha = _num(a.alpha), _num(a.std_alpha)
            ci = (_num(a.ci[0]), _num(a.ci[1])) if alpha is not None else (None, None)
            n_pairwise = int(a.n)
        if alpha is None:
            warnings.append(
                Finding(
                    "not_computed",
                    f"{competency}: alpha could not be computed "
                    f"({why or 'a statement without variance or too few shared raters'}).",
                    {"competency": competency, "statistic": "alpha"},
                )
            )
        else:
            items = item_analysis(x)
            r_drop, alpha_del, flags = items.r_drop, items.alpha_if_deleted, items.flags
            if k >= 3:
                omega = _num(_attempt(omega_total, x)[0])
            lambda6 = _num(_attempt(guttman_lambda6, x)[0])
            if alpha < 0:
                warnings.append(
                    Finding(
                        "negative_alpha",
                        f"{competency}: alpha is negative ({alpha:.3f}); the statements "
                        "contradict each other (check the reverse-keyed ones).",
                        {"competency": competency, "alpha": round(alpha, 4)},
                    )
                )
            elif alpha < LOW_ALPHA:
                warnings.append(
                    Finding(
                        "low_alpha",
                        f"{competency}: alpha {alpha:.3f} is below 0.70; the competency "
                        "score is not precise enough to judge one person on it alone.",
                        {"competency": competency, "alpha": round(alpha, 4)},
                    )
                )
        if n < SMALL_N:
            warnings.append(
                Finding(
                    "small_n",
                    f"{competency}: only {n} raters; the estimates are rough (see the "
                    "width of the interval).",
                    {"competency": competency, "n": n},
                )
            )
        flagged = [ids[j] for j in range(k) if flags[j]]
        if flagged:
            warnings.append(
                Finding(
                    "flagged_items",
                    f"{competency}: {len(flagged)} statement(s) to look at (weak or "
                    "negative item-total correlation, or alpha rises without them).",
                    {"competency": competency, "count": len(flagged)},
                )
            )
    items_out = tuple(
        ItemStatistic(
            id=ids[j],
            reverse=bool(rev[j]),
            n=int(item_n[j]),
            mean=_num(mean[j]),
            sd=_num(sd[j]),
            r_drop=_num(r_drop[j]),
            alpha_if_deleted=_num(alpha_del[j]),
            flags=tuple(flags[j]),
        )
        for j in range(k)
    )
    return ScaleReliability(
        competency=competency,
        k=k,
        n=n,
        n_pairwise=n_pairwise,
        alpha=alpha,
        std_alpha=std_alpha,
        alpha_ci=ci,
        omega=omega,
        lambda6=lambda6,
        items=items_out,
        warnings=tuple(warnings),
    )


# --- agreement ---------------------------------------------------------------------------


def _shown_cells(report: Report360) -> dict[str, np.ndarray]:
    """Per shown row (group or others): which statements show that row's figures."""
    names = [g.name for g in report.groups]
    return {
        name: np.array([s.groups[name].mean is not None for s in report.statements], dtype=bool)
        for name in names
    }


def _members(groups: np.ndarray, name: str) -> np.ndarray:
    members: np.ndarray = groups != "self" if name == OTHERS else groups == name
    return members


def _icc_value(form: str, result: ICCResult) -> ICCValue:
    f = result.forms[form]
    return ICCValue(
        form=form,
        value=_num(f.value),
        ci=(_num(f.ci[0]), _num(f.ci[1])),
        F=_num(f.F),
        df1=float(f.df1),
        df2=float(f.df2),
        p=_num(f.p),
    )


def subject_agreement(
    ratings: np.ndarray,
    groups: Sequence[str],
    report: Report360,
    *,
    subject: int = 0,
) -> SubjectAgreement:
    """ICC(2,1), ICC(2,k) and rwg(J) per competency for each group ``report`` shows.

    Parameters
    ----------
    ratings : ndarray, raters x statements
        The raw ratings ``report`` was aggregated from (same rows, same columns).
    groups : sequence of str
        Each rater's group, as given to :func:`~assessments.survey360.aggregation.aggregate`.
    report : Report360
        The person's report: its shown groups, shown statements and shown competencies
        decide what may be computed (module docstring, Anonymity).
    subject : int
        An id carried into the result.

    Returns
    -------
    SubjectAgreement
        One entry per shown group of two or more raters ("others" last); self and a
        single manager have none.
    """
    lo, hi = report.scale
    comp_of = [s.competency for s in report.statements]
    reverse = [s.reverse for s in report.statements]
    x = scored(np.asarray(ratings, dtype=float), reverse, (lo, hi))
    g = np.asarray(groups, dtype=object)
    if x.shape != (len(g), len(comp_of)):
        raise ValueError(
            f"ratings must be raters x statements of the report, {len(g)} x {len(comp_of)}; "
            f"got {x.shape}"
        )
    shown = _shown_cells(report)
    options = hi - lo + 1
    out = []
    for size in report.groups:
        if size.n < 2:
            continue
        rows = x[_members(g, size.name)]
        cols = shown[size.name]
        warnings: list[Finding] = []
        sub = rows[:, cols]
        sub = sub[~np.isnan(sub).all(axis=1)]  # a rater with no shown rating adds nothing
        complete = int((~np.isnan(sub).any(axis=0)).sum()) if sub.size else 0
        single = average = None
        if sub.shape[0] >= 2 and complete >= 2:
            with np.errstate(all="ignore"):  # constant ratings: the ICC is undefined (None)
                result, _ = _attempt(icc, sub.T)
            if result is not None:
                single, average = _icc_value(ICC_SINGLE, result), _icc_value(ICC_AVERAGE, result)
        if single is None or single.value is None:
            warnings.append(
                Finding(
                    "icc_not_computed",
                    f"{size.name}: no ICC (fewer than two statements rated by every rater, "
                    "or no variance between statements).",
                    {"group": size.name},
                )
            )
        elif complete < FEW_STATEMENTS:
            warnings.append(
                Finding(
                    "few_statements",
                    f"{size.name}: the ICC rests on {complete} statements only.",
                    {"group": size.name, "statements": complete},
                )
            )
        if size.n == 2:
            warnings.append(
                Finding(
                    "two_raters",
                    f"{size.name}: two raters; agreement figures are very rough.",
                    {"group": size.name},
                )
            )
        rwg: dict[str, float | None] = {}
        for c in report.competencies:
            figure = c.groups.get(size.name)
            in_comp = np.array([k == c.key for k in comp_of]) & cols
            value = None
            if figure is not None and figure.mean is not None and in_comp.any():
                value = _num(rwg_j(rows[:, in_comp], options=options))
            rwg[c.key] = value
        weak = [k for k, v in rwg.items() if v is not None and v < LOW_RWG]
        if weak:
            warnings.append(
                Finding(
                    "weak_rwg",
                    f"{size.name}: rwg(J) below 0.70 on {', '.join(weak)}; the raters see "
                    "these differently, so read their mean with care.",
                    {"group": size.name, "count": len(weak), "competencies": ",".join(weak)},
                )
            )
        out.append(
            GroupAgreement(
                group=size.name,
                n=size.n,
                statements=complete,
                icc=single,
                icc_k=average,
                rwg=rwg,
                warnings=tuple(warnings),
            )
        )
    return SubjectAgreement(subject, tuple(out), tuple(report.suppressed_groups))


def counted_agreement(
    ratings: np.ndarray,
    groups: Sequence[str],
    report: Report360,
    counted: np.ndarray,
    batches: Sequence[int] | None,
    *,
    subject: int = 0,
) -> SubjectAgreement:
    """:func:`subject_agreement` of a report made over several releases.

    With one release it is :func:`subject_agreement` itself. With several, raters that a
    later release holds back (rule 7 of the aggregation) reach no figure, agreement
    included: only the ratings ``counted`` (from
    :func:`assessments.survey360.aggregation.aggregate_counted`) enter, and raters with
    none are left out.
    """
    if batches is None or len(set(batches)) < 2:
        return subject_agreement(ratings, groups, report, subject=subject)
    keep = np.asarray(counted.any(axis=1))  # a bool array (the stubs also allow a scalar)
    return subject_agreement(
        np.where(counted, ratings, np.nan)[keep],
        [g for g, k in zip(groups, keep, strict=True) if k],
        report,
        subject=subject,
    )


def covered_ratings(ratings: np.ndarray, groups: Sequence[str], report: Report360) -> np.ndarray:
    """Bool mask, raters x statements: the ratings some shown statement figure contains.

    A rating counts when its rater's own group is shown on that statement, or the rater
    is not self and "others" is shown on it. Everything else is withheld by the
    anonymity rules and must not enter any other figure.
    """
    g = np.asarray(groups, dtype=object)
    rated = ~np.isnan(np.asarray(ratings, dtype=float))
    shown = _shown_cells(report)
    mask = np.zeros_like(rated)
    for name, cells in shown.items():
        mask |= _members(g, name)[:, None] & cells[None, :]
    covered: np.ndarray = mask & rated
    return covered


def cycle_reliability(
    subjects: Sequence[SubjectRatings],
    statement_competency: Sequence[str],
    reverse: Sequence[bool] | np.ndarray,
    *,
    statement_ids: Sequence[int] | None = None,
    threshold: int = 3,
    scale: Scale | tuple[int, int] = (1, 5),
) -> CycleReliability:
    """The reliability section of a 360 cycle (see the module docstring).

    Parameters
    ----------
    subjects : sequence of SubjectRatings
        Each person's submitted forms (raw ratings, one group per row).
    statement_competency : sequence of str
        Competency key per statement (column); competencies in order of appearance.
    reverse : sequence of bool
        Reverse-keyed statements.
    statement_ids : sequence of int, optional
        Ids per statement (default 1..S).
    threshold : int
        The cycle's anonymity threshold, as the reports use it.
    scale : Scale or (min, max)

    Returns
    -------
    CycleReliability
    """
    lo, hi = _bounds(scale)
    comp = [str(c) for c in statement_competency]
    rev = np.asarray(reverse, dtype=bool)
    ids = list(statement_ids) if statement_ids is not None else list(range(1, len(comp) + 1))
    blocks, agreement = [], []
    responses: dict[str, int] = {}
    ratings = cannot_say = withheld = 0
    for s in subjects:
        raw = np.asarray(s.ratings, dtype=float)
        if raw.shape[0] == 0:
            continue
        for group in s.groups:
            responses[group] = responses.get(group, 0) + 1
        rated = ~np.isnan(raw)
        ratings += int(rated.sum())
        cannot_say += int((~rated).sum())
        options: dict[str, Any] = {"threshold": threshold, "scale": (lo, hi), "batches": s.batches}
        report, mask = aggregate_counted(
            raw, list(s.groups), comp, rev, statement_ids=ids, **options
        )
        withheld += int((rated & ~mask).sum())
        blocks.append(np.where(mask, raw, np.nan))
        agreement.append(
            counted_agreement(raw, s.groups, report, mask, s.batches, subject=s.subject)
        )
    x = np.vstack(blocks) if blocks else np.full((0, len(comp)), np.nan)
    keys = list(dict.fromkeys(comp))
    scales = []
    for key in keys:
        cols = np.array([c == key for c in comp])
        scales.append(
            scale_reliability(
                x[:, cols],
                competency=key,
                statement_ids=[i for i, on in zip(ids, cols, strict=True) if on],
                reverse=rev[cols],
                scale=(lo, hi),
            )
        )
    warnings = []
    if not blocks:
        warnings.append(Finding("no_forms", "No submitted forms yet: nothing to analyse."))
    low = [s.competency for s in scales if s.alpha is not None and s.alpha < LOW_ALPHA]
    if low:
        warnings.append(
            Finding(
                "low_alpha_summary",
                f"{len(low)} of {len(scales)} competencies have alpha below 0.70.",
                {"count": len(low), "total": len(scales)},
            )
        )
    return CycleReliability(
        scale=(lo, hi),
        threshold=int(threshold),
        subjects=len(blocks),
        forms=int(x.shape[0]),
        responses=responses,
        ratings=ratings,
        cannot_say=cannot_say,
        withheld=withheld,
        competencies=tuple(scales),
        agreement=tuple(agreement),
        missing=MISSING_TREATMENT,
        agreement_method=AGREEMENT_METHOD,
        warnings=tuple(warnings),
    )
