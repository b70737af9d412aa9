"""Sparse demand x candidate pairs and the one boundary convention every kernel shares.

Boundary convention (defined here, nowhere else):

* the distance of a pair is ``d = sqrt(dx*dx + dy*dy)`` evaluated in float64, in exactly this
  order of operations.  ``sqrt`` is correctly rounded by IEEE 754 and neither numpy nor numba
  (compiled without ``fastmath``, so no FMA contraction) reorders the expression, so the numpy
  reference and the numba kernels produce bit-identical distances;
* a pair is *covered* by radius ``R`` when ``d <= R`` (closed disk): a candidate exactly at
  distance ``R`` covers the demand point.

Use :func:`pair_distance` / :func:`covered` from Python and :data:`pair_distance_nb` /
:data:`covered_nb` (the same functions compiled by numba) from kernels.

Caveat when editing: numba's on-disk cache (``cache=True``) of a kernel in another module only
checks that module's own source file, so after changing either helper delete
``src/siting/precompute/__pycache__/*.nb[ic]``.  The kernel-vs-reference tests catch a stale
cache (they fail), but they cannot refresh it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import scipy.sparse
from numba import njit

__all__ = [
    "COVERAGE_RULE",
    "Pairs",
    "covered",
    "covered_nb",
    "pair_distance",
    "pair_distance_nb",
]

COVERAGE_RULE = "d_ij <= R"  # closed disk; see module docstring


def pair_distance(dx, dy):
    """Euclidean length of ``(dx, dy)``; works on scalars and numpy arrays alike."""
    return np.sqrt(dx * dx + dy * dy)


def covered(d, radius):
    """True where distance ``d`` is within ``radius`` (``d <= radius``, boundary included)."""
    return d <= radius


# Compiled twins of the two helpers above, so kernels cannot drift from the numpy code.
pair_distance_nb = njit(cache=True)(pair_distance)
covered_nb = njit(cache=True)(covered)


def _as_index_array(a, name: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.dtype.kind not in "iu":
        raise ValueError(f"{name} must hold integers, got dtype {arr.dtype}")
    return arr.astype(np.int64, copy=False)


def _as_distance_array(a, name: str) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite")
    if np.any(arr < 0):
        raise ValueError(f"{name} must be >= 0")
    return arr


def _indptr_from_counts(counts: np.ndarray) -> np.ndarray:
    indptr = np.zeros(counts.size + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return indptr


@njit(cache=True)
def _gather_rows(indptr, indices, distance, order, out_ptr):
    """The rows `order` of a CSR pattern, one copy per row (numpy's fancy indexing builds a source
    index per pair: 6.9 s for 68 M pairs, this 0.5-2.8 s on the 2-core VM, bound by memory)."""
    out_indices = np.empty(out_ptr[-1], np.int64)
    out_distance = np.empty(out_ptr[-1], np.float64)
    for k in range(len(order)):
        lo, n, at = indptr[order[k]], out_ptr[k + 1] - out_ptr[k], out_ptr[k]
        out_indices[at:at + n] = indices[lo:lo + n]
        out_distance[at:at + n] = distance[lo:lo + n]
    return out_indices, out_distance


@njit(cache=True)
def _keep_columns(indptr, indices, distance, new_index):
    """The pairs whose column has new_index >= 0, renumbered: a counting pass, then one exact-size
    fill (memory, not arithmetic, is what costs at 10^8 pairs)."""
    out_ptr = np.zeros(len(indptr), np.int64)
    for i in range(len(indptr) - 1):
        kept = 0
        for t in range(indptr[i], indptr[i + 1]):
            if new_index[indices[t]] >= 0:
                kept += 1
        out_ptr[i + 1] = out_ptr[i] + kept
    out_indices = np.empty(out_ptr[-1], np.int64)
    out_distance = np.empty(out_ptr[-1], np.float64)
    at = 0
    for t in range(len(indices)):
        j = new_index[indices[t]]
        if j >= 0:
            out_indices[at] = j
            out_distance[at] = distance[t]
            at += 1
    return out_ptr, out_indices, out_distance


@njit(cache=True)
def _transpose(indptr, indices, n_candidates):
    """(ptr, rows) of the candidate-major pattern by a counting sort; rows ascending per candidate."""
    ptr = np.zeros(n_candidates + 1, np.int64)
    for t in range(len(indices)):
        ptr[indices[t] + 1] += 1
    for j in range(n_candidates):
        ptr[j + 1] += ptr[j]
    fill = ptr[:-1].copy()
    rows = np.empty(len(indices), np.int64)
    for i in range(len(indptr) - 1):
        for t in range(indptr[i], indptr[i + 1]):
            j = indices[t]
            rows[fill[j]] = i
            fill[j] += 1
    return ptr, rows


@dataclass(frozen=True, eq=False)
class Pairs:
    """Sparse demand x candidate pairs in CSR form.

    For demand ``i`` the candidates are ``indices[indptr[i]:indptr[i+1]]`` (ascending, unique)
    with distances ``distance[indptr[i]:indptr[i+1]]``.  A zero distance is a real pair (demand
    point on top of a candidate), never "absent".

    ``eq=False``: numpy arrays do not compare as booleans; use :meth:`equals`.
    """

    indptr: np.ndarray  # int64, shape (I+1,)
    indices: np.ndarray  # int64, shape (nnz,)
    distance: np.ndarray  # float64, shape (nnz,)
    n_candidates: int

    def __post_init__(self) -> None:
        # Cheap O(I) structural checks only: nnz can be ~1e8, call validate() for the full ones.
        if self.indptr.dtype != np.int64 or self.indices.dtype != np.int64:
            raise ValueError("indptr and indices must be int64")
        if self.distance.dtype != np.float64:
            raise ValueError("distance must be float64")
        if self.indptr.ndim != 1 or self.indptr.size < 1 or self.indptr[0] != 0:
            raise ValueError("indptr must be one-dimensional and start at 0")
        if self.indices.shape != self.distance.shape or self.indices.ndim != 1:
            raise ValueError("indices and distance must be one-dimensional with equal length")
        if self.indptr[-1] != self.indices.size or np.any(np.diff(self.indptr) < 0):
            raise ValueError("indptr must be non-decreasing and end at nnz")
        if self.n_candidates < 0:
            raise ValueError("n_candidates must be >= 0")

    # ----------------------------------------------------------------- shape
    @property
    def n_demand(self) -> int:
        return int(self.indptr.size - 1)

    @property
    def nnz(self) -> int:
        return int(self.indices.size)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.n_demand, self.n_candidates)

    # ----------------------------------------------------------------- access
    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Candidate indices and distances of demand ``i`` (views, do not modify)."""
        if not 0 <= i < self.n_demand:
            raise IndexError(f"demand index {i} out of range [0, {self.n_demand})")
        a, b = self.indptr[i], self.indptr[i + 1]
        return self.indices[a:b], self.distance[a:b]

    def row_ids(self) -> np.ndarray:
        """Demand index of every stored pair (the COO row array), int64 of length nnz."""
        return np.repeat(np.arange(self.n_demand, dtype=np.int64), np.diff(self.indptr))

    def row_counts(self) -> np.ndarray:
        """Number of candidates per demand point."""
        return np.diff(self.indptr)

    @cached_property
    def by_candidate(self) -> tuple[np.ndarray, np.ndarray]:
        """The transpose, computed once per object: candidate j reaches the demands
        ``rows[ptr[j]:ptr[j+1]]`` (ascending). The greedy start and every swap search of a solve
        (one per branch-and-cut node) share it."""
        return _transpose(self.indptr, self.indices, self.n_candidates)

    def candidate_degree(self) -> np.ndarray:
        """Number of demand points per candidate."""
        return np.bincount(self.indices, minlength=self.n_candidates).astype(np.int64)

    # ----------------------------------------------------------------- conversion
    def to_scipy(self) -> scipy.sparse.csr_array:
        """Distances as a ``scipy.sparse.csr_array`` of shape ``(n_demand, n_candidates)``.

        The sparsity structure is the pair set: explicit zero entries (distance 0) are kept as
        stored entries.  Scipy operations such as ``eliminate_zeros()`` or arithmetic may drop
        them, so use ``.indices``/``.indptr`` (structure), not ``!= 0``, to test for a pair.
        """
        # Copies, so the csr_array never aliases (and cannot mutate) this frozen object.
        # "+ 0.0" also normalises a stray -0.0 to +0.0.
        return scipy.sparse.csr_array(
            (self.distance + 0.0, self.indices.copy(), self.indptr.copy()),
            shape=self.shape,
        )

    def to_coo(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(rows, cols, distance)`` arrays in row-major order."""
        return self.row_ids(), self.indices.copy(), self.distance.copy()

    # ----------------------------------------------------------------- construction
    @classmethod
    def empty(cls, n_demand: int, n_candidates: int) -> Pairs:
        return cls(
            np.zeros(n_demand + 1, dtype=np.int64),
            np.zeros(0, dtype=np.int64),
            np.zeros(0, dtype=np.float64),
            int(n_candidates),
        )

    @classmethod
    def from_coo(cls, rows, cols, dist, n_demand: int, n_candidates: int) -> Pairs:
        """Build from unordered triples; duplicates ``(i, j)`` keep the smallest distance.

        Distances must be finite and >= 0.  Output rows are sorted by candidate index.
        """
        if n_demand < 0 or n_candidates < 0:
            raise ValueError("n_demand and n_candidates must be >= 0")
        rows = _as_index_array(rows, "rows")
        cols = _as_index_array(cols, "cols")
        dist = _as_distance_array(dist, "dist")
        if not rows.size == cols.size == dist.size:
            raise ValueError("rows, cols and dist must have equal length")
        if rows.size and (rows.min() < 0 or rows.max() >= n_demand):
            raise ValueError(f"rows must lie in [0, {n_demand})")
        if cols.size and (cols.min() < 0 or cols.max() >= n_candidates):
            raise ValueError(f"cols must lie in [0, {n_candidates})")
        # Sort by (row, col, dist): lexsort's last key is primary, and it is stable.
        order = np.lexsort((dist, cols, rows))
        rows, cols, dist = rows[order], cols[order], dist[order]
        # The first of each run of equal (row, col) carries the minimum distance.
        first = np.ones(rows.size, dtype=bool)
        first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
        rows, cols, dist = rows[first], cols[first], dist[first]
        counts = np.bincount(rows, minlength=n_demand).astype(np.int64)
        return cls(_indptr_from_counts(counts), cols, dist + 0.0, int(n_candidates))

    # ----------------------------------------------------------------- transforms
    def within(self, radius: float) -> Pairs:
        """Pairs with ``distance <= radius`` (the module's boundary convention)."""
        radius = float(radius)
        if np.isnan(radius):
            raise ValueError("radius must not be NaN")
        keep = covered(self.distance, radius)
        counts = np.bincount(self.row_ids()[keep], minlength=self.n_demand).astype(np.int64)
        return Pairs(
            _indptr_from_counts(counts),
            self.indices[keep],
            self.distance[keep],
            self.n_candidates,
        )

    def take_rows(self, order) -> Pairs:
        """New Pairs whose row ``k`` is this object's row ``order[k]`` (repeats allowed)."""
        order = _as_index_array(order, "order")
        if order.size and (order.min() < 0 or order.max() >= self.n_demand):
            raise ValueError(f"order must lie in [0, {self.n_demand})")
        indptr = _indptr_from_counts(np.diff(self.indptr)[order])
        indices, distance = _gather_rows(self.indptr, self.indices, self.distance, order, indptr)
        return Pairs(indptr, indices, distance, self.n_candidates)

    def take_columns(self, kept) -> Pairs:
        """New Pairs over the candidates ``kept`` (ascending), renumbered 0..len(kept)-1."""
        kept = _as_index_array(kept, "kept")
        if kept.size and (np.any(np.diff(kept) <= 0) or kept[0] < 0 or kept[-1] >= self.n_candidates):
            raise ValueError(f"kept must be ascending and lie in [0, {self.n_candidates})")
        new_index = np.full(self.n_candidates, -1, dtype=np.int64)
        new_index[kept] = np.arange(kept.size)
        indptr, indices, distance = _keep_columns(self.indptr, self.indices, self.distance, new_index)
        return Pairs(indptr, indices, distance, int(kept.size))

    # ----------------------------------------------------------------- checks
    def validate(self) -> None:
        """Full O(nnz) check: indices in range, strictly ascending per row, distances >= 0."""
        if self.nnz == 0:
            return
        if self.indices.min() < 0 or self.indices.max() >= self.n_candidates:
            raise ValueError("candidate index out of range")
        if not np.all(np.isfinite(self.distance)) or np.any(self.distance < 0):
            raise ValueError("distances must be finite and >= 0")
        same_row = np.diff(self.row_ids()) == 0
        if np.any(np.diff(self.indices)[same_row] <= 0):
            raise ValueError("indices must be strictly ascending within each row")

    def equals(self, other: Pairs) -> bool:
        """Exact (bitwise for distances) equality of structure and values."""
        return (
            self.n_candidates == other.n_candidates
            and np.array_equal(self.indptr, other.indptr)
            and np.array_equal(self.indices, other.indices)
            and self.distance.tobytes() == other.distance.tobytes()
        )
