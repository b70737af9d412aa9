"""Park scenario files in a sweep: every part of a `siting.park.scenario` file (squares, tiers,
contracts, grid, set) reaches the run, as in `siting compare`; an unknown id stops the sweep before
any run, naming the scenario file and the key. Runs are called as tasks (no Dask cluster)."""

from __future__ import annotations

from pathlib import Path

import pytest

from siting.errors import InstanceError
from siting.park.api import solve_park
from siting.park.scenario import load_option, load_scenario
from siting.park.synthetic import small_park, write_park_folder
from siting.sweep import read_sweep, run_task

SCENARIO = """name = "s1 open"
description = "s1 fixed open, no small tier, Grid G1 +200 kW, a higher penalty"
[set]
"park.unmet_penalty" = 5.0
[squares]
open = ["s1"]
closed = ["s3"]
[tiers]
drop = ["3x250A"]
[grid]
extra_kw = { "G1" = 200.0 }
"""


def write(root: Path, scenario: str = SCENARIO) -> Path:
    """small_park(1) (its own plan opens s4 only), the scenario and a sweep over the energy price."""
    write_park_folder(root / "park", *small_park(1))
    (root / "s1-open.toml").write_text(scenario)
    sweep = root / "sweep.toml"
    sweep.write_text('instance = "park"\nscenarios = ["s1-open.toml"]\n[solve]\nprofile = "exact"\n'
                     '[grid]\n"park.energy_price" = [0.25, 0.30]\n')
    return sweep


def test_read_sweep_takes_a_full_park_scenario(tmp_path):
    sweep = read_sweep(write(tmp_path))
    assert sweep.model == "park" and sweep.axes == ("scenario", "park.energy_price")
    assert [r.name for r in sweep.runs] == ["s1-open_energy_price=0.25", "s1-open_energy_price=0.3"]
    for run in sweep.runs:
        assert run.scenario_file == str((tmp_path / "s1-open.toml").resolve())
        assert 'park.unmet_penalty=5.0' in run.overrides


@pytest.mark.solver
def test_every_part_of_a_park_scenario_reaches_the_run(tmp_path):
    sweep = read_sweep(write(tmp_path))
    folder = tmp_path / "park"
    scenario = load_scenario(tmp_path / "s1-open.toml")
    for spec in sweep.runs:
        got = run_task(sweep.model, str(sweep.instance), spec, sweep.options)["summary"]
        inst = load_option(folder, scenario, list(spec.overrides))
        direct = solve_park(inst, sweep.options)
        assert got["status"] == direct.status == "optimal"
        assert got["objective"] == pytest.approx(direct.objective, rel=1e-9)
        params = got["instance"]["parameters"]
        assert params["unmet_penalty"] == 5.0 and params["energy_price"] == spec.values["park.energy_price"]
        opened = {row["id"] for row in got["squares"]}
        assert "s1" in opened and "s3" not in opened  # fixed open; closed
        assert all(row["tier"] != "3x250A" for row in got["squares"])  # dropped
        assert inst.headroom_kw.max() == pytest.approx(800.0)  # 600 + 200 kW (x the profile, max 1)


BAD = [  # (scenario text, field named, id named)
    ('name = "bad"\n[squares]\nopen = ["s9"]\n', "squares.open", "s9"),
    ('name = "bad"\n[tiers]\ndrop = ["630kva"]\n', "tiers.drop", "630kva"),
    ('name = "bad"\n[grid]\nextra_kw = { "G2" = 1.0 }\n', "grid.extra_kw", "G2"),
    ('name = "bad"\n[square]\nopen = ["s1"]\n', "square", "unknown key"),
]


@pytest.mark.parametrize(("text", "field", "name"), BAD)
def test_a_bad_park_scenario_stops_the_sweep_naming_file_key_and_id(tmp_path, text, field, name):
    with pytest.raises(InstanceError) as err:
        read_sweep(write(tmp_path, text))
    text = err.value.describe()
    assert "s1-open.toml" in text and field in text and name in text, text
