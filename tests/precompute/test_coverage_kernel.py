"""The phased large-output path of coverage_pairs (pages populated ahead of the fill, prebuilt
per-cell candidate lists) against the reference, scipy's cKDTree and a dense check, including
pairs exactly on the boundary d = R."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from siting.precompute import Pairs, coverage_pairs, coverage_pairs_reference
from siting.precompute import coverage as coverage_module


def assert_same(a: Pairs, b: Pairs) -> None:
    assert a.n_candidates == b.n_candidates
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    assert a.distance.tobytes() == b.distance.tobytes()


def boundary_instance(seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Integer points (so many pairs sit at exactly d = R = 50 via 30-40-50 and 14-48-50
    triangles), demand in random order, some far outside the candidates' box."""
    rng = np.random.default_rng(seed)
    cand = rng.integers(0, 400, (300, 2)).astype(np.float64)
    offsets = np.array([[50, 0], [0, -50], [30, 40], [-40, 30], [14, -48], [-48, -14]], float)
    on_circle = cand[rng.integers(0, cand.shape[0], 2000)] + offsets[rng.integers(0, 6, 2000)]
    scattered = rng.integers(-100, 500, (3000, 2)).astype(np.float64)
    far = np.array([[1e6, 1e6], [-1e5, 3.0]])
    dem = np.concatenate([on_circle, scattered, far])
    return dem[rng.permutation(dem.shape[0])], cand, 50.0


@pytest.fixture
def phased(monkeypatch):
    """Force the phased path for small outputs, and check it is really taken."""
    monkeypatch.setattr(coverage_module, "_POPULATE_MIN_BYTES", 0)
    monkeypatch.setattr(coverage_module, "_LISTS_MAX_SHARE", float("inf"))
    calls = []
    original = coverage_module._fill_phased

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(coverage_module, "_fill_phased", spy)
    return calls


@pytest.mark.parametrize("n_phases", [1, 3, 8, 300])
def test_phased_fill_matches_reference(monkeypatch, phased, n_phases: int) -> None:
    if coverage_module._populate_write_fn() is None:
        pytest.skip("MADV_POPULATE_WRITE not available here")
    monkeypatch.setattr(coverage_module, "_PHASES", n_phases)
    dem, cand, radius = boundary_instance(1)
    p = coverage_pairs(dem, cand, radius)
    assert phased == [1]
    ref = coverage_pairs_reference(dem, cand, radius)
    assert np.sum(ref.distance == radius) > 1000
    assert_same(p, ref)
    p.validate()
    assert p.indices.flags.writeable and p.distance.flags.writeable


def test_more_phases_than_rows(monkeypatch, phased) -> None:
    """Empty phases (and rows without pairs) are skipped cleanly."""
    if coverage_module._populate_write_fn() is None:
        pytest.skip("MADV_POPULATE_WRITE not available here")
    monkeypatch.setattr(coverage_module, "_PHASES", 7)
    dem = np.array([[0.0, 0.0], [100.0, 100.0], [3.0, 4.0]])
    cand = np.array([[0.0, 5.0], [3.0, 0.0], [8.0, 4.0]])
    p = coverage_pairs(dem, cand, 5.0)
    assert phased == [1]
    assert_same(p, coverage_pairs_reference(dem, cand, 5.0))
    assert p.row_counts().tolist() == [2, 0, 3]


def test_phased_fill_matches_ckdtree_and_dense(phased) -> None:
    """Independent check: cKDTree finds the pairs (its own boundary test, checked against the
    float64 distance), distances are the plain formula, rows ascending."""
    if coverage_module._populate_write_fn() is None:
        pytest.skip("MADV_POPULATE_WRITE not available here")
    dem, cand, radius = boundary_instance(2)
    p = coverage_pairs(dem, cand, radius)
    assert phased == [1]
    hits = cKDTree(cand).query_ball_point(dem, radius * (1 + 1e-9))
    for i, h in enumerate(hits):
        h = np.array(sorted(h), dtype=np.int64)
        dx = cand[h, 0] - dem[i, 0]
        dy = cand[h, 1] - dem[i, 1]
        d = np.sqrt(dx * dx + dy * dy)
        keep = d <= radius
        cols, dist = p.row(i)
        np.testing.assert_array_equal(cols, h[keep])
        assert dist.tobytes() == d[keep].tobytes()
    assert np.sum(p.distance == radius) > 1000


def test_clustered_and_uniform_large_output() -> None:
    """An output above the real threshold (16 MB): the default phased path end to end."""
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 20_000, (20, 2))
    dem = np.concatenate(
        [
            centres[rng.integers(0, 20, 60_000)] + rng.normal(0, 800, (60_000, 2)),
            rng.uniform(0, 20_000, (60_000, 2)).round(),
        ]
    )
    dem = dem[rng.permutation(dem.shape[0])]
    cand = rng.uniform(0, 20_000, (1500, 2)).round()
    p = coverage_pairs(dem, cand, 2_000.0)
    assert p.nnz * 16 >= coverage_module._POPULATE_MIN_BYTES
    assert_same(p, coverage_pairs_reference(dem, cand, 2_000.0))


@pytest.mark.parametrize("fallback", ["no_lists", "no_madvise"])
def test_fallbacks_give_same_output(monkeypatch, fallback: str) -> None:
    """Lists over budget, or no MADV_POPULATE_WRITE: the single-pass fill, same output."""
    monkeypatch.setattr(coverage_module, "_POPULATE_MIN_BYTES", 0)
    if fallback == "no_lists":
        monkeypatch.setattr(coverage_module, "_LISTS_MAX_SHARE", 0.0)
    else:
        monkeypatch.setattr(coverage_module, "_madvise", False)

    def fail(*args, **kwargs):
        raise AssertionError("phased path taken")

    monkeypatch.setattr(coverage_module, "_fill_phased", fail)
    dem, cand, radius = boundary_instance(4)
    assert_same(coverage_pairs(dem, cand, radius), coverage_pairs_reference(dem, cand, radius))
