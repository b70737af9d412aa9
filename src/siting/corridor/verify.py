"""The independent checker of the corridor model: walk every path, simulate every round trip.

No formulation, no arc-cover sets and none of the model's coefficient code are used here
(models/corridor.md, "Checker"): from the instance's plain arrays the checker

* walks every path on the road network itself: it starts at the flow's origin, ends at its
  destination, uses roads that exist (the shortest of parallel ones), visits no node twice, and
  is a shortest path (within the detour for alternatives), by its own Dijkstra; the positions
  along the path are its own running sums of the road lengths;
* drives every truck origin -> destination -> origin along its path, node by node, charging to
  full at every open station, and counts the flow as refuelled only if the charge never runs
  out ("Round-trip rules");
* recomputes the range R, the energies E_q, the charger limits, the land limits, the grid
  headroom (H+ and E_g) and load, the cost and budget, the p and search-area counts, the
  required share, the AFIR spacing, and, capacitated, that energy is charged only at open
  stations on the flow's own path and within the chargers' capacity.

It reads the instance's scenario flags `allowed` and `forced` (which sites a scenario closes or
fixes open: decisions, not coefficients) and the solution; nothing else.

`simulate_paths` is vectorised over station sets (rows of `open_node`), so the same function
checks one solution or enumerates every station set in a brute-force search.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.checks import Certificate
from siting.corridor.instance import CorridorInstance
from siting.precompute.paths import Paths

TOL = 1e-6
MAX_NAMED = 5


def _named(ids) -> str:
    ids = [str(i) for i in ids]
    return ", ".join(ids[:MAX_NAMED]) + (f" and {len(ids) - MAX_NAMED} more" if len(ids) > MAX_NAMED else "")


# -- the instance's numbers, recomputed from its plain fields -------------------------------------
def vehicle_range(inst: CorridorInstance) -> float:
    """R: `corridor.range`, else usable_share * battery_kwh / kwh_per_km."""
    p = inst.params
    return float(p.range) if p.range is not None else p.usable_share * p.battery_kwh / p.kwh_per_km


def charger_limits(inst: CorridorInstance) -> tuple[np.ndarray, np.ndarray]:
    """(least, most) chargers at each site when open. Existing: n0 .. max(nmax, n0), and exactly
    n0 uncapacitated. New: nmin .. nmax, and exactly nmin uncapacitated; a new site with
    nmax < nmin cannot open (least > most)."""
    p = inst.params
    n0 = inst.existing_chargers
    nmax = inst.max_chargers
    least = np.where(inst.is_existing, n0, p.min_chargers)
    most = np.where(inst.is_existing, np.maximum(nmax, n0), nmax) if p.capacitated else \
        np.where(inst.is_existing, n0, np.minimum(nmax, p.min_chargers))
    return least, most


def land_limit(inst: CorridorInstance) -> np.ndarray:
    """L_j; an existing site is never held to less than it already uses, a_c n0_j + a_0."""
    p = inst.params
    used = p.m2_per_charger * inst.existing_chargers + p.site_m2
    return np.where(inst.is_existing, np.maximum(inst.land_m2, used), inst.land_m2)


def grid_allowed_kw(inst: CorridorInstance, upgrades: np.ndarray) -> np.ndarray:
    """H+_g + E_g u_g: H+ = max(H, 0) (negative headroom is a queue), E = max(H + U, 0) - H+."""
    g = inst.grid
    base = np.maximum(g.available_kw, 0.0)
    extra = np.maximum(g.available_kw + g.upgrade_kw, 0.0) - base
    return base + extra * np.asarray(upgrades, float)


def grid_load_kw(inst: CorridorInstance, chargers: np.ndarray) -> np.ndarray:
    """New load per grid area: P s_P (n_j - n0_j) over the sites of the area."""
    p = inst.params
    load = p.kw_per_charger * p.simultaneity * (np.asarray(chargers, float) - inst.existing_chargers)
    inside = inst.grid_of_site >= 0
    return np.bincount(inst.grid_of_site[inside], weights=load[inside], minlength=inst.grid.size)


def cost_of(inst: CorridorInstance, open_sites: np.ndarray, chargers: np.ndarray, upgrades: np.ndarray) -> float:
    """sum_{j new} F_j x_j + sum_j c_j (n_j - n0_j) + sum_g C_g u_g."""
    new = ~inst.is_existing
    cost = float(inst.fixed_cost[new] @ np.asarray(open_sites, float)[new])
    cost += float(inst.cost_per_charger @ (np.asarray(chargers, float) - inst.existing_chargers))
    if inst.grid is not None and len(upgrades):
        cost += float(inst.grid.upgrade_cost @ np.asarray(upgrades, float))
    return cost


# -- the checker's own walk of the paths ----------------------------------------------------------
@dataclass(frozen=True)
class Walk:
    """Every path as the checker reads it on the road network: its nodes, the positions along it
    (running sums of the road lengths, left to right), and what is wrong with it."""

    nodes: list[np.ndarray]
    pos: list[np.ndarray]
    od: np.ndarray  # OD flow of each path
    length: np.ndarray  # L_q per flow: the walked length of its first (shortest) path; 0 without a path
    problems: list[str]


def road_lengths(inst: CorridorInstance) -> dict[tuple[int, int], float]:
    """The length of the road between two nodes (the shortest of parallel roads)."""
    net = inst.network
    best: dict[tuple[int, int], float] = {}
    for a, b, w in zip(net.u.tolist(), net.v.tolist(), net.length.tolist(), strict=True):
        key = (a, b) if a < b else (b, a)
        if key not in best or w < best[key]:
            best[key] = w
    return best


def shortest_lengths(inst: CorridorInstance, lengths: dict[tuple[int, int], float]) -> np.ndarray:
    """Shortest road distance of every OD flow (inf when its ends are not connected)."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    n = inst.network.n_nodes
    if not lengths:
        return np.where(inst.od_origin == inst.od_destination, 0.0, np.inf)
    (a, b), w = np.array(list(lengths.keys())).T, np.array(list(lengths.values()), float)
    graph = csr_array((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    out = np.full(inst.n_od, np.inf)
    sources, inverse = np.unique(inst.od_origin, return_inverse=True)
    block = max(1, (1 << 22) // max(n, 1))
    for start in range(0, len(sources), block):
        d = dijkstra(graph, directed=False, indices=sources[start:start + block])
        rows = np.flatnonzero((inverse >= start) & (inverse < start + block))
        out[rows] = d[inverse[rows] - start, inst.od_destination[rows]]
    return out


def walk_paths(inst: CorridorInstance, paths: Paths) -> Walk:
    """Walk every path on the network; positions are the checker's own running sums."""
    p = inst.params
    lengths = road_lengths(inst)
    shortest = shortest_lengths(inst, lengths)
    problems: list[str] = []
    broken, not_shortest, too_long = [], [], []
    nodes_of, pos_of = [], []
    od = np.asarray(paths.od, np.int64)
    first = np.full(inst.n_od, -1)
    count = np.zeros(inst.n_od, np.int64)
    for q in range(paths.n_paths):
        k = int(od[q])
        nodes = np.asarray(paths.nodes_of(q), np.int64)
        steps = [lengths.get((a, b) if a < b else (b, a)) for a, b in zip(nodes[:-1].tolist(), nodes[1:].tolist(), strict=True)]
        ok = (len(nodes) > 0 and nodes[0] == inst.od_origin[k] and nodes[-1] == inst.od_destination[k]
              and len(np.unique(nodes)) == len(nodes) and all(s is not None for s in steps))
        pos = np.concatenate([[0.0], np.cumsum(np.array([s if s is not None else np.inf for s in steps], float))])
        nodes_of.append(nodes)
        pos_of.append(pos)
        if not ok:
            broken.append(inst.od_ids[k])
            continue
        count[k] += 1
        slack = 1e-9 * (1.0 + shortest[k])
        if first[k] < 0:
            first[k] = q
            if pos[-1] > shortest[k] + slack:
                not_shortest.append(inst.od_ids[k])
        elif pos[-1] > (1.0 + p.detour) * shortest[k] + slack:
            too_long.append(inst.od_ids[k])
    if broken:
        problems.append(f"path does not run from the flow's origin to its destination over existing roads "
                        f"without repeating a node: {_named(broken)}")
    if not_shortest:
        problems.append(f"path is not a shortest path of its flow: {_named(not_shortest)}")
    if too_long:
        problems.append(f"alternative path longer than (1 + detour) x the shortest: {_named(too_long)}")
    if np.any(count > p.k_paths):
        problems.append(f"more than k_paths = {p.k_paths} paths for flow {_named(inst.od_ids[count > p.k_paths])}")
    missing = (first < 0) & np.isfinite(shortest) & (inst.od_origin != inst.od_destination)
    if missing.any():
        problems.append(f"no path for a flow whose ends the roads connect: {_named(inst.od_ids[missing])}")
    length = np.array([pos_of[q][-1] if q >= 0 else 0.0 for q in first.tolist()]) if inst.n_od else np.zeros(0)
    return Walk(nodes_of, pos_of, od, length, problems)


def round_trip_energy(inst: CorridorInstance, length: np.ndarray) -> np.ndarray:
    """E_q = f_q 2 L_q epsilon sigma: kWh per day that flow q charges en route."""
    p = inst.params
    return inst.flow * 2.0 * length * p.kwh_per_km * p.public_share


# -- the round trip -------------------------------------------------------------------------------
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
    half = 0.5 * r
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
    """bool (n_sets, n_paths): round trip of each path completes with the stations of each set
    (positions as stored in `paths`; `verify_corridor` uses its own walk instead)."""
    open_node = np.atleast_2d(np.asarray(open_node, bool))
    out = np.zeros((open_node.shape[0], paths.n_paths), dtype=bool)
    for q in range(paths.n_paths):
        out[:, q] = simulate_round_trip(paths.pos_of(q), open_node[:, paths.nodes_of(q)], r)
    return out


def simulate_walk(walk: Walk, open_node: np.ndarray, r: float) -> np.ndarray:
    """bool per path of the walk: its round trip completes with stations at `open_node`."""
    return np.array([bool(np.all(np.isfinite(pos))) and simulate_round_trip(pos, open_node[None, nodes], r)[0]
                     for nodes, pos in zip(walk.nodes, walk.pos, strict=True)], dtype=bool)


def _stations(inst: CorridorInstance, open_sites: np.ndarray) -> np.ndarray:
    open_node = np.zeros(inst.network.n_nodes, bool)
    open_node[inst.site_node[np.asarray(open_sites, bool)]] = True
    return open_node


def refuelled_ods(inst: CorridorInstance, paths: Paths, open_sites: np.ndarray, walk: Walk | None = None) -> np.ndarray:
    """bool per OD flow: some path of the flow completes its round trip with these open sites."""
    walk = walk_paths(inst, paths) if walk is None else walk
    per_path = simulate_walk(walk, _stations(inst, open_sites), vehicle_range(inst))
    out = np.zeros(inst.n_od, bool)
    np.logical_or.at(out, walk.od, per_path)
    return out


# -- the checker ----------------------------------------------------------------------------------
def check_sites(inst: CorridorInstance, is_open: np.ndarray, n: np.ndarray, v: list[str]) -> None:
    """Open stations, chargers (bounds, `chargers_min`, `chargers_max`), `site_count`, `area_sites`."""
    p = inst.params
    if np.any(~is_open[inst.forced]):
        v.append("an existing (or fixed-open) station is closed")
    if np.any(is_open & ~inst.allowed):
        v.append("a station is open where it is not allowed (outside the search areas or closed by the scenario)")
    if np.any(n < inst.existing_chargers):
        v.append("an existing station lost chargers")
    if np.any(n[~is_open] > 0):
        v.append("chargers at a closed site")
    least, most = charger_limits(inst)
    new_open = is_open & ~inst.is_existing
    if np.any(n[new_open] < least[new_open]):
        v.append("an open new station has fewer than min_chargers")
    over = is_open & (n > most)
    if np.any(over & (n > np.maximum(inst.max_chargers, inst.existing_chargers))):
        v.append(f"more chargers than max_chargers at {_named(inst.site_ids[over])}")
    elif over.any():
        v.append(f"uncapacitated: more chargers than min_chargers at a new station (or added at an existing one): "
                 f"{_named(inst.site_ids[over])}")
    if p.p is not None and new_open.sum() > p.p:
        v.append(f"{int(new_open.sum())} new stations > p = {p.p}")
    for a in range(len(inst.area_ids)):
        count = int(np.sum(new_open & (inst.area_of_site == a)))
        if count < inst.area_min[a] or count > inst.area_max[a]:
            v.append(f"search area {inst.area_ids[a]}: {count} new stations, allowed {inst.area_min[a]:g}..{inst.area_max[a]:g}")


def verify_corridor(inst: CorridorInstance, paths: Paths, sol) -> Certificate:
    """Recompute objective, flows, capacities, land, grid and budget from a solution alone."""
    p = inst.params
    v: list[str] = []
    is_open = np.asarray(sol.open, bool)
    n = np.asarray(sol.chargers)
    upgrades = np.asarray(sol.upgrades, bool)
    r = vehicle_range(inst)

    check_sites(inst, is_open, n, v)
    cost = cost_of(inst, is_open, n, upgrades)
    if p.budget is not None and cost > p.budget * (1 + TOL) + TOL:
        v.append(f"cost {cost:.2f} > budget {p.budget:.2f}")
    used = p.m2_per_charger * n + p.site_m2 * is_open
    limit = land_limit(inst)
    if np.any(used > limit + TOL):
        v.append(f"land exceeded at {_named(inst.site_ids[used > limit + TOL])}")
    grid_use = allowed = None
    if inst.grid is not None:
        if np.any(upgrades & ~(inst.grid.upgrade_kw > 0)):
            v.append("grid upgrade bought in an area that offers none")
        grid_use, allowed = grid_load_kw(inst, n), grid_allowed_kw(inst, upgrades)
        over = grid_use > allowed + TOL
        if over.any():
            v.append(f"grid headroom exceeded in {int(over.sum())} areas: {_named(inst.grid.ids[over])}")

    walk = walk_paths(inst, paths)
    v += walk.problems
    per_path = simulate_walk(walk, _stations(inst, is_open), r)
    refuellable = np.zeros(inst.n_od, bool)
    np.logical_or.at(refuellable, walk.od, per_path)
    f = inst.flow
    length = walk.length
    served = refuellable.astype(float)  # uncapacitated: a flow is refuelled exactly when its round trip completes
    if getattr(sol, "refuelled", None) is not None:
        y = np.asarray(sol.refuelled, float)
        if np.any(y > refuellable + TOL):
            v.append(f"flow counted as refuelled although its round trip fails: {_named(inst.od_ids[y > refuellable + TOL])}")
        path_y = getattr(sol, "path_refuelled", None)
        if path_y is not None:
            path_y = np.asarray(path_y, float)
            if np.any(path_y > per_path + TOL):
                v.append("a path counted as refuelled although its round trip fails")
            by_od = np.bincount(walk.od, weights=path_y, minlength=inst.n_od)
            if np.any(y > by_od + TOL):
                v.append(f"path_choice: flow refuelled although none of its paths is: {_named(inst.od_ids[y > by_od + TOL])}")
        if p.capacitated:  # the served share of a refuellable flow is limited by the chargers
            served = np.minimum(y, refuellable)
    energy = round_trip_energy(inst, length)
    load_kwh = None
    if p.capacitated:
        load_kwh = check_assignment(inst, walk, sol, is_open, n, served, energy, v)
    total = float(f.sum())
    refuelled_flow = float(f @ served)
    if p.objective == "cost" and p.required_share is not None and refuelled_flow < p.required_share * total - 1e-6 * (1 + total):
        v.append(f"refuelled flow {refuelled_flow:.4g} below the required share {p.required_share:g} of {total:.4g}")
    refuelled_km = float((f * length) @ served)
    if p.objective == "cost" and p.required_truck_km is not None and \
            refuelled_km < p.required_truck_km - 1e-6 * (1 + p.required_truck_km):
        v.append(f"refuelled truck-km {refuelled_km:.6g} below the required {p.required_truck_km:.6g}")
    objective = {"flow": refuelled_flow, "truck_km": float((f * length) @ served), "cost": cost}[p.objective]
    new_open = is_open & ~inst.is_existing
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
        "range": float(r),
    }
    if load_kwh is not None:
        kpis["capacity_use_pct"] = float(100.0 * load_kwh.sum() / max(1e-9, p.kwh_per_charger_day * n[is_open].sum()))
    if grid_use is not None:
        # an area with no headroom is closed to new load, not "used up" by the plan: counted apart
        kpis["grid_areas_full"] = int(np.sum((allowed > TOL) & (grid_use >= allowed - TOL)))
        kpis["grid_areas_without_headroom"] = int(np.sum(allowed <= TOL))
    if p.afir_spacing:
        far = afir_far_nodes(inst, is_open, n)
        if far:
            v.append(f"AFIR: {len(far)} TEN-T road nodes farther than half the spacing from an open pool, e.g. {far[0]}")
    core = [g for g in afir_gaps(inst, is_open, n) if g["tent"] == "core"]
    if core:
        worst = max(core, key=lambda g: (g["without_pool_km"], g["longest_gap_km"]))
        kpis["afir_core_longest_gap_km"] = max(worst["longest_gap_km"], worst["without_pool_km"])
        kpis["afir_core_road"] = worst["road"]
    return Certificate(objective=objective, kpis=kpis, violations=v, details={"refuelled": refuellable})


def check_assignment(inst: CorridorInstance, walk: Walk, sol, is_open: np.ndarray, n: np.ndarray,
                     served: np.ndarray, energy: np.ndarray, v: list[str]) -> np.ndarray:
    """Capacitated: `assign`, `assign_open`, stations on the flow's own path, `capacity`.
    Returns the energy charged per site and day."""
    p = inst.params
    z = np.asarray(sol.assignment, float)
    pairs = np.asarray(sol.assignment_pairs, np.int64).reshape(-1, 2)  # (od, site) per z entry
    if np.any(z < -TOL) or np.any(z > 1 + TOL):
        v.append("assigned energy share outside [0, 1]")
    used = z > TOL
    if np.any(~is_open[pairs[used, 1]]):
        v.append("energy assigned to a closed station")
    on_path: dict[int, set[int]] = {}
    for q, nodes in enumerate(walk.nodes):
        on_path.setdefault(int(walk.od[q]), set()).update(nodes.tolist())
    off = [k for k in np.flatnonzero(used)
           if int(inst.site_node[pairs[k, 1]]) not in on_path.get(int(pairs[k, 0]), set())]
    if off:
        v.append(f"energy charged at a station off the flow's path: "
                 f"{_named(f'{inst.od_ids[pairs[k, 0]]} at {inst.site_ids[pairs[k, 1]]}' for k in off)}")
    per_od = np.bincount(pairs[:, 0], weights=z, minlength=inst.n_od)
    if np.any(np.abs(per_od - served) > 1e-5):
        v.append("assigned energy share differs from the refuelled share of a flow")
    load_kwh = np.bincount(pairs[:, 1], weights=energy[pairs[:, 0]] * z, minlength=inst.n_sites)
    if np.any(load_kwh > p.kwh_per_charger_day * n + TOL * (1 + load_kwh)):
        v.append("energy per day exceeds the chargers' capacity at a station")
    return load_kwh


AFIR_LIMIT = {"core": 60.0, "comprehensive": 100.0}  # km between HDV pools, 2030 [sourced, secondary]
AFIR_NEAR = 3000.0  # a pool counts when within 3 km of the road (snap distance, CRS units) [sourced, secondary]
AFIR_POWER = {"core": (3600.0, 2), "comprehensive": (1500.0, 1)}  # kW per pool; points of >= 350 kW [sourced, secondary]


def afir_classes(inst: CorridorInstance) -> np.ndarray:
    """The TEN-T class of each edge the AFIR assessment covers: the region's own edges (`in_region`)
    unless corridor.afir_outside_region; "" elsewhere."""
    net = inst.network
    tent = np.asarray(net.tent, dtype=object)
    if net.in_region is None or inst.params.afir_outside_region:
        return tent
    return np.where(np.asarray(net.in_region, bool), tent, "").astype(object)


def afir_pools(inst: CorridorInstance, open_sites: np.ndarray, chargers: np.ndarray | None, cls: str) -> np.ndarray:
    """Sites that count as AFIR pools of class `cls`: open, within 3 km of the road and, with
    afir_pool_power and the plan's chargers, at least the class's kW in points of >= 350 kW."""
    near = inst.site_snap <= AFIR_NEAR if inst.site_snap is not None else np.ones(inst.n_sites, bool)
    ok = np.asarray(open_sites, bool) & near
    p = inst.params
    if p.afir_pool_power and chargers is not None:
        total, points = AFIR_POWER[cls]
        n = np.asarray(chargers, float)
        ok &= (p.kw_per_charger >= 350.0) & (n >= points) & (p.kw_per_charger * n >= total - 1e-6)
    return ok


def road_graph(inst: CorridorInstance, keep: np.ndarray):
    """Symmetric CSR graph of the roads flagged in `keep` (parallel roads: the shortest) and the
    nodes they touch."""
    from scipy.sparse import csr_array

    net = inst.network
    e = np.flatnonzero(keep)
    a, b = np.minimum(net.u[e], net.v[e]), np.maximum(net.u[e], net.v[e])
    order = np.lexsort((net.length[e], b, a))
    a, b, w = a[order], b[order], net.length[e][order]
    first = np.ones(len(a), bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, w = a[first], b[first], w[first]
    g = csr_array((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(net.n_nodes, net.n_nodes))
    on = np.zeros(net.n_nodes, bool)
    on[a] = on[b] = True
    return g, on


def afir_gaps(inst: CorridorInstance, open_sites: np.ndarray, chargers: np.ndarray | None = None) -> list[dict]:
    """Longest stretch without an open station, per road and TEN-T class (`tent` of the roads).

    On the sub-network of one road and class, every node's road distance to the nearest pool
    (open site at a node of that road, snapped within 3 km) is computed; an edge (a, b) whose
    nearest pools lie on opposite sides (|d_a - d_b| < length) lies inside a gap of
    d_a + d_b + length. Stretches from a road's end to its first pool are open-ended (the
    corridor continues outside the region) and reported apart; a road part with no pool at all
    reports its whole length. With afir_pool_power and `chargers`, only pools with the class's
    power count.
    """
    from scipy.sparse.csgraph import connected_components, dijkstra

    net = inst.network
    if net.tent is None or net.road is None:
        return []
    tent = afir_classes(inst)
    out = []
    for cls, limit in AFIR_LIMIT.items():
        pool_nodes = np.unique(inst.site_node[afir_pools(inst, open_sites, chargers, cls)])
        for road in sorted(set(net.road[tent == cls].tolist())):
            e = np.flatnonzero((tent == cls) & (net.road == road))
            g, on_road = road_graph(inst, (tent == cls) & (net.road == road))
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


def afir_far_nodes(inst: CorridorInstance, open_sites: np.ndarray, chargers: np.ndarray | None = None) -> list[str]:
    """TEN-T road nodes whose road distance to the nearest open pool (with the class's power under
    afir_pool_power) exceeds S/2 (the AFIR constraint of models/corridor.md), leaving out nodes no
    allowed site can serve at all."""
    from scipy.sparse.csgraph import dijkstra

    net = inst.network
    if net.tent is None or net.road is None:
        return []
    tent = afir_classes(inst)
    near = inst.site_snap <= AFIR_NEAR if inst.site_snap is not None else np.ones(inst.n_sites, bool)
    most = charger_limits(inst)[1]  # a site that cannot reach a pool's power cannot serve a node
    far = []
    for cls, limit in AFIR_LIMIT.items():
        for road in sorted(set(net.road[tent == cls].tolist())):
            g, on = road_graph(inst, (tent == cls) & (net.road == road))
            pools = np.unique(inst.site_node[afir_pools(inst, open_sites, chargers, cls) & on[inst.site_node]])
            possible = np.unique(inst.site_node[afir_pools(inst, inst.allowed & near, most, cls) & on[inst.site_node]])
            d = dijkstra(g, directed=False, indices=pools, min_only=True) if len(pools) else np.full(net.n_nodes, np.inf)
            reach = (dijkstra(g, directed=False, indices=possible, min_only=True) if len(possible)
                     else np.full(net.n_nodes, np.inf))
            bad = np.flatnonzero(on & (d > 0.5 * limit) & (reach <= 0.5 * limit))
            far += [f"{road}: {net.label(t)} ({d[t]:.1f} km)" for t in bad]
    return far
