"""Planning year by year (myopic): period t is solved alone, with everything built before it
fixed (sites open, chargers at least as many, upgrades bought). Its plan is always feasible for
the joined model (it keeps lock-in and every period's own rows), so it is also the warm start;
the difference of the two objectives is the value of planning ahead."""

from __future__ import annotations

from siting.options import SolveOptions
from siting.rollout.adapter import fix_built
from siting.rollout.bases import base_of
from siting.rollout.instance import RolloutInstance
from siting.rollout.solution import RolloutSolution
from siting.solve import SolveResult, solve


def solve_myopic(inst: RolloutInstance, data, options: SolveOptions
                 ) -> tuple[RolloutSolution | None, list[SolveResult]]:
    """The year-by-year plan (None when a year has no feasible plan) and each year's solve."""
    base = base_of(inst.base)
    plans, results = [], []
    for q in inst.periods:
        form = base.build(q, data)
        if plans:
            fix_built(form, plans[-1], q)
        result = solve(form, options)
        results.append(result)
        if result.x is None:
            return None, results
        plans.append(base.extract(form, q, result.x, data))
    return RolloutSolution(tuple(plans)), results


__all__ = ["fix_built", "solve_myopic"]
