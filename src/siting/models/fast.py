r"""The `fast` model: white spots of the fast-charging network (models/fast.md).

Sets: demand i in I, sites j in J (new candidates and existing sites), grid areas g in G,
pairs (i, j) in N with d_ij <= R. Variables: x_j open, n_j chargers, u_g grid upgrade,
y_i covered (mclp), z_ij share of i assigned to j (pmedian, capacitated).

One function per variable or constraint family; each returns early when it does not apply, so
`build_fast` reads as the model's table of contents.

>>> import numpy as np
>>> from siting.config import FastParams
>>> from siting.instance import FastInstance
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

import numpy as np

from siting.instance import FastInstance
from siting.models import common
from siting.models.formulation import Formulation
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
    common.add_var_upgrade(form, inst.resources)
    add_var_cover(form, inst, pairs)
    add_var_assign(form, inst, pairs)
    add_ineq_cover(form, inst, pairs)
    add_ineq_cover_link(form, inst, pairs)
    add_eq_assign(form, inst, pairs)
    add_ineq_assign_open(form, inst, pairs)
    add_ineq_capacity(form, inst, pairs)
    add_ineq_site_count(form, inst)
    common.add_ineq_chargers_min(form, inst.new_sites, inst.params.min_chargers, inst.site_ids[inst.new_sites])
    common.add_ineq_chargers_max(form, inst.new_sites, inst.max_chargers[inst.new_sites])
    common.add_ineq_land(form, inst.resources)
    common.add_ineq_grid(form, inst.resources)
    common.add_ineq_budget(form, inst, inst.params.budget)
    set_objective(form, inst, pairs)
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


def uses_assignment(inst: FastInstance) -> bool:
    return inst.params.objective in ("pmedian", "capacitated")


def add_var_assign(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    """z_k in [0,1] for each pair k = (i, j) in N: the share of demand i served by site j."""
    if uses_assignment(inst):
        form.add_var("z", pairs.nnz, ub=1.0, doc="z[k] = share of demand i(k) served by site j(k)")


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


def set_objective(form: Formulation, inst: FastInstance, pairs: Pairs) -> None:
    kind = objective_kind(inst)
    if kind == "cost":
        coefs, form.offset = common.cost_terms(form, inst)
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
