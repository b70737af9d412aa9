"""An independent checker of park solutions (numpy only: no formulation, no pyomo).

From the instance's plain arrays and the dense solution alone it recomputes every constraint
family of models/park.md and the annualised cost: the tiers, the assignment, the energy
delivered to each company and its shares, the power per slot at each square against its tier
(x availability) and its chargers, the charge points, the charger limits nmax_sc, the land,
the load per grid area and slot (and the contracted capacity), the number of squares
(`max_squares`), and that every square fixed open (`fixed_open`) is open. It imports nothing from the model or its coefficient code: the annuity
factors, the slot length h, nmax_sc and which companies have an own option are recomputed here.
The dwell windows W_k are derived here from the dwell hours as read (and must equal the
instance's `window`); availabilities and headroom per slot are read as the instance holds them
(`tier_avail`, `headroom_kw`, `own_kw`: profiles applied by the loader). Every solve
test asserts that it agrees with the solver.
"""

from __future__ import annotations

import numpy as np

from siting.checks import Certificate
from siting.park.instance import ParkInstance
from siting.park.solution import ParkSolution

TOL = 1e-6


def _tol(scale) -> np.ndarray:
    return TOL * (1.0 + np.abs(scale))


# -- the instance's numbers, recomputed from its plain fields -------------------------------------
def annuity(rate: float, years: float) -> float:
    """a(r, L) = r / (1 - (1 + r)^-L), and 1 / L when r = 0."""
    return 1.0 / years if rate == 0 else rate / (1.0 - (1.0 + rate) ** (-years))


def slot_hours(inst: ParkInstance) -> float:
    """h: `park.slot_hours`, else 24 / T."""
    p = inst.params
    return float(p.slot_hours) if p.slot_hours is not None else 24.0 / p.slots


def charger_limit(inst: ParkInstance) -> np.ndarray:
    """nmax_sc = min(park.max_chargers, floor((L_s - a0_s) / m_c)) (the land bound only where
    L_s is finite and m_c > 0)."""
    out = np.full((inst.n_squares, inst.n_chargers), float(inst.params.max_chargers))
    for s in range(inst.n_squares):
        if not np.isfinite(inst.land_m2[s]):
            continue
        free = max(inst.land_m2[s] - inst.square_m2[s], 0.0)
        for c in range(inst.n_chargers):
            if inst.charger_m2[c] > 0:
                out[s, c] = min(out[s, c], float(np.floor(free / inst.charger_m2[c])))
    return out


def dwell_slots(inst: ParkInstance) -> np.ndarray:
    """W_k from the dwell hours as read: slot t, [t h, (t+1) h), lies inside [start, end) on the
    circular day (end < start wraps past midnight; no hours = the whole day). Measured as offsets
    from the start around the clock, not as the loader's two cases. Without dwell hours (a window
    built directly) the instance's own window is all there is."""
    if inst.dwell_hours is None:
        return inst.window
    T, h, eps = inst.n_slots, slot_hours(inst), 1e-9
    out = np.ones((inst.n_companies, T), bool)
    for k, (start, end) in enumerate(inst.dwell_hours):
        if np.isnan(start) and np.isnan(end):
            continue
        length = end - start if end >= start else end + 24.0 - start  # hours parked
        for t in range(T):
            offset = (t * h - start) % 24.0
            if offset > 24.0 - eps:
                offset -= 24.0
            out[k, t] = offset >= -eps and offset + h <= length + eps
    return out


def own_option(inst: ParkInstance, window: np.ndarray | None = None) -> np.ndarray:
    """Companies that may charge at home: some slot of the window with own headroom O_kt > 0."""
    return np.any((inst.own_kw > 0) & (dwell_slots(inst) if window is None else window), axis=1)


def cost_breakdown(inst: ParkInstance, sol: ParkSolution) -> dict[str, float]:
    """Annualised cost per item, EUR/year (annuity a(r, L) = r / (1 - (1 + r)^-L))."""
    p = inst.params
    a_sq = annuity(p.discount_rate, p.life_square)
    a_conn = annuity(p.discount_rate, p.life_connection)
    a_ch = annuity(p.discount_rate, p.life_chargers)
    is_open = sol.open.astype(bool)
    chosen = sol.tier[sol.tier >= 0]
    energy_year = p.days_per_year * slot_hours(inst)
    used = inst.pair_company, inst.pair_square
    return {
        "squares": float(np.sum((a_sq * inst.square_cost + inst.square_annual)[is_open])),
        "connections": float(np.sum(a_conn * inst.tier_cost[chosen] + inst.tier_annual[chosen])),
        "chargers": float(np.sum(sol.chargers * (a_ch * inst.charger_cost + inst.charger_annual)[None, :])),
        "assignment": float(np.sum(inst.pair_cost * sol.assign[used])),
        "own_connections": float(np.sum(sol.own * (a_conn * inst.own_cost + inst.own_annual))),
        "energy": float(energy_year * np.sum((sol.power.sum(axis=(0, 1)) + sol.own_power.sum(axis=0)) * inst.price)),
        "unmet_penalty": float(p.days_per_year * (p.unmet_penalty or 0.0) * sol.unmet.sum()),
    }


def square_load_kw(sol: ParkSolution) -> np.ndarray:
    """[S, T] kW drawn at each square in each slot."""
    return sol.power.sum(axis=0)


def grid_load_kw(inst: ParkInstance, sol: ParkSolution) -> np.ndarray:
    """[G, T] kW of all charging (squares and own connections) in each grid area."""
    G = inst.grid.size if inst.grid is not None else 0
    load = np.zeros((G, inst.n_slots))
    sq = square_load_kw(sol)
    for areas, rows in ((inst.square_grid, sq), (inst.company_grid, sol.own_power)):
        inside = areas >= 0
        np.add.at(load, areas[inside], rows[inside])
    return load


def connection_kw(inst: ParkInstance, sol: ParkSolution) -> np.ndarray:
    """[S, T] kW the chosen tier allows (0 at closed squares)."""
    allowed = np.zeros((inst.n_squares, inst.n_slots))
    s = np.flatnonzero(sol.tier >= 0)
    o = sol.tier[s]
    allowed[s] = inst.tier_kw[o, None] * inst.tier_avail[o]
    return allowed


def contracted_kw(inst: ParkInstance, sol: ParkSolution) -> np.ndarray:
    """[G, T] contracted kW of the squares' tiers (above small consumption) per area and slot."""
    out = np.zeros((inst.grid.size if inst.grid is not None else 0, inst.n_slots))
    s = np.flatnonzero(sol.tier >= 0)
    o = sol.tier[s]
    keep = (inst.square_grid[s] >= 0) & (inst.tier_kw[o] > inst.params.small_connection_kw)
    np.add.at(out, inst.square_grid[s[keep]], inst.tier_kw[o[keep], None] * inst.tier_avail[o[keep]])
    return out


def verify_park(inst: ParkInstance, sol: ParkSolution) -> Certificate:
    p = inst.params
    v: list[str] = []
    K, S = inst.n_companies, inst.n_squares
    is_open = sol.open.astype(bool)
    h = slot_hours(inst)
    window = dwell_slots(inst)
    if window.shape != inst.window.shape or np.any(window != inst.window):
        wrong = np.flatnonzero(np.any(window != inst.window, axis=1)) if window.shape == inst.window.shape else []
        v.append("the instance's dwell windows W_k differ from the dwell hours (companies "
                 f"{', '.join(map(str, inst.company_ids[wrong][:5]))})")

    # squares, tiers, chargers
    if np.any((sol.tier >= 0) != is_open):
        v.append("an open square without a tier, or a tier at a closed square")
    chosen = sol.tier[sol.tier >= 0]
    if np.any(inst.tier_square[chosen] != np.flatnonzero(sol.tier >= 0)):
        v.append("a square uses another square's tier")
    if np.any(sol.chargers < 0) or np.any(sol.chargers[~is_open] > 0):
        v.append("chargers at a closed square (or negative)")
    if inst.n_chargers and np.any(sol.chargers > charger_limit(inst) + TOL):
        v.append("more chargers of a type than fit (nmax_sc)")
    closed_fixed = inst.fixed_open & ~is_open
    if closed_fixed.any():
        v.append(f"squares fixed open are closed: {', '.join(map(str, inst.square_ids[closed_fixed][:5]))}")
    if p.max_squares is not None and is_open.sum() > p.max_squares:
        v.append(f"{int(is_open.sum())} squares open > max_squares = {p.max_squares}")

    # assignment
    allowed = np.zeros((K, S), bool)
    allowed[inst.pair_company, inst.pair_square] = True
    if np.any(sol.assign[~allowed] > TOL):
        v.append("a company is assigned to a square beyond walking distance D")
    if np.any(sol.assign[:, ~is_open] > TOL):
        v.append("a company is assigned to a closed square")
    if np.any(sol.own[~own_option(inst, window)] > TOL):
        v.append("home charging for a company without an own option")
    total = sol.assign.sum(axis=1) + sol.own
    # with a penalty a company may be (partly) left unserved: its energy is then unmet
    bad = (total > 1.0 + 1e-6) if p.unmet_penalty is not None else (np.abs(total - 1.0) > 1e-6)
    if np.any(bad):
        v.append(f"companies not assigned exactly once: {', '.join(map(str, inst.company_ids[bad][:5]))}")
    if p.single_source:
        frac = np.minimum(np.abs(sol.assign - np.round(sol.assign)), 1.0).max(initial=0.0)
        if frac > TOL or np.any(np.abs(sol.own - np.round(sol.own)) > TOL):
            v.append("single source, but a company is split")

    # power and energy per company
    if np.any(sol.power < -TOL) or np.any(sol.own_power < -TOL) or np.any(sol.unmet < -TOL):
        v.append("negative power or unmet energy")
    outside = ~window
    if np.any(sol.power[np.broadcast_to(outside[:, None, :], sol.power.shape)] > TOL) or np.any(sol.own_power[outside] > TOL):
        v.append("charging outside a dwell window")
    over = sol.power > inst.max_kw[:, None, None] * sol.assign[:, :, None] + _tol(inst.max_kw)[:, None, None]
    if over.any():
        v.append(f"power above Pmax_k x share at {int(over.sum())} (company, square, slot) cells")
    at_square = h * sol.power.sum(axis=2)
    if np.any(at_square > inst.energy_kwh[:, None] * sol.assign + _tol(inst.energy_kwh)[:, None]):
        v.append("a company takes more energy at a square than its share there")
    at_home = h * sol.own_power.sum(axis=1)
    if np.any(at_home > inst.energy_kwh * sol.own + _tol(inst.energy_kwh)):
        v.append("a company takes more energy at home than its share there")
    own_limit = np.minimum(inst.own_kw, inst.max_kw[:, None]) * sol.own[:, None]
    if np.any(sol.own_power > own_limit + _tol(own_limit)):
        v.append("home charging above the own connection")
    delivered = h * (sol.power.sum(axis=(1, 2)) + sol.own_power.sum(axis=1))
    if p.unmet_penalty is None and np.any(sol.unmet > TOL):
        v.append("unmet energy although all energy must be delivered")
    if np.any(sol.unmet > inst.energy_kwh + _tol(inst.energy_kwh)):
        v.append("unmet energy above a company's daily energy")
    gap = np.abs(delivered + sol.unmet - inst.energy_kwh)
    if np.any(gap > _tol(inst.energy_kwh) * 10):
        bad = inst.company_ids[gap > _tol(inst.energy_kwh) * 10][:5]
        v.append(f"energy delivered + unmet != daily energy for {', '.join(map(str, bad))}")

    # squares per slot: connection and chargers
    load = square_load_kw(sol)
    conn = connection_kw(inst, sol)
    if np.any(load > conn + _tol(conn)):
        v.append(f"load above the connection tier in {int(np.sum(load > conn + _tol(conn)))} (square, slot) cells")
    if inst.n_chargers:
        charger_kw = sol.chargers @ inst.charger_kw
        if np.any(load > charger_kw[:, None] + _tol(charger_kw)[:, None]):
            v.append("load above the installed charger power at a square")
        rho = p.vehicles_per_point
        for count, serves, what in ((inst.vehicles, np.ones(inst.n_chargers, bool), "vehicles"),
                                    (inst.trucks, np.isin(inst.charger_vehicle, ("truck", "any")), "trucks"),
                                    (inst.vans, np.isin(inst.charger_vehicle, ("van", "any")), "vans")):
            need = count @ sol.assign
            have = rho * sol.chargers[:, serves].sum(axis=1)
            if np.any(need > have + _tol(have)) and count.any():
                v.append(f"too few charge points for the assigned {what}")

    # land
    used_m2 = sol.chargers @ inst.charger_m2 + inst.square_m2 * is_open
    if np.any(used_m2 > inst.land_m2 + _tol(inst.land_m2)):
        v.append("chargers and fixed area exceed the parcel")

    # grid per slot
    grid_load = grid_load_kw(inst, sol)
    grid_full = 0
    if inst.grid is not None:
        limit = np.maximum(inst.headroom_kw, 0.0)
        over = grid_load > limit + _tol(limit)
        if over.any():
            g = np.unique(np.nonzero(over)[0])
            v.append(f"grid headroom exceeded in {int(over.sum())} (area, slot) cells: {', '.join(map(str, inst.grid.ids[g][:5]))}")
        at_limit = (grid_load >= limit - 1e-6 * (1 + limit)) & (grid_load > TOL)
        grid_full = int(np.sum(at_limit.any(axis=1)))

    if inst.grid is not None and p.reserve_contracts:
        contracted = contracted_kw(inst, sol)
        limit = np.maximum(inst.headroom_kw, 0.0)
        if np.any(contracted > limit + _tol(limit)):
            v.append("contracted square connections exceed the grid headroom in some slot")

    costs = cost_breakdown(inst, sol)
    objective = float(sum(costs.values()))
    tier_kw = inst.tier_kw[chosen]
    kpis = {
        "companies": int(K),
        "squares_open": int(is_open.sum()),
        "companies_at_squares": int(np.sum(sol.assign.sum(axis=1) > 0.5)),
        "companies_at_home": int(np.sum(sol.own > 0.5)),
        "connection_kw_total": float(tier_kw.sum()),
        "chargers": int(sol.chargers.sum()),
        "charger_kw_total": float((sol.chargers @ inst.charger_kw).sum()) if inst.n_chargers else 0.0,
        "energy_demand_kwh_per_day": float(inst.energy_kwh.sum()),
        "energy_delivered_kwh_per_day": float(delivered.sum()),
        "energy_unmet_kwh_per_day": float(sol.unmet.sum()),
        "companies_with_unmet_energy": int(np.sum(sol.unmet > 1e-6)),
        "peak_square_load_kw": float(load.max(initial=0.0)),
        "annual_cost": objective,
        **{f"cost_{k}": val for k, val in costs.items()},
    }
    if inst.grid is not None:
        kpis["peak_grid_load_kw"] = float(grid_load.max(initial=0.0))
        kpis["grid_areas_at_limit"] = grid_full
    return Certificate(objective=objective, kpis=kpis, violations=v)
