"""Why energy is not delivered: each company's shortfall u*_k split into what its dwell window,
the grid and connections, and the penalty leave unmet (models/park.md, "Why energy is not
delivered"), read from re-solves of the same model with the same SolveOptions, not guessed.

With u* the least-cost plan's unmet energy and window_k = max(E_k - Pmax_k h |W_k|, 0) (what no
plan can deliver in the window at full power), two re-solves run, and only when some company
misses energy beyond its window (a plan without such a shortfall costs nothing extra):

1. *max delivery*: min sum_k u_k s.t. the run's model (a copy, with any bound a scenario put on
   it) and u_k <= u*_k, from the least-cost plan as the MIP start. Its optimum U' is the most
   energy the grid headroom, the connection tiers, chargers and land can deliver without
   delivering less to any company than the least-cost plan does.
2. *cheapest max delivery*: the model's own objective s.t. the model, u_k <= u*_k and
   sum_k u_k <= U', from plan 1 as the start: the cheapest plan that delivers that much (u2).

Per company, the three parts sum to u*_k:

    window_k   = min(window_k, u*_k)      no plan delivers it
    grid_k     = u2_k - window_k          stays unmet at any penalty, given what the others get
    economic_k = u*_k - u2_k              plan 2 delivers it; the penalty is cheaper

and serving the economic energy costs on average, per kWh,

    (C2 - C*) / (days (U* - U2))          C = annual cost without the penalty (cost_breakdown)

which is >= pi when the least-cost plan is optimal; above that penalty plan 2 is cheaper than the
least-cost plan, so the least-cost plan delivers more (part of it may pay at a lower penalty: the
figure is the average of the two plans, not a per-company price).

"Given what the others get" is the reading per company: a plan that serves B instead of A
(delivering more in total) counts B's energy as grid, not economic, so the economic part is
never overstated. The attribution is `exact` when the least-cost plan and both re-solves are
proven optimal, otherwise `bounded`: grid is then an upper bound and economic a lower bound, with
`economic_at_most` from plan 1's best bound.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from siting.formulation import Formulation
from siting.options import SolveOptions
from siting.park.extract import extract_park
from siting.park.instance import ParkInstance
from siting.park.model import ParkIndex
from siting.park.solution import ParkSolution
from siting.park.verify import grid_load_kw, verify_park
from siting.solve import SolveResult, solve


class SolvedPark(Protocol):
    """What the attribution reads of a run: a park/api.py ParkRun (not imported here, as its
    `shortfall` is this module's attribute_shortfall)."""

    instance: ParkInstance
    formulation: Formulation
    index: ParkIndex
    result: SolveResult
    solution: ParkSolution | None
    options: SolveOptions | None

    @property
    def status(self) -> str: ...


TOL_KWH = (
    1e-6  # kWh/day, relative to the day's demand (at least 1 kWh): below this, nothing is unmet
)


@dataclass
class Shortfall:
    """The split of each company's unmet energy (kWh/day) and how sure it is."""

    unmet: np.ndarray  # u*_k of the least-cost plan
    window: np.ndarray
    grid: np.ndarray
    economic: np.ndarray
    status: str  # "exact" or "bounded"
    penalty: float | None  # pi, EUR/kWh
    cost_per_kwh: float | None = None  # (C2 - C*) / (days (U* - U2)); None without economic energy
    extra_cost: float | None = None  # C2 - C*, EUR/year
    cost_upper_bound: bool = False  # plan 2 not proven cheapest (or plan 1 priced): "at most"
    economic_at_most: float | None = None  # kWh/day, an upper bound of sum economic when bounded
    grid_areas_full: list[list[str]] = field(
        default_factory=list
    )  # per company: areas at their limit
    notes: list[str] = field(default_factory=list)  # why the attribution is bounded
    solves: list[dict] = field(
        default_factory=list
    )  # the re-solves: stage, status, objective, bound, s

    @property
    def seconds(self) -> float:
        return float(sum(s["seconds"] for s in self.solves))

    def totals(self) -> dict[str, float]:
        return {
            "window": float(self.window.sum()),
            "grid": float(self.grid.sum()),
            "economic": float(self.economic.sum()),
        }


def window_shortfall(inst: ParkInstance) -> np.ndarray:
    """[K] kWh/day beyond what each company's window takes at full power: E_k - Pmax_k h |W_k|."""
    return np.maximum(inst.energy_kwh - inst.max_energy(), 0.0)


# -- the re-solved models -------------------------------------------------------------------------
def max_delivery_model(form: Formulation, unmet: np.ndarray) -> Formulation:
    """Stage 1, from the run's own model (a copy: any bound a scenario set on it stays):
    min sum_k u_k s.t. the park model and u_k <= u*_k (no other cost)."""
    form = copy.deepcopy(form)
    for block in form.vars.values():
        block.cost = np.zeros(block.size)
    u = form.vars["u"]
    u.cost = np.ones(u.size)
    u.ub = np.minimum(u.ub, np.maximum(unmet, 0.0))
    return form


def cheapest_delivery_model(
    form: Formulation, inst: ParkInstance, unmet: np.ndarray, total: float
) -> Formulation:
    """Stage 2, from a copy of the run's model: its objective s.t. the park model, u_k <= u*_k and
    sum_k u_k <= total, with u priced above any energy price (days (pi + max_t price_t) + 1 per
    kWh) so that the solver's slack in `total` is never spent on leaving energy undelivered to
    save its price (the plan is priced by the checker, not by this objective)."""
    form = copy.deepcopy(form)
    u = form.vars["u"]
    u.ub = np.minimum(u.ub, np.maximum(unmet, 0.0))
    p = inst.params
    u.cost = np.full(
        u.size,
        p.days_per_year * ((p.unmet_penalty or 0.0) + float(inst.price.max(initial=0.0))) + 1.0,
    )
    form.add_constraint(
        "delivery",
        1,
        [(u, np.zeros(u.size, int), np.arange(u.size), 1.0)],
        upper=total,
        doc="deliver at least what the max-delivery plan delivers",
        labels=["max_delivery"],
    )
    return form


def _record(stage: str, result: SolveResult) -> dict:
    return {
        "stage": stage,
        "status": result.status,
        "objective": result.objective,
        "best_bound": result.best_bound,
        "seconds": round(result.seconds, 4),
        "message": result.message,
    }


def _cost_without_penalty(inst: ParkInstance, form: Formulation, idx: ParkIndex, x: np.ndarray):
    """(annual cost without the penalty, u per company, the plan) as the checker recomputes them;
    None when the checker finds a violation."""
    sol = extract_park(form, inst, idx, x)
    cert = verify_park(inst, sol)
    if cert.violations:
        return None
    return cert.objective - cert.kpis["cost_unmet_penalty"], sol.unmet, sol


def _areas_full(inst: ParkInstance, sol, companies: np.ndarray) -> list[list[str]]:
    """Per company: the grid areas it can charge in (its squares within reach, its own connection)
    that are at their headroom in a slot of its window, in the plan `sol`."""
    if inst.grid is None or sol is None:
        return [[] for _ in companies]
    load, limit = grid_load_kw(inst, sol), np.maximum(inst.headroom_kw, 0.0)
    full = load >= limit - 1e-6 * (1.0 + limit)
    has_own = inst.has_own
    out = []
    for k in companies:
        areas = set(inst.square_grid[inst.pair_square[inst.pair_company == k]].tolist())
        if has_own[k]:
            areas.add(int(inst.company_grid[k]))
        out.append(
            [
                str(inst.grid.ids[g])
                for g in sorted(areas)
                if g >= 0 and np.any(full[g] & inst.window[k])
            ]
        )
    return out


# -- the attribution ------------------------------------------------------------------------------
RESOLVE_MIN_SECONDS = 10.0


def resolve_options(options: SolveOptions, plan_seconds: float) -> SolveOptions:
    """The re-solves' options: the run's, each re-solve capped at the plan's own solve time (at
    least 10 s), so explaining a plan never takes several times as long as finding it (on
    rijssen-holten-park the two re-solves took 131 s after a 35 s solve). One that stops at the
    cap makes the split `bounded`, and says so."""
    from dataclasses import replace

    cap = max(RESOLVE_MIN_SECONDS, float(plan_seconds))
    return options if options.time_limit <= cap else replace(options, time_limit=cap)


def attribute_shortfall(run: SolvedPark, options: SolveOptions | None = None) -> Shortfall | None:
    """The split of the run's unmet energy per company (None without a plan). `options`: those of
    the re-solves (default: the run's own, `run.options`). `run.shortfall` is this, computed once."""
    inst, sol = run.instance, run.solution
    if sol is None:
        return None
    K = inst.n_companies
    unmet = np.maximum(sol.unmet, 0.0)
    window = np.minimum(window_shortfall(inst), unmet)
    tol = TOL_KWH * max(1.0, float(inst.energy_kwh.sum()))
    penalty = inst.params.unmet_penalty
    out = Shortfall(
        unmet=unmet,
        window=window,
        grid=np.zeros(K),
        economic=np.zeros(K),
        status="exact",
        penalty=penalty,
    )
    if run.status != "optimal":
        out.status = "bounded"
        out.notes.append(
            f"the least-cost plan is not proven optimal ({run.status}): part of the economic "
            "shortfall may be the solver's, not the penalty's"
        )
    if penalty is None or float((unmet - window).sum()) <= tol:
        return out
    options = run.options if options is None else options
    if options is None:
        raise ValueError("the shortfall re-solves need the run's SolveOptions: pass them, or solve with solve_park")
    options = resolve_options(options, run.result.seconds)
    idx, x0 = run.index, run.result.x
    base = _cost_without_penalty(inst, run.formulation, idx, x0)
    # stage 1: the most energy deliverable on top of the least-cost plan
    first = solve(max_delivery_model(run.formulation, unmet), options, x0)
    out.solves.append(_record("max_delivery", first))
    left = unmet if first.x is None else np.clip(run.formulation.values(first.x, "u"), 0.0, unmet)
    bound = max(first.best_bound if first.best_bound is not None else 0.0, float(window.sum()))
    out.economic_at_most = max(0.0, float(unmet.sum()) - bound)
    if first.status != "optimal":
        out.status = "bounded"
        out.notes.append(
            f"the max-delivery re-solve ended {first.status}: the grid part is an upper bound, the "
            f"economic part a lower bound (at most {out.economic_at_most:,.1f} kWh/day)"
        )
    plan = sol
    if first.x is not None and float((unmet - left).sum()) > tol:
        plan = extract_park(run.formulation, inst, idx, first.x)
        # stage 2: the cheapest plan that delivers that much
        form2 = cheapest_delivery_model(
            run.formulation, inst, unmet, float(left.sum()) + 1e-3 * tol
        )
        second = solve(form2, options, first.x)
        out.solves.append(_record("cheapest_max_delivery", second))
        priced = None if second.x is None else _cost_without_penalty(inst, form2, idx, second.x)
        if second.status != "optimal":
            out.status, out.cost_upper_bound = "bounded", True
            out.notes.append(
                f"the cheapest max-delivery re-solve ended {second.status}: the cost per kWh is an "
                "upper bound"
            )
        if priced is None:  # price plan 1 instead: an upper bound of plan 2's cost
            priced = _cost_without_penalty(inst, run.formulation, idx, first.x)
            out.cost_upper_bound = True
            if second.status == "optimal":
                out.status = "bounded"
                out.notes.append(
                    "the checker did not confirm the cheapest max-delivery plan: plan 1 is priced"
                )
        if priced is not None and base is not None:
            cost2, left, plan = priced[0], np.clip(priced[1], 0.0, unmet), priced[2]
            extra = float((unmet - left).sum())
            out.extra_cost = cost2 - base[0]
            out.cost_per_kwh = (
                out.extra_cost / (inst.params.days_per_year * extra) if extra > tol else None
            )
    left = np.maximum(left, window)
    small = tol / max(K, 1)
    out.grid = np.where(left - window > small, left - window, 0.0)
    out.economic = np.where(unmet - left > small, unmet - left, 0.0)
    out.grid_areas_full = _areas_full(inst, plan, np.arange(K))
    return out
