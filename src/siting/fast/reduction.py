"""Exact reductions of a fast instance before its model is built, and the way back.

1. Demand points with identical rows become one class (`precompute.reduce.aggregate_demand`).
2. Candidates another site dominates are left out (`precompute.dominance`; mclp, lscp).
3. Leaving out columns can make more rows identical, so the classes are merged once more.

The model is built over what is left; `expand_solution` states its answer for every original
demand point and site (left-out candidates closed), so the checker runs on the original data.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from siting.fast.dominance import dominated_candidates
from siting.fast.instance import FastInstance
from siting.fast.solution import FastSolution
from siting.precompute import Pairs
from siting.precompute.reduce import DemandClasses, aggregate_demand


@dataclass(frozen=True)
class FastReduction:
    """How the model's rows and columns relate to the instance's demand points and sites."""

    classes: DemandClasses | None  # None: one row per demand point
    kept_sites: np.ndarray | None  # the instance's site index of each model column; None: all
    n_demand: int
    n_sites: int

    @property
    def n_classes(self) -> int:
        return self.classes.n_classes if self.classes is not None else self.n_demand

    @property
    def n_dropped_sites(self) -> int:
        return 0 if self.kept_sites is None else self.n_sites - len(self.kept_sites)


def reduce_fast(inst: FastInstance, pairs: Pairs) -> tuple[FastInstance, Pairs, FastReduction]:
    """The instance and pairs the model is built on, and the map back to the original ones."""
    p = inst.params
    with_distance = p.objective == "pmedian"
    classes = _classes(inst.weight, pairs, with_distance) if p.aggregate_demand else None
    model_inst, model_pairs = _take_demand(inst, pairs, classes)
    kept = None
    if p.drop_dominated:
        dropped = dominated_candidates(model_inst, model_pairs)
        if dropped.any():
            kept = np.flatnonzero(~dropped)
            model_inst, model_pairs = take_sites(model_inst, kept), model_pairs.take_columns(kept)
            if p.aggregate_demand:  # rows that differed only in a dropped column are identical now
                merged = _classes(model_inst.weight, model_pairs, with_distance)
                if merged is not None:
                    model_inst, model_pairs = _take_demand(model_inst, model_pairs, merged)
                    classes = merged if classes is None else _compose(classes, merged)
    return model_inst, model_pairs, FastReduction(classes, kept, inst.n_demand, inst.n_sites)


def expand_solution(sol: FastSolution, reduction: FastReduction, pairs: Pairs) -> FastSolution:
    """A solution of the reduced model, stated for every original demand point, site and pair."""
    if reduction.kept_sites is not None:
        if sol.assignment is not None:  # only the covering objectives drop sites: they assign nothing
            raise ValueError("a model with left-out sites cannot carry an assignment")
        is_open = np.zeros(reduction.n_sites, bool)
        chargers = np.zeros(reduction.n_sites, np.int64)
        is_open[reduction.kept_sites], chargers[reduction.kept_sites] = sol.open, sol.chargers
        sol = replace(sol, open=is_open, chargers=chargers)
    classes = reduction.classes
    if classes is None:
        return sol
    return replace(
        sol,
        assignment=None if sol.assignment is None else classes.expand_pairs(pairs, sol.assignment),
        covered=None if sol.covered is None else sol.covered[classes.class_of],
    )


def take_sites(inst: FastInstance, kept: np.ndarray) -> FastInstance:
    """The instance with only the sites `kept` (ascending site indices)."""
    graph = inst.graph if inst.graph is None else replace(inst.graph, site_node=inst.graph.site_node[kept])
    return replace(
        inst, site_ids=inst.site_ids[kept], is_existing=inst.is_existing[kept], fixed_cost=inst.fixed_cost[kept],
        cost_per_charger=inst.cost_per_charger[kept], existing_chargers=inst.existing_chargers[kept],
        max_chargers=inst.max_chargers[kept], land_m2=inst.land_m2[kept], grid_of_site=inst.grid_of_site[kept],
        site_xy=None if inst.site_xy is None else inst.site_xy[kept],
        given_pairs=None if inst.given_pairs is None else inst.given_pairs.take_columns(kept), graph=graph)


def _classes(weight: np.ndarray, pairs: Pairs, with_distance: bool) -> DemandClasses | None:
    classes = aggregate_demand(pairs, weight, with_distance)
    return None if classes.n_classes == pairs.n_demand else classes


def _take_demand(inst: FastInstance, pairs: Pairs, classes: DemandClasses | None) -> tuple[FastInstance, Pairs]:
    if classes is None:
        return inst, pairs
    rep = classes.representative
    reduced = replace(inst, demand_ids=inst.demand_ids[rep], weight=classes.weight,
                      demand_xy=None if inst.demand_xy is None else inst.demand_xy[rep])
    return reduced, classes.pairs


def _compose(first: DemandClasses, second: DemandClasses) -> DemandClasses:
    """Points -> first classes -> second classes, as one grouping of the points."""
    return DemandClasses(class_of=second.class_of[first.class_of],
                         representative=first.representative[second.representative],
                         weight=second.weight, pairs=second.pairs)
