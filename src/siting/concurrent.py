"""A decomposition and plain HiGHS on the compact MILP, run at the same time; the first proof wins.

No one method proves every MCLP fastest. siting's branch and Benders cut wins by orders of magnitude
where the LP relaxation is loose (uniform 20 k points x 10 k candidates: 2.4 s against 172 % gap
at 60 s), but on the real NAL-Oost cells at R <= 1 km HiGHS's presolve and its own cuts close the
root gap at once (0.5 km, p = 500: 1.87 s against 29.2 s), and no instance feature found separates
the two regimes (benchmarks/results/2026-12-07-vm-mclp-sparse.md). A concurrent optimiser (as in
Gurobi's and CPLEX's) removes the choice: the compact MILP goes to HiGHS in a second process on a
core of its own (siting's tree runs serial dual simplex, one core), and whichever side proves
first stops the other. When neither proves, the better plan and the tighter bound of the two are
reported: both bound the same problem.

The child is spawned, never forked (HiGHS's and numba's threads do not survive a fork), gets one
thread, and is always ended when the race is over.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from siting.formulation import Formulation
from siting.options import SolveOptions
from siting.solve import SolveResult, relative_gap

# the compact side starts only when ours has not finished after this long: a solve that ends in
# seconds never pays for a second process (about 1 s to start). Above MAX_PAIRS the compact model's
# memory would be doubled for a side not seen to win that large: its wins measured are on the real
# cells at R <= 1.5 km (<= 13 387 classes), and on towns20-100k (542 k pairs after the reductions) it
# ends at 0.83 % at 60 s where branch and cut proves (benchmarks/results/2026-12-04-vm-mclp-families.md)
HEAD_START = 2.0
MAX_PAIRS = 5_000_000
_GRACE = 15.0  # seconds to wait for the child's own time-limited result after ours


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def worth_racing(n_pairs: int, options: SolveOptions) -> bool:
    """Whether `auto` races plain HiGHS: not too many pairs, time left after the head start, a
    core for each side, more than one thread allowed, and a process that may have children (a
    Dask worker's daemon processes may not)."""
    return (n_pairs <= MAX_PAIRS and options.time_limit > 2 * HEAD_START and options.threads != 1
            and cores() >= 2 and not multiprocessing.current_process().daemon)


def _solve_compact(conn, form: Formulation, options: SolveOptions, warm: np.ndarray | None) -> None:
    from siting.solve import solve

    try:
        conn.send(solve(form, options, warm))
    except BaseException as error:  # the parent reports it; it must not hang waiting
        conn.send(f"{type(error).__name__}: {error}")
    finally:
        conn.close()


class CompactRace:
    """The compact MILP solving in a child process; `result` is its SolveResult once it has sent one."""

    def __init__(self, form: Formulation, options: SolveOptions, warm: np.ndarray | None,
                 on_proof: Callable[[], None]):
        ctx = multiprocessing.get_context("spawn")
        self._conn, child_conn = ctx.Pipe(duplex=False)
        child_options = replace(options, threads=1)
        self.process = ctx.Process(target=_solve_compact, args=(child_conn, form, child_options, warm),
                                   name="siting-compact-race", daemon=True)
        self.process.start()
        child_conn.close()
        self.result: SolveResult | None = None
        self.error: str | None = None
        self._on_proof = on_proof
        self._stopping = False  # we end the child: its missing result is no error
        self._done = threading.Event()
        self._watcher = threading.Thread(target=self._watch, name="siting-compact-race-watch", daemon=True)
        self._watcher.start()

    def _watch(self) -> None:
        try:
            sent = self._conn.recv()
        except (EOFError, OSError) as error:  # the child died (killed, out of memory)
            sent = f"the compact solve ended without a result ({type(error).__name__})"
        if isinstance(sent, SolveResult):
            self.result = sent
            if sent.status == "optimal":
                self._on_proof()
        elif not self._stopping:
            self.error = sent
        self._done.set()

    def wait(self, seconds: float) -> None:
        self._done.wait(seconds)

    def stop(self) -> None:
        """End the child now: its result is not wanted any more, and HiGHS can take seconds to
        notice a polite SIGTERM (in presolve), which our answer would wait for."""
        self._stopping = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self._watcher.join(5.0)  # the child's end closed the pipe: the watcher has finished
        self._conn.close()


def race(own: Callable[[Callable[[Callable[[], None]], None]], SolveResult], form: Formulation,
         options: SolveOptions, warm: np.ndarray | None, own_name: str) -> SolveResult:
    """Run `own(register)` (a solve that calls `register(stop)` with the function that stops it)
    and, once it has run HEAD_START seconds, plain HiGHS on `form` beside it; the merged result
    (see the module docstring)."""
    start = time.perf_counter()
    stops: list[Callable[[], None]] = []
    proved = threading.Event()
    lock = threading.Lock()
    state: dict = {"child": None, "own_done": False}

    def on_proof() -> None:
        proved.set()
        for stop in stops:
            stop()

    def register(stop: Callable[[], None]) -> None:
        stops.append(stop)
        if proved.is_set():  # the child proved before our solve was ready to be stopped
            stop()

    def launch() -> None:
        with lock:
            left = options.time_limit - (time.perf_counter() - start)
            if not state["own_done"] and left > HEAD_START:
                try:
                    state["child"] = CompactRace(form, replace(options, time_limit=left), warm, on_proof)
                except (OSError, ValueError, RuntimeError):  # no second process here: ours runs alone
                    state["child"] = None

    timer = threading.Timer(HEAD_START, launch)
    timer.daemon = True
    if HEAD_START > 0:
        timer.start()
    else:
        launch()
    mine = None
    try:
        mine = own(register)
    finally:
        with lock:
            state["own_done"] = True
            timer.cancel()
        child = state["child"]
        if child is not None:
            try:
                if mine is not None and not proved.is_set():
                    # at our time limit the child reaches its own soon: its bound may be tighter
                    child.wait(max(0.0, start + options.time_limit + _GRACE - time.perf_counter())
                               if mine.status == "time_limit" else 0.5)
            finally:
                child.stop()
    if child is None:
        return mine
    return merge(mine, child.result, child.error, form.sense, options, own_name, time.perf_counter() - start)


def merge(mine: SolveResult, theirs: SolveResult | None, error: str | None, sense: str, options: SolveOptions,
          own_name: str, seconds: float) -> SolveResult:
    """Our result and the compact side's: the better plan, the tighter bound, and the status of
    the side that proved (ours when neither did, or when a stop from outside ended ours)."""
    record = {"compact": _summary(theirs, error), "proved_by": None}
    if theirs is None or theirs.x is None:
        status = mine.status
        x, objective, bound = mine.x, mine.objective, mine.best_bound
    else:
        better = _better(mine, theirs, sense)
        x, objective = better.x, better.objective
        bounds = [b for b in (mine.best_bound, theirs.best_bound) if b is not None]
        bound = (min(bounds) if sense == "max" else max(bounds)) if bounds else None
        status = "optimal" if theirs.status == "optimal" else mine.status
    if mine.status == "optimal":
        record["proved_by"] = own_name
        status = "optimal"
    elif status == "optimal":
        record["proved_by"] = "compact"
    gap = relative_gap(objective, bound)
    if status == "optimal" and gap is not None and gap > (options.gap or 0.0) + 1e-9:
        status = mine.status if mine.status != "optimal" else "time_limit"  # never claimed without the gap
        record["proved_by"] = None
    if record["proved_by"] == "compact":
        message = (f"{theirs.message} (plain HiGHS on the compact MILP proved it first; {own_name}, run "
                   "concurrently, was stopped)")
    else:
        message = mine.message + ("" if theirs is None else
                                  f" (plain HiGHS on the compact MILP ran concurrently: {theirs.status})")
    solver = {**mine.solver, "concurrent": record}
    if record["proved_by"] == "compact":
        solver["interface"] = f"highspy, compact MILP (raced against {own_name})"
    return replace(mine, status=status, x=x, objective=objective, best_bound=bound, gap=gap, solver=solver,
                   seconds=seconds, message=message)


def _better(a: SolveResult, b: SolveResult, sense: str) -> SolveResult:
    if a.objective is None or a.x is None:
        return b
    if b.objective is None:
        return a
    return b if (b.objective > a.objective if sense == "max" else b.objective < a.objective) else a


def _summary(result: SolveResult | None, error: str | None) -> dict:
    if result is None:
        return {"status": "error" if error else "stopped", **({"error": error} if error else {})}
    return {"status": result.status, "objective": result.objective, "best_bound": result.best_bound,
            "gap": result.gap, "seconds": round(result.seconds, 3)}
