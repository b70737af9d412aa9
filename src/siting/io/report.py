"""What the three result writers (fast, corridor, park) share: the common keys of summary.json,
rows of summary.md, the site-plan columns, the grid_use layer, and the folder write (the map
pieces are in siting.io.maps).

Each writer (fast/, corridor/ and park/report.py) keeps what is its own: its tables,
its words and its pictures.
"""

from __future__ import annotations

import platform
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from siting import __version__
from siting.io.folder import instance_hash
from siting.io.maps import read_map_layers
from siting.io.summary_text import number
from siting.io.write import point_layer, write_result_folder


# -- summary.json ---------------------------------------------------------------------------------
def summary_base(run, *, model: str, objective_kind: str, objective_name: str, parameters: dict, size: dict,
                 extra: dict | None = None, instance_extra: dict | None = None,
                 verified_method: str | None = None) -> dict:
    """summary.json in the key order every model writes: result, verification, times, solver,
    instance, size, kpis, then the model's own keys (`extra`), then diagnosis and versions."""
    inst, res, cert = run.instance, run.result, run.certificate
    verified = None
    if cert is not None:
        verified = {"objective": cert.objective, "feasible": cert.feasible, "violations": cert.violations}
        if verified_method is not None:
            verified["method"] = verified_method
    return {
        "status": res.status,
        "objective": res.objective,
        "best_bound": res.best_bound,
        "gap": res.gap,
        "model": model,
        "objective_kind": objective_kind,
        "objective_name": objective_name,
        "message": res.message,
        "verified": verified,
        "times": {k: round(v, 4) for k, v in run.times.items()},
        "solver": res.solver,
        "warm_start": run.warm_start,
        "instance": {
            "name": inst.name,
            "path": str(run.source) if run.source else None,
            "sha256": instance_hash(run.source) if run.source else {},
            "parameters": parameters,
            **(instance_extra or {}),
        },
        "size": size,
        "kpis": cert.kpis if cert else {},
        **(extra or {}),
        "diagnosis": run.diagnosis,
        "siting_version": __version__,
        "python": platform.python_version(),
    }


# -- summary.md -----------------------------------------------------------------------------------
PLAN_ROWS = [  # (kpi, label, unit) rows of the fast and corridor tables: what the plan adds and costs
    ("new_chargers", "new chargers", ""),
    ("new_kw", "new charging power", "kW"),
    ("cost", "investment", "EUR"),
    ("grid_upgrades", "grid upgrades bought", ""),
    ("grid_areas_full", "grid areas whose headroom the plan uses up", ""),
    ("grid_areas_without_headroom", "grid areas with no headroom at all (closed to new load)", ""),
]


def kpi_rows(kpis: dict, labels: list[tuple[str, str, str]]) -> list[str]:
    """One table row per (key, label, unit) that the kpis have."""
    return [f"| {label} | {number(kpis[key])} {unit} |" for key, label, unit in labels if key in kpis]


def time_row(times: dict) -> str:
    t = {k: times.get(k, 0) for k in ("total", "load", "precompute", "build", "solve")}
    return (f"| time | {t['total']:.2f} s (load {t['load']:.2f}, precompute {t['precompute']:.2f}, "
            f"build {t['build']:.2f}, solve {t['solve']:.2f}) |")


def size_row(size: dict, more: str = "") -> str:
    return (f"| model size | {size['variables']} variables, {size['constraints']} constraints, "
            f"{size['nonzeros']} nonzeros{more} |")


def problem_lines(summary: dict, checker: str) -> list[str]:
    """Why there is no feasible plan, and what the independent check (`checker`) found wrong."""
    lines = []
    if summary["diagnosis"]:
        lines += ["", "## Why there is no feasible plan", ""] + [f"- {d}" for d in summary["diagnosis"]]
    if summary["verified"] and summary["verified"]["violations"]:
        lines += ["", f"**{checker} found violations:** " + "; ".join(summary["verified"]["violations"])]
    return lines


# -- tables and layers ----------------------------------------------------------------------------
def id_labels(ids: np.ndarray, index: np.ndarray) -> np.ndarray:
    """ids[index] where index >= 0, "" where it is negative (no such area), as an object array."""
    index = np.asarray(index)
    out = np.full(len(index), "", dtype=object)
    known = index >= 0
    if known.any():
        out[known] = ids[index[known]]
    return out


def site_plan(inst, sol) -> dict[str, np.ndarray]:
    """Per site (new candidates, then existing): status, chargers, new chargers and kW, investment."""
    new_chargers = sol.chargers - inst.existing_chargers
    return {
        "status": np.where(inst.is_existing, "existing", np.where(sol.open, "new", "closed")),
        "chargers": sol.chargers,
        "existing_chargers": inst.existing_chargers,
        "new_chargers": new_chargers,
        "new_kw": inst.params.kw_per_charger * new_chargers,
        "cost": np.where(sol.open & ~inst.is_existing, inst.fixed_cost, 0.0) + inst.cost_per_charger * new_chargers,
    }


def grid_use_layer(inst, sol, load: np.ndarray, allowed: np.ndarray, crs: str | None):
    """The grid_use layer: per grid area its headroom, the new load, upgrades and the sites in it;
    at the area's substation point (or a point inside its polygon) when the instance has one, so
    QGIS can draw it."""
    g = inst.grid
    return point_layer(pd.DataFrame({
        "id": g.ids.astype(str), "available_kw": g.available_kw, "new_load_kw": load,
        "upgrade_bought": sol.upgrades, "allowed_kw": allowed,
        "sites": np.bincount(inst.grid_of_site[inst.grid_of_site >= 0], minlength=g.size),
    }), g.xy, crs)


# -- the folder -----------------------------------------------------------------------------------
MAP_OUTLINES = ("region", "municipalities", "parks", "search_areas")  # drawn under report.html's result layers


def write_run(run, out: Path, overwrite: bool, summary: dict, *, layers: Callable, markdown: Callable,
              pictures: dict[str, tuple[str, Callable]], extras: Callable | None = None) -> dict:
    """The result folder of a run: `layers(run)` into sites.gpkg, `pictures` (summary key ->
    (file name, draw(run, path) -> bool)), report.html, summary.json and `markdown(summary, run)` as
    summary.md."""

    def outlines() -> dict:
        return {name: layer.geometry for name, layer in read_map_layers(run.source, MAP_OUTLINES).items()}

    return write_result_folder(
        out, overwrite, summary, solved=run.solution is not None, layers=lambda: layers(run), crs=run.instance.crs,
        pictures={key: (name, lambda path, draw=draw: draw(run, path)) for key, (name, draw) in pictures.items()},
        markdown=lambda: markdown(summary, run), outlines=outlines,
        extras=None if extras is None else (lambda folder: extras(run, folder)))
