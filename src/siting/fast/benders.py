r"""Benders decomposition for the maximal covering model (models/fast.md, "Benders").

The compact mclp has one y_i and one row per demand class; at fine resolution that is most of
the model, and HiGHS spends its time in the root LP and cut loop over those rows. Cordeau,
Furini & Ljubić (2019, EJOR 275: 882-896) project y out: for fixed sites x the best cover is
y_i = min(1, sum_{j in N_i} x_j), so with demand grouped into regions g

    max sum_g theta_g   s.t.  theta_g <= sum_{i in g} w_i min(1, sum_{j in N_i} x_j),
                              x, n, u in the other families (p, land, grid, budget) unchanged.

The concave right-hand side is the minimum of the linear "Benders cuts", one per point xbar:

    theta_g <= sum_{i in g, s_i >= 1} w_i + sum_j (sum_{i in g, s_i < 1, j in N_i} w_i) x_j,
    s_i = sum_{j in N_i} xbar_j,

each exact at xbar and valid everywhere. The master holds x, n, u, theta and only the cuts that
were needed. Phase 1 solves the master LP by cutting planes with in-out stabilisation
(Ben-Ameur & Neto 2007); phase 2 solves the master MIP, checks its answer against the true
cover and adds cuts until the answer needs none. The master is a relaxation, so its proven
bound bounds the original problem; every incumbent is evaluated exactly. `optimal` is reported
only when the master MIP is optimal within the gap and its answer violates no cut.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit

from siting import progress
from siting.fast.instance import FastInstance
from siting.formulation import Formulation
from siting.formulation.emit import to_highspy
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.solve import (
    SolveResult,
    answer_matches_objective,
    highs_status,
    relative_gap,
    run_interruptible,
    stop_on_signals,
)

_TOL = 1e-7  # relative: a cut is violated when theta exceeds the cover by more than this


@njit(cache=True)
def _cut_coefficients(indptr, indices, weight, rows_of_group_ptr, rows_of_group, groups, full, n_sites):
    """Dense rows c_gj = sum of w_i over the classes i of g that are short at the cut point."""
    out = np.zeros((len(groups), n_sites))
    for r in range(len(groups)):
        g = groups[r]
        for q in range(rows_of_group_ptr[g], rows_of_group_ptr[g + 1]):
            i = rows_of_group[q]
            if full[i]:
                continue
            for t in range(indptr[i], indptr[i + 1]):
                out[r, indices[t]] += weight[i]
    return out


@dataclass
class CoverOracle:
    """Exact cover value per group, and the Benders cuts at a point."""

    a: sp.csr_array  # classes x sites, ones where d_ij <= R
    weight: np.ndarray
    group_of: np.ndarray
    n_groups: int
    rows_of_group_ptr: np.ndarray  # the classes of group g: rows_of_group[ptr[g]:ptr[g+1]]
    rows_of_group: np.ndarray

    @classmethod
    def build(cls, inst: FastInstance, pairs: Pairs, group_of: np.ndarray) -> CoverOracle:
        a = sp.csr_array((np.ones(pairs.nnz), pairs.indices, pairs.indptr), shape=pairs.shape)
        n_groups = int(group_of.max(initial=-1)) + 1
        rows = np.argsort(group_of, kind="stable")
        ptr = np.r_[0, np.cumsum(np.bincount(group_of, minlength=n_groups))]
        return cls(a, inst.weight.astype(float), group_of, n_groups, ptr, rows)

    def value(self, x_sites: np.ndarray) -> np.ndarray:
        covered = np.minimum(1.0, self.a @ x_sites)
        return np.bincount(self.group_of, weights=self.weight * covered, minlength=self.n_groups)

    def separate(self, at: np.ndarray, check: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(full, constant, bound): which classes are covered at the cut point `at`, each group's
        cut constant, and each group's cut evaluated at `check` (so violations need no matrix)."""
        full = (self.a @ at) >= 1.0 - 1e-9
        constant = np.bincount(self.group_of, weights=self.weight * full, minlength=self.n_groups)
        short = self.weight * ~full * (self.a @ check)
        return full, constant, constant + np.bincount(self.group_of, weights=short, minlength=self.n_groups)

    def coefficients(self, full: np.ndarray, groups: np.ndarray) -> sp.csr_array:
        """The cut rows (len(groups) x sites) for the classes that are short at the cut point."""
        dense = _cut_coefficients(self.a.indptr.astype(np.int64), self.a.indices.astype(np.int64), self.weight,
                                  self.rows_of_group_ptr, self.rows_of_group, groups.astype(np.int64), full,
                                  self.a.shape[1])
        return sp.csr_array(dense)


def spatial_groups(inst: FastInstance, pairs: Pairs, cell: float) -> np.ndarray:
    """Demand classes grouped by square cells of side `cell` (m); by blocks of rows without xy."""
    if inst.demand_xy is None or not np.isfinite(cell) or cell <= 0:
        return np.arange(inst.n_demand) * 64 // max(inst.n_demand, 1)
    key = np.floor((inst.demand_xy - inst.demand_xy.min(axis=0)) / cell).astype(np.int64)
    _, group_of = np.unique(key, axis=0, return_inverse=True)
    return group_of.ravel()


_SITE_LOCAL = {"chargers_min", "chargers_max", "land"}  # rows that tie n_j to its own x_j only


def chargers_projectable(full: Formulation) -> bool:
    """n appears in no row that links sites (grid, budget) and not in the objective: then an open
    site's chargers can be chosen after x, as the fewest it may have."""
    n = full.vars["n"]
    if np.any(n.cost != 0):
        return False
    for c in full.cons.values():
        if c.name in _SITE_LOCAL or c.name == "cover_link":
            continue
        if np.any((c.cols >= n.offset) & (c.cols < n.offset + n.size)):
            return False
    return True


class Master:
    """The master problem in HiGHS: the full formulation without y and its cover rows, plus theta.

    When the chargers only meet per-site rows (`chargers_projectable`), n and those rows are
    projected out too: x_j may open exactly where `opening` (chargers when open) is >= 0."""

    def __init__(self, full: Formulation, oracle: CoverOracle, options: SolveOptions, opening: np.ndarray):
        self.opening = opening if chargers_projectable(full) else None
        drop_vars, drop_cons = ({"y", "n"}, {"cover_link", *_SITE_LOCAL}) if self.opening is not None \
            else ({"y"}, {"cover_link"})
        master, self.column_of = full.without(drop_vars, drop_cons, name=f"{full.name}-benders-master")
        if self.opening is not None:
            x = master.vars["x"]
            x.ub = np.where(self.opening < 0, 0.0, x.ub)  # a new array: the full model keeps its bounds
        self.full_integer = full.column_arrays()[3]
        coverable = oracle.weight * (np.diff(oracle.a.indptr) > 0)
        group_total = np.bincount(oracle.group_of, weights=coverable, minlength=oracle.n_groups)
        self.theta = master.add_var("theta", oracle.n_groups, ub=group_total, cost=1.0,
                                    doc="theta[g] = covered demand of group g (bounded by the cuts)")
        self.site = master.vars["x"]
        self.form = master
        self.h = to_highspy(master)
        self.options = options
        self.n_cuts = 0
        # a stable id per LP row (the master's rows, then each cut as it is added): a basis saved
        # before cuts were added or deleted can still be matched row by row (branch_and_cut)
        self.row_ids = np.arange(self.h.getNumRow(), dtype=np.int64)
        self._next_row_id = len(self.row_ids)
        self.restarts = 0  # MIP runs repeated without the start (see _branch_and_check)
        self.relaxed = False
        self.stopped = False  # `stop` was called: the LP phase starts no more rounds
        self.found: list[np.ndarray] = []  # improving master answers of the current MIP run
        self.h.cbMipImprovingSolution.subscribe(self._keep_improving)
        _, _, _, integer = master.column_arrays()
        self.integer_cols = np.flatnonzero(integer).astype(np.int32)

    def _keep_improving(self, event) -> None:
        x = np.array(event.data_out.mip_solution)
        if len(x) == self.form.n_cols:  # in the master's own columns (not presolved ones)
            self.found.append(x)

    def set_integrality(self, integer: bool) -> None:
        self.relaxed = not integer
        kind = np.full(len(self.integer_cols), 1 if integer else 0, np.int32)
        self.h.changeColsIntegrality(len(self.integer_cols), self.integer_cols, kind)

    def add_cuts(self, groups: np.ndarray, constant: np.ndarray, coefs: sp.csr_array) -> None:
        """theta_g - sum_j c_gj x_j <= constant_g for the given groups (coefs: one row each)."""
        rows = sp.csr_array(coefs)
        n = len(groups)
        length = np.diff(rows.indptr) + 1  # each row: its theta, then its sites
        starts = np.r_[0, np.cumsum(length)[:-1]].astype(np.int32)
        idx = np.empty(int(length.sum()), np.int32)
        val = np.empty(len(idx))
        idx[starts], val[starts] = self.theta.offset + groups, 1.0
        rest = np.ones(len(idx), bool)
        rest[starts] = False
        idx[rest], val[rest] = self.site.offset + rows.indices, -rows.data
        self.h.addRows(n, np.full(n, -np.inf), constant[groups].astype(float), len(idx), starts, idx, val)
        self.n_cuts += n
        self.row_ids = np.r_[self.row_ids, self._next_row_id + np.arange(n, dtype=np.int64)]
        self._next_row_id += n

    def delete_rows(self, rows: np.ndarray) -> None:
        """Delete LP rows (cuts) by position."""
        rows = np.asarray(rows, np.int32)
        if len(rows):
            self.h.deleteRows(len(rows), rows)
            self.row_ids = np.delete(self.row_ids, rows)

    def stop(self) -> None:
        """End the HiGHS run in progress (safe from another thread); the LP phase starts no more
        rounds. The tree and the MIP phase stop on their own flag, which the caller sets too."""
        self.stopped = True
        self.h.cancelSolve()

    def run(self, time_left: float, gap: float | None) -> None:
        h, o = self.h, self.options
        # HiGHS 1.16 measures an LP's time limit on the object's run clock, summed over runs (a MIP's
        # on its own clock): give the LP what is left on top of what it has used
        used = h.getRunTime() if self.relaxed else 0.0
        h.setOptionValue("time_limit", used + max(time_left, 0.01))
        h.setOptionValue("mip_rel_gap", float(gap or 0.0))
        h.setOptionValue("threads", int(o.threads or 0))
        h.setOptionValue("random_seed", int(o.seed or 0))
        for key, value in o.highs.items():
            h.setOptionValue(key, value)
        run_interruptible(h)

    def solution(self) -> np.ndarray | None:
        solution = self.h.getSolution()
        if not solution.value_valid or (not self.relaxed and self.h.getInfo().primal_solution_status != 2):
            return None
        return np.array(solution.col_value)

    def sites(self, xm: np.ndarray) -> np.ndarray:
        return xm[self.site.offset : self.site.offset + self.site.size]

    def thetas(self, xm: np.ndarray) -> np.ndarray:
        return xm[self.theta.offset : self.theta.offset + self.theta.size]

    def to_full(self, xm: np.ndarray, full: Formulation, oracle: CoverOracle) -> np.ndarray:
        """A master answer in the full formulation's columns, with y_i = min(1, sum_j x_j)."""
        x = np.zeros(full.n_cols)
        kept = self.column_of >= 0
        x[kept] = xm[self.column_of[kept]]
        x[self.full_integer] = np.round(x[self.full_integer])  # integral within tolerance: state it exactly
        if self.opening is not None:
            n = full.vars["n"]
            x[n.columns] = np.where(full.values(x, "x") > 0.5, np.maximum(self.opening, 0), 0)
        y = full.vars["y"]
        x[y.offset : y.offset + y.size] = np.minimum(1.0, oracle.a @ np.round(self.sites(xm)))
        return x

    def start_from(self, x_full: np.ndarray, oracle: CoverOracle) -> None:
        xm = np.zeros(self.form.n_cols)
        kept = self.column_of >= 0
        xm[self.column_of[kept]] = x_full[kept]
        xm[self.theta.columns] = oracle.value(self.sites(xm))
        self.h.setSolution(len(xm), np.arange(len(xm), dtype=np.int32), xm)


def add_violated_cuts(master: Master, oracle: CoverOracle, at: np.ndarray, check: np.ndarray,
                      theta: np.ndarray, groups: np.ndarray | None = None) -> int:
    """Add the cuts at `at` that (x=`check`, theta) violates (or those of `groups`); how many."""
    full, constant, bound = oracle.separate(at, check)
    if groups is None:
        groups = np.flatnonzero(theta > bound + _TOL * np.maximum(1.0, np.abs(bound)))
    if len(groups):
        master.add_cuts(groups, constant, oracle.coefficients(full, groups))
    return len(groups)


class Incumbent:
    """The best plan found so far, in the full formulation's columns, valued exactly."""

    def __init__(self, full: Formulation, x: np.ndarray | None):
        self.full, self.x = full, x
        self.value = full.objective_value(x) if x is not None else -np.inf

    def offer(self, x: np.ndarray) -> None:
        value = self.full.objective_value(x)
        if value > self.value and self.full.max_violation(x)[0] <= 1e-6:
            self.x, self.value = x, value
            progress.figures(best=value)


def start_master(full: Formulation, inst: FastInstance, pairs: Pairs, options: SolveOptions,
                 warm_start: np.ndarray | None, cell: float) -> tuple[CoverOracle, Master, Incumbent]:
    """The oracle over square regions of side `cell`, the master and the incumbent (the warm start,
    when the options allow one), with the warm start's cuts: the master starts exact at that plan."""
    oracle = CoverOracle.build(inst, pairs, spatial_groups(inst, pairs, cell))
    master = Master(full, oracle, options, inst.opening_chargers())
    best = Incumbent(full, warm_start if options.warm_start else None)
    if best.x is not None:
        x0 = full.values(best.x, "x")
        add_violated_cuts(master, oracle, x0, x0, np.zeros(oracle.n_groups), groups=np.arange(oracle.n_groups))
    return oracle, master, best


def solve_mclp_benders(full: Formulation, inst: FastInstance, pairs: Pairs, options: SolveOptions,
                       warm_start: np.ndarray | None, group_cell: float | None = None,
                       register_stop: Callable[[Callable[[], None]], None] | None = None) -> SolveResult:
    """Solve the mclp `full` (built by build_fast) by Benders; the result is stated in `full`'s columns.

    Groups are square cells of side `group_cell` (default R: on 10 k and 100 k demand cells it
    solved 2-4x faster than cells of 2R or R/2). `register_stop`: as in
    `branch_and_cut.solve_mclp_bnb`."""
    start = time.perf_counter()
    limit = options.time_limit
    cell = group_cell if group_cell is not None else (inst.params.radius or np.inf)
    oracle, master, best = start_master(full, inst, pairs, options, warm_start, cell)
    # the master's own best plan overestimates (theta): the line shows the exactly valued one
    progress.watch_highs(master.h, limit, "Benders: master LP", started=start, primal=False)
    if best.x is not None:
        progress.figures(best=best.value)
    stop = {"signal": False}

    def on_signal() -> None:
        stop["signal"] = True
        master.stop()

    if register_stop is not None:
        register_stop(on_signal)
    with stop_on_signals(on_signal):
        lp = cutting_planes_lp(master, oracle, start, limit)
        return mip_phase(full, inst, pairs, master, oracle, best, lp, options, start, stop)


def mip_phase(full: Formulation, inst: FastInstance, pairs: Pairs, master: Master, oracle: CoverOracle,
              best: Incumbent, lp: LpPhase, options: SolveOptions, start: float, stop: dict,
              interface: str = "highspy, Benders decomposition") -> SolveResult:
    """After the LP phase `lp`: the LP answer rounded and swapped as incumbent, then the master MIP
    (`_branch_and_check`); the result in `full`'s columns."""
    limit = options.time_limit
    if lp.status is None and not stop["signal"]:
        if lp.x is not None:
            # the search may take half of what is left: the MIP phase needs the rest
            deadline = time.perf_counter() + 0.5 * max(0.0, start + limit - time.perf_counter())
            best.offer(_lp_guided_start(full, inst, pairs, master.sites(lp.x), deadline, options.seed))
        status, message, upper, rounds = _branch_and_check(master, oracle, best, options, start, limit, stop)
        upper = min(upper, lp.bound)
    else:
        status = "interrupted" if stop["signal"] else lp.status
        message, upper, rounds = f"stopped while solving the master LP ({lp.solver_message})", lp.bound, 0
    seconds = time.perf_counter() - start
    objective = best.value if best.x is not None else None
    solver = {"name": "highs", "version": master.h.version(), "interface": interface,
              "options": options.record(),
              "benders": {"groups": oracle.n_groups, "cuts": master.n_cuts, "lp_rounds": lp.rounds,
                          "mip_rounds": rounds, "restarts_without_start": master.restarts,
                          "seconds": {"lp": round(lp.seconds, 3), "mip": round(seconds - lp.seconds, 3)}}}
    # all coverable demand: a bound even when stopped early
    upper = min(upper, float(master.theta.ub.sum()) + full.offset)
    bound = upper if np.isfinite(upper) else None
    return SolveResult(status=status, x=best.x, objective=objective, best_bound=bound,
                       gap=relative_gap(objective, bound), solver=solver, seconds=seconds, message=message)


def _branch_and_check(master: Master, oracle: CoverOracle, best: Incumbent, options: SolveOptions,
                      start: float, limit: float, stop: dict) -> tuple[str, str, float, int]:
    """Phase 2: solve the master MIP, value its answers exactly, cut where it overestimates,
    repeat. Returns (status, message, upper bound, rounds)."""
    full = best.full
    master.set_integrality(True)
    upper, rounds = np.inf, 0
    while True:
        progress.phase(f"Benders: master MIP, round {rounds + 1}")
        if best.x is not None:
            master.start_from(best.x, oracle)
        master.found.clear()
        master.run(limit - (time.perf_counter() - start), options.gap)
        if best.x is not None and not answer_matches_objective(master.h, master.form):
            # the HiGHS 1.16 MIP-start defect (solve.py): trust neither answer nor bound, re-solve without it
            master.h.clearSolver()
            master.found.clear()
            master.run(limit - (time.perf_counter() - start), options.gap)
            master.restarts += 1
        rounds += 1
        h = master.h
        status = "interrupted" if stop["signal"] else highs_status(h.getModelStatus(), True)
        bound = float(h.getInfo().mip_dual_bound)
        upper = min(upper, bound) if np.isfinite(bound) else upper  # the master relaxes the problem
        final = master.solution()
        needs_cut = False
        for xm in [*master.found, *([] if final is None else [final])]:
            best.offer(master.to_full(xm, full, oracle))
            sites = master.sites(xm)
            if add_violated_cuts(master, oracle, sites, sites, master.thetas(xm)):
                needs_cut = needs_cut or xm is final
        if status != "optimal" or final is None:
            return status, h.modelStatusToString(h.getModelStatus()), upper, rounds
        if not needs_cut or relative_gap(best.value, upper) <= (options.gap or 0.0):
            message = "Optimal, by Benders decomposition (an exactly valued plan meets the master's bound)"
            return "optimal", message, upper, rounds


def _lp_guided_start(full: Formulation, inst: FastInstance, pairs: Pairs, x_lp: np.ndarray,
                     deadline: float | None = None, seed: int = 0) -> np.ndarray:
    """The master LP's answer rounded (largest x_j first) and improved by the iterated swap search:
    at 1 M points the master MIP rarely improves on it, so it is worth the time."""
    from siting.fast.extract import solution_vector
    from siting.fast.local_search import lp_guided_plan

    plan, _ = lp_guided_plan(inst, pairs, x_lp, deadline, iterate=True, seed=seed)
    return solution_vector(full, inst, pairs, plan)


@dataclass
class LpPhase:
    rounds: int
    bound: float  # the last master LP value: an upper bound of the problem
    status: str | None  # None when it converged or stopped at lp_share / max_rounds; else why it stopped
    x: np.ndarray | None
    seconds: float
    solver_message: str = ""  # HiGHS's model status in words, when the phase stopped early
    converged: bool = False  # no cut was violated at the last LP answer: bound is the master LP's optimum


def cutting_planes_lp(master: Master, oracle: CoverOracle, start: float, limit: float,
                       max_rounds: int = 200, alpha: float = 0.5, lp_share: float = 0.4) -> LpPhase:
    """Phase 1: the master LP by cutting planes, separating at a point between the LP answer
    and a core point (in-out stabilisation); the core point drifts towards the LP answers.
    It ends when no cut is violated, or after `lp_share` of the time limit."""
    master.set_integrality(False)
    core, bound, last = None, np.inf, None
    for round_ in range(1, max_rounds + 1):
        if master.stopped:  # a stop between two LP runs: HiGHS has nothing to cancel
            return LpPhase(round_, bound, "interrupted", last, time.perf_counter() - start, "stopped")
        progress.phase(f"Benders: master LP, round {round_} ({master.n_cuts:,} cuts)")
        master.run(limit - (time.perf_counter() - start), None)
        status = highs_status(master.h.getModelStatus(), True)
        xm = master.solution()
        if status in ("time_limit", "interrupted", "infeasible"):
            return LpPhase(round_, bound, status, None, time.perf_counter() - start,
                           master.h.modelStatusToString(master.h.getModelStatus()))
        if status != "optimal" or xm is None:
            # HiGHS gave up on this LP (seen: status Unknown on a 1M-point master): its cuts are
            # valid all the same, so the MIP phase goes on from the last LP answer it did solve
            master.h.clearSolver()
            return LpPhase(round_, bound, None, last, time.perf_counter() - start,
                           master.h.modelStatusToString(master.h.getModelStatus()))
        last = xm
        bound = float(master.h.getInfo().objective_function_value)
        progress.figures(bound=bound)
        x_lp, theta = master.sites(xm), master.thetas(xm)
        core = x_lp if core is None else core
        found = False
        for point in (alpha * x_lp + (1 - alpha) * core, x_lp):
            if add_violated_cuts(master, oracle, point, x_lp, theta):
                found = True
                break
        core = 0.5 * (core + x_lp)
        if not found:
            return LpPhase(round_, bound, None, last, time.perf_counter() - start, converged=True)
        if time.perf_counter() - start > lp_share * limit:
            break  # the MIP phase's cuts at integer answers matter more than a converged LP
    return LpPhase(round_, bound, None, last, time.perf_counter() - start)
