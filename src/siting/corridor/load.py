"""Load a corridor instance folder: TOML -> layers -> checks -> snapping -> CorridorInstance.

The road graph comes from the `roads` layer (u, v, length_km or length, road, tent) with an
optional `road_nodes` point layer, or from a GraphML file named as the `roads` layer (node
attributes x/y or lon/lat; edge attributes length_km / len_km / length, road, tent). Sites and
OD ends without an explicit road node are snapped to the nearest road node; a snap farther than
`corridor.max_snap` is an error naming the row. An OD flow whose origin and destination are the
same id is an error (validate_corridor.check_od_ends); flows whose two od_points snap to one node,
or whose snapped od_points are not connected, are excluded and listed in the results (summary.md,
summary.json `excluded`), or an error with `corridor.strict = true`; OD ends named as road nodes
that no path joins are an error (validate_corridor.check_od_connected), and so are bad scenario
files in `scenarios/`.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from siting.config import read_config
from siting.corridor.instance import CorridorInstance, RoadNetwork
from siting.corridor.params import CorridorConfig
from siting.corridor.validate import check_scenarios, length_column, validate_corridor
from siting.errors import InstanceError, Problem
from siting.io.folder import open_config
from siting.io.layers import Table, grid_area_of_points, read_layer
from siting.io.sites import column, site_block


def read_graphml(path: Path, crs: str | None) -> tuple[Table, Table]:
    """(roads, road_nodes) tables from a GraphML road graph."""
    import networkx as nx

    roads = Table("roads", str(path), pd.DataFrame())
    nodes = Table("road_nodes", str(path), pd.DataFrame())
    try:
        g = nx.read_graphml(path)
    except Exception as err:  # networkx raises several parser errors
        roads.problem(f"not a readable GraphML file: {err}")
        return roads, nodes
    ids = [str(n) for n in g.nodes]
    attrs = [g.nodes[n] for n in g.nodes]
    nodes.df = pd.DataFrame({"id": ids})
    if attrs and all("x" in a and "y" in a for a in attrs):
        nodes.xy = np.array([[float(a["x"]), float(a["y"])] for a in attrs])
    elif attrs and all("lon" in a and "lat" in a for a in attrs):
        from siting.io.layers import project_points

        nodes.xy = project_points(nodes, np.array([[float(a["lon"]), float(a["lat"])] for a in attrs]), "EPSG:4326", crs)
    rows = []
    for a, b, data in g.edges(data=True):
        length = next((data[k] for k in ("length_km", "len_km", "length") if k in data), None)
        rows.append({"u": str(a), "v": str(b), "length_km": np.nan if length is None else length,
                     "road": str(data.get("road", "")), "tent": str(data.get("tent", ""))})
    roads.df = pd.DataFrame(rows, columns=["u", "v", "length_km", "road", "tent"])
    return roads, nodes


def load_corridor_tables(path: str | Path, overrides: list[str] | None = None):
    """(folder, config, tables): instance.toml with the overrides, every layer read and checked,
    and the scenario files of the folder's `scenarios/` checked against them."""
    folder, config, toml_file = open_config(path, overrides, CorridorConfig)
    tables = read_corridor_tables(folder, config)
    # scenario files of the folder are part of the instance: checked here, before compare or a sweep runs them
    validate_corridor(config, tables, toml_file, extra=check_scenarios(folder, tables, read_config(folder)))
    return folder, config, tables


def read_corridor_tables(folder: Path, config) -> dict[str, Table]:
    """Every layer of `config.layers` (a GraphML `roads` file as roads and road_nodes), unchecked;
    `config` is any instance config with the corridor's layers and CRS (corridor, rollout)."""
    tables: dict[str, Table] = {}
    for name, src in config.layers.items():
        if name == "roads" and src.file.lower().endswith(".graphml"):
            roads, nodes = read_graphml(folder / src.file, config.crs)
            tables["roads"] = roads
            if "road_nodes" not in config.layers:
                tables["road_nodes"] = nodes
            continue
        tables[name] = read_layer(folder, name, src, config.crs)
    return tables


def snap(xy: np.ndarray, node_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest road node of each point and the distance to it."""
    from scipy.spatial import cKDTree

    dist, idx = cKDTree(node_xy).query(xy)
    return idx.astype(np.int64), dist


def _site_nodes(table: Table, index: pd.Index, node_xy: np.ndarray | None, max_snap: float) -> tuple[np.ndarray, np.ndarray]:
    """Road node of each site (the `node` column, else snapped) and the snap distance."""
    n = len(table.df)
    if "node" in table.df.columns and table.df["node"].notna().all():
        return index.get_indexer(table.df["node"]).astype(np.int64), np.zeros(n)
    if node_xy is None or table.xy is None:
        table.problem("every site needs a `node`, or point geometry and road-node coordinates to snap to", field="node")
        return np.zeros(n, np.int64), np.zeros(n)
    nodes, dist = snap(table.xy, node_xy)
    if "node" in table.df.columns:
        given = table.df["node"].notna().to_numpy()
        nodes[given] = index.get_indexer(table.df["node"][given])
        dist[given] = 0.0
    _check_snap(table, dist, max_snap)
    return nodes, dist


def _check_snap(table: Table, dist: np.ndarray, max_snap: float) -> None:
    labels = table.df["id"].astype(str).to_numpy() if "id" in table.df.columns else [f"#{k + 1}" for k in range(len(dist))]
    for k in np.flatnonzero(dist > max_snap)[:20]:
        table.problem(f"nearest road node is {dist[k]:,.0f} away, more than max_snap = {max_snap:,.0f}",
                      row=labels[k], field="geometry")


def edges_in_region(net: RoadNetwork, tables: dict[str, Table]) -> np.ndarray | None:
    """Per road edge: its midpoint lies in the `region` layer (else the union of `municipalities`);
    None without such polygons or node coordinates. The AFIR assessment keeps to these edges: the
    VILD graph runs on beyond the region, where the region has no say."""
    layer = next((tables[n] for n in ("region", "municipalities") if n in tables and tables[n].geometry is not None), None)
    if layer is None or net.node_xy is None:
        return None
    import shapely

    area = shapely.union_all(np.asarray(layer.geometry.to_numpy(), dtype=object))
    if shapely.is_empty(area) or shapely.get_type_id(area) not in (3, 6, 7):
        return None
    shapely.prepare(area)
    mid = 0.5 * (net.node_xy[net.u] + net.node_xy[net.v])
    return shapely.contains_xy(area, mid[:, 0], mid[:, 1])


def build_network(tables: dict[str, Table]) -> RoadNetwork:
    roads = tables["roads"].df
    col = length_column(tables["roads"])
    if "road_nodes" in tables:
        ids = tables["road_nodes"].ids().astype(str).tolist()
        node_xy = tables["road_nodes"].xy
        rn = tables["road_nodes"].df
        names = rn["name"].fillna("").astype(str).to_numpy(dtype=object) if "name" in rn.columns else None
    else:
        ids = list(pd.unique(pd.concat([roads["u"], roads["v"]], ignore_index=True)))
        node_xy = None
        names = None
    index = pd.Index(ids)
    tent = roads["tent"].fillna("").astype(str).to_numpy(dtype=object) if "tent" in roads.columns else None
    road = roads["road"].fillna("").astype(str).to_numpy(dtype=object) if "road" in roads.columns else None
    return RoadNetwork(
        node_ids=np.array(ids, dtype=object),
        u=index.get_indexer(roads["u"]).astype(np.int64),
        v=index.get_indexer(roads["v"]).astype(np.int64),
        length=pd.to_numeric(roads[col]).to_numpy(dtype=float),
        road=road, tent=tent, node_xy=node_xy, node_names=names,
    )


def _od_nodes(tables: dict[str, Table], index: pd.Index, node_xy, max_snap: float) -> tuple[np.ndarray, np.ndarray]:
    od = tables["od_flows"].df
    if "od_points" not in tables:
        return index.get_indexer(od["origin"]).astype(np.int64), index.get_indexer(od["destination"]).astype(np.int64)
    points = tables["od_points"]
    if node_xy is None:
        points.problem("od points cannot be snapped: the road graph has no node coordinates")
        return np.zeros(len(od), np.int64), np.zeros(len(od), np.int64)
    nodes, dist = snap(points.xy, node_xy)
    _check_snap(points, dist, max_snap)
    pindex = pd.Index(points.ids())
    return nodes[pindex.get_indexer(od["origin"])], nodes[pindex.get_indexer(od["destination"])]


def _exclude_disconnected(net: RoadNetwork, o: np.ndarray, d: np.ndarray, od_ids: np.ndarray) -> tuple[np.ndarray, list]:
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components

    graph = coo_array((np.ones(len(net.u)), (net.u, net.v)), shape=(net.n_nodes, net.n_nodes))
    _, label = connected_components(graph, directed=False)
    keep = np.ones(len(o), bool)
    reasons = []
    for k in range(len(o)):
        if o[k] == d[k]:
            keep[k] = False
            reasons.append((str(od_ids[k]), "origin and destination are the same road node"))
        elif label[o[k]] != label[d[k]]:
            keep[k] = False
            reasons.append((str(od_ids[k]), "origin and destination are not connected by the road graph"))
    return keep, reasons


def load_corridor(path: str | Path, overrides: list[str] | None = None) -> CorridorInstance:
    """Read, check, snap and convert an instance; raises InstanceError listing every problem."""
    _, config, tables = load_corridor_tables(path, overrides)
    return corridor_instance_from_tables(config, tables)


def corridor_instance_from_tables(config, tables: dict[str, Table]) -> CorridorInstance:
    """Snap and convert checked tables (validate_corridor); `config` is any instance config with
    `name`, `crs` and a `corridor` section (corridor, rollout)."""
    p = config.corridor
    net = build_network(tables)
    net = replace(net, in_region=edges_in_region(net, tables))
    index = pd.Index(net.node_ids)

    cand = tables["candidates"]
    exist = tables.get("existing")
    c_nodes, c_snap = _site_nodes(cand, index, net.node_xy, p.max_snap)
    e_nodes, e_snap = (_site_nodes(exist, index, net.node_xy, p.max_snap) if exist is not None
                       else (np.zeros(0, np.int64), np.zeros(0)))
    o, d = _od_nodes(tables, index, net.node_xy, p.max_snap)
    problems = [pr for t in tables.values() for pr in t.problems]
    if problems:
        raise InstanceError(problems)

    od = tables["od_flows"].df
    od_ids = (od["id"].astype(str).to_numpy(dtype=object) if "id" in od.columns
              else np.array([f"{a}->{b}" for a, b in zip(od["origin"], od["destination"], strict=True)], dtype=object))
    keep, excluded = _exclude_disconnected(net, o, d, od_ids)
    if excluded and p.strict:
        raise InstanceError([Problem(tables["od_flows"].file, reason, layer="od_flows", row=row, field="destination")
                             for row, reason in excluded])

    cdf = cand.df
    edf = exist.df if exist is not None else pd.DataFrame(columns=["id", "chargers"])
    sites = site_block(tables, float(p.max_chargers))

    area_ids, area_min, area_max = np.zeros(0, dtype=object), np.zeros(0), np.zeros(0)
    area_of_site = np.full(len(sites.ids), -1, dtype=np.int64)
    if "search_areas" in tables:
        s = tables["search_areas"]
        area_ids = s.ids().to_numpy(dtype=object)
        area_min = column(s.df, "min_sites", 0.0)
        area_max = column(s.df, "max_sites", np.inf)
        sindex = {a: k for k, a in enumerate(area_ids)}
        labels = np.concatenate([_search_areas(cand, s), _search_areas(exist, s) if exist is not None else np.zeros(0, dtype=object)])
        area_of_site = np.array([sindex.get(a, -1) for a in labels], dtype=np.int64)

    site_xy = sites.xy
    if site_xy is None and net.node_xy is not None:
        site_xy = net.node_xy[np.concatenate([c_nodes, e_nodes])]

    return CorridorInstance(
        name=config.name, params=p, network=net,
        od_ids=od_ids[keep], od_origin=o[keep], od_destination=d[keep],
        flow=column(od, "trucks_per_day", 0.0)[keep],
        site_ids=sites.ids, is_existing=sites.is_existing,
        site_node=np.concatenate([c_nodes, e_nodes]),
        fixed_cost=sites.fixed_cost, cost_per_charger=sites.cost_per_charger,
        existing_chargers=sites.existing_chargers, max_chargers=sites.max_chargers, land_m2=sites.land_m2,
        grid_of_site=sites.grid_of_site, grid=sites.grid, area_of_site=area_of_site,
        area_ids=area_ids, area_min=area_min, area_max=area_max,
        site_xy=site_xy, site_snap=np.concatenate([c_snap, e_snap]), crs=config.crs,
        excluded=tuple(excluded),
        site_names=np.concatenate([_names(cdf), _names(edf)]),
    )


def _names(df: pd.DataFrame) -> np.ndarray:
    return df["name"].fillna("").astype(str).to_numpy(dtype=object) if "name" in df.columns else np.full(len(df), "", dtype=object)


def _search_areas(table: Table, areas: Table) -> np.ndarray:
    """Each site's search area: its `search_area` field, else the polygon containing it."""
    given = table.df["search_area"].to_numpy(dtype=object) if "search_area" in table.df.columns else np.full(len(table.df), None)
    missing = np.array([not isinstance(a, str) or not a for a in given])
    if missing.any() and areas.geometry is not None and table.xy is not None:
        given = given.copy()
        given[missing] = grid_area_of_points(table.xy[missing], areas)
    return given
