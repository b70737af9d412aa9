"""An independent checker: recompute objective, coverage, capacities, land and grid use from a
solution alone (numpy only, no pyomo, no formulation), like networkx's `is_dominating_set`.

Every solve test asserts that this agrees with the solver.
"""

from __future__ import annotations

import numpy as np

from siting.checks import Certificate
from siting.fast.instance import FastInstance
from siting.fast.solution import FastSolution
from siting.precompute import Pairs, decay_weights

TOL = 1e-6


def _rows(pairs: Pairs) -> np.ndarray:
    return np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))


def cost_of(inst: FastInstance, sol: FastSolution) -> float:
    new = ~inst.is_existing
    cost = float(inst.fixed_cost[new] @ sol.open[new])
    cost += float(inst.cost_per_charger @ (sol.chargers - inst.existing_chargers))
    if inst.grid is not None:
        cost += float(inst.grid.upgrade_cost @ sol.upgrades)
    return cost


def grid_load_kw(inst: FastInstance, sol: FastSolution) -> np.ndarray:
    """New charger load per grid area, kW (chargers beyond the existing ones)."""
    return inst.resources.new_load_kw(sol.chargers)


def grid_allowed_kw(inst: FastInstance, sol: FastSolution) -> np.ndarray:
    return inst.grid.allowed_kw(sol.upgrades)


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
    limit = inst.resources.land_limit()
    if np.any(used > limit + TOL):
        v.append(f"land exceeded at {int(np.sum(used > limit + TOL))} sites")
    grid_use = None
    if inst.grid is not None and p.kw_per_charger * p.simultaneity > 0:
        grid_use = grid_load_kw(inst, sol)
        over = grid_use > grid_allowed_kw(inst, sol) + TOL
        if over.any():
            v.append(f"grid headroom exceeded in {int(over.sum())} areas: {', '.join(map(str, inst.grid.ids[over][:5]))}")

    # demand side
    reachable = np.diff(pairs.indptr) > 0
    near_open = np.bincount(rows, weights=is_open[pairs.indices].astype(float), minlength=pairs.n_demand) > 0
    w = inst.weight
    served = None
    if sol.assignment is not None:
        z = sol.assignment
        if np.any(z[~is_open[pairs.indices]] > TOL):
            v.append("demand assigned to a closed site")
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
            decay_weights(pairs.distance, p.decay_beta) if p.decay_beta > 0 else pairs.distance))),
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
        kpis["mean_distance"] = float(np.sum(w[rows] * sol.assignment * pairs.distance)) / total if total else 0.0
    if grid_use is not None:
        kpis["grid_areas_full"] = int(np.sum(grid_use >= grid_allowed_kw(inst, sol) - TOL))
    return Certificate(objective=objective, kpis=kpis, violations=v)
