"""The result folder of a white-spot analysis: the table per municipality (municipalities.csv / .md),
whitespots.gpkg-style layers in sites.gpkg (cells with category, public points, plan-map locations, the
chosen locations as `sites`, grid use), map.png, report.html, summary.json and summary.md - all written
atomically through siting.io.write.write_result_folder."""

from __future__ import annotations

import platform
from pathlib import Path

import numpy as np
import pandas as pd

from siting import __version__
from siting.io.folder import instance_hash
from siting.io.maps import MapCanvas, read_map_layers, save_map
from siting.io.report import summary_base
from siting.io.summary_text import markdown_table, number
from siting.io.write import point_layer, write_result_folder
from siting.whitespots.api import WhitespotsRun
from siting.whitespots.cells import CELL_M

CATEGORY_WORDS = {"a": "(a) concession can realise", "b": "(b) extra action", "c": "(c) not to be filled"}
COLOURS = {"covered": "#9ecae1", "a": "#31a354", "b": "#fd8d3c", "c": "#cb181d"}
TABLE_COLUMNS = ["gemeente", "name", "procedure", "cells_125", "covered", "white", "white_a", "white_b", "white_c",
                 "no_data_cells", "locations_needed", "kw_added", "kw_per_grid_area"]


def location_load(run: WhitespotsRun) -> tuple[np.ndarray, np.ndarray]:
    """(chosen location indices, kW each adds): what the LSCP's plan puts on the grid."""
    j = np.flatnonzero(run.chosen)
    return j, np.full(len(j), run.instance.params.kw_per_location)


def municipality_table(run: WhitespotsRun) -> pd.DataFrame:
    inst, c = run.instance, run.classes
    n = len(inst.municipality_ids)
    m = inst.cell_municipality

    def count(mask):
        return np.bincount(m[mask], minlength=n).astype(np.int64)

    j, kw = location_load(run)
    locs = np.bincount(inst.plan_municipality[j], minlength=n).astype(np.int64)
    kw_m = np.bincount(inst.plan_municipality[j], weights=kw, minlength=n)
    per_area = []
    for k in range(n):
        mine = j[inst.plan_municipality[j] == k]
        g = inst.plan_grid[mine]
        areas = pd.Series(inst.params.kw_per_location, index=[inst.grid.ids[x] if x >= 0 and inst.grid is not None
                                                              else "(none)" for x in g]).groupby(level=0).sum()
        per_area.append("; ".join(f"{a}: {v:g}" for a, v in areas.items()))
    table = pd.DataFrame({
        "gemeente": inst.municipality_ids, "name": inst.municipality_names, "procedure": inst.procedure,
        "cells_125": count(c.must), "covered": count(c.covered), "white": count(c.white),
        "white_a": count(c.white & (c.category == "a")), "white_b": count(c.white & (c.category == "b")),
        "white_c": count(c.white & (c.category == "c")), "no_data_cells": count(c.nodata),
        "locations_needed": locs, "kw_added": np.round(kw_m, 3), "kw_per_grid_area": per_area,
    })
    return table.sort_values(["white", "name"], ascending=[False, True]).reset_index(drop=True)[TABLE_COLUMNS]


def grid_table(run: WhitespotsRun) -> pd.DataFrame:
    inst = run.instance
    if inst.grid is None:
        return pd.DataFrame(columns=["id", "available_kw", "upgrade_kw", "upgrade_year", "locations", "new_load_kw"])
    j, kw = location_load(run)
    g = inst.plan_grid[j]
    inside = g >= 0
    size = inst.grid.size
    load = np.bincount(g[inside], weights=kw[inside], minlength=size)
    return pd.DataFrame({"id": inst.grid.ids, "available_kw": inst.grid.available_kw, "upgrade_kw": inst.grid.upgrade_kw,
                         "upgrade_year": inst.grid_upgrade_year, "locations": np.bincount(g[inside], minlength=size),
                         "new_load_kw": load, "needs_upgrade": load > np.maximum(inst.grid.available_kw, 0) + 1e-9})


def cell_layer(run: WhitespotsRun):
    """The cells that should hold a point (and those with no data), as 500 m squares."""
    import geopandas as gpd
    import shapely

    inst, c = run.instance, run.classes
    k = np.flatnonzero(c.must | c.nodata)
    state = np.where(c.nodata[k], "no data", np.where(c.covered[k], "covered", c.category[k]))
    x, y = inst.cell_corner[k, 0], inst.cell_corner[k, 1]
    frame = pd.DataFrame({
        "id": inst.cell_ids[k], "gemeente": inst.municipality_names[inst.cell_municipality[k]],
        "households": inst.households[k], "category": state, "action": c.action[k], "reason": c.reason[k],
        "grid_area": [inst.grid.ids[g] if inst.grid is not None and g >= 0 else "" for g in inst.cell_grid[k]],
    })
    return gpd.GeoDataFrame(frame, geometry=shapely.box(x, y, x + CELL_M, y + CELL_M), crs=inst.crs)


def plan_layer(run: WhitespotsRun):
    inst, st = run.instance, run.classes.state
    blocked = np.where(~st.fills, "realised", np.where(~st.rule_ok, "concession 250 m rule", np.where(
        ~st.grid_later, "no grid headroom, no upgrade", np.where(~st.land_ok, "land", np.where(
            ~st.grid_now, "waits for grid upgrade", "")))))
    frame = pd.DataFrame({"id": inst.plan_ids, "gemeente": inst.municipality_names[inst.plan_municipality],
                          "status": inst.plan_status, "chosen": run.chosen, "blocked_by": blocked,
                          "land_m2": np.where(np.isfinite(inst.plan_land_m2), inst.plan_land_m2, np.nan)})
    return point_layer(frame, inst.plan_xy, inst.crs)


def sites_layer(run: WhitespotsRun):
    """The LSCP's locations, named `sites` so QGIS and report.html draw them as new sites."""
    inst = run.instance
    j, kw = location_load(run)
    frame = pd.DataFrame({
        "id": inst.plan_ids[j], "status": "new", "chargers": inst.params.points_per_location, "new_kw": kw,
        "plan_status": inst.plan_status[j], "gemeente": inst.municipality_names[inst.plan_municipality[j]],
        "grid_area": [inst.grid.ids[g] if inst.grid is not None and g >= 0 else "" for g in inst.plan_grid[j]]})
    return point_layer(frame, inst.plan_xy[j], inst.crs)


def layers(run: WhitespotsRun) -> dict:
    inst = run.instance
    out = {"cells": cell_layer(run),
           "public_points": point_layer(pd.DataFrame({"id": inst.point_ids}), inst.point_xy, inst.crs),
           "plan_locations": plan_layer(run), "sites": sites_layer(run)}
    if inst.grid is not None and inst.grid.xy is not None:
        out["grid_use"] = point_layer(grid_table(run), inst.grid.xy, inst.crs)
    return out


def counts(run: WhitespotsRun) -> dict:
    c = run.classes
    white = c.white
    return {"cells_125": int(c.must.sum()), "covered": int(c.covered.sum()), "white": int(white.sum()),
            "a": int((white & (c.category == "a")).sum()), "b": int((white & (c.category == "b")).sum()),
            "c": int((white & (c.category == "c")).sum()), "no_data_cells": int(c.nodata.sum()),
            "cells_outside_municipalities": run.instance.cells_outside,
            "locations_needed": int(run.chosen.sum()), "lscp_cells": int(len(run.cells)),
            "b_actions": {str(k): int(v) for k, v in pd.Series(c.action[white & (c.category == "b")]).value_counts()
                          .sort_index().items()}}


def summary_dict(run: WhitespotsRun) -> dict:
    inst = run.instance
    source = {"name": inst.name, "path": str(run.source) if run.source else None,
              "sha256": instance_hash(run.source) if run.source else {}, "parameters": inst.params.model_dump()}
    extra = {"white_spots": counts(run), "municipalities_csv": "municipalities.csv",
             "municipalities_md": "municipalities.md"}
    if run.lscp is None:
        return {"status": "optimal", "objective": 0.0, "best_bound": 0.0, "gap": 0.0, "model": "whitespots",
                "objective_kind": "locations", "objective_name": "lscp",
                "message": "no white spot can be filled by a plan-map location: nothing to optimise", "verified": None,
                "times": {k: round(v, 4) for k, v in run.times.items()}, "instance": source, "size": {}, "kpis": {},
                **extra, "diagnosis": [], "siting_version": __version__, "python": platform.python_version()}
    summary = summary_base(run.lscp, model="whitespots", objective_kind="locations", objective_name="lscp",
                           parameters=inst.params.model_dump(), size=run.lscp.formulation.summary(), extra=extra)
    summary["times"] = {**{k: round(v, 4) for k, v in run.times.items()},
                        "lscp_phases": {k: round(v, 4) for k, v in run.lscp.times.items()}}
    summary["instance"] = source
    return summary


def summary_markdown(summary: dict, table: pd.DataFrame) -> str:
    w = summary["white_spots"]
    top = table[table["white"] > 0].head(5)
    where = ", ".join(f"{r.name} {r.white}" for r in top.itertuples())
    actions = "; ".join(f"{k}: {v}" for k, v in w["b_actions"].items()) or "none"
    lines = [
        f"# siting — white spots of {summary['instance']['name']}", "",
        f"**{w['white']:,} white spots** of {w['cells_125']:,} cells with >= "
        f"{number(summary['instance']['parameters']['min_households'])} households ({w['covered']:,} hold a public point): "
        f"**{w['a']:,} (a)** a designated location can be realised by the usual procedure, **{w['b']:,} (b)** need an "
        f"extra action ({actions}), **{w['c']:,} (c)** not to be filled. Most in: {where or 'none'}.", "",
        f"LSCP of the plan-map locations (the fast model's lscp, status **{summary['status']}**): "
        f"**{w['locations_needed']:,} locations** fill all {w['lscp_cells']:,} white spots a plan-map location can fill. "
        f"{w['no_data_cells']:,} cells carry a CBS no-data code; {w['cells_outside_municipalities']:,} cells lie outside "
        "every municipality and are left out.", "",
        "## Per municipality", "", markdown_table(table), "",
    ]
    if summary.get("diagnosis"):
        lines += ["## Why the LSCP has no plan", ""] + [f"- {d}" for d in summary["diagnosis"]] + [""]
    return "\n".join(lines)


def draw_map(run: WhitespotsRun, path: Path) -> bool:
    from matplotlib.collections import PolyCollection
    from matplotlib.patches import Patch

    inst, c = run.instance, run.classes
    layers_ = read_map_layers(run.source)
    xy = inst.cell_corner[c.must]
    if not len(xy):
        return False
    bounds = (*inst.cell_corner.min(axis=0), *(inst.cell_corner.max(axis=0) + CELL_M))
    canvas = MapCanvas.create(bounds, inst.crs, run.source, layers=layers_)
    handles = []
    for key, mask in (("covered", c.covered), ("a", c.white & (c.category == "a")),
                      ("b", c.white & (c.category == "b")), ("c", c.white & (c.category == "c"))):
        k = np.flatnonzero(mask)
        if not len(k):
            continue
        x, y = inst.cell_corner[k, 0], inst.cell_corner[k, 1]
        squares = np.stack([np.c_[x, y], np.c_[x + CELL_M, y], np.c_[x + CELL_M, y + CELL_M], np.c_[x, y + CELL_M]],
                           axis=1)
        canvas.ax.add_collection(PolyCollection(squares, facecolors=COLOURS[key], edgecolors="none", zorder=2))
        label = "covered (a public point)" if key == "covered" else CATEGORY_WORDS[key]
        handles.append(Patch(facecolor=COLOURS[key], label=f"{label}: {len(k):,}"))
    canvas.section("Cells >= 125 households", handles)
    j = np.flatnonzero(run.chosen)
    if len(j):
        chosen = canvas.ax.scatter(inst.plan_xy[j, 0], inst.plan_xy[j, 1], marker="*", s=14, c="#00441b", zorder=4,
                                   linewidths=0, label=f"LSCP location: {len(j):,}")
        canvas.section("Plan map", [chosen])
    fig = canvas.finish(f"White spots of the regular public network — {inst.name}",
                        f"{int(c.white.sum()):,} white spots of {int(c.must.sum()):,} cells; "
                        f"{int(run.chosen.sum()):,} plan-map locations fill the fillable ones")
    return save_map(fig, path)


def write_results(run: WhitespotsRun, out: Path, overwrite: bool = False) -> dict:
    summary = summary_dict(run)
    table = municipality_table(run)
    text = summary_markdown(summary, table)

    def csv(path: Path) -> bool:
        table.to_csv(path, index=False)
        return True

    def md(path: Path) -> bool:
        path.write_text(f"# White spots per municipality — {run.instance.name}\n\n{markdown_table(table)}\n")
        return True

    def outlines() -> dict:
        return {name: layer.geometry for name, layer in read_map_layers(run.source).items()}

    pictures = {"municipalities_csv": ("municipalities.csv", csv), "municipalities_md": ("municipalities.md", md),
                "map": ("map.png", lambda path: draw_map(run, path))}
    return write_result_folder(out, overwrite, summary, solved=True, layers=lambda: layers(run), crs=run.instance.crs,
                               pictures=pictures, markdown=lambda: text, outlines=outlines)
