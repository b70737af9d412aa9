"""`grid_needs`: what the grid headroom costs a plan, per grid area (and period), from re-solves.

1. **Base** and **without limit**, solved side by side: the instance as it is, and a copy in
   which every area's headroom H_g is raised to what its sites could ever draw (+1 kW;
   `models.unlimited_headroom`) so that no grid row can bind. The grid rows stay in the model;
   upgrades stay offered (never needed there). Per area: the kW the plan needs with the limit
   and without it (`models.py`: chargers that serve no one are not counted), the shortfall
   max(0, without - with).
2. **Binding areas**: in the base plan the headroom left, allowed - needed load, is less than a
   new site of nmin chargers needs (P s max(nmin, 1), the largest P s of the area's sites): no
   new site fits. For each, one re-solve per step of `mw` (default +1 and +5 MW) with H_g +
   1000 mw kW at that area only (rollout: in every period), all as one batch of tasks.
3. **Gain** = objective(with more headroom) - objective(base) (min objectives: base - more; in the
   model's own units). Exact only when both solves are optimal and their bounds meet; otherwise
   the interval [low, high] from the incumbents and bounds (low >= 0: more headroom never
   hurts), with the status of each solve. Duals of the LP relaxation would be neither.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from siting.errors import SitingError
from siting.gridneeds.models import adapter, gain_unit, objective_sense_of
from siting.gridneeds.sweep import Change, Resolve, run_resolves
from siting.options import SolveOptions
from siting.pipeline import Phases

STEP_TOL = 1e-6  # kW


@dataclass(frozen=True)
class Gain:
    """The objective gained by more headroom at one area, from two re-solves."""

    mw: float
    value: float | None  # the incumbents' difference, within [low, high]
    low: float | None
    high: float | None
    exact: bool
    pct: float | None  # value / |base objective|, %
    status: str  # of the re-solve with more headroom

    def text(self, digits: int = 1) -> str:
        """'12.3', 'at least 12.3', '12.3 to 14.0', '≈ 12.3 (within the solver's gap)' or
        'unknown (status)'."""
        if self.value is None:
            return f"unknown ({self.status})"
        if self.exact:
            return f"{self.value:,.{digits}f}"
        if self.high is None or not math.isfinite(self.high):
            return f"at least {self.low:,.{digits}f}"
        low, high = f"{self.low:,.{digits}f}", f"{self.high:,.{digits}f}"
        return f"≈ {low} (within the solver's gap)" if low == high else f"{low} to {high}"


def gain_of(sense: str, base: Resolve, more: Resolve, mw: float) -> Gain:
    if not (base.has_plan and more.has_plan):
        return Gain(mw, None, None, None, False, None, more.status)
    b_lo, b_hi = base.interval(sense)
    m_lo, m_hi = more.interval(sense)
    if sense == "max":
        value, low, high = more.objective - base.objective, m_lo - b_hi, m_hi - b_lo
    else:
        value, low, high = base.objective - more.objective, b_lo - m_hi, b_hi - m_lo
    tol = 1e-6 * max(1.0, abs(base.objective))
    value, low, high = (0.0 if abs(v) <= tol else v for v in (value, low, high))  # solver round-off
    low = max(low, 0.0)  # a relaxation never has a worse optimum
    value = min(max(value, low), high)
    exact = base.status == "optimal" and more.status == "optimal" and high - low <= tol
    pct = 100.0 * value / abs(base.objective) if base.objective else None
    return Gain(mw, value, low, high if math.isfinite(high) else None, exact, pct, more.status)


@dataclass(kw_only=True)
class GridNeedsRun:
    model: str
    instance: object
    source: Path | None
    sense: str
    objective_kind: str
    unit: str
    mw: tuple[float, ...]
    area_ids: np.ndarray
    periods: list[str]
    headroom_kw: np.ndarray  # H_g [period, area]
    step_kw: np.ndarray  # [area]: a new site of nmin chargers (binding tolerance)
    has_sites: np.ndarray  # bool [area]
    base: Resolve
    unlimited: Resolve
    more: dict[tuple[int, float], Resolve] = field(default_factory=dict)  # (area, mw) -> re-solve
    gains: dict[tuple[int, float], Gain] = field(default_factory=dict)
    times: dict[str, float] = field(default_factory=dict)
    workers: int = 0

    @property
    def status(self) -> str:
        return self.base.status

    @property
    def slack_kw(self) -> np.ndarray:
        return self.base.allowed_kw - self.base.needed_kw

    @property
    def binding(self) -> np.ndarray:
        """bool [period, area]: the headroom left is less than a new site needs."""
        return (self.slack_kw < self.step_kw[None, :] - STEP_TOL) & self.has_sites[None, :]

    @property
    def binding_areas(self) -> np.ndarray:
        return np.flatnonzero(self.binding.any(axis=0))

    def resolves(self) -> list[Resolve]:
        return [self.base, self.unlimited, *self.more.values()]


def binding_step_kw(q) -> np.ndarray:
    """Per grid area, what a new site of nmin chargers draws at its largest P s (0: no sites)."""
    res = q.resources
    kw = res.kw() * max(getattr(q.params, "min_chargers", 1), 1)
    inside = q.grid_of_site >= 0
    step = np.zeros(q.grid.size)
    np.maximum.at(step, q.grid_of_site[inside], kw[inside])
    return step


def model_of_instance(instance) -> str:
    if isinstance(instance, (str, Path)):
        from siting.registry import model_of

        return model_of(instance)
    for name, module in (("fast", "siting.fast.instance"), ("corridor", "siting.corridor.instance"),
                         ("rollout", "siting.rollout.instance")):
        import importlib

        kind = {"fast": "FastInstance", "corridor": "CorridorInstance", "rollout": "RolloutInstance"}[name]
        if isinstance(instance, getattr(importlib.import_module(module), kind)):
            return name
    raise SitingError(f"grid needs: not an instance of the fast, corridor or rollout model ({type(instance).__name__})")


def grid_needs(instance, options: SolveOptions = SolveOptions(), *, mw: tuple[float, ...] = (1.0, 5.0),
               client=None, overrides: list[str] | None = None, source: Path | None = None) -> GridNeedsRun:
    """The grid-needs analysis of an instance (folder path, or loaded instance with the folder it
    came from as `source`: names and maps); re-solves on the Dask `client` when given, else in
    this process."""
    clock = Phases()
    model = model_of_instance(instance)
    ad = adapter(model)
    if isinstance(instance, (str, Path)):
        from siting.io.folder import instance_folder

        source = instance_folder(instance)
        instance = ad.load(instance, overrides)
    grid = ad.grid(instance)
    if grid is None or grid.size == 0:
        raise SitingError("the instance has no grid areas (layer grid_areas): there is no headroom to analyse")
    clock.end("load")
    data = ad.precompute(instance)
    clock.end("precompute")
    base, unlimited = run_resolves(model, instance, data, [Change("base"), Change("unlimited", unlimited=True)],
                                   options, client)
    clock.end("base_and_unlimited")
    if not base.has_plan:
        raise SitingError(f"the base plan has no solution (status {base.status}: {base.message}); "
                          "`siting solve` says why — grid needs compare other plans with it")
    periods = ad.periods(instance)
    q0 = periods[0][1]
    inside = q0.grid_of_site >= 0
    run = GridNeedsRun(
        model=model, instance=instance, source=source, sense=_sense(model, instance),
        objective_kind=ad.objective_kind(instance), unit=gain_unit(model, ad.objective_kind(instance)),
        mw=tuple(float(m) for m in mw), area_ids=np.asarray(grid.ids, dtype=object),
        periods=[label for label, _ in periods],
        headroom_kw=np.array([q.grid.available_kw for _, q in periods], float),
        step_kw=binding_step_kw(q0), has_sites=np.bincount(q0.grid_of_site[inside], minlength=grid.size) > 0,
        base=base, unlimited=unlimited, workers=_workers(client))
    changes = [Change(f"{run.area_ids[g]}+{m:g}MW", area=int(g), extra_kw=1000.0 * m)
               for g in run.binding_areas for m in run.mw]
    for change, res in zip(changes, run_resolves(model, instance, data, changes, options, client), strict=True):
        key = (change.area, change.extra_kw / 1000.0)
        run.more[key] = res
        run.gains[key] = gain_of(run.sense, base, res, key[1])
    clock.end("more_headroom")
    run.times = clock.total()
    return run


def _sense(model: str, instance) -> str:
    return objective_sense_of(model, instance)


def _workers(client) -> int:
    if client is None:
        return 0
    return len(client.scheduler_info()["workers"])


# -- the table ------------------------------------------------------------------------------------
def mw_key(m: float) -> str:
    return f"{m:g}".replace(".", "_") + "mw"


def area_names(run: GridNeedsRun) -> tuple[np.ndarray, np.ndarray]:
    """(name from the grid layer, municipality the substation lies in); "" where unknown."""
    names = np.full(len(run.area_ids), "", dtype=object)
    places = np.full(len(run.area_ids), "", dtype=object)
    if run.source is None:
        return names, places
    from siting.io.maps import place_names, read_map_layers, read_source_layer

    table = read_source_layer(run.source, "grid_areas")
    if table is not None and table.df is not None and "name" in table.df.columns and "id" in table.df.columns:
        by_id = dict(zip(table.df["id"].astype(str), table.df["name"].fillna("").astype(str).str.strip(), strict=True))
        names = np.array([by_id.get(str(a), "") for a in run.area_ids], dtype=object)
    grid = adapter(run.model).grid(run.instance)
    if grid.xy is not None:
        places = place_names(grid.xy, read_map_layers(run.source, ("municipalities",)).get("municipalities"))
    return names, places


def needs_table(run: GridNeedsRun) -> pd.DataFrame:
    """One row per grid area and period (the columns of grid_needs.csv)."""
    names, places = area_names(run)
    base, free = run.base, run.unlimited
    rows = []
    for t, period in enumerate(run.periods):
        for g, area in enumerate(run.area_ids):
            with_kw = float(base.needed_kw[t, g])
            without = float(free.needed_kw[t, g]) if free.has_plan else math.nan
            row = {"grid_area": area, "name": names[g], "municipality": places[g], "period": period,
                   "headroom_kw": float(run.headroom_kw[t, g]), "allowed_kw": float(base.allowed_kw[t, g]),
                   "upgrade_bought": bool(base.upgrades[t, g]),
                   "load_with_limit_kw": with_kw, "load_without_limit_kw": without,
                   "shortfall_kw": max(0.0, without - with_kw) if free.has_plan else math.nan,
                   "slack_kw": float(run.slack_kw[t, g]), "binding": bool(run.binding[t, g]),
                   "plan_load_with_limit_kw": float(base.plan_kw[t, g]),
                   "plan_load_without_limit_kw": float(free.plan_kw[t, g]) if free.has_plan else math.nan}
            for m in run.mw:
                k = mw_key(m)
                gain = run.gains.get((g, m))
                row |= {f"gain_{k}": None if gain is None else gain.value,
                        f"gain_{k}_low": None if gain is None else gain.low,
                        f"gain_{k}_high": None if gain is None else gain.high,
                        f"gain_{k}_exact": None if gain is None else gain.exact,
                        f"gain_{k}_pct": None if gain is None else gain.pct,
                        f"status_{k}": "" if gain is None else gain.status}
            row |= {"gain_unit": run.unit, "status_base": base.status, "status_without_limit": free.status}
            rows.append(row)
    table = pd.DataFrame(rows)
    if not any(run.periods):
        table["period"] = ""
    return table


def ranked_areas(run: GridNeedsRun) -> list[int]:
    """The binding areas, by the value of the first step, then of the next steps, then by
    shortfall and id (an area where +1 MW is too little for a new site but +5 MW is not, comes
    after those where +1 MW helps)."""
    shortfall = (np.maximum(run.unlimited.needed_kw - run.base.needed_kw, 0).max(axis=0)
                 if run.unlimited.has_plan else np.zeros(len(run.area_ids)))

    def value(g: int, m: float) -> float:
        gain = run.gains.get((g, m))
        return gain.value if gain is not None and gain.value is not None else -math.inf

    return sorted(run.binding_areas.tolist(),
                  key=lambda g: (*(-value(g, m) for m in run.mw), -shortfall[g], str(run.area_ids[g])))


def gains_something(run: GridNeedsRun, g: int) -> bool:
    """Some step of more headroom at area g surely improves the plan (the low end of its gain > 0)."""
    return any((run.gains[(g, m)].low or 0.0) > 0 for m in run.mw if (g, m) in run.gains)
