"""The solution of the park model as dense arrays (what the checker and the report read)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ParkSolution:
    open: np.ndarray  # bool [S]
    tier: np.ndarray  # int [S]: chosen tier option o, -1 when closed
    chargers: np.ndarray  # int [S, C]
    assign: np.ndarray  # float [K, S]: z (0 where no pair)
    own: np.ndarray  # float [K]: w (0 without an own option)
    power: np.ndarray  # float [K, S, T]: kW at squares
    own_power: np.ndarray  # float [K, T]: kW at home
    unmet: np.ndarray  # float [K]: kWh/day not delivered
