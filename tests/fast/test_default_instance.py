"""The bundled NAL-Oost instance: it loads, solves to proven optimality and the checker agrees."""

from __future__ import annotations

import doctest
from pathlib import Path

import numpy as np
import pytest

import siting.fast.model
from siting.fast.api import solve_fast
from siting.fast.load import load_fast
from siting.options import SolveOptions

NAL_OOST = Path(__file__).resolve().parents[2] / "instances" / "nal-oost-fast"


def test_builder_docstring_example_runs():
    result = doctest.testmod(siting.fast.model)
    assert result.attempted > 0 and result.failed == 0


def test_nal_oost_loads_with_real_sizes():
    inst = load_fast(NAL_OOST)
    assert inst.n_demand == 790
    assert inst.is_existing.sum() == 234 and (~inst.is_existing).sum() == 393
    assert inst.grid is not None and inst.grid.size == 92
    assert np.all(inst.grid_of_site >= 0)  # every site joined to its nearest substation
    assert inst.crs == "EPSG:28992"
    assert 20_000 < inst.weight.sum() < 26_000  # sessions/day of the 2030 scenario (README)


@pytest.mark.solver
def test_nal_oost_solves_and_verifies():
    run = solve_fast(NAL_OOST, SolveOptions(profile="default"))
    assert run.status == "optimal"
    assert run.certificate is not None and run.certificate.violations == []
    assert run.certificate.objective == pytest.approx(run.objective, rel=1e-6)
    kpis = run.certificate.kpis
    assert kpis["new_sites"] <= 25
    # grid congestion binds: new chargers only where the substation has headroom
    inst, sol = run.instance, run.solution
    added = sol.chargers - inst.existing_chargers
    no_headroom = inst.grid.available_kw[inst.grid_of_site] <= 0
    assert added[no_headroom].sum() == 0
    assert added.sum() > 0
