"""Sweep throughput (runs per minute) on a Dask LocalCluster with 1 and with 2 workers.

    .venv/bin/python -m benchmarks.bench_sweep [--demand 20000] [--candidates 300] [--workers 1 2]

The same sweep (p in {5, 10, 15, 20} x radius in {4, 6, 8} km: 12 runs, 3 shared precomputes,
profile `fast`, one solver thread per run) on a synthetic instance (`siting generate fast`,
seed 1) for each worker count. Cluster start-up and the workers' first imports are excluded:
each worker imports siting and draws one map before the clock starts. Result:
benchmarks/results/<date>-<machine>-sweep.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import logging
import platform
import tempfile
import time
from pathlib import Path

SWEEP = """
name = "bench"
instance = "instance"
[solve]
profile = "fast"
threads = 1
[grid]
"fast.p" = [5, 10, 15, 20]
"fast.radius" = [4000.0, 6000.0, 8000.0]
"""


def _warm_worker() -> None:
    """Imports and one tiny matplotlib figure, so the first run is not charged for them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import pyogrio  # noqa: F401

    import siting.fast.api  # noqa: F401
    import siting.fast.report  # noqa: F401

    fig = plt.figure()
    plt.close(fig)


def measure(sweep_file: Path, workers: int, out: Path) -> dict:
    import dask
    from distributed import Client, LocalCluster

    from siting.cli.sweep import LOCAL_CONFIG
    from siting.sweep import read_sweep, run_sweep

    sweep = read_sweep(sweep_file)
    with dask.config.set(LOCAL_CONFIG):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0",
                               silence_logs=logging.ERROR)
    with cluster, Client(cluster) as client:
        client.wait_for_workers(workers)
        client.run(_warm_worker)
        start = time.perf_counter()
        report = run_sweep(sweep, client, out)
        seconds = time.perf_counter() - start
    solve = [s["times"].get("solve", 0.0) for s in report.summaries.values()]
    total = [s["times"].get("total", 0.0) for s in report.summaries.values()]
    write = [s["sweep"].get("write_seconds", 0.0) for s in report.summaries.values()]
    return {"workers": workers, "runs": len(report.ran), "failed": len(report.failed), "seconds": round(seconds, 2),
            "runs_per_minute": round(60.0 * len(report.ran) / seconds, 2),
            "sum_run_seconds": round(sum(total), 2), "sum_solve_seconds": round(sum(solve), 2),
            "sum_write_seconds": round(sum(write), 2),
            "statuses": sorted({s["status"] for s in report.summaries.values()})}


def main() -> None:
    from siting.fast.generate import FastSize, generate_fast

    ap = argparse.ArgumentParser()
    ap.add_argument("--demand", type=int, default=20_000)
    ap.add_argument("--candidates", type=int, default=300)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        generate_fast(FastSize(demand=args.demand, candidates=args.candidates, grid_areas=20), 1, folder / "instance")
        (folder / "bench.toml").write_text(SWEEP)
        for n in args.workers:
            row = measure(folder / "bench.toml", n, folder / f"out-{n}")
            rows.append(row)
            print(f"{n} worker(s): {row['runs']} runs in {row['seconds']:.1f} s = {row['runs_per_minute']:.1f} runs/min "
                  f"(sum over runs: load+solve {row['sum_run_seconds']:.1f} s, writing the result folder "
                  f"{row['sum_write_seconds']:.1f} s; statuses {row['statuses']})")
    result = {"benchmark": "sweep", "date": time.strftime("%Y-%m-%d %H:%M"), "machine": platform.node(),
              "cores": __import__("os").cpu_count(), "instance": {"demand": args.demand, "candidates": args.candidates,
                                                                   "seed": 1}, "sweep": SWEEP.strip(), "results": rows}
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{time.strftime('%Y%m%d')}-{platform.node()}-sweep"
    stem.with_suffix(".json").write_text(json.dumps(result, indent=2) + "\n")
    lines = ["| workers | runs | seconds | runs/min | sum of load+solve s | sum of write s |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['workers']} | {r['runs']} | {r['seconds']} | {r['runs_per_minute']} | {r['sum_run_seconds']} "
              f"| {r['sum_write_seconds']} |" for r in rows]
    stem.with_suffix(".md").write_text(f"# Sweep throughput, {result['date']}, {result['cores']} cores\n\n"
                                       + "\n".join(lines) + "\n")
    print(f"-> {stem}.json, {stem}.md")


if __name__ == "__main__":
    main()
