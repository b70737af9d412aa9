"""Data-in/data-out functions of the park model: what the CLI (through the registry), the
tests and a notebook call. `solve_park` runs load, index, build, solve, extract and verify."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from siting.formulation import Formulation, emit
from siting.options import SolveOptions
from siting.park.extract import extract_park
from siting.park.heuristics import cflp_start, is_cflp
from siting.park.instance import ParkInstance
from siting.park.model import ParkIndex, build_park, park_index
from siting.park.screens import screen_park
from siting.park.verify import verify_park
from siting.pipeline import Phases, Run, checked_answer, open_instance, screens_then_relaxation
from siting.solve import solve


@dataclass(kw_only=True)
class ParkRun(Run):
    """A park solve; `options` are the SolveOptions it was solved with (the shortfall re-solves
    use them too)."""

    index: ParkIndex
    options: SolveOptions | None = None

    @cached_property
    def shortfall(self):
        """why.attribute_shortfall of this run with its own options (a why.Shortfall, None without
        a plan), computed on first use and kept: the report, summary.json and compare share it."""
        from siting.park.why import attribute_shortfall

        return attribute_shortfall(self)


def solve_park(instance: ParkInstance | str | Path, options: SolveOptions | None = None,
               overrides: list[str] | None = None, write_model: Path | None = None) -> ParkRun:
    """Solve the park model on an instance (a folder path or a loaded ParkInstance);
    `write_model`: an .lp or .mps file for the model solved."""
    options = SolveOptions() if options is None else options
    from siting.park.load import load_park

    clock = Phases()
    instance, source = open_instance(instance, ParkInstance, load_park, overrides)
    clock.end("load")
    form, idx, warm, warm_info = park_model(instance, options, clock)
    if write_model is not None:  # before solving: a long solve need not end first
        emit.write_model(form, write_model)
    result = solve(form, options, warm)
    clock.end("solve", result.seconds)
    solution, certificate = checked_answer(result, lambda x: extract_park(form, instance, idx, x),
                                           lambda sol: verify_park(instance, sol))
    clock.end("extract")
    diagnosis = diagnose_park(instance, form, options) if result.status == "infeasible" else []
    return ParkRun(instance=instance, index=idx, formulation=form, result=result, solution=solution,
                   certificate=certificate, times=clock.total(), source=source, diagnosis=diagnosis,
                   warm_start=warm_info, options=options)


def park_model(inst: ParkInstance, options: SolveOptions, clock: Phases | None = None
               ) -> tuple[Formulation, ParkIndex, np.ndarray | None, dict]:
    """The formulation solved and its MIP start, the one place that builds them, so that a
    benchmark solves what `solve_park` solves. The start is the CFLP heuristic's plan where the
    instance is a CFLP (heuristics.cflp_start), given at most 10 % of the time limit (20 s at most)."""
    clock = Phases() if clock is None else clock
    idx = park_index(inst)
    clock.end("precompute")
    form = build_park(inst, idx)
    clock.end("build")
    if not options.warm_start or not is_cflp(inst):
        return form, idx, None, {"used": False}
    warm, info = cflp_start(form, inst, idx, seconds=options.start_seconds)
    clock.end("heuristic")
    return form, idx, warm, info


def diagnose_park(inst: ParkInstance, form: Formulation, options: SolveOptions) -> list[str]:
    """Cheap screens first, then relax one constraint family at a time (diagnose.py)."""
    return screens_then_relaxation(screen_park(inst), form, options)


def describe_park(inst: ParkInstance) -> str:
    return (f"{inst.name}: valid — {inst.n_companies} companies, {inst.n_squares} candidate squares, "
            f"{inst.n_tiers} tier options, {inst.n_chargers} charger types, {inst.n_slots} slots of "
            f"{inst.hours:g} h, {inst.grid.size if inst.grid else 0} grid areas, {inst.n_pairs} company-square pairs; "
            f"{'single source' if inst.params.single_source else 'split allowed'}")


__all__ = ["ParkRun", "solve_park", "describe_park", "SolveOptions"]
