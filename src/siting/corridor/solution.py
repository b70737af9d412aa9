"""The solution of the corridor model: stations, chargers, upgrades and the flows refuelled."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class CorridorSolution:
    open: np.ndarray  # bool[J]
    chargers: np.ndarray  # int[J]
    upgrades: np.ndarray  # bool[G]
    refuelled: np.ndarray  # y per OD flow
    path_refuelled: np.ndarray | None  # v per path (k_paths > 1)
    assignment: np.ndarray | None  # z per (od, site) pair (capacitated)
    assignment_pairs: np.ndarray  # (k, 2): od, site
