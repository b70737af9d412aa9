"""`run_whitespots`: load, classify, LSCP of the plan-map locations (on the fast model), per municipality.

Why an analysis command and not a fourth model: the optimisation in it is exactly the fast model's
LSCP, so it is solved by `siting.fast` (one formulation, one checker); what is new is the reading of
CBS cells and plan maps, the categories and the reports. A model would need its own formulation,
verifier and sweep support for no new mathematics.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from siting.fast.api import FastRun
from siting.options import SolveOptions
from siting.pipeline import Phases
from siting.whitespots.classify import Classification, classify
from siting.whitespots.instance import WhitespotsInstance
from siting.whitespots.lscp import FillProblem, solve_fill


@dataclass(kw_only=True)
class WhitespotsRun:
    instance: WhitespotsInstance
    classes: Classification
    lscp: FastRun | None  # None when no white spot can be filled by a plan-map location
    candidates: np.ndarray  # plan-map location index of each LSCP site
    cells: np.ndarray  # cell index of each LSCP demand row
    chosen: np.ndarray  # bool per plan-map location: in the LSCP's set
    times: dict[str, float] = field(default_factory=dict)
    source: Path | None = None

    @property
    def status(self) -> str:
        return self.lscp.status if self.lscp is not None else "optimal"


def fill_problem(inst: WhitespotsInstance, classes: Classification) -> tuple[FillProblem, np.ndarray, np.ndarray]:
    """White spots in (a) or (b) with a usable plan-map location within reach, and those locations."""
    pairs, usable = classes.pairs, classes.state.usable
    fillable = classes.white & np.isin(classes.category, ("a", "b"))
    rows = pairs.row_ids()
    keep = fillable[rows] & usable[pairs.indices]
    cells = np.unique(rows[keep])
    locations = np.unique(pairs.indices[keep])
    p = inst.params
    problem = FillProblem(
        name=f"{inst.name}-lscp", cell_ids=inst.cell_ids[cells], households=inst.households[cells],
        location_ids=inst.plan_ids[locations], cost=np.full(len(locations), p.cost_per_location),
        points=p.points_per_location, kw_per_point=p.kw_per_point, simultaneity=p.simultaneity, radius=p.reach_m,
        cell_xy=inst.cell_centre[cells], location_xy=inst.plan_xy[locations], grid=inst.grid,
        location_grid=inst.plan_grid[locations], crs=inst.crs)
    return problem, cells, locations


def run_whitespots(instance: WhitespotsInstance | str | Path, options: SolveOptions = SolveOptions(),
                   overrides: list[str] | None = None) -> WhitespotsRun:
    from siting.whitespots.load import load_whitespots

    clock = Phases()
    source = None
    if not isinstance(instance, WhitespotsInstance):
        source = Path(instance)
        source = source.parent if source.name == "instance.toml" else source
        instance = load_whitespots(source, overrides)
    clock.end("load")
    classes = classify(instance)
    clock.end("classify")
    problem, cells, locations = fill_problem(instance, classes)
    run = solve_fill(problem, options) if len(cells) else None
    clock.end("lscp")
    chosen = np.zeros(len(instance.plan_ids), bool)
    if run is not None and run.solution is not None:
        chosen[locations[run.solution.open]] = True
    return WhitespotsRun(instance=instance, classes=classes, lscp=run, candidates=locations, cells=cells,
                         chosen=chosen, times=clock.total(), source=source)
