"""Turn a solved run into the result folder: summary.json, summary.md, sites.gpkg, map.png."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pandas as pd

from siting import __version__
from siting.api import FastRun
from siting.io.load import instance_hash
from siting.io.summary_text import finish_map, headline, number
from siting.io.write import _frame, _lines, write_result_folder
from siting.models.fast import objective_kind
from siting.verify import grid_allowed_kw, grid_load_kw

MAX_LISTED = 25


def summary_dict(run: FastRun) -> dict:
    inst, res = run.instance, run.result
    cert = run.certificate
    white = _white_spots(run)
    return {
        "status": res.status,
        "objective": res.objective,
        "best_bound": res.best_bound,
        "gap": res.gap,
        "model": "fast",
        "objective_kind": objective_kind(inst),
        "objective_name": inst.params.objective,
        "message": res.message,
        "verified": None if cert is None else {"objective": cert.objective, "feasible": cert.feasible, "violations": cert.violations},
        "times": {k: round(v, 4) for k, v in run.times.items()},
        "solver": res.solver,
        "warm_start": run.warm_start,
        "instance": {
            "name": inst.name,
            "path": str(run.source) if run.source else None,
            "sha256": instance_hash(run.source) if run.source else {},
            "parameters": inst.params.model_dump(),
        },
        "size": {**run.formulation.summary(), "demand_points": inst.n_demand,
                 "demand_classes": run.demand_classes, "sites": inst.n_sites, "pairs": run.pairs.nnz},
        "kpis": cert.kpis if cert else {},
        "white_spots": white[:MAX_LISTED],
        "diagnosis": run.diagnosis,
        "siting_version": __version__,
        "python": platform.python_version(),
    }


def _white_spots(run: FastRun) -> list[dict]:
    """Demand that no site can reach, heaviest first, with the reason."""
    inst = run.instance
    unreachable = np.flatnonzero(np.diff(run.pairs.indptr) == 0)
    order = unreachable[np.argsort(-inst.weight[unreachable], kind="stable")]
    radius = inst.params.radius
    reason = f"no candidate or existing site within R = {radius:g}" if radius else "no site reachable"
    return [{"id": str(inst.demand_ids[i]), "weight": float(inst.weight[i]), "reason": reason} for i in order]


def summary_markdown(summary: dict, run: FastRun) -> str:
    k = summary["kpis"]
    lines = headline(summary, f"{summary['instance']['name']} ({summary['objective_name']})")
    labels = [
        ("covered_demand_pct", "demand within reach of an open site", "%"),
        ("served_demand_pct", "demand served (assigned to an open site)", "%"),
        ("sites_open", "sites open", ""),
        ("new_sites", "new sites", ""),
        ("existing_sites", "existing sites", ""),
        ("new_chargers", "new chargers", ""),
        ("new_kw", "new charging power", "kW"),
        ("cost", "investment", "EUR"),
        ("grid_upgrades", "grid upgrades bought", ""),
        ("grid_areas_full", "grid areas at their limit", ""),
        ("white_spots", "white spots (no site within reach)", "points"),
        ("mean_distance", "mean distance to assigned site", ""),
    ]
    for key, label, unit in labels:
        if key in k:
            lines.append(f"| {label} | {number(k[key])} {unit} |")
    t = summary["times"]
    lines.append(f"| time | {t.get('total', 0):.2f} s (load {t.get('load', 0):.2f}, precompute {t.get('precompute', 0):.2f}, "
                 f"build {t.get('build', 0):.2f}, solve {t.get('solve', 0):.2f}) |")
    s = summary["size"]
    lines.append(f"| model size | {s['variables']} variables, {s['constraints']} constraints, {s['nonzeros']} nonzeros |")
    if summary["diagnosis"]:
        lines += ["", "## Why there is no feasible plan", ""] + [f"- {d}" for d in summary["diagnosis"]]
    if summary["verified"] and summary["verified"]["violations"]:
        lines += ["", "**The independent check found violations:** " + "; ".join(summary["verified"]["violations"])]
    if run.solution is not None:
        lines += ["", "## New sites", "", "| site | chargers | kW | grid area |", "|---|---|---|---|"]
        sites = _sites_table(run)
        for _, row in sites[sites["status"] == "new"].head(MAX_LISTED).iterrows():
            lines.append(f"| {row['id']} | {row['chargers']} | {row['new_kw']:g} | {row['grid_area']} |")
    if summary["white_spots"]:
        lines += ["", "## White spots (heaviest first)", "", "| demand | weight | reason |", "|---|---|---|"]
        lines += [f"| {w['id']} | {w['weight']:.3g} | {w['reason']} |" for w in summary["white_spots"]]
    return "\n".join(lines) + "\n"


def _sites_table(run: FastRun) -> pd.DataFrame:
    inst, sol = run.instance, run.solution
    p = inst.params
    grid_ids = inst.grid.ids if inst.grid is not None else np.array([], dtype=object)
    area = np.array([grid_ids[g] if g >= 0 else "" for g in inst.grid_of_site], dtype=object)
    new_chargers = sol.chargers - inst.existing_chargers
    status = np.where(inst.is_existing, "existing", np.where(sol.open, "new", "closed"))
    df = pd.DataFrame({
        "id": inst.site_ids.astype(str),
        "status": status,
        "chargers": sol.chargers,
        "existing_chargers": inst.existing_chargers,
        "new_chargers": new_chargers,
        "new_kw": p.kw_per_charger * new_chargers,
        "grid_area": area,
        "cost": np.where(sol.open & ~inst.is_existing, inst.fixed_cost, 0.0) + inst.cost_per_charger * new_chargers,
    })
    if sol.assignment is not None:
        rows = np.repeat(np.arange(run.pairs.n_demand), np.diff(run.pairs.indptr))
        df["served"] = np.bincount(run.pairs.indices, weights=inst.weight[rows] * sol.assignment, minlength=inst.n_sites)
    return df


def result_layers(run: FastRun) -> dict:
    inst, sol, pairs = run.instance, run.solution, run.pairs
    crs = inst.crs
    sites = _sites_table(run)
    keep = sites["status"] != "closed"
    layers = {"sites": _frame(sites[keep].reset_index(drop=True), inst.site_xy[keep.to_numpy()] if inst.site_xy is not None else None, crs)}

    rows = np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))
    if sol.assignment is not None:
        k = np.flatnonzero(sol.assignment > 1e-9)
        share = sol.assignment[k]
    else:  # coverage models: each demand point to its nearest open site within reach
        k = _nearest_open_pairs(pairs, rows, sol.open)
        share = np.ones(len(k))
    i, j = rows[k], pairs.indices[k]
    assign = pd.DataFrame({"demand_id": inst.demand_ids[i].astype(str), "site_id": inst.site_ids[j].astype(str),
                           "share": share, "weight": inst.weight[i] * share, "distance": pairs.distance[k]})
    has_xy = inst.demand_xy is not None and inst.site_xy is not None
    layers["assignments"] = _lines(assign, inst.demand_xy[i] if has_xy else None, inst.site_xy[j] if has_xy else None, crs)

    near = np.bincount(rows, weights=sol.open[pairs.indices].astype(float), minlength=pairs.n_demand) > 0
    demand = pd.DataFrame({"id": inst.demand_ids.astype(str), "weight": inst.weight, "covered": near,
                           "reachable": np.diff(pairs.indptr) > 0})
    if sol.assignment is not None:
        demand["served_share"] = np.bincount(rows, weights=sol.assignment, minlength=pairs.n_demand)
    layers["demand"] = _frame(demand, inst.demand_xy, crs)

    if inst.grid is not None:
        g = inst.grid
        load = grid_load_kw(inst, sol)
        allowed = grid_allowed_kw(inst, sol)
        layers["grid_use"] = _frame(pd.DataFrame({
            "id": g.ids.astype(str), "available_kw": g.available_kw, "new_load_kw": load,
            "upgrade_bought": sol.upgrades, "allowed_kw": allowed,
            "sites": np.bincount(inst.grid_of_site[inst.grid_of_site >= 0], minlength=g.size),
        }), None, crs)
    return layers


def _nearest_open_pairs(pairs, rows, is_open) -> np.ndarray:
    k = np.flatnonzero(is_open[pairs.indices])
    if not len(k):
        return k
    order = np.lexsort((pairs.distance[k], rows[k]))
    k = k[order]
    first = np.r_[True, rows[k][1:] != rows[k][:-1]]
    return k[first]


def _draw_region(ax, run: FastRun) -> None:
    """The instance's `region` layer (outline only), when it has one."""
    if run.source is None:
        return
    from siting.config import parse_config, read_config
    from siting.io.layers import read_layer

    config = parse_config(read_config(run.source))
    if "region" not in config.layers:
        return
    region = read_layer(run.source, "region", config.layers["region"], config.crs)
    if region.geometry is not None and not region.problems:
        region.geometry.boundary.plot(ax=ax, color="#969696", linewidth=0.8)


def draw_map(run: FastRun, path: Path) -> bool:
    """map.png: demand by served share, existing and new sites, grid areas by headroom.

    Returns False (no map) when the instance has no coordinates.
    """
    inst, sol = run.instance, run.solution
    if inst.demand_xy is None or inst.site_xy is None or sol is None:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = np.repeat(np.arange(run.pairs.n_demand), np.diff(run.pairs.indptr))
    if sol.assignment is not None:
        share = np.bincount(rows, weights=sol.assignment, minlength=run.pairs.n_demand)
        label = "demand: share served"
    else:
        share = (np.bincount(rows, weights=sol.open[run.pairs.indices].astype(float), minlength=run.pairs.n_demand) > 0) * 1.0
        label = "demand: covered (1) or not (0)"
    size = 4 + 60 * inst.weight / max(inst.weight.max(), 1e-9)
    fig, ax = plt.subplots(figsize=(9, 9), dpi=110)
    _draw_region(ax, run)
    if inst.grid is not None and inst.grid.xy is not None:
        g = inst.grid
        full = g.available_kw <= 0
        ax.scatter(g.xy[full, 0], g.xy[full, 1], marker="^", s=40, facecolors="none", edgecolors="#cb181d",
                   label="substation, no headroom")
        ax.scatter(g.xy[~full, 0], g.xy[~full, 1], marker="^", s=40, facecolors="none", edgecolors="#31a354",
                   label="substation with headroom")
    d = inst.demand_xy
    pts = ax.scatter(d[:, 0], d[:, 1], s=size, c=share, cmap="RdYlBu", vmin=0, vmax=1, linewidths=0, alpha=0.8)
    fig.colorbar(pts, ax=ax, shrink=0.5, label=label)
    s = inst.site_xy
    ex = inst.is_existing
    new = sol.open & ~ex
    ax.scatter(s[ex, 0], s[ex, 1], marker="s", s=10, c="#636363", label="existing site")
    ax.scatter(s[new, 0], s[new, 1], marker="*", s=160, c="#238b45", edgecolors="black", linewidths=0.5,
               label="new site")
    return finish_map(fig, ax, path, f"{inst.name}: {inst.params.objective}, status {run.status}")


def write_results(run: FastRun, out: Path, overwrite: bool = False) -> dict:
    summary = summary_dict(run)
    return write_result_folder(
        out, overwrite, summary, solved=run.solution is not None, layers=lambda: result_layers(run),
        crs=run.instance.crs, pictures={"map": ("map.png", lambda path: draw_map(run, path))}, markdown=lambda: summary_markdown(summary, run))
