"""Planning year by year (myopic): period t is solved alone, with everything built before it
fixed (sites open, chargers at least as many, upgrades bought). Its plan is always feasible for
the joined model (it keeps lock-in and every period's own rows), so it is also the warm start;
the difference of the two objectives is the value of planning ahead."""

from __future__ import annotations

import numpy as np

from siting.fast.extract import extract_fast
from siting.fast.model import build_fast
from siting.formulation import Formulation
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.rollout.instance import RolloutInstance
from siting.rollout.solution import RolloutSolution
from siting.solve import SolveResult, solve


def solve_myopic(inst: RolloutInstance, pairs: Pairs, options: SolveOptions
                 ) -> tuple[RolloutSolution | None, list[SolveResult]]:
    """The year-by-year plan (None when a year has no feasible plan) and each year's solve."""
    plans, results = [], []
    for q in inst.periods:
        form = build_fast(q, pairs)
        if plans:
            fix_built(form, plans[-1], q)
        result = solve(form, options)
        results.append(result)
        if result.x is None:
            return None, results
        plans.append(extract_fast(form, q, result.x, pairs))
    return RolloutSolution(tuple(plans)), results


def fix_built(form: Formulation, before, inst) -> None:
    """What the earlier years built stays: lower bounds on x, n and u."""
    form.vars["x"].lb = np.maximum(form.vars["x"].lb, before.open.astype(float))
    form.vars["n"].lb = np.maximum(form.vars["n"].lb, before.chargers.astype(float))
    if "u" in form.vars:
        bought = np.asarray(before.upgrades, bool)[inst.grid.upgradable]
        form.vars["u"].lb = np.maximum(form.vars["u"].lb, bought.astype(float))
