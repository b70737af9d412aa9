"""The pairs N_i = {j : d_ij <= R} of a fast instance, from whichever distance source it has."""

from __future__ import annotations

from siting.fast.instance import FastInstance
from siting.precompute.coverage import euclidean_pairs
from siting.precompute.network import graph_distances
from siting.precompute.pairs import Pairs


def fast_pairs(inst: FastInstance) -> Pairs:
    """Demand x site pairs within the radius (all reachable pairs when there is no radius).

    Sources, in order: an explicit coverage/distances table, a graph (shortest paths), or
    projected coordinates (Euclidean, numba grid binning).
    """
    radius = inst.params.radius
    if inst.given_pairs is not None:
        pairs = inst.given_pairs
        return pairs if (radius is None or inst.given_pairs_are_coverage) else pairs.within(radius)
    if inst.graph is not None:
        g = inst.graph
        return graph_distances(g.n_nodes, g.u, g.v, g.length, g.demand_node, g.site_node, limit=radius)
    if inst.demand_xy is None or inst.site_xy is None:
        raise ValueError("instance has no distance source")  # validation guarantees one
    return euclidean_pairs(inst.demand_xy, inst.site_xy, radius)
