"""Read a corridor answer back from the solver's column vector into a `CorridorSolution`."""

from __future__ import annotations

import numpy as np

from siting.corridor.instance import CorridorInstance
from siting.corridor.model import assignment_pairs
from siting.corridor.solution import CorridorSolution
from siting.formulation import Formulation
from siting.precompute.paths import Paths


def extract_corridor(form: Formulation, inst: CorridorInstance, paths: Paths, x: np.ndarray) -> CorridorSolution:
    n_grid = inst.grid.size if inst.grid is not None else 0
    upgrades = np.zeros(n_grid, bool)
    if "u" in form.vars:
        upgrades[inst.grid.upgradable] = form.values(x, "u") > 0.5
    pairs = assignment_pairs(inst, paths)
    return CorridorSolution(
        open=form.values(x, "x") > 0.5,
        chargers=np.round(form.values(x, "n")).astype(np.int64),
        upgrades=upgrades,
        refuelled=np.clip(form.values(x, "y"), 0.0, 1.0),
        path_refuelled=np.clip(form.values(x, "v"), 0.0, 1.0) if "v" in form.vars else None,
        assignment=np.clip(form.values(x, "z"), 0.0, 1.0) if "z" in form.vars else None,
        assignment_pairs=pairs,
    )
