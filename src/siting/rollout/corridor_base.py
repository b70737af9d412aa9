"""The rollout over the `corridor` model: every period a corridor instance with its own OD flows
f_qt (an od_flows column, e.g. the trucks per day times that year's electric share) and headroom
H_gt (a grid_areas column); the paths, arc-cover sets and AFIR rows are shared (they depend on
the network, the OD pairs, the sites and the range, not on the flows)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from siting.corridor.api import CorridorRun, afir_rows, precompute_corridor
from siting.corridor.extract import extract_corridor
from siting.corridor.instance import CorridorInstance, round_trip_energy
from siting.corridor.load import corridor_instance_from_tables, read_corridor_tables
from siting.corridor.model import build_corridor, objective_kind
from siting.corridor.report import draw_map
from siting.corridor.validate import validate_corridor
from siting.corridor.verify import grid_allowed_kw, grid_load_kw
from siting.errors import InstanceError, Problem
from siting.io.layers import Table
from siting.precompute.paths import ArcCover, Paths
from siting.rollout.adapter import Base
from siting.rollout.params import RolloutConfig
from siting.rollout.validate import validate_periods


@dataclass(frozen=True)
class CorridorData:
    """What every period shares: the OD paths, their arc-cover sets and the AFIR rows."""

    paths: Paths
    cover: ArcCover
    afir: tuple | None


# -- loading --------------------------------------------------------------------------------------
def load_periods(folder: Path, config: RolloutConfig, toml_file: str) -> tuple[CorridorInstance, ...]:
    """The corridor instance, read, checked and snapped once by the corridor loader's own steps;
    then per period its flows and headroom columns in place of `trucks_per_day` and
    `available_kw`, and its p and B."""
    tables = read_corridor_tables(folder, config)
    validate_corridor(config, tables, toml_file)  # the folder's scenarios/ are rollout scenarios, not the corridor's
    validate_periods(config, tables, toml_file)
    base = corridor_instance_from_tables(config, tables)
    keep = _kept_rows(tables["od_flows"], base)
    periods = []
    for period in config.rollout.periods:
        flow = pd.to_numeric(tables["od_flows"].df[period.flows]).to_numpy(float)[keep]
        q = replace(base, name=f"{config.name} {period.year}", flow=flow, params=base.params.model_copy(update={
            "p": base.params.p if period.p is None else period.p,
            "budget": base.params.budget if period.budget is None else period.budget}))
        if base.grid is not None:
            grid = tables["grid_areas"]
            kw = pd.Series(pd.to_numeric(grid.df[period.headroom]).to_numpy(float), index=grid.ids().astype(str))
            q = replace(q, grid=replace(base.grid, available_kw=kw.reindex(base.grid.ids.astype(str)).to_numpy()))
        periods.append(q)
    return tuple(periods)


def _kept_rows(od: Table, base: CorridorInstance) -> np.ndarray:
    """bool per od_flows row: the corridor loader kept it (not excluded as unconnected)."""
    df = od.df
    ids = (df["id"].astype(str).to_numpy(dtype=object) if "id" in df.columns else
           np.array([f"{a}->{b}" for a, b in zip(df["origin"], df["destination"], strict=True)], dtype=object))
    keep = ~np.isin(ids, [row for row, _ in base.excluded])
    if keep.sum() != base.n_od or np.any(ids[keep] != base.od_ids):
        raise InstanceError(Problem(od.file, "OD flow ids must be unique for per-period flow columns",
                                    layer="od_flows", field="id"))
    return keep


# -- the model's pieces ---------------------------------------------------------------------------
def precompute(inst: CorridorInstance) -> CorridorData:
    paths, cover = precompute_corridor(inst)
    return CorridorData(paths, cover, afir_rows(inst))


def build(inst: CorridorInstance, data: CorridorData):
    return build_corridor(inst, data.paths, data.cover, data.afir)


def vector(form, inst: CorridorInstance, data: CorridorData, sol, x: np.ndarray) -> np.ndarray:
    """The year's own solve, integer columns rounded (its z, y and w are not all in the solution)."""
    out = np.array(x, float)
    for v in form.vars.values():
        if v.domain != "continuous":
            out[v.offset: v.offset + v.size] = np.round(out[v.offset: v.offset + v.size])
    return out


def period_run(run, t: int, result, certificate) -> CorridorRun:
    data = run.data
    inst = run.instance.periods[t]
    out = CorridorRun(instance=inst, paths=data.paths, cover=data.cover, formulation=run.stacked.periods[t],
                      result=result, solution=run.solution.periods[t] if run.solution is not None else None,
                      certificate=certificate, times={}, source=run.source)
    if data.afir is not None:
        out.afir_uncoverable = [f"{road}: {inst.network.label(k)}" for road, k in data.afir[3]]
    return out


def served_by_site(run) -> np.ndarray:
    """float[T, J]: kWh per day charged at each site (capacitated), else refuelled e-trucks per
    day passing its road node."""
    paths = run.data.paths
    out = []
    for q, s in zip(run.instance.periods, run.solution.periods):
        if s.assignment is not None:
            energy = round_trip_energy(q, paths)
            pairs = s.assignment_pairs
            out.append(np.bincount(pairs[:, 1], weights=energy[pairs[:, 0]] * s.assignment, minlength=q.n_sites))
            continue
        share = s.path_refuelled if s.path_refuelled is not None else s.refuelled[paths.od]
        node_flow = np.zeros(q.network.n_nodes)
        for k in range(paths.n_paths):
            node_flow[paths.nodes_of(k)] += q.flow[paths.od[k]] * share[k]
        out.append(node_flow[q.site_node])
    return np.array(out)


def describe(inst) -> str:
    q = inst.first
    net = q.network
    trucks = " / ".join(f"{p.flow.sum():,.1f}" for p in inst.periods)
    return (f"{inst.name}: valid — {inst.n_periods} periods ({', '.join(map(str, inst.years))}), road graph "
            f"{net.n_nodes} nodes / {len(net.u)} edges, {q.n_od} OD flows ({trucks} trucks/day), "
            f"{int((~q.is_existing).sum())} candidates, {int(q.is_existing.sum())} existing stations, "
            f"{q.grid.size if q.grid else 0} grid areas; objective {q.params.objective}, range {q.vehicle_range:g}")


def size(run) -> dict:
    q, data = run.instance.first, run.data
    return {"od_flows": q.n_od, "paths": data.paths.n_paths, "arc_cover_rows": data.cover.n_rows,
            "sites": q.n_sites, "road_nodes": q.network.n_nodes, "road_edges": len(q.network.u)}


PERIOD_ROWS = [("refuelled_flow", "e-trucks per day whose round trip can be charged", ""),
               ("refuelled_pct", "share of the e-truck flow charged", "%"),
               ("energy_kwh_day", "charging energy per day", "kWh"),
               ("new_stations", "new hubs open", ""), ("new_chargers", "new chargers", ""),
               ("new_kw", "new charging power", "kW"), ("cost", "invested by then", "EUR"),
               ("grid_areas_full", "grid areas whose headroom the plan uses up", ""),
               ("grid_areas_without_headroom", "grid areas with no headroom at all", "")]

CORRIDOR = Base(
    name="corridor", load=load_periods, precompute=precompute, build=build,
    extract=lambda form, q, x, data: extract_corridor(form, q, data.paths, x), vector=vector,
    objective_kind=objective_kind, period_run=period_run, draw_map=lambda run, path: draw_map(run, path),
    served_by_site=served_by_site, grid_use=lambda q, s: (grid_load_kw(q, s.chargers), grid_allowed_kw(q, s.upgrades)),
    describe=describe, size=size, period_rows=PERIOD_ROWS, more_is_fine=True)
