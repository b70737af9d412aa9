"""Time coverage_pairs against scipy's cKDTree (not a test).

    .venv/bin/python benchmarks/bench_coverage.py [--demand 1000000] [--candidates 5000]
                                                  [--repeat 3] [--kdtree-demand 100000]

Uniform points in a 150 km x 120 km box, R = 10 km.  Reported per size: the time of repeated
calls (best and median, each on fresh output memory, as a caller sees it), the median CPU time
of the process over a call (user + system, all threads; on a shared machine the wall time
tracks whatever cores are free, CPU time much less so) and the peak memory
of the first timed call next to the size of its CSR output.  The first call on a tiny input is
reported separately: it is the JIT compile (or the load from numba's on-disk cache).  cKDTree (a
peer, not a reference) runs on fewer demand points because query_ball_point returns Python
lists.  Machines are shared: run `uptime` alongside and repeat.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import time

import numpy as np
from numba import get_num_threads, threading_layer
from scipy.spatial import cKDTree

from siting.precompute import coverage_pairs

BOX = (150_000.0, 120_000.0)
RADIUS = 10_000.0
MB = 1e6


def uniform(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.uniform((0.0, 0.0), BOX, size=(n, 2))


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def cpu_seconds() -> float:
    t = os.times()
    return t.user + t.system


def report(name: str, n_dem: int, n_cand: int, pairs: int, times: list[float],
           cpu: list[float] | None = None) -> None:
    best, med = min(times), statistics.median(times)
    cpu_note = f"  cpu median {statistics.median(cpu):6.3f} s" if cpu else ""
    print(f"{name:<22} {n_dem:>9} x {n_cand:<6} pairs={pairs:>11,}  "
          f"best {best:7.3f} s {pairs / best / 1e6:7.1f} M pairs/s  "
          f"median {med:7.3f} s {pairs / med / 1e6:7.1f} M pairs/s{cpu_note}  (n={len(times)}, "
          f"load {os.getloadavg()[0]:.2f})")


def bench_compile(cand: np.ndarray) -> None:
    t0 = time.perf_counter()
    coverage_pairs(np.zeros((1, 2)), cand[:2], RADIUS)
    print(f"first call (JIT compile or numba cache load): {time.perf_counter() - t0:.2f} s, "
          f"threading layer {threading_layer()}")


def bench_kernel(dem: np.ndarray, cand: np.ndarray, repeat: int) -> None:
    # Peak RSS is a process-wide high-water mark: it measures this call only while the
    # mark still sits at the current RSS, i.e. for the first (largest) size.
    before, mark = rss_bytes(), peak_rss_bytes()
    times, cpu = [], []
    for k in range(repeat):
        t0, c0 = time.perf_counter(), cpu_seconds()
        p = coverage_pairs(dem, cand, RADIUS)
        times.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
        if k == 0:
            peak = peak_rss_bytes() - max(before, mark)
            nnz, csr = p.nnz, p.indptr.nbytes + p.indices.nbytes + p.distance.nbytes
        del p  # every call gets fresh output memory, as a caller's would
    report("coverage_pairs", len(dem), len(cand), nnz, times, cpu)
    if mark <= before + csr // 100:
        print(f"{'':<22} peak memory +{peak / MB:.1f} MB = {peak / csr:.2f} x its CSR output "
              f"{csr / MB:.1f} MB (indptr + indices int64, distance float64)")
    else:
        print(f"{'':<22} peak memory: n/a (an earlier, larger call set the high-water mark); "
              f"CSR output {csr / MB:.1f} MB")


def bench_kdtree(dem: np.ndarray, cand: np.ndarray, workers: int, repeat: int) -> None:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        tree = cKDTree(cand)
        hits = tree.query_ball_point(dem, RADIUS, workers=workers)
        pairs = sum(len(h) for h in hits)
        times.append(time.perf_counter() - t0)
    report(f"cKDTree (workers={workers})", len(dem), len(cand), pairs, times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--demand", type=int, default=1_000_000)
    ap.add_argument("--candidates", type=int, default=5_000)
    ap.add_argument("--kdtree-demand", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rng = np.random.default_rng(42)
    dem, cand = uniform(rng, args.demand), uniform(rng, args.candidates)
    print(f"numba threads: {get_num_threads()}, R = {RADIUS:g} m, box = {BOX}, "
          f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} (1, 5 min)")
    bench_compile(cand)
    bench_kernel(dem, cand, args.repeat)
    small = dem[: args.kdtree_demand]
    bench_kernel(small, cand, args.repeat)
    bench_kdtree(small, cand, get_num_threads(), args.repeat)


if __name__ == "__main__":
    main()
