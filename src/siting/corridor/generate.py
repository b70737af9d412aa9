"""Synthetic `corridor` instances from a seed (`siting generate corridor`), for benchmarks and scale tests.

The region and its towns are those of `siting.generate` (150 x 120 km in RD New, a mixture of
lognormal-sized towns). The road graph has two kinds of edges:
- motorways: a sparse spanning structure (minimum spanning tree of a Delaunay triangulation plus
  a few of its shortest other edges) between the biggest towns, cut into ~10 km segments whose
  intermediate nodes are junctions and service areas;
- local roads: the Euclidean minimum spanning tree of every node (so the graph is connected)
  plus the shortest other Delaunay edges, longer than the crow flies by a detour factor.
Truck OD flows between town centres follow a gravity model (pop_a x pop_b / d^2, the top N pairs
at least `min_od_km` apart). Candidates sit on road nodes (motorway nodes preferred), grid areas
are the nearest of K substations (a third without headroom, as in `fast`), and the LoLa search
areas are node groups around the motorway towns (a `search_area` column, no polygons).

Every layer is a CSV with fixed float formatting and sorted ids: the same seed gives the same
files, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import tomli_w

from siting.errors import SitingError
from siting.generate import CRS, ORIGIN, clustered_points, substations, town_mixture, write_csv

MOTORWAY_SEGMENT_M = 10_000.0  # a junction or service area every ~10 km of motorway [estimate]
MOTORWAY_DETOUR, LOCAL_DETOUR = 1.05, 1.3  # road length / straight line: motorways are straighter [estimate]
REGION_POPULATION = 3_000_000  # people in the region, split over the towns by their shares [estimate]
MAX_TRUCKS_PER_DAY = 150.0  # electric trucks/day on the busiest OD pair (as the max of nal-oost-corridor)
LOLA_RADIUS_M = 8_000.0  # search area = nodes within 8 km of a motorway town (as nal-oost-corridor)


@dataclass(frozen=True)
class CorridorSize:
    nodes: int = 2_000
    od_pairs: int = 500
    candidates: int = 300
    existing: int = 5
    grid_areas: int = 30
    towns: int = 60
    motorway_towns: int = 12
    p: int = 15
    battery_kwh: float = 400.0  # range 0.6 x 400 / 1.2 = 200 km: long trips need a well-placed station
    capacitated: bool = True
    min_od_km: float = 20.0  # shorter truck trips are not corridor traffic


@dataclass(frozen=True)
class RoadGraph:
    xy: np.ndarray  # (n, 2) metres inside the region
    names: list[str]
    is_motorway_node: np.ndarray  # bool[n]
    u: np.ndarray
    v: np.ndarray
    length_km: np.ndarray
    road: list[str]
    tent: list[str]


def _delaunay_edges(xy: np.ndarray) -> np.ndarray:
    """Unique (a, b) pairs, a < b, of the Delaunay triangulation, sorted."""
    from scipy.spatial import Delaunay

    simplices = Delaunay(xy).simplices
    pairs = np.vstack([simplices[:, [0, 1]], simplices[:, [1, 2]], simplices[:, [0, 2]]])
    return np.unique(np.sort(pairs, axis=1), axis=0)


def _spanning_plus_shortest(xy: np.ndarray, extra: int) -> np.ndarray:
    """Minimum spanning tree of the Delaunay graph (connected) plus its `extra` shortest other edges."""
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import minimum_spanning_tree

    edges = _delaunay_edges(xy)
    length = np.hypot(*(xy[edges[:, 0]] - xy[edges[:, 1]]).T)
    n = len(xy)
    tree = minimum_spanning_tree(coo_array((length, (edges[:, 0], edges[:, 1])), shape=(n, n)).tocsr()).tocoo()
    in_tree = set(zip(np.minimum(tree.row, tree.col).tolist(), np.maximum(tree.row, tree.col).tolist(), strict=True))
    chosen = np.array([(a, b) in in_tree for a, b in edges.tolist()])
    others = np.flatnonzero(~chosen)
    chosen[others[np.argsort(length[others], kind="stable")[:extra]]] = True
    return edges[chosen]


def _motorways(centres: np.ndarray) -> list[tuple[int, int]]:
    """Links (a, b) between motorway towns: spanning tree plus about a third more shortest links."""
    if len(centres) < 2:
        return []
    if len(centres) < 4:  # too few points for a triangulation: a chain
        return [(k, k + 1) for k in range(len(centres) - 1)]
    return [tuple(e) for e in _spanning_plus_shortest(centres, extra=max(1, len(centres) // 3)).tolist()]


def road_graph(rng: np.random.Generator, size: CorridorSize, towns) -> RoadGraph:
    centre, share, _ = towns
    n_towns = len(share)
    big = np.argsort(-share, kind="stable")[: size.motorway_towns]
    # motorway links cut into segments: their intermediate nodes follow the town centres
    xy, names, motorway_node = [*centre], [f"town {k + 1}" for k in range(n_towns)], [False] * n_towns
    for k in big:
        motorway_node[k] = True
    segments = []  # (a, b, road name)
    for r, (a, b) in enumerate(_motorways(centre[big])):
        ta, tb = int(big[a]), int(big[b])
        parts = max(1, int(np.ceil(np.hypot(*(centre[ta] - centre[tb])) / MOTORWAY_SEGMENT_M)))
        chain = [ta]
        for i in range(1, parts):
            xy.append(centre[ta] + (centre[tb] - centre[ta]) * i / parts)
            names.append(f"A{r + 1} junction {i}")
            motorway_node.append(True)
            chain.append(len(xy) - 1)
        chain.append(tb)
        segments += [(chain[i], chain[i + 1], f"A{r + 1}") for i in range(parts)]
    n_local = size.nodes - len(xy)
    if n_local < 0:
        raise SitingError(f"--nodes {size.nodes} is too few: the towns and motorway junctions alone are "
                          f"{len(xy)} nodes")
    local = clustered_points(rng, n_local, towns, rural_share=0.3)
    xy = np.round(np.vstack([np.array(xy).reshape(-1, 2), local]), 1)  # 0.1 m: what the CSV holds
    names += [f"place {k + 1}" for k in range(n_local)]
    _, first = np.unique(xy, axis=0, return_index=True)  # a repeated point would be outside the triangulation
    keep = np.sort(first)
    index = np.full(len(xy), -1)
    index[keep] = np.arange(len(keep))
    xy, names = xy[keep], [names[k] for k in keep]
    motorway_node = np.array(motorway_node + [False] * n_local)[keep]
    segments = [(int(index[a]), int(index[b]), road) for a, b, road in segments]

    motorway = {(min(a, b), max(a, b)): road for a, b, road in segments}
    local_edges = [(a, b) for a, b in _spanning_plus_shortest(xy, extra=int(0.3 * len(xy))).tolist()
                   if (a, b) not in motorway]
    rows = [(a, b, road, "core", MOTORWAY_DETOUR) for (a, b), road in motorway.items()]
    rows += [(a, b, "", "", LOCAL_DETOUR) for a, b in local_edges]
    rows.sort()
    u = np.array([r[0] for r in rows])
    v = np.array([r[1] for r in rows])
    length = np.hypot(*(xy[u] - xy[v]).T) / 1000.0 * np.array([r[4] for r in rows])
    return RoadGraph(xy, names, motorway_node, u, v, np.maximum(np.round(length, 3), 0.001),
                     [r[2] for r in rows], [r[3] for r in rows])


def gravity_flows(centre: np.ndarray, share: np.ndarray, n_pairs: int,
                  min_km: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The n_pairs town pairs with the largest pop_a x pop_b / d^2 (d >= min_km), trucks/day scaled
    so that the busiest pair has MAX_TRUCKS_PER_DAY."""
    pop = np.round(share * REGION_POPULATION)
    a, b = np.triu_indices(len(share), k=1)
    d_km = np.hypot(*(centre[a] - centre[b]).T) / 1000.0
    ok = d_km >= min_km
    a, b, d_km = a[ok], b[ok], d_km[ok]
    if len(a) < n_pairs:
        raise SitingError(f"only {len(a)} town pairs are at least {min_km:g} km apart, fewer than --od-pairs "
                          f"{n_pairs}: use more --towns")
    gravity = pop[a] * pop[b] / d_km**2
    top = np.argsort(-gravity, kind="stable")[:n_pairs]
    trucks = np.maximum(np.round(MAX_TRUCKS_PER_DAY * gravity[top] / gravity[top[0]], 3), 0.001)
    return a[top], b[top], trucks


def _sites(rng, graph: RoadGraph, n: int, exclude: np.ndarray | None = None) -> np.ndarray:
    """n distinct road nodes, motorway nodes four times as likely (service areas, junctions), sorted."""
    weight = np.where(graph.is_motorway_node, 4.0, 1.0)
    if exclude is not None:
        weight[exclude] = 0.0
    if n > np.count_nonzero(weight):
        raise SitingError(f"cannot place {n} sites on {np.count_nonzero(weight)} free road nodes: use more --nodes")
    return np.sort(rng.choice(len(weight), size=n, replace=False, p=weight / weight.sum()))


def _search_area_of(xy: np.ndarray, lola_xy: np.ndarray) -> list[str]:
    """The id of the nearest LoLa area within LOLA_RADIUS_M of each point, else empty."""
    if not len(lola_xy):
        return [""] * len(xy)
    d = np.hypot(xy[:, None, 0] - lola_xy[None, :, 0], xy[:, None, 1] - lola_xy[None, :, 1])
    near = d.argmin(axis=1)
    return [f"LoLa-{k + 1:02d}" if d[i, k] <= LOLA_RADIUS_M else "" for i, k in enumerate(near)]


def generate_corridor(size: CorridorSize, seed: int, out: Path, name: str | None = None) -> dict:
    rng = np.random.default_rng(seed)
    towns = town_mixture(rng, size.towns)
    centre, share, _ = towns
    graph = road_graph(rng, size, towns)
    node_id = [f"n{k:05d}" for k in range(len(graph.xy))]
    origin, destination, trucks = gravity_flows(centre, share, size.od_pairs, size.min_od_km)
    cand = _sites(rng, graph, size.candidates)
    taken = np.zeros(len(graph.xy), bool)
    taken[cand] = True
    old = _sites(rng, graph, size.existing, exclude=taken) if size.existing else np.zeros(0, np.int64)
    lola_xy = centre[np.argsort(-share, kind="stable")[: size.motorway_towns]]
    subs, headroom = substations(rng, size.grid_areas, towns, median_kw=4000.0)

    ox, oy = ORIGIN
    out.mkdir(parents=True, exist_ok=True)
    write_csv(out / "road_nodes.csv", pd.DataFrame({
        "id": node_id, "name": graph.names, "x": graph.xy[:, 0] + ox, "y": graph.xy[:, 1] + oy}))
    write_csv(out / "roads.csv", pd.DataFrame({
        "u": [node_id[k] for k in graph.u], "v": [node_id[k] for k in graph.v],
        "length_km": graph.length_km, "road": graph.road, "tent": graph.tent}))
    write_csv(out / "od_flows.csv", pd.DataFrame({
        "id": [f"od{k + 1:05d}" for k in range(len(trucks))],
        "origin": [node_id[k] for k in origin], "destination": [node_id[k] for k in destination],
        "trucks_per_day": trucks}))
    n = len(cand)
    write_csv(out / "candidates.csv", pd.DataFrame({
        "id": [f"c{k + 1:05d}" for k in range(n)], "name": [graph.names[k] for k in cand],
        "node": [node_id[k] for k in cand],
        "fixed_cost": np.round(rng.uniform(300_000, 700_000, n), -3),
        "cost_per_charger": 1_100_000.0,  # MCS charger incl. connection share, as nal-oost-corridor
        "max_chargers": rng.integers(4, 9, n),
        "land_m2": np.round(rng.uniform(1_000, 6_000, n), -1),
        "search_area": _search_area_of(graph.xy[cand], lola_xy),
        "x": graph.xy[cand, 0] + ox, "y": graph.xy[cand, 1] + oy}))
    layers = ["road_nodes", "roads", "od_flows", "candidates"]
    if len(old):
        write_csv(out / "existing.csv", pd.DataFrame({
            "id": [f"e{k + 1:05d}" for k in range(len(old))], "name": [graph.names[k] for k in old],
            "node": [node_id[k] for k in old], "chargers": 2,
            "x": graph.xy[old, 0] + ox, "y": graph.xy[old, 1] + oy}))
        layers.append("existing")
    if size.grid_areas:
        write_csv(out / "grid_areas.csv", pd.DataFrame({
            "id": [f"g{k + 1:03d}" for k in range(size.grid_areas)], "available_kw": headroom,
            "x": subs[:, 0] + ox, "y": subs[:, 1] + oy}))
        layers.append("grid_areas")
    if len(lola_xy):
        write_csv(out / "search_areas.csv", pd.DataFrame({
            "id": [f"LoLa-{k + 1:02d}" for k in range(len(lola_xy))],
            "name": [f"around town {k + 1}" for k in np.argsort(-share, kind="stable")[: size.motorway_towns]],
            "min_sites": 0, "max_sites": 2}))
        layers.append("search_areas")
    spatial = {"road_nodes", "candidates", "existing", "grid_areas"}
    config = {
        "name": name or out.name,
        "description": f"synthetic corridor instance, seed {seed}: {len(graph.xy)} road nodes, {len(graph.u)} roads, "
                       f"{len(trucks)} OD flows, {n} candidates (siting generate corridor)",
        "model": "corridor",
        "crs": CRS,
        "layers": {k: {"file": f"{k}.csv", **({"x": "x", "y": "y"} if k in spatial else {})} for k in layers},
        "corridor": {  # as nal-oost-corridor (see its instance.toml for the sources), smaller battery
            "objective": "flow", "p": size.p, "battery_kwh": size.battery_kwh, "usable_share": 0.6,
            "kwh_per_km": 1.2, "capacitated": size.capacitated, "public_share": 0.07, "kw_per_charger": 1000.0,
            "kwh_per_charger_day": 7200.0, "min_chargers": 2, "max_chargers": 8, "m2_per_charger": 100.0,
            "site_m2": 500.0},
    }
    (out / "instance.toml").write_text(tomli_w.dumps(config))
    return {"nodes": len(graph.xy), "roads": len(graph.u), "od_pairs": len(trucks), "candidates": n,
            "existing": len(old), "grid_areas": size.grid_areas}
