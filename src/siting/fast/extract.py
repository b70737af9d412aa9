"""Between the solver's column vector and a `FastSolution`, both ways: read an answer back, or
state a plan (a heuristic's, a reduced model's) in the columns of a formulation."""

from __future__ import annotations

import numpy as np

from siting.fast.instance import FastInstance
from siting.fast.model import radius_levels
from siting.fast.solution import FastSolution, nearest_open_assignment, pairs_open_count
from siting.formulation import Formulation
from siting.precompute import Pairs


def extract_fast(form: Formulation, inst: FastInstance, x: np.ndarray, pairs: Pairs | None = None) -> FastSolution:
    """Round the integer parts (they are integral within solver tolerance) into a solution.

    The radius p-median has no z: each point goes to its nearest open site (needs `pairs`)."""
    n_grid = inst.grid.size if inst.grid is not None else 0
    upgrades = np.zeros(n_grid, bool)
    if "u" in form.vars:
        upgrades[inst.grid.upgradable] = form.values(x, "u") > 0.5
    is_open = form.values(x, "x") > 0.5
    if "z" in form.vars:
        assignment = np.clip(form.values(x, "z"), 0.0, 1.0)
    elif "s" in form.vars:
        if pairs is None:
            raise ValueError("the radius p-median needs the pairs to state the assignment")
        assignment = nearest_open_assignment(pairs, is_open)
    else:
        assignment = None
    return FastSolution(
        open=is_open,
        chargers=np.round(form.values(x, "n")).astype(np.int64),
        upgrades=upgrades,
        assignment=assignment,
        covered=np.clip(form.values(x, "y"), 0.0, 1.0) if "y" in form.vars else None,
    )


def radius_vector(inst: FastInstance, pairs: Pairs, is_open: np.ndarray) -> np.ndarray:
    """s_i^k = 1 exactly when no open site lies within D_i^k (the least s the chain rows allow)."""
    levels = radius_levels(inst, pairs)
    nearest = np.full(pairs.n_demand, np.inf)
    k = np.flatnonzero(is_open[pairs.indices])
    np.minimum.at(nearest, pairs.row_ids()[k], pairs.distance[k])
    s = nearest[levels.demand] > levels.distance
    return s[levels.has_var].astype(float)


def solution_vector(form: Formulation, inst: FastInstance, pairs: Pairs, sol: FastSolution) -> np.ndarray:
    """The column vector of a solution (for warm starts and feasibility checks)."""
    x = np.zeros(form.n_cols)

    def put(name: str, values: np.ndarray) -> None:
        v = form.vars[name]
        x[v.offset : v.offset + v.size] = values

    put("x", sol.open.astype(float))
    put("n", sol.chargers.astype(float))
    if "u" in form.vars:
        put("u", sol.upgrades[inst.grid.upgradable].astype(float))
    if "y" in form.vars:
        put("y", np.minimum(1.0, pairs_open_count(pairs, sol.open)))
    if "z" in form.vars and sol.assignment is not None:
        put("z", sol.assignment)
    if "s" in form.vars:
        put("s", radius_vector(inst, pairs, sol.open))
    return x
