"""The MCLP's root LP bound by an interior point method that factors in the site space (not a test).

    .venv/bin/python -m benchmarks.bench_ipm_root --family towns-1m-5k [--best 44748344]

The LP relaxation of the MCLP over demand classes i and sites j,

    max sum_i w_i y_i   s.t.  y_i <= sum_{j in N_i} x_j,  sum_j x_j = p,  0 <= y, x <= 1

(models/fast.md's symbols) has far more rows than sites (278 301 x 4 998 at towns-1m-5k). Written as
min c'v, Bv = b, 0 <= v <= u over v = (y, x, s) with a slack s >= 0 per cover row, the normal equations
B Theta B' dl = r of a primal-dual (Mehrotra predictor-corrector) step reduce, after
eliminating the rows' diagonal blocks, to one dense system in the sites,

    S = Theta_x^-1 + A' diag(1 / (Theta_y + Theta_s)) A     (|J| x |J|),

bordered by the row sum x = p. Forming S costs sum_i |N_i|^2 / 2 (numba, one accumulator per
thread), its Cholesky |J|^3 / 3; a refinement against the full normal equations keeps the
bordered row accurate until the last iterations. The bound reported is the Lagrangian L(u)
(benchmarks/bench_lagrangian) at the iterate's cover duals u, clipped to [0, w]: an upper bound of
the MCLP at any u, so the method need not converge for it to hold. It was the one avenue to
issue 13's 1 M x 5 k root not yet tried; benchmarks/results/2026-12-07-vm-mclp-uniform-1m.md
reports the run.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numba as nb
import numpy as np
import scipy.linalg as la
import scipy.sparse as sp

from benchmarks.bench_lagrangian import closed_sites, family_lp, lagrangian


@nb.njit(parallel=True, cache=True)
def schur_upper(indptr, indices, d, n_sites, n_threads):
    """The upper triangle of A' diag(d) A for a 0/1 CSR matrix A (one accumulator per thread)."""
    n = indptr.size - 1
    out = np.zeros((n_threads, n_sites, n_sites))
    chunk = (n + n_threads - 1) // n_threads
    for t in nb.prange(n_threads):
        acc = out[t]
        for i in range(t * chunk, min(n, (t + 1) * chunk)):
            for a in range(indptr[i], indptr[i + 1]):
                ja = indices[a]
                for b in range(a, indptr[i + 1]):
                    jb = indices[b]
                    if jb >= ja:
                        acc[ja, jb] += d[i]
                    else:
                        acc[jb, ja] += d[i]
    total = out[0]
    for t in range(1, n_threads):
        total += out[t]
    return total


@dataclass
class RootBound:
    bound: float  # the best L(u) over the iterates: an upper bound of the MCLP
    # the best LP objective of an iterate with primal residual <= 1e-6 (-inf if none): the LP's
    # value is at least about this
    primal: float
    u: np.ndarray  # the cover duals of the best bound
    iterations: int
    seconds: float


def _step(v: np.ndarray, dv: np.ndarray) -> float:
    """The largest step in [0, 1] keeping v + step * dv >= 0."""
    neg = dv < 0
    return min(1.0, float(np.min(-v[neg] / dv[neg]))) if neg.any() else 1.0


def interior_point(a: sp.csr_array, w: np.ndarray, p: int, tol: float = 1e-6, max_iter: int = 100,
                   log=None) -> RootBound:
    """The LP above by Mehrotra's predictor-corrector; stops at relative gap `tol`, or when the
    steps stall near the end (the dense system's conditioning)."""
    t0 = time.perf_counter()
    n, m = a.shape
    indptr, indices = a.indptr.astype(np.int64), a.indices.astype(np.int64)
    at = a.T.tocsr()
    scale = float(w.max())  # costs of order one
    size = 2 * n + m
    iy, ix, i_s = slice(0, n), slice(n, n + m), slice(n + m, size)
    upper = np.r_[np.ones(n + m), np.full(n, np.inf)]
    boxed = np.isfinite(upper)
    pairs_count = size + int(boxed.sum())  # complementarity pairs: v with zl, u - v with zu
    c = np.r_[-w / scale, np.zeros(m + n)]
    b = np.r_[np.zeros(n), float(p)]

    def times_b(v):
        return np.r_[v[iy] - a @ v[ix] + v[i_s], v[ix].sum()]

    def times_bt(lam):
        return np.r_[lam[:n], lam[n] - at @ lam[:n], lam[:n]]

    v = np.empty(size)
    v[ix] = np.clip(p / m, 0.01, 0.99)
    ax = a @ v[ix]
    v[iy] = np.clip(0.5 * np.minimum(1.0, ax), 0.05, 0.95)
    v[i_s] = np.maximum(ax - v[iy], 0.0) + 0.1
    gap_u = np.where(boxed, upper - v, 1.0)  # u - v, kept positive
    lam = np.r_[-0.5 * w / scale, 0.0]
    zl, zu = np.ones(size), np.where(boxed, 1.0, 0.0)
    best, best_u, primal, stalls, last_step = np.inf, None, -np.inf, 0, 1.0
    for k in range(max_iter):
        rp, rd = b - times_b(v), c - times_bt(lam) - zl + zu
        mu = (v @ zl + gap_u[boxed] @ zu[boxed]) / pairs_count
        pobj, dobj = c @ v, b @ lam - upper[boxed] @ zu[boxed]
        relgap = abs(pobj - dobj) / (1 + abs(pobj))
        u = np.clip(-lam[:n] * scale, 0.0, w)
        bound = lagrangian(a, w, p, u)[0]
        if bound < best:
            best, best_u = bound, u
        if np.abs(rp).max() <= 1e-6:
            primal = max(primal, float(-pobj * scale))
        if log is not None:
            log(f"{k:3d} primal {-pobj * scale:.6e} dual {-dobj * scale:.6e} L {bound:.6e} gap {relgap:.1e} "
                f"pinf {np.abs(rp).max():.1e} {time.perf_counter() - t0:.1f} s")
        stalls += relgap < 1e-3 and last_step < 1e-2
        if relgap < tol or stalls >= 2:
            break
        theta = 1.0 / (zl / v + np.where(boxed, zu / gap_u, 0.0))
        e = theta[iy] + theta[i_s]
        s = schur_upper(indptr, indices, 1.0 / e, m, nb.get_num_threads())
        s[np.diag_indices(m)] += 1.0 / theta[ix] + 1e-12 * s.diagonal().max()
        factor = la.cho_factor(s, lower=False, overwrite_a=True, check_finite=False)
        s_one = la.cho_solve(factor, np.ones(m), check_finite=False)
        s_one_sum = s_one.sum()

        def solve_normal(r):
            g = la.cho_solve(factor, -(at @ (r[:n] / e)), check_finite=False)
            row = (r[n] - g.sum()) / s_one_sum  # the bordered row sum x = p
            return np.r_[(r[:n] + a @ (g + row * s_one)) / e, row]

        def direction(rzl, rzu):
            rho = rd - rzl / v + np.where(boxed, rzu / gap_u, 0.0)
            r = rp + times_b(theta * rho)
            dlam = solve_normal(r)
            for _ in range(4):  # refinement: the bordered row loses digits as Theta spreads
                res = r - times_b(theta * times_bt(dlam))
                if np.abs(res).max() <= 1e-12 * (1 + np.abs(r).max()):
                    break
                dlam = dlam + solve_normal(res)
            dv = theta * (times_bt(dlam) - rho)
            return dv, dlam, (rzl - zl * dv) / v, np.where(boxed, (rzu + zu * dv) / gap_u, 0.0)

        def steps(dv, dzl, dzu):
            return (min(_step(v, dv), _step(gap_u[boxed], -dv[boxed])),
                    min(_step(zl, dzl), _step(zu[boxed], dzu[boxed])))

        dv, _, dzl, dzu = direction(-v * zl, np.where(boxed, -gap_u * zu, 0.0))
        ap, ad = steps(dv, dzl, dzu)
        mu_aff = ((v + ap * dv) @ (zl + ad * dzl)
                  + (gap_u[boxed] - ap * dv[boxed]) @ (zu[boxed] + ad * dzu[boxed])) / pairs_count
        sigma = (mu_aff / mu) ** 3
        dv, dlam, dzl, dzu = direction(sigma * mu - v * zl - dv * dzl,
                                       np.where(boxed, sigma * mu - gap_u * zu + dv * dzu, 0.0))
        ap, ad = steps(dv, dzl, dzu)
        ap, ad = 0.995 * ap, 0.995 * ad
        last_step = max(ap, ad)
        v = v + ap * dv
        gap_u = np.where(boxed, upper - v, 1.0)
        lam, zl, zu = lam + ad * dlam, zl + ad * dzl, np.where(boxed, zu + ad * dzu, 0.0)
    return RootBound(best, primal, best_u, k + 1, time.perf_counter() - t0)


def main(argv: list[str] | None = None) -> None:
    from benchmarks.mclp_families import FAMILIES

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", required=True, choices=sorted(FAMILIES))
    ap.add_argument("--best", type=float, default=None, help="best plan known (default: siting solve, 60 s)")
    args = ap.parse_args(argv)
    a, w, p, best = family_lp(ap, args.family, args.best)
    root = interior_point(a, w, p, log=print)
    value, big_u, top = lagrangian(a, w, p, root.u)
    print(f"interior point, {root.iterations} iterations, {root.seconds:.1f} s: bound {root.bound:.1f} "
          f"({100 * (root.bound / best - 1):.3f} % above the best plan), "
          f"best near-feasible LP iterate {root.primal:.1f}; "
          f"fixing closes {closed_sites(value, big_u, top, p, best).sum()} of {a.shape[1]} sites")


if __name__ == "__main__":
    main()
