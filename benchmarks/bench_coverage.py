"""Time coverage_pairs against scipy's cKDTree (not a test).

    .venv/bin/python benchmarks/bench_coverage.py [--demand 1000000] [--candidates 5000]

Uniform points in a 150 km x 120 km box, R = 10 km.  The numba kernel is warmed up first so
the timing excludes JIT compilation; cKDTree (a peer, not a reference) runs on fewer demand
points because query_ball_point returns Python lists.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from numba import get_num_threads
from scipy.spatial import cKDTree

from siting.precompute import coverage_pairs

BOX = (150_000.0, 120_000.0)
RADIUS = 10_000.0


def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform((0.0, 0.0), BOX, size=(n, 2))


def report(name: str, n_dem: int, n_cand: int, pairs: int, seconds: float) -> None:
    rate = pairs / seconds / 1e6
    print(f"{name:<22} {n_dem:>9} x {n_cand:<6} pairs={pairs:>11,}  "
          f"{seconds:7.3f} s  {rate:7.1f} M pairs/s")


def bench_kernel(dem: np.ndarray, cand: np.ndarray) -> None:
    coverage_pairs(dem[:1000], cand, RADIUS)  # JIT warm-up (or cache load)
    t0 = time.perf_counter()
    p = coverage_pairs(dem, cand, RADIUS)
    report("coverage_pairs", len(dem), len(cand), p.nnz, time.perf_counter() - t0)


def bench_kdtree(dem: np.ndarray, cand: np.ndarray, workers: int) -> None:
    t0 = time.perf_counter()
    tree = cKDTree(cand)
    hits = tree.query_ball_point(dem, RADIUS, workers=workers)
    pairs = sum(len(h) for h in hits)
    report(f"cKDTree (workers={workers})", len(dem), len(cand), pairs, time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demand", type=int, default=1_000_000)
    ap.add_argument("--candidates", type=int, default=5_000)
    ap.add_argument("--kdtree-demand", type=int, default=100_000)
    args = ap.parse_args()
    rng = np.random.default_rng(42)
    dem, cand = uniform(rng, args.demand), uniform(rng, args.candidates)
    print(f"numba threads: {get_num_threads()}, R = {RADIUS:g} m, box = {BOX}")
    bench_kernel(dem, cand)
    bench_kernel(dem[: args.kdtree_demand], cand)
    bench_kdtree(dem[: args.kdtree_demand], cand, workers=get_num_threads())


if __name__ == "__main__":
    main()
