"""Corridor infeasibility screen (siting.corridor.screens): a required share of the trucks that the
range cannot reach is explained by the flows out of range and their longest gap."""

from __future__ import annotations

import pytest
from tests.corridor.test_load import write_instance

from siting.corridor.api import solve_corridor
from siting.corridor.load import load_corridor
from siting.options import SolveOptions


@pytest.mark.solver
def test_required_share_beyond_range_names_flow_and_gap(tmp_path):
    """Chain W-A-B-C-E (10 km edges), stations possible at A, B, C, S; range 15 km: the turn-around
    at W (10 km from A, out and back 20 km) is out of reach, so no W flow can be refuelled."""
    folder = write_instance(tmp_path / "chain", toml=lambda c: c["corridor"].update(
        objective="cost", required_share=1.0, range=15.0) or c["corridor"].pop("p"))
    run = solve_corridor(load_corridor(folder), SolveOptions(profile="exact"))
    assert run.status == "infeasible"
    text = "\n".join(run.diagnosis)
    assert "can be refuelled at range 15" in text
    assert "OD flow pW->pE (100.0 trucks/day) cannot be refuelled" in text
    assert "is 20.0 (out and back at a turn-around) but the range is 15" in text
