"""The analysis input as arrays (no geopandas): cells, public points, plan-map locations, municipalities
and grid areas, all in the instance CRS (metres)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.resources import GridAreas
from siting.whitespots.params import WhitespotsParams


@dataclass(frozen=True)
class WhitespotsInstance:
    name: str
    params: WhitespotsParams
    crs: str | None
    # cells (CBS 500 m), only those inside a municipality of the instance
    cell_ids: np.ndarray  # crs28992res500m
    cell_corner: np.ndarray  # (n, 2) south-west corner
    households: np.ndarray  # NaN: CBS no-data code
    urbanity: np.ndarray  # NaN: absent or no data
    cell_municipality: np.ndarray  # index into municipality_ids
    cell_grid: np.ndarray  # index into grid (nearest substation), -1 without grid areas
    cells_outside: int  # cells of the file whose centre lies in no municipality (left out)
    # public charging points (NDW)
    point_ids: np.ndarray
    point_xy: np.ndarray
    # plan-map locations
    plan_ids: np.ndarray
    plan_xy: np.ndarray
    plan_status: np.ndarray  # designated / requested / realised
    plan_municipality: np.ndarray  # index into municipality_ids
    plan_land_m2: np.ndarray  # inf: not given
    plan_grid: np.ndarray  # index into grid, -1 outside every area
    # municipalities
    municipality_ids: np.ndarray
    municipality_names: np.ndarray
    procedure: np.ndarray  # concession / omm
    grid: GridAreas | None
    grid_upgrade_year: np.ndarray | None = None  # text per grid area ("" unknown)

    @property
    def cell_centre(self) -> np.ndarray:
        return self.cell_corner + 250.0

    @property
    def n_cells(self) -> int:
        return len(self.cell_ids)
