"""Solving: solver runs and their status mapping -> SolveResult (options: siting.options).

The default solver is HiGHS, fed straight from the formulation's arrays (`to_highspy`). Any other
pyomo solver (`cbc`, `glpk`, `gurobi`, `cplex`, `scip`, or `appsi_highs`) gets the same
formulation as a pyomo model. Status is honest: `optimal` only when the solver proved it.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from siting import progress, stop
from siting.errors import SolverError
from siting.formulation import Formulation
from siting.options import SolveOptions

Status = Literal["optimal", "time_limit", "infeasible", "unbounded", "interrupted", "error"]


@dataclass
class SolveResult:
    status: Status
    x: np.ndarray | None  # the incumbent, in column order, or None
    objective: float | None
    best_bound: float | None
    gap: float | None
    solver: dict
    seconds: float
    message: str = ""

    @property
    def has_solution(self) -> bool:
        return self.x is not None


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None or not np.isfinite(bound):
        return None
    return abs(objective - bound) / max(1e-10, abs(objective))


def solve(form: Formulation, options: SolveOptions = SolveOptions(), warm_start: np.ndarray | None = None) -> SolveResult:
    if options.solver in ("highs", "highspy"):
        return solve_highspy(form, options, warm_start)
    return solve_pyomo(form, options, warm_start)


# -- HiGHS, direct --------------------------------------------------------------------------------
def highs_status(model_status, has_solution: bool) -> Status:
    import highspy

    ms = highspy.HighsModelStatus
    if model_status == ms.kOptimal:
        return "optimal"
    if model_status in (ms.kInfeasible,):
        return "infeasible"
    if model_status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        return "unbounded"
    if model_status == ms.kInterrupt:
        return "interrupted"
    if model_status in (ms.kTimeLimit, ms.kIterationLimit, ms.kSolutionLimit, ms.kObjectiveBound, ms.kObjectiveTarget):
        return "time_limit"
    return "error"


def _run_highs(form: Formulation, options: SolveOptions, warm_start: np.ndarray | None):
    from siting.formulation.emit import to_highspy

    h = to_highspy(form)
    h.setOptionValue("time_limit", options.time_limit)
    h.setOptionValue("mip_rel_gap", options.gap)
    h.setOptionValue("threads", options.threads)
    h.setOptionValue("random_seed", options.seed)
    for key, value in options.highs.items():
        h.setOptionValue(key, value)
    if warm_start is not None:
        h.setSolution(len(warm_start), np.arange(len(warm_start), dtype=np.int32), warm_start.astype(np.float64))
    progress.watch_highs(h, options.time_limit)
    run_interruptible(h)
    return h


@contextlib.contextmanager
def stop_on_signals(on_stop):
    """While inside, Ctrl-C (SIGINT) and SIGTERM call `on_stop()` instead of ending the process.

    Signal handlers can only be installed in the main thread; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, lambda signum, frame: on_stop()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_interruptible(h) -> None:
    """Run HiGHS in its worker thread; Ctrl-C (SIGINT) or SIGTERM stop it cleanly through its
    interrupt callback, so the incumbent is kept and reported with status `interrupted`."""
    from siting.formulation.emit import run_highs, size_scheduler

    if threading.current_thread() is not threading.main_thread():
        run_highs(h)
        return
    size_scheduler(h)
    stop.raise_if_requested()  # a stop dropped while precomputing: never start the solve
    h.HandleUserInterrupt = True
    with stop_on_signals(h.cancelSolve):
        h.startSolve()
        while not h.wait(0.1)[0]:
            progress.tick()
        progress.tick(final=True)


def solve_highspy(form: Formulation, options: SolveOptions, warm_start: np.ndarray | None = None) -> SolveResult:
    start = time.perf_counter()
    warm = warm_start if options.warm_start else None
    h = _run_highs(form, options, warm)
    note = ""
    if warm is not None and not answer_matches_objective(h, form):
        # HiGHS 1.16 can return the MIP start as its solution while reporting another objective
        # (seen on 3 of 240 small seeded instances; never without a start): trust neither, re-solve.
        h = _run_highs(form, options, None)
        note = "MIP start discarded: HiGHS returned a solution inconsistent with its objective; re-solved without it"
    return _highs_result(h, form, options, time.perf_counter() - start, note)


def answer_matches_objective(h, form: Formulation) -> bool:
    """HiGHS's solution gives the objective value it reports (see the MIP-start note above)."""
    info = h.getInfo()
    if info.primal_solution_status != 2:
        return True
    x = np.array(h.getSolution().col_value)
    reported = float(info.objective_function_value)
    return abs(form.objective_value(x) - reported) <= 1e-6 * max(1.0, abs(reported))


def _highs_result(h, form: Formulation, options: SolveOptions, seconds: float, note: str) -> SolveResult:
    info = h.getInfo()
    model_status = h.getModelStatus()
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    status = highs_status(model_status, has_solution)
    x = np.array(h.getSolution().col_value) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    is_mip = any(v.domain != "continuous" for v in form.vars.values())
    bound = float(info.mip_dual_bound) if is_mip else objective if status == "optimal" else None
    if bound is not None and not np.isfinite(bound):
        bound = None
    gap = relative_gap(objective, bound)
    if status == "optimal":
        gap = float(info.mip_gap) if is_mip else 0.0
    solver = {"name": "highs", "version": h.version(), "interface": "highspy",
              "options": options.record(),
              "model_status": h.modelStatusToString(model_status)}
    if note:
        solver["note"] = note
    return SolveResult(status=status, x=x, objective=objective, best_bound=bound, gap=gap, solver=solver,
                       seconds=seconds, message=h.modelStatusToString(model_status))


# -- any pyomo solver -----------------------------------------------------------------------------
PYOMO_OPTION_NAMES = {
    "cbc": {"time_limit": "sec", "gap": "ratio", "threads": "threads", "seed": "randomSeed"},
    "glpk": {"time_limit": "tmlim", "gap": "mipgap"},
    "gurobi": {"time_limit": "TimeLimit", "gap": "MIPGap", "threads": "Threads", "seed": "Seed"},
    "cplex": {"time_limit": "timelimit", "gap": "mip_tolerances_mipgap", "threads": "threads"},
    "scip": {"time_limit": "limits/time", "gap": "limits/gap"},
    "appsi_highs": {"time_limit": "time_limit", "gap": "mip_rel_gap", "threads": "threads", "seed": "random_seed"},
}


def solve_pyomo(form: Formulation, options: SolveOptions, warm_start: np.ndarray | None = None) -> SolveResult:
    import pyomo.environ as pyo
    from pyomo.opt import TerminationCondition as TC

    from siting.formulation.emit import pyomo_values, to_pyomo

    start = time.perf_counter()
    try:
        solver = pyo.SolverFactory(options.solver)
        available = solver is not None and solver.available(exception_flag=False)
    except Exception:  # pyomo raises various errors for unknown or broken plugins
        available = False
    if not available:
        raise SolverError(
            f"solver '{options.solver}' is not available through pyomo on this machine; "
            f"install it or use the default --solver highs"
        )
    names = PYOMO_OPTION_NAMES.get(options.solver, {})
    for ours, theirs in names.items():
        value = getattr(options, ours)
        if value is not None and not (ours == "time_limit" and not options.has_time_limit):
            solver.options[theirs] = value
    model = to_pyomo(form)
    if warm_start is not None and options.warm_start:
        for var, value in zip(model._siting_columns, warm_start, strict=True):
            var.set_value(float(value), skip_validation=True)
    kwargs = {"warmstart": True} if (warm_start is not None and options.warm_start and options.solver in ("cbc", "gurobi", "cplex")) else {}
    results = solver.solve(model, load_solutions=False, **kwargs)
    tc = results.solver.termination_condition
    status: Status = {
        TC.optimal: "optimal", TC.infeasible: "infeasible", TC.unbounded: "unbounded",
        TC.infeasibleOrUnbounded: "infeasible", TC.maxTimeLimit: "time_limit",
        TC.maxIterations: "time_limit", TC.userInterrupt: "interrupted",
    }.get(tc, "error")
    x = objective = None
    if len(results.solution) > 0:
        model.solutions.load_from(results)
        x = pyomo_values(model)
        objective = float(pyo.value(model.objective))
    bound = None
    try:
        problem = results.problem[0]
        raw = problem.lower_bound if form.sense == "min" else problem.upper_bound
        bound = float(raw) if raw is not None and np.isfinite(float(raw)) else None
    except (AttributeError, IndexError, TypeError, ValueError):
        bound = None
    if status == "optimal" and bound is None:
        bound = objective
    return SolveResult(
        status=status, x=x, objective=objective, best_bound=bound,
        gap=0.0 if status == "optimal" else relative_gap(objective, bound),
        solver={"name": options.solver, "version": str(solver.version() or ""), "interface": "pyomo",
                "options": dict(solver.options), "termination": str(tc)},
        seconds=time.perf_counter() - start, message=str(tc),
    )
