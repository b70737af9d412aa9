"""Why is a model infeasible? Relax one constraint family at a time (elastic slacks).

For each family, the rows get slacks s >= 0 and the total slack is minimised with every other
family kept hard. A family whose relaxation makes the model feasible is a cause; the rows with
positive slack, named by their labels (grid area ids, demand ids), say where. This works on any
`Formulation`; model-specific screens (siting.fast.api) put it in planners' words first.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from siting.formulation import ConBlock, Formulation
from siting.options import SolveOptions
from siting.solve import solve

MAX_ROWS = 10


@dataclass
class Conflict:
    family: str
    doc: str
    rows: list[tuple[str, float]] = field(default_factory=list)  # (label, violation needed)

    def sentence(self) -> str:
        where = ", ".join(f"{label} (by {amount:.4g})" for label, amount in self.rows[:MAX_ROWS])
        more = f" and {len(self.rows) - MAX_ROWS} more" if len(self.rows) > MAX_ROWS else ""
        return f"relaxing '{self.family}' ({self.doc}) makes the plan feasible; it must give at: {where}{more}"


def with_elastic_family(form: Formulation, family: str) -> Formulation:
    """A copy of `form` minimising the slack of one family; the other rows stay hard."""
    relaxed = Formulation(name=f"{form.name}-elastic-{family}", sense="min")
    for name, v in form.vars.items():
        relaxed.vars[name] = replace(v, cost=np.zeros(v.size))
    block = form.cons[family]
    n = block.size
    lo = relaxed.add_var("slack_lo", n, ub=np.where(np.isfinite(block.lower), np.inf, 0.0), cost=1.0)
    up = relaxed.add_var("slack_up", n, ub=np.where(np.isfinite(block.upper), np.inf, 0.0), cost=1.0)
    r = np.arange(n)
    for name, c in form.cons.items():
        if name != family:
            relaxed.cons[name] = c
            continue
        relaxed.cons[name] = ConBlock(
            c.name, c.size, c.offset,
            np.concatenate([c.rows, r, r]),
            np.concatenate([c.cols, lo.offset + r, up.offset + r]),
            np.concatenate([c.coefs, np.ones(n), -np.ones(n)]),
            c.lower, c.upper, c.doc, c.labels,
        )
    return relaxed


def elastic_conflicts(form: Formulation, options: SolveOptions, time_limit: float = 30.0) -> list[Conflict]:
    conflicts = []
    quick = replace(options, time_limit=min(time_limit, options.time_limit), warm_start=False)
    for family, block in form.cons.items():
        relaxed = with_elastic_family(form, family)
        result = solve(relaxed, quick)
        if result.x is None:
            continue
        slack = relaxed.values(result.x, "slack_lo") + relaxed.values(result.x, "slack_up")
        rows = np.flatnonzero(slack > 1e-6)
        if not len(rows):
            continue
        labels = block.labels if block.labels is not None else np.array([f"row {k}" for k in range(block.size)], dtype=object)
        order = rows[np.argsort(-slack[rows], kind="stable")]
        conflicts.append(Conflict(family, block.doc, [(str(labels[k]), float(slack[k])) for k in order]))
    return conflicts
