"""What the grid-needs analysis needs of each model, in one small adapter per model.

An adapter loads an instance, precomputes what a headroom change leaves alone (the fast model's
pairs, the corridor model's OD paths: neither depends on the grid), solves a copy with other
headroom, and reads per period and grid area the headroom, the allowed new load and the kW the
plan needs.

**The kW a plan needs.** In an objective without a cost term (served or covered demand,
refuelled trucks) an extra charger costs nothing, so the solver may leave chargers that serve no
one wherever the grid allows them: the plan's own charger counts say little about demand. The
analysis therefore counts, at every open site, the chargers the plan needs for what it serves:
at least the opening size (n0_j at an existing site, nmin at a new one) and, capacitated, the
chargers whose capacity the assigned demand uses, ceil(sum_i w_i z_ij / kappa) (corridor:
ceil(sum_q E_q z_qj / kappa)); never more than the plan has. A rollout keeps its lock-in: a
period counts at least what the periods before it need. The plan's own counts are reported too
(`plan_*` columns).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from siting.resources import GridAreas

EPS = 1e-9  # capacity used within this share of a charger does not ask for another one


@dataclass(frozen=True)
class Adapter:
    name: str
    load: Callable  # (path, overrides) -> instance
    precompute: Callable  # instance -> data shared by every re-solve (independent of the grid)
    solve: Callable  # (instance, data, options) -> run
    periods: Callable  # instance -> list of (label, single-period instance with .grid, .resources)
    plans: Callable  # run -> list of (solution of each period, needed chargers)
    objective_kind: Callable  # instance -> str

    def grid(self, inst) -> GridAreas | None:
        return self.periods(inst)[0][1].grid

    def with_headroom(self, inst, available_kw: Callable[[np.ndarray, object], np.ndarray]):
        """A copy whose H_g of every period is `available_kw(H_g of that period, period instance)`."""
        if self.name == "rollout":
            periods = tuple(replace(q, grid=replace(q.grid, available_kw=available_kw(q.grid.available_kw, q)))
                            for q in inst.periods)
            return replace(inst, periods=periods)
        return replace(inst, grid=replace(inst.grid, available_kw=available_kw(inst.grid.available_kw, inst)))


def most_new_load(q) -> np.ndarray:
    """Per grid area, the most new load its sites could ever draw: P s (max(nmax_j, n0_j) - n0_j)
    summed over the area's sites. Headroom of this much (+1 kW) never binds."""
    res = q.resources
    top = np.maximum(q.max_chargers, q.existing_chargers).astype(float)
    load = res.kw() * (top - q.existing_chargers)
    inside = q.grid_of_site >= 0
    return np.bincount(q.grid_of_site[inside], weights=load[inside], minlength=q.grid.size)


def unlimited_headroom(available_kw: np.ndarray, q) -> np.ndarray:
    """H_g raised to what the area's sites could ever draw (+1 kW), where that is more than H_g:
    the grid row stays in the model but can no longer bind (no big-M number enters the model)."""
    return np.maximum(available_kw, most_new_load(q) + 1.0)


def _needed(is_open, plan_chargers, opening, used_capacity, per_charger) -> np.ndarray:
    need = np.where(is_open, opening, 0).astype(float)
    if used_capacity is not None:
        need = np.maximum(need, np.ceil(used_capacity / per_charger - EPS))
    return np.minimum(need, plan_chargers).astype(np.int64)


# -- fast -----------------------------------------------------------------------------------------
def _fast_needed(q, pairs, sol) -> np.ndarray:
    opening = np.where(q.is_existing, q.existing_chargers, q.params.min_chargers)
    used = None
    if q.params.objective == "capacitated" and sol.assignment is not None:
        used = np.bincount(pairs.indices, weights=q.weight[pairs.row_ids()] * sol.assignment, minlength=q.n_sites)
    return _needed(sol.open, sol.chargers, opening, used, q.params.sessions_per_charger)


def _fast_adapter() -> Adapter:
    from siting.fast.api import solve_fast
    from siting.fast.load import load_fast
    from siting.fast.model import objective_kind
    from siting.fast.pairs import fast_pairs

    return Adapter(
        "fast", load_fast, fast_pairs,
        lambda inst, pairs, options: solve_fast(inst, options, pairs=pairs),
        lambda inst: [("", inst)],
        lambda run: [(run.solution, _fast_needed(run.instance, run.pairs, run.solution))],
        objective_kind)


# -- corridor -------------------------------------------------------------------------------------
def _corridor_needed(inst, paths, sol) -> np.ndarray:
    from siting.corridor.instance import round_trip_energy

    p = inst.params
    if p.afir_pool_power:  # the pool-power rows ask for chargers the energy does not: keep the plan's
        return sol.chargers.astype(np.int64)
    opening = np.where(inst.is_existing, inst.existing_chargers, p.min_chargers)
    used = None
    if p.capacitated and sol.assignment is not None and len(sol.assignment_pairs):
        energy = round_trip_energy(inst, paths)
        od, site = sol.assignment_pairs[:, 0], sol.assignment_pairs[:, 1]
        used = np.bincount(site, weights=energy[od] * sol.assignment, minlength=inst.n_sites)
    return _needed(sol.open, sol.chargers, opening, used, p.kwh_per_charger_day)


def _corridor_adapter() -> Adapter:
    from siting.corridor.api import corridor_paths, solve_corridor
    from siting.corridor.load import load_corridor
    from siting.corridor.model import objective_kind

    return Adapter(
        "corridor", load_corridor, corridor_paths,
        lambda inst, paths, options: solve_corridor(inst, options, paths=paths),
        lambda inst: [("", inst)],
        lambda run: [(run.solution, _corridor_needed(run.instance, run.paths, run.solution))],
        objective_kind)


# -- rollout --------------------------------------------------------------------------------------
def period_model(q) -> str:
    """The model of one period's instance: a rollout's base (fast, or corridor when the rollout
    package offers it)."""
    from siting.fast.instance import FastInstance

    return "fast" if isinstance(q, FastInstance) else "corridor"


def _rollout_plans(run) -> list:
    inst = run.instance
    out, floor = [], None
    for q, sol in zip(inst.periods, run.solution.periods, strict=True):
        # a corridor base keeps the plan's own chargers: its paths are the rollout's business
        need = _fast_needed(q, run.pairs, sol) if period_model(q) == "fast" else sol.chargers.astype(np.int64)
        floor = need if floor is None else np.minimum(np.maximum(floor, need), sol.chargers)  # lock-in
        out.append((sol, floor))
    return out


def _rollout_precompute(inst):
    """The fast base's pairs, shared by every re-solve; for another base, None: solve_rollout
    computes its own shared data in each re-solve."""
    from siting.fast.pairs import fast_pairs

    return fast_pairs(inst.first) if period_model(inst.first) == "fast" else None


def period_objective_kind(q) -> str:
    if period_model(q) == "fast":
        from siting.fast.model import objective_kind
    else:
        from siting.corridor.model import objective_kind
    return objective_kind(q)


def objective_sense_of(model: str, inst) -> str:
    q = inst.first if model == "rollout" else inst
    if (period_model(q) if model == "rollout" else model) == "corridor":
        from siting.corridor.model import objective_sense
    else:
        from siting.fast.model import objective_sense
    return objective_sense(q)


def _rollout_adapter() -> Adapter:
    from siting.rollout.api import solve_rollout
    from siting.rollout.load import load_rollout

    return Adapter(
        "rollout", load_rollout, _rollout_precompute,
        lambda inst, pairs, options: solve_rollout(inst, options, pairs=pairs),
        lambda inst: [(str(year), q) for year, q in zip(inst.years, inst.periods, strict=True)],
        _rollout_plans,
        lambda inst: period_objective_kind(inst.first))


ADAPTERS = {"fast": _fast_adapter, "corridor": _corridor_adapter, "rollout": _rollout_adapter}


def adapter(model: str) -> Adapter:
    from siting.errors import SitingError

    if model not in ADAPTERS:
        raise SitingError(f"grid needs are computed for fast, corridor and rollout instances, not for '{model}' "
                          "(a park instance: see `siting compare` with a grid headroom scenario)")
    return ADAPTERS[model]()


UNITS = {
    "served_demand": ("sessions/day served", "more"),
    "covered_demand": ("sessions/day within reach", "more"),
    "accessibility": ("accessibility", "more"),
    "weighted_distance": ("demand-weighted distance", "less"),
    "cost": ("EUR", "saved"),
    "refuelled_flow": ("e-trucks/day refuelled", "more"),
    "refuelled_truck_km": ("truck-km/day refuelled", "more"),
}


def gain_unit(model: str, kind: str) -> str:
    unit, _ = UNITS.get(kind, (kind, "more"))
    word = f"{unit} saved" if kind in ("cost", "weighted_distance") else unit
    return f"{word} (weighted sum over the periods)" if model == "rollout" else word
