"""Demand precomputation: which candidates reach which demand points, and how far.

Boundary convention (see :mod:`siting.precompute.pairs`): ``d = sqrt(dx*dx + dy*dy)`` in
float64 and a pair is covered when ``d <= R``.
"""

from .coverage import coverage_pairs, coverage_pairs_reference, euclidean_pairs
from .network import decay_weights, graph_distances
from .pairs import COVERAGE_RULE, Pairs, covered, pair_distance

__all__ = [
    "COVERAGE_RULE",
    "Pairs",
    "coverage_pairs",
    "coverage_pairs_reference",
    "covered",
    "decay_weights",
    "euclidean_pairs",
    "graph_distances",
    "pair_distance",
]
