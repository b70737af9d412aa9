"""Typed, validated, array-level instances (no geopandas, no pyomo).

Existing sites are appended to the candidates: candidate arrays hold the new candidates first,
then the existing sites (`is_existing`), so every site is one index j.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from siting.fast.params import FastConfig, FastParams
from siting.precompute import Pairs
from siting.resources import GridAreas, SiteResources


@dataclass(frozen=True)
class Graph:
    """An undirected edge list over integer nodes, and the node of each demand point and site."""

    n_nodes: int
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    demand_node: np.ndarray
    site_node: np.ndarray


@dataclass(frozen=True)
class FastInstance:
    """Everything the fast model needs, as arrays; symbols as in models/fast.md."""

    name: str
    params: FastParams
    demand_ids: np.ndarray  # i
    weight: np.ndarray  # w_i
    site_ids: np.ndarray  # j: new candidates, then existing sites
    is_existing: np.ndarray  # bool
    fixed_cost: np.ndarray  # f_j (0 for existing sites)
    cost_per_charger: np.ndarray  # c_j
    existing_chargers: np.ndarray  # n0_j (0 for new candidates)
    max_chargers: np.ndarray  # nmax_j
    land_m2: np.ndarray  # L_j (inf: no limit)
    grid_of_site: np.ndarray  # g(j), -1 when the site is in no grid area
    grid: GridAreas | None
    demand_xy: np.ndarray | None = None
    site_xy: np.ndarray | None = None
    given_pairs: Pairs | None = None  # explicit coverage or distances table
    given_pairs_are_coverage: bool = False  # a coverage table: every pair covers, whatever R
    graph: Graph | None = None
    crs: str | None = None

    @property
    def n_demand(self) -> int:
        return len(self.demand_ids)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def new_sites(self) -> np.ndarray:
        return np.flatnonzero(~self.is_existing)

    @property
    def resources(self) -> SiteResources:
        p = self.params
        return SiteResources(self.is_existing, self.existing_chargers, self.land_m2, self.grid_of_site, self.grid,
                             p.kw_per_charger, p.simultaneity, p.m2_per_charger, p.site_m2, self.site_ids)

    def opening_chargers(self) -> np.ndarray:
        """The fewest chargers site j has when open: n0_j at existing sites, nmin at new ones, and
        -1 where a new site cannot open at all (nmax_j < nmin, or nmin chargers do not fit its land)."""
        p = self.params
        nmin = p.min_chargers
        fits = (self.max_chargers >= nmin) & (self.land_m2 >= p.m2_per_charger * nmin + p.site_m2)
        return np.where(self.is_existing, self.existing_chargers, np.where(fits, nmin, -1)).astype(np.int64)

    def with_params(self, **changes) -> FastInstance:
        from dataclasses import replace

        return replace(self, params=self.params.model_copy(update=changes))


def _column(df: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name not in df.columns:
        return np.full(len(df), default, dtype=float)
    return df[name].astype(float).fillna(default).to_numpy()


def fast_instance_from_tables(config: FastConfig, tables: dict, grid_area_ids: dict[str, np.ndarray]) -> FastInstance:
    """Turn validated tables into a FastInstance. `grid_area_ids[layer]` = area id per row."""
    params = config.fast
    demand = tables["demand"].df
    cand = tables["candidates"].df
    exist = tables["existing"].df if "existing" in tables else pd.DataFrame(columns=["id", "chargers"])
    n_new, n_old = len(cand), len(exist)

    n0 = np.concatenate([np.zeros(n_new), _column(exist, "chargers", 0.0)]).astype(np.int64)
    max_new = _column(cand, "max_chargers", max(1.0, float(params.min_chargers)))
    max_old = np.maximum(_column(exist, "max_chargers", 0.0), n0[n_new:])
    site_ids = np.concatenate([cand["id"].to_numpy(dtype=object), exist["id"].to_numpy(dtype=object)])

    grid = None
    grid_of_site = np.full(n_new + n_old, -1, dtype=np.int64)
    if "grid_areas" in tables:
        g = tables["grid_areas"].df
        grid = GridAreas(
            ids=g["id"].to_numpy(dtype=object),
            available_kw=_column(g, "available_kw", 0.0),
            upgrade_kw=_column(g, "upgrade_kw", 0.0),
            upgrade_cost=_column(g, "upgrade_cost", 0.0),
            xy=tables["grid_areas"].xy,
        )
        index = {gid: k for k, gid in enumerate(grid.ids)}
        areas = np.concatenate([grid_area_ids.get("candidates", np.full(n_new, None)),
                                grid_area_ids.get("existing", np.full(n_old, None))])
        grid_of_site = np.array([index.get(a, -1) for a in areas], dtype=np.int64)

    def xy(name: str) -> np.ndarray | None:
        return tables[name].xy if name in tables else None

    site_xy = None
    if xy("candidates") is not None and (n_old == 0 or xy("existing") is not None):
        site_xy = np.vstack([xy("candidates")] + ([xy("existing")] if n_old else []))

    return FastInstance(
        name=config.name,
        params=params,
        demand_ids=demand["id"].to_numpy(dtype=object),
        weight=_column(demand, "weight", 0.0),
        site_ids=site_ids,
        is_existing=np.concatenate([np.zeros(n_new, bool), np.ones(n_old, bool)]),
        fixed_cost=np.concatenate([_column(cand, "fixed_cost", 0.0), np.zeros(n_old)]),
        cost_per_charger=np.concatenate([_column(cand, "cost_per_charger", 0.0), _column(exist, "cost_per_charger", 0.0)]),
        existing_chargers=n0,
        max_chargers=np.concatenate([max_new, max_old]).astype(np.int64),
        land_m2=np.concatenate([_column(cand, "land_m2", np.inf), _column(exist, "land_m2", np.inf)]),
        grid_of_site=grid_of_site,
        grid=grid,
        demand_xy=xy("demand"),
        site_xy=site_xy,
        given_pairs=_given_pairs(tables, demand, site_ids),
        given_pairs_are_coverage="coverage" in tables and "distances" not in tables,
        graph=_graph(tables, demand, cand, exist),
        crs=config.crs,
    )


def _given_pairs(tables: dict, demand: pd.DataFrame, site_ids: np.ndarray) -> Pairs | None:
    name = "distances" if "distances" in tables else "coverage" if "coverage" in tables else None
    if name is None:
        return None
    df = tables[name].df
    d_index = pd.Index(demand["id"])
    s_index = pd.Index(site_ids)
    rows = d_index.get_indexer(df["demand_id"])
    cols = s_index.get_indexer(df["candidate_id"])
    dist = df["distance"].to_numpy(dtype=float) if name == "distances" else np.zeros(len(df))
    return Pairs.from_coo(rows, cols, dist, len(demand), len(site_ids))


def _graph(tables: dict, demand: pd.DataFrame, cand: pd.DataFrame, exist: pd.DataFrame) -> Graph | None:
    if "graph" not in tables:
        return None
    g = tables["graph"].df
    nodes = pd.Index(pd.unique(pd.concat([g["u"], g["v"]], ignore_index=True)))
    site_nodes = pd.concat([cand["node"], exist["node"]] if len(exist) else [cand["node"]], ignore_index=True)
    return Graph(
        n_nodes=len(nodes),
        u=nodes.get_indexer(g["u"]).astype(np.int64),
        v=nodes.get_indexer(g["v"]).astype(np.int64),
        length=g["length"].to_numpy(dtype=float),
        demand_node=nodes.get_indexer(demand["node"]).astype(np.int64),
        site_node=nodes.get_indexer(site_nodes).astype(np.int64),
    )
