"""Typed solutions and KPIs of the fast model, read back from the solver's column vector."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.instance import FastInstance
from siting.models.formulation import Formulation
from siting.precompute import Pairs


@dataclass(frozen=True)
class FastSolution:
    open: np.ndarray  # bool[J]
    chargers: np.ndarray  # int[J]
    upgrades: np.ndarray  # bool[G]: upgrade bought per grid area
    assignment: np.ndarray | None  # z per pair (pmedian, capacitated)
    covered: np.ndarray | None  # y per demand point (mclp)


def extract_fast(form: Formulation, inst: FastInstance, x: np.ndarray) -> FastSolution:
    """Round the integer parts (they are integral within solver tolerance) into a solution."""
    n_grid = inst.grid.size if inst.grid is not None else 0
    upgrades = np.zeros(n_grid, bool)
    if "u" in form.vars:
        upgrades[inst.grid.upgradable] = form.values(x, "u") > 0.5
    return FastSolution(
        open=form.values(x, "x") > 0.5,
        chargers=np.round(form.values(x, "n")).astype(np.int64),
        upgrades=upgrades,
        assignment=np.clip(form.values(x, "z"), 0.0, 1.0) if "z" in form.vars else None,
        covered=np.clip(form.values(x, "y"), 0.0, 1.0) if "y" in form.vars else None,
    )


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
    return x


def pairs_open_count(pairs: Pairs, is_open: np.ndarray) -> np.ndarray:
    """Number of open sites within reach of each demand point."""
    rows = np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))
    return np.bincount(rows, weights=is_open[pairs.indices].astype(float), minlength=pairs.n_demand)
