"""Build instances/nal-oost-corridor/ from ../shared/data/nl-oost (run from the repository root).

    .venv/bin/python scripts/build_nal_oost_corridor.py [--data ../shared/data/nl-oost] [--out instances/nal-oost-corridor]

Steps (each documented in the instance README.md):
1. road graph: the VILD schematic main-road graph (largest component); zero hectometre lengths
   replaced by the straight-line length; road class A (motorway) or N; `tent` = core on the A1
   (North Sea-Baltic corridor [sourced]), comprehensive on other motorways [estimate];
2. truck OD flows: the ETISplus/Speth et al. (2022) 2019 truck OD table routed on the ETIS
   graph (shortest distance); each trip's part inside the VILD box becomes a flow between its
   first and last ETIS node in the box (an OD point, snapped to the VILD graph by the loader);
   trucks/day = trucks/year / 365 x the 2030 electric share 10 % [sourced: NAL/RWS outlook];
3. candidates: OSM truck parkings, rest and service areas within 3 km of a road node;
4. existing: truck-capable chargers (>= 350 kW, NDW mid-2026) within 3 km of a road node;
5. grid areas: DSO substations (PDOK/VIVET 2023), available offtake MVA taken as MW;
6. search areas: 10 ILLUSTRATIVE circles of 8 km around main junctions (LoLa's are not published);
7. municipalities: the CBS municipality outlines and names (2023), drawn on the maps only.

The layers' contents are deterministic; the GeoPackage's "last change" dates are pinned too.
"""

from __future__ import annotations

import argparse
import warnings
from pathlib import Path

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import pyogrio
import shapely

CRS = "EPSG:28992"
E_TRUCK_SHARE = 0.10  # [sourced] 10 % of trucks electric expected in 2030 (DOMAIN.md 2b, Fleet NL)
DAYS_PER_YEAR = 365.0  # [derived] Speth et al. flows are trucks per year
SNAP_M = 3000.0  # [sourced, secondary] AFIR: a pool counts when within 3 km of the road/exit
SITE_M2, M2_PER_CHARGER = 500.0, 100.0  # m2 [estimate] as corridor.site_m2 / m2_per_charger in instance.toml
# Illustrative LoLa search areas [estimate]: main motorway junctions and logistics hubs of the region
SEARCH_AREAS = [
    ("LoLa-01", "Hoevelaken (A1/A28)", "Hoevelaken"),
    ("LoLa-02", "Beekbergen / Apeldoorn (A1/A50)", "Beekbergen"),
    ("LoLa-03", "Azelo / Hengelo (A1/A35)", "Azelo"),
    ("LoLa-04", "Velperbroek / Arnhem (A12/A348)", "Velperbroek"),
    ("LoLa-05", "Ressen / Nijmegen (A15/A325)", "Ressen"),
    ("LoLa-06", "Deil / Geldermalsen (A2/A15)", "Deil"),
    ("LoLa-07", "Valburg (A15/A50)", "Valburg"),
    ("LoLa-08", "Hattemerbroek / Zwolle (A28/A50)", "Hattemerbroek"),
    ("LoLa-09", "Maanderbroek / Ede (A12/A30)", "Maanderbroek"),
    ("LoLa-10", "Oud-Dijk / Doetinchem (A12/A18)", "Oud-Dijk"),
]
AREA_RADIUS_M = 8000.0  # [estimate]
GPKG_DATE = "2000-01-01T00:00:00Z"  # pinned gpkg_contents.last_change (no build timestamps)


def to_rd(lon, lat) -> np.ndarray:
    pts = gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs="EPSG:4326").to_crs(CRS)
    return np.column_stack([pts.x.to_numpy(), pts.y.to_numpy()])


def road_graph(data: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    g = nx.read_graphml(data / "roads" / "vild_road_graph_oost.graphml")
    main = max(nx.connected_components(g), key=len)
    g = g.subgraph(main).copy()
    ids = sorted(g.nodes, key=int)
    xy = to_rd([g.nodes[n]["lon"] for n in ids], [g.nodes[n]["lat"] for n in ids])
    nodes = gpd.GeoDataFrame({"id": ids, "name": [g.nodes[n].get("name", "") for n in ids],
                              "roads": [g.nodes[n].get("roads", "") for n in ids]},
                             geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)
    rows = []
    for a, b, d in g.edges(data=True):
        length = float(d["len_km"])
        source = d.get("len_source", "")
        if length <= 0:  # hectometre jump of 0 km between two merged points: use the straight line [derived]
            length, source = max(float(d.get("len_km_straight", 0.0)), 0.01), "straight_line_for_zero"
        road = str(d.get("road", ""))
        tent = "core" if road == "A1" else ("comprehensive" if road.startswith("A") else "")
        u, v = (a, b) if int(a) < int(b) else (b, a)
        rows.append({"u": u, "v": v, "length_km": round(length, 3), "road": road, "tent": tent, "len_source": source})
    roads = pd.DataFrame(rows).sort_values(["u", "v"], key=lambda s: s.astype(int), kind="stable").reset_index(drop=True)
    return roads, nodes


def od_flows(data: Path) -> tuple[pd.DataFrame, gpd.GeoDataFrame]:
    base = data / "roads" / "etis_truckflow_nl"
    nodes = gpd.read_file(base / "etis_nl_nodes.geojson")
    edges = gpd.read_file(base / "etis_nl_edges.geojson")
    od = pd.read_csv(base / "etis_nl_truck_od_2019.csv")
    g = nx.Graph()
    for _, e in edges.iterrows():
        w = float(e["distance_km"])
        if not g.has_edge(e["node_a"], e["node_b"]) or g[e["node_a"]][e["node_b"]]["w"] > w:
            g.add_edge(int(e["node_a"]), int(e["node_b"]), w=w)
    inside = dict(zip(nodes["node_id"].astype(int), nodes["in_bbox"].astype(bool), strict=True))
    flows: dict[tuple[int, int], float] = {}
    for origin, group in od.groupby("origin"):
        if origin not in g:
            continue
        paths = nx.single_source_dijkstra_path(g, int(origin), weight="w")
        for _, row in group.iterrows():
            path = paths.get(int(row["destination"]))
            if not path:
                continue
            box = [n for n in path if inside.get(n, False)]
            if len(box) < 2 or box[0] == box[-1]:
                continue
            a, b = box[0], box[-1]
            flows[(a, b)] = flows.get((a, b), 0.0) + float(row["trucks_per_year_2019"])
    rows = [{"origin": str(a), "destination": str(b),
             "trucks_per_day": round(f / DAYS_PER_YEAR * E_TRUCK_SHARE, 3),
             "trucks_per_day_all_2019": round(f / DAYS_PER_YEAR, 1)} for (a, b), f in sorted(flows.items())]
    table = pd.DataFrame(rows)
    table = table[table["trucks_per_day"] >= 0.5].reset_index(drop=True)  # [estimate] drop flows under 0.5 e-trucks/day
    used = sorted(set(table["origin"]) | set(table["destination"]), key=int)
    pts = nodes[nodes["node_id"].astype(str).isin(used)].copy()
    xy = to_rd(pts["lon"], pts["lat"])
    points = gpd.GeoDataFrame({"id": pts["node_id"].astype(str).to_numpy(), "name": pts["nearest_vild_name"].fillna("").to_numpy(),
                               "road": pts["nearest_vild_road"].fillna("").to_numpy()},
                              geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)
    return table, points.sort_values("id", key=lambda s: s.astype(int)).reset_index(drop=True)


def near_roads(points: gpd.GeoDataFrame, nodes: gpd.GeoDataFrame) -> np.ndarray:
    from scipy.spatial import cKDTree

    tree = cKDTree(np.column_stack([nodes.geometry.x, nodes.geometry.y]))
    dist, _ = tree.query(np.column_stack([points.geometry.x, points.geometry.y]))
    return dist


def _names(t: gpd.GeoDataFrame) -> np.ndarray:
    """OSM name, or kind + municipality for the many unnamed truck parkings."""
    kind = np.where(t["is_service_area"].astype(bool), "service area",
                    np.where(t["is_truck_parking"].astype(bool), "truck parking", "rest area"))
    name = t["name"].fillna("").astype(str).to_numpy()
    place = t["municipality"].fillna("").astype(str).to_numpy()
    unnamed = np.isin(name, ["", "Unnamed", "unnamed"])
    return np.where(unnamed, np.char.add(np.char.add(kind.astype(str), " "), place.astype(str)), name).astype(object)


def candidates(data: Path, nodes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    t = gpd.read_file(data / "truck_parking" / "osm_truck_parking_rest_areas_oost.geojson").to_crs(CRS)
    t["geometry"] = t.geometry.representative_point()
    t = t[near_roads(t, nodes) <= SNAP_M - 1.0].copy()
    spots = pd.to_numeric(t["truck_spots"], errors="coerce")
    area = pd.to_numeric(t["area_m2"], errors="coerce").fillna(0.0)
    max_chargers = np.where(spots.notna(), np.clip(spots.fillna(0) // 2, 2, 8), 8).astype(int)
    out = gpd.GeoDataFrame({
        "id": t["id"].astype(str).to_numpy(),
        "name": _names(t),
        "kind": np.where(t["is_service_area"].astype(bool), "service_area",
                         np.where(t["is_truck_parking"].astype(bool), "truck_parking", "rest_area")),
        "truck_spots": spots.to_numpy(),
        # MCS bays: 8 per hub [derived: Milence 8 bays], fewer where OSM knows fewer truck spots
        "max_chargers": max_chargers,
        # land: the OSM polygon area when known [sourced: OSM, area computed]; else [estimate] room for
        # the site's max_chargers bays (site_m2 + max_chargers x m2_per_charger), so land does not limit
        # it. Never an empty cell: siting refuses those (a default applies only to an absent column)
        "land_m2": np.where(area > 0, area.round(0), SITE_M2 + max_chargers * M2_PER_CHARGER),
        "fixed_cost": 500_000.0,  # [estimate] civil works, access, transformer housing per new hub
        "cost_per_charger": 1_100_000.0,  # [derived] DE aid per point, MCS/CCS mixed, grid + civil included (proxy)
    }, geometry=t.geometry.to_numpy(), crs=CRS)
    return out.sort_values("id", kind="stable").reset_index(drop=True)


def existing(data: Path, nodes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    c = gpd.read_file(data / "charging_stations" / "truck_charging_freight_oost.geojson").to_crs(CRS)
    c = c[c["in_region"].astype(bool)].copy()
    c = c[near_roads(c, nodes) <= SNAP_M - 1.0]
    return gpd.GeoDataFrame({
        "id": ("ndw-" + c["locationId"].astype(str)).to_numpy(),
        "name": c["name"].astype(str).to_numpy(),
        "operator": c["operatorName"].astype(str).to_numpy(),
        "power_kw": pd.to_numeric(c["maxPowerKw"], errors="coerce").to_numpy(),
        "chargers": 2,  # [estimate] charge points per location (not in the staged truck subset)
    }, geometry=c.geometry.to_numpy(), crs=CRS).drop_duplicates("id").reset_index(drop=True)


def grid_areas(data: Path) -> gpd.GeoDataFrame:
    s = pd.read_csv(data / "grid_capacity" / "dso_stations_capaciteit_oost.csv")
    avail = pd.to_numeric(s["beschikbare_capaciteit_afname_huidig_mva"].astype(str).str.replace("<", ""), errors="coerce")
    xy = to_rd(s["lon"], s["lat"])
    ids = ("dso-" + s["station"].str.replace(r"[^A-Za-z0-9]+", "-", regex=True).str.strip("-")).to_numpy()
    out = gpd.GeoDataFrame({
        "id": ids, "station": s["station"].to_numpy(), "operator": s["netbeheerder"].to_numpy(),
        "available_kw": (avail.fillna(0.0) * 1000.0).to_numpy(),  # [derived] MVA taken as MW (cos phi = 1)
        "upgrade_kw": 0.0, "upgrade_cost": 0.0,
    }, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=CRS)
    return out.drop_duplicates("id").reset_index(drop=True)


def search_areas(data: Path) -> gpd.GeoDataFrame:
    j = pd.read_csv(data / "roads" / "vild_junctions_exits_oost.csv")
    j = j[j["kind"] == "junction"]
    rows, geoms = [], []
    for sid, name, junction in SEARCH_AREAS:
        hit = j[j["name"] == junction].iloc[0]
        xy = to_rd([hit["lon"]], [hit["lat"]])[0]
        rows.append({"id": sid, "name": name, "min_sites": 0, "max_sites": 2, "synthetic": True})
        geoms.append(shapely.Point(xy).buffer(AREA_RADIUS_M, 32))
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=CRS)


def municipalities(data: Path) -> gpd.GeoDataFrame:
    """CBS municipalities 2023 (map only: outlines and place names), as in nal-oost-fast."""
    gem = gpd.read_file(data / "gemeenten" / "gemeenten_2023_oost.geojson").to_crs(CRS)
    return gpd.GeoDataFrame({
        "id": gem["gemeentecode"].astype(str), "name": gem["gemeentenaam"].astype(str),
        "province": gem["provincie"].astype(str), "inwoners_2023": gem["aantalInwoners"].round().astype("int64"),
    }, geometry=shapely.set_precision(gem.geometry.values, 0.1), crs=CRS).sort_values("id").reset_index(drop=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data/nl-oost"))
    ap.add_argument("--out", type=Path, default=Path("instances/nal-oost-corridor"))
    args = ap.parse_args()
    data, out = args.data, args.out
    roads, nodes = road_graph(data)
    flows, points = od_flows(data)
    cand = candidates(data, nodes)
    exist = existing(data, nodes)
    grid = grid_areas(data)
    areas = search_areas(data)
    towns = municipalities(data)
    out.mkdir(parents=True, exist_ok=True)
    gpkg = out / "data.gpkg"
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    if gpkg.exists():
        gpkg.unlink()
    layers = {"road_nodes": nodes, "od_points": points, "candidates": cand, "existing": exist,
              "grid_areas": grid, "search_areas": areas}
    for name, frame in layers.items():
        pyogrio.write_dataframe(frame, gpkg, layer=name, driver="GPKG", append=gpkg.exists())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, frame in {"roads": roads, "od_flows": flows}.items():
            pyogrio.write_dataframe(frame, gpkg, layer=name, driver="GPKG", append=True)
    pyogrio.write_dataframe(towns, gpkg, layer="municipalities", driver="GPKG", append=True)
    print(f"road graph {len(nodes)} nodes / {len(roads)} edges ({roads['length_km'].sum():,.0f} km); "
          f"{len(flows)} OD flows ({flows['trucks_per_day'].sum():,.1f} e-trucks/day) between {len(points)} points; "
          f"{len(cand)} candidates, {len(exist)} existing, {len(grid)} substations, {len(areas)} search areas, "
          f"{len(towns)} municipalities")
    print(f"wrote {gpkg} ({gpkg.stat().st_size / 1e6:.2f} MB)")


if __name__ == "__main__":
    main()
