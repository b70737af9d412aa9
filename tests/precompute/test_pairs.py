"""Tests for siting.precompute: binned coverage kernel, reference, graph distances, Pairs."""

from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.precompute import (
    Pairs,
    coverage_pairs,
    coverage_pairs_reference,
    covered,
    decay_weights,
    euclidean_pairs,
    graph_distances,
    pair_distance,
)
from siting.precompute import coverage as coverage_module
from siting.precompute.coverage import _grid, _squared_threshold

# Deterministic hypothesis runs (CI must not flake); no deadline because of threads/JIT.
HYP = settings(
    derandomize=True,
    deadline=None,
    max_examples=150,
    suppress_health_check=[HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def warm_jit() -> None:
    """Compile (or load from cache) the numba kernels once, outside any timed example."""
    p = coverage_pairs(np.zeros((1, 2)), np.ones((1, 2)), 2.0)
    assert p.nnz == 1


def assert_same(a: Pairs, b: Pairs) -> None:
    """Identical structure and bit-identical distances."""
    assert a.n_candidates == b.n_candidates
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert a.distance.tobytes() == b.distance.tobytes()
    assert a.equals(b)


def xy(points) -> np.ndarray:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


# --------------------------------------------------------------------------- strategies
def _point_lists(coord: st.SearchStrategy[float], max_size: int) -> st.SearchStrategy:
    return st.lists(st.tuples(coord, coord), max_size=max_size).map(xy)


@st.composite
def integer_grid_case(draw):
    """Small integer grids: many exact distance-R pairs (3-4-5, 5-12-13, axis-aligned)."""
    coord = st.integers(-15, 15).map(float)
    dem = draw(_point_lists(coord, 40))
    cand = draw(_point_lists(coord, 25))
    radius = draw(st.sampled_from([0.5, 1.0, 2.0, 4.999999, 5.0, 5.000001, 10.0, 13.0, 100.0]))
    return dem, cand, radius


@st.composite
def duplicate_case(draw):
    """Points drawn from a tiny pool, so demand and candidate duplicates abound."""
    pool = draw(_point_lists(st.floats(-50, 50), 4).filter(lambda a: a.shape[0] > 0))
    di = draw(st.lists(st.integers(0, pool.shape[0] - 1), max_size=30))
    cj = draw(st.lists(st.integers(0, pool.shape[0] - 1), max_size=30))
    radius = draw(st.floats(1e-3, 100.0))
    return pool[di].reshape(-1, 2), pool[cj].reshape(-1, 2), radius


@st.composite
def exact_boundary_case(draw):
    """R is the computed distance of one drawn pair, so that pair sits exactly on the boundary."""
    coord = st.floats(-1e4, 1e4)
    dem = draw(_point_lists(coord, 30).filter(lambda a: a.shape[0] > 0))
    cand = draw(_point_lists(coord, 20).filter(lambda a: a.shape[0] > 0))
    i = draw(st.integers(0, dem.shape[0] - 1))
    j = draw(st.integers(0, cand.shape[0] - 1))
    r = float(pair_distance(cand[j, 0] - dem[i, 0], cand[j, 1] - dem[i, 1]))
    return dem, cand, max(r, 1e-9)


@st.composite
def float_case(draw):
    """Clustered (one cell) to widely spread (coarse-grid fallback) real coordinates."""
    scale = draw(st.sampled_from([1.0, 1e3, 1e6, 1e12]))
    coord = st.floats(-1.0, 1.0).map(lambda t: t * scale)
    dem = draw(_point_lists(coord, 40))
    cand = draw(_point_lists(coord, 25))
    radius = draw(st.floats(1e-3, 1e3)) * draw(st.sampled_from([1.0, scale, 1e-3 * scale]))
    return dem, cand, radius


any_case = st.one_of(integer_grid_case(), duplicate_case(), exact_boundary_case(), float_case())


# --------------------------------------------------------------------------- coverage
@HYP
@given(any_case)
def test_coverage_kernel_matches_reference(case) -> None:
    dem, cand, radius = case
    fast = coverage_pairs(dem, cand, radius)
    ref = coverage_pairs_reference(dem, cand, radius)
    assert_same(fast, ref)
    fast.validate()
    assert fast.shape == (dem.shape[0], cand.shape[0])


@HYP
@given(any_case)
def test_reference_matches_definition(case) -> None:
    """The reference itself is the plain double loop over the boundary convention."""
    dem, cand, radius = case
    ref = coverage_pairs_reference(dem, cand, radius)
    rows, cols, dist = [], [], []
    for i, (px, py) in enumerate(dem):
        for j, (qx, qy) in enumerate(cand):
            d = math.sqrt((qx - px) * (qx - px) + (qy - py) * (qy - py))
            if d <= radius:
                rows.append(i)
                cols.append(j)
                dist.append(d)
    assert_same(ref, Pairs.from_coo(rows, cols, dist, dem.shape[0], cand.shape[0]))


def test_three_four_five_boundary() -> None:
    dem, cand = xy([0, 0]), xy([3, 4])
    for fn in (coverage_pairs, coverage_pairs_reference):
        at = fn(dem, cand, 5.0)
        assert at.nnz == 1 and at.distance[0] == 5.0
        assert fn(dem, cand, 4.999999).nnz == 0


def test_known_small_example() -> None:
    dem = xy([[0, 0], [10, 0], [100, 100], [3, 4]])
    cand = xy([[3, 4], [0, 0], [10, 5], [13, 4]])
    p = coverage_pairs(dem, cand, 5.0)
    assert p.shape == (4, 4)
    assert p.indptr.tolist() == [0, 2, 4, 4, 6]
    assert p.indices.tolist() == [0, 1, 2, 3, 0, 1]
    assert p.distance.tolist() == [5.0, 0.0, 5.0, 5.0, 0.0, 5.0]
    assert p.row(2)[0].size == 0
    assert p.row(3)[0].tolist() == [0, 1] and p.row(3)[1].tolist() == [0.0, 5.0]
    assert_same(p, coverage_pairs_reference(dem, cand, 5.0))


def test_known_small_example_radius_10() -> None:
    dem = xy([[0, 0], [10, 0]])
    cand = xy([[3, 4], [0, 0], [10, 5], [13, 4]])
    p = coverage_pairs(dem, cand, 10.0)
    assert p.indptr.tolist() == [0, 2, 6]
    assert p.indices.tolist() == [0, 1, 0, 1, 2, 3]
    assert p.distance.tolist() == [5.0, 0.0, math.sqrt(65.0), 10.0, 5.0, 5.0]


@pytest.mark.parametrize("n_dem,n_cand", [(0, 0), (0, 3), (3, 0)])
def test_empty_inputs(n_dem: int, n_cand: int) -> None:
    dem, cand = np.zeros((n_dem, 2)), np.ones((n_cand, 2))
    for fn in (coverage_pairs, coverage_pairs_reference, euclidean_pairs):
        p = fn(dem, cand, 1.0) if fn is not euclidean_pairs else fn(dem, cand)
        assert p.shape == (n_dem, n_cand)
        assert p.nnz == 0
        assert p.indptr.tolist() == [0] * (n_dem + 1)


def test_spread_candidates_use_coarse_grid_and_stay_exact() -> None:
    rng = np.random.default_rng(7)
    cand = rng.uniform(-1e9, 1e9, (50, 2))
    cand[:5] = [[0, 0], [1, 0], [0, 1], [1e9, 1e9], [1e9 + 1, 1e9]]
    dem = np.concatenate([cand[:5] + 0.5, rng.uniform(-1e9, 1e9, (200, 2))])
    _, _, cell, nx_, ny_ = _grid(cand, 1.0)
    assert cell > 1.0 and nx_ * ny_ <= 4 * 50 + 64  # the fallback really triggered
    p = coverage_pairs(dem, cand, 1.0)
    assert_same(p, coverage_pairs_reference(dem, cand, 1.0))
    assert p.row(0)[0].tolist() == [0, 1, 2]
    assert p.row(3)[0].tolist() == [3, 4]


def test_demand_far_outside_candidate_box() -> None:
    dem = xy([[-1e140, 0], [1e140, 1e140], [0.5, 0.5]])
    cand = xy([[0, 0], [1, 1]])
    p = coverage_pairs(dem, cand, 1.0)
    assert p.indptr.tolist() == [0, 0, 0, 2]


def test_larger_random_instance_matches_reference() -> None:
    rng = np.random.default_rng(3)
    dem = rng.uniform(0, 5000, (3000, 2)).round()  # rounding: many exact-R pairs
    cand = rng.uniform(0, 5000, (400, 2)).round()
    p = coverage_pairs(dem, cand, 250.0)
    assert p.nnz > 1000
    assert_same(p, coverage_pairs_reference(dem, cand, 250.0))


@pytest.mark.parametrize("subdivisions", [1, 2, 4, 8])
def test_every_cell_size_matches_reference(monkeypatch, subdivisions: int) -> None:
    """Fine cells use a disc-shaped stencil; integer points give exact-R pairs and points
    near cell borders, demand spills past the candidate box into (and beyond) the margin."""
    monkeypatch.setattr(coverage_module, "_SUBDIVISIONS", subdivisions)
    rng = np.random.default_rng(11)
    cand = rng.uniform(0, 600, (1500, 2)).round()
    dem = rng.uniform(-150, 750, (4000, 2)).round()
    _, _, cell, _, _ = _grid(cand, 100.0)
    assert cell == pytest.approx(100.0 / subdivisions, rel=1e-4)
    p = coverage_pairs(dem, cand, 100.0)
    assert np.sum(p.distance == 100.0) > 100
    assert_same(p, coverage_pairs_reference(dem, cand, 100.0))


def test_prefaulted_output_matches_reference(monkeypatch) -> None:
    """The large-output path (pre-faulted mmap arrays) gives the same, writable arrays."""
    monkeypatch.setattr(coverage_module, "_POPULATE_MIN_BYTES", 0)
    rng = np.random.default_rng(12)
    dem, cand = rng.uniform(0, 100, (500, 2)), rng.uniform(0, 100, (50, 2))
    p = coverage_pairs(dem, cand, 20.0)
    assert p.indices.flags.writeable and p.distance.flags.writeable
    assert_same(p, coverage_pairs_reference(dem, cand, 20.0))


@HYP
@given(st.one_of(st.floats(5e-324, 1e300), st.sampled_from([1.0, 5.0, 2.0**0.5, 1e155, 1e300])))
def test_squared_threshold_is_the_sqrt_rule(radius: float) -> None:
    """s <= t exactly when covered(sqrt(s), R): t is covered, the next float is not."""
    t = _squared_threshold(radius)
    assert covered(math.sqrt(t), radius)
    assert not covered(math.sqrt(math.nextafter(t, math.inf)), radius)


@pytest.mark.parametrize(
    "dem,cand,radius",
    [
        (np.array([[np.nan, 0.0]]), np.zeros((1, 2)), 1.0),
        (np.zeros((1, 2)), np.array([[np.inf, 0.0]]), 1.0),
        (np.zeros((1, 3)), np.zeros((1, 2)), 1.0),
        (np.zeros(2), np.zeros((1, 2)), 1.0),
        (np.array([["a", "b"]]), np.zeros((1, 2)), 1.0),
        (np.array([[1e200, 0.0]]), np.zeros((1, 2)), 1.0),
        (np.zeros((1, 2)), np.zeros((1, 2)), 0.0),
        (np.zeros((1, 2)), np.zeros((1, 2)), -1.0),
        (np.zeros((1, 2)), np.zeros((1, 2)), math.inf),
        (np.zeros((1, 2)), np.zeros((1, 2)), math.nan),
        (np.zeros((1, 2)), np.zeros((1, 2)), True),
    ],
)
def test_coverage_rejects_bad_input(dem, cand, radius) -> None:
    for fn in (coverage_pairs, coverage_pairs_reference):
        with pytest.raises(ValueError):
            fn(dem, cand, radius)


def test_accepts_integer_and_fortran_arrays() -> None:
    dem = np.asfortranarray(np.array([[0, 0], [6, 8]], dtype=np.int32))
    p = coverage_pairs(dem, [[3, 4]], 5)
    assert p.indptr.tolist() == [0, 1, 2] and p.distance.tolist() == [5.0, 5.0]


def test_euclidean_pairs_complete_and_radius() -> None:
    rng = np.random.default_rng(1)
    dem, cand = rng.uniform(0, 10, (5000, 2)), rng.uniform(0, 10, (3, 2))
    full = euclidean_pairs(dem, cand)
    assert full.nnz == 15000
    assert np.all(full.row_counts() == 3)
    np.testing.assert_array_equal(full.row(4097)[0], [0, 1, 2])
    expected = np.sqrt(((cand - dem[4097]) ** 2).sum(axis=1))
    np.testing.assert_allclose(full.row(4097)[1], expected, rtol=1e-15)
    assert_same(full.within(2.0), coverage_pairs_reference(dem, cand, 2.0))
    assert_same(euclidean_pairs(dem, cand, 2.0), coverage_pairs(dem, cand, 2.0))


# --------------------------------------------------------------------------- Pairs
def test_from_coo_sorts_and_keeps_minimum_duplicate() -> None:
    p = Pairs.from_coo(
        rows=[2, 0, 2, 0, 2, 0],
        cols=[1, 3, 0, 1, 1, 3],
        dist=[4.0, 9.0, 1.0, 2.0, 3.0, 7.0],
        n_demand=4,
        n_candidates=5,
    )
    assert p.indptr.tolist() == [0, 2, 2, 4, 4]
    assert p.indices.tolist() == [1, 3, 0, 1]
    assert p.distance.tolist() == [2.0, 7.0, 1.0, 3.0]
    assert p.indices.dtype == np.int64 and p.distance.dtype == np.float64
    p.validate()


def test_from_coo_empty_and_errors() -> None:
    p = Pairs.from_coo([], [], [], 3, 2)
    assert p.indptr.tolist() == [0, 0, 0, 0] and p.nnz == 0
    with pytest.raises(ValueError):
        Pairs.from_coo([3], [0], [1.0], 3, 2)  # row out of range
    with pytest.raises(ValueError):
        Pairs.from_coo([0], [2], [1.0], 3, 2)  # column out of range
    with pytest.raises(ValueError):
        Pairs.from_coo([0], [0], [-1.0], 3, 2)
    with pytest.raises(ValueError):
        Pairs.from_coo([0], [0], [np.nan], 3, 2)
    with pytest.raises(ValueError):
        Pairs.from_coo([0, 1], [0], [1.0], 3, 2)


@HYP
@given(
    st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 4), st.sampled_from([0.0, 1.0, 2.5, 3.0])),
        max_size=40,
    )
)
def test_from_coo_matches_dict_model(triples) -> None:
    best: dict[tuple[int, int], float] = {}
    for i, j, d in triples:
        best[(i, j)] = min(d, best.get((i, j), math.inf))
    p = Pairs.from_coo(
        [t[0] for t in triples], [t[1] for t in triples], [t[2] for t in triples], 6, 5
    )
    rows, cols, dist = p.to_coo()
    assert list(zip(rows.tolist(), cols.tolist(), strict=True)) == sorted(best)
    assert dist.tolist() == [best[k] for k in sorted(best)]
    for r in (0.0, 1.0, 2.5, 2.9):
        w = p.within(r)
        expect = sorted(k for k, d in best.items() if d <= r)
        got = list(zip(w.row_ids().tolist(), w.indices.tolist(), strict=True))
        assert got == expect


def test_within_keeps_boundary() -> None:
    p = Pairs.from_coo([0, 0, 1, 1], [0, 1, 0, 1], [1.0, 2.0, 2.0, 2.0000001], 2, 2)
    w = p.within(2.0)
    assert w.indptr.tolist() == [0, 2, 3]
    assert w.indices.tolist() == [0, 1, 0]
    assert p.within(0.5).nnz == 0
    assert covered(2.0, 2.0) and not covered(2.0000001, 2.0)


def test_to_scipy_keeps_explicit_zero_entries() -> None:
    p = Pairs.from_coo([0, 0, 1], [0, 2, 1], [0.0, 3.0, 0.0], 2, 3)
    m = p.to_scipy()
    assert m.shape == (2, 3)
    assert m.nnz == 3  # both zero-distance pairs are stored
    assert m.toarray().tolist() == [[0.0, 0.0, 3.0], [0.0, 0.0, 0.0]]
    assert m.indices.tolist() == [0, 2, 1]
    m.data[:] = 9.0  # the matrix must not alias the Pairs arrays
    assert p.distance.tolist() == [0.0, 3.0, 0.0]


def test_take_rows_and_degrees() -> None:
    p = Pairs.from_coo([0, 0, 2], [1, 2, 0], [1.0, 2.0, 3.0], 3, 4)
    t = p.take_rows([2, 0, 0, 1])
    assert t.indptr.tolist() == [0, 1, 3, 5, 5]
    assert t.indices.tolist() == [0, 1, 2, 1, 2]
    assert t.distance.tolist() == [3.0, 1.0, 2.0, 1.0, 2.0]
    assert p.candidate_degree().tolist() == [1, 1, 1, 0]
    assert p.row_counts().tolist() == [2, 0, 1]
    with pytest.raises(IndexError):
        p.row(3)


def test_by_candidate_is_the_transpose() -> None:
    p = Pairs.from_coo([0, 0, 2, 3, 3], [1, 2, 0, 2, 1], [1.0, 2.0, 3.0, 4.0, 5.0], 4, 4)
    ptr, rows = p.by_candidate
    assert ptr.tolist() == [0, 1, 3, 5, 5]
    assert rows.tolist() == [2, 0, 3, 0, 3]  # candidate 0: demand 2; 1: 0, 3; 2: 0, 3; 3: none
    assert p.by_candidate[0] is ptr  # computed once per object


def test_pairs_rejects_inconsistent_structure() -> None:
    with pytest.raises(ValueError):
        Pairs(np.array([0, 2]), np.array([0]), np.array([1.0]), 2)  # indptr[-1] != nnz
    with pytest.raises(ValueError):
        Pairs(np.array([0, 1], np.int32), np.array([0]), np.array([1.0]), 2)
    bad = Pairs(np.array([0, 2]), np.array([1, 0]), np.array([1.0, 1.0]), 2)
    with pytest.raises(ValueError):
        bad.validate()  # unsorted row


# --------------------------------------------------------------------------- graph
def nx_expected(n, edges, sources, targets, limit) -> Pairs:
    g = nx.MultiGraph()
    g.add_nodes_from(range(n))
    g.add_weighted_edges_from(edges)
    rows, cols, dist = [], [], []
    for k, s in enumerate(sources):
        lengths = nx.single_source_dijkstra_path_length(g, s)  # multigraph: min parallel edge
        for t, node in enumerate(targets):
            d = lengths.get(node)
            if d is not None and (limit is None or d <= limit):
                rows.append(k)
                cols.append(t)
                dist.append(float(d))
    return Pairs.from_coo(rows, cols, dist, len(sources), len(targets))


@st.composite
def graph_case(draw):
    n = draw(st.integers(1, 12))
    node = st.integers(0, n - 1)
    # Dyadic lengths keep every path sum exact, so comparisons can be bitwise.
    length = st.sampled_from([0.0, 0.0, 0.5, 1.0, 1.0, 2.0, 3.25, 7.0])
    edges = draw(st.lists(st.tuples(node, node, length), max_size=3 * n))
    sources = draw(st.lists(node, max_size=8))
    targets = draw(st.lists(node, max_size=8))
    limit = draw(st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, 2.0, 3.25, 4.5, 100.0])))
    return n, edges, sources, targets, limit


def _call_graph(n, edges, sources, targets, limit) -> Pairs:
    u = np.array([e[0] for e in edges], dtype=np.int64)
    v = np.array([e[1] for e in edges], dtype=np.int64)
    w = np.array([e[2] for e in edges], dtype=np.float64)
    return graph_distances(n, u, v, w, np.array(sources, np.int64), np.array(targets, np.int64),
                           limit=limit)


@HYP
@given(graph_case())
def test_graph_distances_match_networkx(case) -> None:
    got = _call_graph(*case)
    got.validate()
    assert_same(got, nx_expected(*case))


def test_graph_parallel_zero_and_disconnected() -> None:
    # 0 -1- 1 ={5,2}= 2 -0- 3 -0- 4 -1.5- 5 ; node 6 isolated ; 7 -0- 8 (own component)
    edges = [
        (0, 1, 1.0), (1, 2, 5.0), (2, 1, 2.0), (2, 3, 0.0), (4, 3, 0.0), (4, 5, 1.5),
        (7, 8, 0.0), (5, 5, 0.25),
    ]
    p = _call_graph(9, edges, [0, 6, 0, 8], [5, 3, 6, 0, 7], None)
    assert p.indptr.tolist() == [0, 3, 4, 7, 8]
    assert p.indices.tolist() == [0, 1, 3, 2, 0, 1, 3, 4]
    # parallel 1-2 edges: min 2.0 kept; zero-length 2-3-4 chain contracted exactly
    assert p.distance.tolist() == [4.5, 3.0, 0.0, 0.0, 4.5, 3.0, 0.0, 0.0]
    assert p.row(0)[0].tolist() == p.row(2)[0].tolist()  # duplicate source rows


def test_graph_limit_boundary_is_inclusive() -> None:
    edges = [(0, 1, 1.5), (1, 2, 1.5)]
    p = _call_graph(3, edges, [0], [0, 1, 2], 3.0)
    assert p.indices.tolist() == [0, 1, 2] and p.distance.tolist() == [0.0, 1.5, 3.0]
    q = _call_graph(3, edges, [0], [0, 1, 2], 2.999)
    assert q.indices.tolist() == [0, 1]


def test_graph_empty_and_errors() -> None:
    p = graph_distances(3, [], [], [], [0, 1], [])
    assert p.shape == (2, 0) and p.nnz == 0
    q = graph_distances(3, [], [], [], [0, 1], [1])
    assert q.indptr.tolist() == [0, 0, 1] and q.distance.tolist() == [0.0]
    with pytest.raises(ValueError):
        graph_distances(3, [0], [3], [1.0], [0], [1])  # node out of range
    with pytest.raises(ValueError):
        graph_distances(3, [0], [1], [-1.0], [0], [1])
    with pytest.raises(ValueError):
        graph_distances(3, [0], [1], [np.inf], [0], [1])
    with pytest.raises(ValueError):
        graph_distances(3, [0], [1], [1.0], [0.5], [1])
    with pytest.raises(ValueError):
        graph_distances(3, [0], [1], [1.0], [0], [1], limit=-1.0)


# --------------------------------------------------------------------------- decay
def test_decay_weights() -> None:
    d = np.array([0.0, 1.0, 2.5, np.inf])
    w = decay_weights(d, 0.4)
    assert w.tolist() == [1.0, math.exp(-0.4), math.exp(-1.0), 0.0]
    assert decay_weights(d, 0).tolist() == [1.0, 1.0, 1.0, 1.0]
    assert decay_weights([[1.0]], 1.0).shape == (1, 1)
    for beta in (-0.1, math.nan, math.inf):
        with pytest.raises(ValueError):
            decay_weights(d, beta)
    with pytest.raises(ValueError):
        decay_weights([-1.0], 1.0)
