"""Euclidean demand x candidate pairs: a binned numba kernel and a brute-force numpy reference.

Both use the boundary convention of :mod:`siting.precompute.pairs` (``d <= R`` covers, distance
``sqrt(dx*dx + dy*dy)`` in float64, ``dx = candidate - demand``) and return bit-identical output.

The kernel bins candidates on a grid of cells R/4 wide and groups demand points by cell.  All
points of one cell share one candidate list (the cells of a disc-shaped stencil, sorted by j
once), so each row comes out ascending without a per-row sort.  A count pass sizes the rows,
a fill pass writes them straight into place; membership is a compare of dx*dx + dy*dy against
a squared threshold that is exactly equivalent to ``sqrt(...) <= R``.

Outputs of 16 MB and more (on Linux with MADV_POPULATE_WRITE) are filled in phases: slices of
rows, each a contiguous slice of the output.  A helper thread faults in the pages of the next
phase while the kernel fills this one, so page faults, the largest single cost on the
benchmark VM, overlap the fill when a core is free.  The phases read per-cell candidate lists
built once (the same lists, in the same order, as the per-chunk gather of the other path).
"""

from __future__ import annotations

import ctypes
import math
import mmap
import sys
import threading

import numpy as np
from numba import get_num_threads, njit, parallel_chunksize, prange

from .pairs import Pairs, covered, pair_distance, pair_distance_nb

__all__ = ["coverage_pairs", "coverage_pairs_reference", "euclidean_pairs"]

# Coordinates beyond this would overflow dx*dx; far beyond any projected CRS anyway.
MAX_ABS_COORD = 1e150
# Cells of R/4: the stencil scans 1.5x the disc area (3x3 cells of R: 2.9x).  R/8 (1.3x) was
# no faster at 1M x 5k and slower at 100k x 5k: more cells, so more candidate lists to build.
_SUBDIVISIONS = 4
# Cells are a little wider than R/k, so k cells reach past R plus the stencil slack.
_CELL_MARGIN = 1e-5
# Slack on the stencil gap test: cell-index rounding moves a point by ~1e-8 cells at most.
_STENCIL_SLACK = 1e-6
# Smaller outputs come from malloc's pool; no point in a mapping of their own.
_POPULATE_MIN_BYTES = 1 << 24
# Demand chunks per thread: dynamic scheduling evens out clustered inputs.
_CHUNKS_PER_THREAD = 16
# Large outputs are filled in this many phases (slices of rows of about equal nnz); a helper
# thread faults in the pages of phase k+1 while the kernel fills phase k.  Each extra phase
# re-reads the per-cell candidate lists (~0.01 s CPU at 1M x 5k); 8 hides all but 1/8 of
# the page-fault time.
_PHASES = 8
# The phased fill reads candidate lists built once per demand cell (sorted j, x, y: 24 bytes
# per entry).  They are built only while they stay below this share of the CSR output.
_LISTS_MAX_SHARE = 1 / 8
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
    """Origin, cell side and shape of a candidate grid with at most ~4*J cells.

    Cells are R/k wide (times 1 + _CELL_MARGIN) for the largest k = _SUBDIVISIONS, .../2, ..., 1
    that fits (fine cells: the stencil follows the disc closely), else coarser cells > R.
    """
    minx, miny = candidates.min(axis=0)
    span_x = float(candidates[:, 0].max() - minx)
    span_y = float(candidates[:, 1].max() - miny)
    max_cells = 4 * candidates.shape[0] + 64

    def n_cells(cell: float) -> tuple[float, float]:
        return math.floor(span_x / cell) + 1.0, math.floor(span_y / cell) + 1.0

    k = _SUBDIVISIONS
    while k >= 1:
        cell = radius / k * (1.0 + _CELL_MARGIN)
        nx, ny = n_cells(cell)
        if nx * ny <= max_cells:
            return float(minx), float(miny), cell, int(nx), int(ny)
        k //= 2
    # Spread-out candidates: coarser cells, still > R, so the stencil is the 3x3 block.
    side = math.isqrt(max_cells) - 1
    cell = max(cell, max(span_x, span_y) / side * (1.0 + _CELL_MARGIN))
    nx, ny = n_cells(cell)
    while nx * ny > max_cells:  # only for rounding corner cases
        cell *= 1.5
        nx, ny = n_cells(cell)
    return float(minx), float(miny), cell, int(nx), int(ny)


def _stencil(cell: float, radius: float) -> tuple[int, np.ndarray]:
    """Reach m and, per cell-row offset dy in -m..m, the half width of the cell offsets dx
    whose cell can hold a candidate within R of a point in the centre cell.

    The gap between the cell rectangles is compared with R plus a slack of 1e-6 (R + cell):
    a computed cell index is off by one only within ~1e-8 cells of a cell border, so the
    slack keeps every covered candidate inside the stencil (see _cell_index).
    """
    tol = radius + _STENCIL_SLACK * (radius + cell)
    m = 1
    while m * cell <= tol:  # offset m+1 has gap m*cell > tol: never reachable
        m += 1
    half = np.zeros(2 * m + 1, dtype=np.int64)
    for dy in range(-m, m + 1):
        gy = max(abs(dy) - 1, 0) * cell
        w = 0
        while w + 1 <= m and gy * gy + (w * cell) ** 2 <= tol * tol:  # gap of dx = w+1
            w += 1
        half[dy + m] = w
    return m, half


def _squared_threshold(radius: float) -> float:
    """Largest float64 s with covered(sqrt(s), R): for s = dx*dx + dy*dy, ``s <= t`` is then
    exactly ``covered(pair_distance(dx, dy), R)``, since a correctly rounded sqrt is monotone.
    Lets the kernels decide membership without a sqrt."""
    t = radius * radius
    while t > 0.0 and not covered(math.sqrt(t), radius):
        t = math.nextafter(t, 0.0)
    while covered(math.sqrt(math.nextafter(t, math.inf)), radius):
        t = math.nextafter(t, math.inf)
    return t


@njit(cache=True)
def _cell_index(v, origin, cell, lo, hi):
    """floor((v - origin) / cell), or lo - 1 when it falls outside [lo, hi].

    The float test comes first so int() cannot overflow for far-away points.
    """
    u = (v - origin) / cell
    if u < lo or u >= hi + 1:
        return lo - 1
    return int(math.floor(u))


@njit(cache=True)
def _bin_candidates(cxy, minx, miny, cell, nx, ny):
    """Counting sort of candidates by cell (row-major id = iy*nx + ix), stable in j.

    Returns cell_start (ncells+1) and slot_j (candidate j per slot, ascending within a cell).
    """
    n = cxy.size // 2
    cell_of = np.empty(n, dtype=np.int64)
    cell_start = np.zeros(nx * ny + 1, dtype=np.int64)
    for j in range(n):
        # Candidates lie inside the grid's box; the clamp only guards rounding.
        ix = min(max(_cell_index(cxy[2 * j], minx, cell, 0, nx - 1), 0), nx - 1)
        iy = min(max(_cell_index(cxy[2 * j + 1], miny, cell, 0, ny - 1), 0), ny - 1)
        cell_of[j] = iy * nx + ix
        cell_start[cell_of[j] + 1] += 1
    for c in range(nx * ny):
        cell_start[c + 1] += cell_start[c]
    fill = cell_start[:-1].copy()
    slot_j = np.empty(n, dtype=np.int64)
    for j in range(n):
        slot_j[fill[cell_of[j]]] = j
        fill[cell_of[j]] += 1
    return cell_start, slot_j


@njit(cache=True)
def _sort_demand(dxy, minx, miny, cell, nx, ny, m):
    """Demand points grouped by cell of the grid widened by m cells on every side.

    Returns order (demand indices, ascending within a cell), each one's widened cell id
    (iy+m) * (nx+2m) + (ix+m) and their coordinates in that order (read sequentially later).
    Points outside the widened grid reach no candidate and are left out.
    """
    n = dxy.size // 2
    wx = nx + 2 * m
    ncell = wx * (ny + 2 * m)
    cell_of = np.full(n, -1, dtype=np.int64)
    start = np.zeros(ncell + 1, dtype=np.int64)
    for i in range(n):
        ix = _cell_index(dxy[2 * i], minx, cell, -m, nx - 1 + m)
        iy = _cell_index(dxy[2 * i + 1], miny, cell, -m, ny - 1 + m)
        if ix >= -m and iy >= -m:
            cell_of[i] = (iy + m) * wx + ix + m
            start[cell_of[i] + 1] += 1
    for c in range(ncell):
        start[c + 1] += start[c]
    n_in = start[ncell]
    order = np.empty(n_in, dtype=np.int64)
    order_cell = np.empty(n_in, dtype=np.int64)
    sorted_xy = np.empty(2 * n_in, dtype=np.float64)
    for i in range(n):
        c = cell_of[i]
        if c >= 0:
            p = start[c]
            start[c] += 1
            order[p] = i
            order_cell[p] = c
            sorted_xy[2 * p] = dxy[2 * i]
            sorted_xy[2 * p + 1] = dxy[2 * i + 1]
    return order, order_cell, sorted_xy


@njit(cache=True)
def _gather(wcell, cxy, cell_start, slot_j, nx, ny, m, half, js, xs, ys):
    """Candidates of the stencil around widened cell `wcell`, ascending in j, into js/xs/ys.

    Sorting once per cell (not per demand row) is what keeps every output row ascending.
    Returns their number.
    """
    wx = nx + 2 * m
    cx = wcell % wx - m
    cy = wcell // wx - m
    n = 0
    for dy in range(-m, m + 1):
        iy = cy + dy
        if iy < 0 or iy >= ny:
            continue
        x0 = max(cx - half[dy + m], 0)
        x1 = min(cx + half[dy + m], nx - 1)
        if x0 > x1:
            continue
        # Cells iy*nx + x0 .. iy*nx + x1 are adjacent in the counting-sorted slots.
        for k in range(cell_start[iy * nx + x0], cell_start[iy * nx + x1 + 1]):
            js[n] = slot_j[k]
            n += 1
    js[:n].sort()
    for k in range(n):
        xs[k] = cxy[2 * js[k]]
        ys[k] = cxy[2 * js[k] + 1]
    return n


@njit(parallel=True, cache=True)
def _count_rows(sorted_xy, order, order_cell, chunks, cxy, cell_start, slot_j, nx, ny, m, half,
                t, counts):
    """counts[order[p]] = number of candidates covering sorted demand point p."""
    n_cand = cxy.size // 2
    for c in prange(chunks.size - 1):
        js = np.empty(n_cand, dtype=np.int64)
        xs = np.empty(n_cand, dtype=np.float64)
        ys = np.empty(n_cand, dtype=np.float64)
        current, n = -1, 0
        for p in range(chunks[c], chunks[c + 1]):
            if order_cell[p] != current:
                current = order_cell[p]
                n = _gather(current, cxy, cell_start, slot_j, nx, ny, m, half, js, xs, ys)
            px = sorted_xy[2 * p]
            py = sorted_xy[2 * p + 1]
            hits = 0
            for k in range(n):  # branch-free, so it vectorises
                dx = xs[k] - px
                dy = ys[k] - py
                hits += 1 if dx * dx + dy * dy <= t else 0
            counts[order[p]] = hits
    return counts


@njit(parallel=True, cache=True)
def _fill_rows(sorted_xy, row_start, order_cell, chunks, cxy, cell_start, slot_j, nx, ny, m,
               half, t, indices, distance):
    """Write the row of sorted demand point p from row_start[p] on, candidates ascending."""
    n_cand = cxy.size // 2
    for c in prange(chunks.size - 1):
        js = np.empty(n_cand, dtype=np.int64)
        xs = np.empty(n_cand, dtype=np.float64)
        ys = np.empty(n_cand, dtype=np.float64)
        current, n = -1, 0
        for p in range(chunks[c], chunks[c + 1]):
            if order_cell[p] != current:
                current = order_cell[p]
                n = _gather(current, cxy, cell_start, slot_j, nx, ny, m, half, js, xs, ys)
            px = sorted_xy[2 * p]
            py = sorted_xy[2 * p + 1]
            pos = row_start[p]
            for k in range(n):
                dx = xs[k] - px
                dy = ys[k] - py
                if dx * dx + dy * dy <= t:  # sqrt only for kept pairs
                    indices[pos] = js[k]
                    distance[pos] = pair_distance_nb(dx, dy)
                    pos += 1
    return indices, distance


@njit(cache=True)
def _cell_list_sizes(order_cell, cell_start, nx, ny, m, half, ncell_w):
    """Candidate lists for the demand cells: list_of (widened cell -> list id or -1), the
    cell of each list and list_start, from the stencil cell ranges (no candidate is read)."""
    list_of = np.full(ncell_w, -1, dtype=np.int64)
    n_lists = 0
    for p in range(order_cell.size):
        if list_of[order_cell[p]] < 0:
            list_of[order_cell[p]] = n_lists
            n_lists += 1
    list_cell = np.empty(n_lists, dtype=np.int64)
    for c in range(ncell_w):
        if list_of[c] >= 0:
            list_cell[list_of[c]] = c
    wx = nx + 2 * m
    list_start = np.zeros(n_lists + 1, dtype=np.int64)
    for q in range(n_lists):
        cx = list_cell[q] % wx - m
        cy = list_cell[q] // wx - m
        n = 0
        for dy in range(-m, m + 1):  # the same cell ranges as _gather
            iy = cy + dy
            if iy < 0 or iy >= ny:
                continue
            x0 = max(cx - half[dy + m], 0)
            x1 = min(cx + half[dy + m], nx - 1)
            if x0 <= x1:
                n += cell_start[iy * nx + x1 + 1] - cell_start[iy * nx + x0]
        list_start[q + 1] = list_start[q] + n
    return list_of, list_cell, list_start


@njit(parallel=True, nogil=True, cache=True)
def _fill_cell_lists(list_cell, list_start, cxy, cell_start, slot_j, nx, ny, m, half,
                     lj, lx, ly):
    """List q = the _gather output of cell list_cell[q], at list_start[q] in lj/lx/ly."""
    for q in prange(list_cell.size):
        a = list_start[q]
        _gather(list_cell[q], cxy, cell_start, slot_j, nx, ny, m, half, lj[a:], lx[a:], ly[a:])
    return lj


@njit(cache=True)
def _phase_positions(order, row_phase, n_phases):
    """Sorted demand positions grouped by the phase of their row, in sorted order within a
    phase (so a phase still walks cell by cell).  Returns positions and phase starts."""
    start = np.zeros(n_phases + 1, dtype=np.int64)
    for p in range(order.size):
        start[row_phase[order[p]] + 1] += 1
    for k in range(n_phases):
        start[k + 1] += start[k]
    fill = start[:-1].copy()
    pos = np.empty(order.size, dtype=np.int64)
    for p in range(order.size):
        k = row_phase[order[p]]
        pos[fill[k]] = p
        fill[k] += 1
    return pos, start


@njit(parallel=True, nogil=True, cache=True)
def _fill_phase(positions, lo, hi, n_chunks, sorted_xy, row_start, order_cell, list_of,
                list_start, lj, lx, ly, t, indices, distance):
    """_fill_rows for the sorted positions positions[lo:hi], reading prebuilt cell lists.

    Same candidates in the same order and the same expressions, so the same output."""
    span = hi - lo
    for c in prange(n_chunks):
        current, n = -1, 0
        js, xs, ys = lj[:0], lx[:0], ly[:0]
        for q in range(lo + span * c // n_chunks, lo + span * (c + 1) // n_chunks):
            p = positions[q]
            if order_cell[p] != current:
                current = order_cell[p]
                a = list_start[list_of[current]]
                n = list_start[list_of[current] + 1] - a
                # Views from 0: loop indices numba knows are >= 0 (no wraparound checks).
                js, xs, ys = lj[a:a + n], lx[a:a + n], ly[a:a + n]
            px = sorted_xy[2 * p]
            py = sorted_xy[2 * p + 1]
            row_j = indices[row_start[p]:]  # views again, so every index below is >= 0
            row_d = distance[row_start[p]:]
            h = 0
            for k in range(n):
                dx = xs[k] - px
                dy = ys[k] - py
                if dx * dx + dy * dy <= t:
                    row_j[h] = js[k]
                    row_d[h] = pair_distance_nb(dx, dy)
                    h += 1
    return indices, distance


def _empty(n: int, dtype) -> np.ndarray:
    """Uninitialised 1-D array for the CSR output, pre-faulted where the OS allows.

    First touch of fresh memory is the largest single cost of this kernel on VMs.  On Linux,
    MAP_POPULATE maps plain 4 KiB pages up front (~25% cheaper than faulting them one by
    one); numpy's default would request huge pages, which were several times slower to fault
    in on the benchmark VM once the hypervisor had reclaimed them (see benchmarks/results).
    """
    nbytes = n * np.dtype(dtype).itemsize
    if nbytes < _POPULATE_MIN_BYTES or not hasattr(mmap, "MAP_POPULATE"):
        return np.empty(n, dtype=dtype)
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | mmap.MAP_POPULATE
    return np.frombuffer(mmap.mmap(-1, nbytes, flags=flags), dtype=dtype)


_MADV_POPULATE_WRITE = 23  # Linux >= 5.14
_PAGE = mmap.PAGESIZE
_madvise = None


def _populate_write_fn():
    """libc madvise if MADV_POPULATE_WRITE works here (checked once on one page), else None.

    Called through ctypes, which releases the GIL, so a helper thread can fault in pages
    while a numba kernel (nogil) runs."""
    global _madvise
    if _madvise is None:
        _madvise = False
        if sys.platform.startswith("linux") and hasattr(mmap, "MADV_NOHUGEPAGE"):
            try:
                fn = ctypes.CDLL(None, use_errno=True).madvise
                fn.argtypes = (ctypes.c_size_t, ctypes.c_size_t, ctypes.c_int)
                fn.restype = ctypes.c_int
                probe = np.frombuffer(_mapping(_PAGE), dtype=np.uint8)
                if fn(probe.ctypes.data, _PAGE, _MADV_POPULATE_WRITE) == 0:
                    _madvise = fn
            except (OSError, AttributeError, ValueError):
                pass
    return _madvise or None


def _mapping(nbytes: int) -> mmap.mmap:
    """Private anonymous mapping of 4 KiB pages, not yet faulted in (see _empty)."""
    mem = mmap.mmap(-1, nbytes, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    mem.madvise(mmap.MADV_NOHUGEPAGE)
    return mem


def _populate(madvise, arr: np.ndarray, lo: int, hi: int) -> None:
    """Fault in the pages holding arr[lo:hi] (write access).  Best effort: a page this misses
    is faulted in by the kernel's first write instead."""
    first = arr.ctypes.data + lo * arr.itemsize
    end = arr.ctypes.data + hi * arr.itemsize
    first -= first % _PAGE
    if end > first:
        madvise(first, end - first, _MADV_POPULATE_WRITE)


def _fill_phased(madvise, sorted_xy, order, order_cell, row_start, indptr, t, lists):
    """Output arrays filled phase by phase while a helper thread populates the next phase.

    Phases are slices of rows (the output is row-major, so each is a contiguous slice of
    indices/distance) of about nnz/_PHASES pairs each."""
    n_dem, nnz = indptr.size - 1, int(indptr[-1])
    indices = np.frombuffer(_mapping(nnz * 8), dtype=np.int64)
    distance = np.frombuffer(_mapping(nnz * 8), dtype=np.float64)
    n_phases = _PHASES
    bounds = np.searchsorted(indptr, np.linspace(0, nnz, n_phases + 1), side="left")
    bounds[0], bounds[-1] = 0, n_dem
    ready = [threading.Event() for _ in range(n_phases)]

    def populate_ahead() -> None:
        try:
            for k in range(n_phases):
                lo, hi = int(indptr[bounds[k]]), int(indptr[bounds[k + 1]])
                _populate(madvise, indices, lo, hi)
                _populate(madvise, distance, lo, hi)
                ready[k].set()
        finally:  # never leave the filling thread waiting
            for event in ready:
                event.set()

    helper = threading.Thread(target=populate_ahead, name="coverage-populate", daemon=True)
    helper.start()
    try:
        row_phase = np.repeat(np.arange(n_phases, dtype=np.int64), np.diff(bounds))
        positions, phase_start = _phase_positions(order, row_phase, n_phases)
        n_chunks = _CHUNKS_PER_THREAD * get_num_threads()
        for k in range(n_phases):
            ready[k].wait()
            _fill_phase(positions, phase_start[k], phase_start[k + 1], n_chunks, sorted_xy,
                        row_start, order_cell, *lists, t, indices, distance)
    finally:
        helper.join()
    return indices, distance


def _cell_lists(order_cell, cand_grid, nnz):
    """Prebuilt candidate lists of the demand cells, or None when they would take more
    than _LISTS_MAX_SHARE of the CSR output."""
    cflat, cell_start, slot_j, nx, ny, m, half = cand_grid
    ncell_w = (nx + 2 * m) * (ny + 2 * m)
    list_of, list_cell, list_start = _cell_list_sizes(order_cell, cell_start, nx, ny, m, half,
                                                      ncell_w)
    size = int(list_start[-1])
    if size * 24 > _LISTS_MAX_SHARE * nnz * 16:
        return None
    lj = np.empty(size, dtype=np.int64)
    lx = np.empty(size, dtype=np.float64)
    ly = np.empty(size, dtype=np.float64)
    _fill_cell_lists(list_cell, list_start, cflat, cell_start, slot_j, nx, ny, m, half,
                     lj, lx, ly)
    return list_of, list_start, lj, lx, ly


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
    m, half = _stencil(cell, r)
    t = _squared_threshold(r)
    dflat, cflat = dem.ravel(), cand.ravel()
    cell_start, slot_j = _bin_candidates(cflat, minx, miny, cell, nx, ny)
    order, order_cell, sorted_xy = _sort_demand(dflat, minx, miny, cell, nx, ny, m)
    n_chunks = min(max(order.size, 1), _CHUNKS_PER_THREAD * get_num_threads())
    chunks = np.linspace(0, order.size, n_chunks + 1).astype(np.int64)
    grid = (order_cell, chunks, cflat, cell_start, slot_j, nx, ny, m, half, t)
    indptr = np.zeros(n_dem + 1, dtype=np.int64)
    with parallel_chunksize(1):
        _count_rows(sorted_xy, order, *grid, indptr[1:])
        np.cumsum(indptr, out=indptr)
        nnz = int(indptr[-1])
        row_start = indptr[order]
        big = nnz > 0 and nnz * 16 >= _POPULATE_MIN_BYTES
        madvise = _populate_write_fn() if big else None
        lists = _cell_lists(order_cell, grid[2:9], nnz) if madvise else None
        if lists is not None:
            indices, distance = _fill_phased(madvise, sorted_xy, order, order_cell, row_start,
                                             indptr, t, lists)
        else:
            indices, distance = _empty(nnz, np.int64), _empty(nnz, np.float64)
            _fill_rows(sorted_xy, row_start, *grid, indices, distance)
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
