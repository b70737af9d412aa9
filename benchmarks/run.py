"""Run the benchmark suite: `python -m benchmarks.run --mode smoke|full [--repeat N] [--out DIR] [--case NAME]`.

Every case, whatever its model (fast, corridor, park; the solve function comes from
siting.registry), is measured phase by phase (load, precompute, reduce, build, solve incl. loading into
HiGHS, extract + verify) as the median of N runs after a numba warm-up (JIT compile time is
reported separately), with the peak traced memory; the peers run on the same instance in the
same process. Results: `<out>/<date>-<machine>.json` and a Markdown table next to it.

`--check BASELINE` then holds the run to the published optima and to the baseline (benchmarks/
gate.py) and exits 1 on any regression; `--write-baseline PATH` records this run as a baseline.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import tempfile
import time
import tracemalloc
from importlib.metadata import version
from pathlib import Path

import numpy as np

from benchmarks import gate
from benchmarks.registry import CASES

PHASES = ("load", "precompute", "reduce", "build", "solve", "extract", "total")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def warm_up() -> float:
    """Compile the numba kernels once (cached on disk afterwards); returns the seconds it took."""
    from siting.precompute import coverage_pairs, graph_distances

    t = time.perf_counter()
    xy = np.random.default_rng(0).uniform(0, 10, (50, 2))
    coverage_pairs(xy, xy, 3.0)
    graph_distances(3, np.array([0, 1]), np.array([1, 2]), np.array([1.0, 2.0]), np.array([0]), np.array([2]))
    return time.perf_counter() - t


def _timed_runs(load, solve, repeat: int) -> tuple[list, float]:
    """`repeat` load + solve runs, the load time added to each run's times; peak traced MB."""
    runs, peak = [], 0.0
    for _ in range(repeat):
        tracemalloc.start()
        t = time.perf_counter()
        inst = load()
        seconds = time.perf_counter() - t
        run = solve(inst)
        peak = max(peak, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
        run.times["load"] = seconds
        run.times["total"] += seconds
        runs.append(run)
    return runs, peak


def _outcome(runs: list, peak: float) -> dict:
    """Phase statistics over the runs and the last run's answer."""
    last = runs[-1]
    out = {p: _stats([r.times.get(p, 0.0) for r in runs]) for p in PHASES}
    out.update({"status": last.status, "objective": last.objective, "bound": last.result.best_bound,
                "gap": last.result.gap, "peak_traced_mb": round(peak, 1)})
    return out


def measure_siting(folder: Path, repeat: int, time_limit: float, method: str | None = None,
                   overrides: tuple[str, ...] = ()) -> dict:
    from siting.fast.api import solve_fast
    from siting.fast.load import load_fast
    from siting.formulation.emit import to_highspy
    from siting.options import SolveOptions

    options = SolveOptions(profile="default", time_limit=time_limit, method=method)
    runs, peak = _timed_runs(lambda: load_fast(folder, list(overrides)), lambda inst: solve_fast(inst, options),
                             repeat)
    last = runs[-1]
    t = time.perf_counter()
    to_highspy(last.formulation)
    load_highs = time.perf_counter() - t
    out = _outcome(runs, peak)
    out.update({
        "model": "fast", "method": last.result.solver.get("interface"),
        "size": {**last.formulation.summary(), "demand_points": last.instance.n_demand,
                 "demand_classes": last.demand_classes, "sites": last.instance.n_sites,
                 "dominated_candidates": last.dominated_candidates, "pairs": last.pairs.nnz},
        "load_into_highs_s": round(load_highs, 4),
        "build_and_load_nnz_per_s": round(last.formulation.nnz / max(1e-9, out["build"]["median"] + load_highs)),
    })
    return out


def measure_model(folder: Path, repeat: int, time_limit: float, method: str | None = None,
                  overrides: tuple[str, ...] = ()) -> dict:
    """A corridor or park case: the model's own load and solve (siting.registry), phase by phase."""
    from siting.options import SolveOptions
    from siting.registry import model_of, model_spec

    api = model_spec(model_of(folder))
    options = SolveOptions(profile="default", time_limit=time_limit, method=method)
    runs, peak = _timed_runs(lambda: api.load(folder, list(overrides)), lambda inst: api.solve(inst, options), repeat)
    out = _outcome(runs, peak)
    out.update({"model": api.name, "size": {**runs[-1].formulation.summary(), **_model_size(api.name, runs[-1])}})
    return out


def _model_size(model: str, run) -> dict:
    """What the model's size depends on, besides variables / rows / nonzeros."""
    inst = run.instance
    if model == "corridor":
        return {"road_nodes": int(inst.network.n_nodes), "od_flows": int(inst.n_od), "sites": int(inst.n_sites),
                "path_nodes": int(run.paths.ptr[-1]), "arc_cover_rows": int(len(run.cover.kind))}
    return {"companies": len(inst.company_ids), "squares": len(inst.square_ids), "slots": int(inst.params.slots),
            "pairs": len(inst.pair_company)}


def _size_text(size: dict) -> str:
    """The markdown size cell: vars / rows / nnz, then what the model's size depends on."""
    text = f"{size['variables']} / {size['constraints']} / {size['nonzeros']}"
    if "demand_points" in size:
        dropped = size.get("dominated_candidates")
        sites = f"; {size['sites']} sites, {dropped} dominated" if dropped is not None else ""
        return f"{text}; {size['demand_points']} → {size['demand_classes']}{sites}"
    if "od_flows" in size:
        return f"{text}; {size['road_nodes']} nodes, {size['od_flows']} OD, {size['arc_cover_rows']} arc-cover rows"
    return f"{text}; {size['companies']} companies, {size['squares']} squares, {size['slots']} slots"


def measure_peer(name: str, folder: Path, time_limit: float) -> dict:
    from benchmarks import peers
    from siting.fast.load import load_fast
    from siting.fast.pairs import fast_pairs

    corridor = {"spopt-frlm": peers.spopt_frlm, "spopt-frlm-highs": lambda *a: peers.spopt_frlm(*a, solver="highs")}
    if name in corridor:  # corridor peers read the folder themselves (and report `skipped` where they cannot run)
        try:
            return corridor[name](folder, time_limit)
        except Exception as err:
            return {"status": f"failed: {type(err).__name__}: {err}"}
    inst = load_fast(folder)
    pairs = fast_pairs(inst)
    fn = {"spopt": peers.spopt_mclp, "spopt-highs": lambda *a: peers.spopt_mclp(*a, solver="highs"),
          "spopt-lscp": peers.spopt_lscp, "spopt-lscp-highs": lambda *a: peers.spopt_lscp(*a, solver="highs"),
          "spopt-pmedian": peers.spopt_pmedian,
          "spopt-pmedian-highs": lambda *a: peers.spopt_pmedian(*a, solver="highs"),
          "pyomo": peers.pyomo_mclp}[name]
    try:
        return fn(inst, pairs, time_limit)
    except Exception as err:  # a peer that fails is reported, not fatal
        return {"status": f"failed: {type(err).__name__}: {err}"}


def _stats(values: list[float]) -> dict:
    return {"median": round(statistics.median(values), 4), "min": round(min(values), 4), "max": round(max(values), 4)}


def run(mode: str, repeat: int, out: Path, time_limit: float, only: list[str] | None = None) -> Path:
    from siting.registry import model_of

    results = {
        "date": time.strftime("%Y-%m-%d %H:%M:%S"), "mode": mode, "machine": platform.node(), "cpu": _cpu(),
        "cores": __import__("os").cpu_count(), "python": platform.python_version(),
        "versions": {p: version(p) for p in ("siting", "highspy", "numba", "numpy", "scipy", "pyomo", "spopt", "pulp")},
        "time_limit_s": time_limit, "repeat": repeat, "jit_warmup_s": round(warm_up(), 3),
        "calibration_s": round(gate.calibrate(), 4), "cases": {},
    }
    with tempfile.TemporaryDirectory() as work:
        for case in CASES:
            if mode not in case.sizes or (only and case.name not in only):
                continue
            folder = case.build(Path(work), mode)
            measure = measure_siting if model_of(folder) == "fast" else measure_model
            entry = {"siting": measure(folder, repeat, time_limit, case.method, case.overrides), "peers": {},
                     "known": case.known}
            for peer in case.peers:
                entry["peers"][peer] = measure_peer(peer, folder, time_limit)
            results["cases"][case.name] = entry
            print(f"{case.name}: {entry['siting']['status']} {entry['siting']['objective']} "
                  f"total {entry['siting']['total']['median']:.2f}s; peers "
                  + ", ".join(f"{k} {v.get('status')} {v.get('objective')} {v.get('solve', 0) + v.get('build', 0):.2f}s"
                              for k, v in entry["peers"].items()), flush=True)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{time.strftime('%Y-%m-%d')}-{platform.node()}-{mode}"
    path = out / f"{stem}.json"
    path.write_text(json.dumps(results, indent=2) + "\n")
    (out / f"{stem}.md").write_text(markdown(results))
    return path


def markdown(results: dict) -> str:
    lines = [f"# siting benchmarks — {results['mode']} ({results['date']})", "",
             f"{results['cpu']}, {results['cores']} cores, Python {results['python']}, "
             f"highspy {results['versions']['highspy']}; median of {results['repeat']} runs; "
             f"numba JIT warm-up {results['jit_warmup_s']} s (excluded); time limit {results['time_limit_s']} s; "
             f"calibration solve (benchmarks/gate.py) {results.get('calibration_s')} s.", "",
             "| case | size (vars / rows / nnz; demand → classes, or what the model's size depends on) | status | "
             "objective | " + " | ".join(PHASES) + " | peak MB | peers (status, objective, build+solve s, ratio to "
             "siting total) |",
             "|---" * (len(PHASES) + 6) + "|"]
    for name, entry in results["cases"].items():
        s = entry["siting"]
        peers = []
        for peer, p in entry["peers"].items():
            if str(p.get("status", "")).startswith("skipped"):
                peers.append(f"{peer}: {p['status']}")
                continue
            secs = p.get("build", 0) + p.get("solve", 0)
            ratio = secs / s["total"]["median"] if s["total"]["median"] else float("nan")
            peers.append(f"{peer}: {p.get('status')}, {p.get('objective')}, {secs:.2f} s, {ratio:.1f}×")
        lines.append(
            f"| {name} | {_size_text(s['size'])} "
            f"| {s['status']} | {s['objective']} | " + " | ".join(f"{s[p]['median']:.3f}" for p in PHASES[:-1])
            + f" | {s['total']['median']:.3f} | {s['peak_traced_mb']} | {'; '.join(peers)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mode", choices=["smoke", "full"], default="smoke")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--case", action="append", help="run only this case (repeatable)")
    parser.add_argument("--check", type=Path, metavar="BASELINE",
                        help="exit 1 when a case misses its published optimum or regressed against BASELINE")
    parser.add_argument("--slowdown", type=float, default=gate.SLOWDOWN,
                        help="with --check: the largest allowed growth of a case's time relative to the "
                        "calibration solve (default %(default)s)")
    parser.add_argument("--write-baseline", type=Path, metavar="PATH", help="record this run as a baseline")
    args = parser.parse_args(argv)
    baseline = gate.read_baseline(args.check) if args.check else None  # a bad baseline fails before the run
    path = run(args.mode, args.repeat, args.out, args.time_limit, args.case)
    results = json.loads(path.read_text())
    if args.write_baseline:
        args.write_baseline.write_text(json.dumps(gate.baseline_of(results), indent=2) + "\n")
    if args.check:
        failures = gate.check(results, baseline, slowdown=args.slowdown)
        for failure in failures:
            print(f"REGRESSION {failure}", flush=True)
        print(f"benchmark gate: {len(results['cases'])} case(s), {len(failures)} regression(s) against "
              f"{args.check} and the published optima", flush=True)
        if failures:
            raise SystemExit(1)
    return path


if __name__ == "__main__":
    print(main())
