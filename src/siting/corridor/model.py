r"""The `corridor` model: flow refuelling of trucks along motorways (models/corridor.md).

Arc-cover form of the flow-refuelling location model (Capar et al. 2013). Sets: OD flows q,
paths p of each flow (one, the shortest, unless k_paths > 1), sites j (new candidates and
existing stations), arc-cover rows (q, a) with site sets K_{q,a} from
`siting.precompute.paths.arc_cover_sets`, grid areas g, search areas s.
Variables: x_j open, y_q refuelled, n_j chargers, u_g grid upgrade, v_p path refuelled
(k_paths > 1), z_{qj} share of flow q's energy charged at j (capacitated).

One function per variable or constraint family; `build_corridor` reads as the model's outline.

>>> import numpy as np
>>> from siting.corridor.params import CorridorParams
>>> from siting.corridor.instance import CorridorInstance, RoadNetwork
>>> from siting.precompute.paths import Paths, arc_cover_sets
>>> net = RoadNetwork(np.array(["a", "b", "c"], object), np.array([0, 1]), np.array([1, 2]), np.array([4.0, 4.0]))
>>> inst = CorridorInstance("toy", CorridorParams(range=10.0, p=1), net, np.array(["a->c"], object),
...     np.array([0]), np.array([2]), np.array([5.0]), np.array(["a", "b", "c"], object), np.zeros(3, bool),
...     np.array([0, 1, 2]), np.zeros(3), np.zeros(3), np.zeros(3, int), np.ones(3, int), np.full(3, np.inf),
...     np.full(3, -1), None, np.full(3, -1))
>>> paths = Paths.from_lists([[0, 1, 2]], [[4.0, 4.0]], np.array([0]))
>>> cover = arc_cover_sets(paths, 3, inst.site_node, 10.0)
>>> build_corridor(inst, paths, cover).summary()
{'variables': 7, 'constraints': 9, 'nonzeros': 21}
"""

from __future__ import annotations

import numpy as np

from siting.corridor.instance import CorridorInstance, od_length, round_trip_energy
from siting.formulation import Formulation, families
from siting.precompute.paths import ArcCover, Paths


def objective_sense(inst: CorridorInstance) -> str:
    return "min" if inst.params.objective == "cost" else "max"


def objective_kind(inst: CorridorInstance) -> str:
    return {"flow": "refuelled_flow", "truck_km": "refuelled_truck_km", "cost": "cost"}[inst.params.objective]


def build_corridor(inst: CorridorInstance, paths: Paths, cover: ArcCover, afir: tuple | None = None) -> Formulation:
    """The MILP; `afir` = precompute.paths.afir_sets(...) when corridor.afir_spacing is on."""
    form = Formulation(name=f"corridor-{inst.params.objective}", sense=objective_sense(inst))
    add_var_open(form, inst)
    add_var_chargers(form, inst)
    families.add_var_upgrade(form, inst.resources)
    add_var_refuelled(form, inst, paths, cover)
    add_var_path(form, inst, paths, cover)
    pairs = assignment_pairs(inst, paths)
    add_var_assign(form, inst, pairs)
    pools = afir_pool_pairs(inst, afir)
    add_var_afir_pool(form, inst, pools)
    add_ineq_arc_cover(form, inst, paths, cover)
    add_ineq_path_choice(form, inst, paths)
    add_eq_assign(form, inst, pairs)
    add_ineq_assign_open(form, inst, pairs)
    add_ineq_capacity(form, inst, paths, pairs)
    add_ineq_site_count(form, inst)
    add_ineq_area_sites(form, inst)
    families.add_ineq_chargers_min(form, inst.new_sites, inst.params.min_chargers, inst.site_ids[inst.new_sites])
    families.add_ineq_chargers_max(form, inst.new_sites, charger_bounds(inst)[1][inst.new_sites])
    families.add_ineq_land(form, inst.resources)
    families.add_ineq_grid(form, inst.resources)
    families.add_ineq_budget(form, inst, inst.params.budget)
    add_ineq_required_share(form, inst)
    add_ineq_required_truck_km(form, inst, paths)
    add_ineq_afir(form, inst, afir, pools)
    add_ineq_afir_power(form, inst, pools)
    set_objective(form, inst, paths)
    return form


# -- helpers --------------------------------------------------------------------------------------
def uses_path_vars(paths: Paths) -> bool:
    """One variable per path is needed only when some flow has several paths."""
    return paths.n_paths > 0 and len(np.unique(paths.od)) < paths.n_paths


def refuellable_at_all(inst: CorridorInstance, paths: Paths, cover: ArcCover) -> np.ndarray:
    """Per OD flow: some path of it can be refuelled when every allowed site is open."""
    ok = np.zeros(inst.n_od, bool)
    np.logical_or.at(ok, paths.od, ~cover.impossible)
    return ok


def assignment_pairs(inst: CorridorInstance, paths: Paths) -> np.ndarray:
    """(od, site) for every site on the (single) path of each flow, in path then site order."""
    if not inst.params.capacitated or paths.n_paths == 0:
        return np.zeros((0, 2), np.int64)
    node_has = {}
    for j, nd in enumerate(inst.site_node.tolist()):
        node_has.setdefault(nd, []).append(j)
    pairs = [(int(paths.od[q]), j) for q in range(paths.n_paths) for nd in paths.nodes_of(q).tolist()
             for j in node_has.get(nd, [])]
    return np.array(pairs, np.int64).reshape(-1, 2)


AFIR_POOL = {"core": (3600.0, 2), "comprehensive": (1500.0, 1)}  # kW per pool, points >= 350 kW: AFIR 2030
AFIR_POINT_KW = 350.0  # [sourced, secondary; DOMAIN.md]


def afir_pool_chargers(inst: CorridorInstance) -> dict[str, float]:
    """m_c: chargers an AFIR pool of class c needs, max(points_c, ceil(kW_c / P)); inf when a
    charger has less than 350 kW (no pool qualifies)."""
    kw = inst.params.kw_per_charger
    return {c: (max(points, float(np.ceil(total / kw - 1e-9))) if kw >= AFIR_POINT_KW else np.inf)
            for c, (total, points) in AFIR_POOL.items()}


def afir_pool_pairs(inst: CorridorInstance, afir: tuple | None) -> np.ndarray | None:
    """(site, class 0 core / 1 comprehensive) of every site in some AFIR row (afir_pool_power)."""
    if afir is None or not inst.params.afir_pool_power:
        return None
    ptr, sites, _, _, classes = afir
    cls = np.repeat((np.asarray(classes) == "comprehensive").astype(np.int64), np.diff(ptr))
    return np.unique(np.c_[sites, cls], axis=0).reshape(-1, 2)


# -- variables ------------------------------------------------------------------------------------
def add_var_open(form: Formulation, inst: CorridorInstance) -> None:
    """x_j in {0,1}; existing stations fixed open; sites not allowed (inside_only) fixed closed."""
    form.add_var("x", inst.n_sites, lb=inst.forced.astype(float), ub=inst.allowed.astype(float), domain="binary",
                 doc="x[j] = 1 if station j is open")


def charger_bounds(inst: CorridorInstance) -> tuple[np.ndarray, np.ndarray]:
    """Bounds of n_j: existing [n0, n0] (uncapacitated) or [n0, max(nmax, n0)]; new [0, nmax]
    (uncapacitated: [0, min(nmin, nmax)], so with `chargers_min` a new site whose nmax is below
    nmin cannot open in either variant)."""
    p = inst.params
    n0 = inst.existing_chargers.astype(float)
    top = np.maximum(inst.max_chargers, inst.existing_chargers).astype(float) if p.capacitated else \
        np.where(inst.is_existing, n0, np.minimum(inst.max_chargers, p.min_chargers).astype(float))
    return n0, top


def add_var_chargers(form: Formulation, inst: CorridorInstance) -> None:
    """n_j in Z chargers at site j."""
    lb, ub = charger_bounds(inst)
    form.add_var("n", inst.n_sites, lb=lb, ub=ub, domain="integer", doc="n[j] = chargers at station j")


def add_var_refuelled(form: Formulation, inst: CorridorInstance, paths: Paths, cover: ArcCover) -> None:
    """y_q in [0,1] (or {0,1}); 0 for flows that no station set can refuel."""
    ub = refuellable_at_all(inst, paths, cover).astype(float)
    form.add_var("y", inst.n_od, ub=ub, domain="binary" if inst.params.binary_flow else "continuous",
                 doc="y[q] = share of OD flow q refuelled")


def add_var_path(form: Formulation, inst: CorridorInstance, paths: Paths, cover: ArcCover) -> None:
    """v_p in [0,1]: path p's round trip is refuelled (only with several paths per flow)."""
    if not uses_path_vars(paths):
        return
    form.add_var("v", paths.n_paths, ub=(~cover.impossible).astype(float), doc="v[p] = 1 if path p is refuelled")


def add_var_assign(form: Formulation, inst: CorridorInstance, pairs: np.ndarray) -> None:
    """z_k = z_{qj} in [0,1] for each pair k = (q, j), j a site on the path of flow q (capacitated)."""
    if not inst.params.capacitated:
        return
    form.add_var("z", len(pairs), ub=1.0, doc="z[k] = share of flow q(k)'s energy charged at station j(k)")


def add_var_afir_pool(form: Formulation, inst: CorridorInstance, pools: np.ndarray | None) -> None:
    """w_{jc} in {0,1}: site j is an AFIR pool of class c (it has the class's power)."""
    if pools is None:
        return
    need = afir_pool_chargers(inst)
    m = np.array([need["core"], need["comprehensive"]])[pools[:, 1]]
    top = charger_bounds(inst)[1][pools[:, 0]]
    form.add_var("w", len(pools), ub=(m <= top).astype(float), domain="binary",
                 doc="w[k] = 1 if site j(k) is an AFIR pool of class c(k)")


# -- constraints ----------------------------------------------------------------------------------
def add_ineq_arc_cover(form: Formulation, inst: CorridorInstance, paths: Paths, cover: ArcCover) -> None:
    """y_q - sum_{j in K_{q,a}} x_j <= 0 for every arc-cover row (v_p instead of y_q with several paths)."""
    if cover.n_rows == 0:
        return
    r = np.arange(cover.n_rows)
    counts = np.diff(cover.ptr)
    lhs = (form.vars["v"], r, cover.path, 1.0) if "v" in form.vars else (form.vars["y"], r, paths.od[cover.path], 1.0)
    form.add_constraint("arc_cover", cover.n_rows,
                        [lhs, (form.vars["x"], np.repeat(r, counts), cover.sites, -1.0)], upper=0.0,
                        doc="a path counts as refuelled only if every arc of its round trip is within range of an open station",
                        labels=inst.od_ids[paths.od[cover.path]])


def add_ineq_path_choice(form: Formulation, inst: CorridorInstance, paths: Paths) -> None:
    """y_q - sum_{p of q} v_p <= 0: a flow is refuelled when one of its paths is (deviation)."""
    if "v" not in form.vars:
        return
    q = np.arange(inst.n_od)
    form.add_constraint("path_choice", inst.n_od,
                        [(form.vars["y"], q, q, 1.0), (form.vars["v"], paths.od, np.arange(paths.n_paths), -1.0)],
                        upper=0.0, doc="a flow is refuelled when one of its paths is", labels=inst.od_ids)


def add_eq_assign(form: Formulation, inst: CorridorInstance, pairs: np.ndarray) -> None:
    """sum_j z_{qj} - y_q = 0 (capacitated): the refuelled share's energy is charged somewhere on the path."""
    if "z" not in form.vars:
        return
    q = np.arange(inst.n_od)
    form.add_constraint("assign", inst.n_od,
                        [(form.vars["z"], pairs[:, 0], np.arange(len(pairs)), 1.0), (form.vars["y"], q, q, -1.0)],
                        lower=0.0, upper=0.0, doc="the energy of a refuelled flow is charged at stations on its path",
                        labels=inst.od_ids)


def add_ineq_assign_open(form: Formulation, inst: CorridorInstance, pairs: np.ndarray) -> None:
    """z_{qj} - x_j <= 0."""
    if "z" not in form.vars:
        return
    k = np.arange(len(pairs))
    form.add_constraint("assign_open", len(pairs),
                        [(form.vars["z"], k, k, 1.0), (form.vars["x"], k, pairs[:, 1], -1.0)],
                        upper=0.0, doc="energy is charged only at open stations")


def add_ineq_capacity(form: Formulation, inst: CorridorInstance, paths: Paths, pairs: np.ndarray) -> None:
    """sum_q E_q z_{qj} - kappa n_j <= 0 (capacitated)."""
    if "z" not in form.vars:
        return
    energy = round_trip_energy(inst, paths)
    j = np.arange(inst.n_sites)
    form.add_constraint("capacity", inst.n_sites,
                        [(form.vars["z"], pairs[:, 1], np.arange(len(pairs)), energy[pairs[:, 0]]),
                         (form.vars["n"], j, j, -inst.params.kwh_per_charger_day)],
                        upper=0.0, doc="energy charged per day at a station fits its chargers", labels=inst.site_ids)


def add_ineq_site_count(form: Formulation, inst: CorridorInstance) -> None:
    """sum_{j new} x_j <= p."""
    p = inst.params.p
    if p is None:
        return
    new = inst.new_sites
    form.add_constraint("site_count", 1, [(form.vars["x"], np.zeros(len(new), int), new, 1.0)], upper=float(p),
                        doc="at most p new stations", labels=["p"])


def add_ineq_area_sites(form: Formulation, inst: CorridorInstance) -> None:
    """min_s <= sum_{j new in s} x_j <= max_s for every search area s with a limit."""
    if not len(inst.area_ids):
        return
    limited = np.flatnonzero((inst.area_min > 0) | np.isfinite(inst.area_max))
    if not len(limited):
        return
    row_of = np.full(len(inst.area_ids), -1)
    row_of[limited] = np.arange(len(limited))
    new = inst.new_sites
    sites = new[(inst.area_of_site[new] >= 0)]
    sites = sites[row_of[inst.area_of_site[sites]] >= 0]
    form.add_constraint("area_sites", len(limited),
                        [(form.vars["x"], row_of[inst.area_of_site[sites]], sites, 1.0)],
                        lower=inst.area_min[limited].astype(float), upper=inst.area_max[limited].astype(float),
                        doc="new stations per LoLa search area within [min_sites, max_sites]",
                        labels=inst.area_ids[limited])


def add_ineq_required_share(form: Formulation, inst: CorridorInstance) -> None:
    """sum_q f_q y_q >= s sum_q f_q (objective cost)."""
    p = inst.params
    if p.objective != "cost" or p.required_share is None:
        return
    q = np.arange(inst.n_od)
    form.add_constraint("required_share", 1, [(form.vars["y"], np.zeros(inst.n_od, int), q, inst.flow)],
                        lower=float(p.required_share) * float(inst.flow.sum()),
                        doc="at least the required share of all OD flow is refuelled", labels=["required_share"])


def add_ineq_required_truck_km(form: Formulation, inst: CorridorInstance, paths: Paths) -> None:
    """sum_q f_q L_q y_q >= K (objective cost with required_truck_km)."""
    p = inst.params
    if p.objective != "cost" or p.required_truck_km is None:
        return
    q = np.arange(inst.n_od)
    form.add_constraint("required_truck_km", 1, [(form.vars["y"], np.zeros(inst.n_od, int), q,
                                                  inst.flow * np.nan_to_num(od_length(inst, paths)))],
                        lower=float(p.required_truck_km), doc="at least the required truck-km per day are refuelled",
                        labels=["required_truck_km"])


def add_ineq_afir(form: Formulation, inst: CorridorInstance, afir: tuple | None,
                  pools: np.ndarray | None = None) -> None:
    """sum_{j in K_t} x_j >= 1 for every node t of a TEN-T road: a pool within S/2 along the road;
    with afir_pool_power sum_{j in K_t} w_{j,c(t)} >= 1: a pool with the power of t's class."""
    if not inst.params.afir_spacing or afir is None:
        return
    ptr, sites, labels = afir[0], afir[1], afir[2]
    n = len(ptr) - 1
    if n == 0:
        return
    rows = np.repeat(np.arange(n), np.diff(ptr))
    if pools is None:
        term = (form.vars["x"], rows, sites, 1.0)
    else:
        cls = np.repeat((np.asarray(afir[4]) == "comprehensive").astype(np.int64), np.diff(ptr))
        key = pools[:, 0] * 2 + pools[:, 1]
        term = (form.vars["w"], rows, np.searchsorted(key, sites * 2 + cls), 1.0)
    form.add_constraint("afir", n, [term], lower=1.0,
                        doc="AFIR: a charging pool within half the spacing limit of every point of a TEN-T road",
                        labels=[f"{road}: {inst.network.label(t)}" for road, t in labels])


def add_ineq_afir_power(form: Formulation, inst: CorridorInstance, pools: np.ndarray | None) -> None:
    """n_j - m_c w_{jc} >= 0: a pool counts for the spacing only with the chargers of its class's power
    (n_j > 0 only at an open site, so w_{jc} <= x_j follows)."""
    if pools is None or not len(pools):
        return
    need = afir_pool_chargers(inst)
    m = np.array([need["core"], need["comprehensive"]])[pools[:, 1]]
    k = np.arange(len(pools))
    form.add_constraint("afir_power", len(pools),
                        [(form.vars["n"], k, pools[:, 0], 1.0), (form.vars["w"], k, k, -np.where(np.isfinite(m), m, 0.0))],
                        lower=0.0, doc="AFIR: a pool has >= 3 600 kW incl. 2 points >= 350 kW (core), >= 1 500 kW "
                        "incl. 1 (comprehensive)", labels=inst.site_ids[pools[:, 0]])


def set_objective(form: Formulation, inst: CorridorInstance, paths: Paths) -> None:
    kind = inst.params.objective
    if kind == "cost":
        coefs, form.offset = families.cost_terms(form, inst)
        for name, c in coefs.items():
            form.vars[name].cost = c.astype(float)
    elif kind == "flow":
        form.vars["y"].cost = inst.flow.astype(float)
    else:
        form.vars["y"].cost = inst.flow * np.nan_to_num(od_length(inst, paths))
