"""Infeasibility diagnosis: screens in planners' words, then elastic relaxation per family."""

from __future__ import annotations

import numpy as np
import pytest

from siting.diagnose import elastic_conflicts, with_elastic_family
from siting.fast.api import solve_fast
from siting.formulation import Formulation
from siting.options import SolveOptions

EXACT = SolveOptions(profile="exact")


@pytest.mark.solver
def test_elastic_names_the_family_and_the_row():
    # x0 + x1 >= 3 with binaries cannot hold; 'cap' is innocent
    form = Formulation("toy")
    x = form.add_var("x", 2, domain="binary")
    form.add_constraint("demand", 1, [(x, [0, 0], [0, 1], 1.0)], lower=3.0, labels=["area-A"], doc="need three")
    form.add_constraint("cap", 1, [(x, [0], [0], 1.0)], upper=1.0, labels=["site-0"], doc="at most one")
    conflicts = elastic_conflicts(form, EXACT)
    assert [c.family for c in conflicts] == ["demand"]
    assert conflicts[0].rows == [("area-A", pytest.approx(1.0))]
    assert "area-A" in conflicts[0].sentence()


def test_elastic_copy_leaves_the_original_untouched():
    form = Formulation("toy")
    x = form.add_var("x", 2, domain="binary", cost=1.0)
    form.add_constraint("demand", 1, [(x, [0, 0], [0, 1], 1.0)], lower=3.0)
    before = form.matrix().toarray().copy()
    relaxed = with_elastic_family(form, "demand")
    assert relaxed.n_cols == form.n_cols + 2
    assert np.array_equal(form.matrix().toarray(), before)
    assert np.all(relaxed.column_arrays()[0][: form.n_cols] == 0)


@pytest.mark.solver
def test_grid_screen_names_area_and_demand(tiny_builder):
    def no_headroom(frames):
        frames["grid_areas"]["available_kw"] = 0.0
        frames["grid_areas"]["upgrade_kw"] = 0.0
        frames["existing"] = frames["existing"].iloc[:0]

    def serve_all(toml):
        toml["fast"].update({"objective": "capacitated", "serve_all": True})
        toml["fast"].pop("p")
        toml["layers"].pop("existing", None)

    folder = tiny_builder(edit=no_headroom, toml=serve_all)
    run = solve_fast(folder, EXACT)
    assert run.status == "infeasible"
    text = " ".join(run.diagnosis)
    assert "no headroom" in text and "G-west" in text
    assert "D01" in text  # a demand point that only such sites reach
