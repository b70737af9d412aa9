"""The LSCP of the plan-map locations: the fewest locations that fill every fillable white spot, solved
by the `fast` model itself (objective lscp) - the same pairs kernel, exact reductions, formulation
(`build_fast`: cover rows, chargers, the shared grid family), HiGHS run and independent checker
(`verify_fast`) that prove the OR-Library set-covering optima. Nothing of it is copied here: this
module only states the white-spot problem as a FastInstance.

`solve_fill` is the one entry point; tests/whitespots/test_lscp.py solves OR-Library scp41 through it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.fast.api import FastRun, solve_fast
from siting.fast.instance import FastInstance
from siting.fast.params import FastParams
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.resources import GridAreas


@dataclass(frozen=True)
class FillProblem:
    """Cells to fill (demand i) and locations that may fill them (sites j); `pairs` (coverage) when given,
    else the cells and locations within `radius` of each other (xy, the shared kernel)."""

    name: str
    cell_ids: np.ndarray
    households: np.ndarray  # w_i: only reported (every coverable cell must be filled)
    location_ids: np.ndarray
    cost: np.ndarray  # f_j
    points: int = 1  # chargers at an opened location (nmin = nmax)
    kw_per_point: float = 0.0  # P
    simultaneity: float = 1.0  # s
    radius: float | None = None
    cell_xy: np.ndarray | None = None
    location_xy: np.ndarray | None = None
    pairs: Pairs | None = None
    grid: GridAreas | None = None
    location_grid: np.ndarray | None = None  # g(j), -1 outside every area
    crs: str | None = None


def fill_instance(problem: FillProblem) -> FastInstance:
    """The fill problem as an lscp FastInstance: all sites new, one location = `points` chargers."""
    n = len(problem.location_ids)
    params = FastParams(objective="lscp", radius=problem.radius, kw_per_charger=problem.kw_per_point,
                        simultaneity=problem.simultaneity, min_chargers=problem.points)
    grid_of_site = problem.location_grid if problem.location_grid is not None else np.full(n, -1, dtype=np.int64)
    return FastInstance(
        name=problem.name, params=params,
        demand_ids=np.asarray(problem.cell_ids, dtype=object), weight=np.asarray(problem.households, dtype=float),
        site_ids=np.asarray(problem.location_ids, dtype=object), is_existing=np.zeros(n, bool),
        fixed_cost=np.asarray(problem.cost, dtype=float), cost_per_charger=np.zeros(n),
        existing_chargers=np.zeros(n, dtype=np.int64), max_chargers=np.full(n, problem.points, dtype=np.int64),
        land_m2=np.full(n, np.inf), grid_of_site=np.asarray(grid_of_site, dtype=np.int64), grid=problem.grid,
        demand_xy=problem.cell_xy, site_xy=problem.location_xy,
        given_pairs=problem.pairs, given_pairs_are_coverage=problem.pairs is not None, crs=problem.crs)


def solve_fill(problem: FillProblem, options: SolveOptions = SolveOptions()) -> FastRun:
    """The LSCP solved by siting.fast (load, pairs, reductions, build, warm start, HiGHS, checker)."""
    return solve_fast(fill_instance(problem), options)
