"""The array-level instance of the corridor model (no geopandas, no pyomo); models/corridor.md.

Sites j are the new candidates first, then the existing stations (`is_existing`); each sits at
one road node `site_node[j]` (several sites may share a node). OD flows q are pairs of road
nodes with trucks per day.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from siting.corridor.params import CorridorParams
from siting.precompute.paths import Paths
from siting.resources import GridAreas, SiteResources


@dataclass(frozen=True)
class RoadNetwork:
    """An undirected road graph over nodes 0..n-1."""

    node_ids: np.ndarray  # object: the user's node ids
    u: np.ndarray  # int64
    v: np.ndarray  # int64
    length: np.ndarray  # float64 (> 0)
    road: np.ndarray | None = None  # object: road name per edge (A1, A12, ...)
    tent: np.ndarray | None = None  # object: "core", "comprehensive" or "" per edge
    node_xy: np.ndarray | None = None  # (n, 2) in the instance CRS
    node_names: np.ndarray | None = None  # object: readable names (junction, exit), for reports
    in_region: np.ndarray | None = None  # bool per edge: its midpoint lies in the region (None: no region given)

    def label(self, k: int) -> str:
        name = self.node_names[k] if self.node_names is not None else ""
        return f"{name} ({self.node_ids[k]})" if isinstance(name, str) and name else str(self.node_ids[k])

    @property
    def n_nodes(self) -> int:
        return len(self.node_ids)


@dataclass(frozen=True)
class CorridorInstance:
    name: str
    params: CorridorParams
    network: RoadNetwork
    od_ids: np.ndarray  # object: "origin->destination"
    od_origin: np.ndarray  # int64 road node
    od_destination: np.ndarray  # int64 road node
    flow: np.ndarray  # f_q, trucks per day
    site_ids: np.ndarray  # object
    is_existing: np.ndarray  # bool
    site_node: np.ndarray  # int64 road node
    fixed_cost: np.ndarray  # F_j (0 for existing)
    cost_per_charger: np.ndarray  # c_j
    existing_chargers: np.ndarray  # n0_j
    max_chargers: np.ndarray  # nmax_j
    land_m2: np.ndarray  # L_j (inf: no limit)
    grid_of_site: np.ndarray  # g(j), -1 outside every area
    grid: GridAreas | None
    area_of_site: np.ndarray  # a(j), -1 outside every search area
    area_ids: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=object))
    area_min: np.ndarray = field(default_factory=lambda: np.zeros(0))
    area_max: np.ndarray = field(default_factory=lambda: np.zeros(0))  # inf: no maximum
    site_xy: np.ndarray | None = None
    site_snap: np.ndarray | None = None  # snap distance of each site to its node (CRS units)
    crs: str | None = None
    excluded: tuple = ()  # (od id, reason) of flows left out (no path, same node)
    site_names: np.ndarray | None = None  # object: readable names, for reports

    def site_label(self, j: int) -> str:
        name = self.site_names[j] if self.site_names is not None else ""
        return f"{name} ({self.site_ids[j]})" if isinstance(name, str) and name else str(self.site_ids[j])

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def n_od(self) -> int:
        return len(self.od_ids)

    @property
    def new_sites(self) -> np.ndarray:
        return np.flatnonzero(~self.is_existing)

    @property
    def vehicle_range(self) -> float:
        return self.params.vehicle_range()

    @property
    def resources(self) -> SiteResources:
        p = self.params
        return SiteResources(self.is_existing, self.existing_chargers, self.land_m2, self.grid_of_site, self.grid,
                             p.kw_per_charger, p.simultaneity, p.m2_per_charger, p.site_m2, self.site_ids)

    def with_params(self, **changes) -> CorridorInstance:
        return replace(self, params=self.params.model_copy(update=changes))

    def with_sites_fixed(self, closed: np.ndarray) -> CorridorInstance:
        """A copy where the new candidates flagged in `closed` cannot be opened (max_chargers 0,
        fixed closed by the model through `allowed`)."""
        allowed = self.allowed & ~np.asarray(closed, bool)
        return replace(self, _allowed=allowed)

    _allowed: np.ndarray | None = None

    @property
    def allowed(self) -> np.ndarray:
        """New candidates that may be opened (inside_only and closed sites removed)."""
        ok = np.ones(self.n_sites, bool) if self._allowed is None else self._allowed.copy()
        if self.params.inside_only:
            ok &= self.area_of_site >= 0
        return ok | self.is_existing

    _forced: np.ndarray | None = None

    @property
    def forced(self) -> np.ndarray:
        """Sites fixed open: existing stations and sites a scenario fixes open."""
        f = self.is_existing.copy()
        if self._forced is not None:
            f |= self._forced
        return f

    def with_sites_open(self, opened: np.ndarray) -> CorridorInstance:
        forced = np.asarray(opened, bool) | (self._forced if self._forced is not None else False)
        return replace(self, _forced=forced)


def od_length(inst: CorridorInstance, paths: Paths) -> np.ndarray:
    """Shortest one-way length per OD flow (the first path of each flow is its shortest)."""
    out = np.full(inst.n_od, np.nan)
    lengths = paths.length
    for q in range(paths.n_paths - 1, -1, -1):
        out[paths.od[q]] = lengths[q]
    return out


def round_trip_energy(inst: CorridorInstance, paths: Paths) -> np.ndarray:
    """E_q: kWh per day charged en route by flow q = f_q * 2 L_q * epsilon * sigma."""
    p = inst.params
    return inst.flow * 2.0 * np.nan_to_num(od_length(inst, paths)) * p.kwh_per_km * p.public_share
