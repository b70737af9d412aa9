"""Cheap infeasibility screens for the park model, in a planner's words.

The park model is always feasible with `park.unmet_penalty` (energy not delivered is priced).
Without it every company's daily energy is firm, and the plan can be infeasible. Each screen
checks one necessary condition and names the companies, squares, grid areas and hours involved;
they run before the elastic relaxation (siting.diagnose) when a solve is infeasible.
"""

from __future__ import annotations

import numpy as np

from siting.checks import named
from siting.park.instance import ParkInstance

EPS = 1e-9


def _clock(window: np.ndarray, hours: float) -> str:
    """A (possibly overnight) dwell window as clock times, e.g. '18:00-09:00'."""
    if window.all():
        return "the whole day"
    starts = np.flatnonzero(window & ~np.roll(window, 1))
    ends = np.flatnonzero(window & ~np.roll(window, -1))
    if not len(starts):
        return "no hour"

    def clock(t: float) -> str:
        return f"{int(t) % 24:02d}:{int(round(t * 60)) % 60:02d}"

    return ", ".join(f"{clock(a * hours)}-{clock((b + 1) * hours)}" for a, b in zip(starts, ends, strict=True))


def square_power(inst: ParkInstance) -> np.ndarray:
    """[S, T]: the most power a square can deliver in each slot: its best tier (x contract
    availability), the chargers that fit on its land, and its grid area's headroom."""
    S, T = inst.n_squares, inst.n_slots
    tier = np.zeros((S, T))
    if inst.n_tiers:
        np.maximum.at(tier, inst.tier_square, inst.tier_kw[:, None] * inst.tier_avail)
    chargers = np.full(S, np.inf)
    if inst.n_chargers:
        chargers = (inst.max_chargers() * inst.charger_kw[None, :]).sum(axis=1)
    power = np.minimum(tier, chargers[:, None])
    if inst.grid is not None:
        inside = inst.square_grid >= 0
        power[inside] = np.minimum(power[inside], np.maximum(inst.headroom_kw[inst.square_grid[inside]], 0.0))
    return power


def own_power(inst: ParkInstance) -> np.ndarray:
    """[K, T]: the power of each company's own connection, within its grid area's headroom."""
    power = np.maximum(inst.own_kw, 0.0)
    if inst.grid is not None:
        inside = inst.company_grid >= 0
        power[inside] = np.minimum(power[inside], np.maximum(inst.headroom_kw[inst.company_grid[inside]], 0.0))
    return power


def screen_company_reach(inst: ParkInstance) -> list[str]:
    """Each company, alone on the best of its options (a square in walking distance or its own
    connection), gets at most min(Pmax, option power) in each slot of its dwell window."""
    h = inst.hours
    sq = square_power(inst)
    if inst.params.max_squares == 0:
        sq[:] = 0.0
    best = own_power(inst).copy()
    np.maximum.at(best, inst.pair_company, sq[inst.pair_square])
    reach = h * (np.minimum(best, inst.max_kw[:, None]) * inst.window).sum(axis=1)
    short = np.flatnonzero(inst.energy_kwh > reach * (1 + 1e-9) + EPS)
    found = []
    for k in short[:5]:
        options = inst.square_ids[inst.pair_square[inst.pair_company == k]].tolist()
        where = f"squares {named(options)}" if options else "no square within walking distance"
        own = "its own connection" if inst.own_kw[k].max(initial=0.0) > 0 else "no own connection"
        found.append(
            f"company {inst.company_ids[k]} needs {inst.energy_kwh[k]:,.0f} kWh/day but can get at most "
            f"{reach[k]:,.0f} kWh in its dwell window {_clock(inst.window[k], h)} from the best of "
            f"its options ({where}; {own}) at their largest tier, the chargers that fit and the grid headroom")
    if len(short) > 5:
        found.append(f"… and {len(short) - 5} more companies: {named(inst.company_ids[short[5:]])}")
    return found


def screen_grid_areas(inst: ParkInstance) -> list[str]:
    """The companies that can only charge in one grid area need, together, at most what its
    headroom carries over the hours they are there."""
    if inst.grid is None:
        return []
    h, found = inst.hours, []
    has_own = inst.has_own
    area_sets = [set(inst.square_grid[inst.pair_square[inst.pair_company == k]].tolist())
                 | ({int(inst.company_grid[k])} if has_own[k] else set()) for k in range(inst.n_companies)]
    for g in range(inst.grid.size):
        only = np.array([a == {g} for a in area_sets], dtype=bool)
        if not only.any():
            continue
        hours = inst.window[only].any(axis=0)
        carry = h * float(np.maximum(inst.headroom_kw[g], 0.0)[hours].sum())
        need = float(inst.energy_kwh[only].sum())
        if need > carry * (1 + 1e-9) + EPS:
            full = np.flatnonzero(hours & (inst.headroom_kw[g] <= EPS))
            found.append(
                f"grid area {inst.grid.ids[g]} has headroom for {carry:,.0f} kWh in the hours its companies are "
                f"parked, but {int(only.sum())} companies that can only charge there need {need:,.0f} kWh/day "
                f"({named(inst.company_ids[only])})" + (f"; no headroom at all in {len(full)} of those slots"
                                                         if len(full) else ""))
    return found


def screen_total(inst: ParkInstance) -> list[str]:
    """All companies together vs every square at its largest tier plus every own connection."""
    best_tier = [inst.tier_kw[inst.tier_square == s].max(initial=0.0) for s in range(inst.n_squares)]
    cap = inst.hours * inst.n_slots * float(sum(best_tier)) + inst.hours * float(inst.own_kw.sum())
    if inst.energy_kwh.sum() > cap * (1 + 1e-9):
        return [f"all companies together need {inst.energy_kwh.sum():g} kWh/day, more than every square at its largest "
                f"tier plus every own connection can deliver in a day ({cap:g} kWh)"]
    return []


def screen_fixed_open(inst: ParkInstance) -> list[str]:
    """Squares fixed open need a tier, and no more of them than `park.max_squares`."""
    fixed = inst.fixed_open
    no_tier = fixed & (np.bincount(inst.tier_square, minlength=inst.n_squares) == 0)
    found = [f"square {inst.square_label(s)} is fixed open but has no connection tier" for s in np.flatnonzero(no_tier)]
    p = inst.params.max_squares
    if p is not None and fixed.sum() > p:
        found.append(f"{int(fixed.sum())} squares are fixed open, more than park.max_squares = {p}")
    return found


def screen_park(inst: ParkInstance) -> list[str]:
    """Necessary conditions: the squares fixed open, and of firm demand (no unmet_penalty); empty
    when none fails."""
    found = screen_fixed_open(inst)
    if inst.params.unmet_penalty is not None:
        return found
    short = inst.energy_kwh > inst.max_energy() * (1 + 1e-9) + EPS
    for k in inst.company_ids[short][:10]:
        found.append(f"company {k} cannot take its daily energy within its dwell window at its maximum power")
    return found + screen_company_reach(inst) + screen_grid_areas(inst) + screen_total(inst)
