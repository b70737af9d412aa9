"""Load a park instance folder: TOML -> layers -> checks -> ParkInstance (models/park.md).

The one adapter from tables to the park model's arrays: profiles are applied, tier rows without
a square are copied to every square, pairs (k, s) come from an `assign_costs` table or from the
walking distance d_ks <= D (with annual cost walk_cost_per_m x d_ks x vehicles_k). Names for
the reports: a company's `name`, a square's `name`, else the business park in its `park` column.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.checks import raise_if_problems
from siting.io.folder import open_config
from siting.io.layers import Table, grid_area_of_points, read_layers
from siting.io.sites import column
from siting.park.instance import ParkInstance, dwell_window
from siting.park.params import ParkConfig
from siting.park.validate import (
    check_company_options,
    check_window_energy,
    validate_park_tables,
)
from siting.resources import GridAreas


def _text(df: pd.DataFrame, name: str, default: str | None) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), default, dtype=object)
    return np.array([v if isinstance(v, str) and v else default for v in df[name]], dtype=object)


def _profile(profiles: pd.DataFrame | None, names: np.ndarray, slots: int) -> np.ndarray:
    """[n, T]: the profile column named per row (None/"firm": all ones)."""
    out = np.ones((len(names), slots))
    if profiles is None:
        return out
    ordered = profiles.sort_values("slot")
    for name in set(n for n in names if n not in (None, "firm")):
        out[names == name] = ordered[name].to_numpy(dtype=float)
    return out


def _grid_of(table: Table, grid: Table | None) -> np.ndarray:
    """Each row's grid-area id: its `grid_area` field, else the area containing it (or nearest)."""
    given = _text(table.df, "grid_area", None)
    missing = np.array([a is None for a in given])
    if missing.any() and grid is not None and table.xy is not None and (grid.xy is not None or grid.geometry is not None):
        given = given.copy()
        given[missing] = grid_area_of_points(table.xy[missing], grid)
    return given


def _pairs(config: ParkConfig, tables: dict[str, Table], vehicles: np.ndarray):
    """(company, square, annual cost, distance) of every pair that exists, sorted by company, square."""
    comp, sq = tables["companies"], tables["squares"]
    if "assign_costs" in tables:
        df = tables["assign_costs"].df
        k = pd.Index(comp.ids()).get_indexer(df["company_id"])
        s = pd.Index(sq.ids()).get_indexer(df["square_id"])
        cost = column(df, "annual_cost", 0.0)
        dist = column(df, "distance", np.nan)
    else:
        from siting.precompute import euclidean_pairs

        pairs = euclidean_pairs(comp.xy, sq.xy, config.park.walking_distance)
        k = pairs.row_ids()
        s = pairs.indices
        dist = pairs.distance
        cost = config.park.walk_cost_per_m * dist * vehicles[k]
    order = np.lexsort((s, k))
    return k[order].astype(np.int64), s[order].astype(np.int64), cost[order], dist[order]


def daily_energy(c: pd.DataFrame, vans: np.ndarray, trucks: np.ndarray) -> np.ndarray:
    """E_k: kwh_per_day where given, else vans x (kWh per van) + trucks x (kWh per truck), a
    vehicle's kWh being `*_kwh_per_day` or `*_km_per_day` x `*_kwh_per_km`."""
    per = {}
    for kind in ("van", "truck"):
        direct = column(c, f"{kind}_kwh_per_day", np.nan)
        by_km = column(c, f"{kind}_km_per_day", np.nan) * column(c, f"{kind}_kwh_per_km", np.nan)
        per[kind] = np.nan_to_num(np.where(np.isnan(direct), by_km, direct))
    computed = vans * per["van"] + trucks * per["truck"]
    given = column(c, "kwh_per_day", np.nan)
    return np.where(np.isnan(given), computed, given)


def load_park_tables(path: str | Path, overrides: list[str] | None = None):
    folder, config, toml_file = open_config(path, overrides, ParkConfig)
    tables = read_layers(folder, config)
    problems = validate_park_tables(config, tables, toml_file)
    raise_if_problems(problems, tables)
    return folder, config, tables


def load_park(path: str | Path, overrides: list[str] | None = None) -> ParkInstance:
    """Read, check and convert a park instance; raises InstanceError listing every problem."""
    _, config, tables = load_park_tables(path, overrides)
    return park_instance_from_tables(config, tables)


def park_instance_from_tables(config: ParkConfig, tables: dict[str, Table]) -> ParkInstance:
    p = config.park
    T, h = p.slots, p.hours()
    profiles = tables["profiles"].df if "profiles" in tables else None
    comp, sq, tiers = tables["companies"], tables["squares"], tables["tiers"]
    c, s_df, t_df = comp.df, sq.df, tiers.df
    K, S = len(c), len(s_df)

    vans = column(c, "vans", 0.0).astype(np.int64)
    trucks = column(c, "trucks", 0.0).astype(np.int64)
    vehicles = vans + trucks
    if "max_kw" in c.columns:
        max_kw = column(c, "max_kw", 0.0)
    else:
        max_kw = np.zeros(K)
    if "max_kw_per_vehicle" in c.columns:
        per = column(c, "max_kw_per_vehicle", np.nan)
        max_kw = np.where(np.isnan(per), max_kw, per * vehicles)
    dwell_hours = np.column_stack([column(c, "dwell_start", np.nan), column(c, "dwell_end", np.nan)])
    window = dwell_window(dwell_hours[:, 0], dwell_hours[:, 1], T, h)
    own_kw = column(c, "own_kw", 0.0)[:, None] * _profile(profiles, _text(c, "own_profile", None), T)

    # tiers: rows without a square apply to every square
    square_index = pd.Index(sq.ids())
    named = _text(t_df, "square", None)
    rows, squares = [], []
    for r, name in enumerate(named):
        targets = np.arange(S) if name is None else [square_index.get_loc(name)]
        rows.extend([r] * len(targets))
        squares.extend(targets)
    rows, tier_square = np.array(rows, dtype=np.int64), np.array(squares, dtype=np.int64)
    order = np.lexsort((rows, tier_square))
    rows, tier_square = rows[order], tier_square[order]
    if p.contracts is not None:  # a scenario without some contract types
        keep = np.isin(_text(t_df, "contract", "firm")[rows], p.contracts)
        rows, tier_square = rows[keep], tier_square[keep]
    contract = _text(t_df, "contract", "firm")[rows]

    ch = tables["charger_types"].df if "charger_types" in tables else pd.DataFrame({"id": []})
    grid_t = tables.get("grid_areas")
    grid = None
    headroom = np.zeros((0, T))
    company_grid = np.full(K, -1, dtype=np.int64)
    square_grid = np.full(S, -1, dtype=np.int64)
    if grid_t is not None:
        g = grid_t.df
        grid = GridAreas(ids=g["id"].to_numpy(dtype=object), available_kw=column(g, "available_kw", 0.0),
                         upgrade_kw=np.zeros(len(g)), upgrade_cost=np.zeros(len(g)), xy=grid_t.xy)
        names = _text(g, "profile", p.headroom_profile)
        headroom = grid.available_kw[:, None] * _profile(profiles, names, T)
        index = {gid: k for k, gid in enumerate(grid.ids)}
        company_grid = np.array([index.get(a, -1) for a in _grid_of(comp, grid_t)], dtype=np.int64)
        square_grid = np.array([index.get(a, -1) for a in _grid_of(sq, grid_t)], dtype=np.int64)
    price = p.energy_price * (_profile(profiles, np.array([p.price_profile], dtype=object), T)[0]
                              if p.price_profile else np.ones(T))

    pk, ps, pcost, pdist = _pairs(config, tables, vehicles)
    energy = daily_energy(c, vans, trucks)
    has_own = (own_kw * window).max(axis=1, initial=0.0) > 0
    check_company_options(comp, np.bincount(pk, minlength=K) > 0, has_own, p.walking_distance,
                          "assign_costs" in tables)
    max_energy = max_kw * h * window.sum(axis=1)
    notes = check_window_energy(comp, energy, max_energy, h * window.sum(axis=1), max_kw, p.unmet_penalty is not None)
    raise_if_problems([], tables)

    return ParkInstance(
        name=config.name,
        params=p,
        company_ids=c["id"].to_numpy(dtype=object),
        vans=vans,
        trucks=trucks,
        energy_kwh=energy,
        max_kw=max_kw,
        window=window,
        dwell_hours=dwell_hours,
        own_kw=own_kw,
        own_cost=column(c, "own_cost", 0.0),
        own_annual=column(c, "own_annual_cost", 0.0),
        company_grid=company_grid,
        square_ids=s_df["id"].to_numpy(dtype=object),
        land_m2=column(s_df, "land_m2", np.inf),
        square_m2=column(s_df, "fixed_m2", 0.0),
        square_cost=column(s_df, "fixed_cost", 0.0),
        square_annual=column(s_df, "annual_cost", 0.0),
        square_grid=square_grid,
        tier_ids=t_df["id"].to_numpy(dtype=object)[rows],
        tier_square=tier_square,
        tier_kw=column(t_df, "capacity_kw", 0.0)[rows],
        tier_cost=column(t_df, "one_off_cost", 0.0)[rows],
        tier_annual=column(t_df, "annual_cost", 0.0)[rows],
        tier_contract=contract,
        tier_avail=_profile(profiles, contract, T),
        charger_ids=ch["id"].to_numpy(dtype=object),
        charger_kw=column(ch, "power_kw", 0.0),
        charger_cost=column(ch, "cost", 0.0),
        charger_annual=column(ch, "annual_cost", 0.0),
        charger_m2=column(ch, "m2", 0.0),
        charger_vehicle=_text(ch, "vehicle", "any"),
        pair_company=pk,
        pair_square=ps,
        pair_cost=pcost,
        pair_distance=pdist,
        grid=grid,
        headroom_kw=headroom,
        price=price,
        company_xy=comp.xy,
        square_xy=sq.xy,
        crs=config.crs,
        notes=tuple(notes),
        company_names=_text(c, "name", ""),
        square_names=np.where(_text(s_df, "name", "") != "", _text(s_df, "name", ""), _text(s_df, "park", "")),
    )
