"""The MCLP instance families of benchmarks/ (mclp_families, published_designs): they draw what
their docstrings say, every method agrees on them, and --write round-trips through siting solve."""

from __future__ import annotations

import numpy as np
import pytest
from benchmarks.mclp_families import (
    main,
    nal_oost_cells,
    run_method,
    towns_family,
    with_grid,
    write_folder,
)
from benchmarks.published_designs import cordeau_design, lv_design, scaled_radius

from siting.fast.api import solve_fast
from siting.fast.load import load_fast
from siting.options import SolveOptions

EXACT = SolveOptions(profile="exact")


def test_cordeau_design_follows_the_generator() -> None:
    inst = cordeau_design(1, 2_000, 100, radius=5.5, budget=0.10)
    assert (inst.n_demand, inst.n_sites, inst.params.p) == (2_000, 100, 10)
    assert inst.params.radius == pytest.approx(5_500.0)
    assert inst.demand_xy.min() >= 0 and inst.demand_xy.max() <= 30_000
    assert set(np.unique(inst.weight)) <= set(range(1, 101))
    assert scaled_radius(5.5, 1_000) == pytest.approx(5_500 / np.sqrt(10))
    budgeted = cordeau_design(1, 500, 50, cost=(10, 100))
    assert budgeted.params.p is None and budgeted.params.budget == np.floor(0.1 * budgeted.fixed_cost.sum())


def test_lv_design_refuses_negative_weights() -> None:
    assert lv_design(1, 500, 100).weight.min() >= 10
    with pytest.raises(ValueError, match="negative"):
        lv_design(1, 500, 100, negative_share=0.1)


@pytest.mark.solver
@pytest.mark.parametrize("make", [
    lambda: cordeau_design(3, 3_000, 60, radius=4.0, budget=0.15),
    lambda: lv_design(4, 3_000, 60, radius=4.0, budget=0.15),
    lambda: towns_family(5, 3_000, 120, 5_000.0, 8, towns=10),
    lambda: with_grid(towns_family(6, 3_000, 120, 5_000.0, 8, towns=10), 6, areas=8),
])
def test_every_method_agrees_on_each_family(make) -> None:
    inst = make()
    runs = {m: solve_fast(inst, SolveOptions(profile="exact", method=m)) for m in ("compact", "benders", "bnb")}
    assert {run.status for run in runs.values()} == {"optimal"}
    assert runs["bnb"].objective == pytest.approx(runs["compact"].objective, abs=1e-6)
    assert runs["benders"].objective == pytest.approx(runs["compact"].objective, abs=1e-6)
    assert all(run.certificate.violations == [] for run in runs.values())


def test_grid_variant_closes_a_share_of_the_areas() -> None:
    inst = with_grid(towns_family(6, 2_000, 120, 5_000.0, 8, towns=10), 6, areas=9)
    assert inst.grid is not None and inst.grid.size == 9
    assert (inst.grid.available_kw < 0).any() and (inst.grid.available_kw > 0).any()
    assert inst.grid_of_site.min() >= 0 and inst.grid_of_site.max() < 9


@pytest.mark.solver
def test_a_written_folder_solves_like_the_instance(tmp_path) -> None:
    inst = towns_family(7, 2_000, 80, 5_000.0, 6, towns=10)
    write_folder(inst, tmp_path / "inst")
    loaded = load_fast(tmp_path / "inst")
    assert (loaded.n_demand, loaded.n_sites, loaded.params.p) == (inst.n_demand, inst.n_sites, inst.params.p)
    assert solve_fast(loaded, EXACT).objective == pytest.approx(solve_fast(inst, EXACT).objective, abs=1e-6)
    with pytest.raises(FileExistsError):  # never over an existing folder
        write_folder(inst, tmp_path / "inst")


def test_real_cells_are_written_in_their_own_coordinates(tmp_path) -> None:
    """The real NAL-Oost cells are RD New already: written as they are, they load and pass siting's
    coordinate check (shifted by the generator's origin they lay in the North Sea)."""
    inst = nal_oost_cells(1_000.0, 50)
    write_folder(inst, tmp_path / "cells")
    loaded = load_fast(tmp_path / "cells")
    assert loaded.crs == inst.crs == "EPSG:28992"
    np.testing.assert_allclose(loaded.demand_xy, inst.demand_xy)
    np.testing.assert_allclose(loaded.site_xy, inst.site_xy)


def test_write_refuses_grid_rows(tmp_path) -> None:
    with pytest.raises(ValueError, match="textbook"):
        write_folder(with_grid(towns_family(6, 500, 40, 5_000.0, 4, towns=5), 6, areas=4), tmp_path / "g")


def test_the_cli_writes_the_named_families(tmp_path) -> None:
    main(["--only", "cordeau-10k", "lv-10k", "--write", str(tmp_path)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cordeau-10k", "lv-10k"]
    loaded = load_fast(tmp_path / "cordeau-10k")
    assert (loaded.n_demand, loaded.n_sites, loaded.params.p, loaded.params.objective) == (10_000, 100, 10, "mclp")


def test_the_real_family_is_the_bundled_cells_and_charging_locations() -> None:
    inst = nal_oost_cells(1_000.0, 100)
    assert (inst.n_demand, inst.n_sites, inst.params.p, inst.params.radius) == (34_520, 14_128, 100, 1_000.0)
    assert inst.weight.min() >= 1 and np.all(inst.weight == np.rint(inst.weight))
    assert (inst.weight == 2).sum() == 3_119  # the no-data cells (1-4 households; no cell holds exactly 2)
    assert inst.weight.sum() == 1_477_114 + 2 * 3_119


@pytest.mark.solver
@pytest.mark.parametrize("peer", ["spopt", "spopt-highs"])
def test_spopt_finds_the_same_optimum(peer) -> None:
    inst = towns_family(8, 1_500, 60, 5_000.0, 6, towns=8)
    ours = solve_fast(inst, EXACT)
    theirs = run_method(inst, peer, 60.0, 0.0)
    assert ours.status == "optimal" and theirs["status"] == "optimal"
    assert theirs["objective"] == pytest.approx(ours.objective, abs=1e-6)


def test_spopt_is_not_run_on_a_dense_matrix_too_large() -> None:
    row = run_method(nal_oost_cells(1_000.0, 100), "spopt", 60.0, 1e-4)
    assert row["status"].startswith("not run") and row["objective"] is None
