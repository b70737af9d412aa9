"""Data-in/data-out functions: what the CLI, the tests and a notebook call.

`solve_fast` runs the whole pipeline - load, precompute, build, warm start, solve, extract,
verify - and returns a `FastRun` with every intermediate and the time of each phase.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from siting import concurrent
from siting.errors import SitingError
from siting.fast.extract import extract_fast, solution_vector
from siting.fast.heuristics import greedy_fast
from siting.fast.instance import FastInstance
from siting.fast.local_search import swap_improve
from siting.fast.model import build_fast, objective_kind
from siting.fast.pairs import fast_pairs
from siting.fast.reduction import expand_solution, reduce_fast
from siting.fast.verify import verify_fast
from siting.formulation import Formulation, emit
from siting.options import SolveOptions
from siting.pipeline import Phases, Run, checked_answer, open_instance, screens_then_relaxation
from siting.precompute import Pairs
from siting.solve import SolveResult, relative_gap, solve


@dataclass(kw_only=True)
class FastRun(Run):
    pairs: Pairs
    demand_classes: int = 0  # demand rows in the model after merging identical ones
    dominated_candidates: int = 0  # candidates left out of the model (another site dominates them)


def solve_fast(
    instance: FastInstance | str | Path,
    options: SolveOptions = SolveOptions(),
    overrides: list[str] | None = None,
    pairs: Pairs | None = None,
    write_model: Path | None = None,
) -> FastRun:
    """Solve the fast model on an instance (a folder path or a loaded FastInstance).

    `pairs`, when given, are the instance's precomputed pairs (shared by a sweep's runs);
    `write_model`: an .lp or .mps file for the model solved (after the exact reductions)."""
    from siting.fast.load import load_fast

    clock = Phases()
    instance, source = open_instance(instance, FastInstance, load_fast, overrides)
    clock.end("load")
    if pairs is None:
        pairs = fast_pairs(instance)
    elif pairs.shape != (instance.n_demand, instance.n_sites):
        raise ValueError(f"pairs have shape {pairs.shape}, the instance needs {(instance.n_demand, instance.n_sites)}")
    clock.end("precompute")
    model_inst, model_pairs, reduction = reduce_fast(instance, pairs)
    clock.end("reduce")
    form = build_fast(model_inst, model_pairs)
    clock.end("build")
    if write_model is not None:  # before solving: a long solve need not end first
        emit.write_model(form, write_model)
    warm, warm_info = _warm_start(form, model_inst, model_pairs, options)
    clock.end("heuristic")
    result = solve_fast_model(form, model_inst, model_pairs, options, warm)
    clock.end("solve", result.seconds)
    if result.x is None and warm is not None and result.status in ("time_limit", "interrupted"):
        # the solver found nothing itself: the checked greedy answer is the incumbent
        result.x, result.objective = warm, form.objective_value(warm)
        result.message += " (incumbent from the greedy heuristic)"
    _revalue_cover(result, form, model_inst, model_pairs)
    solution, certificate = checked_answer(
        result, lambda x: expand_solution(extract_fast(form, model_inst, x, model_pairs), reduction, pairs),
        lambda sol: verify_fast(instance, pairs, sol))
    clock.end("extract")
    diagnosis = diagnose_fast(model_inst, model_pairs, form, options) if result.status == "infeasible" else []
    return FastRun(instance=instance, pairs=pairs, formulation=form, result=result, solution=solution,
                   certificate=certificate, times=clock.total(), warm_start=warm_info, source=source,
                   diagnosis=diagnosis, demand_classes=reduction.n_classes,
                   dominated_candidates=reduction.n_dropped_sites)


def _revalue_cover(result: SolveResult, form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """A maximising incumbent may leave y_i below what its open sites cover (seen when HiGHS stopped
    at its time limit before raising them): value its plan exactly, y_i = min(1, open sites reaching
    i), and keep that when it is feasible and worth more; the status stays, the gap is recomputed."""
    if form.sense != "max" or result.x is None or "y" not in form.vars:
        return
    tight = solution_vector(form, inst, pairs, extract_fast(form, inst, result.x, pairs))
    value = form.objective_value(tight)
    claimed = result.objective if result.objective is not None else -np.inf
    if value <= claimed + 1e-9 * max(1.0, abs(value)) or form.max_violation(tight)[0] > 1e-6:
        return
    result.message += (f" (coverage re-valued from the open sites: {value:.6g}, the solver's incumbent "
                       f"counted {claimed:.6g})")
    result.x, result.objective = tight, value
    result.gap = relative_gap(value, result.best_bound)


def solve_fast_model(form: Formulation, inst: FastInstance, pairs: Pairs, options: SolveOptions,
                     warm: np.ndarray | None) -> SolveResult:
    """The built model solved as one MILP, or (mclp with HiGHS) by Benders decomposition or siting's
    own branch and Benders cut. `auto` takes branch and cut where the sites are the only integer
    columns of the master and the pairs not too many (`bnb_fits`), Benders otherwise, and races plain
    HiGHS on the compact MILP beside it (`siting.concurrent`; models/fast.md, "Which method `auto`
    takes")."""
    from siting.fast.benders import solve_mclp_benders
    from siting.fast.branch_and_cut import AUTO_FALLBACK_SHARE, bnb_fits, solve_mclp_bnb

    method = options.method
    benders_fits = inst.params.objective == "mclp" and options.solver in ("highs", "highspy")
    if method in ("benders", "bnb") and not benders_fits:
        raise SitingError(f"method '{method}' solves the mclp objective with HiGHS only; "
                          "use --method compact (or auto) for this run")
    if method == "bnb":
        return solve_mclp_bnb(form, inst, pairs, options, warm)
    if method == "auto" and benders_fits:
        # the decomposition auto takes, raced against plain HiGHS (models/fast.md, "Plain HiGHS beside it")
        tree = bnb_fits(form, pairs)
        name = "branch and Benders cut" if tree else "Benders decomposition"

        def own(register_stop=None) -> SolveResult:
            if tree:
                return solve_mclp_bnb(form, inst, pairs, options, warm, fallback_share=AUTO_FALLBACK_SHARE,
                                      register_stop=register_stop)
            return solve_mclp_benders(form, inst, pairs, options, warm, register_stop=register_stop)

        if concurrent.worth_racing(pairs.nnz, options):
            return concurrent.race(own, form, options, warm, name)
        return own()
    if method == "benders" and benders_fits:
        return solve_mclp_benders(form, inst, pairs, options, warm)
    return solve(form, options, warm)


def diagnose_fast(inst: FastInstance, pairs: Pairs, form: Formulation, options: SolveOptions) -> list[str]:
    """Cheap screens first; if they find nothing, relax one constraint family at a time."""
    from siting.fast.screens import screen_fast

    return screens_then_relaxation(screen_fast(inst, pairs), form, options)


def describe_fast(inst: FastInstance) -> str:
    return (
        f"{inst.name}: valid — {inst.n_demand} demand points, {int((~inst.is_existing).sum())} candidates, "
        f"{int(inst.is_existing.sum())} existing sites, {inst.grid.size if inst.grid else 0} grid areas; "
        f"objective {inst.params.objective}"
    )


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
