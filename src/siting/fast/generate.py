"""Synthetic `fast` instances from a seed (`siting generate fast`), for benchmarks and scale tests.

Demand clustered like towns (siting.generate), snapped to a grid of the given resolution and
merged per cell; candidates from the same towns plus a rural share; grid areas = the nearest of K
substations. Same seed, same files, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from siting.generate import CRS, ORIGIN, clustered_points, substations, town_mixture, write_csv


@dataclass(frozen=True)
class FastSize:
    demand: int = 10_000
    candidates: int = 1_000
    grid_areas: int = 40
    resolution: float = 100.0  # m: demand points are merged per cell of this size
    towns: int = 60
    objective: str = "mclp"
    p: int = 20
    radius: float = 5_000.0


def generate_fast(size: FastSize, seed: int, out: Path, name: str | None = None) -> dict:
    rng = np.random.default_rng(seed)
    towns = town_mixture(rng, size.towns)
    raw = clustered_points(rng, size.demand, towns, rural_share=0.15)
    cell = np.floor(raw / size.resolution).astype(np.int64)
    cells, weight = np.unique(cell, axis=0, return_counts=True)  # merge per cell: realistic raster
    demand_xy = (cells + 0.5) * size.resolution
    cand_xy = clustered_points(rng, size.candidates, towns, rural_share=0.3)
    subs, headroom = substations(rng, size.grid_areas, towns, median_kw=3000.0)

    ox, oy = ORIGIN
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "demand.csv", pd.DataFrame({
        "id": [f"d{k}" for k in range(len(demand_xy))], "weight": weight.astype(float),
        "x": demand_xy[:, 0] + ox, "y": demand_xy[:, 1] + oy}))
    write_csv(out / "candidates.csv", pd.DataFrame({
        "id": [f"c{k}" for k in range(size.candidates)],
        "fixed_cost": np.round(rng.uniform(150_000, 350_000, size.candidates), -3),
        "cost_per_charger": 100_000.0,
        "max_chargers": rng.integers(2, 13, size.candidates),
        "land_m2": np.round(rng.uniform(300, 2_000, size.candidates), -1),
        "x": cand_xy[:, 0] + ox, "y": cand_xy[:, 1] + oy}))
    layers = ["demand", "candidates"]
    if size.grid_areas:  # 0: no grid limits (the textbook MCLP, as the peers solve it)
        write_csv(out / "grid_areas.csv", pd.DataFrame({
            "id": [f"g{k}" for k in range(size.grid_areas)], "available_kw": headroom,
            "x": subs[:, 0] + ox, "y": subs[:, 1] + oy}))
        layers.append("grid_areas")
    layer = {"x": "x", "y": "y"}
    config = {
        "name": name or out.name,
        "description": f"synthetic fast instance, seed {seed}: {len(demand_xy)} demand cells of {size.resolution:g} m, "
                       f"{size.candidates} candidates, {size.grid_areas} grid areas (siting generate)",
        "model": "fast",
        "crs": CRS,
        "layers": {name: {"file": f"{name}.csv", **layer} for name in layers},
        "fast": {"objective": size.objective, "radius": size.radius, "p": size.p, "kw_per_charger": 150.0,
                 "sessions_per_charger": 7.0, "m2_per_charger": 40.0, "site_m2": 150.0, "min_chargers": 2},
    }
    (out / "instance.toml").write_text(tomli_w.dumps(config))
    return {"demand": len(demand_xy), "candidates": size.candidates, "grid_areas": size.grid_areas}
