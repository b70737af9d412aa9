"""The site block every model reads the same way: the new candidates first, then the existing
sites, with chargers, costs, land, grid area and coordinates (validated tables -> arrays)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from siting.io.folder import site_grid_areas
from siting.io.layers import Table
from siting.resources import GridAreas


def column(df: pd.DataFrame, name: str, default: float) -> np.ndarray:
    """A numeric column of a validated table as float; an absent column is `default` on every row.

    The rule of siting.checks: a default is never filled in per cell. The checks refuse an empty
    cell in a present column, so finding one here means a field the validator does not declare:
    a bug, raised as such rather than turned into a silent default."""
    if name not in df.columns:
        return np.full(len(df), default, dtype=float)
    values = pd.to_numeric(df[name], errors="coerce").astype(float).to_numpy()
    if np.isnan(values).any():
        raise ValueError(f"column {name!r} has empty or non-numeric cells after validation: "
                         "declare it in the model's validate fields")
    return values


@dataclass(frozen=True)
class SiteBlock:
    ids: np.ndarray  # object [J]
    is_existing: np.ndarray  # bool [J]
    existing_chargers: np.ndarray  # n0_j
    max_chargers: np.ndarray  # nmax_j (an existing site keeps at least the chargers it has)
    fixed_cost: np.ndarray  # 0 at existing sites
    cost_per_charger: np.ndarray
    land_m2: np.ndarray  # inf: no limit
    grid: GridAreas | None
    grid_of_site: np.ndarray  # -1 outside every area
    xy: np.ndarray | None  # None when a layer has no coordinates


def site_block(tables: dict[str, Table], max_new_default: float) -> SiteBlock:
    """`candidates` (+ `existing`, `grid_areas` when given) as arrays; `max_new_default` is the
    charger limit of a candidate whose `max_chargers` cell is empty."""
    cand = tables["candidates"].df
    exist = tables["existing"].df if "existing" in tables else pd.DataFrame(columns=["id", "chargers"])
    n_new, n_old = len(cand), len(exist)
    n0 = np.concatenate([np.zeros(n_new), column(exist, "chargers", 0.0)]).astype(np.int64)
    max_old = np.maximum(column(exist, "max_chargers", 0.0), n0[n_new:])
    grid, grid_of_site = None, np.full(n_new + n_old, -1, dtype=np.int64)
    if "grid_areas" in tables:
        g = tables["grid_areas"].df
        grid = GridAreas(ids=g["id"].to_numpy(dtype=object), available_kw=column(g, "available_kw", 0.0),
                         upgrade_kw=column(g, "upgrade_kw", 0.0), upgrade_cost=column(g, "upgrade_cost", 0.0),
                         xy=tables["grid_areas"].xy)
        index = {gid: k for k, gid in enumerate(grid.ids)}
        areas = np.concatenate([site_grid_areas(tables, name) if name in tables else np.full(0, None)
                                for name in ("candidates", "existing")])
        grid_of_site = np.array([index.get(a, -1) for a in areas], dtype=np.int64)
    xy = None
    if tables["candidates"].xy is not None and (n_old == 0 or tables["existing"].xy is not None):
        xy = np.vstack([tables["candidates"].xy] + ([tables["existing"].xy] if n_old else []))
    return SiteBlock(
        ids=np.concatenate([cand["id"].to_numpy(dtype=object), exist["id"].to_numpy(dtype=object)]),
        is_existing=np.concatenate([np.zeros(n_new, bool), np.ones(n_old, bool)]),
        existing_chargers=n0,
        max_chargers=np.concatenate([column(cand, "max_chargers", max_new_default), max_old]).astype(np.int64),
        fixed_cost=np.concatenate([column(cand, "fixed_cost", 0.0), np.zeros(n_old)]),
        cost_per_charger=np.concatenate([column(cand, "cost_per_charger", 0.0), column(exist, "cost_per_charger", 0.0)]),
        land_m2=np.concatenate([column(cand, "land_m2", np.inf), column(exist, "land_m2", np.inf)]),
        grid=grid, grid_of_site=grid_of_site, xy=xy)
