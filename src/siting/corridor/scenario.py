"""Scenarios: small TOML files that change a base corridor instance (DESIGN.md section 4).

```toml
name = "A1/A35 first"                 # column title in compare.md
description = "Hubs only in the eastern search areas"
[set]                                 # parameter overrides, as with `siting solve --set`
"corridor.p" = 6
"corridor.range" = 250.0
[sites]
open = ["osm_way_123"]                # fixed open (new hubs that are decided already)
closed = ["osm_node_456"]             # may not be opened
[search_areas]
allowed = ["LoLa-03", "LoLa-08"]      # new hubs only inside these search areas
[grid]
extra_kw = { "dso-OS-ARNHEM" = 10000.0 }   # headroom added at a substation for free (an assumption)
[[grid.items]]                        # a priced grid item: the plan may buy it (binary u_g)
substation = "dso-OS-CULEMBORG"       # grid area id (grid_areas.id)
kw = 10000.0                          # offtake capacity it adds, kW
cost = 252920.0                       # one-off EUR, counted in the investment (and minimised)
annual_cost = 7980.0                  # EUR per year (e.g. the periodic connection fee), in the annual cost
year = 2028                           # available from this year
what = "10 MVA connection"            # how compare.md names it
```

A priced grid item becomes the grid area's upgrade option (U_g = kw, C_g = cost in
models/corridor.md): the plan buys it only where the hubs behind it are worth it, and the
least-cost stage of `siting compare` buys it only when the service needs it. An item that is
available after the plan `year` (default 2030, the instance's scenario year) is left out and
listed. A grid area that offers an upgrade in `grid_areas` already cannot take an item (one
upgrade per area). `extra_kw` stays for headroom that is free by assumption; say why in a comment.

Every id is checked against the instance: an unknown site, search area or grid area is an
InstanceError naming the scenario file, the key and the id (exit code 2).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from pydantic import Field

from siting.config import (
    ScenarioBase,
    StrictModel,
    read_scenario_file,
    scenario_indices,
)
from siting.corridor.instance import CorridorInstance
from siting.errors import InstanceError, Problem


class ScenarioSites(StrictModel):
    open: list[str] = Field(default_factory=list)
    closed: list[str] = Field(default_factory=list)


class ScenarioAreas(StrictModel):
    allowed: list[str] | None = None


class GridItem(StrictModel):
    """A grid reservation or reinforcement at a price, available from a year."""

    substation: str
    kw: float = Field(gt=0)
    cost: float = Field(ge=0)
    annual_cost: float = Field(default=0.0, ge=0)
    year: int
    what: str = "grid item"


class ScenarioGrid(StrictModel):
    extra_kw: dict[str, float] = Field(default_factory=dict)
    items: list[GridItem] = Field(default_factory=list)


class Scenario(ScenarioBase):
    sites: ScenarioSites = ScenarioSites()
    search_areas: ScenarioAreas = ScenarioAreas()
    grid: ScenarioGrid = ScenarioGrid()
    year: int = 2030

    def available_items(self) -> list[GridItem]:
        """The grid items the plan year can use."""
        return [item for item in self.grid.items if item.year <= self.year]

    def late_items(self) -> list[GridItem]:
        return [item for item in self.grid.items if item.year > self.year]


def load_scenario(path: str | Path) -> Scenario:
    return read_scenario_file(path, Scenario, "corridor.p")


def closed_sites(inst, wanted: list[str], file: str) -> np.ndarray:
    """bool per site of `inst` (any instance with site_ids and is_existing): the `wanted` new
    sites a scenario closes; an unknown or an existing one is an InstanceError naming it."""
    j = scenario_indices(inst.site_ids, wanted, file, "sites.closed", "site")
    existing = [str(inst.site_ids[k]) for k in j if inst.is_existing[k]]
    if existing:
        raise InstanceError([Problem(file, "an existing station cannot be closed", row=e, field="sites.closed")
                             for e in existing])
    closed = np.zeros(inst.n_sites, bool)
    closed[j] = True
    return closed


def apply_scenario(inst: CorridorInstance, scenario: Scenario) -> CorridorInstance:
    """The instance as the scenario changes it (parameters are applied at loading: `overrides`)."""
    file = scenario.file or scenario.name
    out = inst
    if scenario.sites.open:
        j = scenario_indices(inst.site_ids, scenario.sites.open, file, "sites.open", "site")
        opened = np.zeros(inst.n_sites, bool)
        opened[j] = True
        out = out.with_sites_open(opened)
    if scenario.sites.closed:
        out = out.with_sites_fixed(closed_sites(inst, scenario.sites.closed, file))
    if scenario.search_areas.allowed is not None:
        a = scenario_indices(inst.area_ids, scenario.search_areas.allowed, file, "search_areas.allowed", "search area")
        inside = np.isin(inst.area_of_site, a)
        out = out.with_sites_fixed(~inside & ~inst.is_existing)
    if scenario.grid.extra_kw:
        if inst.grid is None:
            raise InstanceError(Problem(file, "the instance has no grid areas", field="grid.extra_kw"))
        names = list(scenario.grid.extra_kw)
        g = scenario_indices(inst.grid.ids, names, file, "grid.extra_kw", "grid area")
        available = inst.grid.available_kw.copy()
        available[g] += np.array([scenario.grid.extra_kw[n] for n in names])
        out = replace(out, grid=replace(out.grid, available_kw=available))
    if scenario.grid.items:
        out = _with_grid_items(out, scenario, file)
    return out


def _with_grid_items(inst: CorridorInstance, scenario: Scenario, file: str) -> CorridorInstance:
    """Each available item as its grid area's upgrade option (U_g, C_g)."""
    if inst.grid is None:
        raise InstanceError(Problem(file, "the instance has no grid areas", field="grid.items"))
    names = [item.substation for item in scenario.grid.items]
    g = scenario_indices(inst.grid.ids, names, file, "grid.items.substation", "grid area")
    twice = sorted({n for n in names if names.count(n) > 1})
    offered = [n for n, k in zip(names, g, strict=True) if inst.grid.upgrade_kw[k] > 0]
    problems = [Problem(file, "two grid items at one substation (one upgrade per grid area): combine them",
                        row=n, field="grid.items") for n in twice]
    problems += [Problem(file, "the grid area offers an upgrade in grid_areas already (one per area)", row=n,
                         field="grid.items") for n in offered]
    if problems:
        raise InstanceError(problems)
    upgrade_kw, upgrade_cost = inst.grid.upgrade_kw.copy(), inst.grid.upgrade_cost.copy()
    for item, k in zip(scenario.grid.items, g, strict=True):
        if item.year <= scenario.year:
            upgrade_kw[k], upgrade_cost[k] = item.kw, item.cost
    return replace(inst, grid=replace(inst.grid, upgrade_kw=upgrade_kw, upgrade_cost=upgrade_cost))
