"""Turn a solved corridor run into the result folder: summary.json, summary.md, sites.gpkg, map.png.

summary.json has the same top-level keys as the fast model's (status, objective, best_bound,
gap, model, objective_kind, times, solver, instance, kpis, ...), plus `flows` (the heaviest OD
flows and whether they are refuelled) and `excluded` (flows left out at loading).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.corridor.api import CorridorRun
from siting.corridor.instance import od_length
from siting.corridor.model import objective_kind
from siting.corridor.verify import afir_gaps, refuelled_ods
from siting.io.maps import MapCanvas, draw_substations, integer_keys, nice_values, save_map
from siting.io.report import (
    PLAN_ROWS,
    grid_use_layer,
    id_labels,
    kpi_rows,
    problem_lines,
    site_plan,
    size_row,
    summary_base,
    time_row,
    write_run,
)
from siting.io.summary_text import headline, number
from siting.io.write import point_layer

MAX_LISTED = 25


def summary_dict(run: CorridorRun) -> dict:
    inst = run.instance
    return summary_base(
        run, model="corridor", objective_kind=objective_kind(inst), objective_name=inst.params.objective,
        parameters={**inst.params.model_dump(), "range_used": inst.vehicle_range},
        size={**run.formulation.summary(), "od_flows": inst.n_od, "paths": run.paths.n_paths,
              "arc_cover_rows": run.cover.n_rows, "sites": inst.n_sites, "road_nodes": inst.network.n_nodes,
              "road_edges": len(inst.network.u)},
        extra={"flows": _flow_rows(run)[:MAX_LISTED],
               "excluded": [{"od": od, "reason": reason} for od, reason in inst.excluded],
               "afir": afir_gaps(inst, run.solution.open, run.solution.chargers) if run.solution is not None else [],
               "afir_uncoverable": run.afir_uncoverable},
        verified_method="round-trip simulation")


def _refuelled(run: CorridorRun) -> np.ndarray:
    """bool per OD flow: its round trip completes with the plan's stations (the checker's array;
    the simulation is the slowest part of writing a large corridor result)."""
    found = run.certificate.details.get("refuelled") if run.certificate is not None else None
    return found if found is not None else refuelled_ods(run.instance, run.paths, run.solution.open)


def _flow_table(run: CorridorRun) -> pd.DataFrame:
    inst = run.instance
    length = od_length(inst, run.paths)
    refuelled = _refuelled(run) if run.solution is not None else np.zeros(inst.n_od, bool)
    from siting.corridor.names import place_names

    names = place_names(inst, run.source)  # OD ends by od_points / road node names, not node numbers
    return pd.DataFrame({
        "od": inst.od_ids.astype(str),
        "origin": inst.network.node_ids[inst.od_origin].astype(str),
        "destination": inst.network.node_ids[inst.od_destination].astype(str),
        "from": names.od_from.astype(str),
        "to": names.od_to.astype(str),
        "trucks_per_day": inst.flow,
        "length": length,
        "refuelled": refuelled,
        "refuelled_share": run.solution.refuelled if run.solution is not None else np.zeros(inst.n_od),
    })


def _flow_rows(run: CorridorRun) -> list[dict]:
    df = _flow_table(run).sort_values("trucks_per_day", ascending=False, kind="stable")
    return [{k: (float(v) if isinstance(v, (float, np.floating)) else bool(v) if isinstance(v, (bool, np.bool_)) else v)
             for k, v in row.items()} for row in df.to_dict("records")]


def _sites_table(run: CorridorRun) -> pd.DataFrame:
    inst, sol = run.instance, run.solution
    grid_ids = inst.grid.ids if inst.grid is not None else np.array([], dtype=object)
    plan = site_plan(inst, sol)
    df = pd.DataFrame({
        "id": inst.site_ids.astype(str),
        "name": inst.site_names.astype(str) if inst.site_names is not None else "",
        "status": plan["status"],
        "road_node": inst.network.node_ids[inst.site_node].astype(str),
        "snap_distance": inst.site_snap if inst.site_snap is not None else np.zeros(inst.n_sites),
        "chargers": plan["chargers"],
        "existing_chargers": plan["existing_chargers"],
        "new_chargers": plan["new_chargers"],
        "new_kw": plan["new_kw"],
        "grid_area": id_labels(grid_ids, inst.grid_of_site),
        "search_area": id_labels(inst.area_ids, inst.area_of_site),
        "cost": plan["cost"],
    })
    flow_through = np.zeros(inst.n_sites)
    refuelled = _refuelled(run)
    node_flow = np.zeros(inst.network.n_nodes)
    for q in range(run.paths.n_paths):
        od = run.paths.od[q]
        if refuelled[od]:
            node_flow[run.paths.nodes_of(q)] += inst.flow[od]
    flow_through = node_flow[inst.site_node]
    df["refuelled_trucks_passing"] = flow_through
    if sol.assignment is not None:
        from siting.corridor.instance import round_trip_energy

        energy = round_trip_energy(inst, run.paths)
        pairs = sol.assignment_pairs
        df["energy_kwh_day"] = np.bincount(pairs[:, 1], weights=energy[pairs[:, 0]] * sol.assignment, minlength=inst.n_sites)
    return df


def summary_markdown(summary: dict, run: CorridorRun) -> str:
    k = summary["kpis"]
    gap = summary["gap"]
    p = run.instance.params
    lines = headline(summary, f"{summary['instance']['name']} (truck corridor, {summary['objective_name']})")
    lines += [
        f"| truck range on one charge | {number(run.instance.vehicle_range)} |",
    ]
    labels = [
        ("refuelled_flow", "trucks per day whose round trip can be charged", ""),
        ("refuelled_pct", "share of all OD truck flow charged", "%"),
        ("refuelled_truck_km", "truck-km per day charged", ""),
        ("energy_kwh_day", "charging energy per day (refuelled flows)", "kWh"),
        ("stations_open", "stations open", ""),
        ("new_stations", "new stations", ""),
        ("existing_stations", "existing stations", ""),
        *PLAN_ROWS,
        ("capacity_use_pct", "use of charger capacity", "%"),
        ("afir_core_longest_gap_km", "AFIR: longest stretch without a station on a TEN-T core road", "km (limit 60)"),
    ]
    lines += kpi_rows(k, labels)
    s = summary["size"]
    lines += [time_row(summary["times"]),
              size_row(s, f"; {s['od_flows']} OD flows, {s['arc_cover_rows']} arc-cover rows")]
    lines += problem_lines(summary, "The round-trip simulation")
    if run.solution is not None:
        sites = _sites_table(run)
        lines += ["", "## Stations", "", "| station | status | chargers | kW new | refuelled trucks/day passing | search area | grid area |",
                  "|---|---|---|---|---|---|---|"]
        shown = sites[sites["status"] != "closed"].sort_values(["status", "refuelled_trucks_passing"], ascending=[False, False])
        for _, row in shown.head(2 * MAX_LISTED).iterrows():
            label = f"{row['name']} ({row['id']})" if row["name"] else row["id"]
            lines.append(f"| {label} | {row['status']} | {row['chargers']} | {row['new_kw']:g} | "
                         f"{row['refuelled_trucks_passing']:,.1f} | {row['search_area']} | {row['grid_area']} |")
    if summary["flows"]:
        lines += ["", "## Heaviest OD flows", "", "| from | to | trucks/day | length | charged |", "|---|---|---|---|---|"]
        lines += [f"| {f['from']} | {f['to']} | {f['trucks_per_day']:,.1f} | {f['length']:,.1f} | "
                  f"{'yes' if f['refuelled'] else 'no'} |" for f in summary["flows"][:15]]
    afir = [g for g in summary["afir"] if g["length_km"] >= 20.0]
    if afir:
        title = "a constraint" if p.afir_spacing else "reported, not a constraint"
        lines += ["", f"## AFIR spacing ({title})", "",
                  "| road | TEN-T | length in region km | stations | longest gap km | where | limit km | ok |",
                  "|---|---|---|---|---|---|---|---|"]
        for g in afir:
            gap = g["longest_gap_km"] if not g["without_pool_km"] else g["without_pool_km"]
            where = g["where"] if not g["without_pool_km"] else "no station on this road"
            lines.append(f"| {g['road']} | {g['tent']} | {g['length_km']:.0f} | {g['pools']} | {gap:.0f} | {where} | "
                         f"{g['limit_km']:.0f} | {'yes' if g['compliant'] else 'no'} |")
    if summary["afir_uncoverable"]:
        lines += ["", f"AFIR: {len(summary['afir_uncoverable'])} TEN-T road nodes have no allowed site within half the "
                  "spacing; the constraint leaves them out, e.g. " + ", ".join(summary["afir_uncoverable"][:5])]
    if summary["excluded"]:
        lines += ["", f"## OD flows left out ({len(summary['excluded'])})", ""]
        lines += [f"- {e['od']}: {e['reason']}" for e in summary["excluded"][:MAX_LISTED]]
    lines += ["", f"Range {number(run.instance.vehicle_range)} per charge; rules: models/corridor.md "
              f"(round trip on the shortest path{', up to ' + str(p.k_paths) + ' paths within the detour' if p.k_paths > 1 else ''})."]
    return "\n".join(lines) + "\n"


def result_layers(run: CorridorRun) -> dict:
    inst = run.instance
    crs = inst.crs
    sites = _sites_table(run)
    keep = (sites["status"] != "closed").to_numpy()
    site_xy = inst.site_xy[keep] if inst.site_xy is not None else None
    layers = {"sites": point_layer(sites[keep].reset_index(drop=True), site_xy, crs)}
    flows = _flow_table(run)
    layers["flows"] = point_layer(flows, None, crs)
    net = inst.network
    if net.node_xy is not None:
        import geopandas as gpd
        import shapely

        load = np.zeros(len(net.u))
        edge_index = {}
        for e, (a, b) in enumerate(zip(net.u.tolist(), net.v.tolist(), strict=True)):
            edge_index.setdefault((min(a, b), max(a, b)), e)
        refuelled = flows["refuelled"].to_numpy()
        for q in range(run.paths.n_paths):
            nodes = run.paths.nodes_of(q)
            w = inst.flow[run.paths.od[q]] if refuelled[run.paths.od[q]] else 0.0
            for a, b in zip(nodes[:-1].tolist(), nodes[1:].tolist(), strict=True):
                load[edge_index[(min(a, b), max(a, b))]] += w
        coords = np.stack([net.node_xy[net.u], net.node_xy[net.v]], axis=1)
        layers["roads"] = gpd.GeoDataFrame({
            "u": net.node_ids[net.u].astype(str), "v": net.node_ids[net.v].astype(str), "length": net.length,
            "road": net.road if net.road is not None else "", "refuelled_trucks_per_day": load,
        }, geometry=shapely.linestrings(coords), crs=crs)
    if inst.grid is not None:
        sol = run.solution
        layers["grid_use"] = grid_use_layer(inst, sol, inst.resources.new_load_kw(sol.chargers),
                                            inst.grid.allowed_kw(sol.upgrades), crs)
    return layers


def draw_map(run: CorridorRun, path: Path, option: str | None = None) -> bool:
    """map.png (see map_of); False (no map) without road coordinates, site coordinates or a plan."""
    fig = map_of(run, option)
    return fig is not None and save_map(fig, path)


def map_of(run: CorridorRun, option: str | None = None):
    """The map of a plan: roads by refuelled truck flow, candidates, existing chargers, new hubs
    (size by chargers, labelled with their municipality and chargers), substations by headroom,
    over the instance's municipalities; `option` names the compared option in the title. The
    figure, or None."""
    inst, sol = run.instance, run.solution
    net = inst.network
    if net.node_xy is None or sol is None or inst.site_xy is None:
        return None
    from matplotlib.collections import LineCollection

    load = result_layers(run)["roads"]["refuelled_trucks_per_day"].to_numpy()
    coords = np.stack([net.node_xy[net.u], net.node_xy[net.v]], axis=1)
    extent = np.vstack([net.node_xy, inst.site_xy])
    canvas = MapCanvas.create((*extent.min(axis=0), *extent.max(axis=0)), inst.crs, run.source, pad=0.01)
    ax = canvas.ax
    on = load > 0
    roads = [ax.add_collection(LineCollection(coords[~on], colors="#a6a6a6", linewidths=0.6, zorder=1.5,
                                              label="main road, no charged e-truck flow"))]
    top = float(load.max()) if on.any() else 1.0
    width = lambda f: 0.8 + 4.0 * np.asarray(f) / top  # noqa: E731
    if on.any():
        roads.append(ax.add_collection(LineCollection(coords[on], colors="#2171b5", linewidths=width(load[on]),
                                                      zorder=1.6, label="road with charged e-truck flow")))
        roads += canvas.width_key(nice_values(load[on]), "e-trucks/day", width, color="#2171b5")
    grid = draw_substations(ax, inst.grid, 30)
    areas = _draw_search_areas(canvas, run.source)
    s = inst.site_xy
    ex = inst.is_existing
    new = sol.open & ~ex
    cand = ~sol.open
    size = lambda n: 60 + 25 * np.asarray(n)  # noqa: E731
    sites = [ax.scatter(s[cand, 0], s[cand, 1], marker="o", s=6, c="#969696", linewidths=0, zorder=3,
                        label="candidate site (not chosen)"),
             ax.scatter(s[ex, 0], s[ex, 1], marker="s", s=18, c="#525252", linewidths=0, zorder=3,
                        label="existing truck charger"),
             ax.scatter(s[new, 0], s[new, 1], marker="*", s=size(sol.chargers[new]), c="#238b45", edgecolors="black",
                        linewidths=0.5, zorder=5, label="new charging hub")]
    keys = canvas.size_key("*", integer_keys(sol.chargers[new]), ("charger", "chargers"), size,
                           markerfacecolor="#238b45", markeredgecolor="black")
    canvas.section("Plan", sites + keys + areas)
    canvas.section("Roads", roads)
    canvas.section("Grid", grid)
    canvas.avoid(s[new], size(sol.chargers[new]))
    canvas.avoid(s[ex], 18)
    if inst.grid is not None and inst.grid.xy is not None:
        canvas.avoid(inst.grid.xy, 30, soft=True)
    place = canvas.place_of(s[new])
    names = [p or inst.site_label(j) for p, j in zip(place, np.flatnonzero(new), strict=True)]
    canvas.label_sites(s[new], [f"{n} · {c}" for n, c in zip(names, sol.chargers[new], strict=True)],
                       sol.chargers[new], size(sol.chargers[new]), noun="new hubs")
    k = run.certificate.kpis if run.certificate else {}
    n_new = int(new.sum())
    what = f"{n_new} new truck charging hub{'s' * (n_new != 1)}"
    title = f"{inst.name} — option {option}: {what}" if option else f"{inst.name}: {what}"
    km = " km" if inst.params.range is None else ""  # a range from kwh_per_km is in km; a given one in road units
    subtitle = (f"{k.get('refuelled_pct', 0):.1f} % of e-truck flow can be charged on its round trip · range "
                f"{number(inst.vehicle_range)}{km} · status {run.status}")
    return canvas.finish(title, subtitle)


def _draw_search_areas(canvas, source) -> list:
    """The LoLa search areas as green outlines (their legend entry), [] without the layer."""
    from matplotlib.collections import PathCollection

    from siting.io.maps import map_paths, read_map_layers

    layer = read_map_layers(source, ("search_areas",)).get("search_areas")
    if layer is None or not (layer.geometry.geom_type.isin(["Polygon", "MultiPolygon"])).any():
        return []
    drawn = canvas.ax.add_collection(PathCollection(map_paths(layer.geometry), facecolor="#74c47614",
                                                    edgecolor="#238b45", linewidths=0.9, linestyles=(0, (3, 1.5)),
                                                    zorder=1.2, label="LoLa search area"))
    return [canvas.area_key(drawn)]


def write_corridor_results(run: CorridorRun, out: Path, overwrite: bool = False) -> dict:
    return write_run(run, out, overwrite, summary_dict(run), layers=result_layers, markdown=summary_markdown,
                     pictures={"map": ("map.png", draw_map)})
