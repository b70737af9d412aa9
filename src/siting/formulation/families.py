"""Constraint families shared by every model: site land and grid headroom (+ upgrades).

They take a `SiteResources` (siting/resources.py: plain arrays, one entry per site j) instead of a model's instance,
so the fast, corridor and park builders call the same functions. Symbols as in models/fast.md.
"""

from __future__ import annotations

import numpy as np

from siting.formulation import Formulation
from siting.resources import GridAreas, SiteResources

__all__ = ["GridAreas", "SiteResources", "add_var_upgrade", "add_ineq_land", "add_ineq_grid",
           "add_ineq_chargers_min", "add_ineq_chargers_max", "cost_terms", "add_ineq_budget"]


def site_labels(res: SiteResources, sites: np.ndarray) -> np.ndarray | None:
    return None if res.site_ids is None else res.site_ids[sites]


def add_var_upgrade(form: Formulation, res: SiteResources) -> None:
    """u_g in {0,1} for the grid areas that offer an upgrade."""
    if res.grid is not None and len(res.grid.upgradable):
        form.add_var("u", len(res.grid.upgradable), domain="binary", doc="u[k] = 1 if upgrade of grid area k is bought")


def add_ineq_land(form: Formulation, res: SiteResources, chargers: str = "n", opened: str = "x") -> None:
    """a_c n_j + a_0 x_j <= L_j for sites with a land limit."""
    limit = res.land_limit()
    sites = np.flatnonzero(np.isfinite(limit))
    if not len(sites) or (res.m2_per_charger == 0 and res.site_m2 == 0):
        return
    r = np.arange(len(sites))
    form.add_constraint("land", len(sites),
                        [(form.vars[chargers], r, sites, res.m2_per_charger), (form.vars[opened], r, sites, res.site_m2)],
                        upper=limit[sites], doc="chargers and site area fit on the land", labels=site_labels(res, sites))


def add_ineq_grid(form: Formulation, res: SiteResources, chargers: str = "n") -> None:
    """sum_{j in g} P s n_j - E_g u_g <= H+_g + sum_{j in g} P s n0_j for every grid area with sites."""
    if res.grid is None:
        return
    kw = res.kw()
    in_area = np.flatnonzero((res.grid_of_site >= 0) & (kw > 0))
    areas = np.unique(res.grid_of_site[in_area])
    if not len(areas):
        return
    row_of_area = np.full(res.grid.size, -1)
    row_of_area[areas] = np.arange(len(areas))
    base, extra = res.grid.headroom()
    existing_kw = np.bincount(res.grid_of_site[in_area], weights=kw[in_area] * res.existing_chargers[in_area],
                              minlength=res.grid.size)
    terms = [(form.vars[chargers], row_of_area[res.grid_of_site[in_area]], in_area, kw[in_area])]
    upgradable = res.grid.upgradable
    with_sites = row_of_area[upgradable] >= 0
    if with_sites.any():
        k = np.flatnonzero(with_sites)
        terms.append((form.vars["u"], row_of_area[upgradable[k]], k, -extra[upgradable[k]]))
    form.add_constraint("grid", len(areas), terms, upper=base[areas] + existing_kw[areas],
                        doc="new charger load in a grid area fits its headroom (+ upgrade)",
                        labels=res.grid.ids[areas])


def add_ineq_chargers_min(form: Formulation, new: np.ndarray, nmin: float, labels: np.ndarray | None = None) -> None:
    """n_j - nmin x_j >= 0 for the new sites j: an opened site gets at least nmin chargers."""
    if nmin <= 0 or not len(new):
        return
    r = np.arange(len(new))
    form.add_constraint("chargers_min", len(new),
                        [(form.vars["n"], r, new, 1.0), (form.vars["x"], r, new, -float(nmin))],
                        lower=0.0, doc="an open new site has at least nmin chargers", labels=labels)


def add_ineq_chargers_max(form: Formulation, new: np.ndarray, nmax: np.ndarray) -> None:
    """n_j - nmax_j x_j <= 0 for the new sites j (`nmax` per new site): chargers only where open."""
    if not len(new):
        return
    r = np.arange(len(new))
    form.add_constraint("chargers_max", len(new),
                        [(form.vars["n"], r, new, 1.0), (form.vars["x"], r, new, -np.asarray(nmax, float))],
                        upper=0.0, doc="chargers only at open sites, at most nmax")


def cost_terms(form: Formulation, inst) -> tuple[dict[str, np.ndarray], float]:
    """Cost per variable block and the constant: f'x (new sites) + c'(n - n0) + C'u.

    `inst` is any site instance with is_existing, fixed_cost, cost_per_charger, existing_chargers
    and grid (fast, corridor)."""
    coefs = {"x": np.where(inst.is_existing, 0.0, inst.fixed_cost), "n": inst.cost_per_charger.astype(float)}
    if "u" in form.vars:
        coefs["u"] = inst.grid.upgrade_cost[inst.grid.upgradable]
    return coefs, -float(inst.cost_per_charger @ inst.existing_chargers)


def add_ineq_budget(form: Formulation, inst, budget: float | None) -> None:
    """total cost <= B."""
    if budget is None:
        return
    coefs, constant = cost_terms(form, inst)
    terms = [(form.vars[name], np.zeros(len(c), int), np.arange(len(c)), c) for name, c in coefs.items()]
    form.add_constraint("budget", 1, terms, upper=budget - constant, doc="total investment within budget B",
                        labels=["budget"])
