"""Euclidean demand x candidate pairs: a binned numba kernel and a brute-force numpy reference.

Both use the boundary convention of :mod:`siting.precompute.pairs` (``d <= R`` covers, distance
``sqrt(dx*dx + dy*dy)`` in float64, ``dx = candidate - demand``) and return bit-identical output.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from .pairs import Pairs, covered, covered_nb, pair_distance, pair_distance_nb

__all__ = ["coverage_pairs", "coverage_pairs_reference", "euclidean_pairs"]

# Coordinates beyond this would overflow dx*dx; far beyond any projected CRS anyway.
MAX_ABS_COORD = 1e150
# Cells are a little wider than R, so float rounding in the cell index can never push a
# covered candidate two cells away (the error of a cell index is ~eps * number of cells).
_CELL_MARGIN = 1e-6
_REFERENCE_CHUNK = 2048


# --------------------------------------------------------------------------- validation
def _check_points(xy, name: str) -> np.ndarray:
    arr = np.asarray(xy)
    if arr.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2), got {arr.shape}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    if arr.size and np.abs(arr).max() > MAX_ABS_COORD:
        raise ValueError(f"{name} coordinates must lie within +-{MAX_ABS_COORD:g}")
    return arr


def _check_radius(radius) -> float:
    if isinstance(radius, bool) or not isinstance(radius, int | float | np.integer | np.floating):
        raise ValueError(f"radius must be a number, got {radius!r}")
    r = float(radius)
    if not (math.isfinite(r) and r > 0):
        raise ValueError(f"radius must be finite and > 0, got {radius!r}")
    return r


# --------------------------------------------------------------------------- grid
def _grid(candidates: np.ndarray, radius: float) -> tuple[float, float, float, int, int]:
    """Origin, cell side (>= R) and shape of a candidate grid with at most ~4*J cells."""
    minx, miny = candidates.min(axis=0)
    span_x = float(candidates[:, 0].max() - minx)
    span_y = float(candidates[:, 1].max() - miny)
    max_cells = 4 * candidates.shape[0] + 64

    def n_cells(cell: float) -> tuple[float, float]:
        return math.floor(span_x / cell) + 1.0, math.floor(span_y / cell) + 1.0

    cell = radius * (1.0 + _CELL_MARGIN)
    nx, ny = n_cells(cell)
    if nx * ny > max_cells:
        # Spread-out candidates: coarser cells, still >= R, so the 3x3 scan stays exact.
        side = math.isqrt(max_cells) - 1
        cell = max(cell, max(span_x, span_y) / side * (1.0 + _CELL_MARGIN))
        nx, ny = n_cells(cell)
        while nx * ny > max_cells:  # only for rounding corner cases
            cell *= 1.5
            nx, ny = n_cells(cell)
    return float(minx), float(miny), cell, int(nx), int(ny)


@njit(cache=True)
def _bin_candidates(cxy, minx, miny, cell, nx, ny):
    """Counting sort of candidates by cell (row-major id = iy*nx + ix), stable in j.

    Returns cell_start (ncells+1), cell_items (candidate j per slot, ascending within a cell)
    and the slot-ordered coordinates, so the scan reads candidates contiguously.
    """
    n = cxy.size // 2
    cell_of = np.empty(n, dtype=np.int64)
    cell_start = np.zeros(nx * ny + 1, dtype=np.int64)
    for j in range(n):
        ix = min(max(int(math.floor((cxy[2 * j] - minx) / cell)), 0), nx - 1)
        iy = min(max(int(math.floor((cxy[2 * j + 1] - miny) / cell)), 0), ny - 1)
        c = iy * nx + ix
        cell_of[j] = c
        cell_start[c + 1] += 1
    for c in range(nx * ny):
        cell_start[c + 1] += cell_start[c]
    fill = cell_start[:-1].copy()
    cell_items = np.empty(n, dtype=np.int64)
    slot_xy = np.empty(2 * n, dtype=np.float64)
    for j in range(n):
        k = fill[cell_of[j]]
        fill[cell_of[j]] += 1
        cell_items[k] = j
        slot_xy[2 * k] = cxy[2 * j]
        slot_xy[2 * k + 1] = cxy[2 * j + 1]
    return cell_start, cell_items, slot_xy


@njit(cache=True)
def _cell_window(u, n):
    """Clipped range [lo, hi] of the cells u-1..u+1 (empty when lo > hi)."""
    if u < -2.0 or u > n + 1.0:  # far outside: also keeps int() from overflowing
        return 1, 0
    k = int(math.floor(u))
    return max(k - 1, 0), min(k + 1, n - 1)


@njit(parallel=True, cache=True)
def _count_rows(dxy, slot_xy, cell_start, minx, miny, cell, nx, ny, radius):
    n = dxy.size // 2
    counts = np.zeros(n, dtype=np.int64)
    for i in prange(n):
        px = dxy[2 * i]
        py = dxy[2 * i + 1]
        x0, x1 = _cell_window((px - minx) / cell, nx)
        y0, y1 = _cell_window((py - miny) / cell, ny)
        if x0 > x1 or y0 > y1:
            continue
        m = 0
        for iy in range(y0, y1 + 1):
            # Cells iy*nx + x0 .. iy*nx + x1 are adjacent in the counting-sorted slots.
            for k in range(cell_start[iy * nx + x0], cell_start[iy * nx + x1 + 1]):
                d = pair_distance_nb(slot_xy[2 * k] - px, slot_xy[2 * k + 1] - py)
                if covered_nb(d, radius):
                    m += 1
        counts[i] = m
    return counts


@njit(parallel=True, cache=True)
def _fill_rows(
    dxy, cxy, slot_xy, cell_start, cell_items, minx, miny, cell, nx, ny, radius, indptr
):
    n = dxy.size // 2
    nnz = indptr[n]
    indices = np.empty(nnz, dtype=np.int64)
    distance = np.empty(nnz, dtype=np.float64)
    for i in prange(n):
        a = indptr[i]
        b = indptr[i + 1]
        if a == b:
            continue
        px = dxy[2 * i]
        py = dxy[2 * i + 1]
        x0, x1 = _cell_window((px - minx) / cell, nx)
        y0, y1 = _cell_window((py - miny) / cell, ny)
        pos = a
        for iy in range(y0, y1 + 1):
            for k in range(cell_start[iy * nx + x0], cell_start[iy * nx + x1 + 1]):
                d = pair_distance_nb(slot_xy[2 * k] - px, slot_xy[2 * k + 1] - py)
                if covered_nb(d, radius):
                    indices[pos] = cell_items[k]
                    pos += 1
        # Sort the row, then recompute distances in the new order: cheaper than an argsort,
        # and the recomputation is bit-identical (same expression, same operands).
        indices[a:b].sort()
        for p in range(a, b):
            j = indices[p]
            distance[p] = pair_distance_nb(cxy[2 * j] - px, cxy[2 * j + 1] - py)
    return indices, distance


# --------------------------------------------------------------------------- public API
def coverage_pairs(demand_xy, candidate_xy, radius: float) -> Pairs:
    """All pairs with ``d_ij <= radius``, via spatial binning (numba, parallel).

    ``demand_xy`` (I, 2) and ``candidate_xy`` (J, 2) are planar coordinates (finite, within
    +-1e150); ``radius`` is finite and > 0.  Memory is O(I + J + nnz); no I x J matrix is built.
    """
    dem = _check_points(demand_xy, "demand_xy")
    cand = _check_points(candidate_xy, "candidate_xy")
    r = _check_radius(radius)
    n_dem, n_cand = dem.shape[0], cand.shape[0]
    if n_dem == 0 or n_cand == 0:
        return Pairs.empty(n_dem, n_cand)
    minx, miny, cell, nx, ny = _grid(cand, r)
    dflat, cflat = dem.ravel(), cand.ravel()
    cell_start, cell_items, slot_xy = _bin_candidates(cflat, minx, miny, cell, nx, ny)
    counts = _count_rows(dflat, slot_xy, cell_start, minx, miny, cell, nx, ny, r)
    indptr = np.zeros(n_dem + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices, distance = _fill_rows(
        dflat, cflat, slot_xy, cell_start, cell_items, minx, miny, cell, nx, ny, r, indptr
    )
    return Pairs(indptr, indices, distance, n_cand)


def _chunk_distances(dem: np.ndarray, cand: np.ndarray) -> np.ndarray:
    """Dense (rows, J) distances of a demand chunk; same expression as the kernel."""
    dx = cand[None, :, 0] - dem[:, None, 0]
    dy = cand[None, :, 1] - dem[:, None, 1]
    return pair_distance(dx, dy)


def coverage_pairs_reference(demand_xy, candidate_xy, radius: float) -> Pairs:
    """Brute-force numpy version of :func:`coverage_pairs` (chunks of 2048 demand rows)."""
    dem = _check_points(demand_xy, "demand_xy")
    cand = _check_points(candidate_xy, "candidate_xy")
    r = _check_radius(radius)
    n_dem, n_cand = dem.shape[0], cand.shape[0]
    counts = np.zeros(n_dem, dtype=np.int64)
    cols, dists = [np.zeros(0, np.int64)], [np.zeros(0, np.float64)]
    for start in range(0, n_dem if n_cand else 0, _REFERENCE_CHUNK):
        d = _chunk_distances(dem[start : start + _REFERENCE_CHUNK], cand)
        hit = covered(d, r)
        rows, c = np.nonzero(hit)  # row-major, so columns come out ascending per row
        counts[start : start + d.shape[0]] = hit.sum(axis=1)
        cols.append(c.astype(np.int64))
        dists.append(d[rows, c])
    indptr = np.zeros(n_dem + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    return Pairs(indptr, np.concatenate(cols), np.concatenate(dists), n_cand)


def euclidean_pairs(demand_xy, candidate_xy, radius: float | None = None) -> Pairs:
    """Pairs within ``radius``; with ``radius=None`` every I x J pair (e.g. p-median).

    The complete version stores I*J pairs, so it is meant for instances where that fits.
    """
    if radius is not None:
        return coverage_pairs(demand_xy, candidate_xy, radius)
    dem = _check_points(demand_xy, "demand_xy")
    cand = _check_points(candidate_xy, "candidate_xy")
    n_dem, n_cand = dem.shape[0], cand.shape[0]
    indptr = np.arange(n_dem + 1, dtype=np.int64) * n_cand
    indices = np.tile(np.arange(n_cand, dtype=np.int64), n_dem)
    distance = np.empty(n_dem * n_cand, dtype=np.float64)
    for start in range(0, n_dem, _REFERENCE_CHUNK):
        d = _chunk_distances(dem[start : start + _REFERENCE_CHUNK], cand)
        distance[start * n_cand : (start + d.shape[0]) * n_cand] = d.ravel()
    return Pairs(indptr, indices, distance, n_cand)
