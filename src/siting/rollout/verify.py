"""Independent check of a rollout plan: every period's plan by the fast model's checker (its own
demand, headroom H_gt, p_t and B_t), lock-in between periods, and the objective recomputed from
the plan (sum_t omega_t * objective_t, or the discounted cost increments)."""

from __future__ import annotations

import numpy as np

from siting.checks import Certificate
from siting.fast.verify import verify_fast
from siting.precompute import Pairs
from siting.rollout.instance import RolloutInstance
from siting.rollout.solution import RolloutSolution


def verify_rollout(inst: RolloutInstance, pairs: Pairs, sol: RolloutSolution) -> Certificate:
    checks = [verify_fast(q, pairs, s) for q, s in zip(inst.periods, sol.periods)]
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
    if inst.first.params.objective == "lscp" or (inst.first.params.objective == "capacitated"
                                                 and inst.first.params.serve_all):
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
