"""The independent checker of the corridor model: simulate every truck's round trip.

No formulation and no arc-cover sets are used here: a truck drives origin -> destination ->
origin along its path, node by node, charging to full at every open station, and the flow
counts as refuelled only if the charge never runs out (models/corridor.md, "Round-trip rules").
From the stations alone this recomputes the refuelled flow and truck-km; from the chargers and
assignment it recomputes capacities, land, grid use, budget and search-area counts.

`simulate_paths` is vectorised over station sets (rows of `open_node`), so the same function
checks one solution or enumerates every station set in a brute-force search.
"""

from __future__ import annotations

import numpy as np

from siting.checks import Certificate
from siting.corridor.instance import CorridorInstance, od_length, round_trip_energy
from siting.precompute.paths import Paths, half_range

TOL = 1e-6


def simulate_round_trip(pos: np.ndarray, station: np.ndarray, r: float) -> np.ndarray:
    """Can a truck complete the round trip? `pos`: positions of the path's nodes from the origin;
    `station`: bool (n_sets, n_nodes_on_path), an open station at that node. Returns bool (n_sets,).

    Rules: leave the origin with R (station there) or R/2; charge to full at every station
    passed; arrive at the destination, then leave it with R (station there) or R/2; drive back
    the same way; an arc can be driven when the charge left after it is >= 0 (charge at the last
    stop minus the distance driven since, so a distance equal to the range is drivable); at
    least one station must be on the path.
    """
    station = np.atleast_2d(np.asarray(station, bool))
    n_sets, n = station.shape
    half = half_range(r)
    ok = station.any(axis=1)
    # outbound: charge at the last stop and where that stop was
    charge = np.where(station[:, 0], r, half)
    stop = np.full(n_sets, pos[0])
    for i in range(1, n):
        left = charge - (pos[i] - stop)
        ok &= left >= 0
        here = station[:, i]
        charge = np.where(here, r, charge)
        stop = np.where(here, pos[i], stop)
    # the way back starts at the destination
    charge = np.where(station[:, n - 1], r, half)
    stop = np.full(n_sets, pos[n - 1])
    for i in range(n - 2, -1, -1):
        left = charge - (stop - pos[i])
        ok &= left >= 0
        here = station[:, i]
        charge = np.where(here, r, charge)
        stop = np.where(here, pos[i], stop)
    return ok


def simulate_paths(paths: Paths, open_node: np.ndarray, r: float) -> np.ndarray:
    """bool (n_sets, n_paths): round trip of each path completes with the stations of each set."""
    open_node = np.atleast_2d(np.asarray(open_node, bool))
    out = np.zeros((open_node.shape[0], paths.n_paths), dtype=bool)
    for q in range(paths.n_paths):
        out[:, q] = simulate_round_trip(paths.pos_of(q), open_node[:, paths.nodes_of(q)], r)
    return out


def refuelled_ods(inst: CorridorInstance, paths: Paths, open_sites: np.ndarray) -> np.ndarray:
    """bool per OD flow: some path of the flow completes its round trip with these open sites."""
    open_node = np.zeros(inst.network.n_nodes, bool)
    open_node[inst.site_node[np.asarray(open_sites, bool)]] = True
    per_path = simulate_paths(paths, open_node[None, :], inst.vehicle_range)[0]
    out = np.zeros(inst.n_od, bool)
    np.logical_or.at(out, paths.od, per_path)
    return out


def cost_of(inst: CorridorInstance, open_sites: np.ndarray, chargers: np.ndarray, upgrades: np.ndarray) -> float:
    new = ~inst.is_existing
    cost = float(inst.fixed_cost[new] @ open_sites[new])
    cost += float(inst.cost_per_charger @ (chargers - inst.existing_chargers))
    if inst.grid is not None and len(upgrades):
        cost += float(inst.grid.upgrade_cost @ upgrades)
    return cost


def verify_corridor(inst: CorridorInstance, paths: Paths, sol) -> Certificate:
    """Recompute objective, flows, capacities, land, grid and budget from a solution alone."""
    p = inst.params
    v: list[str] = []
    is_open = np.asarray(sol.open, bool)
    n = np.asarray(sol.chargers)
    upgrades = np.asarray(sol.upgrades, bool)

    if np.any(~is_open[inst.forced]):
        v.append("an existing (or fixed-open) station is closed")
    if np.any(is_open & ~inst.allowed):
        v.append("a station is open where it is not allowed (outside the search areas or closed by the scenario)")
    if np.any(n < inst.existing_chargers):
        v.append("an existing station lost chargers")
    if np.any(n[~is_open] > 0):
        v.append("chargers at a closed site")
    new_open = is_open & ~inst.is_existing
    if p.min_chargers and np.any(n[new_open] < p.min_chargers):
        v.append("an open new station has fewer than min_chargers")
    if np.any(n > np.maximum(inst.max_chargers, inst.existing_chargers)):
        v.append("more chargers than max_chargers")
    if p.p is not None and new_open.sum() > p.p:
        v.append(f"{int(new_open.sum())} new stations > p = {p.p}")
    cost = cost_of(inst, is_open, n, upgrades)
    if p.budget is not None and cost > p.budget * (1 + TOL) + TOL:
        v.append(f"cost {cost:.2f} > budget {p.budget:.2f}")
    for a in range(len(inst.area_ids)):
        count = int(np.sum(new_open & (inst.area_of_site == a)))
        if count < inst.area_min[a] or count > inst.area_max[a]:
            v.append(f"search area {inst.area_ids[a]}: {count} new stations, allowed {inst.area_min[a]:g}..{inst.area_max[a]:g}")
    res = inst.resources
    used = p.m2_per_charger * n + p.site_m2 * is_open
    if np.any(used > res.land_limit() + TOL):
        v.append(f"land exceeded at {int(np.sum(used > res.land_limit() + TOL))} sites")
    grid_use = None
    if inst.grid is not None:
        grid_use = res.new_load_kw(n)
        over = grid_use > inst.grid.allowed_kw(upgrades) + TOL
        if over.any():
            v.append(f"grid headroom exceeded in {int(over.sum())} areas: {', '.join(map(str, inst.grid.ids[over][:5]))}")

    refuellable = refuelled_ods(inst, paths, is_open)
    f = inst.flow
    length = np.nan_to_num(od_length(inst, paths))
    served = refuellable.astype(float)  # uncapacitated: a flow is refuelled exactly when its round trip completes
    if getattr(sol, "refuelled", None) is not None:
        y = np.asarray(sol.refuelled, float)
        if np.any(y > refuellable + TOL):
            bad = inst.od_ids[y > refuellable + TOL][:5]
            v.append(f"flow counted as refuelled although its round trip fails: {', '.join(map(str, bad))}")
        if p.capacitated:  # the served share of a refuellable flow is limited by the chargers
            served = np.minimum(y, refuellable)
    energy = round_trip_energy(inst, paths)
    load_kwh = None
    if p.capacitated:
        z = sol.assignment
        pairs = sol.assignment_pairs  # (od, site) per z entry
        if np.any(z[~is_open[pairs[:, 1]]] > TOL):
            v.append("energy assigned to a closed station")
        per_od = np.bincount(pairs[:, 0], weights=z, minlength=inst.n_od)
        if np.any(np.abs(per_od - served) > 1e-5):
            v.append("assigned energy share differs from the refuelled share of a flow")
        load_kwh = np.bincount(pairs[:, 1], weights=energy[pairs[:, 0]] * z, minlength=inst.n_sites)
        if np.any(load_kwh > p.kwh_per_charger_day * n + TOL * (1 + load_kwh)):
            v.append("energy per day exceeds the chargers' capacity at a station")
    total = float(f.sum())
    refuelled_flow = float(f @ served)
    if p.objective == "cost" and p.required_share is not None and refuelled_flow < p.required_share * total - 1e-6 * (1 + total):
        v.append(f"refuelled flow {refuelled_flow:.4g} below the required share {p.required_share:g} of {total:.4g}")
    objective = {"flow": refuelled_flow, "truck_km": float((f * length) @ served), "cost": cost}[p.objective]
    kpis = {
        "od_flows": int(inst.n_od),
        "flow_total": total,
        "refuelled_flow": refuelled_flow,
        "refuelled_pct": 100.0 * refuelled_flow / total if total > 0 else 0.0,
        "refuellable_flow": float(f @ refuellable),
        "truck_km_total": float(f @ length),
        "refuelled_truck_km": float((f * length) @ served),
        "energy_kwh_day": float(energy @ served),
        "stations_open": int(is_open.sum()),
        "new_stations": int(new_open.sum()),
        "existing_stations": int(inst.is_existing.sum()),
        "chargers": int(n.sum()),
        "new_chargers": int((n - inst.existing_chargers).sum()),
        "new_kw": float(p.kw_per_charger * (n - inst.existing_chargers).sum()),
        "cost": cost,
        "grid_upgrades": int(upgrades.sum()),
        "range": float(inst.vehicle_range),
    }
    if load_kwh is not None:
        kpis["capacity_use_pct"] = float(100.0 * load_kwh.sum() / max(1e-9, p.kwh_per_charger_day * n[is_open].sum()))
    if grid_use is not None:
        kpis["grid_areas_full"] = int(np.sum(grid_use >= inst.grid.allowed_kw(upgrades) - TOL))
    if p.afir_spacing:
        far = afir_far_nodes(inst, is_open)
        if far:
            v.append(f"AFIR: {len(far)} TEN-T road nodes farther than half the spacing from an open pool, e.g. {far[0]}")
    core = [g for g in afir_gaps(inst, is_open) if g["tent"] == "core"]
    if core:
        worst = max(core, key=lambda g: (g["without_pool_km"], g["longest_gap_km"]))
        kpis["afir_core_longest_gap_km"] = max(worst["longest_gap_km"], worst["without_pool_km"])
        kpis["afir_core_road"] = worst["road"]
    return Certificate(objective=objective, kpis=kpis, violations=v, details={"refuelled": refuellable})


AFIR_LIMIT = {"core": 60.0, "comprehensive": 100.0}  # km between HDV pools, 2030 [sourced, secondary]
AFIR_NEAR = 3000.0  # a pool counts when within 3 km of the road (snap distance, CRS units) [sourced, secondary]


def afir_gaps(inst: CorridorInstance, open_sites: np.ndarray) -> list[dict]:
    """Longest stretch without an open station, per road and TEN-T class (`tent` of the roads).

    On the sub-network of one road and class, every node's road distance to the nearest pool
    (open site at a node of that road, snapped within 3 km) is computed; an edge (a, b) whose
    nearest pools lie on opposite sides (|d_a - d_b| < length) lies inside a gap of
    d_a + d_b + length. Stretches from a road's end to its first pool are open-ended (the
    corridor continues outside the region) and reported apart; a road part with no pool at all
    reports its whole length.
    """
    from scipy.sparse import coo_array
    from scipy.sparse.csgraph import connected_components, dijkstra

    net = inst.network
    if net.tent is None or net.road is None:
        return []
    is_open = np.asarray(open_sites, bool)
    near = inst.site_snap <= AFIR_NEAR if inst.site_snap is not None else np.ones(inst.n_sites, bool)
    pool_nodes = np.unique(inst.site_node[is_open & near])
    out = []
    for cls, limit in AFIR_LIMIT.items():
        for road in sorted(set(net.road[net.tent == cls].tolist())):
            e = np.flatnonzero((net.tent == cls) & (net.road == road))
            g = coo_array((net.length[e], (net.u[e], net.v[e])), shape=(net.n_nodes, net.n_nodes)).tocsr()
            on_road = np.zeros(net.n_nodes, bool)
            on_road[net.u[e]] = on_road[net.v[e]] = True
            pools = pool_nodes[on_road[pool_nodes]]
            d = (dijkstra(g, directed=False, indices=pools, min_only=True) if len(pools)
                 else np.full(net.n_nodes, np.inf))
            da, db, ln = d[net.u[e]], d[net.v[e]], net.length[e]
            with np.errstate(invalid="ignore"):
                inner = np.isfinite(da) & np.isfinite(db) & (np.abs(da - db) < ln)
            gap, where = 0.0, ""
            if inner.any():
                k = int(np.argmax(np.where(inner, da + db + ln, -1)))
                gap, where = float(da[k] + db[k] + ln[k]), f"around {net.label(net.u[e][k])} - {net.label(net.v[e][k])}"
            _, comp = connected_components(g, directed=False)
            no_pool = [float(ln[comp[net.u[e]] == c].sum()) for c in np.unique(comp[net.u[e]])
                       if not np.isfinite(d[net.u[e]][comp[net.u[e]] == c]).any()]
            degree = np.bincount(np.r_[net.u[e], net.v[e]], minlength=net.n_nodes)
            ends = np.flatnonzero(on_road & (degree == 1) & np.isfinite(d))
            out.append({"road": road, "tent": cls, "limit_km": limit, "length_km": float(ln.sum()),
                        "pools": int(len(pools)), "longest_gap_km": gap, "where": where,
                        "end_stretch_km": float(d[ends].max()) if len(ends) else 0.0,
                        "without_pool_km": float(max(no_pool)) if no_pool else 0.0,
                        "compliant": bool(gap <= limit and not no_pool)})
    return out


def afir_far_nodes(inst: CorridorInstance, open_sites: np.ndarray) -> list[str]:
    """TEN-T road nodes whose road distance to the nearest open pool exceeds S/2 (the AFIR
    constraint of models/corridor.md), leaving out nodes no allowed site can serve at all."""
    from scipy.sparse.csgraph import dijkstra

    from siting.precompute.paths import AFIR_LIMIT_KM, road_subgraph

    net = inst.network
    if net.tent is None or net.road is None:
        return []
    near = inst.site_snap <= AFIR_NEAR if inst.site_snap is not None else np.ones(inst.n_sites, bool)
    far = []
    for cls, limit in AFIR_LIMIT_KM.items():
        for road in sorted(set(net.road[net.tent == cls].tolist())):
            g, on = road_subgraph(net.n_nodes, net.u, net.v, net.length, (net.tent == cls) & (net.road == road))
            pools = np.unique(inst.site_node[np.asarray(open_sites, bool) & near & on[inst.site_node]])
            possible = np.unique(inst.site_node[inst.allowed & near & on[inst.site_node]])
            d = dijkstra(g, directed=False, indices=pools, min_only=True) if len(pools) else np.full(net.n_nodes, np.inf)
            reach = (dijkstra(g, directed=False, indices=possible, min_only=True) if len(possible)
                     else np.full(net.n_nodes, np.inf))
            bad = np.flatnonzero(on & (d > 0.5 * limit) & (reach <= 0.5 * limit))
            far += [f"{road}: {net.label(t)} ({d[t]:.1f} km)" for t in bad]
    return far
