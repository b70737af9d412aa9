"""Least cost at the same service: the lexicographic second stage after a flow or truck-km optimum.

The flow objectives have no cost term, so the first stage's plan may build more hubs, chargers or
grid items than its service needs, and investment figures of two options would not compare. The
second stage (models/corridor.md, "Least cost at the same service") keeps the first stage's
service and minimises cost: it is the `cost` objective of the same instance with

    sum_q f_q y_q >= (1 - TOL) F1            (required_share = (1 - TOL) F1 / sum_q f_q)     flow
    sum_q f_q L_q y_q >= (1 - TOL) K1        (required_truck_km)                             truck_km

where F1 (K1) is the service of the first stage's plan as the checker measures it. F1 is the
incumbent's value, not the first stage's bound: when the first stage stopped at a gap, its plan
is feasible for the second stage (so the second stage never costs more), whereas the bound may
be no plan's service. TOL = 1e-6 (relative) absorbs the solver's row tolerance (1e-7 absolute on
a sum of about 3 000 trucks/day), no more.

Because the second stage is an ordinary `cost` model, the independent checker (verify.py)
checks its plan like any other: cost, every limit, and the required service.
"""

from __future__ import annotations

from dataclasses import dataclass

from siting.corridor.api import CorridorRun, solve_corridor
from siting.options import SolveOptions

TOL = 1e-6


@dataclass(frozen=True)
class LeastCost:
    """The plan an option reports, and how it came about."""

    run: CorridorRun  # the plan reported: the second stage's, or the first's when it was kept
    first: CorridorRun  # the service-maximising first stage
    second: CorridorRun | None  # None when no second stage ran (objective cost, no plan)
    note: str  # in a planner's words: what the second stage did

    @property
    def saved(self) -> float:
        """EUR the second stage saves against the first stage's plan."""
        if self.second is None or self.run is self.first:
            return 0.0
        return self.first.certificate.kpis["cost"] - self.run.certificate.kpis["cost"]


def second_stage_instance(first: CorridorRun):
    """The `cost` instance that keeps the first stage's service (None for objective cost)."""
    inst, k = first.instance, first.certificate.kpis
    objective = inst.params.objective
    if objective == "cost":
        return None
    if objective == "flow":
        total = float(inst.flow.sum())
        share = min(1.0, (1.0 - TOL) * k["refuelled_flow"] / total) if total > 0 else 0.0
        return inst.with_params(objective="cost", required_share=share, required_truck_km=None)
    return inst.with_params(objective="cost", required_share=None,
                            required_truck_km=(1.0 - TOL) * k["refuelled_truck_km"])


def least_cost(first: CorridorRun, options: SolveOptions) -> LeastCost:
    """Solve the second stage after `first`; keep the first stage's plan when the second finds
    nothing cheaper (it starts from that plan, so with a proof it always finds one as cheap)."""
    if first.solution is None or first.status == "error" or first.certificate is None:
        return LeastCost(first, first, None, "no plan, no least-cost stage")
    inst = second_stage_instance(first)
    if inst is None:
        return LeastCost(first, first, None, "objective cost: the plan is the least cost already")
    second = solve_corridor(inst, options, paths=first.paths, warm_start=first.result.x)
    second.source = first.source
    cost1 = first.certificate.kpis["cost"]
    if second.solution is None or second.status == "error" or second.certificate.kpis["cost"] > cost1 + 1e-6:
        why = second.result.message or second.status
        return LeastCost(first, first, second, f"least-cost stage found no cheaper plan ({why}); first-stage plan kept")
    saved = cost1 - second.certificate.kpis["cost"]
    proof = "" if second.status == "optimal" else f" (stopped: {second.status}, gap {_pct(second.result.gap)})"
    note = (f"least cost at the same service: EUR {saved:,.0f} less than the flow-only plan{proof}" if saved > 0.5
            else f"least cost at the same service: the flow-only plan is the cheapest already{proof}")
    return LeastCost(second, first, second, note)


def _pct(gap: float | None) -> str:
    return "unknown" if gap is None else f"{100 * gap:.2g} %"


__all__ = ["LeastCost", "TOL", "least_cost", "second_stage_instance"]
