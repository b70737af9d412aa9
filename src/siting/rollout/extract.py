"""Between the joined model's column vector and a `RolloutSolution`, both ways: each period's
slice read back by the base model's own extract, or each period's plan stated in its columns."""

from __future__ import annotations

import numpy as np

from siting.rollout.bases import base_of
from siting.rollout.instance import RolloutInstance
from siting.rollout.model import Stacked
from siting.rollout.solution import RolloutSolution


def extract_rollout(stacked: Stacked, inst: RolloutInstance, x: np.ndarray, data) -> RolloutSolution:
    base = base_of(inst.base)
    return RolloutSolution(tuple(base.extract(stacked.periods[t], q, stacked.period_vector(x, t), data)
                                 for t, q in enumerate(inst.periods)))


def rollout_vector(stacked: Stacked, inst: RolloutInstance, data, sol: RolloutSolution,
                   own: list[np.ndarray | None] | None = None) -> np.ndarray:
    """The plan as the joined model's columns; `own[t]`: period t's column vector from its own
    solve (the year-by-year plan), which the corridor base starts from."""
    base = base_of(inst.base)
    own = own if own is not None else [None] * inst.n_periods
    return stacked.join([base.vector(stacked.periods[t], q, data, s, own[t])
                         for t, (q, s) in enumerate(zip(inst.periods, sol.periods))])
