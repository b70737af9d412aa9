r"""The `fast` model: white spots of the fast-charging network (models/fast.md).

Sets: demand i in I, sites j in J (new candidates and existing sites), grid areas g in G,
pairs (i, j) in N with d_ij <= R. Variables: x_j open, n_j chargers, u_g grid upgrade,
y_i covered (mclp), z_ij share of i assigned to j (capacitated; pmedian "classic"),
s_i^k no open site within the k-th distance of i (pmedian "radius").

One function per variable or constraint family; each returns early when it does not apply, so
`build_fast` reads as the model's table of contents.

>>> import numpy as np
>>> from siting.fast.params import FastParams
>>> from siting.fast.instance import FastInstance
>>> from siting.precompute import Pairs
>>> inst = FastInstance("toy", FastParams(objective="mclp", radius=1.0, p=1),
...     demand_ids=np.array(["a", "b"], object), weight=np.array([3.0, 1.0]),
...     site_ids=np.array(["s"], object), is_existing=np.array([False]),
...     fixed_cost=np.zeros(1), cost_per_charger=np.zeros(1), existing_chargers=np.zeros(1, int),
...     max_chargers=np.ones(1, int), land_m2=np.full(1, np.inf), grid_of_site=np.full(1, -1), grid=None)
>>> pairs = Pairs.from_coo([0], [0], [0.5], 2, 1)
>>> build_fast(inst, pairs).summary()
{'variables': 4, 'constraints': 5, 'nonzeros': 8}
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from siting.fast.instance import FastInstance
from siting.formulation import Formulation, families
from siting.precompute import Pairs, decay_weights

MAXIMISE = {"mclp", "capacitated"}


def objective_sense(inst: FastInstance) -> str:
    p = inst.params
    if p.objective == "capacitated":
        return "min" if p.serve_all else "max"
    if p.objective == "pmedian":
        return "max" if p.decay_beta > 0 else "min"
    return "max" if p.objective == "mclp" else "min"


def build_fast(inst: FastInstance, pairs: Pairs) -> Formulation:
    form = Formulation(name=f"fast-{inst.params.objective}", sense=objective_sense(inst))
    add_var_open(form, inst)
    add_var_chargers(form, inst)
    families.add_var_upgrade(form, inst.resources)
    add_var_cover(form, inst, pairs)
    add_var_assign(form, inst, pairs)
    levels = radius_levels(inst, pairs) if uses_radius(inst) else None
    add_var_radius(form, levels)
    add_ineq_cover(form, inst, pairs)
    add_ineq_cover_link(form, inst, pairs)
    add_eq_assign(form, inst, pairs)
    add_ineq_assign_open(form, inst, pairs)
    add_ineq_radius_chain(form, inst, pairs, levels)
    add_ineq_capacity(form, inst, pairs)
    add_ineq_site_count(form, inst)
    families.add_ineq_chargers_min(form, inst.new_sites, inst.params.min_chargers, inst.site_ids[inst.new_sites])
    families.add_ineq_chargers_max(form, inst.new_sites, inst.max_chargers[inst.new_sites])
    families.add_ineq_land(form, inst.resources)
    families.add_ineq_grid(form, inst.resources)
    families.add_ineq_budget(form, inst, inst.params.budget)
    set_objective(form, inst, pairs, levels)
    return form


# -- variables ------------------------------------------------------------------------------------
def add_var_open(form: Formulation, inst: FastInstance) -> None:
    """x_j in {0,1}; existing sites are fixed open (x_j = 1)."""
    form.add_var("x", inst.n_sites, lb=inst.is_existing.astype(float), ub=1.0, domain="binary",
                 doc="x[j] = 1 if site j is open")


def add_var_chargers(form: Formulation, inst: FastInstance) -> None:
    """n_j in Z, n0_j <= n_j <= nmax_j."""
    form.add_var("n", inst.n_sites, lb=inst.existing_chargers, ub=np.maximum(inst.max_chargers, inst.existing_chargers),
                 domain="integer", doc="n[j] = chargers at site j")


def _pair_rows(pairs: Pairs) -> np.ndarray:
    return np.repeat(np.arange(pairs.n_demand), np.diff(pairs.indptr))


def coverable(pairs: Pairs) -> np.ndarray:
    return np.diff(pairs.indptr) > 0


def add_var_cover(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """y_i in [0,1] (mclp); 0 for demand that no site reaches."""
    if inst.params.objective != "mclp":
        return
    form.add_var("y", inst.n_demand, ub=coverable(pairs).astype(float), doc="y[i] = 1 if demand i is covered")


def uses_radius(inst: FastInstance) -> bool:
    p = inst.params
    return p.objective == "pmedian" and p.pmedian_formulation == "radius"


def uses_assignment(inst: FastInstance) -> bool:
    """The per-pair z: capacities need it; the radius p-median does without."""
    return inst.params.objective == "capacitated" or (inst.params.objective == "pmedian" and not uses_radius(inst))


def add_var_assign(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """z_k in [0,1] for each pair k = (i, j) in N: the share of demand i served by site j."""
    if uses_assignment(inst):
        form.add_var("z", pairs.nnz, ub=1.0, doc="z[k] = share of demand i(k) served by site j(k)")


@dataclass(frozen=True)
class RadiusLevels:
    """The distinct pair distances D_i^1 < ... < D_i^{K_i} of every demand point, one entry per level.

    Levels of a demand point are consecutive and ascending; a level l is row l of `radius_chain`.
    Rows stop at the first level holding an existing site (x_j = 1 fixed): nothing beyond it can
    be the nearest open site, so s_i^k = 0 from there on (exact, fewer rows).
    """

    demand: np.ndarray  # i of each level
    distance: np.ndarray  # D_i^k of each level
    first: np.ndarray  # bool: k = 1
    last: np.ndarray  # bool: k = K_i (after truncation)
    has_var: np.ndarray  # bool: s_i^k is a variable (else s_i^k = 0: every point assigned, or an existing site)
    pair_level: np.ndarray  # level of each pair, -1 beyond the truncation

    @property
    def size(self) -> int:
        return len(self.demand)

    @property
    def var_index(self) -> np.ndarray:
        """Index of s_i^k in the block `s` for each level (-1 without a variable)."""
        return np.where(self.has_var, np.cumsum(self.has_var) - 1, -1)


def _level_ids(rows: np.ndarray, dist: np.ndarray, order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level of each sorted pair, and whether it starts a level (new demand or new distance)."""
    r, d = rows[order], dist[order]
    new = np.ones(len(order), bool)
    new[1:] = (r[1:] != r[:-1]) | (d[1:] != d[:-1])
    return np.cumsum(new) - 1, new


def _before_closing(demand: np.ndarray, closes: np.ndarray, first: np.ndarray) -> np.ndarray:
    """Per level: an earlier level of the same demand point already holds an existing site."""
    seen = np.cumsum(closes) - closes  # closing levels strictly before, over all demand points
    start = np.maximum.accumulate(np.where(first, np.arange(len(first)), 0))
    return seen - seen[start] > 0


def radius_levels(inst: FastInstance, pairs: Pairs) -> RadiusLevels:
    """Sort each row by distance (ties by site index) and number its distinct distances."""
    rows = pairs.row_ids()
    order = np.lexsort((pairs.indices, pairs.distance, rows))
    level_sorted, new = _level_ids(rows, pairs.distance, order)
    demand, distance = rows[order][new], pairs.distance[order][new]
    first = np.ones(len(demand), bool)
    first[1:] = demand[1:] != demand[:-1]
    closes = np.zeros(len(demand), bool)
    closes[level_sorted[inst.is_existing[pairs.indices[order]]]] = True
    keep = ~_before_closing(demand, closes, first)
    renumber = np.where(keep, np.cumsum(keep) - 1, -1)
    pair_level = np.empty(pairs.nnz, np.int64)
    pair_level[order] = renumber[level_sorted]
    demand, distance, first, closes = demand[keep], distance[keep], first[keep], closes[keep]
    last = np.ones(len(demand), bool)
    last[:-1] = demand[1:] != demand[:-1]
    optional = inst.params.decay_beta > 0  # accessibility: a point may stay unassigned (value 0)
    has_var = ~last | (optional & ~closes)
    return RadiusLevels(demand, distance, first, last, has_var, pair_level)


def add_var_radius(form: Formulation, levels: RadiusLevels | None) -> None:
    """s_i^k >= 0 (pmedian radius): 1 if demand i has no open site within D_i^k."""
    if levels is None:
        return
    form.add_var("s", int(levels.has_var.sum()), doc="s[v] = 1 if demand i has no open site within its k-th distance")


# -- constraints ----------------------------------------------------------------------------------
def add_ineq_cover(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """lscp: sum_{j in N_i} x_j >= 1 for every coverable i (the rest are white spots)."""
    if inst.params.objective != "lscp":
        return
    rows_of = np.flatnonzero(coverable(pairs))
    local = np.full(pairs.n_demand, -1)
    local[rows_of] = np.arange(len(rows_of))
    r = local[_pair_rows(pairs)]
    form.add_constraint("cover", len(rows_of), [(form.vars["x"], r, pairs.indices, 1.0)], lower=1.0,
                        doc="every coverable demand point has an open site within R",
                        labels=inst.demand_ids[rows_of])


def add_ineq_cover_link(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """mclp: y_i - sum_{j in N_i} x_j <= 0."""
    if inst.params.objective != "mclp":
        return
    i = np.arange(inst.n_demand)
    form.add_constraint("cover_link", inst.n_demand,
                        [(form.vars["y"], i, i, 1.0), (form.vars["x"], _pair_rows(pairs), pairs.indices, -1.0)],
                        upper=0.0, doc="demand i is covered only if a site within R is open")


def add_eq_assign(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """sum_j z_ij = 1 (pmedian; capacitated with serve_all), else <= 1, for coverable i."""
    if not uses_assignment(inst):
        return
    p = inst.params
    must = (p.objective == "pmedian" and p.decay_beta == 0) or (p.objective == "capacitated" and p.serve_all)
    cov = coverable(pairs).astype(float)
    k = np.arange(pairs.nnz)
    form.add_constraint("assign", inst.n_demand, [(form.vars["z"], _pair_rows(pairs), k, 1.0)],
                        lower=cov if must else 0.0, upper=cov,
                        doc="each demand point is assigned once (or at most once)", labels=inst.demand_ids)


def add_ineq_assign_open(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """z_ij - x_j <= 0: assign only to open sites."""
    if not uses_assignment(inst):
        return
    k = np.arange(pairs.nnz)
    form.add_constraint("assign_open", pairs.nnz,
                        [(form.vars["z"], k, k, 1.0), (form.vars["x"], k, pairs.indices, -1.0)],
                        upper=0.0, doc="demand is assigned only to open sites")


def add_ineq_radius_chain(form: Formulation, inst: FastInstance, pairs: Pairs, levels: RadiusLevels | None) -> None:
    """s_i^k - s_i^{k-1} + sum_{j: d_ij = D_i^k} x_j >= [k = 1], one row per level (s_i^0 = 0;
    s_i^k = 0 when it is no variable). Summed over levels 1..k: s_i^k + sum_{j: d_ij <= D_i^k} x_j >= 1."""
    if levels is None:
        return
    var = levels.var_index
    own = np.flatnonzero(levels.has_var)
    chained = np.flatnonzero(levels.has_var & ~levels.last)  # s_i^k appears again in row k + 1
    k = np.flatnonzero(levels.pair_level >= 0)
    form.add_constraint("radius_chain", levels.size,
                        [(form.vars["x"], levels.pair_level[k], pairs.indices[k], 1.0),
                         (form.vars["s"], own, var[own], 1.0),
                         (form.vars["s"], chained + 1, var[chained], -1.0)],
                        lower=levels.first.astype(float),
                        doc="demand i has an open site within D_i^k unless s_i^k = 1",
                        labels=inst.demand_ids[levels.demand])


def add_ineq_capacity(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """capacitated: sum_i w_i z_ij - kappa n_j <= 0."""
    if inst.params.objective != "capacitated":
        return
    k = np.arange(pairs.nnz)
    j = np.arange(inst.n_sites)
    w = inst.weight[_pair_rows(pairs)]
    form.add_constraint("capacity", inst.n_sites,
                        [(form.vars["z"], pairs.indices, k, w),
                         (form.vars["n"], j, j, -inst.params.sessions_per_charger)],
                        upper=0.0, doc="sessions served at j fit its chargers' capacity", labels=inst.site_ids)


def add_ineq_site_count(form: Formulation, inst: FastInstance) -> None:
    """sum_{j new} x_j <= p."""
    p = inst.params.p
    if p is None or inst.params.objective == "lscp":
        return
    new = inst.new_sites
    form.add_constraint("site_count", 1, [(form.vars["x"], np.zeros(len(new), int), new, 1.0)], upper=float(p),
                        doc="at most p new sites", labels=["p"])


def objective_kind(inst: FastInstance) -> str:
    p = inst.params
    if p.objective in ("lscp",) or (p.objective == "capacitated" and p.serve_all):
        return "cost"
    if p.objective == "pmedian":
        return "accessibility" if p.decay_beta > 0 else "weighted_distance"
    return "covered_demand" if p.objective == "mclp" else "served_demand"


def set_radius_objective(form: Formulation, inst: FastInstance, levels: RadiusLevels) -> None:
    """sum_i w_i (v_i^1 + sum_k (v_i^{k+1} - v_i^k) s_i^k), v = d (min) or exp(-beta d) (max, v^{K+1} = 0)."""
    beta = inst.params.decay_beta
    value = decay_weights(levels.distance, beta) if beta > 0 else levels.distance
    following = np.zeros(levels.size)
    following[:-1] = value[1:]
    following[levels.last] = 0.0  # only reached by the optional last level of accessibility
    w = inst.weight[levels.demand]
    form.vars["s"].cost = (w * (following - value))[levels.has_var]
    form.offset = float(np.sum((w * value)[levels.first]))


def set_objective(form: Formulation, inst: FastInstance, pairs: Pairs, levels: RadiusLevels | None = None) -> None:
    kind = objective_kind(inst)
    if levels is not None:
        set_radius_objective(form, inst, levels)
    elif kind == "cost":
        coefs, form.offset = families.cost_terms(form, inst)
        for name, c in coefs.items():
            form.vars[name].cost = c.astype(float)
    elif kind == "covered_demand":
        form.vars["y"].cost = inst.weight.astype(float)
    elif kind == "served_demand":
        form.vars["z"].cost = inst.weight[_pair_rows(pairs)]
    elif kind == "weighted_distance":
        form.vars["z"].cost = inst.weight[_pair_rows(pairs)] * pairs.distance
    else:
        form.vars["z"].cost = inst.weight[_pair_rows(pairs)] * decay_weights(pairs.distance, inst.params.decay_beta)
