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
extra_kw = { "dso-OS-ARNHEM" = 10000.0 }   # headroom added at a substation (a grid upgrade)
```

Every id is checked against the instance: an unknown site, search area or grid area is an
InstanceError naming the scenario file, the key and the id (exit code 2).
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, ValidationError

from siting.config import StrictModel, problems_from_validation
from siting.config import did_you_mean as _did_you_mean
from siting.corridor.instance import CorridorInstance
from siting.errors import InstanceError, Problem


class ScenarioSites(StrictModel):
    open: list[str] = Field(default_factory=list)
    closed: list[str] = Field(default_factory=list)


class ScenarioAreas(StrictModel):
    allowed: list[str] | None = None


class ScenarioGrid(StrictModel):
    extra_kw: dict[str, float] = Field(default_factory=dict)


class Scenario(StrictModel):
    name: str
    description: str = ""
    set: dict[str, Any] = Field(default_factory=dict)
    sites: ScenarioSites = ScenarioSites()
    search_areas: ScenarioAreas = ScenarioAreas()
    grid: ScenarioGrid = ScenarioGrid()
    file: str = ""

    def overrides(self) -> list[str]:
        """The `set` table as `SECTION.KEY=VALUE` strings (VALUE as TOML)."""
        return [f"{key}={_toml_value(value)}" for key, value in self.set.items()]


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise InstanceError(Problem("scenario", f"unsupported value {value!r} in [set]"))


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    if not path.is_file():
        raise InstanceError(Problem(str(path), "scenario file not found"))
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except tomllib.TOMLDecodeError as err:
        raise InstanceError(Problem(str(path), f"not valid TOML: {err}")) from None
    data.setdefault("name", path.stem)
    try:
        scenario = Scenario.model_validate({**data, "file": str(path)})
    except ValidationError as err:
        raise InstanceError(problems_from_validation(err, str(path), Scenario)) from None
    for key in scenario.set:
        if "." not in key:
            raise InstanceError(Problem(str(path), "expected SECTION.KEY, e.g. \"corridor.p\"", field=f"set.{key}"))
    return scenario


def _indices(ids: np.ndarray, wanted: list[str], file: str, field: str, what: str) -> np.ndarray:
    index = {str(v): k for k, v in enumerate(ids)}
    problems = [Problem(file, f"unknown {what} id '{w}'{_did_you_mean(w, index)}", row=w, field=field)
                for w in wanted if w not in index]
    if problems:
        raise InstanceError(problems)
    return np.array([index[w] for w in wanted], dtype=np.int64)


def apply_scenario(inst: CorridorInstance, scenario: Scenario) -> CorridorInstance:
    """The instance as the scenario changes it (parameters are applied at loading: `overrides`)."""
    file = scenario.file or scenario.name
    out = inst
    if scenario.sites.open:
        j = _indices(inst.site_ids, scenario.sites.open, file, "sites.open", "site")
        opened = np.zeros(inst.n_sites, bool)
        opened[j] = True
        out = out.with_sites_open(opened)
    if scenario.sites.closed:
        j = _indices(inst.site_ids, scenario.sites.closed, file, "sites.closed", "site")
        existing = [str(inst.site_ids[k]) for k in j if inst.is_existing[k]]
        if existing:
            raise InstanceError([Problem(file, "an existing station cannot be closed", row=e, field="sites.closed")
                                 for e in existing])
        closed = np.zeros(inst.n_sites, bool)
        closed[j] = True
        out = out.with_sites_fixed(closed)
    if scenario.search_areas.allowed is not None:
        a = _indices(inst.area_ids, scenario.search_areas.allowed, file, "search_areas.allowed", "search area")
        inside = np.isin(inst.area_of_site, a)
        out = out.with_sites_fixed(~inside & ~inst.is_existing)
    if scenario.grid.extra_kw:
        if inst.grid is None:
            raise InstanceError(Problem(file, "the instance has no grid areas", field="grid.extra_kw"))
        names = list(scenario.grid.extra_kw)
        g = _indices(inst.grid.ids, names, file, "grid.extra_kw", "grid area")
        available = inst.grid.available_kw.copy()
        available[g] += np.array([scenario.grid.extra_kw[n] for n in names])
        out = replace(out, grid=replace(inst.grid, available_kw=available))
    return out
