"""Data-in/data-out functions: what the CLI, the tests and a notebook call.

`solve_fast` runs the whole pipeline - load, precompute, build, warm start, solve, extract,
verify - and returns a `FastRun` with every intermediate and the time of each phase.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from siting.errors import SitingError
from siting.heuristics import greedy_fast
from siting.instance import FastInstance
from siting.local_search import swap_improve
from siting.models.fast import build_fast, objective_kind
from siting.models.formulation import Formulation
from siting.precompute import Pairs
from siting.precompute.sites import fast_pairs
from siting.reduction import expand_solution, reduce_fast
from siting.results import FastSolution, extract_fast, solution_vector
from siting.solve import SolveOptions, SolveResult, resolve_options, solve
from siting.verify import Certificate, verify_fast


@dataclass
class FastRun:
    instance: FastInstance
    pairs: Pairs
    formulation: Formulation
    result: SolveResult
    solution: FastSolution | None
    certificate: Certificate | None
    times: dict[str, float] = field(default_factory=dict)
    warm_start: dict = field(default_factory=dict)
    source: Path | None = None
    diagnosis: list[str] = field(default_factory=list)  # why it is infeasible, in planners' words
    demand_classes: int = 0  # demand rows in the model after merging identical ones
    dominated_candidates: int = 0  # candidates left out of the model (another site dominates them)

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def objective(self) -> float | None:
        return self.result.objective


def solve_fast(
    instance: FastInstance | str | Path,
    options: SolveOptions = SolveOptions(),
    overrides: list[str] | None = None,
    pairs: Pairs | None = None,
) -> FastRun:
    """Solve the fast model on an instance (a folder path or a loaded FastInstance).

    `pairs`, when given, are the instance's precomputed pairs (shared by a sweep's runs)."""
    times: dict[str, float] = {}
    start = t = time.perf_counter()
    source = None
    if not isinstance(instance, FastInstance):
        from siting.io.load import instance_folder, load_fast

        source = instance_folder(instance)
        instance = load_fast(instance, overrides)
    times["load"], t = time.perf_counter() - t, time.perf_counter()
    if pairs is None:
        pairs = fast_pairs(instance)
    elif pairs.shape != (instance.n_demand, instance.n_sites):
        raise ValueError(f"pairs have shape {pairs.shape}, the instance needs {(instance.n_demand, instance.n_sites)}")
    times["precompute"], t = time.perf_counter() - t, time.perf_counter()
    model_inst, model_pairs, reduction = reduce_fast(instance, pairs)
    times["reduce"], t = time.perf_counter() - t, time.perf_counter()
    form = build_fast(model_inst, model_pairs)
    times["build"], t = time.perf_counter() - t, time.perf_counter()

    warm, warm_info = _warm_start(form, model_inst, model_pairs, options)
    times["heuristic"] = time.perf_counter() - t
    result = solve_fast_model(form, model_inst, model_pairs, options, warm)
    times["solve"] = result.seconds
    t = time.perf_counter()
    if result.x is None and warm is not None and result.status in ("time_limit", "interrupted"):
        # the solver found nothing itself: the checked greedy answer is the incumbent
        result.x, result.objective = warm, form.objective_value(warm)
        result.message += " (incumbent from the greedy heuristic)"
    solution = certificate = None
    if result.x is not None:
        solution = expand_solution(extract_fast(form, model_inst, result.x, model_pairs), reduction, pairs)
        certificate = verify_fast(instance, pairs, solution)
        distrust_disagreement(result, certificate)
    times["extract"] = time.perf_counter() - t
    diagnosis = diagnose_fast(model_inst, model_pairs, form, options) if result.status == "infeasible" else []
    times["total"] = time.perf_counter() - start
    run = FastRun(instance, pairs, form, result, solution, certificate, times, warm_info, source, diagnosis)
    run.demand_classes, run.dominated_candidates = reduction.n_classes, reduction.n_dropped_sites
    return run


def solve_fast_model(form: Formulation, inst: FastInstance, pairs: Pairs, options: SolveOptions,
                     warm: np.ndarray | None) -> SolveResult:
    """The built model solved as one MILP, or (mclp with HiGHS) by Benders decomposition."""
    from siting.benders import solve_mclp_benders

    method = resolve_options(options).method
    if method not in ("auto", "compact", "benders"):
        raise SitingError(f"unknown method '{method}'; choose auto, compact or benders")
    benders_fits = inst.params.objective == "mclp" and options.solver in ("highs", "highspy")
    if method == "benders" and not benders_fits:
        raise SitingError("method 'benders' solves the mclp objective with HiGHS only; "
                          "use --method compact (or auto) for this run")
    if method != "compact" and benders_fits:
        return solve_mclp_benders(form, inst, pairs, options, warm)
    return solve(form, options, warm)


def diagnose_fast(inst: FastInstance, pairs: Pairs, form: Formulation, options: SolveOptions) -> list[str]:
    """Cheap screens first; if they find nothing, relax one constraint family at a time."""
    from siting.diagnose import elastic_conflicts
    from siting.screens import screen_fast

    findings = screen_fast(inst, pairs)
    if findings:
        return findings
    conflicts = elastic_conflicts(form, options)
    return [c.sentence() for c in conflicts] or ["no single constraint family explains the infeasibility"]


def describe_fast(inst: FastInstance) -> str:
    return (
        f"{inst.name}: valid — {inst.n_demand} demand points, {int((~inst.is_existing).sum())} candidates, "
        f"{int(inst.is_existing.sum())} existing sites, {inst.grid.size if inst.grid else 0} grid areas; "
        f"objective {inst.params.objective}"
    )


def distrust_disagreement(result: SolveResult, certificate: Certificate) -> None:
    """A solver answer that the independent checker contradicts is never reported as optimal."""
    tol = 1e-6 * max(1.0, abs(result.objective or 0.0))
    if certificate.violations or abs(certificate.objective - (result.objective or 0.0)) > tol:
        result.message = (f"the independent check disagrees with the solver (solver {result.objective}, "
                          f"check {certificate.objective}, violations: {certificate.violations}); status was {result.status}")
        result.status = "error"


def _warm_start(form, inst, pairs, options) -> tuple[np.ndarray | None, dict]:
    if not options.warm_start:
        return None, {"used": False}
    greedy = greedy_fast(inst, pairs)
    improved, swaps = swap_improve(inst, pairs, greedy)
    info = {"greedy_objective": form.objective_value(solution_vector(form, inst, pairs, greedy)), "swaps": swaps}
    for plan in (improved, greedy):  # the swaps keep the plan feasible; greedy is the fallback
        x = solution_vector(form, inst, pairs, plan)
        violation, where = form.max_violation(x)
        if violation <= 1e-6:
            return x, {"used": True, "objective": form.objective_value(x), **info}
    return None, {"used": False, "reason": f"heuristic answer infeasible ({where})", **info}


__all__ = ["FastRun", "solve_fast", "describe_fast", "SolveOptions", "objective_kind"]
