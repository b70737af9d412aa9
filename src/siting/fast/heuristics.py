"""A greedy heuristic for the fast model: a warm start for the solver and a fallback incumbent.

It opens sites one at a time by best gain per cost, respecting p, budget, land and grid headroom
(without upgrades), then fills assignments. Its result is checked against the formulation before
use; an infeasible greedy answer is dropped, never reported.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from siting.fast.instance import FastInstance
from siting.fast.solution import FastSolution
from siting.precompute import Pairs, decay_weights


class PlanState:
    """Open sites and the resources they use (grid headroom, budget); shared with local_search."""

    def __init__(self, inst: FastInstance):
        p = inst.params
        self.inst = inst
        self.open = inst.is_existing.copy()
        self.chargers = inst.existing_chargers.copy()
        self.kw = p.kw_per_charger * p.simultaneity
        self.headroom = np.maximum(inst.grid.available_kw, 0.0) if inst.grid is not None else None
        self.spent = 0.0
        self.n_new = 0
        opening = inst.opening_chargers()  # nmin where a new site fits it, -1 where it cannot open
        self.openable = (~inst.is_existing) & (opening >= 0)
        self.open_chargers = np.where(self.openable, opening, np.where(inst.is_existing, 0, max(p.min_chargers, 0)))

    def open_cost(self, j: np.ndarray | int):
        inst = self.inst
        return inst.fixed_cost[j] + inst.cost_per_charger[j] * self.open_chargers[j]

    def can_open(self, j: int) -> bool:
        p, inst = self.inst.params, self.inst
        if not self.openable[j] or self.open[j]:
            return False
        if p.p is not None and p.objective != "lscp" and self.n_new >= p.p:
            return False
        if p.budget is not None and self.spent + self.open_cost(j) > p.budget:
            return False
        g = inst.grid_of_site[j]
        return not (self.headroom is not None and g >= 0 and self.kw * self.open_chargers[j] > self.headroom[g] + 1e-9)

    def do_open(self, j: int) -> None:
        g = self.inst.grid_of_site[j]
        if self.headroom is not None and g >= 0:
            self.headroom[g] -= self.kw * self.open_chargers[j]
        self.spent += self.open_cost(j)
        self.open[j] = True
        self.chargers[j] = self.open_chargers[j]
        self.n_new += 1


def greedy_fast(inst: FastInstance, pairs: Pairs) -> FastSolution:
    state = PlanState(inst)
    objective = inst.params.objective
    if objective in ("lscp", "mclp", "capacitated"):
        _greedy_cover(inst, pairs, state)
    elif objective == "pmedian":
        _greedy_median(inst, pairs, state)
    assignment = _assign(inst, pairs, state) if objective in ("pmedian", "capacitated") else None
    return FastSolution(state.open, state.chargers, np.zeros(inst.grid.size if inst.grid else 0, bool), assignment, None)


def _greedy_cover(inst: FastInstance, pairs: Pairs, state: PlanState) -> None:
    """Open the site covering the most uncovered weight (per euro for lscp) until nothing helps.

    The gains are kept up to date as sites open (`_cover_site`: the weight of each newly covered
    demand leaves the gain of every site reaching it), one pass over the pairs in all; recomputing
    them per opened site took 12 s at 1 M points x 10 k candidates, p = 200."""
    col_ptr, col_rows = pairs.by_candidate
    row_ptr, row_cols = pairs.indptr, pairs.indices
    uncovered = np.ones(inst.n_demand)
    for j in np.flatnonzero(state.open):  # the existing sites
        uncovered[col_rows[col_ptr[j]:col_ptr[j + 1]]] = 0
    weight = np.ones(inst.n_demand) if inst.params.objective == "lscp" else inst.weight.astype(float)
    gain = np.bincount(row_cols, weights=np.repeat(weight * uncovered, np.diff(row_ptr)), minlength=inst.n_sites)
    # the running sums leave rounding residue where a gain is really 0 (non-integer weights)
    residue = 1e-9 * float(weight.max(initial=0.0))
    while True:
        live = np.where(gain > residue, gain, 0.0)
        if inst.params.objective == "lscp":
            score = live / np.maximum(state.open_cost(np.arange(inst.n_sites)), 1e-9)
        else:
            score = live
        score[~state.openable | state.open] = -1
        for j in np.argsort(-score, kind="stable"):
            if score[j] <= 0:
                return
            if state.can_open(int(j)):
                state.do_open(int(j))
                _cover_site(col_ptr, col_rows, row_ptr, row_cols, int(j), uncovered, weight, gain)
                break
        else:
            return


@njit(cache=True)
def _cover_site(col_ptr, col_rows, row_ptr, row_cols, j, uncovered, weight, gain):
    """Site j opens: each demand it newly covers leaves every site's gain."""
    for t in range(col_ptr[j], col_ptr[j + 1]):
        i = col_rows[t]
        if uncovered[i] > 0:
            uncovered[i] = 0.0
            w = weight[i]
            for s in range(row_ptr[i], row_ptr[i + 1]):
                gain[row_cols[s]] -= w


def _greedy_median(inst: FastInstance, pairs: Pairs, state: PlanState) -> None:
    """Open the site that most improves demand-weighted distance (or accessibility)."""
    beta = inst.params.decay_beta
    value = decay_weights(pairs.distance, beta) if beta > 0 else pairs.distance
    big = float(value.max() * 2 + 1) if len(value) else 1.0
    best = np.full(inst.n_demand, 0.0 if beta > 0 else big)
    rows = np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))
    for j in np.flatnonzero(state.open):
        best = _improve(best, rows, pairs, value, j, beta)
    while True:
        if beta > 0:
            gain_per_pair = inst.weight[rows] * np.maximum(0.0, value - best[rows])
        else:
            gain_per_pair = inst.weight[rows] * np.maximum(0.0, best[rows] - value)
        gain = np.bincount(pairs.indices, weights=gain_per_pair, minlength=inst.n_sites)
        gain[~state.openable | state.open] = -1
        order = np.argsort(-gain, kind="stable")
        picked = next((int(j) for j in order if gain[j] > 0 and state.can_open(int(j))), None)
        if picked is None:
            return
        state.do_open(picked)
        best = _improve(best, rows, pairs, value, picked, beta)


def _improve(best, rows, pairs, value, j, beta):
    mask = pairs.indices == j
    r, d = rows[mask], value[mask]
    out = best.copy()
    if beta > 0:
        np.maximum.at(out, r, d)
    else:
        np.minimum.at(out, r, d)
    return out


def _assign(inst: FastInstance, pairs: Pairs, state: PlanState) -> np.ndarray:
    """Each demand point to its best open site (capacitated: while capacity lasts)."""
    p = inst.params
    z = np.zeros(pairs.nnz)
    capacity = p.sessions_per_charger * state.chargers.astype(float)
    beta = p.decay_beta
    for i in range(inst.n_demand):
        lo, hi = pairs.indptr[i], pairs.indptr[i + 1]
        js, ds = pairs.indices[lo:hi], pairs.distance[lo:hi]
        order = np.argsort(-decay_weights(ds, beta) if beta > 0 else ds, kind="stable")
        left = 1.0
        for k in order:
            j = js[k]
            if not state.open[j] or left <= 0:
                continue
            if p.objective == "capacitated":
                share = min(left, capacity[j] / inst.weight[i]) if inst.weight[i] > 0 else left
                capacity[j] -= share * inst.weight[i]
            else:
                share = left
            z[lo + k] = share
            left -= share
            if p.objective != "capacitated":
                break
    return z
