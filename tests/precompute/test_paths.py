"""Arc-cover sets K_{q,a}: the numba kernel against its plain-Python reference, and the arc cover
against the round-trip simulation of siting.corridor.verify (hypothesis, derandomised).

Lengths are drawn from small integers and from floats; with integers, distances exactly equal to
the range or to half of it happen often, which exercises the boundary convention
(a distance equal to the range is drivable).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.corridor.verify import simulate_paths, simulate_round_trip
from siting.precompute.paths import (
    KIND_STATION,
    Paths,
    arc_cover_reference,
    arc_cover_sets,
    k_shortest_paths,
    shortest_paths,
)

HYP = settings(derandomize=True, deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def path_case(draw):
    """Paths over their own nodes (node ids unique per path), sites at some nodes, a range."""
    integer = draw(st.booleans())
    length = st.integers(1, 6).map(float) if integer else st.floats(0.1, 6.0, allow_nan=False)
    n_paths = draw(st.integers(1, 4))
    node_lists, lengths = [], []
    next_node = 0
    for _ in range(n_paths):
        m = draw(st.integers(1, 7))
        node_lists.append(list(range(next_node, next_node + m + 1)))
        next_node += m + 1
        lengths.append(draw(st.lists(length, min_size=m, max_size=m)))
    n_nodes = next_node
    sites_per_node = draw(st.lists(st.integers(0, 2), min_size=n_nodes, max_size=n_nodes))
    site_node = np.repeat(np.arange(n_nodes), sites_per_node).astype(np.int64)
    r = float(draw(st.integers(2, 14))) if integer else draw(st.floats(0.5, 14.0, allow_nan=False))
    paths = Paths.from_lists(node_lists, lengths, np.arange(n_paths))
    return paths, n_nodes, site_node, r


def _sorted(rows):
    return sorted((p, k, a, tuple(sorted(s))) for p, k, a, s in rows)


@HYP
@given(path_case())
def test_kernel_equals_reference(case):
    paths, n_nodes, site_node, r = case
    rows, impossible = arc_cover_reference(paths, site_node, r)
    full = arc_cover_sets(paths, n_nodes, site_node, r, reduce=False)
    assert _sorted(full.row_sets()) == _sorted(rows)
    np.testing.assert_array_equal(full.impossible, impossible)


@HYP
@given(path_case())
def test_reduction_keeps_only_implied_rows_out(case):
    """Every dropped row contains a kept row of the same path; kept rows are original rows."""
    paths, n_nodes, site_node, r = case
    full = arc_cover_sets(paths, n_nodes, site_node, r, reduce=False).row_sets()
    kept = arc_cover_sets(paths, n_nodes, site_node, r).row_sets()
    assert set(kept) <= set(full)
    for q, _, _, s in full:
        assert any(kq == q and ks <= s for kq, _, _, ks in kept)


@HYP
@given(path_case(), st.randoms(use_true_random=False))
def test_arc_cover_agrees_with_round_trip_simulation(case, rnd):
    """For station sets: every row of a path has an open site <=> the simulated round trip completes."""
    paths, n_nodes, site_node, r = case
    cover = arc_cover_sets(paths, n_nodes, site_node, r)
    n_sites = len(site_node)
    sets = [np.ones(n_sites, bool), np.zeros(n_sites, bool)]
    sets += [np.array([rnd.random() < 0.5 for _ in range(n_sites)], bool) for _ in range(12)]
    for open_sites in sets:
        open_node = np.zeros(n_nodes, bool)
        open_node[site_node[open_sites]] = True
        sim = simulate_paths(paths, open_node, r)[0]
        covered = np.ones(paths.n_paths, bool)
        covered[cover.impossible] = False
        for row in range(cover.n_rows):
            if not open_sites[cover.sites[cover.ptr[row]:cover.ptr[row + 1]]].any():
                covered[cover.path[row]] = False
        np.testing.assert_array_equal(covered, sim)


def test_boundary_distance_equal_to_range_is_drivable():
    pos = np.array([0.0, 10.0])
    assert simulate_round_trip(pos, np.array([[True, True]]), 10.0)[0]
    assert not simulate_round_trip(pos, np.array([[True, True]]), 9.999)[0]
    # half a charge from an origin without a station: exactly R/2 is drivable
    assert simulate_round_trip(pos, np.array([[False, True]]), 20.0)[0]
    assert not simulate_round_trip(pos, np.array([[False, True]]), 19.99)[0]
    paths = Paths.from_lists([[0, 1]], [[10.0]], np.array([0]))
    assert not arc_cover_sets(paths, 2, np.array([1]), 20.0).impossible[0]
    assert arc_cover_sets(paths, 2, np.array([1]), 19.99).impossible[0]


def test_a_path_needs_a_station_even_when_short():
    pos = np.array([0.0, 1.0])
    assert not simulate_round_trip(pos, np.array([[False, False]]), 100.0)[0]
    paths = Paths.from_lists([[0, 1]], [[1.0]], np.array([0]))
    cover = arc_cover_sets(paths, 3, np.array([0, 1, 2]), 100.0)
    assert cover.n_rows == 1 and cover.kind[0] == KIND_STATION
    assert set(cover.sites.tolist()) == {0, 1}


def test_shortest_and_k_shortest_paths():
    # square 0-1-2 (2 + 2) and 0-3-2 (2 + 2.5); 0-2 direct 5
    u, v, w = np.array([0, 1, 0, 3, 0]), np.array([1, 2, 3, 2, 2]), np.array([2.0, 2.0, 2.0, 2.5, 5.0])
    paths, connected = shortest_paths(5, u, v, w, np.array([0, 0]), np.array([2, 4]))
    assert connected.tolist() == [True, False]
    assert paths.nodes_of(0).tolist() == [0, 1, 2] and paths.length.tolist() == [4.0]
    kp, _ = k_shortest_paths(5, u, v, w, np.array([0]), np.array([2]), k=3, detour=0.2)
    assert [kp.nodes_of(q).tolist() for q in range(kp.n_paths)] == [[0, 1, 2], [0, 3, 2]]
    kp, _ = k_shortest_paths(5, u, v, w, np.array([0]), np.array([2]), k=3, detour=0.3)
    assert kp.n_paths == 3


@pytest.mark.parametrize("r", [0.0, -1.0, float("nan")])
def test_bad_range_is_refused(r):
    paths = Paths.from_lists([[0, 1]], [[1.0]], np.array([0]))
    with pytest.raises(ValueError, match="range"):
        arc_cover_sets(paths, 2, np.array([0]), r)


def test_simulation_vectorised_equals_one_by_one():
    pos = np.array([0.0, 3.0, 7.0, 9.0, 14.0])
    sets = np.array(list(itertools.product([False, True], repeat=5)))
    together = simulate_round_trip(pos, sets, 8.0)
    alone = [simulate_round_trip(pos, s[None, :], 8.0)[0] for s in sets]
    assert together.tolist() == alone


def test_parallel_roads_count_once_in_the_afir_road_graph():
    """Two carriageways a-b of 10 and 100 km on one road: the road distance is 10, not their sum."""
    from scipy.sparse.csgraph import dijkstra

    from siting.precompute.paths import road_subgraph

    u, v, length = np.array([0, 0, 1]), np.array([1, 1, 2]), np.array([10.0, 100.0, 5.0])
    g, on = road_subgraph(3, u, v, length, np.array([True, True, True]))
    assert dijkstra(g, directed=False, indices=[0])[0].tolist() == [0.0, 10.0, 15.0]
    assert on.tolist() == [True, True, True]
