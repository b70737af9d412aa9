"""Why this plan: the limits that bind an option, in a planner's words (one line per option).

Read from the service-maximising (first-stage) plan, where no allowed change refuels more, and
its rows: for every flow that some set of allowed hubs could charge but the plan does not, take
the arc-cover rows left uncovered and ask what stops each candidate of the row:

- not allowed: the scenario closes it or keeps new hubs to other search areas;
- grid: its substation has less room than a new hub needs (P s_P nmin kW), even with the
  area's upgrade or priced grid item bought;
- land: the site cannot fit a hub of nmin chargers;
- otherwise it could open, and p, the budget, a search-area maximum or the chargers'
  capacity is what holds it back (those rows are named when they are tight).

A row is blocked when none of its candidates is free; it is blocked by the grid when one of them
is behind a full substation, else by land, else by the option's rules. A flow counts under the
first cause that blocks one of its rows (grid, land, not allowed); the rest are "other". This is the planner's reading of the tight rows,
not a proof that lifting one limit alone would refuel that much more (the relaxation does that,
at one solve per limit; see siting.diagnose).
"""

from __future__ import annotations

import numpy as np

from siting.corridor.api import CorridorRun
from siting.corridor.model import refuellable_at_all
from siting.corridor.names import PlaceNames

MAX_NAMED = 4


def _named(names: list[str]) -> str:
    names = list(dict.fromkeys(names))
    more = f" and {len(names) - MAX_NAMED} more" if len(names) > MAX_NAMED else ""
    return ", ".join(names[:MAX_NAMED]) + more


def why_line(reported: CorridorRun, first: CorridorRun, names: PlaceNames) -> str:
    """One sentence (or a few, joined by "; ") on what limits the option."""
    if first.solution is None or first.certificate is None:
        return f"no plan ({first.status})" + (f": {first.diagnosis[0]}" if first.diagnosis else "")
    inst, sol = first.instance, first.solution
    p = inst.params
    parts = []
    new_built = int((reported.solution.open & ~reported.instance.is_existing).sum())
    first_built = int((sol.open & ~inst.is_existing).sum())
    needed = f" ({new_built} needed for this service)" if new_built != first_built else ""
    if p.p == 0:
        parts.append("no new hubs in this option")
    elif p.p is not None:
        parts.append(f"p = {p.p} allowed, {first_built} built{needed}" if first_built < p.p else
                     f"all p = {p.p} allowed hubs built{needed}: more hubs would charge more")
    elif p.budget is not None:
        parts.append(f"budget EUR {p.budget:,.0f}, EUR {first.certificate.kpis['cost']:,.0f} spent{needed}")
    blocked = _blocked_flows(first, names)
    for cause, (trucks, where) in blocked.items():
        if trucks < 0.05:
            continue
        parts.append({"grid": f"{trucks:,.0f} trucks/day more could be charged but pass only candidates behind "
                              f"substations without room for a hub: {_named(where)}",
                      "land": f"{trucks:,.0f} trucks/day pass only candidates too small for a hub: {_named(where)}",
                      "not allowed": (f"{trucks:,.0f} trucks/day could be charged with new hubs" if p.p == 0 else
                                      f"{trucks:,.0f} trucks/day pass only candidates this option does not allow "
                                      f"(other search areas or closed)"),
                      "other": f"{trucks:,.0f} trucks/day would need more hubs than {_limits(first)} allow"}[cause])
    impossible = ~refuellable_at_all(inst, first.paths, first.cover)
    bare = impossible & ~on_route(inst, first.paths)
    if inst.flow[bare].sum() >= 0.05:
        parts.append(f"{inst.flow[bare].sum():,.0f} trucks/day drive routes with no candidate or station on them "
                     f"(short trips at the region's edge, mostly)")
    if inst.flow[impossible & ~bare].sum() >= 0.05:
        parts.append(f"{inst.flow[impossible & ~bare].sum():,.0f} trucks/day can be charged by no set of allowed "
                     f"hubs (a stretch of their round trip is out of range of every candidate)")
    if p.capacitated:
        full = np.flatnonzero(sol.open & (sol.chargers >= np.maximum(inst.max_chargers, inst.existing_chargers)) &
                              ~inst.is_existing)
        if len(full):
            parts.append(f"hubs at their most chargers: {_named([names.site[j] for j in full])}")
    return "; ".join(parts) if parts else "nothing binds: every flow that hubs could charge is charged"


def on_route(inst, paths) -> np.ndarray:
    """Per OD flow: some site (new or existing, allowed or not) lies on one of its paths."""
    has = np.zeros(inst.network.n_nodes, bool)
    has[inst.site_node] = True
    out = np.zeros(inst.n_od, bool)
    for k in range(paths.n_paths):
        out[paths.od[k]] |= bool(has[paths.nodes_of(k)].any())
    return out


def _limits(run: CorridorRun) -> str:
    p = run.instance.params
    named = [f"p = {p.p}"] if p.p is not None else []
    named += ["the budget"] if p.budget is not None else []
    named += ["the search-area maxima"] if np.isfinite(run.instance.area_max).any() else []
    return " and ".join(named) or "the limits"


def _blocked_flows(run: CorridorRun, names: PlaceNames) -> dict[str, tuple[float, list[str]]]:
    """cause -> (trucks/day, substations or sites named) over flows charged less than they could be."""
    inst, sol, cover, paths = run.instance, run.solution, run.cover, run.paths
    p = inst.params
    possible = refuellable_at_all(inst, paths, cover)
    served = run.certificate.details.get("refuelled", sol.refuelled >= 1 - 1e-6).astype(float)
    if p.capacitated:
        served = np.minimum(served, sol.refuelled)
    short = possible & (served < 1 - 1e-6)
    room = _room(run)
    is_open = sol.open
    cause_of = {}
    weight = {"grid": {}, "land": {}}  # name -> trucks/day of the blocked rows behind it
    order = ("grid", "land", "not allowed")
    for r in range(cover.n_rows):
        q = int(paths.od[cover.path[r]])
        if not short[q] or cover.impossible[cover.path[r]]:
            continue
        k = cover.sites[cover.ptr[r]:cover.ptr[r + 1]]
        if is_open[k].any():
            continue
        causes = {room[j] for j in k}
        if "free" in causes:  # this row could be covered: p, the budget or capacity holds it back
            continue
        cause = next(c for c in order if c in causes)
        if cause_of.get(q) is None or order.index(cause) < order.index(cause_of[q]):
            cause_of[q] = cause
        label = (lambda j: names.grid_name(inst.grid_of_site[j])) if cause == "grid" else (lambda j: names.site[j])
        for j in k:
            if room[j] == cause and cause in weight:
                weight[cause][label(j)] = weight[cause].get(label(j), 0.0) + float(inst.flow[q])
    out = {}
    for cause in (*order, "other"):
        qs = [q for q in np.flatnonzero(short) if cause_of.get(int(q), "other") == cause]
        share = 1.0 - served[qs] if p.capacitated else np.ones(len(qs))
        heavy = sorted(weight.get(cause, {}).items(), key=lambda kv: -kv[1])
        out[cause] = (float(inst.flow[qs] @ share), [name for name, _ in heavy])
    return out


def _room(run: CorridorRun) -> dict[int, str]:
    """Per site: "open", "not allowed", "grid", "land" or "free" (could open under the grid and land)."""
    inst, sol = run.instance, run.solution
    p = inst.params
    res = inst.resources
    out = {}
    load = res.new_load_kw(sol.chargers) if inst.grid is not None else None
    top = inst.grid.allowed_kw(np.ones(inst.grid.size)) if inst.grid is not None else None
    hub_kw = p.kw_per_charger * p.simultaneity * p.min_chargers
    hub_m2 = p.m2_per_charger * p.min_chargers + p.site_m2
    land = res.land_limit()
    for j in range(inst.n_sites):
        g = inst.grid_of_site[j]
        if sol.open[j]:
            out[j] = "open"
        elif not inst.allowed[j]:
            out[j] = "not allowed"
        elif g >= 0 and load is not None and top[g] - load[g] < hub_kw - 1e-6:
            out[j] = "grid"
        elif hub_m2 > land[j] + 1e-6 or inst.max_chargers[j] < p.min_chargers:
            out[j] = "land"
        else:
            out[j] = "free"
    return out
