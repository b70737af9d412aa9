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


def _row_hashes(pairs: Pairs, with_distance: bool) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(_SEED)
    key = pairs.indices.astype(np.uint64)
    if with_distance:
        key = key * np.uint64(1_000_003) ^ pairs.distance.view(np.uint64)
    mix = rng.integers(1, 2**63, size=2, dtype=np.uint64) | np.uint64(1)
    hashes = []
    starts = pairs.indptr[:-1]
    nonempty = np.diff(pairs.indptr) > 0
    for m in mix:
        with np.errstate(over="ignore"):
            h = (key * m) ^ ((key * m) >> np.uint64(29))
            h = h * np.uint64(0x9E3779B97F4A7C15)
        row_h = np.zeros(pairs.n_demand, dtype=np.uint64)
        if pairs.nnz:
            # order-aware: mix the position within the row in, then add up per row
            pos = (np.arange(pairs.nnz, dtype=np.uint64) - np.repeat(starts, np.diff(pairs.indptr)).astype(np.uint64))
            with np.errstate(over="ignore"):
                h = h ^ (pos * np.uint64(0xBF58476D1CE4E5B9))
            # reduceat over the non-empty rows only: each sums exactly its own entries
            row_h[nonempty] = np.add.reduceat(h, starts[nonempty])
        hashes.append(row_h)
    return hashes[0], hashes[1]


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


def _check_identical(pairs: Pairs, class_of: np.ndarray, representative: np.ndarray, with_distance: bool) -> None:
    """Every member's row equals its representative's row, entry by entry (no hash trust)."""
    rows = pairs.row_ids()
    offset = np.arange(pairs.nnz) - pairs.indptr[rows]
    rep_k = pairs.indptr[representative[class_of[rows]]] + offset
    same = pairs.indices[rep_k] == pairs.indices
    if with_distance:
        same &= pairs.distance[rep_k] == pairs.distance
    if not np.all(same):  # a 128-bit hash collision: astronomically unlikely, still handled
        raise RuntimeError("demand aggregation found a hash collision; please report this instance")
