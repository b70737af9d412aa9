r"""The `park` model: collective charging squares on a business park (models/park.md).

Sets: companies k, squares s, tier options o (each of one square s(o)), charger types c,
slots t of one day, grid areas g, pairs q = (k, s) that exist (d_ks <= D or given costs).

    min  sum_s (a_sq F_s + F'_s) x_s + sum_o (a_conn C_o + C'_o) y_o + sum_{s,c} (a_ch K_c + K'_c) n_sc
         + sum_q c_q z_q + sum_k (a_conn M_k + M'_k) w_k
         + days h sum_t price_t (sum_{q,t} p_qt + sum_{k,t} r_kt) + days pi sum_k u_k
    s.t. sum_{o of s} y_o = x_s                                     tier
         sum_{q of k} z_q + w_k = 1   (<= 1 with a penalty pi)      assign
         z_q <= x_s(q)                                              assign_open
         h sum_t p_qt + h sum_t r_kt + u_k = E_k                    energy
         p_qt <= Pmax_k z_q        (t in W_k)                       power_assign
         h sum_t p_qt <= E_k z_q,  h sum_t r_kt <= E_k w_k            energy_assign
         r_kt <= min(O_kt, Pmax_k) w_k                              own_power
         sum_{q at s} p_qt <= sum_{o of s} cap_o avail_ot y_o        connection
         sum_{q at s} p_qt <= sum_c P_c n_sc                        charger_power
         sum_o cap_o avail_ot y_o >= L_t,  sum_{s,c} P_c n_sc >= L_t   cover (implied: L_t the forced load)
         sum_{q at s} V_k z_q <= rho sum_c n_sc (and per van/truck)  points_*
         n_sc <= nmax_sc x_s                                        chargers_open
         sum_c m_c n_sc + a0_s x_s <= L_s                           land
         sum_{s in g} sum_q p_qt + sum_{k in g} r_kt <= H+_gt        grid_slot
         sum_{o: g(s(o))=g, cap_o > small} cap_o avail_ot y_o <= H+_gt  grid_contract (optional)
         sum_s x_s <= p                                             square_count (optional)
         x_s = 1 for the squares fixed open                         bound of x (inst.fixed_open)

With one slot, no grid, no chargers and one tier per square this is the capacitated facility
location problem (split z: Beasley's multi-source CFLP; binary z: the single-source CFLP).
Each family below is one small function that returns early when it does not apply.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.formulation import Formulation
from siting.park.instance import ParkInstance


@dataclass(frozen=True)
class ParkIndex:
    """Where the sparse variables live: p_qt over (pair, window slot), r_kt over (own company,
    window slot), and the connection/charger rows over the (square, slot) cells that have load."""

    p_pair: np.ndarray
    p_slot: np.ndarray
    own_company: np.ndarray  # companies with an own option, one w variable each
    r_company: np.ndarray  # per r entry: the company (not its position in own_company)
    r_slot: np.ndarray
    cell_square: np.ndarray  # (s, t) cells with at least one p entry
    cell_slot: np.ndarray
    p_cell: np.ndarray  # cell row of each p entry
    # column of each p entry in block p; -1: the entry is no column but Pmax_k z_q (a company whose
    # window at full power holds exactly its energy, so p_qt = Pmax_k z_q is forced: `fixed_power`)
    p_col: np.ndarray

    @property
    def own_position(self) -> dict[int, int]:
        return {int(k): i for i, k in enumerate(self.own_company)}


def expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For runs [starts[i], starts[i] + counts[i]): (i per element, position per element)."""
    owner = np.repeat(np.arange(len(counts)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    return owner, np.repeat(starts, counts) + (np.arange(int(counts.sum())) - first)


def _window_csr(window: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(indptr, slots) of the dwell windows, company by company."""
    rows, slots = np.nonzero(window)
    indptr = np.r_[0, np.cumsum(np.bincount(rows, minlength=window.shape[0]))]
    return indptr, slots


def fixed_power(inst: ParkInstance) -> np.ndarray:
    """Companies whose power is forced: p_qt = Pmax_k z_q for every t in W_k.

    Without an unmet penalty a company's energy E_k is at most what its window holds at full power,
    Pmax_k h |W_k| (the loader refuses more). Where the two are equal, sum_q,t h (Pmax_k z_q - p_qt)
    + sum_t h (min(O_kt, Pmax_k) w_k - r_kt) = (h sum_t min(O_kt, Pmax_k) - E_k) w_k <= 0 is a sum of
    terms >= 0 (power_assign, own_power), so every p_qt is at its bound. The CFLP is such a company
    (one slot, E_k = Pmax_k = d_k): its p columns and power_assign rows are half the model and give
    the LP nothing, so they are not built."""
    if inst.params.unmet_penalty is not None:
        return np.zeros(inst.n_companies, bool)
    return inst.max_energy() <= inst.energy_kwh * (1 + 1e-9)


def park_index(inst: ParkInstance) -> ParkIndex:
    indptr, slots = _window_csr(inst.window)
    length = np.diff(indptr)
    k = inst.pair_company
    q, pos = expand(indptr[k], length[k])
    p_pair, p_slot = q, slots[pos]
    own = np.flatnonzero(inst.has_own)
    j, pos = expand(indptr[own], length[own])
    r_company, r_slot = own[j], slots[pos]
    keep = inst.own_kw[r_company, r_slot] > 0
    r_company, r_slot = r_company[keep], r_slot[keep]
    key = inst.pair_square[p_pair] * inst.n_slots + p_slot
    cells, p_cell = np.unique(key, return_inverse=True)
    free = ~fixed_power(inst)[k[p_pair]]
    p_col = np.full(len(p_pair), -1, dtype=np.int64)
    p_col[free] = np.arange(int(free.sum()))
    return ParkIndex(p_pair, p_slot, own, r_company, r_slot, cells // inst.n_slots, cells % inst.n_slots,
                     p_cell.reshape(-1), p_col)


def power_terms(form: Formulation, inst: ParkInstance, idx: ParkIndex, rows: np.ndarray,
                coef: np.ndarray | float = 1.0, entries: np.ndarray | None = None) -> list:
    """The terms of sum_e coef_e p_e, entry e in row rows[e], over the p entries `entries` (default
    all): a p column where there is one, Pmax_k z_q where the power is fixed (`fixed_power`)."""
    e = np.arange(len(idx.p_pair)) if entries is None else np.asarray(entries)
    rows = np.asarray(rows)
    coef = np.broadcast_to(np.asarray(coef, float), e.shape)
    col = idx.p_col[e] >= 0
    terms = []
    if col.any():
        terms.append((form.vars["p"], rows[col], idx.p_col[e[col]], coef[col]))
    if not col.all():
        q = idx.p_pair[e[~col]]
        terms.append((form.vars["z"], rows[~col], q, coef[~col] * inst.max_kw[inst.pair_company[q]]))
    return terms


def build_park(inst: ParkInstance, idx: ParkIndex | None = None) -> Formulation:
    idx = park_index(inst) if idx is None else idx
    form = Formulation(name="park", sense="min")
    add_var_open(form, inst)
    add_var_tier(form, inst)
    add_var_chargers(form, inst)
    add_var_assign(form, inst)
    add_var_own(form, inst, idx)
    add_var_power(form, inst, idx)
    add_var_own_power(form, inst, idx)
    add_var_unmet(form, inst)
    add_eq_tier(form, inst)
    add_eq_assign(form, inst, idx)
    add_ineq_assign_open(form, inst)
    add_eq_energy(form, inst, idx)
    add_ineq_power_assign(form, inst, idx)
    add_ineq_energy_assign(form, inst, idx)
    add_ineq_own_power(form, inst, idx)
    add_ineq_connection(form, inst, idx)
    add_ineq_charger_power(form, inst, idx)
    add_ineq_cover(form, inst)
    add_ineq_points(form, inst)
    add_ineq_chargers_open(form, inst)
    add_ineq_land_park(form, inst)
    add_ineq_grid_slot(form, inst, idx)
    add_ineq_grid_contract(form, inst)
    add_ineq_square_count(form, inst)
    set_objective(form, inst, idx)
    return form


# -- variables ------------------------------------------------------------------------------------
def add_var_open(form: Formulation, inst: ParkInstance) -> None:
    """x_s in {0,1}; a square without any tier cannot open, a square fixed open must (x_s = 1)."""
    has_tier = np.bincount(inst.tier_square, minlength=inst.n_squares) > 0
    form.add_var("x", inst.n_squares, lb=inst.fixed_open.astype(float), ub=has_tier.astype(float),
                 domain="binary", doc="x[s] = 1 if square s opens")


def add_var_tier(form: Formulation, inst: ParkInstance) -> None:
    """y_o in {0,1}: tier option o is the connection of its square."""
    form.add_var("y", inst.n_tiers, domain="binary", doc="y[o] = 1 if square s(o) gets connection tier o")


def add_var_chargers(form: Formulation, inst: ParkInstance) -> None:
    """n_sc in Z, 0 <= n_sc <= nmax_sc (index s * C + c)."""
    if inst.n_chargers == 0:
        return
    form.add_var("n", inst.n_squares * inst.n_chargers, ub=inst.max_chargers().ravel(), domain="integer",
                 doc="n[s*C+c] = chargers of type c at square s")


def add_var_assign(form: Formulation, inst: ParkInstance) -> None:
    """z_q in {0,1} (single source) or [0,1] (split): company k(q) charges at square s(q)."""
    domain = "binary" if inst.params.single_source else "continuous"
    form.add_var("z", inst.n_pairs, ub=1.0, domain=domain, doc="z[q] = share of company k(q) at square s(q)")


def add_var_own(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """w_k in {0,1} (or [0,1] split): company k charges on its own connection."""
    if not len(idx.own_company):
        return
    domain = "binary" if inst.params.single_source else "continuous"
    form.add_var("w", len(idx.own_company), ub=1.0, domain=domain, doc="w[i] = company own_company[i] charges at home")


def add_var_power(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """p_qt >= 0, kW drawn by company k(q) at square s(q) in slot t of its window (where not fixed)."""
    n = int((idx.p_col >= 0).sum())
    if n:
        form.add_var("p", n, doc="p[p_col[e]] = kW of pair p_pair[e] in slot p_slot[e]")


def add_var_own_power(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """r_kt >= 0, kW drawn on the own connection."""
    if len(idx.r_company):
        form.add_var("r", len(idx.r_company), doc="r[e] = kW of company r_company[e] at home in slot r_slot[e]")


def add_var_unmet(form: Formulation, inst: ParkInstance) -> None:
    """u_k in [0, E_k]: energy not delivered (only with a penalty pi)."""
    if inst.params.unmet_penalty is not None:
        form.add_var("u", inst.n_companies, ub=inst.energy_kwh, doc="u[k] = kWh/day not delivered to company k")


# -- constraints ----------------------------------------------------------------------------------
def add_eq_tier(form: Formulation, inst: ParkInstance) -> None:
    """sum_{o of s} y_o - x_s = 0: an open square has exactly one tier, a closed one none."""
    s = np.arange(inst.n_squares)
    form.add_constraint("tier", inst.n_squares,
                        [(form.vars["y"], inst.tier_square, np.arange(inst.n_tiers), 1.0), (form.vars["x"], s, s, -1.0)],
                        lower=0.0, upper=0.0, doc="one connection tier per open square", labels=inst.square_ids)


def add_eq_assign(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """sum_{q of k} z_q + w_k = 1: every company charges somewhere (validation guarantees an option).

    With an unmet-energy penalty the row is <= 1: a company may be left unserved (u_k = E_k)."""
    terms = [(form.vars["z"], inst.pair_company, np.arange(inst.n_pairs), 1.0)]
    if "w" in form.vars:
        terms.append((form.vars["w"], idx.own_company, np.arange(len(idx.own_company)), 1.0))
    lower = 0.0 if inst.params.unmet_penalty is not None else 1.0
    form.add_constraint("assign", inst.n_companies, terms, lower=lower, upper=1.0,
                        doc="each company charges at squares or at home (or, with a penalty, nowhere)",
                        labels=inst.company_ids)


def add_ineq_assign_open(form: Formulation, inst: ParkInstance) -> None:
    """z_q - x_s(q) <= 0."""
    q = np.arange(inst.n_pairs)
    form.add_constraint("assign_open", inst.n_pairs,
                        [(form.vars["z"], q, q, 1.0), (form.vars["x"], q, inst.pair_square, -1.0)],
                        upper=0.0, doc="companies use open squares only")


def add_eq_energy(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """h sum_t p_qt + h sum_t r_kt + u_k = E_k.

    For a company with fixed power and no own option the row reads E_k sum_q z_q = E_k: `assign`
    already says it, so its coefficients are left out (the row stays, empty and satisfied)."""
    h = inst.hours
    company = inst.pair_company[idx.p_pair]
    implied = fixed_power(inst) & ~inst.has_own
    e = np.flatnonzero(~implied[company])
    terms = power_terms(form, inst, idx, company[e], h, e)
    if "r" in form.vars:
        terms.append((form.vars["r"], idx.r_company, np.arange(len(idx.r_company)), h))
    if "u" in form.vars:
        k = np.arange(inst.n_companies)
        terms.append((form.vars["u"], k, k, 1.0))
    rhs = np.where(implied, 0.0, inst.energy_kwh)
    form.add_constraint("energy", inst.n_companies, terms, lower=rhs, upper=rhs,
                        doc="daily energy delivered in the dwell window (+ unmet)", labels=inst.company_ids)


def add_ineq_power_assign(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """p_qt - Pmax_k z_q <= 0: power only where the company is assigned, at most its maximum
    (no row where the power is fixed at Pmax_k z_q)."""
    e = np.flatnonzero(idx.p_col >= 0)
    if not len(e):
        return
    r = np.arange(len(e))
    form.add_constraint("power_assign", len(e),
                        [(form.vars["p"], r, idx.p_col[e], 1.0),
                         (form.vars["z"], r, idx.p_pair[e], -inst.max_kw[inst.pair_company[idx.p_pair[e]]])],
                        upper=0.0, doc="charging power at a square only when assigned there, <= Pmax_k")


def add_ineq_energy_assign(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """h sum_t p_qt - E_k z_q <= 0 and h sum_t r_kt - E_k w_k <= 0: the energy a company takes at
    a place is at most its share there. Implied for integer z; it makes the LP bound strong (z
    pays for the energy it carries, as x_ij <= y_j does in the CFLP)."""
    h = inst.hours
    # implied by power_assign where the window at full power holds no more than E_k (the CFLP)
    loose = inst.max_energy() > inst.energy_kwh * (1 + 1e-9)
    q = np.flatnonzero(loose[inst.pair_company])
    if len(q):
        row = np.full(inst.n_pairs, -1)
        row[q] = np.arange(len(q))
        e = np.flatnonzero(row[idx.p_pair] >= 0)  # loose companies: never fixed power, all columns
        form.add_constraint("energy_assign", len(q),
                            [(form.vars["p"], row[idx.p_pair[e]], idx.p_col[e], h),
                             (form.vars["z"], np.arange(len(q)), q, -inst.energy_kwh[inst.pair_company[q]])],
                            upper=0.0, doc="energy at a square within the company's share there")
    if "r" not in form.vars:
        return
    pos = np.searchsorted(idx.own_company, idx.r_company)
    k = np.arange(len(idx.own_company))
    form.add_constraint("energy_own", len(k),
                        [(form.vars["r"], pos, np.arange(len(idx.r_company)), h),
                         (form.vars["w"], k, k, -inst.energy_kwh[idx.own_company])],
                        upper=0.0, doc="energy at home within the company's share there",
                        labels=inst.company_ids[idx.own_company])


def add_ineq_own_power(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """r_kt - min(O_kt, Pmax_k) w_k <= 0."""
    if "r" not in form.vars:
        return
    e = np.arange(len(idx.r_company))
    pos = np.searchsorted(idx.own_company, idx.r_company)
    limit = np.minimum(inst.own_kw[idx.r_company, idx.r_slot], inst.max_kw[idx.r_company])
    form.add_constraint("own_power", len(e), [(form.vars["r"], e, e, 1.0), (form.vars["w"], e, pos, -limit)],
                        upper=0.0, doc="home charging only when chosen, within the own connection")


def add_ineq_connection(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """sum_{q at s} p_qt - sum_{o of s} cap_o avail_ot y_o <= 0 for each (s, t) with load."""
    n_cells = len(idx.cell_square)
    if not n_cells:
        return
    order = np.argsort(inst.tier_square, kind="stable")
    counts = np.bincount(inst.tier_square, minlength=inst.n_squares)
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    cell, pos = expand(starts[idx.cell_square], counts[idx.cell_square])
    o = order[pos]
    coef = -inst.tier_kw[o] * inst.tier_avail[o, idx.cell_slot[cell]]
    form.add_constraint("connection", n_cells,
                        power_terms(form, inst, idx, idx.p_cell) + [(form.vars["y"], cell, o, coef)],
                        upper=0.0, doc="power at a square fits its connection tier (x availability) per slot",
                        labels=_cell_labels(inst, idx))


def add_ineq_charger_power(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """sum_{q at s} p_qt - sum_c P_c n_sc <= 0 for each (s, t) with load."""
    n_cells = len(idx.cell_square)
    if "n" not in form.vars or not n_cells:
        return
    C = inst.n_chargers
    cell = np.repeat(np.arange(n_cells), C)
    col = np.repeat(idx.cell_square, C) * C + np.tile(np.arange(C), n_cells)
    form.add_constraint("charger_power", n_cells,
                        power_terms(form, inst, idx, idx.p_cell) +
                        [(form.vars["n"], cell, col, -np.tile(inst.charger_kw, n_cells))],
                        upper=0.0, doc="power at a square fits its installed chargers per slot",
                        labels=_cell_labels(inst, idx))


def forced_load(inst: ParkInstance) -> np.ndarray:
    """L_t: the kW that must be drawn at squares in slot t, whatever the plan.

    A company with fixed power and no own option draws Pmax_k in every slot of its window, at
    squares (sum_q p_qt = Pmax_k sum_q z_q = Pmax_k); everyone else draws >= 0."""
    forced = fixed_power(inst) & ~inst.has_own
    return (inst.max_kw[forced, None] * inst.window[forced]).sum(axis=0)


def add_ineq_cover(form: Formulation, inst: ParkInstance) -> None:
    """sum_o cap_o avail_ot y_o >= L_t and sum_{s,c} P_c n_sc >= L_t: the open connections (and
    chargers) together carry the forced load L_t (`forced_load`).

    The sum of `connection` (`charger_power`) over all squares, with p_qt = Pmax_k z_q and assign:
    implied, so the checker needs no own test. It is what the LP misses: in a CFLP the capacity
    rows only ever meet one square each, and HiGHS does not aggregate 1 100 rows to find the knapsack
    sum_s cap_s x_s >= sum_k d_k, from which it derives covers (with equal capacities: at least
    ceil(D / cap) squares). One row per distinct availability pattern, with its largest L_t."""
    load = forced_load(inst)
    slots = np.flatnonzero(load > 0)
    if not len(slots) or not inst.n_tiers:  # no tier: no square opens; the assign rows already say so
        return
    # same availabilities: the slot with the most forced load dominates (np.unique keeps the first)
    by_load = slots[np.argsort(-load[slots], kind="stable")]
    _, first = np.unique(inst.tier_avail[:, by_load], axis=1, return_index=True)
    keep = np.sort(by_load[first])
    coef = inst.tier_kw[:, None] * inst.tier_avail[:, keep]  # [O, rows]
    o, row = np.nonzero(coef)
    labels = np.array([f"slot {t}" for t in keep], dtype=object)
    form.add_constraint("cover_connection", len(keep),
                        [(form.vars["y"], row, o, coef[o, row])],
                        lower=load[keep], doc="the open connections carry the load that must be served at squares",
                        labels=labels)
    if "n" not in form.vars:
        return
    peak = int(np.argmax(load))  # chargers have no availability profile: one row, the peak
    C, S = inst.n_chargers, inst.n_squares
    form.add_constraint("cover_chargers", 1,
                        [(form.vars["n"], np.zeros(S * C, int), np.arange(S * C), np.tile(inst.charger_kw, S))],
                        lower=load[peak], doc="the chargers carry the load that must be served at squares",
                        labels=np.array([f"slot {peak}"], dtype=object))


def add_ineq_points(form: Formulation, inst: ParkInstance) -> None:
    """sum_{q at s} V_k z_q - rho sum_{c serves V} n_sc <= 0 for all vehicles, trucks and vans
    (Hall's conditions for vans on van/any points and trucks on truck/any points)."""
    if "n" not in form.vars:
        return
    rho = inst.params.vehicles_per_point
    C, S = inst.n_chargers, inst.n_squares
    kinds = {
        "points": (inst.vehicles, np.ones(C, bool)),
        "points_truck": (inst.trucks, np.isin(inst.charger_vehicle, ("truck", "any"))),
        "points_van": (inst.vans, np.isin(inst.charger_vehicle, ("van", "any"))),
    }
    for name, (count, serves) in kinds.items():
        weight = count[inst.pair_company].astype(float)
        if not weight.any():
            continue
        c = np.flatnonzero(serves)
        row = np.repeat(np.arange(S), len(c))
        col = row * C + np.tile(c, S)
        form.add_constraint(name, S, [(form.vars["z"], inst.pair_square, np.arange(inst.n_pairs), weight),
                                      (form.vars["n"], row, col, -rho)],
                            upper=0.0, doc=f"enough charge points ({name}) for the assigned vehicles",
                            labels=inst.square_ids)


def add_ineq_chargers_open(form: Formulation, inst: ParkInstance) -> None:
    """n_sc - nmax_sc x_s <= 0: chargers only on open squares."""
    if "n" not in form.vars:
        return
    C, S = inst.n_chargers, inst.n_squares
    e = np.arange(S * C)
    form.add_constraint("chargers_open", S * C,
                        [(form.vars["n"], e, e, 1.0), (form.vars["x"], e, e // C, -inst.max_chargers().ravel())],
                        upper=0.0, doc="chargers only on open squares")


def add_ineq_land_park(form: Formulation, inst: ParkInstance) -> None:
    """sum_c m_c n_sc + a0_s x_s <= L_s for squares with a land limit.

    models/common.add_ineq_land has one area per charger; here each charger type has its own."""
    sites = np.flatnonzero(np.isfinite(inst.land_m2))
    if not len(sites) or (not inst.charger_m2.any() and not inst.square_m2[sites].any()):
        return
    C = inst.n_chargers
    r = np.arange(len(sites))
    terms = [(form.vars["x"], r, sites, inst.square_m2[sites])]
    if "n" in form.vars:
        rr = np.repeat(r, C)
        terms.append((form.vars["n"], rr, np.repeat(sites, C) * C + np.tile(np.arange(C), len(sites)),
                      np.tile(inst.charger_m2, len(sites))))
    form.add_constraint("land", len(sites), terms, upper=inst.land_m2[sites],
                        doc="chargers and the square's fixed area fit on the parcel", labels=inst.square_ids[sites])


def add_ineq_grid_slot(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    """sum_{s in g} sum_q p_qt + sum_{k in g} r_kt <= H+_gt for each grid area g and slot t with load.

    Negative headroom is a queue: H+_gt = max(H_gt, 0)."""
    if inst.grid is None:
        return
    T = inst.n_slots
    g_p = inst.square_grid[inst.pair_square[idx.p_pair]]
    g_r = inst.company_grid[idx.r_company] if len(idx.r_company) else np.empty(0, np.int64)
    key_p = np.where(g_p >= 0, g_p * T + idx.p_slot, -1)
    key_r = np.where(g_r >= 0, g_r * T + idx.r_slot, -1)
    keys = np.unique(np.r_[key_p[key_p >= 0], key_r[key_r >= 0]])
    if not len(keys):
        return
    inside = np.flatnonzero(key_p >= 0)
    terms = power_terms(form, inst, idx, np.searchsorted(keys, key_p[inside]), 1.0, inside)
    inside_r = np.flatnonzero(key_r >= 0)
    if len(inside_r):
        terms.append((form.vars["r"], np.searchsorted(keys, key_r[inside_r]), inside_r, 1.0))
    g, t = keys // T, keys % T
    labels = np.array([f"{inst.grid.ids[a]} slot {b}" for a, b in zip(g, t, strict=True)], dtype=object)
    form.add_constraint("grid_slot", len(keys), terms, upper=np.maximum(inst.headroom_kw[g, t], 0.0),
                        doc="all charging load in a grid area fits its headroom in every slot", labels=labels)


def add_ineq_grid_contract(form: Formulation, inst: ParkInstance) -> None:
    """sum_{o at squares in g, cap_o > small} cap_o avail_ot y_o <= H+_gt for every area g and slot t.

    The DSO's view (`park.reserve_contracts`): a square's contracted capacity must fit the headroom
    in every slot it may be used, whether or not it is used. A firm contract needs headroom in every
    slot; a time-bound one only in its slots. Small-consumption tiers (cap_o <= small) are exempt.
    Slots with the same availabilities and headroom give the same row: one row per distinct slot."""
    p = inst.params
    if not p.reserve_contracts or inst.grid is None:
        return
    area = inst.square_grid[inst.tier_square]
    reserving = (area >= 0) & (inst.tier_kw > p.small_connection_kw)
    rows_o, rows_r, coefs, upper, labels = [], [], [], [], []
    n_rows = 0
    for g in np.unique(area[reserving]):
        tiers = np.flatnonzero(reserving & (area == g))
        head = np.maximum(inst.headroom_kw[g], 0.0)
        pattern = np.vstack([inst.tier_avail[tiers], head[None, :]]).T
        _, slots = np.unique(pattern, axis=0, return_index=True)
        slots = np.sort(slots)
        o = np.repeat(tiers, len(slots))
        t = np.tile(slots, len(tiers))
        rows_o.append(o)
        rows_r.append(n_rows + np.tile(np.arange(len(slots)), len(tiers)))
        coefs.append(inst.tier_kw[o] * inst.tier_avail[o, t])
        upper.append(head[slots])
        labels += [f"{inst.grid.ids[g]} slot {b}" for b in slots]
        n_rows += len(slots)
    if not n_rows:
        return
    form.add_constraint("grid_contract", n_rows,
                        [(form.vars["y"], np.concatenate(rows_r), np.concatenate(rows_o), np.concatenate(coefs))],
                        upper=np.concatenate(upper),
                        doc="contracted square connections fit the grid headroom in every slot they cover",
                        labels=np.array(labels, dtype=object))


def add_ineq_square_count(form: Formulation, inst: ParkInstance) -> None:
    """sum_s x_s <= p (a scenario: at most p squares; p = 0 means no collective charging)."""
    p = inst.params.max_squares
    if p is None:
        return
    form.add_constraint("square_count", 1, [(form.vars["x"], np.zeros(inst.n_squares, int), np.arange(inst.n_squares), 1.0)],
                        upper=float(p), doc="at most p squares", labels=["max_squares"])


def _cell_labels(inst: ParkInstance, idx: ParkIndex) -> np.ndarray:
    return np.array([f"{inst.square_ids[s]} slot {t}" for s, t in zip(idx.cell_square, idx.cell_slot, strict=True)],
                    dtype=object)


# -- objective ------------------------------------------------------------------------------------
def cost_coefficients(inst: ParkInstance, idx: ParkIndex) -> dict[str, np.ndarray]:
    """Annualised cost per unit of each variable block (EUR/year)."""
    a = inst.annuity()
    p = inst.params
    energy = p.days_per_year * inst.hours
    price = energy * inst.price[idx.p_slot]
    col = idx.p_col >= 0
    z = inst.pair_cost.astype(float)
    q = idx.p_pair[~col]  # fixed power: its energy is paid through z
    np.add.at(z, q, price[~col] * inst.max_kw[inst.pair_company[q]])
    coefs = {
        "x": a["square"] * inst.square_cost + inst.square_annual,
        "y": a["connection"] * inst.tier_cost + inst.tier_annual,
        "z": z,
        "p": price[col],
    }
    if inst.n_chargers:
        coefs["n"] = np.tile(a["chargers"] * inst.charger_cost + inst.charger_annual, inst.n_squares)
    if len(idx.own_company):
        k = idx.own_company
        coefs["w"] = a["connection"] * inst.own_cost[k] + inst.own_annual[k]
    if len(idx.r_company):
        coefs["r"] = energy * inst.price[idx.r_slot]
    if p.unmet_penalty is not None:
        coefs["u"] = np.full(inst.n_companies, p.days_per_year * p.unmet_penalty)
    return coefs


def set_objective(form: Formulation, inst: ParkInstance, idx: ParkIndex) -> None:
    for name, c in cost_coefficients(inst, idx).items():
        if name in form.vars:
            form.vars[name].cost = np.asarray(c, float)
