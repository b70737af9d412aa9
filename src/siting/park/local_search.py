"""Local search over the open set of a split CFLP, each plan priced by its transportation LP.

With the open squares fixed, the best split assignment is a transportation LP (sum_s z_ks = 1,
sum_k load_kt z_ks <= cap_st where s is open, z_ks = 0 where it is not). `TransportLP` holds that
LP once, over every pair, in one HiGHS object: a move only changes the upper bounds of the
columns of the squares it opens or closes, and the dual simplex restarts from the last basis
(~60 ms a move at 100 x 1 000 against ~0.25 s from scratch).

The moves are drop (close one square), add (open one) and swap (one of each). All of them are
ranked by a first-order estimate from the last LP's duals, and only the best-ranked are priced
exactly, the first that lowers the cost taken (first improvement), then the ranking is redone:
- add s: f_s plus the continuous knapsack of the reduced costs c_ks - v_k < 0 under s's capacity
  (the Lagrangian subproblem of s with the assignment duals v as multipliers);
- drop s: f_s minus what its flows pay more at their next open square (the smallest reduced cost
  there) and the capacity price u_s they used at s;
- swap: the sum of the two.
Every accepted move lowers the exact cost, so the search never makes a plan worse, and it stops
at a local optimum (no priced move improves) or at its time budget.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from siting.formulation.emit import run_highs


class TransportLP:
    """min sum c_ks z_ks + M sum_k u_k, sum_s z_ks + u_k = 1, sum_k load_kt z_ks <= cap_st,
    z_ks <= [s open], over the pairs with a finite cost at an allowed square; columns grouped by
    square, then the unserved shares u_k (cost M = `penalty`, above any company's dearest pair): the
    LP always solves, and a plan that leaves a company unserved is priced so that the moves which
    serve it rank first (on each company's nearest squares only, an open set with room in total
    can still leave one without room nearby)."""

    def __init__(self, cost: np.ndarray, capacity: np.ndarray, load: np.ndarray, allowed: np.ndarray) -> None:
        import highspy
        import scipy.sparse as sp

        from siting.formulation.emit import new_highs

        K, S = cost.shape
        T = load.shape[1]
        ps, pk = np.nonzero((np.isfinite(cost) & allowed[None, :]).T)  # square-major
        self.K, self.S, self.T, self.pk, self.ps = K, S, T, pk, ps
        self.cost = cost[pk, ps]
        self.load, self.capacity = load, capacity
        self.first = np.searchsorted(ps, np.arange(S + 1))  # columns of s: first[s]:first[s + 1]
        P = len(pk)
        rows = [pk] + [K + ps * T + t for t in range(T)]
        vals = [np.ones(P)] + [load[pk, t] for t in range(T)]
        a = sp.csc_array((np.r_[np.concatenate(vals), np.ones(K)],
                          (np.r_[np.concatenate(rows), np.arange(K)], np.r_[np.tile(np.arange(P), T + 1), P + np.arange(K)])),
                         shape=(K + S * T, P + K))
        a.sum_duplicates()
        inf = highspy.kHighsInf
        self.h = h = new_highs()
        h.setOptionValue("threads", 1)
        h.setOptionValue("presolve", "off")  # warm restarts from the last basis need the model as it is
        self.P = P
        self.penalty = 10.0 * (float(self.cost.max(initial=0.0)) + 1.0)
        h.passModel(P + K, K + S * T, int(a.nnz), int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                    0.0, np.r_[self.cost, np.full(K, self.penalty)], np.zeros(P + K), np.r_[np.zeros(P), np.ones(K)],
                    np.r_[np.ones(K), np.full(S * T, -inf)],
                    np.r_[np.ones(K), capacity.ravel()], a.indptr.astype(np.int32), a.indices.astype(np.int32),
                    a.data, np.zeros(P + K, dtype=np.int32))
        self.open = np.zeros(S, bool)
        self.solves = 0
        self.timed_out = False

    def fits(self, open_: np.ndarray) -> bool:
        """The cheap screen: in every slot the open capacity covers the whole load."""
        return bool((self.capacity[open_].sum(axis=0) >= self.load.sum(axis=0) - 1e-9).all())

    def solve(self, open_: np.ndarray, seconds: float) -> float:
        """The transportation cost with `open_` open (np.inf when it does not fit or did not solve)."""
        import highspy

        self.timed_out = False
        changed = np.flatnonzero(open_ != self.open)
        if len(changed):
            cols = np.concatenate([np.arange(self.first[s], self.first[s + 1]) for s in changed]).astype(np.int32)
            ub = np.repeat(open_[changed].astype(float), np.diff(self.first)[changed])
            self.h.changeColsBounds(len(cols), cols, np.zeros(len(cols)), ub)
            self.open = open_.copy()
        if not self.fits(open_):
            return np.inf
        # HiGHS's time_limit is on the run time summed over every run of the object
        self.h.setOptionValue("time_limit", self.h.getRunTime() + max(0.05, float(seconds)))
        run_highs(self.h)
        self.solves += 1
        status = self.h.getModelStatus()
        self.timed_out = status == highspy.HighsModelStatus.kTimeLimit
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible,
                          highspy.HighsModelStatus.kTimeLimit):
            self.h.clearSolver()  # a restart from a basis that went wrong: once more from scratch
            run_highs(self.h)
            status = self.h.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            return np.inf
        return float(self.h.getInfo().objective_function_value)

    def unserved(self) -> float:
        """sum_k u_k of the last solve."""
        return float(np.sum(np.array(self.h.getSolution().col_value)[self.P:]))

    def shares(self) -> np.ndarray:
        """share[k, s] of the last solve (tiny values dropped)."""
        z = np.array(self.h.getSolution().col_value)[:self.P]
        share = np.zeros((self.K, self.S))
        share[self.pk, self.ps] = np.where(z > 1e-9, z, 0.0)
        return share

    def duals(self) -> tuple[np.ndarray, np.ndarray]:
        """(reduced cost rc[k, s], np.inf where there is no pair; capacity price per unit u[s, t] >= 0)."""
        sol = self.h.getSolution()
        rc = np.full((self.K, self.S), np.inf)
        rc[self.pk, self.ps] = np.array(sol.col_dual)[:self.P]
        u = -np.array(sol.row_dual)[self.K:].reshape(self.S, self.T)
        return rc, np.maximum(u, 0.0)


@dataclass
class Searched:
    """The local search's result: the open set, its shares, its cost (fixed + transport) and counts."""

    open: np.ndarray
    share: np.ndarray
    value: float
    moves: int
    priced: int
    local_optimum: bool

    def summary(self, started_open: int) -> dict:
        return {"value": round(self.value, 3), "squares_from": started_open, "squares": int(self.open.sum()),
                "moves": self.moves, "priced": self.priced, "local_optimum": self.local_optimum}


def add_gains(rc: np.ndarray, load: np.ndarray, capacity: np.ndarray, fixed: np.ndarray) -> np.ndarray:
    """Estimated saving of opening each square: -(f_s + the continuous knapsack of its negative
    reduced costs, each company weighing its largest share of s's capacity over the slots)."""
    K, S = rc.shape
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = (load[:, None, :] / capacity[None, :, :]).max(axis=2)  # [K, S]
        weight = np.where(np.isfinite(weight), weight, np.inf)
        gain = np.where(np.isfinite(rc) & (rc < 0), -rc, 0.0)
        ratio = np.where(gain > 0, gain / weight, 0.0)
    order = np.argsort(-ratio, axis=0, kind="stable")
    g = np.take_along_axis(gain, order, axis=0)
    w = np.take_along_axis(np.where(gain > 0, weight, 0.0), order, axis=0)
    before = np.cumsum(w, axis=0) - w
    part = np.clip((1.0 - before) / np.where(w > 0, w, 1.0), 0.0, 1.0)
    part = np.where(w > 0, part, 0.0)
    return (g * part).sum(axis=0) - fixed


def drop_gains(rc: np.ndarray, u: np.ndarray, share: np.ndarray, load: np.ndarray, open_: np.ndarray,
               fixed: np.ndarray) -> np.ndarray:
    """Estimated saving of closing each open square: f_s minus, for its flows, the smallest reduced
    cost at another open square plus the capacity price they used at s."""
    rc_open = np.where(open_[None, :], rc, np.inf)
    two = np.partition(rc_open, 1, axis=1)[:, :2] if open_.sum() > 1 else np.c_[rc_open.min(axis=1), np.full(len(rc), np.inf)]
    low = rc_open.argmin(axis=1)
    other = np.where(np.arange(rc.shape[1])[None, :] == low[:, None], two[:, 1:2], two[:, 0:1])  # [K, S]
    used = load @ u.T  # [K, S]: capacity price of all of k at s
    with np.errstate(invalid="ignore"):
        loss = np.where(share > 0, share * (np.maximum(other, 0.0) + used), 0.0).sum(axis=0)
    return np.where(open_, fixed - loss, -np.inf)


def _ranked_moves(tp: TransportLP, add: np.ndarray, drop: np.ndarray, open_: np.ndarray, max_open: int | None
                  ) -> list[tuple[list[int], list[int]]]:
    """(squares opened, squares closed) of every drop, add and swap whose open capacity still covers
    the load in every slot, best estimated saving first."""
    need = tp.load.sum(axis=0) - 1e-9
    have = tp.capacity[open_].sum(axis=0)
    ins, outs = np.flatnonzero(np.isfinite(add)), np.flatnonzero(open_)
    moves: list[tuple[float, list[int], list[int]]] = []
    ok = (have[None, :] - tp.capacity[outs] >= need).all(axis=1)
    moves += [(drop[d], [], [d]) for d in outs[ok]]
    if max_open is None or open_.sum() < max_open:
        moves += [(add[a], [a], []) for a in ins]
    swap = (have[None, None, :] + tp.capacity[ins][:, None, :] - tp.capacity[outs][None, :, :] >= need).all(axis=2)
    a, d = np.nonzero(swap)
    moves += [(add[ins[i]] + drop[outs[j]], [ins[i]], [outs[j]]) for i, j in zip(a, d)]
    moves.sort(key=lambda m: -m[0])
    return [(i, o) for _, i, o in moves]


def improve(tp: TransportLP, fixed: np.ndarray, open_: np.ndarray, seconds: float, max_open: int | None = None,
            tries: int = 20) -> Searched | None:
    """First-improvement local search from `open_` (None when it does not fit or ends with a company
    unserved): each round prices at
    most `tries` moves, best estimate first; it stops when none of them improves or at `seconds`."""
    started = time.perf_counter()

    def left() -> float:
        return seconds - (time.perf_counter() - started)

    open_ = open_.copy()
    cost = tp.solve(open_, left())
    if not np.isfinite(cost):
        return None
    value, share, unserved = cost + fixed[open_].sum(), tp.shares(), tp.unserved()
    moves = priced = 0
    local_optimum = False
    allowed = np.diff(tp.first) > 0
    while left() > 0:
        rc, u = tp.duals()
        add = np.where(~open_ & allowed, add_gains(rc, tp.load, tp.capacity, fixed), -np.inf)
        drop = drop_gains(rc, u, share, tp.load, open_, fixed)
        cand = _ranked_moves(tp, add, drop, open_, max_open)
        improved = timed_out = False
        for ins, outs in cand[:tries]:
            if left() <= 0:
                break
            trial = open_.copy()
            trial[ins] = True
            trial[outs] = False
            priced += 1
            cost = tp.solve(trial, left())
            timed_out |= tp.timed_out
            if cost + fixed[trial].sum() < value - 1e-6 * max(1.0, abs(value)):
                open_, value, share, unserved = trial, cost + fixed[trial].sum(), tp.shares(), tp.unserved()
                moves += 1
                improved = True
                break
        if not improved:
            local_optimum = left() > 0 and not timed_out
            break
    if unserved > 1e-9:  # no plan: some company is still (partly) unserved
        return None
    return Searched(open_, share, value, moves, priced, local_optimum)


def nearest_pairs(cost: np.ndarray, nearest: int) -> np.ndarray:
    """cost with only each company's `nearest` cheapest squares kept (np.inf elsewhere): the LPs of
    the start get ~S / nearest times smaller, and a plan on these pairs is still a plan."""
    K, S = cost.shape
    if nearest >= S:
        return cost
    keep = np.argpartition(cost, nearest - 1, axis=1)[:, :nearest]
    near = np.full_like(cost, np.inf)
    np.put_along_axis(near, keep, np.take_along_axis(cost, keep, axis=1), axis=1)
    return near


def rounded(y: np.ndarray, tp: TransportLP, max_open: int | None = None) -> np.ndarray | None:
    """The squares with y_s >= 1/2, then more by decreasing y_s > 0 until the open capacity covers
    the load (None when it never does or needs more than `max_open` squares)."""
    allowed = np.diff(tp.first) > 0
    y = np.where(allowed, y, 0.0)
    open_ = y >= 0.5
    for s in np.argsort(-y, kind="stable"):
        if tp.fits(open_) or y[s] <= 0:
            break
        open_[s] = True
    if not tp.fits(open_) or not open_.any():
        return None
    if max_open is not None and open_.sum() > max_open:
        return None
    return open_
