"""Turn a solved run into the result folder: summary.json, summary.md, sites.gpkg, map.png."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.fast.api import FastRun
from siting.fast.model import objective_kind
from siting.fast.verify import grid_allowed_kw, grid_load_kw
from siting.io.maps import (
    MapCanvas,
    draw_substations,
    integer_keys,
    nice_values,
    place_names,
    read_map_layers,
    save_map,
)
from siting.io.report import (
    PLAN_ROWS,
    grid_use_layer,
    id_labels,
    kpi_rows,
    problem_lines,
    site_plan,
    size_row,
    summary_base,
    time_row,
    write_run,
)
from siting.io.summary_text import headline, markdown_table
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
        sites = _sites_table(run)
        new = sites[sites["status"] == "new"].head(MAX_LISTED)
        place = _municipality_of(run, new.index.to_numpy())
        table = pd.DataFrame({"site": new["id"].to_numpy()})
        if place is not None:
            table["municipality"] = [p or "—" for p in place]
        table["chargers"] = new["chargers"].to_numpy()
        table["kW"] = [f"{kw:g}" for kw in new["new_kw"]]
        table["grid area"] = new["grid_area"].to_numpy()
        lines += ["", "## New sites", "", markdown_table(table)]
    if summary["white_spots"]:
        lines += ["", "## White spots (heaviest first)", "", "| demand | weight | reason |", "|---|---|---|"]
        lines += [f"| {w['id']} | {w['weight']:.3g} | {w['reason']} |" for w in summary["white_spots"]]
    return "\n".join(lines) + "\n"


def _municipality_of(run: FastRun, sites: np.ndarray) -> np.ndarray | None:
    """The municipality each of `sites` lies in, from the instance's map-only `municipalities`
    layer (a planner reads "Kampen", not a grid id); None when the instance has no such layer."""
    layer = read_map_layers(run.source, ("municipalities",)).get("municipalities")
    if layer is None or layer.names is None or run.instance.site_xy is None:
        return None
    return place_names(run.instance.site_xy[sites], layer)


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
    """map.png (see map_of); False (no map) when the instance has no coordinates or no plan."""
    fig = map_of(run)
    return fig is not None and save_map(fig, path)


def map_of(run: FastRun):
    """The map of a plan: demand by share served (size by weight), existing sites, new sites
    (size by chargers, labelled with their municipality and chargers), substations by headroom,
    over the instance's municipalities; the figure, or None without coordinates or a plan.

    Up to MAP_MARKERS_MAX demand points are drawn one marker each; more are drawn as a raster of
    cells coloured by their weighted served share (one marker each takes seconds and overlaps anyway).
    """
    inst, sol = run.instance, run.solution
    if inst.demand_xy is None or inst.site_xy is None or sol is None:
        return None
    rows = np.repeat(np.arange(run.pairs.n_demand), np.diff(run.pairs.indptr))
    if sol.assignment is not None:
        share = np.bincount(rows, weights=sol.assignment, minlength=run.pairs.n_demand)
    else:
        share = (np.bincount(rows, weights=sol.open[run.pairs.indices].astype(float), minlength=run.pairs.n_demand) > 0) * 1.0
    d, s = inst.demand_xy, inst.site_xy
    ex = inst.is_existing
    new = sol.open & ~ex
    added = ex & (sol.chargers > inst.existing_chargers)
    everything = np.vstack([d, s[sol.open | ex]])
    canvas = MapCanvas.create((*everything.min(axis=0), *everything.max(axis=0)), inst.crs, run.source)
    ax = canvas.ax
    unit = "{} sessions/day" if inst.params.objective == "capacitated" else "weight {}"
    wmax = max(float(inst.weight.max()), 1e-9)
    weight_size = lambda w: 4 + 60 * np.asarray(w) / wmax  # noqa: E731
    key = canvas.size_key("o", nice_values(inst.weight), unit, weight_size, markerfacecolor="#bdbdbd",
                          markeredgewidth=0)
    if len(d) > MAP_MARKERS_MAX:
        pts, cell = _demand_raster(ax, d, inst.weight, share)
        pts.set_label(f"demand, weighted mean per {cell:,.0f} x {cell:,.0f} cell")
        demand = [_image_handle(pts)]
        canvas.colour_key(pts, "share of demand served" if sol.assignment is not None else "share of demand covered")
    elif sol.assignment is not None:
        pts = ax.scatter(d[:, 0], d[:, 1], s=weight_size(inst.weight), c=share, cmap="RdYlBu", vmin=0, vmax=1,
                         linewidths=0, alpha=0.8, zorder=2, label="demand point (colour: share served)")
        demand = [pts, *key]
        canvas.colour_key(pts, "share of demand served")
    else:  # coverage models: a point is covered or not, two colours say it better than a colour bar
        near = share > 0
        demand = [ax.scatter(d[m, 0], d[m, 1], s=weight_size(inst.weight[m]), c=colour, linewidths=0, alpha=0.85,
                             zorder=2, label=label)
                  for m, colour, label in ((near, "#4575b4", "demand within reach of an open site"),
                                           (~near, "#d73027", "demand out of reach"))] + key
    grid = draw_substations(ax, inst.grid, 36)
    more = sol.chargers - inst.existing_chargers  # new chargers per site
    charger_size = lambda n: 25 + 16 * np.asarray(n)  # noqa: E731
    sites = [ax.scatter(s[ex & ~added, 0], s[ex & ~added, 1], marker="s", s=9, c="#737373", linewidths=0, zorder=3,
                        label="existing site")]
    if added.any():
        sites.append(ax.scatter(s[added, 0], s[added, 1], marker="s", s=charger_size(more[added]), c="#a1d99b",
                                edgecolors="#00441b", linewidths=0.6, zorder=4, label="existing site, chargers added"))
    sites.append(ax.scatter(s[new, 0], s[new, 1], marker="*", s=charger_size(more[new]), c="#238b45",
                            edgecolors="black", linewidths=0.5, zorder=5, label="new site"))
    grown = new | added
    keys = canvas.size_key("*", integer_keys(more[grown]), ("new charger", "new chargers"), charger_size,
                           markerfacecolor="#238b45", markeredgecolor="black")
    canvas.section("Plan (size: new chargers)", sites + keys)
    canvas.section("Demand", demand)
    canvas.section("Grid", grid)
    canvas.avoid(s[new], charger_size(more[new]))
    canvas.avoid(s[added], charger_size(more[added]), soft=True)  # a new site's label may cover an extension
    if inst.grid is not None and inst.grid.xy is not None:
        canvas.avoid(inst.grid.xy, 36, soft=True)
    place = canvas.place_of(s[grown])
    names = np.where(place != "", place, inst.site_ids[grown].astype(str))
    counts = np.where(new[grown], more[grown].astype(str), np.char.add("+", more[grown].astype(str)))
    canvas.label_sites(s[grown], [f"{n} · {c}" for n, c in zip(names, counts, strict=True)],
                       more[grown] + 1000 * new[grown], charger_size(more[grown]), noun="sites with new chargers",
                       order="new sites first, then by new chargers")
    k = run.certificate.kpis if run.certificate else {}
    what = ("served" if sol.assignment is not None else "within reach")
    pct = k.get("served_demand_pct", k.get("covered_demand_pct"))
    subtitle = " · ".join(x for x in (
        f"objective {inst.params.objective}", f"{pct:.1f} % of demand {what}" if pct is not None else "",
        f"{int(more[grown].sum())} new chargers",
        f"status {run.status}") if x)
    title = f"{inst.name}: {int(new.sum())} new site{'s' if new.sum() != 1 else ''}"
    if added.any():
        title += f", {int(added.sum())} existing site{'s' if added.sum() != 1 else ''} extended"
    return canvas.finish(title, subtitle)


def _image_handle(image):
    """A legend square for a raster layer (an image has no legend handle of its own)."""
    from matplotlib.patches import Patch

    return Patch(facecolor="#9ecae1", edgecolor="none", label=image.get_label())


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
                   interpolation="nearest", zorder=2)
    return im, cell


def write_results(run: FastRun, out: Path, overwrite: bool = False) -> dict:
    return write_run(run, out, overwrite, summary_dict(run), layers=result_layers, markdown=summary_markdown,
                     pictures={"map": ("map.png", draw_map)})
