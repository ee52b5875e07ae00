r"""The figures of a job analysis: per-competency statistics, agreement and proposed flags.

Experts rate every draft competency on five questions (any may be "cannot say", NaN):
importance and frequency (1-5), needed on the first day (yes/no), learnable on the job
within the first months (yes/no) and Lawshe's question (essential / useful but not
essential / not necessary). :func:`analyse` turns the experts x competencies matrices into
one :class:`CompetencyFigures` per competency (means, SDs, rwg, criticality, shares, CVR
with its exact critical value, the rule checks and the proposed flags) and study-level
ICC(2,k) of importance and frequency, all at once over the matrices.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from assessments.job_analysis.lawshe import content_validity_ratio, essential_needed
from assessments.job_analysis.rules import Rules
from assessments.psychometrics.agreement import icc, rwg

__all__ = [
    "COMPETENCY_WARNINGS",
    "LAWSHE_ESSENTIAL",
    "LAWSHE_NOT_NECESSARY",
    "LAWSHE_USEFUL",
    "Check",
    "CompetencyFigures",
    "ICCSummary",
    "Ratings",
    "StudyFigures",
    "analyse",
    "icc2k_summary",
]

LAWSHE_ESSENTIAL = 2.0
LAWSHE_USEFUL = 1.0
LAWSHE_NOT_NECESSARY = 0.0

#: The warning codes a competency can carry, in the order they are listed.
COMPETENCY_WARNINGS = (
    "no_ratings",
    "few_experts",
    "low_agreement_importance",
    "low_agreement_frequency",
    "cvr_unreachable",
)

# A share or mean that equals its threshold on paper (4 of 6 against 2/3) meets it even
# when floating point puts it a hair below.
_TOLERANCE = 1e-9
_OPTIONS = 5  # importance and frequency are rated on 1..5


@dataclass(frozen=True)
class Ratings:
    """All experts' answers of one study: five float arrays, experts x competencies.

    NaN is "cannot say" or not answered. Validated by :func:`analyse`.

    Attributes
    ----------
    importance, frequency : ndarray
        1..5 (whole numbers).
    day_one : ndarray
        Needed on the first day: 1.0 yes, 0.0 no.
    learnable : ndarray
        Can be learned on the job within the first months: 1.0 yes, 0.0 no.
    lawshe : ndarray
        Lawshe's question: 2 essential, 1 useful but not essential, 0 not necessary.
    """

    importance: np.ndarray
    frequency: np.ndarray
    day_one: np.ndarray
    learnable: np.ndarray
    lawshe: np.ndarray


@dataclass(frozen=True)
class Check:
    """One decision rule applied to one competency, so a page can say why.

    Attributes
    ----------
    rule : str
        ``"cvr"`` (CVR at least its critical value), ``"day_one"`` (share needed on day one
        at least the threshold), ``"learnable_below"`` (share learnable below the threshold)
        for select-for; ``"importance"`` (mean importance at least the threshold) and
        ``"learnable"`` (share learnable at least the threshold) for develop.
    flag : str
        ``"select_for"`` or ``"develop"``: the proposal the rule belongs to.
    value, threshold : float or None
        The competency's figure and what it is compared with; None when there is none
        (nobody answered, or no CVR of that many experts is significant).
    met : bool
        Whether the rule holds; False when value or threshold is None.
    """

    rule: str
    flag: str
    value: float | None
    threshold: float | None
    met: bool


@dataclass(frozen=True)
class CompetencyFigures:
    r"""The figures of one draft competency and the flags they propose.

    Attributes
    ----------
    n : int
        Experts who answered at least one of the five questions for it.
    importance_n, importance_mean, importance_sd, importance_rwg
        Experts who rated importance; the mean; the SD (ddof=1, None below 2 ratings); and
        rwg against the uniform null of 5 options, :math:`\sigma^2_{EU} = (A^2-1)/12 = 2`
        (James, Demaree & Wolf 1984), None below 2 ratings.
    frequency_n, frequency_mean, frequency_sd, frequency_rwg
        The same for frequency.
    criticality : float or None
        Mean over experts of importance x frequency (1..25), over the experts who rated
        both: the multiplicative task-criticality composite of job analysis (Sanchez &
        Levine 1989; Sanchez & Fraser 1992). Feeds the role weights
        (:func:`~assessments.job_analysis.weights_from_criticality`).
    day_one_n, needed_day_one
        Experts who answered "needed on the first day", and the share of them saying yes.
    learnable_n, learnable
        Experts who answered "learnable within the first months", and the share saying yes.
    lawshe_n, n_essential, cvr, cvr_critical, cvr_met
        Experts who answered Lawshe's question (N), those saying essential
        (:math:`n_e`), :math:`CVR = (n_e - N/2)/(N/2)`, the exact one-tailed critical value
        for N (None when N is 0 or too small for significance) and whether
        :math:`n_e` reaches the count the critical value stands for.
    proposed_select_for, proposed_develop : bool
        The proposals of :class:`~assessments.job_analysis.Rules`.
    checks : tuple of Check
        Every rule with its value, threshold and outcome (select-for's three, then
        develop's two).
    warnings : tuple of str
        Codes, in the order of ``COMPETENCY_WARNINGS``: ``no_ratings`` (nobody answered),
        ``few_experts`` (fewer than ``rules.min_experts`` answered, but some did),
        ``low_agreement_importance`` / ``low_agreement_frequency`` (rwg below
        ``rules.low_rwg``), ``cvr_unreachable`` (someone answered, but no CVR of this many
        Lawshe answers is significant, so select-for cannot be proposed).

    References
    ----------
    Sanchez, J. I., & Levine, E. L. (1989). Determining important tasks within jobs: A
    policy-capturing approach. *Journal of Applied Psychology*, 74(2), 336-342.
    Sanchez, J. I., & Fraser, S. L. (1992). On the choice of scales for task analysis.
    *Journal of Applied Psychology*, 77(4), 545-553.
    """

    n: int
    importance_n: int
    importance_mean: float | None
    importance_sd: float | None
    importance_rwg: float | None
    frequency_n: int
    frequency_mean: float | None
    frequency_sd: float | None
    frequency_rwg: float | None
    criticality: float | None
    day_one_n: int
    needed_day_one: float | None
    learnable_n: int
    learnable: float | None
    lawshe_n: int
    n_essential: int
    cvr: float | None
    cvr_critical: float | None
    cvr_met: bool
    proposed_select_for: bool
    proposed_develop: bool
    checks: tuple[Check, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class ICCSummary:
    """ICC(2,k) of one question across the study: competencies are targets, experts raters.

    Attributes
    ----------
    value, lower, upper : float or None
        ICC(2,k) and its 95% confidence interval (the F-based interval of McGraw & Wong
        1996 for ICC(2,1), stepped up to k raters, as R ``psych::ICC`` reports it); None
        when it cannot be computed. A bound is None also when the ICC(2,1) bound lies at
        or below -1/(k-1), where the step-up is undefined (very few competencies).
    n_targets, k_raters : int
        The competencies and experts used (after the deletions described in
        :func:`analyse`).
    note : str
        ``""`` when computed; ``"too_few"`` when fewer than 2 competencies rated by all of
        at least 2 experts remain; ``"no_variance"`` when every rating used is the same
        (the ICC is 0/0).
    """

    value: float | None
    lower: float | None
    upper: float | None
    n_targets: int
    k_raters: int
    note: str


@dataclass(frozen=True)
class StudyFigures:
    """The figures of a whole study.

    Attributes
    ----------
    n_experts : int
        Experts who answered at least one question about at least one competency.
    competencies : tuple of CompetencyFigures
        In the column order of the ratings.
    icc_importance, icc_frequency : ICCSummary
        ICC(2,k) of importance and of frequency (see :func:`analyse`).
    rules : Rules
        The rules the proposals used.
    warnings : tuple of str
        Study-level codes: ``no_ratings`` (no expert answered anything) or ``few_experts``
        (fewer than ``rules.min_experts`` did).
    """

    n_experts: int
    competencies: tuple[CompetencyFigures, ...]
    icc_importance: ICCSummary
    icc_frequency: ICCSummary
    rules: Rules
    warnings: tuple[str, ...]


# --- validation -------------------------------------------------------------------------

_ALLOWED = {
    "importance": (1.0, 2.0, 3.0, 4.0, 5.0),
    "frequency": (1.0, 2.0, 3.0, 4.0, 5.0),
    "day_one": (0.0, 1.0),
    "learnable": (0.0, 1.0),
    "lawshe": (LAWSHE_NOT_NECESSARY, LAWSHE_USEFUL, LAWSHE_ESSENTIAL),
}


def _checked(ratings: Ratings) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for name, allowed in _ALLOWED.items():
        try:
            a = np.asarray(getattr(ratings, name), dtype=float)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{name} must be a numeric experts x competencies array") from exc
        if a.ndim != 2:
            raise ValueError(
                f"{name} must be a 2-D experts x competencies array, got shape {a.shape}"
            )
        bad = ~np.isnan(a) & ~np.isin(a, allowed)
        if bad.any():
            expert, competency = (int(i) for i in np.argwhere(bad)[0])
            shown = ", ".join(f"{v:g}" for v in allowed)
            raise ValueError(
                f"{name} must hold {shown} or NaN; got {float(a[expert, competency])!r} for expert "
                f"{expert}, competency {competency}"
            )
        arrays[name] = a
    shape = arrays["importance"].shape
    for name, a in arrays.items():
        if a.shape != shape:
            raise ValueError(f"{name} has shape {a.shape}, but importance has {shape}")
    return arrays


# --- helpers ----------------------------------------------------------------------------


def _count(a: np.ndarray) -> np.ndarray:
    counts: np.ndarray = np.sum(~np.isnan(a), axis=0)
    return counts


def _mean(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        mean: np.ndarray = np.where(n > 0, np.nansum(a, axis=0) / n, np.nan)
    return mean


def _sd(a: np.ndarray, n: np.ndarray) -> np.ndarray:
    mean = _mean(a, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.nansum((a - mean) ** 2, axis=0) / (n - 1)
    return np.where(n >= 2, np.sqrt(var), np.nan)


def _opt(x: float) -> float | None:
    return None if math.isnan(x) else float(x)


def _at_least(value: float | None, threshold: float | None) -> bool:
    return value is not None and threshold is not None and value >= threshold - _TOLERANCE


def _below(value: float | None, threshold: float) -> bool:
    return value is not None and value < threshold - _TOLERANCE


def icc2k_summary(x: np.ndarray) -> ICCSummary:
    """ICC(2,k) of one question's experts x competencies matrix, as :func:`analyse` uses it.

    Competencies are the targets and experts the raters. Missing data (NaN): experts who
    rated no competency are dropped, then every competency not rated by all remaining
    experts (listwise). Needs 2 competencies and 2 experts left, else ``note`` is
    ``"too_few"``; ``"no_variance"`` when the ICC is undefined (0/0: every rating the
    same).

    Parameters
    ----------
    x : ndarray, experts x competencies
        Ratings on any interval scale (finite or NaN).
    """
    a = np.asarray(x, dtype=float)
    if a.ndim != 2:
        raise ValueError(f"x must be a 2-D experts x competencies array, got shape {a.shape}")
    if np.isinf(a).any():
        raise ValueError("x must be finite or NaN")
    answered = ~np.isnan(a).all(axis=1)  # experts who rated at least one competency
    targets_by_raters = a[answered].T  # competencies x experts
    complete = ~np.isnan(targets_by_raters).any(axis=1)
    used = targets_by_raters[complete] if targets_by_raters.shape[1] else targets_by_raters[:0]
    n_targets, k_raters = (int(d) for d in used.shape)
    if n_targets < 2 or k_raters < 2:
        return ICCSummary(None, None, None, n_targets, k_raters, "too_few")
    with np.errstate(invalid="ignore", divide="ignore"):  # e.g. no error variance: F = inf
        result = icc(used)
    form = result.forms["ICC2k"]
    if not math.isfinite(form.value):
        return ICCSummary(None, None, None, n_targets, k_raters, "no_variance")
    # The ICC(2,k) bounds are the Spearman-Brown step-up k r / (1 + (k-1) r) of the
    # ICC(2,1) bounds; below r = -1/(k-1) the step-up is undefined (the k-rater bound is
    # unbounded below), which happens with very few targets: report no bound then.
    floor = -1.0 / (k_raters - 1)
    single_lower, single_upper = result.forms["ICC2"].ci
    lower = form.ci[0] if math.isfinite(single_lower) and single_lower > floor else math.nan
    upper = form.ci[1] if math.isfinite(single_upper) and single_upper > floor else math.nan
    return ICCSummary(float(form.value), _opt(lower), _opt(upper), n_targets, k_raters, "")


_DEFAULT_RULES = Rules()


def analyse(ratings: Ratings, rules: Rules = _DEFAULT_RULES) -> StudyFigures:
    r"""Compute every figure of a study and propose the flags.

    Per competency (column), over the experts who answered each question ("cannot say"
    is left out): counts; mean and SD (ddof=1) of importance and frequency with single-item
    :math:`r_{wg} = 1 - s^2/\sigma^2_{EU}`, :math:`\sigma^2_{EU} = (5^2-1)/12 = 2`
    (James, Demaree & Wolf 1984; truncated to [0, 1]); criticality, the mean of
    importance x frequency over the experts who gave both (Sanchez & Levine 1989); the
    shares saying "needed on day one" and "learnable in the first months"; Lawshe's
    :math:`CVR = (n_e - N/2)/(N/2)` with the exact one-tailed binomial critical value for
    its N (:func:`~assessments.job_analysis.cvr_critical`); then the rule checks, the
    proposals and the warnings of :class:`Rules`.

    Study-level agreement is ICC(2,k) of Shrout & Fleiss (1979) (two-way random effects,
    absolute agreement, mean of k raters) with competencies as targets and experts as
    raters, for importance and for frequency separately. Missing data: experts who gave no
    rating of that question are dropped first, then (listwise) every competency not rated by
    all remaining experts. It needs at least 2 competencies and 2 experts left
    (:class:`ICCSummary` ``note`` says why when it cannot be computed).

    Shares and means that equal a threshold on paper meet it (compared with a tolerance of
    1e-9). Everything runs over whole matrices; no loop per expert.

    Parameters
    ----------
    ratings : Ratings
        Experts x competencies arrays of equal shape, NaN for "cannot say".
    rules : Rules
        The decision rules (default: ``Rules()``).

    Raises
    ------
    ValueError
        Naming the array whose shape or values are wrong (with the expert and competency
        index of the first bad value), or (:class:`~assessments.job_analysis.InvalidRules`)
        the rule out of range.

    References
    ----------
    James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater
    reliability with and without response bias. *Journal of Applied Psychology*, 69(1),
    85-98.
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing rater
    reliability. *Psychological Bulletin*, 86(2), 420-428.
    Lawshe, C. H. (1975). A quantitative approach to content validity. *Personnel
    Psychology*, 28(4), 563-575.
    Sanchez, J. I., & Levine, E. L. (1989). Determining important tasks within jobs.
    *Journal of Applied Psychology*, 74(2), 336-342.
    """
    rules = rules.validated()
    r = _checked(ratings)
    imp, freq, day1, learn, law = (
        r["importance"],
        r["frequency"],
        r["day_one"],
        r["learnable"],
        r["lawshe"],
    )

    answered = ~(np.isnan(imp) & np.isnan(freq) & np.isnan(day1) & np.isnan(learn) & np.isnan(law))
    n = answered.sum(axis=0)
    n_experts = int(answered.any(axis=1).sum())

    imp_n, freq_n = _count(imp), _count(freq)
    imp_mean, freq_mean = _mean(imp, imp_n), _mean(freq, freq_n)
    imp_sd, freq_sd = _sd(imp, imp_n), _sd(freq, freq_n)
    imp_rwg = np.asarray(rwg(imp, options=_OPTIONS), dtype=float)
    freq_rwg = np.asarray(rwg(freq, options=_OPTIONS), dtype=float)

    product = imp * freq  # NaN unless the expert gave both
    crit_n = _count(product)
    criticality = _mean(product, crit_n)

    day1_n, learn_n = _count(day1), _count(learn)
    day1_share, learn_share = _mean(day1, day1_n), _mean(learn, learn_n)

    law_n = _count(law)
    essential = np.sum(law == LAWSHE_ESSENTIAL, axis=0)
    needed = {int(k): essential_needed(int(k), rules.alpha) for k in np.unique(law_n) if k > 0}

    figures = []
    for j in range(imp.shape[1]):
        big_n, n_e = int(law_n[j]), int(essential[j])
        need = needed.get(big_n)
        cvr = content_validity_ratio(n_e, big_n) if big_n > 0 else None
        critical = content_validity_ratio(need, big_n) if need is not None else None
        cvr_met = need is not None and n_e >= need

        values = {
            "importance_mean": _opt(imp_mean[j]),
            "importance_rwg": _opt(imp_rwg[j]),
            "frequency_rwg": _opt(freq_rwg[j]),
            "needed_day_one": _opt(day1_share[j]),
            "learnable": _opt(learn_share[j]),
        }
        checks = (
            Check("cvr", "select_for", cvr, critical, cvr_met),
            Check(
                "day_one",
                "select_for",
                values["needed_day_one"],
                rules.day_one_share,
                _at_least(values["needed_day_one"], rules.day_one_share),
            ),
            Check(
                "learnable_below",
                "select_for",
                values["learnable"],
                rules.learnable_below,
                _below(values["learnable"], rules.learnable_below),
            ),
            Check(
                "importance",
                "develop",
                values["importance_mean"],
                rules.develop_importance,
                _at_least(values["importance_mean"], rules.develop_importance),
            ),
            Check(
                "learnable",
                "develop",
                values["learnable"],
                rules.develop_learnable,
                _at_least(values["learnable"], rules.develop_learnable),
            ),
        )

        n_j = int(n[j])
        warnings: list[str] = []
        if n_j == 0:
            warnings.append("no_ratings")
        elif n_j < rules.min_experts:
            warnings.append("few_experts")
        for question in ("importance", "frequency"):
            value = values[f"{question}_rwg"]
            if value is not None and value < rules.low_rwg - _TOLERANCE:
                warnings.append(f"low_agreement_{question}")
        if n_j > 0 and need is None:
            warnings.append("cvr_unreachable")

        figures.append(
            CompetencyFigures(
                n=n_j,
                importance_n=int(imp_n[j]),
                importance_mean=values["importance_mean"],
                importance_sd=_opt(imp_sd[j]),
                importance_rwg=values["importance_rwg"],
                frequency_n=int(freq_n[j]),
                frequency_mean=_opt(freq_mean[j]),
                frequency_sd=_opt(freq_sd[j]),
                frequency_rwg=values["frequency_rwg"],
                criticality=_opt(criticality[j]),
                day_one_n=int(day1_n[j]),
                needed_day_one=values["needed_day_one"],
                learnable_n=int(learn_n[j]),
                learnable=values["learnable"],
                lawshe_n=big_n,
                n_essential=n_e,
                cvr=cvr,
                cvr_critical=critical,
                cvr_met=cvr_met,
                proposed_select_for=all(c.met for c in checks if c.flag == "select_for"),
                proposed_develop=all(c.met for c in checks if c.flag == "develop"),
                checks=checks,
                warnings=tuple(warnings),
            )
        )

    study_warnings: list[str] = []
    if n_experts == 0:
        study_warnings.append("no_ratings")
    elif n_experts < rules.min_experts:
        study_warnings.append("few_experts")

    return StudyFigures(
        n_experts=n_experts,
        competencies=tuple(figures),
        icc_importance=icc2k_summary(imp),
        icc_frequency=icc2k_summary(freq),
        rules=rules,
        warnings=tuple(study_warnings),
    )
