"""MCLP instance families siting's generator does not draw, and the methods side by side (not a test).

    .venv/bin/python -m benchmarks.mclp_families [--limit 60] [--gap 0.0001] [--only NAME ...] [--out FILE]
    .venv/bin/python -m benchmarks.mclp_families --only towns20-100k --limit 45 --bnb-variants 0,reliability,1,1 0,fractional,1,1
    .venv/bin/python -m benchmarks.mclp_families --only towns20-100k --write /tmp/families  # then siting solve

Families (seeded; `FastInstance` objects, no files): the textbook MCLP - no grid rows, no budget,
no existing sites, every candidate may open, integer weights 1-100, p sites, d_ij <= R covers.

* `uniform`: demand points and candidates uniform in a square box;
* `towns`: demand clustered in towns over a uniform rural background (siting.generate's town
  mixture, 15 % rural) and candidates from the same distribution (30 % rural), *not* rasterised:
  every point its own row until identical rows are merged. `towns-100k` is issue 13's instance
  (100 k points, 1 k candidates, R = 5 km, p = 20); `towns20-100k[-sN]` the same over 20 towns
  (seed 2 is the hard draw the reliability-branching settings were chosen on; seeds 3-8 others);
* `...-grid`: the same with grid rows (`with_grid`: a third of 30 areas closed, the others room
  for 1-4 sites, half with an upgrade);
* the published designs of Cordeau, Furini & Ljubić (2019) and (assumed) Lv et al. (2025):
  `benchmarks/published_designs.py` (uniform in a 30 km square, the papers' radius/budget pairs);
* real data, `nal-oost-cells-*`: the bundled instances/nal-oost-basisnetwerk's 500 m cells
  (households) as demand and its 14 128 NDW public charging locations as candidates.

Per instance and method (each in this process, after an untimed numba warm-up on a small
instance): status, objective, bound, gap and seconds of `solve_fast` with (i) method auto (the
default: branch and Benders cut on the textbook MCLP, Benders with grid rows; models/fast.md
"Which method"), (ii) method benders, (iii) method compact (plain HiGHS on the model with
identical rows merged and dominated candidates dropped), and on request (iv) method bnb (own
branch and Benders cut, siting.fast.branch_and_cut, reliability branching, never falling back),
(v) `spopt` / `spopt-highs`: spopt's MCLP on the raw instance with CBC / HiGHS through PuLP
(benchmarks/peers.py; only where its dense matrix has at most 2e7 entries).
The root LP bound and root gaps come from the branch-and-cut root (auto's or bnb's). One method
runs at a time (single process).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from siting.fast.instance import FastInstance
from siting.fast.params import FastParams
from siting.generate import HEIGHT, WIDTH, clustered_points, town_mixture


def mclp_instance(name: str, demand_xy: np.ndarray, weight: np.ndarray, site_xy: np.ndarray,
                  radius: float, p: int | None, cost: np.ndarray | None = None,
                  budget: float | None = None) -> FastInstance:
    """The textbook MCLP as a FastInstance: no grid, no existing sites, no land limits; p sites,
    or (with `cost` and `budget`) opening costs within a budget."""
    n, m = len(demand_xy), len(site_xy)
    params = FastParams(objective="mclp", radius=radius, p=p, budget=budget, kw_per_charger=0.0, min_chargers=1)
    return FastInstance(
        name=name, params=params,
        demand_ids=np.array([f"d{i}" for i in range(n)], dtype=object), weight=weight.astype(float),
        site_ids=np.array([f"c{j}" for j in range(m)], dtype=object), is_existing=np.zeros(m, bool),
        fixed_cost=np.zeros(m) if cost is None else cost.astype(float), cost_per_charger=np.zeros(m),
        existing_chargers=np.zeros(m, np.int64),
        max_chargers=np.ones(m, np.int64), land_m2=np.full(m, np.inf), grid_of_site=np.full(m, -1, np.int64),
        grid=None, demand_xy=demand_xy, site_xy=site_xy)


def uniform_family(seed: int, demand: int, candidates: int, radius: float, p: int,
                   side: float = 50_000.0) -> FastInstance:
    """Demand and candidates uniform in a side x side box (m), weights 1-100."""
    rng = np.random.default_rng(seed)
    demand_xy = rng.uniform(0, side, (demand, 2))
    weight = rng.integers(1, 101, demand)
    site_xy = rng.uniform(0, side, (candidates, 2))
    return mclp_instance(f"uniform-{demand}-{candidates}-s{seed}", demand_xy, weight, site_xy, radius, p)


def towns_family(seed: int, demand: int, candidates: int, radius: float, p: int,
                 towns: int = 60) -> FastInstance:
    """Towns over a uniform rural background in siting's 150 x 120 km region, not rasterised."""
    rng = np.random.default_rng(seed)
    mixture = town_mixture(rng, towns)
    demand_xy = clustered_points(rng, demand, mixture, rural_share=0.15)
    weight = rng.integers(1, 101, demand)
    site_xy = clustered_points(rng, candidates, mixture, rural_share=0.3)
    assert demand_xy.max() <= max(WIDTH, HEIGHT)
    return mclp_instance(f"towns-{demand}-{candidates}-s{seed}", demand_xy, weight, site_xy, radius, p)


def with_grid(inst: FastInstance, seed: int, areas: int = 30, closed_share: float = 1 / 3) -> FastInstance:
    """The same instance with grid rows: each candidate in the grid area of its nearest of `areas`
    seeded substations, one 150 kW charger per site; a third of the areas have no headroom and
    no upgrade (their candidates cannot open, like the scale ladders), the others room for 1-4
    sites, half of them with an upgrade of 2 more sites at a cost (no budget: the upgrade is free
    to the objective, so it only turns the grid row into a choice)."""
    from scipy.spatial import cKDTree

    from siting.resources import GridAreas

    rng = np.random.default_rng(seed)
    substations = inst.site_xy[rng.choice(len(inst.site_xy), areas, replace=False)]
    area_of = cKDTree(substations).query(inst.site_xy)[1].astype(np.int64)
    kw = 150.0
    closed = rng.random(areas) < closed_share
    available = np.where(closed, -kw, kw * rng.integers(1, 5, areas))
    upgrade = np.where(~closed & (rng.random(areas) < 0.5), 2 * kw, 0.0)
    grid = GridAreas(ids=np.array([f"G{g}" for g in range(areas)], dtype=object), available_kw=available,
                     upgrade_kw=upgrade, upgrade_cost=np.where(upgrade > 0, 50_000.0, 0.0))
    params = inst.params.model_copy(update={"kw_per_charger": kw, "simultaneity": 1.0})
    return replace(inst, name=inst.name + "-grid", params=params, grid=grid, grid_of_site=area_of)


def nal_oost_cells(radius: float, p: int) -> FastInstance:
    """Real data, the bundled instances/nal-oost-basisnetwerk: demand = its 34 520 CBS-schema 500 m
    cells inside its municipalities (households [derived] from the CBS PC4 population, README
    there), candidates = its 14 128 real NDW public charging locations; textbook MCLP. Cells with CBS's no-data code (1-4
    households) weigh 2 [estimate]."""
    from siting.whitespots.load import load_whitespots

    root = Path(__file__).resolve().parents[1] / "instances" / "nal-oost-basisnetwerk"
    cells = load_whitespots(root)
    weight = np.rint(np.nan_to_num(cells.households, nan=2.0))
    keep = weight > 0
    name = f"nal-oost-cells-{radius / 1000:g}km-p{p}"
    inst = mclp_instance(name, cells.cell_centre[keep], weight[keep], cells.point_xy, radius, p)
    return replace(inst, crs=cells.crs)  # real RD New coordinates: write_folder must not shift them


# name -> builder; sizes chosen so that a row of the table runs in a few minutes on 2 cores
FAMILIES = {
    "uniform-10k": lambda: uniform_family(1, 10_000, 500, 3_000.0, 15),
    "uniform-50k": lambda: uniform_family(2, 50_000, 1_000, 3_000.0, 20),
    "towns-20k": lambda: towns_family(1, 20_000, 500, 5_000.0, 15),
    "towns-100k": lambda: towns_family(1, 100_000, 1_000, 5_000.0, 20),  # issue 13's instance, 60 towns
    # the same with 20 towns: 21 967 classes, 2.13 M pairs (the draw: 21 490 and 1.84 M)
    "towns20-100k": lambda: towns_family(2, 100_000, 1_000, 5_000.0, 20, towns=20),
    # more draws of it (seed 2 is the one the reliability settings were chosen on)
    **{f"towns20-100k-s{seed}": (lambda seed=seed: towns_family(seed, 100_000, 1_000, 5_000.0, 20, towns=20))
       for seed in range(3, 9)},
    "towns20-100k-grid": lambda: with_grid(towns_family(2, 100_000, 1_000, 5_000.0, 20, towns=20), 2),
    "towns20-100k-p50": lambda: towns_family(2, 100_000, 1_000, 5_000.0, 50, towns=20),
    "uniform-100k-p50": lambda: uniform_family(3, 100_000, 1_000, 5_000.0, 50, side=150_000.0),
    # issue 13's large sizes, not rasterised: the headline's half (1 M x 5 k, p = 100) and the
    # headline's size (1 M x 10 k, p = 200), over siting's region (60 towns) and uniform in it
    "towns-1m-5k": lambda: towns_family(1, 1_000_000, 5_000, 5_000.0, 100),
    "towns-1m-10k": lambda: towns_family(1, 1_000_000, 10_000, 5_000.0, 200),
    "uniform-1m-5k": lambda: uniform_family(4, 1_000_000, 5_000, 5_000.0, 100, side=150_000.0),
    "uniform-1m-10k": lambda: uniform_family(7, 1_000_000, 10_000, 5_000.0, 200, side=150_000.0),
    # real data: CBS-schema cells x NDW public charging locations in NAL-Oost (nal_oost_cells)
    "nal-oost-cells-1km-p100": lambda: nal_oost_cells(1_000.0, 100),
    "nal-oost-cells-1km-p500": lambda: nal_oost_cells(1_000.0, 500),
    "nal-oost-cells-3km-p50": lambda: nal_oost_cells(3_000.0, 50),
    # more radii and p on the same real data, and generated instances with as many candidates per
    # demand as it has (the regime where auto met plain HiGHS's restarts: models/fast.md "Which method")
    **{f"nal-oost-cells-{r:g}km-p{p}": (lambda r=r, p=p: nal_oost_cells(1000.0 * r, p))
       for r in (0.5, 1.5, 2) for p in (50, 200, 500)},
    **{f"nal-oost-cells-{r:g}km-p{p}": (lambda r=r, p=p: nal_oost_cells(1000.0 * r, p))
       for r, p in ((1, 50), (1, 200), (3, 200))},
    "uniform-50k-10k-r1k": lambda: uniform_family(5, 50_000, 10_000, 1_000.0, 200),
    "towns-50k-10k-r1k": lambda: towns_family(5, 50_000, 10_000, 1_000.0, 200),
    # generated instances with about as many demand classes as candidates (the real cells' regime
    # at R <= 2 km), to test auto's choice of method off the real data it was read from
    **{f"{kind}-{n // 1000}k-10k-r1k": (lambda family=family, n=n: family(6, n, 10_000, 1_000.0, 200))
       for kind, family in (("uniform", uniform_family), ("towns", towns_family)) for n in (10_000, 20_000)},
}
METHODS = ("auto", "auto-alone", "benders", "compact", "bnb", "spopt", "spopt-highs")
# auto-alone: auto without its race against plain HiGHS (siting.concurrent), to measure what the race adds
SPOPT_MAX_ENTRIES = 20_000_000  # spopt takes a dense demand x site matrix: larger ones are not run
DEFAULT_METHODS = ("auto", "benders", "compact")  # auto is bnb on the textbook MCLP: not run twice


def run_method(inst: FastInstance, method: str, limit: float, gap: float) -> dict:
    from siting.fast.api import solve_fast
    from siting.options import SolveOptions

    if method.startswith("spopt"):
        return run_spopt(inst, "highs" if method == "spopt-highs" else "cbc", limit)
    from siting import concurrent

    saved, concurrent.MAX_PAIRS = concurrent.MAX_PAIRS, (-1 if method == "auto-alone" else concurrent.MAX_PAIRS)
    t = time.perf_counter()
    try:
        run = solve_fast(inst, SolveOptions(time_limit=limit, gap=gap, method=method.removesuffix("-alone")))
    finally:
        concurrent.MAX_PAIRS = saved
    wall = time.perf_counter() - t
    r = run.result
    out = {"status": r.status, "objective": r.objective, "bound": r.best_bound, "gap": r.gap,
           "solve_s": round(r.seconds, 2), "wall_s": round(wall, 2), "load": os.getloadavg()[0],
           "classes": run.demand_classes, "dropped_sites": run.dominated_candidates,
           "checked": run.certificate is not None and not run.certificate.violations}
    out["interface"] = r.solver.get("interface")
    if r.status not in ("optimal", "time_limit"):
        out["message"] = r.message
    for kind in ("bnb", "benders", "concurrent"):  # auto records the one it took (and its race)
        if kind in r.solver:
            out[kind] = r.solver[kind]
    return out


def run_spopt(inst: FastInstance, solver: str, limit: float) -> dict:
    """spopt's MCLP on the instance as it is (every point its own row, as a spopt user builds it),
    its solver through PuLP with the time limit; seconds from the dense matrix to the answer."""
    from benchmarks.peers import spopt_mclp
    from siting.fast.pairs import fast_pairs

    entries = inst.n_demand * inst.n_sites
    if entries > SPOPT_MAX_ENTRIES:
        return {"status": f"not run: dense matrix of {entries:.2g} entries", "objective": None, "bound": None,
                "gap": None, "solve_s": None, "wall_s": None, "load": os.getloadavg()[0], "classes": None}
    t = time.perf_counter()
    r = spopt_mclp(inst, fast_pairs(inst), limit, solver)
    return {"status": r["status"], "objective": r["objective"], "bound": None, "gap": None,
            "solve_s": round(r["solve"], 2), "wall_s": round(time.perf_counter() - t, 2), "load": os.getloadavg()[0],
            "classes": None}


def run_bnb_variants(inst: FastInstance, limit: float, gap: float, variants: list[str]) -> list[dict]:
    """bnb with other settings on one built model: each variant
    "max_rounds,branching,plunge,purge[,reliable,lookahead,probe_iterations]" (max_rounds "none":
    cut every node until exact; branching fractional/pseudocost/reliability/strong; plunge, purge
    0/1), e.g. "0,reliability,1,1,2,4,200" (the defaults)."""
    from siting.fast.api import _warm_start
    from siting.fast.branch_and_cut import Reliability, solve_mclp_bnb
    from siting.fast.model import build_fast
    from siting.fast.pairs import fast_pairs
    from siting.fast.reduction import reduce_fast
    from siting.options import SolveOptions

    options = SolveOptions(time_limit=limit, gap=gap)
    pairs = fast_pairs(inst)
    model_inst, model_pairs, _ = reduce_fast(inst, pairs)
    form = build_fast(model_inst, model_pairs)
    warm, _ = _warm_start(form, model_inst, model_pairs, options)
    rows = []
    for variant in variants:
        rounds, branching, plunge, purge, *reliability = variant.split(",")
        r = solve_mclp_bnb(form, model_inst, model_pairs, options, warm,
                           max_rounds=None if rounds == "none" else int(rounds), branching=branching,
                           plunge=plunge == "1", purge=purge == "1",
                           reliability=Reliability(*map(int, reliability)))
        rows.append({"variant": variant, "status": r.status, "objective": r.objective, "bound": r.best_bound,
                     "gap": r.gap, "solve_s": round(r.seconds, 2), "load": os.getloadavg()[0], "bnb": r.solver["bnb"]})
        print(inst.name, json.dumps(rows[-1]), flush=True)
    return rows


def write_folder(inst: FastInstance, out: Path) -> None:
    """The textbook instance as an instance folder (demand.csv, candidates.csv, instance.toml), so
    `siting solve` runs it end to end from files; grid rows are not written."""
    import pandas as pd
    import tomli_w

    from siting.generate import CRS, ORIGIN, write_csv

    if inst.grid is not None:
        raise ValueError(f"{inst.name}: write_folder writes textbook instances only (no grid rows)")
    # the generated families draw in a local frame placed at siting.generate's ORIGIN; real data
    # (a crs of its own) is written as it is
    ox, oy = ORIGIN if inst.crs is None else (0.0, 0.0)
    out.mkdir(parents=True, exist_ok=False)
    write_csv(out / "demand.csv", pd.DataFrame({"id": inst.demand_ids, "weight": inst.weight,
                                                "x": inst.demand_xy[:, 0] + ox, "y": inst.demand_xy[:, 1] + oy}))
    write_csv(out / "candidates.csv", pd.DataFrame({"id": inst.site_ids, "x": inst.site_xy[:, 0] + ox,
                                                    "y": inst.site_xy[:, 1] + oy}))
    config = {"name": inst.name, "description": "textbook MCLP drawn by benchmarks/mclp_families.py",
              "model": "fast", "crs": inst.crs or CRS,
              "layers": {layer: {"file": f"{layer}.csv", "x": "x", "y": "y"} for layer in ("demand", "candidates")},
              "fast": {"objective": "mclp", "radius": inst.params.radius, "p": inst.params.p,
                       "kw_per_charger": 0.0, "min_chargers": 1}}
    (out / "instance.toml").write_text(tomli_w.dumps(config))


def warm_up() -> None:
    """numba compiles (and caches) its kernels on a small instance, untimed."""
    inst = uniform_family(0, 500, 40, 3_000.0, 3, side=10_000.0)
    for method in DEFAULT_METHODS:
        run_method(inst, method, 10.0, 1e-4)


def markdown(rows: list[dict], limit: float, gap: float) -> str:
    """One row per instance: the root gaps (bnb's root, against the best plan any method found)
    and each method's status, end-to-end seconds (solve_fast: pairs, reduction, build, warm
    start, solve, checker) and gap."""
    methods = [m for m in METHODS if any(m in row["runs"] for row in rows)]
    head = ("| instance | classes | root LP bound | best known | root gap: LP vs best | warm start vs LP | "
            "root incumbent vs LP | " + " | ".join(f"{m}: status, s end to end (gap)" for m in methods)
            + " | bnb nodes |\n|" + "---|" * (8 + len(methods)) + "\n")
    lines = []
    for row in rows:
        best = max(r["objective"] or -np.inf for r in row["runs"].values())
        root = next((r["bnb"] for r in row["runs"].values() if r.get("bnb")), {})  # bnb's or auto's root
        lp = root.get("root_lp_bound")

        def pct(bound: float | None, value: float | None) -> str:
            return "—" if bound is None or value is None else f"{100 * (bound - value) / value:.3f} %"

        cells = []
        for m in methods:
            r = row["runs"].get(m)
            if r is None:
                cells.append("—")
                continue
            if r["wall_s"] is None:
                cells.append(r["status"])
                continue
            g = "—" if r["gap"] is None else f"{100 * r['gap']:.3f} %"
            cells.append(f"{r['status']}, {r['wall_s']} s ({g}), load {r['load']:.2f}")
        lines.append(f"| {row['instance']} | {row['classes']} | {'—' if lp is None else f'{lp:.1f}'} | {best:.1f} | "
                     f"{pct(lp, best)} | {pct(lp, root.get('warm_start'))} | {pct(lp, root.get('root_incumbent'))} | "
                     + " | ".join(cells) + f" | {root.get('nodes', '—')} |")
    return head + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=float, default=60.0)
    ap.add_argument("--gap", type=float, default=1e-4)
    from benchmarks.published_designs import PUBLISHED  # it imports mclp_instance from here

    families = FAMILIES | PUBLISHED
    ap.add_argument("--only", nargs="*", choices=sorted(families), default=None)
    ap.add_argument("--methods", nargs="*", choices=METHODS, default=list(DEFAULT_METHODS))
    ap.add_argument("--out", type=Path, default=None, help="JSON lines file to append each row to")
    ap.add_argument("--bnb-variants", nargs="*", default=None,
                    help='instead of the methods: bnb variants "max_rounds,branching,plunge,purge[,reliable,lookahead,'
                         'probe_iterations]" on --only')
    ap.add_argument("--write", type=Path, default=None,
                    help="write the --only instances as folders under this directory (for siting solve) and stop")
    args = ap.parse_args(argv)
    if args.write is not None:
        for name in args.only or families:
            write_folder(families[name](), args.write / name)
        return
    warm_up()
    if args.bnb_variants:
        for name in args.only or families:
            run_bnb_variants(families[name](), args.limit, args.gap, args.bnb_variants)
        return
    rows = []
    for name in args.only or families:
        inst = families[name]()
        row = {"instance": name, "host": platform.node(), "when": time.strftime("%Y-%m-%d %H:%M"),
               "limit": args.limit, "gap": args.gap, "runs": {}}
        for method in args.methods:
            row["runs"][method] = run_method(inst, method, args.limit, args.gap)
            row["classes"] = row["runs"][method]["classes"] or row.get("classes")
            print(name, method, json.dumps(row["runs"][method]), flush=True)
        rows.append(row)
        if args.out is not None:
            with args.out.open("a") as f:
                f.write(json.dumps(row) + "\n")
    print(markdown(rows, args.limit, args.gap))


def table(path: Path) -> str:
    """The Markdown table of a JSON-lines file written by --out."""
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return markdown(rows, rows[0]["limit"], rows[0]["gap"]) if rows else ""


if __name__ == "__main__":
    main()
