"""A MIP start for the park model where it is a capacitated facility location problem.

When every company has fixed power (model.fixed_power: p_qt = Pmax_k z_q), none has an own
option, there are no charger types and no grid area, and each square has at most one tier, the
park model is a CFLP with one capacity per (square, slot): cap_o avail_ot against the load
sum_k Pmax_k [t in W_k] z_q.

With split allowed (Beasley's CFLP) the open set is searched directly (`_searched`): the LP
relaxation with the strong links z_ks <= y_s, by row generation (links added where violated) on each
company's NEAREST cheapest squares, is rounded (y_s >= 1/2, filled up by y until it fits) and
improved by the local search of local_search.py (drop / add / swap moves ranked by the LP duals,
each priced exactly by the transportation LP, warm-started); with time left DROP (below) from the
LP's squares is searched from too, the cheaper kept. On cst-100x1000-r3 that is 44 976 in ~6 s
against 48 079 for the LP-guided DROP alone (benchmarks/results/2026-12-02-vm-cflp-2.md).

Single source (and where the search finds no plan): the DROP heuristic of Feldman, Lehrer & Ray
1966, as used for the CFLP since, but LP-guided: DROP starts from the squares with y_LP > 0 (every
square where the greedy assignment does not fit there or the LP did not solve) and closes the one
whose closing saves most as long as a whole-company assignment (cheapest open square with room,
companies by decreasing regret) stays feasible and cheaper. Plain DROP from every square open stopped
with far too many squares at tight capacities (cst-100x1000-r3: 53 open, 56 184; from the LP's
squares 28 open, 48 079). With split a company that fits nowhere whole is spread over the cheapest
squares with room, and the DROP shares are then re-solved as a transportation LP.

HiGHS takes the plan as its MIP start. The plan is only a start: HiGHS's answer is what is
reported, and the checker still checks that.
"""

from __future__ import annotations

import time

import numpy as np

from siting.formulation import Formulation
from siting.formulation.emit import run_highs
from siting.park.instance import ParkInstance
from siting.park.local_search import Searched, TransportLP, improve, nearest_pairs, rounded
from siting.park.model import ParkIndex, cost_coefficients, fixed_power

NEAREST = 20  # with split: the start's LPs keep each company's 20 cheapest squares (all pairs below that)


def is_cflp(inst: ParkInstance) -> bool:
    """The structure this heuristic knows: see the module docstring."""
    one_tier = np.bincount(inst.tier_square, minlength=inst.n_squares).max(initial=0) <= 1
    return bool(fixed_power(inst).all() and not inst.has_own.any() and inst.n_chargers == 0
                and inst.grid is None and one_tier and inst.n_pairs > 0 and not inst.fixed_open.any())


def cflp_start(form: Formulation, inst: ParkInstance, idx: ParkIndex, seconds: float = 10.0
               ) -> tuple[np.ndarray | None, dict]:
    """(column vector, info) of the start, or (None, info with the reason)."""
    if not is_cflp(inst):
        return None, {"used": False, "reason": "not a plain CFLP (chargers, grid, own options, tiers or squares fixed open)"}
    started = time.perf_counter()
    K, S = inst.n_companies, inst.n_squares
    coef = cost_coefficients(inst, idx)
    cost = np.full((K, S), np.inf)
    cost[inst.pair_company, inst.pair_square] = coef["z"]
    has_tier = np.zeros(S, bool)
    has_tier[inst.tier_square] = True
    tier_of = np.full(S, -1)
    tier_of[inst.tier_square] = np.arange(inst.n_tiers)
    fixed = np.zeros(S)
    fixed += coef["x"]
    fixed[inst.tier_square] += coef["y"]
    capacity = np.zeros((S, inst.n_slots))
    capacity[inst.tier_square] = inst.tier_kw[:, None] * inst.tier_avail
    load = inst.max_kw[:, None] * inst.window  # [K, T]
    p = inst.params.max_squares
    split = not inst.params.single_source
    # slots with the same loads and capacities are the same check: keep one of each
    _, first = np.unique(np.vstack([load, capacity]), axis=1, return_index=True)
    load, capacity = load[:, np.sort(first)], capacity[:, np.sort(first)]

    def left() -> float:
        return seconds - (time.perf_counter() - started)

    def checked(open_: np.ndarray, share: np.ndarray, info: dict) -> tuple[np.ndarray | None, dict]:
        x = np.zeros(form.n_cols)
        for name, values in (("x", open_.astype(float)), ("y", np.isin(np.arange(inst.n_tiers), tier_of[open_])),
                             ("z", share[inst.pair_company, inst.pair_square])):
            v = form.vars[name]
            x[v.offset: v.offset + v.size] = values
        if split and "search" not in info:
            x = _best_shares(form, x, max(1.0, left()))
        info = {**info, "squares_open": int(open_.sum()), "seconds": round(time.perf_counter() - started, 3)}
        violation, where = form.max_violation(x)
        if violation > 1e-6:
            return None, {"used": False, "reason": f"heuristic plan infeasible ({where})", **info}
        return x, {"used": True, "objective": form.objective_value(x), **info}

    if split:
        found, info = _searched(cost, fixed, capacity, load, has_tier, p, seconds)
        if found is not None:
            x, info = checked(found.open, found.share, info)
            if x is not None:
                return x, info
        seconds = max(seconds, time.perf_counter() - started + 1.0)  # DROP below, with at least a second
    y_lp, lp_info = _lp_guide(cost, fixed, capacity, load, has_tier, 0.5 * left())
    dropped = _drop(cost, fixed, capacity, load, has_tier, split, p, y_lp, started + seconds)
    if isinstance(dropped, str):
        return None, {"used": False, "reason": dropped}
    open_, choice, drops = dropped
    return checked(open_, choice, {"heuristic": "drop" + (" + transport LP" if split else ""), **lp_info,
                                   "drops": drops})


def _searched(cost: np.ndarray, fixed: np.ndarray, capacity: np.ndarray, load: np.ndarray, has_tier: np.ndarray,
              p: int | None, seconds: float) -> tuple[Searched | None, dict]:
    """With split: the LP guide on each company's NEAREST cheapest squares (70 % of the time), its y
    rounded, then the local search over the open set (local_search.improve); with time left, also
    DROP from the LP's squares followed by the local search; the cheaper plan."""
    started = time.perf_counter()

    def left() -> float:
        return seconds - (time.perf_counter() - started)

    near = nearest_pairs(cost, NEAREST)
    y_lp, lp_info = _lp_guide(near, fixed, capacity, load, has_tier, 0.7 * seconds)
    if y_lp is None:
        return None, {}
    tp = TransportLP(near, capacity, load, has_tier)
    lp_info["lp_value_nearest"] = lp_info.pop("lp_bound")  # on fewer pairs: no bound of the model
    info: dict = {"heuristic": "LP rounding + local search (transport LP)", **lp_info, "nearest_squares": NEAREST,
                  "search": {}}
    best = None
    rounded_open = rounded(y_lp, tp, p)
    if rounded_open is not None:
        best = improve(tp, fixed, rounded_open, left(), p)
        if best is not None:
            info["search"]["from_rounding"] = best.summary(int(rounded_open.sum()))
    if left() > 0.2 * seconds:  # DROP (on the same pairs) from the LP's squares, then the search from there
        dropped = _drop(near, fixed, capacity, load, has_tier, True, p, y_lp, time.perf_counter() + 0.5 * left())
        if not isinstance(dropped, str):
            other = improve(tp, fixed, dropped[0], left(), p)
            if other is not None:
                info["search"]["from_drop"] = other.summary(int(dropped[0].sum()))
                if best is None or other.value < best.value:
                    best = other
    if best is not None and left() > 0:  # what is left: a wider look around the best plan
        wider = improve(tp, fixed, best.open, left(), p, tries=200)
        if wider is not None and wider.value < best.value:
            info["search"]["wider"] = wider.summary(int(best.open.sum()))
            best = wider
    info["search_seconds"] = round(time.perf_counter() - started - lp_info.get("lp_seconds", 0.0), 3)
    return best, info


def _drop(cost: np.ndarray, fixed: np.ndarray, capacity: np.ndarray, load: np.ndarray, has_tier: np.ndarray,
          split: bool, p: int | None, y_lp: np.ndarray | None, until: float) -> tuple[np.ndarray, np.ndarray, int] | str:
    """(open squares, share[k, s], drops) of DROP from the LP's squares (every square where that does
    not fit), until the clock reads `until`; or the reason it found none."""
    K, S = cost.shape
    loaded = [np.flatnonzero(row > 0) for row in load]

    def assign(open_: np.ndarray, order: np.ndarray) -> np.ndarray | None:
        """share[k, s]: companies in `order` to the cheapest open square with room; with split
        allowed a company that fits nowhere whole is spread over the cheapest squares with room."""
        room = capacity.copy()
        share = np.zeros((K, S))
        c = np.where(open_[None, :], cost, np.inf)
        ranked = np.argsort(c, axis=1)
        reachable = np.isfinite(c).sum(axis=1)
        for k in order:
            left, t, need = 1.0, loaded[k], load[k, loaded[k]]
            for s in ranked[k, :reachable[k]].tolist():
                fit = float(np.min(room[s, t] / need)) if len(t) else np.inf
                part = min(left, fit)
                if (part < left - 1e-12 and not split) or part <= 1e-12:
                    continue
                share[k, s] += part
                room[s] -= part * load[k]
                left -= part
                if left <= 1e-12:
                    break
            if left > 1e-12:
                return None
        return share

    def plan(open_: np.ndarray) -> tuple[float, np.ndarray | None]:
        c = np.where(open_[None, :], cost, np.inf)
        two = np.sort(c, axis=1)[:, :2] if S > 1 else np.c_[c, np.full(K, np.inf)]
        if not np.isfinite(two[:, 0]).all():
            return np.inf, None
        regret = np.where(np.isfinite(two[:, 1]), two[:, 1] - two[:, 0], np.inf)
        size = load.max(axis=1)
        # by regret (who loses most if not served first), else biggest first (bin packing)
        for order in (np.lexsort((-size, -regret)), np.argsort(-size, kind="stable")):
            share = assign(open_, order)
            if share is not None:
                used = share.sum(axis=0) > 0
                paid = np.where(share > 0, cost, 0.0)
                return float(fixed[used].sum() + (share * paid).sum()), share
        return np.inf, None

    # DROP from every square open closes one at a time while the greedy assignment stays feasible and cheaper: at
    # tight capacities (cst r3) that stops early with far too many open (53 against the LP's ~28). Starting from the
    # squares the LP relaxation opens is closer; where the greedy assignment does not fit there, every square opens.
    best, choice = np.inf, None
    if y_lp is not None:
        open_ = has_tier & (y_lp > 1e-6)
        best, choice = plan(open_)
    if choice is None:
        open_ = has_tier.copy()
        best, choice = plan(open_)
    if choice is None:
        return "no assignment fits with every square open"
    open_ = choice.sum(axis=0) > 0
    value, used_only = plan(open_)  # the squares nobody chose: closed, and the regrets change
    if used_only is not None and value <= best:
        best, choice = value, used_only
    open_ = choice.sum(axis=0) > 0
    kept = ~open_
    drops = 0
    while time.perf_counter() < until:
        # estimated saving of closing s: its cost minus what its companies pay more at their next square
        c = np.where(open_[None, :], cost, np.inf)
        second = np.sort(c, axis=1)[:, 1] if open_.sum() > 1 else np.full(K, np.inf)
        paid = np.where(choice > 0, cost, 0.0)
        with np.errstate(invalid="ignore"):
            extra = np.where(choice > 0, choice * (second[:, None] - paid), 0.0).sum(axis=0)
        saving = np.where(open_ & ~kept, fixed - extra, -np.inf)
        must = p is not None and open_.sum() > p
        if not np.isfinite(saving).any() or (saving.max() <= 0 and not must):
            break
        s = int(np.argmax(saving))
        trial = open_.copy()
        trial[s] = False
        value, trial_choice = plan(trial)
        if trial_choice is not None and (value < best or must):
            best, choice = value, trial_choice
            open_ = choice.sum(axis=0) > 0  # a square left empty by the new assignment closes too
            drops += 1
        kept[s] = True
    if p is not None and open_.sum() > p:
        return f"DROP could not reach max_squares = {p}"
    return open_, choice, drops


def _best_shares(form: Formulation, start: np.ndarray, seconds: float) -> np.ndarray:
    """With split allowed and the squares and tiers of `start` fixed, the best shares are an LP (a
    transportation problem): solved by HiGHS, it replaces the greedy shares when it is cheaper."""
    from siting.formulation.emit import to_highspy

    h = to_highspy(form)
    cols = np.r_[form.vars["x"].columns, form.vars["y"].columns].astype(np.int32)
    h.changeColsBounds(len(cols), cols, start[cols], start[cols])
    h.changeColsIntegrality(len(cols), cols, np.zeros(len(cols), dtype=np.uint8))
    h.setOptionValue("time_limit", float(seconds))
    h.setOptionValue("threads", 1)
    run_highs(h)
    if h.getInfo().primal_solution_status != 2:
        return start
    x = np.array(h.getSolution().col_value)
    x[cols] = start[cols]
    if form.max_violation(x)[0] > 1e-6 or form.objective_value(x) >= form.objective_value(start):
        return start
    return x


def _lp_guide(cost: np.ndarray, fixed: np.ndarray, capacity: np.ndarray, load: np.ndarray, allowed: np.ndarray,
              seconds: float) -> tuple[np.ndarray | None, dict]:
    """y_s of the CFLP's LP relaxation with the strong links z_ks <= y_s. With all K x S links the LP
    takes HiGHS ~11 s at 100 x 1000 (simplex; IPM ~24 s), so the links are added only where violated
    (row generation, warm-started dual simplex), which reaches the same bound in ~2.7 s; stopped at
    `seconds`, the last y is still a guide."""
    import highspy
    import scipy.sparse as sp

    from siting.formulation.emit import new_highs

    started = time.perf_counter()
    K, S = cost.shape
    T = load.shape[1]
    pk, ps = np.nonzero(np.isfinite(cost) & allowed[None, :])
    P = len(pk)
    if P == 0:
        return None, {}
    rows = [pk] + [K + ps * T + t for t in range(T)] + [K + np.arange(S) * T + t for t in range(T)]
    cols = [S + np.arange(P)] * (T + 1) + [np.arange(S)] * T
    vals = [np.ones(P)] + [load[pk, t] for t in range(T)] + [-capacity[:, t] for t in range(T)]
    a = sp.csc_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(K + S * T, S + P))
    a.sum_duplicates()
    inf = highspy.kHighsInf
    h = new_highs()
    h.setOptionValue("threads", 1)
    h.passModel(S + P, K + S * T, int(a.nnz), int(highspy.MatrixFormat.kColwise), int(highspy.ObjSense.kMinimize),
                0.0, np.r_[fixed, cost[pk, ps]], np.zeros(S + P), np.r_[allowed.astype(float), np.ones(P)],
                np.r_[np.ones(K), np.full(S * T, -inf)], np.r_[np.ones(K), np.zeros(S * T)],
                a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data, np.zeros(S + P, dtype=np.int32))
    added = np.zeros(P, bool)
    y, rounds = None, 0
    while True:
        # HiGHS's time_limit is on the run time summed over every run of the object
        h.setOptionValue("time_limit", h.getRunTime() + max(0.05, seconds - (time.perf_counter() - started)))
        run_highs(h)
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        x = np.array(h.getSolution().col_value)
        y, z = x[:S], x[S:]
        q = np.flatnonzero((z > y[ps] + 1e-6) & ~added)
        if len(q) == 0 or time.perf_counter() - started > seconds:
            break
        added[q] = True
        rounds += 1
        h.addRows(len(q), np.full(len(q), -inf), np.zeros(len(q)), 2 * len(q), np.arange(len(q), dtype=np.int32) * 2,
                  np.c_[S + q, ps[q]].ravel().astype(np.int32), np.tile([1.0, -1.0], len(q)))
    if y is None:
        return None, {}
    return y, {"lp_bound": round(float(h.getInfo().objective_function_value), 3), "lp_rounds": rounds,
               "lp_seconds": round(time.perf_counter() - started, 3)}
