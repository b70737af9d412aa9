"""The Lagrangian bound of an mclp instance by subgradient, against its LP bound (not a test).

    .venv/bin/python -m benchmarks.bench_lagrangian --family towns20-100k [--iterations 1500] [--exact]

Relaxing the cover rows y_i <= sum_{j in N_i} x_j with multipliers u_i in [0, w_i] leaves

    L(u) = sum_i (w_i - u_i) + (the p largest U_j),   U_j = sum_{i : j in N_i} u_i,

an upper bound of the MCLP for *every* u in the box: no solver needs to converge for it to be
valid, and one evaluation is two passes over the pairs. Its minimum is the LP bound (the
subproblem over x has the integrality property). Forcing x_j = 1 for a site outside the p best
bounds the plans with j by L(u) - U_(p) + U_j: where that is at most the best plan known, j is
closed in every better plan (Lagrangian fixing).

This measures how close a plain subgradient method (Polyak steps towards the best plan known,
the step factor times 0.9 every 50 iterations) gets, and how many sites the fixing closes; with
`--exact`, the same at the LP's own duals (HiGHS on the compact LP through scipy; small
instances only). Issue 13 named Lagrangian bounds as one way to a root bound faster than the
compact LP; benchmarks/results/2026-12-07-vm-mclp-race.md reports the run.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import scipy.sparse as sp

from siting.precompute import Pairs


def incidence(pairs: Pairs) -> sp.csr_array:
    """a_ij = 1 where site j reaches class i (the cover rows' matrix)."""
    return sp.csr_array((np.ones(pairs.nnz), pairs.indices, pairs.indptr), shape=pairs.shape)


def lagrangian(a: sp.csr_array, w: np.ndarray, p: int, u: np.ndarray):
    """(L(u), U = a^T u, the p best sites)."""
    big_u = a.T @ u
    top = np.argpartition(-big_u, p)[:p]
    return float(w.sum() - u.sum() + big_u[top].sum()), big_u, top


def closed_sites(value: float, big_u: np.ndarray, top: np.ndarray, p: int, best: float) -> np.ndarray:
    """Sites outside the p best whose forced opening bounds every plan at or below `best` (a mask)."""
    ranked = np.sort(big_u)[::-1]
    outside = np.ones(len(big_u), bool)
    outside[top] = False
    return outside & (value - ranked[p - 1] + big_u <= best)


def subgradient(a: sp.csr_array, w: np.ndarray, p: int, target: float, iterations: int, alpha: float = 1.0):
    """The best L(u) over `iterations` Polyak steps from u = w/2; (bound, its u, seconds)."""
    t0 = time.perf_counter()
    t = np.full(w.size, 0.5)  # u = w * t
    best, best_t = np.inf, t
    for k in range(iterations):
        value, _, top = lagrangian(a, w, p, w * t)
        if value < best:
            best, best_t = value, t.copy()
        chosen = np.zeros(a.shape[1])
        chosen[top] = 1.0
        g = a @ chosen - 1.0  # dL/du_i: how many of the p best reach i, less one
        g[((t <= 0) & (g > 0)) | ((t >= 1) & (g < 0))] = 0.0  # the box holds those
        norm = float((w * g * g).sum())
        if norm == 0.0:
            break  # a zero subgradient: u minimises L
        t = np.clip(t - alpha * (value - target) / norm * g, 0.0, 1.0)
        if k % 50 == 49:
            alpha *= 0.9
    return best, w * best_t, time.perf_counter() - t0


def exact_lp_duals(a: sp.csr_array, w: np.ndarray, p: int):
    """The compact LP's value and its cover rows' duals, clipped to [0, w] (HiGHS through scipy)."""
    from scipy.optimize import linprog

    n, n_sites = a.shape
    rows = sp.hstack([sp.eye(n), -a]).tocsr()
    res = linprog(np.r_[-w, np.zeros(n_sites)], A_ub=rows, b_ub=np.zeros(n),
                  A_eq=np.r_[np.zeros(n), np.ones(n_sites)][None, :], b_eq=[p], bounds=(0, 1), method="highs")
    return -res.fun, np.clip(-res.ineqlin.marginals, 0.0, w)


def family_lp(ap: argparse.ArgumentParser, family: str, best: float | None):
    """(A, w, p, the best plan) of an mclp family after siting's exact reductions; without `best`,
    siting solve's plan at 60 s. Refuses what is not the textbook MCLP with p sites."""
    from benchmarks.mclp_families import FAMILIES
    from siting.fast.api import solve_fast
    from siting.fast.pairs import fast_pairs
    from siting.fast.reduction import reduce_fast
    from siting.options import SolveOptions

    inst = FAMILIES[family]()
    if inst.params.objective != "mclp" or inst.params.p is None or inst.grid is not None:
        ap.error("the textbook MCLP with p sites only")
    best = best if best is not None else solve_fast(inst, SolveOptions(time_limit=60)).objective
    model_inst, pairs, _ = reduce_fast(inst, fast_pairs(inst))
    a, w, p = incidence(pairs), model_inst.weight.astype(float), inst.params.p
    print(f"{family}: {w.size} classes x {a.shape[1]} sites, {pairs.nnz} pairs, p = {p}, "
          f"best plan {best:.1f}")
    return a, w, p, best


def main(argv: list[str] | None = None) -> None:
    from benchmarks.mclp_families import FAMILIES

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", required=True, choices=sorted(FAMILIES))
    ap.add_argument("--iterations", type=int, default=1500)
    ap.add_argument("--best", type=float, default=None, help="best plan known (default: siting solve, 60 s)")
    ap.add_argument("--exact", action="store_true", help="also at the compact LP's duals (small instances)")
    args = ap.parse_args(argv)
    a, w, p, best = family_lp(ap, args.family, args.best)
    n_sites = a.shape[1]
    bound, u, seconds = subgradient(a, w, p, best, args.iterations)
    value, big_u, top = lagrangian(a, w, p, u)
    print(f"subgradient, {args.iterations} iterations, {seconds:.1f} s: bound {bound:.1f} "
          f"({100 * (bound / best - 1):.3f} % above the best plan); fixing closes "
          f"{closed_sites(value, big_u, top, p, best).sum()} of {n_sites} sites")
    if args.exact:
        t0 = time.perf_counter()
        lp, u = exact_lp_duals(a, w, p)
        value, big_u, top = lagrangian(a, w, p, u)
        print(f"compact LP, {time.perf_counter() - t0:.1f} s: {lp:.1f} ({100 * (lp / best - 1):.3f} %); "
              f"L at its duals {value:.1f}; fixing closes {closed_sites(value, big_u, top, p, best).sum()} of "
              f"{n_sites} sites")


if __name__ == "__main__":
    main()
