"""Data-in/data-out functions of the park model: what the CLI (through the registry), the
tests and a notebook call. `solve_park` runs load, index, build, solve, extract and verify."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from siting.api import distrust_disagreement
from siting.models.formulation import Formulation
from siting.models.park import ParkIndex, build_park, park_index
from siting.park_instance import ParkInstance
from siting.results_park import ParkSolution, extract_park
from siting.screens_park import screen_park
from siting.solve import SolveOptions, SolveResult, solve
from siting.verify import Certificate
from siting.verify_park import verify_park


@dataclass
class ParkRun:
    instance: ParkInstance
    index: ParkIndex
    formulation: Formulation
    result: SolveResult
    solution: ParkSolution | None
    certificate: Certificate | None
    times: dict[str, float] = field(default_factory=dict)
    warm_start: dict = field(default_factory=dict)
    source: Path | None = None
    diagnosis: list[str] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def objective(self) -> float | None:
        return self.result.objective


def solve_park(instance: ParkInstance | str | Path, options: SolveOptions | None = None,
               overrides: list[str] | None = None) -> ParkRun:
    """Solve the park model on an instance (a folder path or a loaded ParkInstance)."""
    options = SolveOptions() if options is None else options
    times: dict[str, float] = {}
    start = t = time.perf_counter()
    source = None
    if not isinstance(instance, ParkInstance):
        from siting.io.load import instance_folder
        from siting.io.load_park import load_park

        source = instance_folder(instance)
        instance = load_park(instance, overrides)
    times["load"], t = time.perf_counter() - t, time.perf_counter()
    idx = park_index(instance)
    times["precompute"], t = time.perf_counter() - t, time.perf_counter()
    form = build_park(instance, idx)
    times["build"] = time.perf_counter() - t
    result = solve(form, options, None)
    times["solve"] = result.seconds
    t = time.perf_counter()
    solution = certificate = None
    if result.x is not None:
        solution = extract_park(form, instance, idx, result.x)
        certificate = verify_park(instance, solution)
        distrust_disagreement(result, certificate)
    times["extract"] = time.perf_counter() - t
    diagnosis = diagnose_park(instance, form, options) if result.status == "infeasible" else []
    times["total"] = time.perf_counter() - start
    return ParkRun(instance, idx, form, result, solution, certificate, times, {"used": False}, source, diagnosis)


def diagnose_park(inst: ParkInstance, form: Formulation, options: SolveOptions) -> list[str]:
    """Cheap screens first, then relax one constraint family at a time (diagnose.py)."""
    from siting.diagnose import elastic_conflicts

    findings = screen_park(inst)
    if findings:
        return findings
    conflicts = elastic_conflicts(form, options)
    return [c.sentence() for c in conflicts] or ["no single constraint family explains the infeasibility"]


def describe_park(inst: ParkInstance) -> str:
    return (f"{inst.name}: valid — {inst.n_companies} companies, {inst.n_squares} candidate squares, "
            f"{inst.n_tiers} tier options, {inst.n_chargers} charger types, {inst.n_slots} slots of "
            f"{inst.hours:g} h, {inst.grid.size if inst.grid else 0} grid areas, {inst.n_pairs} company-square pairs; "
            f"{'single source' if inst.params.single_source else 'split allowed'}")


__all__ = ["ParkRun", "solve_park", "describe_park", "SolveOptions"]
