"""Swap local search for the maximal covering model (a better warm start than greedy alone).

Starting from the greedy plan, it repeatedly makes the best single swap - close one open new
site j, open one closed candidate k - until no swap adds covered demand (Teitz & Bart 1968 in
the "fast interchange" bookkeeping of Whitaker 1983). For every demand i let c_i be the number
of open sites within reach. Then the change in covered weight of the swap (j out, k in) is

    delta(j, k) = gain(k) - loss(j) + back(j, k)
    gain(k)    = sum of w_i over i in N(k) with c_i = 0       (newly covered by k)
    loss(j)    = sum of w_i over i in N(j) with c_i = 1       (only j covers them)
    back(j, k) = sum of w_i over i in N(j) & N(k) with c_i = 1 (lost by j, kept by k)

One pass over the pairs prices every swap of the first plan. After a swap only the demands in
N(j) and N(k) change c_i, so only their terms are taken out and put back (`_close_site`,
`_open_site`): a swap costs the pairs of those demands, not all pairs (at 1 M points x 10 k
candidates, p = 200: 130 swaps took 18 s with a fresh pass each). A swap must keep the plan
feasible: the grid area of k has room for its chargers once j's load is freed, and the budget
holds. The result is checked against the formulation before it is used, like the greedy one.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from siting.fast.heuristics import PlanState, coverage_matrix
from siting.fast.instance import FastInstance
from siting.fast.solution import FastSolution
from siting.precompute import Pairs

_EPS = 1e-9


@njit(cache=True)
def _swap_prices(indptr, indices, weight, is_open, slot_of, n_slots, n_sites):
    """(count, only, gain per site, loss per open slot, back[slot, site]) for the current plan;
    count[i] = c_i and only[i] the open site covering i when c_i = 1."""
    count = np.zeros(len(weight), np.int64)
    only = np.full(len(weight), -1, np.int64)
    for i in range(len(weight)):
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            if is_open[j]:
                count[i] += 1
                only[i] = j
    gain = np.zeros(n_sites)
    loss = np.zeros(n_slots)
    back = np.zeros((n_slots, n_sites))
    for i in range(len(weight)):
        _add_row(i, weight[i], count, only, slot_of, indptr, indices, gain, loss, back)
    return count, only, gain, loss, back


@njit(cache=True)
def _add_row(i, w, count, only, slot_of, indptr, indices, gain, loss, back):
    """Add demand i's terms (w > 0) or take them out (w < 0), by its c_i: uncovered demand counts in
    gain, demand with a single new site in that site's loss and back; c_i >= 2 in neither."""
    if count[i] == 0:
        for t in range(indptr[i], indptr[i + 1]):
            gain[indices[t]] += w
    elif count[i] == 1:
        s = slot_of[only[i]]
        if s < 0:
            return  # covered by an existing site, which never closes
        loss[s] += w
        for t in range(indptr[i], indptr[i + 1]):
            back[s, indices[t]] += w


@njit(cache=True)
def _close_site(j, col_ptr, col_rows, indptr, indices, weight, is_open, count, only, slot_of, gain, loss, back):
    """Site j closes (is_open[j] already False, slot_of[j] still its slot)."""
    for t in range(col_ptr[j], col_ptr[j + 1]):
        i = col_rows[t]
        if count[i] > 2:
            count[i] -= 1
            continue
        _add_row(i, -weight[i], count, only, slot_of, indptr, indices, gain, loss, back)
        count[i] -= 1
        only[i] = -1
        if count[i] == 1:
            for q in range(indptr[i], indptr[i + 1]):
                if is_open[indices[q]]:
                    only[i] = indices[q]
        _add_row(i, weight[i], count, only, slot_of, indptr, indices, gain, loss, back)


@njit(cache=True)
def _open_site(k, col_ptr, col_rows, indptr, indices, weight, count, only, slot_of, gain, loss, back):
    """Site k opens (slot_of[k] already its slot)."""
    for t in range(col_ptr[k], col_ptr[k + 1]):
        i = col_rows[t]
        if count[i] >= 2:
            count[i] += 1
            continue
        _add_row(i, -weight[i], count, only, slot_of, indptr, indices, gain, loss, back)
        count[i] += 1
        only[i] = k if count[i] == 1 else -1
        _add_row(i, weight[i], count, only, slot_of, indptr, indices, gain, loss, back)


def swap_improve(inst: FastInstance, pairs: Pairs, sol: FastSolution,
                 max_swaps: int = 1000, deadline: float | None = None) -> tuple[FastSolution, int]:
    """The plan after best-improvement swaps (mclp only); returns (plan, swaps made). No swap starts
    after `deadline` (a time.perf_counter() value): every plan between swaps is feasible, and at
    1 M points x 10 k candidates the swaps after an LP answer took 35 s of a 60 s limit."""
    if inst.params.objective != "mclp":
        return sol, 0
    is_open = sol.open.copy()
    chargers = sol.chargers.copy()
    kw_per_charger = inst.params.kw_per_charger * inst.params.simultaneity
    room = _grid_room(inst, is_open, chargers, kw_per_charger)
    budget_left = _budget_left(inst, is_open, chargers)
    movable = np.flatnonzero(is_open & ~inst.is_existing)  # slot s holds the new site movable[s]
    if len(movable) == 0:
        return sol, 0
    rules = PlanState(inst)  # which sites may open and with how many chargers: the greedy's rules
    charger_if_opened, openable = rules.open_chargers, rules.openable
    weight = inst.weight.astype(np.float64)
    # the running sums drift from fresh ones by rounding (non-integer weights): ignore such gains
    tolerance = max(_EPS, 1e-9 * float(np.abs(weight).sum()))
    slot_of = np.full(inst.n_sites, -1, np.int64)
    slot_of[movable] = np.arange(len(movable))
    count, only, gain, loss, back = _swap_prices(pairs.indptr, pairs.indices, weight, is_open, slot_of,
                                                 len(movable), inst.n_sites)
    by_site = coverage_matrix(pairs, np.ones(pairs.nnz))  # the demands each site reaches
    col_ptr, col_rows = by_site.indptr.astype(np.int64), by_site.indices.astype(np.int64)
    swaps = 0
    while swaps < max_swaps and (deadline is None or time.perf_counter() < deadline):
        delta = gain[None, :] - loss[:, None] + back
        delta[:, ~openable | is_open] = -np.inf
        move = _best_feasible(inst, delta, movable, chargers, charger_if_opened, room, budget_left,
                              kw_per_charger, tolerance)
        if move is None:
            break
        s, j, k = move
        cost_j = inst.fixed_cost[j] + inst.cost_per_charger[j] * chargers[j]
        cost_k = inst.fixed_cost[k] + inst.cost_per_charger[k] * charger_if_opened[k]
        _move_load(inst, room, j, -kw_per_charger * chargers[j])
        _move_load(inst, room, k, kw_per_charger * charger_if_opened[k])
        if budget_left is not None:
            budget_left += cost_j - cost_k
        is_open[j], chargers[j] = False, inst.existing_chargers[j]
        _close_site(j, col_ptr, col_rows, pairs.indptr, pairs.indices, weight, is_open, count, only, slot_of,
                    gain, loss, back)
        slot_of[j], slot_of[k], movable[s] = -1, s, k
        is_open[k], chargers[k] = True, charger_if_opened[k]
        _open_site(k, col_ptr, col_rows, pairs.indptr, pairs.indices, weight, count, only, slot_of, gain, loss, back)
        swaps += 1
    return FastSolution(is_open, chargers, sol.upgrades, sol.assignment, sol.covered), swaps


def _best_feasible(inst, delta, movable, chargers, charger_if_opened, room, budget_left, kw, tolerance):
    """(slot, j, k) of the best swap that gains more than `tolerance` and keeps grid headroom and
    budget; None when there is none."""
    n_sites = delta.shape[1]
    best = int(np.argmax(delta))  # usually feasible: sort only when it is not
    s, k = divmod(best, n_sites)
    if not delta[s, k] > tolerance:
        return None
    if _swap_fits(inst, int(movable[s]), k, chargers, charger_if_opened, room, budget_left, kw):
        return s, int(movable[s]), k
    order = np.argsort(-delta, axis=None, kind="stable")
    for flat in order:
        s, k = divmod(int(flat), n_sites)
        if not delta[s, k] > tolerance:
            return None
        j = int(movable[s])
        if _swap_fits(inst, j, k, chargers, charger_if_opened, room, budget_left, kw):
            return s, j, k
    return None


def _swap_fits(inst, j, k, chargers, charger_if_opened, room, budget_left, kw) -> bool:
    if room is not None:
        g_k, g_j = inst.grid_of_site[k], inst.grid_of_site[j]
        if g_k >= 0:
            freed = kw * chargers[j] if g_j == g_k else 0.0
            if kw * charger_if_opened[k] > room[g_k] + freed + 1e-9:
                return False
    if budget_left is not None:
        cost_j = inst.fixed_cost[j] + inst.cost_per_charger[j] * chargers[j]
        cost_k = inst.fixed_cost[k] + inst.cost_per_charger[k] * charger_if_opened[k]
        if cost_k - cost_j > budget_left + 1e-9:
            return False
    return True


def _grid_room(inst, is_open, chargers, kw) -> np.ndarray | None:
    """Headroom left per grid area (no upgrades: the warm start does not use them)."""
    if inst.grid is None:
        return None
    room = np.maximum(inst.grid.available_kw, 0.0).astype(float)
    new = np.flatnonzero(is_open & ~inst.is_existing & (inst.grid_of_site >= 0))
    np.subtract.at(room, inst.grid_of_site[new], kw * (chargers[new] - inst.existing_chargers[new]))
    return room


def _move_load(inst, room, j, kw_change) -> None:
    if room is not None and inst.grid_of_site[j] >= 0:
        room[inst.grid_of_site[j]] -= kw_change


def _budget_left(inst, is_open, chargers) -> float | None:
    if inst.params.budget is None:
        return None
    new = is_open & ~inst.is_existing
    spent = float((inst.fixed_cost[new] + inst.cost_per_charger[new] * chargers[new]).sum())
    return inst.params.budget - spent


def plan_in_order(inst: FastInstance, order: np.ndarray) -> FastSolution:
    """Open new sites in `order` while they fit (p, land, grid headroom, budget), minimum chargers."""
    state = PlanState(inst)
    for j in order:
        if state.can_open(int(j)):
            state.do_open(int(j))
    upgrades = np.zeros(inst.grid.size if inst.grid is not None else 0, bool)
    return FastSolution(state.open, state.chargers, upgrades, None, None)


def lp_guided_plan(inst: FastInstance, pairs: Pairs, x_lp: np.ndarray,
                   deadline: float | None = None) -> tuple[FastSolution, int]:
    """Round an LP answer (largest x_j first, then the sites reaching most demand) and swap (until
    `deadline`, see swap_improve)."""
    reach = np.bincount(pairs.indices, weights=inst.weight[np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))],
                        minlength=inst.n_sites)
    order = np.lexsort((-reach, -np.round(x_lp, 6)))
    return swap_improve(inst, pairs, plan_in_order(inst, order), deadline=deadline)
