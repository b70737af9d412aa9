"""Place names for a corridor comparison: planners know Raalte and Hoevelaken, not osm_way_977615845
or road node 10560.

Sites: the candidate's own name (OSM) with the municipality it lies in, the municipality alone
when OSM has only the kind ("service area"). OD ends: the `od_points` name, else the road
node's name. Search areas and substations: the `name` (`station`) of their layers. Everything
falls back to the id, so an instance without names still reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from siting.corridor.instance import CorridorInstance

KINDS = ("rest area", "service area", "truck parking", "parking", "truck stop", "fuel")


@dataclass(frozen=True)
class PlaceNames:
    site: np.ndarray  # per site j
    od: np.ndarray  # per OD flow q: "origin – destination"
    od_from: np.ndarray  # per OD flow q: its origin's name
    od_to: np.ndarray
    area: np.ndarray  # per search area
    grid: np.ndarray  # per grid area

    def grid_name(self, g: int) -> str:
        return str(self.grid[g])


def _layer_names(source: Path | None, layer: str, columns: tuple[str, ...]) -> dict[str, str]:
    """id -> name of one layer (first present column), {} when the layer or the column is absent."""
    from siting.io.maps import read_source_layer

    table = read_source_layer(source, layer)
    if table is None:
        return {}
    df = table.df
    column = next((c for c in columns if df is not None and c in df.columns), None)
    if column is None or "id" not in df.columns or table.problems:
        return {}
    names = df[column].fillna("").astype(str).str.strip()
    return {str(i): n for i, n in zip(df["id"].astype(str), names, strict=True) if n}


def site_name(name: str, place: str) -> str:
    """"rest area Raalte" stays; "service area" becomes "service area, Lingewaard"."""
    name = (name or "").strip()
    if not name:
        return place
    if place and (name.lower() in KINDS or place.lower() not in name.lower()):
        return f"{name}, {place}"
    return name


def place_names(inst: CorridorInstance, source: Path | None) -> PlaceNames:
    from siting.io.maps import place_names as municipality_of
    from siting.io.maps import read_map_layers

    towns = read_map_layers(source, ("municipalities",)).get("municipalities")
    place = municipality_of(inst.site_xy, towns) if inst.site_xy is not None else np.full(inst.n_sites, "", object)
    own = inst.site_names if inst.site_names is not None else np.full(inst.n_sites, "", object)
    site = np.array([site_name(str(n), str(p)) or str(i) for n, p, i in zip(own, place, inst.site_ids, strict=True)],
                    dtype=object)
    point = _layer_names(source, "od_points", ("name",))
    net = inst.network
    node_name = {}
    if point and source is not None:  # od_points snap to road nodes; the flows keep only the nodes
        node_name = _od_point_nodes(inst, source, point)

    def end(k: int) -> str:
        if k in node_name:
            return node_name[k]
        name = net.node_names[k] if net.node_names is not None else ""
        return str(name) if isinstance(name, str) and name else str(net.node_ids[k])

    od_from = np.array([end(a) for a in inst.od_origin.tolist()], dtype=object)
    od_to = np.array([end(b) for b in inst.od_destination.tolist()], dtype=object)
    od = np.array([f"{a} – {b}" for a, b in zip(od_from, od_to, strict=True)], dtype=object)
    areas = _layer_names(source, "search_areas", ("name",))
    area = np.array([f"{a} {areas[str(a)]}" if str(a) in areas else str(a) for a in inst.area_ids], dtype=object)
    stations = _layer_names(source, "grid_areas", ("name", "station"))
    grid = (np.array([stations.get(str(g), str(g)) for g in inst.grid.ids], dtype=object) if inst.grid is not None
            else np.zeros(0, dtype=object))
    return PlaceNames(site, od, od_from, od_to, area, grid)


def _od_point_nodes(inst: CorridorInstance, source: Path, point: dict[str, str]) -> dict[int, str]:
    """Road node -> od_points name, by the same snapping the loader does (nearest road node)."""
    from siting.io.maps import read_source_layer

    net = inst.network
    if net.node_xy is None:
        return {}
    table = read_source_layer(source, "od_points")
    if table is None or table.xy is None or table.problems:
        return {}
    from siting.corridor.load import snap

    nodes, _ = snap(table.xy, net.node_xy)
    out: dict[int, str] = {}
    for i, k in zip(table.df["id"].astype(str), nodes.tolist(), strict=True):
        if i in point:
            out.setdefault(int(k), point[i])
    return out
