"""Data-in/data-out functions of the corridor model: what the CLI, the tests and a notebook call.

`solve_corridor` runs the whole pipeline - load, paths, arc-cover sets, build, solve, extract,
verify (round-trip simulation) - and returns a `CorridorRun` with every intermediate and the
time of each phase.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from siting.corridor.extract import extract_corridor
from siting.corridor.instance import CorridorInstance
from siting.corridor.model import afir_pool_chargers, build_corridor, charger_bounds, objective_kind
from siting.corridor.solution import CorridorSolution
from siting.corridor.verify import verify_corridor
from siting.formulation import Formulation, emit
from siting.options import SolveOptions
from siting.pipeline import Phases, Run, checked_answer, open_instance, screens_then_relaxation
from siting.precompute.paths import (
    ArcCover,
    Paths,
    afir_sets,
    arc_cover_sets,
    k_shortest_paths,
    shortest_paths,
)
from siting.solve import solve


@dataclass(kw_only=True)
class CorridorRun(Run):
    paths: Paths
    cover: ArcCover
    afir_uncoverable: list[str] = field(default_factory=list)  # TEN-T road nodes no allowed site can serve


def corridor_paths(inst: CorridorInstance) -> Paths:
    """The shortest path of every OD flow, or its k-shortest paths within the detour."""
    net, p = inst.network, inst.params
    if p.k_paths > 1:
        paths, _ = k_shortest_paths(net.n_nodes, net.u, net.v, net.length, inst.od_origin, inst.od_destination,
                                    p.k_paths, p.detour)
    else:
        paths, _ = shortest_paths(net.n_nodes, net.u, net.v, net.length, inst.od_origin, inst.od_destination)
    return paths


def precompute_corridor(inst: CorridorInstance, paths: Paths | None = None) -> tuple[Paths, ArcCover]:
    paths = corridor_paths(inst) if paths is None else paths
    cover = arc_cover_sets(paths, inst.network.n_nodes, inst.site_node, inst.vehicle_range)
    return paths, cover


def solve_corridor(
    instance: CorridorInstance | str | Path,
    options: SolveOptions = SolveOptions(),
    overrides: list[str] | None = None,
    paths: Paths | None = None,
    write_model: Path | None = None,
    warm_start: np.ndarray | None = None,
) -> CorridorRun:
    """Solve the corridor model on an instance (a folder path or a loaded CorridorInstance).

    `paths` may be given to reuse the paths of an earlier run on the same network and flows;
    `write_model`: an .lp or .mps file for the model solved; `warm_start`: a column vector of the
    same formulation to start from (the least-cost stage starts from the flow-optimal plan)."""
    from siting.corridor.load import load_corridor

    clock = Phases()
    instance, source = open_instance(instance, CorridorInstance, load_corridor, overrides)
    clock.end("load")
    paths, cover = precompute_corridor(instance, paths)
    afir = afir_rows(instance)
    clock.end("precompute")
    form = build_corridor(instance, paths, cover, afir)
    clock.end("build")
    if write_model is not None:  # before solving: a long solve need not end first
        emit.write_model(form, write_model)
    result = solve(form, options, warm_start)
    clock.end("solve", result.seconds)
    solution, certificate = checked_answer(result, lambda x: extract_corridor(form, instance, paths, x),
                                           lambda sol: verify_corridor(instance, paths, sol),
                                           checker="the round-trip simulation", more_is_fine=form.sense == "max")
    clock.end("extract")
    diagnosis = diagnose_corridor(instance, paths, cover, form, options) if result.status == "infeasible" else []
    run = CorridorRun(instance=instance, paths=paths, cover=cover, formulation=form, result=result,
                      solution=solution, certificate=certificate, times=clock.total(), source=source,
                      diagnosis=diagnosis)
    if afir is not None:
        run.afir_uncoverable = [f"{road}: {instance.network.label(t)}" for road, t in afir[3]]
    return run


def afir_rows(inst: CorridorInstance) -> tuple | None:
    """The AFIR covering rows (precompute.paths.afir_sets) when corridor.afir_spacing is on:
    (ptr, sites, labels, uncoverable, row_class), built per TEN-T class so that each row knows
    the pool power it asks for (afir_pool_power)."""
    net = inst.network
    if not inst.params.afir_spacing or net.tent is None or net.road is None:
        return None
    from siting.corridor.verify import AFIR_NEAR

    near = inst.site_snap <= AFIR_NEAR if inst.site_snap is not None else np.ones(inst.n_sites, bool)
    ptr, sites, labels, uncoverable, classes = [np.zeros(1, np.int64)], [], [], [], []
    top = charger_bounds(inst)[1]
    inside = True if net.in_region is None or inst.params.afir_outside_region else net.in_region
    for cls, m in afir_pool_chargers(inst).items():
        tent = np.where((np.asarray(net.tent) == cls) & inside, cls, "").astype(object)
        can = top >= m if inst.params.afir_pool_power else True  # a site that cannot reach the power is no pool
        p_c, s_c, l_c, u_c = afir_sets(net.n_nodes, net.u, net.v, net.length, net.road, tent, inst.site_node,
                                       near & inst.allowed & can)
        ptr.append(p_c[1:] + sum(len(x) for x in sites))
        sites.append(s_c)
        labels += l_c
        uncoverable += u_c
        classes += [cls] * (len(p_c) - 1)
    return (np.concatenate(ptr), np.concatenate(sites).astype(np.int64), labels, uncoverable,
            np.array(classes, dtype=object))


def diagnose_corridor(inst: CorridorInstance, paths: Paths, cover: ArcCover, form: Formulation,
                      options: SolveOptions) -> list[str]:
    """Cheap screens in planners' words first; then relax one constraint family at a time."""
    findings = []
    p = inst.params
    if p.objective == "cost" and p.required_share is not None:
        total = float(inst.flow.sum())
        possible = float(inst.flow[np.isin(np.arange(inst.n_od), paths.od[~cover.impossible])].sum())
        if possible < p.required_share * total:
            findings.append(f"even with every allowed station open only {possible:,.1f} of {total:,.1f} trucks/day "
                            f"({100 * possible / max(total, 1e-9):.1f} %) can be refuelled at range {inst.vehicle_range:g}; "
                            f"the required share is {100 * p.required_share:g} %")
            from siting.corridor.screens import screen_range_gaps

            findings += screen_range_gaps(inst, paths, cover)  # which flows, and the gap that beats the range
    for a, area in enumerate(inst.area_ids):
        free = int(np.sum(inst.allowed & ~inst.is_existing & (inst.area_of_site == a)))
        if inst.area_min[a] > free:
            findings.append(f"search area {area} needs at least {inst.area_min[a]:g} new stations but has {free} candidates")
    if p.p is not None and len(inst.area_ids) and inst.area_min.sum() > p.p:
        findings.append(f"the search areas need {inst.area_min.sum():g} new stations together, more than p = {p.p}")
    if findings:
        return findings
    found = screens_then_relaxation([], form, options)
    if "afir" in form.cons:
        found.append("AFIR spacing is on (corridor.afir_spacing): p, the budget, the grid headroom or the land may not "
                     "allow a pool on every TEN-T stretch; solve without it to see the longest gaps")
    return found


def describe_corridor(inst: CorridorInstance) -> str:
    p = inst.params
    net = inst.network
    excluded = f", {len(inst.excluded)} OD flows excluded (no path)" if inst.excluded else ""
    return (f"{inst.name}: valid — road graph {net.n_nodes} nodes / {len(net.u)} edges, {inst.n_od} OD flows "
            f"({inst.flow.sum():,.1f} trucks/day){excluded}, {int((~inst.is_existing).sum())} candidates, "
            f"{int(inst.is_existing.sum())} existing stations, {len(inst.area_ids)} search areas, "
            f"{inst.grid.size if inst.grid else 0} grid areas; objective {p.objective}, range {inst.vehicle_range:g}")


__all__ = ["CorridorRun", "CorridorSolution", "solve_corridor", "describe_corridor", "precompute_corridor",
           "objective_kind"]
