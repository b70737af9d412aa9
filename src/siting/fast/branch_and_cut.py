r"""Branch and Benders cut for the maximal covering model, without solver callbacks
(models/fast.md, "Benders"; Cordeau, Furini & Ljubić 2019, EJOR 275: 882-896).

The master of `siting.fast.benders` (x, theta and the Benders cuts
theta_g <= const_g + sum_j c_gj x_j) is kept as *one* HiGHS LP. Branch and bound runs here, over
the site columns x_j:

* a node is a set of fixings x_j = 0 / x_j = 1, applied as column bounds of that one LP and
  re-solved by warm-started dual simplex;
* at every node the cuts its LP answer x* violates are added (at x* itself: each cut is exact at
  its point) until none is, so the node's LP value is the LP of the full model with those
  fixings: the node bound is exact, never an estimate. Cuts are valid everywhere and stay;
* reduced-cost fixing: with LP value z and reduced cost d_j of a nonbasic x_j, every answer
  with x_j flipped is worth at most z - |d_j|; when that is below the incumbent the node (and
  its subtree) fixes x_j;
* every node's LP answer is rounded (largest x_j first) and improved by the swap local search;
  the plan is valued exactly by the cover oracle, so the incumbent is exact;
* the open node with the best bound is processed next; a node is pruned when its bound is within
  the gap tolerance of the incumbent; it is branched on its most fractional x_j otherwise.

The bound reported is the largest bound of any node that is open or was pruned by the gap
tolerance (and the incumbent's value): an honest upper bound at any time. `optimal` is reported
only when that bound is within the gap of the incumbent.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import highspy
import numpy as np

from siting import progress
from siting.fast.benders import (
    CoverOracle,
    Incumbent,
    Master,
    add_violated_cuts,
    chargers_projectable,
    cutting_planes_lp,
    mip_phase,
    start_master,
)
from siting.fast.instance import FastInstance
from siting.formulation import Formulation
from siting.formulation.emit import run_highs
from siting.options import SolveOptions
from siting.precompute import Pairs
from siting.solve import SolveResult, highs_status, relative_gap, stop_on_signals

_INT_TOL = 1e-6  # x_j within this of 0 or 1 counts as integral
_PURGE_EVERY = 50  # nodes between deletions of slack cuts (the root, then every 50th node)
# method auto: the share of the time limit the root LP may take before the Benders MIP phase takes
# over (the Benders LP phase's own share)
AUTO_FALLBACK_SHARE = 0.4
# method auto: above this many (reduced) demand-site pairs it takes Benders. Its regions of side R
# keep the master LP small where branch and cut's regions of side R/2 make each root round slow:
# 1 M points x 10 k candidates (67.8 M pairs), 60 s: Benders 2.09 %, branch and cut + fallback
# 3.29 % (its second root LP alone took 26 s); x 5 k (19.4 M pairs): 0.967 % against 1.021 % at
# 60 s and 0.865 % against 0.946 % at 600 s (benchmarks/results/2026-12-04-vm-mclp-families.md)
AUTO_MAX_PAIRS = 30_000_000
# method auto: above this many demand classes it takes Benders too. 1 M uniform points x 10 k
# candidates (416 047 classes, 14.5 M pairs), 60 s: branch and cut's root LP had not converged at
# its fallback and the answer was 40.1 % against Benders's 2.48 %
# (benchmarks/results/2026-12-07-vm-mclp-uniform-1m.md); towns-1m-5k (278 301 classes) stays with
# branch and cut, 0.06-0.08 points better there (the 12-04 figures above)
AUTO_MAX_CLASSES = 300_000


_BASIC = highspy.HighsBasisStatus.kBasic
Branching = Literal["fractional", "pseudocost", "reliability", "strong"]


@dataclass(frozen=True)
class Reliability:
    """Reliability branching's settings. towns20-100k (quiet 2-core VM, solve phase): (2, 4, 200)
    optimal in 52.6 s, 308 nodes; (2, 4, 400) 85.7 s; (2, 8, 200) 102 s; (2, 4, 100) 120 s;
    (1, 4, 200) 133 s (benchmarks/results/2026-12-03-vm-mclp-families.md)."""

    reliable: int = 2  # drops seen per side before a column's pseudocost is trusted without probing
    lookahead: int = 4  # candidates in a row without a better score before probing stops
    probe_iterations: int = 200  # dual simplex iterations per probe


@dataclass
class Basis:
    """A node's optimal LP basis, its rows named by `Master.row_ids`: restored for its children
    when they are not solved right after it, so their dual simplex starts one bound change away."""

    col_status: list
    row_ids: np.ndarray
    row_status: np.ndarray  # HighsBasisStatus objects
    basic_cols: int

    @classmethod
    def of(cls, master: Master) -> Basis:
        basis = master.h.getBasis()
        cols = list(basis.col_status)
        return cls(cols, master.row_ids.copy(), np.array(basis.row_status, dtype=object),
                   sum(status == _BASIC for status in cols))

    def nonbasic_rows(self) -> np.ndarray:
        """The ids of the rows nonbasic in this basis: deleting one would leave it a row short."""
        return self.row_ids[self.row_status != _BASIC]

    def restore(self, master: Master) -> bool:
        """Set this basis on the master: a row added since is basic (its slack), a row deleted since
        is dropped; False (and nothing set) when that leaves a basis of the wrong size."""
        ids = master.row_ids
        at = np.minimum(np.searchsorted(self.row_ids, ids), len(self.row_ids) - 1)
        known = self.row_ids[at] == ids
        rows = np.full(len(ids), _BASIC, dtype=object)
        rows[known] = self.row_status[at[known]]
        if self.basic_cols + int((rows == _BASIC).sum()) != len(ids):
            return False
        basis = highspy.HighsBasis()
        basis.col_status, basis.row_status = self.col_status, list(rows)
        basis.valid, basis.alien = True, False  # an alien basis is refactorised and repaired: 0.4 s
        return master.h.setBasis(basis) == highspy.HighsStatus.kOk


@dataclass(order=True)
class Node:
    """An open node: ordered by its parent's bound (max first, via the negative key)."""

    key: float
    serial: int
    lower: np.ndarray = field(compare=False)  # bounds of the master's integer columns at this node
    upper: np.ndarray = field(compare=False)
    bound: float = field(compare=False)  # the parent's LP value: an upper bound of this subtree
    depth: int = field(compare=False, default=0)
    parent: int = field(compare=False, default=-1)  # the parent's serial
    branched: tuple[int, bool, float, float] | None = field(compare=False, default=None)
    # (column k, up?, how far x_k moved to its new bound, the parent's LP value): for the pseudocosts
    basis: Basis | None = field(compare=False, default=None)  # the parent's optimal basis


@dataclass
class NodeLp:
    status: str  # "optimal", "infeasible", or why the LP stopped
    value: float = -np.inf
    xm: np.ndarray | None = None  # the master's answer (all its columns)
    xm_reduced: np.ndarray | None = None  # and its reduced costs
    rounds: int = 0
    exact: bool = True  # no cut is violated at xm: value is the full model's LP at the node


@dataclass
class Stats:
    nodes: int = 0
    lp_solves: int = 0
    cut_rounds: int = 0
    fixed_by_reduced_cost: int = 0
    pruned: int = 0
    infeasible: int = 0
    warm_start: float | None = None  # the incumbent handed in (greedy + swaps in the pipeline)
    root_lp_bound: float | None = None  # the compact model's LP (the cutting-plane value if the root is pruned)
    root_fixed: int = 0  # integer columns fixed by reduced costs at the root (for every node)
    root_free: int = 0  # integer columns left free after that
    root_incumbent: float | None = None  # after the root's LP answer was rounded and swapped
    root_seconds: float = 0.0
    max_depth: int = 0
    probe_lps: int = 0  # child LPs solved to choose a branching column (strong or reliability)
    cuts_purged: int = 0
    bases_restored: int = 0  # nodes whose LP started from their parent's saved basis
    bases_lost: int = 0  # and those whose saved basis no longer fitted the rows (purge keeps it from happening)

    def record(self) -> dict:
        return {k: (round(v, 3) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


class IntegerBounds:
    """The master's integer columns (x, and n, u when they are not projected out) and their root bounds."""

    def __init__(self, master: Master):
        lp = master.h.getLp()
        self.cols = master.integer_cols.astype(np.int32)
        self.lower = np.array(lp.col_lower_)[self.cols]
        self.upper = np.array(lp.col_upper_)[self.cols]

    def apply(self, master: Master, node: Node) -> None:
        master.h.changeColsBounds(len(self.cols), self.cols, node.lower, node.upper)


class Pseudocosts:
    """Per integer column, the mean LP bound drop per unit of x_j moved down and up, learnt from the
    children solved so far (Benichou et al. 1971; Achterberg, Koch & Martin 2005). A column not
    yet branched on either way takes the mean of those that were."""

    def __init__(self, n: int):
        self.total = np.zeros((2, n))  # [down, up] sums of drop per unit
        self.count = np.zeros((2, n))

    def learn(self, branched: tuple[int, bool, float, float], value: float) -> None:
        k, up, moved, parent_value = branched
        if moved > _INT_TOL and np.isfinite(value):
            self.total[int(up), k] += max(parent_value - value, 0.0) / moved
            self.count[int(up), k] += 1

    def estimates(self) -> np.ndarray:
        seen = self.count > 0
        per_column = self.total / np.maximum(self.count, 1)
        mean = np.array([per_column[s][seen[s]].mean() if seen[s].any() else 1.0 for s in (0, 1)])
        return np.where(seen, per_column, mean[:, None])

    def column(self, values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> int:
        """The free fractional column with the largest product of its estimated drops; -1 when none."""
        down, free = _fractional(values, lower, upper)
        if not free.any():
            return -1
        return int(np.argmax(np.where(free, _pseudocost_score(self.estimates(), down), -1.0)))


def bnb_fits(full: Formulation, pairs: Pairs | None = None) -> bool:
    """Whether method auto takes branch and cut: the master's only integer columns are the sites
    x_j (the chargers are projected out and there are no grid upgrades u_g), and (given `pairs`)
    there are at most AUTO_MAX_PAIRS of them over at most AUTO_MAX_CLASSES demand classes. With
    grid rows the tree branches on n and u too and its rounding finds worse plans than Benders's
    MIP (towns20-100k-grid: 0.486 % against 0.147 % at 60 s;
    benchmarks/results/2026-12-03-vm-mclp-families.md)."""
    if pairs is not None and (pairs.nnz > AUTO_MAX_PAIRS or pairs.n_demand > AUTO_MAX_CLASSES):
        return False
    if not chargers_projectable(full):
        return False
    integer = full.column_arrays()[3]
    integer[full.vars["x"].columns] = False
    integer[full.vars["n"].columns] = False  # projected out of the master
    return not integer.any()


def solve_mclp_bnb(full: Formulation, inst: FastInstance, pairs: Pairs, options: SolveOptions,
                   warm_start: np.ndarray | None, group_cell: float | None = None, max_rounds: int | None = 0,
                   branching: Branching = "reliability", strong: int = 4, plunge: bool = True,
                   purge: bool = True, reliability: Reliability = Reliability(),
                   fallback_share: float | None = None,
                   register_stop: Callable[[Callable[[], None]], None] | None = None) -> SolveResult:
    """Solve the mclp `full` (built by build_fast) by branch and Benders cut; the result is stated in
    `full`'s columns, like `solve_mclp_benders`. `max_rounds`, `branching`, `strong`, `plunge`,
    `purge`: see `branch_and_bound`. `fallback_share` (method auto): when the root's cutting-plane
    LP has not converged after that share of the time limit, the tree is not entered and the
    Benders MIP phase (`benders.mip_phase`) goes on from the same master instead: a root that slow
    leaves the tree no time, and HiGHS's MIP finds better plans from an unconverged master.
    `register_stop`, when given, is called with the function that stops this solve from another
    thread (`siting.concurrent.race`); the result then has status `interrupted`."""
    start = time.perf_counter()
    limit = options.time_limit
    # cells of R/2: on towns20-100k the root took 4.6 s against 10.7 s with cells of R (2 cores, load 5-6)
    cell = group_cell if group_cell is not None else (inst.params.radius or np.inf) / 2
    oracle, master, best = start_master(full, inst, pairs, options, warm_start, cell)
    master.h.setOptionValue("presolve", "off")  # every node re-solves from the last basis
    master.h.setOptionValue("simplex_strategy", 1)  # dual simplex: bounds change, the basis stays dual feasible
    stats = Stats()
    stop = {"signal": False}

    def on_signal() -> None:
        stop["signal"] = True
        master.stop()

    if register_stop is not None:
        register_stop(on_signal)
    with stop_on_signals(on_signal):
        progress.phase("branch and cut: root LP")
        lp = cutting_planes_lp(master, oracle, start, limit, lp_share=fallback_share or 1.0)
        if fallback_share is not None and lp.status is None and not lp.converged and not stop["signal"]:
            master.h.setOptionValue("presolve", "choose")  # the MIP presolves; the node LPs did not
            return mip_phase(full, inst, pairs, master, oracle, best, lp, options, start, stop,
                             interface="highspy, Benders decomposition (branch and cut's root LP did not "
                                       f"converge within {fallback_share:.0%} of the time limit)")
        if lp.status is not None or stop["signal"]:
            status = "interrupted" if stop["signal"] else lp.status
            return _result(full, master, oracle, best, stats, status, lp.bound,
                           f"stopped while solving the root LP ({lp.solver_message})", start, options)
        stats.root_lp_bound, stats.warm_start = lp.bound, best.value if best.x is not None else None
        status, message, bound = branch_and_bound(master, oracle, inst, pairs, best, options, stats, start, stop,
                                                  root_bound=lp.bound, max_rounds=max_rounds, branching=branching,
                                                  strong=strong, plunge=plunge, purge=purge,
                                                  reliability=reliability)
    return _result(full, master, oracle, best, stats, status, bound, message, start, options)


def branch_and_bound(master: Master, oracle: CoverOracle, inst: FastInstance, pairs: Pairs, best: Incumbent,
                     options: SolveOptions, stats: Stats, start: float, stop: dict,
                     root_bound: float = np.inf, max_rounds: int | None = 0,
                     branching: Branching = "reliability", strong: int = 4, plunge: bool = True,
                     purge: bool = True, reliability: Reliability = Reliability()) -> tuple[str, str, float]:
    """Best-bound branch and bound over the master's integer columns; (status, message, upper bound).
    `root_bound`: an upper bound known before the root (the cutting-plane LP's value);
    `max_rounds`: cut rounds per node below the root before it branches anyway (None: until exact);
    `branching`: how the branching column is chosen (`choose_branch`); `strong`: the columns probed
    by "strong" branching; `reliability`: the settings of "reliability" branching;
    `plunge`: process the child x* leans to next while it stays promising (`_worth_diving`), else
    always the open node with the best bound; `purge`: delete the cuts slack at the
    root and at every `_PURGE_EVERY`th node."""
    limit, gap = options.time_limit, options.gap or 0.0
    cols = IntegerBounds(master)
    heap: list[Node] = [Node(-np.inf, 0, cols.lower.copy(), cols.upper.copy(), root_bound)]
    pruned_bound = -np.inf  # the best bound among nodes pruned by the gap tolerance (not by value)
    serial = 0
    seen_plans: set[bytes] = set()
    dive: Node | None = None  # the child processed next (plunging: its LP starts from its parent's basis)
    pseudocosts = Pseudocosts(len(cols.cols))
    last_solved = -1  # the serial of the node whose LP was solved last (its basis is in the master)
    while heap or dive is not None:
        if dive is not None:
            node, dive = dive, None
            if stop["signal"] or time.perf_counter() - start > limit:
                heapq.heappush(heap, node)
                continue
        elif stop["signal"] or time.perf_counter() - start > limit:
            status = "interrupted" if stop["signal"] else "time_limit"
            return status, f"{status.replace('_', ' ')} with {len(heap)} open nodes", \
                _open_bound(heap, pruned_bound, best)
        else:
            node = heapq.heappop(heap)
        if _within_gap(node.bound, best.value, gap):
            pruned_bound, stats.pruned = max(pruned_bound, node.bound), stats.pruned + 1
            continue
        cols.apply(master, node)
        if node.basis is not None and node.parent != last_solved:
            restored = node.basis.restore(master)
            stats.bases_restored += restored
            stats.bases_lost += not restored
        last_solved = node.serial
        res = node_lp(master, oracle, start, limit, stats, cols.cols, None if stats.nodes == 0 else max_rounds)
        stats.nodes += 1
        stats.max_depth = max(stats.max_depth, node.depth)
        if res.status == "optimal" and node.branched is not None:
            pseudocosts.learn(node.branched, res.value)
        if res.status == "infeasible":
            stats.infeasible += 1
            continue
        if res.status != "optimal":  # time limit or interruption inside the LP: the node stays open
            heapq.heappush(heap, node)
            status = "interrupted" if stop["signal"] else "time_limit"
            return status, f"stopped in a node LP ({res.status})", _open_bound(heap, pruned_bound, best)
        value = min(res.value, node.bound)  # a child's LP cannot exceed its parent's
        _offer_rounded(master.sites(res.xm), inst, pairs, master, oracle, best, seen_plans, start + limit)
        values = res.xm[cols.cols]
        if _integral(values):  # exact after the cut loop: the answer itself is a plan
            best.offer(master.to_full(res.xm, best.full, oracle))
        if stats.nodes == 1:
            stats.root_lp_bound, stats.root_incumbent = value, best.value
            stats.root_seconds = time.perf_counter() - start
        if _within_gap(value, best.value, gap):
            pruned_bound, stats.pruned = max(pruned_bound, value), stats.pruned + 1
            continue
        lower, upper = node.lower.copy(), node.upper.copy()
        # with the LP's own value: z + d_j bounds the flipped side, min(parent bound, z) + d_j need not
        fixed = reduced_cost_fixing(lower, upper, values, res.xm_reduced[cols.cols], res.value, best.value)
        stats.fixed_by_reduced_cost += fixed
        if stats.nodes == 1:  # the root's bound holds for every node: its fixings are global
            stats.root_fixed, stats.root_free = fixed, int((upper > lower).sum())
            cols.lower, cols.upper = lower, upper
        if purge and stats.nodes % _PURGE_EVERY == 1:
            bases = {id(n.basis): n.basis for n in heap if n.basis is not None}
            keep = np.concatenate([b.nonbasic_rows() for b in bases.values()]) if bases else np.zeros(0, np.int64)
            stats.cuts_purged += purge_slack_cuts(master, keep)
        basis = Basis.of(master)  # the node's optimal basis: for its children and the probes
        k, child_bounds, probes = choose_branch(master, cols, values, lower, upper, value, branching, strong,
                                                pseudocosts, basis, limit - (time.perf_counter() - start),
                                                reliability)
        stats.probe_lps += probes
        if k < 0:  # integral, yet above the incumbent (not seen: the plan is exact): keep the bound honest
            pruned_bound = max(pruned_bound, value)
            continue
        down_upper, up_lower = upper.copy(), lower.copy()
        down_upper[k], up_lower[k] = np.floor(values[k]), np.ceil(values[k])
        children = []
        for (child_lower, child_upper), bound in zip(((up_lower, upper), (lower, down_upper)), child_bounds):
            serial += 1
            up = child_lower is up_lower
            moved = np.ceil(values[k]) - values[k] if up else values[k] - np.floor(values[k])
            children.append(Node(-bound, serial, child_lower, child_upper, bound, node.depth + 1,
                                 parent=node.serial, branched=(k, up, float(moved), value), basis=basis))
        near = children[0] if values[k] - np.floor(values[k]) >= 0.5 else children[1]  # the side x* leans to
        for child in children:
            if child is near and plunge and _worth_diving(child, heap, best.value):
                dive = child
            else:
                heapq.heappush(heap, child)
    return _finish(best, pruned_bound, gap)


def node_lp(master: Master, oracle: CoverOracle, start: float, limit: float, stats: Stats,
            integer_cols: np.ndarray | None = None, max_rounds: int | None = None) -> NodeLp:
    """The master LP at the current bounds, with cuts added at its answer until none is violated.

    With `max_rounds`, the loop stops after that many rounds unless the answer is integral on
    `integer_cols`: the LP value is then still an upper bound (the master relaxes the problem),
    only not yet the full model's LP at the node (`NodeLp.exact` False)."""
    rounds = 0
    while True:
        run_lp(master, limit - (time.perf_counter() - start))
        stats.lp_solves += 1
        status = highs_status(master.h.getModelStatus(), True)
        if status != "optimal":
            return NodeLp(status, rounds=rounds)
        solution = master.h.getSolution()
        xm = np.array(solution.col_value)
        x, theta = master.sites(xm), master.thetas(xm)
        value = float(master.h.getInfo().objective_function_value)  # of this LP, before its cuts are added
        reduced = np.array(solution.col_dual)
        added = add_violated_cuts(master, oracle, x, x, theta)
        capped = max_rounds is not None and rounds >= max_rounds and not _integral(xm[integer_cols])
        if added == 0 or capped:
            return NodeLp("optimal", value, xm, reduced, rounds, exact=added == 0)
        rounds += 1
        stats.cut_rounds += 1


def purge_slack_cuts(master: Master, keep: np.ndarray | None = None, tol: float = 1e-6) -> int:
    """Delete the cuts that are slack at the current LP answer (their slacks are basic, so the basis
    stays valid), except the rows with ids in `keep` (nonbasic in an open node's saved basis); how
    many. Cuts are valid everywhere: a deleted one is found again where it is needed."""
    h = master.h
    first = master.form.n_rows  # the master's own rows come first, the cuts after them
    solution = h.getSolution()
    row_value = np.array(solution.row_value)[first:]
    row_dual = np.array(solution.row_dual)[first:]
    upper = np.array(h.getLp().row_upper_)[first:]
    slack = (upper - row_value > tol * np.maximum(1.0, np.abs(upper))) & (np.abs(row_dual) <= 1e-12)
    if keep is not None and len(keep):
        slack &= ~np.isin(master.row_ids[first:], keep)
    rows = (first + np.flatnonzero(slack)).astype(np.int32)
    master.delete_rows(rows)
    return len(rows)


def run_lp(master: Master, time_left: float) -> None:
    """One warm-started re-solve of the master LP, in this thread: a node LP takes milliseconds, and
    `run_interruptible`'s worker thread and polling cost more than that. A signal is seen between
    node LPs (the solve's `stop` flag)."""
    h = master.h
    h.setOptionValue("time_limit", h.getRunTime() + max(time_left, 0.01))  # the LP clock sums over runs
    run_highs(h)


def reduced_cost_fixing(lower: np.ndarray, upper: np.ndarray, values: np.ndarray, reduced: np.ndarray,
                        value: float, incumbent: float) -> int:
    """Fix the integer columns that cannot move off their bound without the LP bound falling below
    the incumbent; how many (lower/upper are changed in place).

    The master maximises: a nonbasic column at its lower bound has d <= 0 and one unit up costs
    at least -d; at its upper bound d >= 0 and one unit down costs at least d."""
    if not np.isfinite(incumbent):
        return 0
    free = upper > lower
    at_lower = free & (values <= lower + _INT_TOL) & (value + reduced < incumbent - 1e-9)
    at_upper = free & (values >= upper - _INT_TOL) & (value - reduced < incumbent - 1e-9)
    upper[at_lower] = lower[at_lower]
    lower[at_upper] = upper[at_upper]
    return int(at_lower.sum() + at_upper.sum())


def choose_branch(master: Master, cols: IntegerBounds, values: np.ndarray, lower: np.ndarray, upper: np.ndarray,
                  value: float, branching: Branching, strong: int, pseudocosts: Pseudocosts, basis: Basis,
                  time_left: float, reliability: Reliability = Reliability()) -> tuple[int, tuple[float, float], int]:
    """(column, (up child's bound, down child's bound), child LPs probed); column -1 when the
    answer is integral on the free columns.

    * "fractional": the most fractional column;
    * "pseudocost": the largest product of the pseudocost estimates of the two drops;
    * "reliability": pseudocosts, probing the columns whose pseudocosts are not yet reliable
      (`reliability_branch`): the default; on towns20-100k 52.6 s against 154 s for "fractional";
    * "strong": the `strong` most fractional columns are probed to optimality, the largest product
      of the two drops is taken (Achterberg 2007).
    A probed child's LP (the current cuts, solved to optimality) relaxes the child: its value
    becomes the child's bound."""
    k = branching_column(values, lower, upper)
    if k < 0 or branching == "fractional":
        return k, (value, value), 0
    if branching == "pseudocost":
        return pseudocosts.column(values, lower, upper), (value, value), 0
    if branching == "reliability":
        return reliability_branch(master, cols, values, lower, upper, value, pseudocosts, basis, time_left,
                                  reliability)
    frac = np.where(upper > lower, np.abs(values - np.round(values)), 0.0)
    candidates = [c for c in np.argsort(-frac, kind="stable")[:strong] if frac[c] > _INT_TOL]
    best_score, best, probes = -1.0, (k, (value, value)), 0
    deadline = time.perf_counter() + time_left
    for c in candidates:
        if time.perf_counter() > deadline:
            break
        probes += 2
        up, down = (probe if solved else value for probe, solved in
                    _probe(master, cols, c, values, lower, upper, value, time_left))
        score = max(value - up, 1e-6) * max(value - down, 1e-6)
        if score > best_score:
            best_score, best = score, (int(c), (up, down))
    return best[0], best[1], probes


def _probe(master: Master, cols: IntegerBounds, c: int, values: np.ndarray, lower: np.ndarray,
           upper: np.ndarray, value: float, time_left: float) -> list[tuple[float, bool]]:
    """Solve both children of branching on column c (up, then down) with the current cuts; per
    child (its LP value capped at `value`, whether the LP was solved: -inf when infeasible); the
    column's bounds are put back after each."""
    h = master.h
    out = []
    for side_lower, side_upper in ((np.ceil(values[c]), upper[c]), (lower[c], np.floor(values[c]))):
        h.changeColBounds(int(cols.cols[c]), float(side_lower), float(side_upper))
        run_lp(master, time_left)
        status = h.getModelStatus()
        if status == highspy.HighsModelStatus.kInfeasible:
            out.append((-np.inf, True))
        else:
            solved = status == highspy.HighsModelStatus.kOptimal
            out.append((min(value, float(h.getInfo().objective_function_value)), solved))
        h.changeColBounds(int(cols.cols[c]), float(lower[c]), float(upper[c]))
    return out


def reliability_branch(master: Master, cols: IntegerBounds, values: np.ndarray, lower: np.ndarray,
                       upper: np.ndarray, value: float, pseudocosts: Pseudocosts, basis: Basis,
                       time_left: float, settings: Reliability = Reliability()) -> tuple[int, tuple[float, float], int]:
    """Reliability branching (Achterberg, Koch & Martin 2005): the fractional columns in order of
    their pseudocost score; a column whose pseudocosts rest on fewer than `settings.reliable`
    drops is probed (both children's LPs, at most `settings.probe_iterations` dual simplex
    iterations each, from this node's basis, restored after each probe) and its pseudocosts learn
    the drops. Probing stops after `settings.lookahead` columns in a row that did not beat the best
    score. A probe solved to optimality bounds its child; one stopped early is only an estimate."""
    down, free = _fractional(values, lower, upper)
    score = _pseudocost_score(pseudocosts.estimates(), down)
    order = [int(c) for c in np.argsort(-np.where(free, score, -1.0), kind="stable") if free[c]]
    best_score, best, since_better, probes = -1.0, (order[0], (value, value)), 0, 0
    deadline = time.perf_counter() + time_left  # each probe is cheap, hundreds of them are not
    master.h.setOptionValue("simplex_iteration_limit", settings.probe_iterations)
    try:
        for c in order:
            if since_better >= settings.lookahead or time.perf_counter() > deadline:
                break
            bounds = (value, value)
            if pseudocosts.count[:, c].min() < settings.reliable:
                probed = _probe(master, cols, c, values, lower, upper, value, time_left)
                basis.restore(master)
                probes += 2
                for up, (probe, solved) in zip((True, False), probed):
                    # an infeasible child: a large drop (its bound is -inf, its pseudocost stays finite)
                    drop_to = probe if np.isfinite(probe) else value - 1e-2 * abs(value)
                    pseudocosts.learn((c, up, 1 - down[c] if up else down[c], value), drop_to)
                bounds = tuple(probe if solved else value for probe, solved in probed)
            candidate = _pseudocost_score(pseudocosts.estimates()[:, c, None], down[c:c + 1])[0]
            if candidate > best_score:
                best_score, best, since_better = candidate, (c, bounds), 0
            else:
                since_better += 1
    finally:
        master.h.setOptionValue("simplex_iteration_limit", 2**31 - 1)
    return best[0], best[1], probes


def _fractional(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(f_j = x_j - floor(x_j), the free columns with f_j fractional)."""
    down = values - np.floor(values)
    return down, (upper > lower) & (down > _INT_TOL) & (down < 1 - _INT_TOL)


def _pseudocost_score(per_unit: np.ndarray, down: np.ndarray) -> np.ndarray:
    """The product rule: (estimated drop down) x (estimated drop up), each at least 1e-6."""
    return np.maximum(down * per_unit[0], 1e-6) * np.maximum((1 - down) * per_unit[1], 1e-6)


def branching_column(values: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> int:
    """The free integer column whose value is most fractional; -1 when all are integral."""
    frac = np.abs(values - np.round(values))
    frac = np.where(upper > lower, frac, 0.0)
    k = int(np.argmax(frac)) if len(frac) else -1
    return k if k >= 0 and frac[k] > _INT_TOL else -1


def _integral(values: np.ndarray) -> bool:
    return bool(np.all(np.abs(values - np.round(values)) <= _INT_TOL))


def _offer_rounded(x: np.ndarray, inst: FastInstance, pairs: Pairs, master: Master, oracle: CoverOracle,
                   best: Incumbent, seen: set[bytes], deadline: float | None = None) -> None:
    """Round the LP answer (largest x_j first), improve it by swaps (none after `deadline`), value it
    exactly, offer it."""
    from siting.fast.extract import solution_vector
    from siting.fast.local_search import lp_guided_plan, plan_in_order

    order = np.lexsort((np.arange(len(x)), -np.round(x, 6)))
    key = np.sort(order[: int(np.ceil(x.sum() - 1e-6))]).tobytes()
    if key in seen:  # the same rounding as before: the swaps would end where they ended
        return
    seen.add(key)
    plan = plan_in_order(inst, order)
    if oracle.value(plan.open.astype(float)).sum() + best.full.offset > best.value + 1e-9:
        best.offer(solution_vector(best.full, inst, pairs, plan))
    improved, _ = lp_guided_plan(inst, pairs, x, deadline)
    if oracle.value(improved.open.astype(float)).sum() + best.full.offset > best.value + 1e-9:
        best.offer(solution_vector(best.full, inst, pairs, improved))


def _worth_diving(child: Node, heap: list[Node], incumbent: float) -> bool:
    """Dive while the child keeps at least half of the best open node's distance to the incumbent."""
    if not heap or not np.isfinite(incumbent):
        return True
    top = heap[0].bound
    return child.bound - incumbent >= 0.5 * (top - incumbent)


def _within_gap(bound: float, incumbent: float, gap: float) -> bool:
    if not np.isfinite(incumbent):
        return False
    return bound <= incumbent + max(1e-6, gap * abs(incumbent))


def _open_bound(heap: list[Node], pruned_bound: float, best: Incumbent) -> float:
    return max([*(node.bound for node in heap), pruned_bound, best.value])


def _finish(best: Incumbent, pruned_bound: float, gap: float) -> tuple[str, str, float]:
    bound = max(pruned_bound, best.value)
    if best.x is None:
        return "infeasible", "no node has a feasible LP", bound
    return "optimal", "Optimal, by branch and Benders cut (no open node above the incumbent)", bound


def _result(full: Formulation, master: Master, oracle: CoverOracle, best: Incumbent, stats: Stats, status: str,
            bound: float, message: str, start: float, options: SolveOptions) -> SolveResult:
    seconds = time.perf_counter() - start
    objective = best.value if best.x is not None else None
    upper = min(bound, float(master.theta.ub.sum()) + full.offset)  # all coverable demand bounds it too
    upper = upper if np.isfinite(upper) else None
    if status == "optimal" and objective is not None and relative_gap(objective, upper) > (options.gap or 0.0) + 1e-9:
        status = "time_limit"  # never claimed without the gap (guard; branch_and_bound closes it)
    solver = {"name": "highs", "version": master.h.version(), "interface": "highspy, branch and Benders cut",
              "options": options.record(),
              "bnb": {"groups": oracle.n_groups, "cuts": master.n_cuts, **stats.record()}}
    return SolveResult(status=status, x=best.x, objective=objective, best_bound=upper,
                       gap=relative_gap(objective, upper), solver=solver, seconds=seconds, message=message)
