"""Independent check of a rollout plan: every period's plan by the base model's own checker
(fast: verify_fast, corridor: verify_corridor, the round-trip simulation; each with that
period's demand or flows, headroom H_gt, p_t and B_t), lock-in between periods, and the
objective recomputed from the plan (sum_t omega_t * objective_t, or the discounted cost
increments). Nothing of the formulation or the base model's code is used."""

from __future__ import annotations

import numpy as np

from siting.checks import Certificate
from siting.corridor.verify import verify_corridor
from siting.fast.verify import verify_fast
from siting.rollout.instance import RolloutInstance
from siting.rollout.solution import RolloutSolution


def check_period(inst: RolloutInstance, data, q, sol) -> Certificate:
    """The base's checker on one period; `data`: fast the pairs, corridor the shared paths."""
    if inst.base == "corridor":
        return verify_corridor(q, data.paths, sol)
    return verify_fast(q, data, sol)


def counts_cost(inst: RolloutInstance) -> bool:
    """The objective is a cost (discounted increments), read from the parameters."""
    p = inst.first.params
    if inst.base == "corridor":
        return p.objective == "cost"
    return p.objective == "lscp" or (p.objective == "capacitated" and p.serve_all)


def verify_rollout(inst: RolloutInstance, data, sol: RolloutSolution) -> Certificate:
    checks = [check_period(inst, data, q, s) for q, s in zip(inst.periods, sol.periods)]
    years = inst.years
    violations = [f"{years[t]}: {v}" for t, c in enumerate(checks) for v in c.violations]
    for t in range(inst.n_periods - 1):
        now, later = sol.periods[t], sol.periods[t + 1]
        if np.any(now.open & ~later.open):
            violations.append(f"lock-in: {int(np.sum(now.open & ~later.open))} sites open in {years[t]} "
                              f"are closed in {years[t + 1]}")
        if np.any(now.chargers > later.chargers):
            violations.append(f"lock-in: chargers removed between {years[t]} and {years[t + 1]}")
        if np.any(np.asarray(now.upgrades, bool) & ~np.asarray(later.upgrades, bool)):
            violations.append(f"lock-in: a grid upgrade of {years[t]} is gone in {years[t + 1]}")
    per_period = np.array([c.objective for c in checks])
    if counts_cost(inst):
        delta = inst.discount()
        objective = float(np.sum((delta - np.r_[delta[1:], 0.0]) * per_period))
    else:
        objective = float(inst.period_weights() @ per_period)
    kpis = {"periods": int(inst.n_periods),
            "by_period": {int(y): c.kpis for y, c in zip(years, checks)},
            "period_objectives": {int(y): float(v) for y, v in zip(years, per_period)},
            **{k: v for k, v in checks[-1].kpis.items()}}  # the last year's figures, for tables
    return Certificate(objective=objective, kpis=kpis, violations=violations,
                       details={"periods": checks})
