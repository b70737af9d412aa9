"""Exact reduction: demand points with identical pair rows become one demand class.

At fine resolution many demand points see exactly the same candidates (and, for the p-median,
at the same distances). Their rows in every fast-model constraint are then identical, so one row
with the summed weight w_c = sum of w_i over the class gives the same optimum, and any solution
of the reduced model maps back (y_i = y_c, z_ij = z_cj). Rows are grouped by two independent
64-bit hashes of their content and then compared exactly, so a hash collision cannot merge
different rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from siting.precompute.pairs import Pairs

_SEED = 20261126  # fixed: the grouping (and so the reduced model) is deterministic


@dataclass(frozen=True)
class DemandClasses:
    class_of: np.ndarray  # class index of every original demand point
    representative: np.ndarray  # original index of each class's first member
    weight: np.ndarray  # summed weight per class
    pairs: Pairs  # the representatives' rows

    @property
    def n_classes(self) -> int:
        return len(self.representative)

    def expand_pairs(self, original: Pairs, values: np.ndarray) -> np.ndarray:
        """Per-pair values of the reduced model -> per-pair values of the original pairs."""
        rows = original.row_ids()
        offset = np.arange(original.nnz) - original.indptr[rows]
        return values[self.pairs.indptr[self.class_of[rows]] + offset]


@njit(cache=True)
def _row_hashes_kernel(indptr, indices, distance_bits, with_distance, mix1, mix2):
    """Two order-aware 64-bit hashes per row, one pass over the pairs (uint64 arithmetic wraps)."""
    n = len(indptr) - 1
    h1 = np.zeros(n, np.uint64)
    h2 = np.zeros(n, np.uint64)
    golden, spread, shift = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(29)
    for i in range(n):
        a = np.uint64(0)
        b = np.uint64(0)
        for t in range(indptr[i], indptr[i + 1]):
            key = np.uint64(indices[t])
            if with_distance:
                key = (key * np.uint64(1_000_003)) ^ distance_bits[t]
            pos = np.uint64(t - indptr[i]) * spread
            x = key * mix1
            x = (x ^ (x >> shift)) * golden
            a += x ^ pos
            y = key * mix2
            y = (y ^ (y >> shift)) * golden
            b += y ^ pos
        h1[i] = a
        h2[i] = b
    return h1, h2


def _row_hashes(pairs: Pairs, with_distance: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_SEED)
    mix = rng.integers(1, 2**63, size=2, dtype=np.uint64) | np.uint64(1)
    bits = pairs.distance.astype(np.float64).view(np.uint64) if with_distance else np.zeros(1, np.uint64)
    return _row_hashes_kernel(pairs.indptr.astype(np.int64), pairs.indices, bits, with_distance, mix[0], mix[1])


def aggregate_demand(pairs: Pairs, weight: np.ndarray, with_distance: bool = False) -> DemandClasses:
    """Group demand points whose pair rows are identical (indices, and distances if asked)."""
    h1, h2 = _row_hashes(pairs, with_distance)
    length = np.diff(pairs.indptr)
    order = np.lexsort((np.arange(len(h1)), length, h2, h1))  # ties: by original index
    sh1, sh2, slen = h1[order], h2[order], length[order]
    new_group = np.ones(len(order), bool)
    new_group[1:] = (sh1[1:] != sh1[:-1]) | (sh2[1:] != sh2[:-1]) | (slen[1:] != slen[:-1])
    group_of_sorted = np.cumsum(new_group) - 1
    first = order[new_group]  # smallest original index of each group
    by_first = np.argsort(first, kind="stable")  # classes numbered by first appearance
    rank = np.empty_like(by_first)
    rank[by_first] = np.arange(len(by_first))
    class_of = np.empty(len(order), dtype=np.int64)
    class_of[order] = rank[group_of_sorted]
    representative = first[by_first]
    _check_identical(pairs, class_of, representative, with_distance)
    classes = DemandClasses(
        class_of=class_of,
        representative=representative,
        weight=np.bincount(class_of, weights=weight, minlength=len(representative)),
        pairs=pairs.take_rows(representative),
    )
    return classes


@njit(cache=True)
def _first_difference(indptr, indices, distance, class_of, representative, with_distance) -> int:
    """The first row that differs from its class representative's row, or -1."""
    for i in range(len(indptr) - 1):
        r = representative[class_of[i]]
        if r == i:
            continue
        lo, hi, r_lo = indptr[i], indptr[i + 1], indptr[r]
        if hi - lo != indptr[r + 1] - r_lo:
            return i
        for t in range(hi - lo):
            if indices[lo + t] != indices[r_lo + t] or (with_distance and distance[lo + t] != distance[r_lo + t]):
                return i
    return -1


def _check_identical(pairs: Pairs, class_of: np.ndarray, representative: np.ndarray, with_distance: bool) -> None:
    """Every member's row equals its representative's row, entry by entry (no hash trust)."""
    row = _first_difference(pairs.indptr.astype(np.int64), pairs.indices, pairs.distance, class_of, representative,
                            with_distance)
    if row >= 0:  # a 128-bit hash collision: astronomically unlikely, still handled
        raise RuntimeError("demand aggregation found a hash collision; please report this instance")
