"""An independent checker: recompute objective, coverage, capacities, land and grid use from a
solution alone (numpy/scipy only, no pyomo, no formulation), like networkx's `is_dominating_set`.

It imports nothing from the model or its coefficient code: distances come from the instance's
own source (the explicit table, its own Dijkstra on the graph, or its own d = sqrt(dx*dx + dy*dy)
on the coordinates), and coverage is "d <= R" on those distances; the charger limits, the land
limit of existing sites, the grid headroom H+ and E_g, the new load and the cost are recomputed
here. The pairs are only the index of the assignment z; an assigned pair is checked against the
instance's distance and radius, and the pairs' rows against the instance's coverage.

Every solve test asserts that this agrees with the solver.
"""

from __future__ import annotations

import numpy as np

from siting.checks import Certificate
from siting.fast.instance import FastInstance
from siting.fast.solution import FastSolution
from siting.precompute import Pairs

TOL = 1e-6
DIST_TOL = 1e-9  # relative: graph sums in another order may differ by an ulp


def _rows(pairs: Pairs) -> np.ndarray:
    return np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))


# -- the instance's numbers, recomputed from its plain fields -------------------------------------
def land_limit(inst: FastInstance) -> np.ndarray:
    """L_j; an existing site is never held to less than it already uses, a_c n0_j + a_0."""
    p = inst.params
    used = p.m2_per_charger * inst.existing_chargers + p.site_m2
    return np.where(inst.is_existing, np.maximum(inst.land_m2, used), inst.land_m2)


def cost_of(inst: FastInstance, sol: FastSolution) -> float:
    new = ~inst.is_existing
    cost = float(inst.fixed_cost[new] @ sol.open[new])
    cost += float(inst.cost_per_charger @ (sol.chargers - inst.existing_chargers))
    if inst.grid is not None:
        cost += float(inst.grid.upgrade_cost @ sol.upgrades)
    return cost


def grid_load_kw(inst: FastInstance, sol: FastSolution) -> np.ndarray:
    """New charger load per grid area, kW: P s (n_j - n0_j) over the sites of the area."""
    p = inst.params
    load = p.kw_per_charger * p.simultaneity * (np.asarray(sol.chargers, float) - inst.existing_chargers)
    inside = inst.grid_of_site >= 0
    return np.bincount(inst.grid_of_site[inside], weights=load[inside], minlength=inst.grid.size)


def grid_allowed_kw(inst: FastInstance, sol: FastSolution) -> np.ndarray:
    """H+_g + E_g u_g: H+ = max(H, 0) (negative headroom is a queue), E = max(H + U, 0) - H+."""
    g = inst.grid
    base = np.maximum(g.available_kw, 0.0)
    return base + (np.maximum(g.available_kw + g.upgrade_kw, 0.0) - base) * np.asarray(sol.upgrades, float)


# -- distances from the instance's own source -----------------------------------------------------
def _graph_from(inst: FastInstance, sites: np.ndarray, limit: float | None, nearest: bool = False) -> np.ndarray:
    """[len(sites), n_nodes] road distances from the sites' nodes (zero-length roads included);
    `nearest`: [n_nodes], the distance to the nearest of them."""
    from scipy.sparse import csr_array
    from scipy.sparse.csgraph import dijkstra

    g = inst.graph
    a, b = np.minimum(g.u, g.v), np.maximum(g.u, g.v)
    order = np.lexsort((g.length, b, a))
    a, b, w = a[order], b[order], np.asarray(g.length, float)[order]
    first = np.ones(len(a), bool)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    a, b, w = a[first], b[first], w[first]
    graph = csr_array((np.r_[w, w], (np.r_[a, b], np.r_[b, a])), shape=(g.n_nodes, g.n_nodes))
    nodes = g.site_node[sites]
    limit = np.inf if limit is None else limit * (1 + 1e-6)
    return dijkstra(graph, directed=False, indices=np.unique(nodes) if nearest else nodes, limit=limit, min_only=nearest)


def nearest_distance(inst: FastInstance, sites: np.ndarray) -> np.ndarray:
    """Per demand point: the distance to the nearest of `sites` (inf: none reachable); for an
    explicit coverage table 0 where a pair exists."""
    sites = np.asarray(sites, np.int64)
    R = inst.params.radius
    out = np.full(inst.n_demand, np.inf)
    if not len(sites):
        return out
    if inst.given_pairs is not None:
        gp = inst.given_pairs
        keep = np.isin(gp.indices, sites)
        d = np.zeros(gp.nnz) if inst.given_pairs_are_coverage else gp.distance
        np.minimum.at(out, _rows(gp)[keep], d[keep])
        return out
    if inst.graph is not None:
        return _graph_from(inst, sites, R, nearest=True)[inst.graph.demand_node]
    from scipy.spatial import cKDTree

    demand, site = np.asarray(inst.demand_xy, float), np.asarray(inst.site_xy, float)[sites]
    bound = np.inf if R is None else R * (1 + 1e-9) + 1e-12
    _, k = cKDTree(site).query(demand, k=1, distance_upper_bound=bound)
    found = k < len(sites)
    dx, dy = site[k[found], 0] - demand[found, 0], site[k[found], 1] - demand[found, 1]
    out[found] = np.sqrt(dx * dx + dy * dy)  # the exact distance, as the boundary convention reads it
    if R is not None:  # a neighbour within rounding of R: check every site near it exactly
        for i in np.flatnonzero(found & (out > R)):
            near = np.asarray(cKDTree(site).query_ball_point(demand[i], bound), np.int64)
            dx, dy = site[near, 0] - demand[i, 0], site[near, 1] - demand[i, 1]
            out[i] = min(out[i], float(np.sqrt(dx * dx + dy * dy).min(initial=np.inf)))
    return out


def pair_distance(inst: FastInstance, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """d_ij of the pairs (rows[k], cols[k]) from the instance's own source (inf: no such pair)."""
    rows, cols = np.asarray(rows, np.int64), np.asarray(cols, np.int64)
    if inst.given_pairs is not None:
        gp = inst.given_pairs
        keys = _rows(gp) * inst.n_sites + gp.indices
        want = rows * inst.n_sites + cols
        at = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
        hit = (keys[at] == want) if len(keys) else np.zeros(len(want), bool)
        return np.where(hit, 0.0 if inst.given_pairs_are_coverage else gp.distance[at], np.inf)
    if inst.graph is not None:
        sites, where = np.unique(cols, return_inverse=True)
        d = _graph_from(inst, sites, None) if len(sites) else np.zeros((0, inst.graph.n_nodes))
        return d[where, inst.graph.demand_node[rows]] if len(rows) else np.zeros(0)
    dx = inst.site_xy[cols, 0] - inst.demand_xy[rows, 0]
    dy = inst.site_xy[cols, 1] - inst.demand_xy[rows, 1]
    return np.sqrt(dx * dx + dy * dy)


def within(inst: FastInstance, d: np.ndarray) -> np.ndarray:
    """j covers i: d_ij <= R (every pair of a coverage table; every finite d without R)."""
    R = inst.params.radius
    if R is None or inst.given_pairs_are_coverage:
        return np.isfinite(d)
    slack = DIST_TOL * (1.0 + R) if inst.graph is not None else 0.0
    return d <= R + slack


def verify_fast(inst: FastInstance, pairs: Pairs, sol: FastSolution) -> Certificate:
    p = inst.params
    v: list[str] = []
    rows = _rows(pairs)
    is_open = sol.open.astype(bool)
    n = sol.chargers

    # sites and chargers
    if np.any(~is_open[inst.is_existing]):
        v.append("an existing site is closed")
    if np.any(n < inst.existing_chargers):
        v.append("an existing site lost chargers")
    if np.any(n[~is_open] > 0):
        v.append("chargers at a closed site")
    if np.any(n > np.maximum(inst.max_chargers, inst.existing_chargers)):
        v.append("more chargers than max_chargers")
    new_open = is_open & ~inst.is_existing
    if p.min_chargers and np.any(n[new_open] < p.min_chargers):
        v.append("an open new site has fewer than min_chargers")
    if p.p is not None and p.objective != "lscp" and new_open.sum() > p.p:
        v.append(f"{new_open.sum()} new sites > p = {p.p}")
    cost = cost_of(inst, sol)
    if p.budget is not None and cost > p.budget * (1 + TOL) + TOL:
        v.append(f"cost {cost:.2f} > budget {p.budget:.2f}")
    used = p.m2_per_charger * n + p.site_m2 * is_open
    limit = land_limit(inst)
    if np.any(used > limit + TOL):
        v.append(f"land exceeded at {int(np.sum(used > limit + TOL))} sites")
    grid_use = None
    if inst.grid is not None:
        if np.any(np.asarray(sol.upgrades, bool) & ~(inst.grid.upgrade_kw > 0)):
            v.append("grid upgrade bought in an area that offers none")
    if inst.grid is not None and p.kw_per_charger * p.simultaneity > 0:
        grid_use = grid_load_kw(inst, sol)
        over = grid_use > grid_allowed_kw(inst, sol) + TOL
        if over.any():
            v.append(f"grid headroom exceeded in {int(over.sum())} areas: {', '.join(map(str, inst.grid.ids[over][:5]))}")

    # demand side: coverage from the instance's distances, not from the pairs
    reachable = within(inst, nearest_distance(inst, np.arange(inst.n_sites)))
    near_open = within(inst, nearest_distance(inst, np.flatnonzero(is_open)))
    wrong = reachable != (np.diff(pairs.indptr) > 0)
    if wrong.any():
        v.append(f"the coverage pairs N_i disagree with the instance's distances for {int(wrong.sum())} demand points, "
                 f"e.g. {inst.demand_ids[np.flatnonzero(wrong)[0]]}")
    w = inst.weight
    served = None
    distance = None
    if sol.covered is not None and np.any(np.asarray(sol.covered, float) > near_open + TOL):
        v.append("cover_link: demand counted as covered without an open site within R")
    if sol.assignment is not None:
        z = np.asarray(sol.assignment, float)
        if np.any(z < -TOL):
            v.append("a negative assignment")
        if np.any(z[~is_open[pairs.indices]] > TOL):
            v.append("demand assigned to a closed site")
        k = np.flatnonzero(np.abs(z) > TOL)
        distance = np.zeros(pairs.nnz)
        distance[k] = pair_distance(inst, rows[k], pairs.indices[k])
        if np.any(~within(inst, distance[k])):
            v.append("demand assigned to a site beyond the radius R (or with no path to it)")
        off = np.abs(distance[k] - pairs.distance[k]) > DIST_TOL * (1.0 + np.abs(distance[k]))
        if np.any(off & np.isfinite(distance[k])):
            v.append("an assigned pair's distance differs from the instance's distance")
        served = np.bincount(rows, weights=z, minlength=pairs.n_demand)
        if np.any(served > 1 + TOL):
            v.append("a demand point is assigned more than once")
        must = (p.objective == "pmedian" and p.decay_beta == 0) or (p.objective == "capacitated" and p.serve_all)
        if must and np.any(served[reachable] < 1 - TOL):
            v.append("a reachable demand point is not (fully) assigned")
        if p.objective == "capacitated":
            load = np.bincount(pairs.indices, weights=w[rows] * z, minlength=inst.n_sites)
            if np.any(load > p.sessions_per_charger * n + TOL * (1 + load)):
                v.append("sessions exceed charger capacity at a site")

    if p.objective == "lscp" and np.any(reachable & ~near_open):
        v.append("a coverable demand point is not covered")

    kind_objective = {
        "lscp": lambda: cost,
        "mclp": lambda: float(w @ near_open),
        "pmedian": lambda: float(np.sum(w[rows] * sol.assignment * (
            np.exp(-p.decay_beta * distance) if p.decay_beta > 0 else distance))),
        "capacitated": lambda: cost if p.serve_all else float(w @ served),
    }
    objective = kind_objective[p.objective]()
    total = float(w.sum())
    kpis = {
        "demand_points": int(inst.n_demand),
        "demand_total": total,
        "covered_demand": float(w @ near_open),
        "covered_demand_pct": 100.0 * float(w @ near_open) / total if total > 0 else 100.0,
        "white_spots": int(np.sum(~reachable)),
        "white_spot_demand": float(w[~reachable].sum()),
        "uncovered_points": int(np.sum(~near_open)),
        "sites_open": int(is_open.sum()),
        "new_sites": int(new_open.sum()),
        "existing_sites": int(inst.is_existing.sum()),
        "chargers": int(n.sum()),
        "new_chargers": int((n - inst.existing_chargers).sum()),
        "new_kw": float(p.kw_per_charger * (n - inst.existing_chargers).sum()),
        "cost": cost,
        "grid_upgrades": int(sol.upgrades.sum()),
    }
    if served is not None:
        kpis["served_demand"] = float(w @ served)
        kpis["served_demand_pct"] = 100.0 * float(w @ served) / total if total > 0 else 100.0
    if p.objective == "pmedian":
        kpis["mean_distance"] = float(np.sum(w[rows] * sol.assignment * distance)) / total if total else 0.0
    if grid_use is not None:
        allowed = grid_allowed_kw(inst, sol)
        # an area with no headroom is closed to new load, not "used up" by the plan: counted apart
        kpis["grid_areas_full"] = int(np.sum((allowed > TOL) & (grid_use >= allowed - TOL)))
        kpis["grid_areas_without_headroom"] = int(np.sum(allowed <= TOL))
    return Certificate(objective=objective, kpis=kpis, violations=v)
