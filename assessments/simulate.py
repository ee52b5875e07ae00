r"""Simulation of realistic SJT data from latent traits, for tests, demos and benchmarks.

Every function takes an explicit ``rng`` (:class:`numpy.random.Generator`); nothing
reads global random state. Arrays follow :mod:`assessments.sjt.scoring`: candidates x
items (x options), options padded, ``valid`` (items x options) marks real options.

The latent model
----------------
Candidates have abilities on the competencies (:func:`simulate_candidates`). An item
measures the competencies it targets; the candidate's ability for the item is

.. math:: \theta_{pi} = \frac{1}{|T_i|} \sum_{c \in T_i} a_{pc}

with :math:`T_i` the competencies item i targets and :math:`a_{pc}` the abilities.

Responses depend on :math:`\theta_{pi}` and the true effectiveness :math:`k_{io}` of the
options (on the rating scale, midpoint :math:`c`):

* rate: :math:`r = c + e_p + s_p \, w_{pi} (k_{io} - c) + \varepsilon`, with insight
  :math:`w_{pi} = 1 / (1 + \exp(-(\alpha + \beta\theta_{pi})))` in (0, 1) - low ability
  pulls the ratings toward the midpoint -, person elevation
  :math:`e_p \sim N(0, \sigma_e)`, person scatter :math:`s_p = \exp(N(0, \sigma_s))`
  and noise :math:`\varepsilon \sim N(0, \sigma)`; rounded to whole scale points and
  clipped to the scale;
* most/least and rank: option utility
  :math:`u_{pio} = a (\theta_{pi} + b)(k_{io} - c)`, with discrimination a and baseline
  b (b = 0 is the pure form :math:`a\theta(k - c)`; the default b = 1 makes an average
  candidate better than chance, as real applicants are). "Most" is drawn from
  softmax(u) over the valid options, "least" from softmax(-u) over the rest, ranks from
  the Plackett-Luce model with the same utilities. Both use the Gumbel-max trick:
  argmax(u + Gumbel noise) is an exact softmax draw, and sorting u + Gumbel noise is an
  exact Plackett-Luce draw.

References
----------
Luce, R. D. (1959). *Individual Choice Behavior: A Theoretical Analysis*. Wiley.
Plackett, R. L. (1975). The analysis of permutations. *Journal of the Royal Statistical
Society: Series C (Applied Statistics)*, 24(2), 193-202. doi:10.2307/2346567
"""

from __future__ import annotations

import numpy as np

from assessments.sjt.keys import _check_in_scale, _check_scale, _key_matrix, _valid_mask

__all__ = [
    "item_theta",
    "simulate_candidates",
    "simulate_expert_ratings",
    "simulate_missing",
    "simulate_most_least_responses",
    "simulate_rank_responses",
    "simulate_rate_responses",
]


def _targets(targets: np.ndarray) -> np.ndarray:
    t = np.asarray(targets)
    if t.ndim != 2 or t.shape[1] < 1:
        raise ValueError(f"targets must be items x competencies, got shape {t.shape}")
    if t.dtype != bool:
        if not np.isin(t, (0, 1)).all():
            raise ValueError("targets must hold booleans")
        t = t.astype(bool)
    none = np.flatnonzero(~t.any(axis=1))
    if none.size:
        raise ValueError(f"targets: item(s) {none.tolist()} target no competency")
    return t


def _rng(rng: np.random.Generator) -> np.random.Generator:
    if not isinstance(rng, np.random.Generator):
        raise ValueError("rng must be a numpy.random.Generator (np.random.default_rng(seed))")
    return rng


def simulate_expert_ratings(
    true_effectiveness: np.ndarray,
    valid: np.ndarray,
    n_experts: int,
    rng: np.random.Generator,
    *,
    noise_sd: float = 0.7,
    scale: tuple[float, float] = (1, 7),
) -> np.ndarray:
    """Expert effectiveness ratings: true effectiveness + N(0, noise_sd), rounded, clipped.

    Returns
    -------
    ndarray, experts x items x options
        Whole scale points; NaN on padding.
    """
    rng = _rng(rng)
    v = _valid_mask(valid)
    lo, hi = _check_scale(scale)
    k = _key_matrix(true_effectiveness, v, "true_effectiveness")
    if n_experts < 1:
        raise ValueError(f"n_experts must be >= 1, got {n_experts}")
    if noise_sd < 0:
        raise ValueError(f"noise_sd must be >= 0, got {noise_sd}")
    r = k + rng.normal(0.0, noise_sd, size=(n_experts, *v.shape))
    return np.where(v, np.clip(np.rint(r), lo, hi), np.nan)


def simulate_candidates(
    n: int, targets: np.ndarray, rng: np.random.Generator, *, correlation: float = 0.3
) -> np.ndarray:
    """Abilities of ``n`` candidates: multivariate normal, mean 0, SD 1.

    Every pair of competencies correlates ``correlation`` (which must keep the matrix
    positive definite: -1/(C-1) < correlation < 1 for C competencies).

    Returns
    -------
    ndarray, candidates x competencies
    """
    rng = _rng(rng)
    t = _targets(targets)
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    c = t.shape[1]
    low = -1.0 / (c - 1) if c > 1 else -1.0
    if not low < correlation < 1:
        raise ValueError(f"correlation must lie in ({low:g}, 1) for {c} competencies")
    cov = np.full((c, c), correlation)
    np.fill_diagonal(cov, 1.0)
    return rng.standard_normal((n, c)) @ np.linalg.cholesky(cov).T


def item_theta(abilities: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Ability per candidate and item: the mean over the competencies the item targets."""
    t = _targets(targets)
    a = np.asarray(abilities, dtype=float)
    if a.ndim != 2 or a.shape[1] != t.shape[1]:
        raise ValueError(
            f"abilities must be candidates x competencies ({t.shape[1]}), got {a.shape}"
        )
    theta: np.ndarray = a @ t.T / t.sum(axis=1)
    return theta


def _setup(
    abilities: np.ndarray,
    targets: np.ndarray,
    key: np.ndarray,
    valid: np.ndarray,
    rng: np.random.Generator,
    scale: tuple[float, float],
) -> tuple[np.random.Generator, np.ndarray, float, float, np.ndarray, np.ndarray]:
    rng = _rng(rng)
    v = _valid_mask(valid)
    lo, hi = _check_scale(scale)
    theta = item_theta(abilities, targets)
    if theta.shape[1] != v.shape[0]:
        raise ValueError(f"targets has {theta.shape[1]} items but valid has {v.shape[0]}")
    k = _key_matrix(key, v, "key")
    _check_in_scale(k, v, (lo, hi), "key")
    return rng, v, lo, hi, theta, k


def simulate_rate_responses(
    abilities: np.ndarray,
    targets: np.ndarray,
    key: np.ndarray,
    valid: np.ndarray,
    rng: np.random.Generator,
    *,
    scale: tuple[float, float] = (1, 7),
    intercept: float = 0.5,
    slope: float = 1.0,
    elevation_sd: float = 0.5,
    scatter_sd: float = 0.2,
    noise_sd: float = 0.8,
) -> np.ndarray:
    """Rate-format answers from the model in the module docstring.

    ``intercept`` and ``slope`` are alpha and beta of the insight w; ``elevation_sd``,
    ``scatter_sd`` and ``noise_sd`` the SDs of e, log s and epsilon.

    Returns
    -------
    ndarray, candidates x items x options
        Whole scale points; NaN on padding.
    """
    rng, v, lo, hi, theta, k = _setup(abilities, targets, key, valid, rng, scale)
    mid = (lo + hi) / 2
    n = theta.shape[0]
    w = 1.0 / (1.0 + np.exp(-(intercept + slope * theta)))
    elevation = rng.normal(0.0, elevation_sd, size=(n, 1, 1))
    scatter = np.exp(rng.normal(0.0, scatter_sd, size=(n, 1, 1)))
    noise = rng.normal(0.0, noise_sd, size=(n, *v.shape))
    r = mid + elevation + scatter * w[..., None] * np.where(v, k - mid, 0.0) + noise
    return np.where(v, np.clip(np.rint(r), lo, hi), np.nan)


def _utilities(
    theta: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    mid: float,
    discrimination: float,
    baseline: float,
) -> np.ndarray:
    u: np.ndarray = discrimination * (theta + baseline)[..., None] * np.where(v, k - mid, 0.0)
    return u


def simulate_most_least_responses(
    abilities: np.ndarray,
    targets: np.ndarray,
    key: np.ndarray,
    valid: np.ndarray,
    rng: np.random.Generator,
    *,
    discrimination: float = 1.0,
    baseline: float = 1.0,
    scale: tuple[float, float] = (1, 7),
) -> tuple[np.ndarray, np.ndarray]:
    """Most/least answers from a softmax choice model (see the module docstring).

    Returns
    -------
    most, least : ndarray, candidates x items
        Option indices as floats (the scoring functions' input); least != most.
    """
    rng, v, lo, hi, theta, k = _setup(abilities, targets, key, valid, rng, scale)
    u = _utilities(theta, k, v, (lo + hi) / 2, discrimination, baseline)
    most = np.where(v, u + rng.gumbel(size=u.shape), -np.inf).argmax(axis=2)
    others = v & (np.arange(v.shape[1]) != most[..., None])
    least = np.where(others, -u + rng.gumbel(size=u.shape), -np.inf).argmax(axis=2)
    return most.astype(float), least.astype(float)


def simulate_rank_responses(
    abilities: np.ndarray,
    targets: np.ndarray,
    key: np.ndarray,
    valid: np.ndarray,
    rng: np.random.Generator,
    *,
    discrimination: float = 1.0,
    baseline: float = 1.0,
    scale: tuple[float, float] = (1, 7),
) -> np.ndarray:
    """Rank answers from the Plackett-Luce model (see the module docstring).

    Returns
    -------
    ndarray, candidates x items x options
        Rank 1..n of each valid option (1 = judged most effective); NaN on padding.
    """
    rng, v, lo, hi, theta, k = _setup(abilities, targets, key, valid, rng, scale)
    u = _utilities(theta, k, v, (lo + hi) / 2, discrimination, baseline)
    perturbed = np.where(v, u + rng.gumbel(size=u.shape), -np.inf)
    order = np.argsort(-perturbed, axis=2, kind="stable")
    ranks = np.empty(u.shape)
    np.put_along_axis(ranks, order, np.arange(1.0, v.shape[1] + 1.0), axis=2)
    return np.where(v, ranks, np.nan)


def simulate_missing(
    responses: np.ndarray | tuple[np.ndarray, ...],
    rng: np.random.Generator,
    *,
    rate: float = 0.05,
) -> np.ndarray | tuple[np.ndarray, ...]:
    """Blank whole items at random, as a candidate who skips them would.

    Each (candidate, item) is missing with probability ``rate``, independently. A 3-D
    array (candidates x items x options) loses every option of the item; a 2-D array
    (candidates x items) the cell. Pass a tuple such as ``(most, least)`` to blank the
    same items in every array. The input is not modified.
    """
    rng = _rng(rng)
    if not 0 <= rate <= 1:
        raise ValueError(f"rate must lie in [0, 1], got {rate}")
    arrays = responses if isinstance(responses, tuple) else (responses,)
    arrays = tuple(np.array(a, dtype=float) for a in arrays)
    if not arrays or any(a.ndim not in (2, 3) for a in arrays):
        raise ValueError("responses must be candidates x items (x options) arrays")
    shape = arrays[0].shape[:2]
    if any(a.shape[:2] != shape for a in arrays):
        raise ValueError("responses in a tuple must share the candidates x items shape")
    gone = rng.random(shape) < rate
    for a in arrays:
        a[gone] = np.nan
    return arrays if isinstance(responses, tuple) else arrays[0]
