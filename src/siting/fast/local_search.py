"""Swap local search for the maximal covering model (a better warm start than greedy alone).

Starting from the greedy plan, it repeatedly makes the best single swap - close one open new
site j, open one closed candidate k - until no swap adds covered demand (Teitz & Bart 1968 in
the "fast interchange" bookkeeping of Whitaker 1983). For every demand i let c_i be the number
of open sites within reach. Then the change in covered weight of the swap (j out, k in) is

    delta(j, k) = gain(k) - loss(j) + back(j, k)
    gain(k)    = sum of w_i over i in N(k) with c_i = 0       (newly covered by k)
    loss(j)    = sum of w_i over i in N(j) with c_i = 1       (only j covers them)
    back(j, k) = sum of w_i over i in N(j) & N(k) with c_i = 1 (lost by j, kept by k)

so one pass over the pairs prices every swap at once. A swap must keep the plan feasible: the
grid area of k has room for its chargers once j's load is freed, and the budget holds. The
result is checked against the formulation before it is used, like the greedy one.
"""

from __future__ import annotations

import time

import numpy as np
from numba import njit

from siting.fast.heuristics import PlanState
from siting.fast.instance import FastInstance
from siting.fast.solution import FastSolution
from siting.precompute import Pairs

_EPS = 1e-9


@njit(cache=True)
def _swap_prices(indptr, indices, weight, is_open, slot_of, n_slots, n_sites):
    """(gain per site, loss per open slot, back[slot, site]) for the current plan."""
    count = np.zeros(len(weight), np.int64)
    only = np.full(len(weight), -1, np.int64)  # the single open site covering i, if c_i = 1
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
        w = weight[i]
        if count[i] == 0:
            for t in range(indptr[i], indptr[i + 1]):
                gain[indices[t]] += w
        elif count[i] == 1:
            s = slot_of[only[i]]
            if s < 0:
                continue  # covered by an existing site, which never closes
            loss[s] += w
            for t in range(indptr[i], indptr[i + 1]):
                back[s, indices[t]] += w
    return gain, loss, back


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
    n_open_new = int((is_open & ~inst.is_existing).sum())
    rules = PlanState(inst)  # which sites may open and with how many chargers: the greedy's rules
    charger_if_opened, openable = rules.open_chargers, rules.openable
    weight = inst.weight.astype(np.float64)
    swaps = 0
    while swaps < max_swaps and n_open_new > 0 and (deadline is None or time.perf_counter() < deadline):
        movable = np.flatnonzero(is_open & ~inst.is_existing)
        slot_of = np.full(inst.n_sites, -1, np.int64)
        slot_of[movable] = np.arange(len(movable))
        gain, loss, back = _swap_prices(pairs.indptr, pairs.indices, weight, is_open, slot_of, len(movable),
                                        inst.n_sites)
        delta = gain[None, :] - loss[:, None] + back
        delta[:, ~openable | is_open] = -np.inf
        move = _best_feasible(inst, delta, movable, chargers, charger_if_opened, room, budget_left, kw_per_charger)
        if move is None:
            break
        j, k = move
        cost_j = inst.fixed_cost[j] + inst.cost_per_charger[j] * chargers[j]
        cost_k = inst.fixed_cost[k] + inst.cost_per_charger[k] * charger_if_opened[k]
        _move_load(inst, room, j, -kw_per_charger * chargers[j])
        _move_load(inst, room, k, kw_per_charger * charger_if_opened[k])
        if budget_left is not None:
            budget_left += cost_j - cost_k
        is_open[j], chargers[j] = False, inst.existing_chargers[j]
        is_open[k], chargers[k] = True, charger_if_opened[k]
        swaps += 1
    return FastSolution(is_open, chargers, sol.upgrades, sol.assignment, sol.covered), swaps


def _best_feasible(inst, delta, movable, chargers, charger_if_opened, room, budget_left, kw):
    """The best improving swap that keeps grid headroom and budget; None when none improves."""
    n_sites = delta.shape[1]
    best = int(np.argmax(delta))  # usually feasible: sort only when it is not
    s, k = divmod(best, n_sites)
    if not delta[s, k] > _EPS:
        return None
    if _swap_fits(inst, int(movable[s]), k, chargers, charger_if_opened, room, budget_left, kw):
        return int(movable[s]), k
    order = np.argsort(-delta, axis=None, kind="stable")
    for flat in order:
        s, k = divmod(int(flat), n_sites)
        if not delta[s, k] > _EPS:
            return None
        j = int(movable[s])
        if _swap_fits(inst, j, k, chargers, charger_if_opened, room, budget_left, kw):
            return j, k
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
