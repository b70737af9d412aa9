"""Scenarios of a rollout instance: small TOML files that change it (DESIGN.md section 4), the
options `siting compare` puts side by side, and a sweep's `scenarios`.

```toml
name = "Zwolle reinforced 2030"       # column title in compare.md (default: the file's stem)
description = "TenneT's new 150/20 kV station at Zwolle-Hessenpoort in service by 2030"
[set]                                 # parameter overrides, as with `siting solve --set`
"fast.radius" = 10000.0
"rollout.discount_rate" = 0.03
[periods.2030]                        # one period (by its year) changed: any key of
p = 30                                #   [[rollout.periods]] but `year`: p, budget, weight,
headroom = "available_kw_2035"        #   headroom, demand (base fast) or flows (base corridor)
[sites]
closed = ["osm_node_456"]             # may not be opened in any period
[[grid.reinforcements]]               # headroom added at a grid area from a year on
substation = "dso-OS-ZWOLLE"          # grid area id (grid_areas.id)
kw = 10000.0                          # added to H_gt of every period with Y_t >= year
year = 2030
what = "new 150/20 kV station"        # how compare.md names it
```

A reinforcement is free to the plan (its cost is the grid operator's): it says what the plan
could do if the substation had the capacity by that year, the question of `siting grid-needs`
put as an option. The `[periods]` changes are applied to instance.toml before it is read, so
they pass the loader's own checks (a period's column must exist, counts stay cumulative).

Every id and year is checked against the instance: an unknown period, site or grid area is an
InstanceError naming the scenario file, the key and the id (exit code 2), and so is a bad `[set]`
key or value.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from pydantic import Field

from siting.config import (
    ScenarioBase,
    StrictModel,
    apply_overrides,
    read_config,
    read_scenario_file,
    scenario_indices,
    toml_value,
)
from siting.corridor.scenario import closed_sites
from siting.errors import InstanceError, Problem
from siting.rollout.instance import RolloutInstance


class PeriodChange(StrictModel):
    """What a scenario changes in one period (the keys of params.PeriodParams but its year)."""

    p: int | None = Field(default=None, ge=0)
    budget: float | None = Field(default=None, ge=0)
    weight: float | None = Field(default=None, ge=0)
    headroom: str | None = Field(default=None, min_length=1)
    demand: str | None = Field(default=None, min_length=1)
    flows: str | None = Field(default=None, min_length=1)


class ScenarioSites(StrictModel):
    closed: list[str] = Field(default_factory=list)


class Reinforcement(StrictModel):
    substation: str
    kw: float = Field(gt=0)
    year: int
    what: str = "reinforcement"


class ScenarioGrid(StrictModel):
    reinforcements: list[Reinforcement] = Field(default_factory=list)


class Scenario(ScenarioBase):
    periods: dict[int, PeriodChange] = Field(default_factory=dict)
    sites: ScenarioSites = ScenarioSites()
    grid: ScenarioGrid = ScenarioGrid()

    def changes(self) -> str:
        """What the scenario changes, in one line (compare.md's "what the option changes")."""
        parts = [f"{key} = {value}" for key, value in self.set.items()]
        for year, change in sorted(self.periods.items()):
            given = change.model_dump(exclude_none=True)
            parts.append(f"{year}: " + ", ".join(f"{k} = {v}" for k, v in given.items()))
        if self.sites.closed:
            parts.append(f"{len(self.sites.closed)} sites closed")
        parts += [f"{r.what} at {r.substation} +{r.kw:,.0f} kW from {r.year}" for r in self.grid.reinforcements]
        return "; ".join(parts) or "nothing"


def load_scenario(path: str | Path) -> Scenario:
    return read_scenario_file(path, Scenario, "fast.p")


def load_option(folder: str | Path, scenario: Scenario, overrides: list[str] | None = None) -> RolloutInstance:
    """The rollout instance as the scenario changes it: `[set]` and `[periods]` applied to
    instance.toml before it is read (then `overrides`, a sweep run's other SECTION.KEY=VALUE),
    then the sites closed and the reinforcements added."""
    from siting.io.folder import instance_folder
    from siting.rollout.load import load_rollout

    file = scenario.file or scenario.name
    folder = instance_folder(folder)
    given = scenario.overrides() + _period_overrides(folder, scenario, file) + list(overrides or [])
    try:
        inst = load_rollout(folder, given)
    except InstanceError as err:  # a problem of a [set] or [periods] key is the scenario's
        raise InstanceError([_as_scenario_problem(p, scenario, file) for p in err.problems]) from None
    return apply_scenario(inst, scenario, file)


def _period_overrides(folder: Path, scenario: Scenario, file: str) -> list[str]:
    """`rollout.periods=[...]`: the instance's periods with the scenario's changes."""
    if not scenario.periods:
        return []
    periods = [dict(q) for q in apply_overrides(read_config(folder), scenario.overrides(), file)
               .get("rollout", {}).get("periods", [])]
    years = {q.get("year"): q for q in periods}
    unknown = [y for y in scenario.periods if y not in years]
    if unknown:
        raise InstanceError([Problem(file, f"the instance has no period {y} (its years: "
                                     f"{', '.join(str(k) for k in years)})", field=f"periods.{y}") for y in unknown])
    for year, change in scenario.periods.items():
        years[year].update(change.model_dump(exclude_none=True))
    return [f"rollout.periods={toml_value(periods)}"]


def _as_scenario_problem(p: Problem, scenario: Scenario, file: str) -> Problem:
    if scenario.periods and (p.field or "").split(".")[0] == "rollout":  # the periods as the scenario made them
        return replace(p, file=file, message=f"with the scenario's [periods]: {p.message}")
    key = next((k for k in scenario.set if p.field in (k, k.split(".", 1)[-1])), None)
    return replace(p, file=file, field=f"set.{key}") if key is not None else p


def apply_scenario(inst: RolloutInstance, scenario: Scenario, file: str | None = None) -> RolloutInstance:
    """The sites closed (every period) and the reinforcements added (from their year)."""
    file = file or scenario.file or scenario.name
    periods = list(inst.periods)
    if scenario.sites.closed:
        closed = closed_sites(inst.first, scenario.sites.closed, file)
        periods = [_closed(q, closed) for q in periods]
    if scenario.grid.reinforcements:
        if inst.first.grid is None:
            raise InstanceError(Problem(file, "the instance has no grid areas", field="grid.reinforcements"))
        items = scenario.grid.reinforcements
        g = scenario_indices(inst.first.grid.ids, [r.substation for r in items], file, "grid.reinforcements.substation",
                     "grid area")
        for t, year in enumerate(inst.years):
            q = periods[t]
            added = np.zeros(len(q.grid.ids))
            np.add.at(added, g, [r.kw if r.year <= year else 0.0 for r in items])
            periods[t] = replace(q, grid=replace(q.grid, available_kw=q.grid.available_kw + added))
    return replace(inst, periods=tuple(periods))


def _closed(q, closed: np.ndarray):
    """A period's instance without the `closed` new sites (fast: the sites left out, before the
    pairs are computed; corridor: x_j fixed at 0, its paths are the instance's)."""
    if hasattr(q, "with_sites_fixed"):
        return q.with_sites_fixed(closed)
    from siting.fast.reduction import take_sites

    return take_sites(q, np.flatnonzero(~closed))
