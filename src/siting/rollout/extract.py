"""Between the joined model's column vector and a `RolloutSolution`, both ways: each period's
slice read back by the fast model's own extract, or each period's plan stated in its columns."""

from __future__ import annotations

import numpy as np

from siting.fast.extract import extract_fast, solution_vector
from siting.precompute import Pairs
from siting.rollout.instance import RolloutInstance
from siting.rollout.model import Stacked
from siting.rollout.solution import RolloutSolution


def extract_rollout(stacked: Stacked, inst: RolloutInstance, x: np.ndarray, pairs: Pairs) -> RolloutSolution:
    return RolloutSolution(tuple(extract_fast(stacked.periods[t], q, stacked.period_vector(x, t), pairs)
                                 for t, q in enumerate(inst.periods)))


def rollout_vector(stacked: Stacked, inst: RolloutInstance, pairs: Pairs, sol: RolloutSolution) -> np.ndarray:
    return stacked.join([solution_vector(stacked.periods[t], q, pairs, s)
                         for t, (q, s) in enumerate(zip(inst.periods, sol.periods))])
