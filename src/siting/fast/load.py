"""Load a fast instance folder: TOML -> layers -> checks -> array-level instance."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.fast.instance import FastInstance, Graph
from siting.fast.params import FastConfig
from siting.fast.validate import validate_fast
from siting.io.folder import open_config
from siting.io.layers import Table, read_layers
from siting.io.sites import column, site_block
from siting.precompute import Pairs


def load_tables(path: str | Path, overrides: list[str] | None = None):
    folder, config, toml_file = open_config(path, overrides, FastConfig)
    tables = read_layers(folder, config)
    validate_fast(config, tables, toml_file)
    return folder, config, tables


def load_fast(path: str | Path, overrides: list[str] | None = None) -> FastInstance:
    """Read, check and convert an instance; raises InstanceError listing every problem."""
    _, config, tables = load_tables(path, overrides)
    return fast_instance_from_tables(config, tables)


def fast_instance_from_tables(config: FastConfig, tables: dict[str, Table]) -> FastInstance:
    """Turn validated tables into a FastInstance."""
    params = config.fast
    demand = tables["demand"].df
    cand = tables["candidates"].df
    exist = tables["existing"].df if "existing" in tables else pd.DataFrame(columns=["id", "chargers"])
    sites = site_block(tables, max(1.0, float(params.min_chargers)))

    return FastInstance(
        name=config.name,
        params=params,
        demand_ids=demand["id"].to_numpy(dtype=object),
        weight=column(demand, "weight", 0.0),
        site_ids=sites.ids,
        is_existing=sites.is_existing,
        fixed_cost=sites.fixed_cost,
        cost_per_charger=sites.cost_per_charger,
        existing_chargers=sites.existing_chargers,
        max_chargers=sites.max_chargers,
        land_m2=sites.land_m2,
        grid_of_site=sites.grid_of_site,
        grid=sites.grid,
        demand_xy=tables["demand"].xy,
        site_xy=sites.xy,
        given_pairs=_given_pairs(tables, demand, sites.ids),
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
