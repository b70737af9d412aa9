"""Large CFLPs: the park model against plain HiGHS on the compact textbook model, in the same run.

Instances are drawn by the generator of Cornuéjols, Sridharan & Thizy (1991), as restated by the
papers that use it (Avella & Boccia 2009; Görtz & Klose 2012): facilities and customers uniform
in the unit square, demand d_j ~ U[5, 35], capacity s_i ~ U[10, 160], fixed cost
f_i = U[0, 90] + U[100, 110] sqrt(s_i) (economies of scale, from the drawn capacity), the cost of
serving all of j from i c_ij = 10 d_ij d_j (d_ij the Euclidean distance), and the capacities
rescaled so that sum_i s_i = r sum_j d_j (CST's ratios r = 3, 5, 10). OR-Library's capa/capb/capc
(Beasley 1988) are 100 x 1 000 with one capacity for all facilities; `equal_capacity` draws that
kind: every s_i = r sum_j d_j / m, the fixed cost from it. Same seed, same instance.

The comparison (`python -m benchmarks.cflp --limit 600`): each instance is imported as a park
instance (`write_cflp`, as `siting import orlib-cap` writes it) and solved by the park pipeline's
own model and MIP start, then the compact model (y_i binary, x_ij in [0, 1], assignment rows,
capacity rows, x_ij <= y_i) goes to HiGHS built straight in highspy. Both on the same `--threads`
(1 by default; `--threads 2` uses both cores of the 2-core machine, as `siting solve`'s default
threads = 0 lets HiGHS do there) and the same seed; the incumbent is recorded as it improves, so
one run gives the 60 s and the limit's values. Results: benchmarks/results/<date>-cflp-<limit>s.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Cflp:
    """A CFLP as arrays: cost[i, j] serves all of customer j from facility i."""

    name: str
    capacity: np.ndarray
    fixed: np.ndarray
    demand: np.ndarray
    cost: np.ndarray


def cst_cflp(m: int, n: int, ratio: float, seed: int, *, equal_capacity: bool = False) -> Cflp:
    """Cornuéjols, Sridharan & Thizy (1991) instance with m facilities, n customers, capacity ratio r."""
    rng = np.random.default_rng(seed)
    fac = rng.uniform(0.0, 1.0, (m, 2))
    cus = rng.uniform(0.0, 1.0, (n, 2))
    demand = rng.uniform(5.0, 35.0, n).round()
    drawn = rng.uniform(10.0, 160.0, m)
    capacity = np.full(m, drawn.mean()) if equal_capacity else drawn
    fixed = rng.uniform(0.0, 90.0, m) + rng.uniform(100.0, 110.0, m) * np.sqrt(capacity)
    capacity = np.round(capacity * ratio * demand.sum() / capacity.sum())
    dist = np.sqrt(((fac[:, None, :] - cus[None, :, :]) ** 2).sum(axis=2))
    cost = np.round(10.0 * dist * demand[None, :], 3)
    kind = "eq" if equal_capacity else "cst"
    return Cflp(f"{kind}-{m}x{n}-r{ratio:g}-s{seed}", capacity, np.round(fixed, 3), demand, cost)


def write_instance(c: Cflp, folder: Path) -> Path:
    """The park instance of `c`, as `siting import orlib-cap` writes one (split: Beasley's CFLP)."""
    from siting.importers.orlib_cap import write_cflp

    if not (folder / "instance.toml").exists():
        folder.mkdir(parents=True, exist_ok=True)
        write_cflp(folder, c.name, c.capacity, c.fixed, c.demand, c.cost, single_source=False,
                   header=["Drawn by benchmarks/cflp.py (Cornuejols, Sridharan & Thizy 1991 generator)."],
                   description=f"CST CFLP {c.name}")
    return folder


# -- the two solves ---------------------------------------------------------------------------
class Trace:
    """The incumbent as HiGHS improves it (its callbacks run in HiGHS's thread: plain appends)."""

    def __init__(self) -> None:
        self.points: list[tuple[float, float]] = []
        self.start = time.perf_counter()

    def watch(self, h) -> None:
        def seen(event) -> None:
            best = float(event.data_out.mip_primal_bound)
            if math.isfinite(best):
                self.points.append((time.perf_counter() - self.start, best))

        h.cbMipImprovingSolution.subscribe(seen)

    def at(self, seconds: float) -> float | None:
        before = [b for t, b in self.points if t <= seconds]
        return min(before) if before else None


def _run(h, limit: float, trace: Trace, threads: int, seed: int) -> dict:
    from siting.formulation.emit import run_highs

    h.setOptionValue("time_limit", float(limit))
    h.setOptionValue("threads", threads)
    h.setOptionValue("random_seed", seed)
    h.setOptionValue("mip_rel_gap", 0.0)
    trace.watch(h)
    run_highs(h)  # sizes HiGHS's process-wide scheduler: a run asking another thread count ends at once
    info = h.getInfo()
    has = info.primal_solution_status == 2
    obj = float(info.objective_function_value) if has else None
    bound = float(info.mip_dual_bound)
    return {"status": h.modelStatusToString(h.getModelStatus()), "objective": obj,
            "bound": bound if math.isfinite(bound) else None,
            "gap": abs(obj - bound) / max(1e-10, abs(obj)) if has and math.isfinite(bound) else None,
            "seconds": time.perf_counter() - trace.start}


def solve_park_side(folder: Path, limit: float, threads: int, seed: int) -> dict:
    """The park pipeline's model and MIP start, run with an incumbent trace."""
    from siting.formulation.emit import to_highspy
    from siting.options import SolveOptions
    from siting.park.api import park_model
    from siting.park.load import load_park

    trace = Trace()
    inst = load_park(folder)
    options = SolveOptions(time_limit=limit, threads=threads, seed=seed)
    form, idx, warm, warm_info = park_model(inst, options)
    built = time.perf_counter() - trace.start
    h = to_highspy(form)
    if warm is not None:
        h.setSolution(len(warm), np.arange(len(warm), dtype=np.int32), warm.astype(np.float64))
        trace.points.append((time.perf_counter() - trace.start, form.objective_value(warm)))
    out = _run(h, max(1.0, limit - built), trace, threads, seed)
    out.update(size=form_size(form), prepare_seconds=built, warm_start=warm_info)
    return out | {"trace": trace}


def compact_highs(c: Cflp):
    """The textbook CFLP in highspy: y_i, x_ij (column i*n + j) in [0,1]; cost c_ij x_ij."""
    import highspy
    import scipy.sparse as sp

    m, n = c.cost.shape
    nx = m * n
    col_cost = np.r_[c.fixed, c.cost.ravel()]
    j = np.tile(np.arange(n), m)
    i = np.repeat(np.arange(m), n)
    xcol = m + np.arange(nx)
    # rows: assign j (n), capacity i (m), link ij (nx)
    rows = np.r_[j, n + i, n + np.arange(m), n + m + np.arange(nx), n + m + np.arange(nx)]
    cols = np.r_[xcol, xcol, np.arange(m), xcol, i]
    vals = np.r_[np.ones(nx), c.demand[j], -c.capacity, np.ones(nx), -np.ones(nx)]
    a = sp.csc_array((vals, (rows, cols)), shape=(n + m + nx, m + nx))
    lo = np.r_[np.ones(n), np.full(m + nx, -highspy.kHighsInf)]
    up = np.r_[np.ones(n), np.zeros(m + nx)]
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(m + nx, n + m + nx, int(a.nnz), int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                0.0, col_cost, np.zeros(m + nx), np.ones(m + nx), lo, up, a.indptr.astype(np.int32),
                a.indices.astype(np.int32), a.data, np.r_[np.ones(m), np.zeros(nx)].astype(np.int32))
    return h, {"columns": m + nx, "rows": n + m + nx, "nonzeros": int(a.nnz)}


def solve_compact_side(c: Cflp, limit: float, threads: int, seed: int) -> dict:
    trace = Trace()
    h, size = compact_highs(c)
    built = time.perf_counter() - trace.start
    out = _run(h, max(1.0, limit - built), trace, threads, seed)
    return out | {"size": size, "prepare_seconds": built, "trace": trace}


def form_size(form) -> dict:
    return {"columns": form.n_cols, "rows": form.n_rows, "nonzeros": int(form.matrix().nnz)}


# -- the suite -------------------------------------------------------------------------------
def instances() -> list[Cflp]:
    """capa/capb/capc-sized (100 x 1 000): CST's three ratios, and one capacity for all as in capa."""
    return [cst_cflp(100, 1000, r, seed=1) for r in (3, 5, 10)] + \
           [cst_cflp(100, 1000, r, seed=1, equal_capacity=True) for r in (3, 5)]


PARKS = {  # large park instances (`siting generate park`, seed 1, 96 slots): the park model alone
    "park-100c": dict(companies=100, squares=10, parks=3),
    "park-300c": dict(companies=300, squares=20, parks=5),
    "park-1000c": dict(companies=1000, squares=40, parks=8),
}


def park_instance(name: str, work: Path) -> Path:
    from siting.park.generate import ParkSize, generate_park

    out = work / name
    if not (out / "instance.toml").exists():
        generate_park(ParkSize(**PARKS[name], slots=96), seed=1, out=out)
    return out


def markdown(result: dict) -> str:
    """One row per instance: each side's incumbent at `at` and at the limit, bound, gap, status."""
    at, limit = result["at"], result["limit"]

    def num(v):
        return "—" if v is None else f"{v:,.1f}".replace(",", " ")

    at_too = at < limit  # a run of `at` seconds has one incumbent column, not the same one twice
    head = f"incumbent {at:g} s | incumbent {limit:g} s" if at_too else f"incumbent {limit:g} s"
    lines = [f"| instance | model | columns / rows / nonzeros | {head} | bound | gap | status | MIP start (its time) |",
             "|---" * (9 if at_too else 8) + "|"]
    for row in result["rows"]:
        for side in ("park", "compact"):
            r = row.get(side)
            if r is None:
                continue
            size = r["size"]
            gap = "—" if r["gap"] is None else f"{100 * r['gap']:.2f} %"
            start = r.get("warm_start", {})
            start = f"{num(start.get('objective'))} ({start.get('seconds', 0):.1f} s)" if start.get("used") else "—"
            lines.append(f"| {row['instance']} | {side} | {size['columns']} / {size['rows']} / {size['nonzeros']} | "
                         + (f"{num(r[f'incumbent_{at:g}s'])} | " if at_too else "") +
                         f"{num(r['objective'])} | {num(r['bound'])} | {gap} | "
                         f"{r['status']} | {start} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=float, default=600.0)
    ap.add_argument("--at", type=float, default=60.0, help="also report the incumbent at this second")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", action="append", help="instance names to run (default: every CFLP; the large "
                    f"parks {', '.join(PARKS)} only when named)")
    ap.add_argument("--side", choices=("both", "park", "compact"), default="both")
    ap.add_argument("--work", type=Path, default=Path("/tmp/siting-cflp"))
    ap.add_argument("--out", type=Path, default=None, help="JSON file (default: print)")
    args = ap.parse_args(argv)
    rows = []
    for c in instances():
        if args.only and c.name not in args.only:
            continue
        folder = write_instance(c, args.work / c.name)
        row = {"instance": c.name, "m": len(c.fixed), "n": len(c.demand),
               "ratio": float(c.capacity.sum() / c.demand.sum())}
        sides = {"park": lambda: solve_park_side(folder, args.limit, args.threads, args.seed),
                 "compact": lambda: solve_compact_side(c, args.limit, args.threads, args.seed)}
        for side, run in sides.items():
            if args.side not in ("both", side):
                continue
            res = run()
            trace = res.pop("trace")
            res[f"incumbent_{args.at:g}s"] = trace.at(args.at)
            res["trace"] = [(round(t, 2), b) for t, b in trace.points]
            row[side] = res
            print(f"{c.name} {side}: {res['status']} obj {res['objective']} bound {res['bound']} "
                  f"@{args.at:g}s {res[f'incumbent_{args.at:g}s']} size {res['size']}", file=sys.stderr, flush=True)
        rows.append(row)
    for name in PARKS:
        if not args.only or name not in args.only:
            continue
        res = solve_park_side(park_instance(name, args.work), args.limit, args.threads, args.seed)
        trace = res.pop("trace")
        res[f"incumbent_{args.at:g}s"] = trace.at(args.at)
        res["trace"] = [(round(t, 2), b) for t, b in trace.points]
        rows.append({"instance": name, "park": res})
        print(f"{name} park: {res['status']} obj {res['objective']} bound {res['bound']} "
              f"@{args.at:g}s {res[f'incumbent_{args.at:g}s']} size {res['size']}", file=sys.stderr, flush=True)
    text = json.dumps({"limit": args.limit, "at": args.at, "threads": args.threads, "rows": rows}, indent=1)
    if args.out:
        args.out.write_text(text)
        args.out.with_suffix(".md").write_text(markdown(json.loads(text)))
    else:
        print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
