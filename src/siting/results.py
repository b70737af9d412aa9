"""Typed solutions and KPIs of the fast model, read back from the solver's column vector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.instance import FastInstance
from siting.models.fast import radius_levels
from siting.models.formulation import Formulation
from siting.precompute import Pairs


@dataclass(frozen=True)
class FastSolution:
    open: np.ndarray  # bool[J]
    chargers: np.ndarray  # int[J]
    upgrades: np.ndarray  # bool[G]: upgrade bought per grid area
    assignment: np.ndarray | None  # z per pair (pmedian: nearest open site; capacitated)
    covered: np.ndarray | None  # y per demand point (mclp)


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


def nearest_open_assignment(pairs: Pairs, is_open: np.ndarray) -> np.ndarray:
    """z_ij = 1 for the nearest open site of each point (ties: lowest site index), else 0.

    Points with no open site in N_i stay unassigned (only possible for accessibility)."""
    rows = pairs.row_ids()
    k = np.flatnonzero(is_open[pairs.indices])
    k = k[np.lexsort((pairs.indices[k], pairs.distance[k], rows[k]))]
    first = np.ones(len(k), bool)
    first[1:] = rows[k][1:] != rows[k][:-1]
    z = np.zeros(pairs.nnz)
    z[k[first]] = 1.0
    return z


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


def pairs_open_count(pairs: Pairs, is_open: np.ndarray) -> np.ndarray:
    """Number of open sites within reach of each demand point."""
    rows = np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))
    return np.bincount(rows, weights=is_open[pairs.indices].astype(float), minlength=pairs.n_demand)
