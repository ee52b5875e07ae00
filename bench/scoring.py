"""Speed of SJT scoring against one bare numpy pass over the same ratings array.

Run: ``.venv/bin/python bench/scoring.py [--candidates N] [--items I] [--options O]``

The peer is one numpy pass, ``np.nansum(np.abs(ratings - key), axis=2)``, on the same
candidates x items x options ratings array: the least any rate-format scorer must do. Every
scoring method is timed (best of 3, ``time.perf_counter``) including its input validation,
and reported as seconds and as a ratio to that pass. The aim: the standardized method within
10x of the pass. Data are simulated with a seeded generator (assessments.simulate).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable

import numpy as np

from assessments.simulate import (
    simulate_candidates,
    simulate_most_least_responses,
    simulate_rank_responses,
    simulate_rate_responses,
)
from assessments.sjt.keys import key_ranks, option_keys
from assessments.sjt.scoring import (
    rate_bounds,
    score_most_least,
    score_most_least_options,
    score_rank,
    score_rate,
    score_standardized,
    score_test,
)

AIM = 10.0


def best_of(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=100_000)
    ap.add_argument("--items", type=int, default=20)
    ap.add_argument("--options", type=int, default=5)
    ap.add_argument("--seed", type=int, default=20240601)
    args = ap.parse_args()
    n, n_items, n_opts = args.candidates, args.items, args.options

    rng = np.random.default_rng(args.seed)
    valid = np.ones((n_items, n_opts), bool)
    if n_opts > 4:
        valid[::3, n_opts - 1] = False  # every third item has one option fewer
    key = np.where(valid, rng.integers(1, 8, valid.shape).astype(float), np.nan)
    targets = np.zeros((n_items, 3), bool)
    targets[np.arange(n_items), np.arange(n_items) % 3] = True
    abilities = simulate_candidates(n, targets, rng)
    ratings = simulate_rate_responses(abilities, targets, key, valid, rng)
    ratings[rng.random((n, n_items)) < 0.02] = np.nan  # 2% skipped items
    most, least = simulate_most_least_responses(abilities, targets, key, valid, rng)
    ranks = simulate_rank_responses(abilities, targets, key, valid, rng)
    best = np.where(valid, key, -np.inf).argmax(axis=1)
    worst = np.where(valid, key, np.inf).argmin(axis=1)
    worst = np.where(worst == best, (best + 1) % valid.sum(axis=1), worst)
    kr = key_ranks(key, valid)
    ok = option_keys(key, valid)
    abs_scores = score_rate(ratings, key, valid, method="absolute")
    abs_bounds = rate_bounds(key, valid, method="absolute")

    reference = best_of(lambda: np.nansum(np.abs(ratings - key), axis=2))
    cases: list[tuple[str, Callable[[], object]]] = [
        (f"rate/{m}", lambda m=m: score_rate(ratings, key, valid, method=m))
        for m in ("absolute", "squared", "correlation", "standardized")
    ]
    cases += [
        ("most_least", lambda: score_most_least(most, least, best=best, worst=worst, valid=valid)),
        ("most_least_options", lambda: score_most_least_options(most, least, ok, valid=valid)),
        ("rank/distance", lambda: score_rank(ranks, kr, valid, method="distance")),
        ("rank/spearman", lambda: score_rank(ranks, kr, valid, method="spearman")),
        ("score_test (totals)", lambda: score_test(abs_scores, abs_bounds, targets)),
        ("standardized totals", lambda: score_standardized(ratings, key, valid, targets)),
        ("bounds rate/correlation", lambda: rate_bounds(key, valid, method="correlation")),
    ]

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    print(f"numpy {np.__version__}, python {platform.python_version()}, {cores} cores usable")
    print(
        f"{n:,} candidates x {n_items} items x {n_opts} options "
        f"(ratings array {ratings.nbytes / 1e6:.0f} MB); best of 3"
    )
    print()
    print(f"{'method':<24}{'seconds':>10}{'x numpy pass':>14}")
    print(f"{'numpy pass (reference)':<24}{reference:>10.3f}{1.0:>14.1f}")
    results = {}
    for name, fn in cases:
        t = best_of(fn)
        results[name] = t
        print(f"{name:<24}{t:>10.3f}{t / reference:>14.1f}")
    ratio = (results["rate/standardized"] + results["standardized totals"]) / reference
    print()
    verdict = "met" if ratio <= AIM else "NOT met"
    print(
        f"aim: standardized (item scores + totals) within {AIM:g}x of the numpy pass: "
        f"{ratio:.1f}x -> {verdict}"
    )


if __name__ == "__main__":
    main()
