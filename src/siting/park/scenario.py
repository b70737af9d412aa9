"""Scenarios: small TOML files that change a base park instance (DESIGN.md section 4), the options
`siting compare` puts side by side.

```toml
name = "penalty high"                 # column title in compare.md (default: the file's stem)
description = "Energy not delivered costs EUR 2/kWh"
[set]                                 # parameter overrides, as with `siting solve --set`
"park.unmet_penalty" = 2.0
[squares]
open = ["sq-693-2"]                   # fixed open (decided already)
closed = ["sq-130003-1"]              # may not be opened
[tiers]
drop = ["3x80A"]                      # tier rows (tiers.id) left out
[tiers.change."630kVA"]               # fields of a tier row changed: capacity_kw, one_off_cost,
one_off_cost = 20000.0                #   annual_cost, contract
annual_cost = 1200.0
[[tiers.add]]                         # a tier row added: offered at every square, or at `square`
id = "2000kVA-timebound"
capacity_kw = 2000.0
one_off_cost = 30000.0
annual_cost = 800.0
contract = "timebound"                # "firm" or a profile column (a time-bound contract)
square = "sq-693-2"                   # optional
[contracts]
profile = { timebound = "netbewust" } # tiers with contract "timebound" follow another profile
                                      #   column ("firm": the contract becomes firm)
allowed = ["firm", "netbewust"]       # then only tiers with these contracts (as park.contracts)
[grid]
headroom_kw = { "Rijssen" = 2500.0 }  # a grid area's available_kw replaced (x its profile)
extra_kw = { "Rijssen" = 500.0 }      # kW added to available_kw (free by assumption: say why)
profile = { "Rijssen" = "flat" }      # a grid area's headroom profile column
```

The tables change before the instance is built, so every change goes through the loader's own
checks (the profiles applied, a tier row without a square copied to every square). Tier changes
come in the order drop, change, add, then the contract profiles; `contracts.allowed` filters
last. A closed square keeps no tier option (x_s = 0, models/park.md); a square fixed open is
solved with x_s = 1 (`ParkInstance.fixed_open`: the model and its checker both hold to it). A
sweep takes the same files as its `scenarios` (sweep/spec.py: `load_option` with the run's other
overrides).

Every id is checked against the instance: an unknown square, tier, contract, grid area or profile
column is an InstanceError naming the scenario file, the key and the id (exit code 2), and so is
a bad `[set]` key or value.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import Field

from siting.config import (
    ScenarioBase,
    StrictModel,
    read_scenario_file,
    scenario_indices,
    toml_value,
)
from siting.errors import InstanceError, Problem
from siting.park.instance import ParkInstance


class ScenarioSquares(StrictModel):
    open: list[str] = Field(default_factory=list)
    closed: list[str] = Field(default_factory=list)


class TierChange(StrictModel):
    capacity_kw: float | None = Field(default=None, gt=0)
    one_off_cost: float | None = Field(default=None, ge=0)
    annual_cost: float | None = Field(default=None, ge=0)
    contract: str | None = None


class TierRow(StrictModel):
    id: str = Field(min_length=1)
    capacity_kw: float = Field(gt=0)
    one_off_cost: float = Field(default=0.0, ge=0)
    annual_cost: float = Field(default=0.0, ge=0)
    contract: str = "firm"
    square: str | None = None


class ScenarioTiers(StrictModel):
    drop: list[str] = Field(default_factory=list)
    change: dict[str, TierChange] = Field(default_factory=dict)
    add: list[TierRow] = Field(default_factory=list)


class ScenarioContracts(StrictModel):
    allowed: list[str] | None = None
    profile: dict[str, str] = Field(default_factory=dict)


class ScenarioGrid(StrictModel):
    headroom_kw: dict[str, float] = Field(default_factory=dict)
    extra_kw: dict[str, float] = Field(default_factory=dict)
    profile: dict[str, str] = Field(default_factory=dict)


class Scenario(ScenarioBase):
    squares: ScenarioSquares = ScenarioSquares()
    tiers: ScenarioTiers = ScenarioTiers()
    contracts: ScenarioContracts = ScenarioContracts()
    grid: ScenarioGrid = ScenarioGrid()

    def changes(self) -> str:
        """What the scenario changes, in one line (compare.md)."""
        parts = [f"{key} = {toml_value(value)}" for key, value in self.set.items()]
        sq, t, c, g = self.squares, self.tiers, self.contracts, self.grid
        parts += [f"squares open: {', '.join(sq.open)}"] if sq.open else []
        parts += [f"squares closed: {', '.join(sq.closed)}"] if sq.closed else []
        parts += [f"tiers left out: {', '.join(t.drop)}"] if t.drop else []
        parts += [f"tier {tid}: " + ", ".join(f"{k} {v:g}" if isinstance(v, float) else f"{k} {v}"
                                              for k, v in ch.model_dump(exclude_none=True).items())
                  for tid, ch in t.change.items()]
        parts += [f"tier added: {row.id} ({row.capacity_kw:g} kW, {row.contract}"
                  + (f", at {row.square}" if row.square else "") + ")" for row in t.add]
        parts += [f"contracts allowed: {', '.join(c.allowed)}"] if c.allowed is not None else []
        parts += [f"contract {k} follows profile {v}" for k, v in c.profile.items()]
        parts += [f"grid {a}: headroom {kw:,.0f} kW" for a, kw in g.headroom_kw.items()]
        parts += [f"grid {a}: +{kw:,.0f} kW" for a, kw in g.extra_kw.items()]
        parts += [f"grid {a}: profile {p}" for a, p in g.profile.items()]
        return "; ".join(parts) or "nothing"


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    scenario = read_scenario_file(path, Scenario, "park.unmet_penalty")
    bad = [Problem(str(path), f"unsupported value {value!r}", field=f"set.{key}")
           for key, value in scenario.set.items() if not _writable(value)]
    if bad:
        raise InstanceError(bad)
    return scenario


def _writable(value: Any) -> bool:
    if isinstance(value, list):
        return all(_writable(v) for v in value)
    return isinstance(value, (bool, int, float, str))


def load_option(folder: str | Path, scenario: Scenario, overrides: list[str] | None = None) -> ParkInstance:
    """Read the instance with the scenario's `[set]` (then `overrides`, a sweep run's other
    `SECTION.KEY=VALUE`), change its tables, build it, close squares and fix squares open."""
    from siting.checks import raise_if_problems
    from siting.park.load import load_park_tables, park_instance_from_tables
    from siting.park.validate import validate_park_tables

    file = scenario.file or scenario.name
    try:
        _, config, tables = load_park_tables(folder, scenario.overrides() + list(overrides or []))
    except InstanceError as err:  # a problem of a [set] key is the scenario's
        raise InstanceError([_as_scenario_problem(p, scenario, file) for p in err.problems]) from None
    tables = apply_to_tables(tables, scenario, file)
    if scenario.contracts.allowed is not None:
        _known(_contracts(tables), scenario.contracts.allowed, file, "contracts.allowed", "contract")
        config = config.model_copy(update={"park": config.park.model_copy(
            update={"contracts": list(scenario.contracts.allowed)})})
    try:
        raise_if_problems(validate_park_tables(config, tables, file), tables)
        inst = park_instance_from_tables(config, tables)
    except InstanceError as err:
        raise InstanceError([replace(p, message=f"with scenario {file}: {p.message}")
                             for p in err.problems]) from None
    return apply_squares(inst, scenario, file)


def _as_scenario_problem(p: Problem, scenario: Scenario, file: str) -> Problem:
    key = next((k for k in scenario.set if p.field in (k, k.split(".", 1)[-1])), None)
    return replace(p, file=file, field=f"set.{key}") if key is not None else p


def _known(ids, wanted, file: str, field: str, what: str) -> None:
    """Every wanted id is one of `ids` (a list or set), else an InstanceError naming each unknown one."""
    scenario_indices(sorted(ids, key=str) if isinstance(ids, set) else ids, wanted, file, field, what)


def _contracts(tables) -> set[str]:
    df = tables["tiers"].df
    return set(df["contract"].dropna().astype(str)) | ({"firm"} if "contract" not in df.columns
                                                         or df["contract"].isna().any() else set())


def _profiles(tables) -> set[str]:
    return {c for c in tables["profiles"].df.columns if c != "slot"} if "profiles" in tables else set()


def apply_to_tables(tables: dict, scenario: Scenario, file: str) -> dict:
    """The layers as the scenario's tiers, contracts and grid parts change them (a copy)."""
    out = dict(tables)
    t, c = scenario.tiers, scenario.contracts
    if t.drop or t.change or t.add or c.profile:
        out["tiers"] = replace(tables["tiers"], df=_tiers(tables, scenario, file), problems=[])
    g = scenario.grid
    if g.headroom_kw or g.extra_kw or g.profile:
        out["grid_areas"] = replace(tables["grid_areas"], df=_grid(tables, scenario, file), problems=[])
    return out


def _tiers(tables: dict, scenario: Scenario, file: str) -> pd.DataFrame:
    t, c = scenario.tiers, scenario.contracts
    df = tables["tiers"].df.copy()
    if "contract" not in df.columns:
        df["contract"] = "firm"
    df["contract"] = df["contract"].where(df["contract"].notna(), "firm")
    ids = df["id"].astype(str)
    _known(ids, t.drop, file, "tiers.drop", "tier")
    _known(ids, list(t.change), file, "tiers.change", "tier")
    profiles = _profiles(tables)
    contract_ok = profiles | {"firm"}
    _known(contract_ok, [ch.contract for ch in t.change.values() if ch.contract is not None], file,
           "tiers.change.contract", "contract (a profile column or firm)")
    _known(contract_ok, [row.contract for row in t.add], file, "tiers.add.contract",
           "contract (a profile column or firm)")
    squares = tables["squares"].ids().astype(str)
    _known(squares, [row.square for row in t.add if row.square is not None], file, "tiers.add.square",
           "square")
    kept, added_ids = set(ids) - set(t.drop), [row.id for row in t.add]
    twice = [i for i in added_ids if i in kept or added_ids.count(i) > 1]
    if twice:
        raise InstanceError([Problem(file, "a tier with this id exists already", row=i, field="tiers.add.id")
                             for i in sorted(set(twice))])
    df = df[~ids.isin(t.drop)].reset_index(drop=True)
    for tid, change in t.change.items():
        for key, value in change.model_dump(exclude_none=True).items():
            df.loc[df["id"].astype(str) == tid, key] = value
    if t.add:
        added = pd.DataFrame([row.model_dump() for row in t.add])
        if "square" not in df.columns and added["square"].isna().all():
            added = added.drop(columns=["square"])
        df = pd.concat([df, added], ignore_index=True)
    if c.profile:
        _known(set(df["contract"].astype(str)) - {"firm"}, list(c.profile), file, "contracts.profile",
               "time-bound contract")
        _known(contract_ok, list(c.profile.values()), file, "contracts.profile",
               "profile column (or firm)")
        df["contract"] = df["contract"].map(lambda v: c.profile.get(v, v))
    return df


def _grid(tables: dict, scenario: Scenario, file: str) -> pd.DataFrame:
    g = scenario.grid
    if "grid_areas" not in tables:
        raise InstanceError(Problem(file, "the instance has no grid areas", field="grid"))
    df = tables["grid_areas"].df.copy()
    ids = df["id"].astype(str)
    for field, wanted in (("grid.headroom_kw", g.headroom_kw), ("grid.extra_kw", g.extra_kw),
                          ("grid.profile", g.profile)):
        _known(ids, list(wanted), file, field, "grid area")
    _known(_profiles(tables), list(g.profile.values()), file, "grid.profile", "profile column")
    given = df["available_kw"] if "available_kw" in df.columns else pd.Series(0.0, index=df.index)
    kw = pd.to_numeric(given, errors="coerce").fillna(0.0).astype(float)
    for area, value in g.headroom_kw.items():
        kw[ids == area] = value
    for area, value in g.extra_kw.items():
        kw[ids == area] += value
    df["available_kw"] = kw
    if g.profile:
        if "profile" not in df.columns:
            df["profile"] = None
        for area, name in g.profile.items():
            df.loc[ids == area, "profile"] = name
    return df


def apply_squares(inst: ParkInstance, scenario: Scenario, file: str) -> ParkInstance:
    """Closed squares lose their tier options; open ones are fixed open (`fixed_open`)."""
    sq = scenario.squares
    _known(inst.square_ids, sq.open, file, "squares.open", "square")
    _known(inst.square_ids, sq.closed, file, "squares.closed", "square")
    both = sorted(set(sq.open) & set(sq.closed))
    if both:
        raise InstanceError([Problem(file, "a square cannot be both open and closed", row=s,
                                     field="squares.open") for s in both])
    ids = inst.square_ids.astype(str)
    closed = np.isin(ids, sq.closed)
    fixed_open = np.isin(ids, sq.open)
    if closed.any():
        inst = without_squares(inst, closed)
    no_tier = [s for s in sq.open if not np.any(ids[inst.tier_square] == s)]
    if no_tier:
        raise InstanceError([Problem(file, "the square has no connection tier left, so it cannot open",
                                     row=s, field="squares.open") for s in no_tier])
    return replace(inst, fixed_open=fixed_open | inst.fixed_open)


def without_squares(inst: ParkInstance, closed: np.ndarray) -> ParkInstance:
    """The instance without the tier options of the closed squares (bool [S]): they cannot open."""
    keep = ~closed[inst.tier_square]
    return replace(inst, tier_ids=inst.tier_ids[keep], tier_square=inst.tier_square[keep],
                   tier_kw=inst.tier_kw[keep], tier_cost=inst.tier_cost[keep],
                   tier_annual=inst.tier_annual[keep], tier_contract=inst.tier_contract[keep],
                   tier_avail=inst.tier_avail[keep])
