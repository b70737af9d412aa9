"""Cheap infeasibility screens for the fast model, in a planner's words.

They run before the elastic relaxation (siting.diagnose) when a solve is infeasible: each
screen looks for one classic cause and names the grid areas, sites and demand points involved.
"""

from __future__ import annotations

import numpy as np

from siting.checks import MAX_NAMED, named
from siting.fast.instance import FastInstance
from siting.precompute import Pairs


def openable_sites(inst: FastInstance) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(can open, blocked by land, blocked by grid) per site, for a site with nmin chargers."""
    p, res = inst.params, inst.resources
    nmin = np.where(inst.is_existing, 0, p.min_chargers)
    land_ok = p.m2_per_charger * np.maximum(nmin, inst.existing_chargers) + p.site_m2 <= res.land_limit() + 1e-9
    grid_ok = np.ones(inst.n_sites, bool)
    if inst.grid is not None:
        base, extra = inst.grid.headroom()
        room = base + extra
        g = inst.grid_of_site
        inside = g >= 0
        grid_ok[inside] = res.kw()[inside] * nmin[inside] <= room[g[inside]] + 1e-9
    ok = inst.is_existing | (land_ok & grid_ok & (inst.max_chargers >= nmin))
    return ok, ~land_ok & ~inst.is_existing, ~grid_ok & ~inst.is_existing


def screen_fast(inst: FastInstance, pairs: Pairs) -> list[str]:
    p = inst.params
    must_serve = p.objective == "lscp" or (p.objective == "capacitated" and p.serve_all) or (
        p.objective == "pmedian" and p.decay_beta == 0)
    if not must_serve:
        return []
    findings = []
    ok, land_blocked, grid_blocked = openable_sites(inst)
    rows = np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))
    reachable = np.diff(pairs.indptr) > 0
    reach_ok = np.bincount(rows, weights=ok[pairs.indices].astype(float), minlength=pairs.n_demand) > 0
    stuck = np.flatnonzero(reachable & ~reach_ok)
    if len(stuck):
        sites = np.unique(pairs.indices[np.isin(rows, stuck)])
        blocked_areas = np.unique(inst.grid_of_site[sites[grid_blocked[sites]]])
        blocked_areas = blocked_areas[blocked_areas >= 0]
        if len(blocked_areas):
            heads = ", ".join(f"{inst.grid.ids[g]} ({inst.grid.available_kw[g] / 1000:+.3g} MW)" for g in blocked_areas[:MAX_NAMED])
            findings.append(
                f"grid area(s) {heads} have no headroom for even {p.min_chargers} charger(s) of "
                f"{p.kw_per_charger:g} kW: no new site can be connected there; {len(stuck)} demand point(s) lie only "
                f"within reach of such sites: {named(inst.demand_ids[stuck])}")
        if land_blocked[sites].any():
            findings.append(
                f"site(s) {named(inst.site_ids[sites[land_blocked[sites]]])} lack the land for {p.min_chargers} "
                f"charger(s) ({p.m2_per_charger:g} m² each + {p.site_m2:g} m² per site), and they are the only sites "
                f"within reach of demand point(s) {named(inst.demand_ids[stuck])}")
    if p.objective == "capacitated" and p.serve_all:
        capacity = p.sessions_per_charger * np.where(ok, np.maximum(inst.max_chargers, inst.existing_chargers), 0)
        reach_cap = np.bincount(rows, weights=capacity[pairs.indices], minlength=pairs.n_demand)
        short = np.flatnonzero(reachable & (reach_cap < inst.weight - 1e-9))
        if len(short):
            findings.append(
                f"{len(short)} demand point(s) need more sessions per day than all chargers that fit within reach "
                f"can serve ({p.sessions_per_charger:g} sessions per charger): {named(inst.demand_ids[short])}")
    if p.p is not None and p.objective == "lscp":
        pass  # lscp ignores p
    return findings
