"""Synthetic instances from a seed, for benchmarks and scale tests (`siting generate`).

This module holds `fast` and the region and town mixture the other kinds share
(`generate_corridor`, `generate_park`).

`fast`: demand clustered like towns and villages inside a 150 x 120 km region (a mixture of
Gaussian towns with lognormal sizes over a thin rural background), snapped to a grid of the
given resolution and merged per cell; candidates drawn from the same towns plus a rural share;
grid areas = the nearest of K substations, with lognormal headroom of which a third is zero
(as in Gelderland). Same seed, same files, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

WIDTH, HEIGHT = 150_000.0, 120_000.0
CRS = "EPSG:28992"
ORIGIN = (150_000.0, 420_000.0)  # somewhere in the east of the Netherlands, in RD New


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


def town_mixture(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """n towns: centres in the region, shares of the population (lognormal sizes), spread in metres."""
    centre = rng.uniform([0, 0], [WIDTH, HEIGHT], (n, 2))
    size = rng.lognormal(mean=0.0, sigma=1.0, size=n)
    spread = 800.0 + 1500.0 * np.sqrt(size)  # bigger towns are wider
    return centre, size / size.sum(), spread


def clustered_points(rng, n, towns, rural_share: float) -> np.ndarray:
    """n points drawn around the towns (by share) plus a uniform rural share, clipped to the region."""
    centre, share, spread = towns
    n_rural = int(round(n * rural_share))
    which = rng.choice(len(share), size=n - n_rural, p=share)
    town_pts = centre[which] + rng.normal(size=(n - n_rural, 2)) * spread[which, None]
    rural = rng.uniform([0, 0], [WIDTH, HEIGHT], (n_rural, 2))
    pts = np.vstack([town_pts, rural])
    return np.clip(pts, [0, 0], [WIDTH, HEIGHT])


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


def substations(rng: np.random.Generator, n: int, towns, median_kw: float) -> tuple[np.ndarray, np.ndarray]:
    """Substation points (half rural) and lognormal headroom in kW, a third of them with none
    (as in Gelderland)."""
    xy = clustered_points(rng, n, towns, rural_share=0.5)
    headroom = np.round(rng.lognormal(mean=np.log(median_kw), sigma=1.0, size=n), -1)
    headroom[rng.random(n) < 1 / 3] = 0.0
    return xy, headroom


def write_csv(path: Path, df: pd.DataFrame) -> None:
    """Fixed float format and line ends: the same frame gives the same bytes on every machine."""
    df.to_csv(path, index=False, float_format="%.3f", lineterminator="\n")
