"""Typed, validated, array-level instances (no geopandas, no pyomo).

Existing sites are appended to the candidates: candidate arrays hold the new candidates first,
then the existing sites (`is_existing`), so every site is one index j.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.fast.params import FastParams
from siting.precompute import Pairs
from siting.resources import GridAreas, SiteResources


@dataclass(frozen=True)
class Graph:
    """An undirected edge list over integer nodes, and the node of each demand point and site."""

    n_nodes: int
    u: np.ndarray
    v: np.ndarray
    length: np.ndarray
    demand_node: np.ndarray
    site_node: np.ndarray


@dataclass(frozen=True)
class FastInstance:
    """Everything the fast model needs, as arrays; symbols as in models/fast.md."""

    name: str
    params: FastParams
    demand_ids: np.ndarray  # i
    weight: np.ndarray  # w_i
    site_ids: np.ndarray  # j: new candidates, then existing sites
    is_existing: np.ndarray  # bool
    fixed_cost: np.ndarray  # f_j (0 for existing sites)
    cost_per_charger: np.ndarray  # c_j
    existing_chargers: np.ndarray  # n0_j (0 for new candidates)
    max_chargers: np.ndarray  # nmax_j
    land_m2: np.ndarray  # L_j (inf: no limit)
    grid_of_site: np.ndarray  # g(j), -1 when the site is in no grid area
    grid: GridAreas | None
    demand_xy: np.ndarray | None = None
    site_xy: np.ndarray | None = None
    given_pairs: Pairs | None = None  # explicit coverage or distances table
    given_pairs_are_coverage: bool = False  # a coverage table: every pair covers, whatever R
    graph: Graph | None = None
    crs: str | None = None

    @property
    def n_demand(self) -> int:
        return len(self.demand_ids)

    @property
    def n_sites(self) -> int:
        return len(self.site_ids)

    @property
    def new_sites(self) -> np.ndarray:
        return np.flatnonzero(~self.is_existing)

    @property
    def resources(self) -> SiteResources:
        p = self.params
        return SiteResources(self.is_existing, self.existing_chargers, self.land_m2, self.grid_of_site, self.grid,
                             p.kw_per_charger, p.simultaneity, p.m2_per_charger, p.site_m2, self.site_ids)

    def opening_chargers(self) -> np.ndarray:
        """The fewest chargers site j has when open: n0_j at existing sites, nmin at new ones, and
        -1 where a new site cannot open at all (nmax_j < nmin, or nmin chargers do not fit its land)."""
        p = self.params
        nmin = p.min_chargers
        fits = (self.max_chargers >= nmin) & (self.land_m2 >= p.m2_per_charger * nmin + p.site_m2)
        return np.where(self.is_existing, self.existing_chargers, np.where(fits, nmin, -1)).astype(np.int64)

    def with_params(self, **changes) -> FastInstance:
        from dataclasses import replace

        return replace(self, params=self.params.model_copy(update=changes))
