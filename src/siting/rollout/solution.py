"""A rollout plan: the base model's solution of every period (FastSolution or
CorridorSolution: both have open, chargers and upgrades), ascending years."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class RolloutSolution:
    periods: tuple[Any, ...]

    def opened_in(self) -> np.ndarray:
        """Per site, the index of the first period it is open in (-1: never)."""
        is_open = np.array([s.open for s in self.periods], bool)
        first = np.argmax(is_open, axis=0)
        return np.where(is_open.any(axis=0), first, -1)

    def chargers(self) -> np.ndarray:
        """int[T, J]: chargers per period and site."""
        return np.array([s.chargers for s in self.periods], np.int64)
