"""Turn a solved run into the result folder: summary.json, summary.md, sites.gpkg, map.png."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.fast.api import FastRun
from siting.fast.model import objective_kind
from siting.fast.verify import grid_allowed_kw, grid_load_kw
from siting.io.report import (
    PLAN_ROWS,
    draw_substations,
    grid_use_layer,
    id_labels,
    kpi_rows,
    map_figure,
    problem_lines,
    site_plan,
    size_row,
    source_geometries,
    summary_base,
    time_row,
    write_run,
)
from siting.io.summary_text import finish_map, headline
from siting.io.write import point_layer, segment_layer

MAX_LISTED = 25
MAP_MARKERS_MAX = 50_000  # more demand points than this: map.png shows demand as a raster of cells
MAP_CELLS = 300  # cells along the longer side of that raster


def summary_dict(run: FastRun) -> dict:
    inst = run.instance
    return summary_base(
        run, model="fast", objective_kind=objective_kind(inst), objective_name=inst.params.objective,
        parameters=inst.params.model_dump(),
        size={**run.formulation.summary(), "demand_points": inst.n_demand, "demand_classes": run.demand_classes,
              "sites": inst.n_sites, "dominated_candidates": run.dominated_candidates, "pairs": run.pairs.nnz},
        extra={"white_spots": _white_spots(run)[:MAX_LISTED]})


def _reductions(size: dict) -> str:
    """What the exact reductions left out of the model (models/fast.md), when they did anything."""
    text = ""
    if size["demand_classes"] < size["demand_points"]:
        text += f"; {size['demand_points']} demand points in {size['demand_classes']} classes of identical rows"
    if size["dominated_candidates"]:
        text += f"; {size['dominated_candidates']} of {size['sites']} sites left out (dominated)"
    return text


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
        *PLAN_ROWS,
        ("white_spots", "white spots (no site within reach)", "points"),
        ("mean_distance", "mean distance to assigned site", ""),
    ]
    lines += kpi_rows(k, labels)
    lines += [time_row(summary["times"]), size_row(summary["size"], _reductions(summary["size"]))]
    lines += problem_lines(summary, "The independent check")
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
    grid_ids = inst.grid.ids if inst.grid is not None else np.array([], dtype=object)
    plan = site_plan(inst, sol)
    df = pd.DataFrame({
        "id": inst.site_ids.astype(str),
        "status": plan["status"],
        "chargers": plan["chargers"],
        "existing_chargers": plan["existing_chargers"],
        "new_chargers": plan["new_chargers"],
        "new_kw": plan["new_kw"],
        "grid_area": id_labels(grid_ids, inst.grid_of_site),
        "cost": plan["cost"],
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
    site_xy = inst.site_xy[keep.to_numpy()] if inst.site_xy is not None else None
    layers = {"sites": point_layer(sites[keep].reset_index(drop=True), site_xy, crs)}

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
    layers["assignments"] = segment_layer(assign, inst.demand_xy[i] if has_xy else None,
                                          inst.site_xy[j] if has_xy else None, crs)

    near = np.bincount(rows, weights=sol.open[pairs.indices].astype(float), minlength=pairs.n_demand) > 0
    demand = pd.DataFrame({"id": inst.demand_ids.astype(str), "weight": inst.weight, "covered": near,
                           "reachable": np.diff(pairs.indptr) > 0})
    if sol.assignment is not None:
        demand["served_share"] = np.bincount(rows, weights=sol.assignment, minlength=pairs.n_demand)
    layers["demand"] = point_layer(demand, inst.demand_xy, crs)

    if inst.grid is not None:
        layers["grid_use"] = grid_use_layer(inst, sol, grid_load_kw(inst, sol), grid_allowed_kw(inst, sol), crs)
    return layers


def _nearest_open_pairs(pairs, rows, is_open) -> np.ndarray:
    k = np.flatnonzero(is_open[pairs.indices])
    if not len(k):
        return k
    order = np.lexsort((pairs.distance[k], rows[k]))
    k = k[order]
    first = np.r_[True, rows[k][1:] != rows[k][:-1]]
    return k[first]


def draw_map(run: FastRun, path: Path) -> bool:
    """map.png: demand by served share, existing and new sites, grid areas by headroom.

    Returns False (no map) when the instance has no coordinates. Up to MAP_MARKERS_MAX demand
    points are drawn one marker each (size by weight); more are drawn as a raster of cells
    coloured by their weighted served share (one marker each takes seconds and overlaps anyway).
    """
    inst, sol = run.instance, run.solution
    if inst.demand_xy is None or inst.site_xy is None or sol is None:
        return False
    rows = np.repeat(np.arange(run.pairs.n_demand), np.diff(run.pairs.indptr))
    if sol.assignment is not None:
        share = np.bincount(rows, weights=sol.assignment, minlength=run.pairs.n_demand)
        label = "demand: share served"
    else:
        share = (np.bincount(rows, weights=sol.open[run.pairs.indices].astype(float), minlength=run.pairs.n_demand) > 0) * 1.0
        label = "demand: covered (1) or not (0)"
    fig, ax = map_figure()
    for region in source_geometries(run.source, ("region",)):  # outline only
        region.boundary.plot(ax=ax, color="#969696", linewidth=0.8)
    draw_substations(ax, inst.grid, 40)
    d = inst.demand_xy
    if len(d) <= MAP_MARKERS_MAX:
        size = 4 + 60 * inst.weight / max(inst.weight.max(), 1e-9)
        pts = ax.scatter(d[:, 0], d[:, 1], s=size, c=share, cmap="RdYlBu", vmin=0, vmax=1, linewidths=0, alpha=0.8)
    else:
        pts, cell = _demand_raster(ax, d, inst.weight, share)
        label += f"; weighted mean per {cell:,.0f} x {cell:,.0f} cell"
    fig.colorbar(pts, ax=ax, shrink=0.5, label=label)
    s = inst.site_xy
    ex = inst.is_existing
    new = sol.open & ~ex
    ax.scatter(s[ex, 0], s[ex, 1], marker="s", s=10, c="#636363", label="existing site")
    ax.scatter(s[new, 0], s[new, 1], marker="*", s=160, c="#238b45", edgecolors="black", linewidths=0.5,
               label="new site")
    return finish_map(fig, ax, path, f"{inst.name}: {inst.params.objective}, status {run.status}")


def _demand_raster(ax, xy: np.ndarray, weight: np.ndarray, share: np.ndarray):
    """Demand as square cells (MAP_CELLS along the longer side) coloured by the weighted mean
    share of their points; cells without demand stay blank. Returns (image, cell size)."""
    lo = xy.min(axis=0)
    cell = max(float((xy.max(axis=0) - lo).max()) / MAP_CELLS, 1e-9)
    n = np.floor((xy.max(axis=0) - lo) / cell).astype(int) + 1  # cells along x, y
    ix = np.minimum(((xy - lo) / cell).astype(int), n - 1)
    k = ix[:, 1] * n[0] + ix[:, 0]
    size = int(n[0] * n[1])
    points = np.bincount(k, minlength=size)
    w = np.bincount(k, weights=weight, minlength=size)
    ws = np.bincount(k, weights=weight * share, minlength=size)
    plain = np.bincount(k, weights=share, minlength=size) / np.maximum(points, 1)  # cells whose weight is 0
    mean = np.where(w > 0, ws / np.where(w > 0, w, 1.0), plain)
    image = np.ma.masked_array(mean, mask=points == 0).reshape(n[1], n[0])
    extent = (lo[0], lo[0] + n[0] * cell, lo[1], lo[1] + n[1] * cell)
    im = ax.imshow(image, origin="lower", extent=extent, cmap="RdYlBu", vmin=0, vmax=1, alpha=0.8,
                   interpolation="nearest")
    return im, cell


def write_results(run: FastRun, out: Path, overwrite: bool = False) -> dict:
    return write_run(run, out, overwrite, summary_dict(run), layers=result_layers, markdown=summary_markdown,
                     pictures={"map": ("map.png", draw_map)})
