"""Site resources shared by every model: grid areas with headroom, land, existing chargers.

Plain data and the rules that define them (negative headroom is a queue; an existing site fits
its land), used by the constraint families in models/common.py and by the checker verify.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class GridAreas:
    ids: np.ndarray  # str
    available_kw: np.ndarray  # H_g, may be <= 0
    upgrade_kw: np.ndarray  # U_g
    upgrade_cost: np.ndarray  # C_g
    xy: np.ndarray | None = None  # substation point or a point inside the polygon (maps)

    @property
    def size(self) -> int:
        return len(self.ids)

    @property
    def upgradable(self) -> np.ndarray:
        """Areas that offer an upgrade (one u variable each, in this order)."""
        return np.flatnonzero(self.upgrade_kw > 0)

    def headroom(self) -> tuple[np.ndarray, np.ndarray]:
        """(H+_g, E_g): new load allowed without upgrade, and what the upgrade adds.

        Negative headroom is a queue: no new load until an upgrade closes it, so
        H+_g = max(H_g, 0) and E_g = max(H_g + U_g, 0) - H+_g.
        """
        base = np.maximum(self.available_kw, 0.0)
        return base, np.maximum(self.available_kw + self.upgrade_kw, 0.0) - base

    def allowed_kw(self, upgrades: np.ndarray) -> np.ndarray:
        base, extra = self.headroom()
        return base + extra * upgrades


@dataclass(frozen=True)
class SiteResources:
    """What the land and grid rows need to know about sites j."""

    is_existing: np.ndarray  # bool
    existing_chargers: np.ndarray  # n0_j
    land_m2: np.ndarray  # L_j (inf: no limit)
    grid_of_site: np.ndarray  # g(j), -1 outside every area
    grid: GridAreas | None
    kw_per_charger: float | np.ndarray  # P (per site allowed)
    simultaneity: float  # s
    m2_per_charger: float  # a_c
    site_m2: float  # a_0
    site_ids: np.ndarray | None = None  # for messages

    def land_limit(self) -> np.ndarray:
        """L_j, but never below what an existing site already uses (it exists, so it fits)."""
        used = self.m2_per_charger * self.existing_chargers + self.site_m2
        return np.where(self.is_existing, np.maximum(self.land_m2, used), self.land_m2)

    def kw(self) -> np.ndarray:
        """P s per charger at each site."""
        return np.broadcast_to(np.asarray(self.kw_per_charger, float) * self.simultaneity, self.is_existing.shape)

    def new_load_kw(self, chargers: np.ndarray) -> np.ndarray:
        """New load per grid area, kW: P s (n_j - n0_j) summed over the sites of each area."""
        load = self.kw() * (chargers - self.existing_chargers)
        inside = self.grid_of_site >= 0
        return np.bincount(self.grid_of_site[inside], weights=load[inside], minlength=self.grid.size)
