"""Bad park input: a clear message naming file, layer, row id and field; exit code 2 through the
CLI and no output folder; infeasible companies reported, not crashed on."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from siting.cli.main import cli
from siting.errors import InstanceError
from siting.park.load import load_park
from siting.park.synthetic import small_park, write_park_folder


def broken(tmp_path: Path, edit, toml=None) -> Path:
    tables, config = small_park(0)
    edit(tables)
    if toml is not None:
        toml(config)
    return write_park_folder(tmp_path / "broken", tables, config)


def problems_of(folder: Path) -> list:
    with pytest.raises(InstanceError) as err:
        load_park(folder)
    return err.value.problems


def only(problems, **where):
    found = [p for p in problems if all(getattr(p, k) == v for k, v in where.items())]
    assert found, problems
    return found[0]


def test_small_park_is_valid(tmp_path: Path) -> None:
    inst = load_park(write_park_folder(tmp_path / "ok", *small_park(0)))
    assert inst.n_companies > 0 and inst.n_pairs > 0 and not inst.notes


def test_dwell_window_outside_the_day(tmp_path: Path) -> None:
    def edit(t):
        t["companies"].loc[2, "dwell_end"] = 30.0

    p = only(problems_of(broken(tmp_path, edit)), layer="companies", row="c003", field="dwell_end")
    assert "outside the day" in p.message and p.file.endswith("companies.csv")


def test_negative_dwell_time(tmp_path: Path) -> None:
    def edit(t):
        t["companies"].loc[0, "dwell_start"] = -1.0

    only(problems_of(broken(tmp_path, edit)), layer="companies", row="c001", field="dwell_start")


def test_zero_capacity_tier(tmp_path: Path) -> None:
    def edit(t):
        t["tiers"].loc[1, "capacity_kw"] = 0.0

    p = only(problems_of(broken(tmp_path, edit)), layer="tiers", row="630kVA", field="capacity_kw")
    assert "zero" in p.message


def test_company_with_nowhere_to_charge(tmp_path: Path) -> None:
    def edit(t):
        c = t["companies"]
        c.loc[4, ["x", "y", "own_kw"]] = [50_000.0, 50_000.0, 0.0]

    p = only(problems_of(broken(tmp_path, edit)), layer="companies", row="c005", field="own_kw")
    assert "walking distance" in p.message


def test_energy_beyond_window_is_an_error_without_penalty(tmp_path: Path) -> None:
    def edit(t):
        t["companies"].loc[1, "kwh_per_day"] = 1e5

    def toml(c):
        del c["park"]["unmet_penalty"]

    p = only(problems_of(broken(tmp_path, edit, toml)), layer="companies", row="c002", field="kwh_per_day")
    assert "infeasible for this company" in p.message


@pytest.mark.solver
def test_energy_beyond_window_is_reported_with_penalty(tmp_path: Path) -> None:
    from siting.options import SolveOptions
    from siting.park.api import solve_park
    def edit(t):
        t["companies"].loc[1, "kwh_per_day"] = 1e4

    inst = load_park(broken(tmp_path, edit))
    assert len(inst.notes) == 1 and "c002" in inst.notes[0]
    run = solve_park(inst, SolveOptions(profile="exact"))
    assert run.status == "optimal" and run.certificate.violations == []
    k = list(inst.company_ids).index("c002")
    assert run.solution.unmet[k] >= 1e4 - inst.max_energy()[k] - 1e-6


def test_unknown_profile_and_square(tmp_path: Path) -> None:
    def edit(t):
        t["tiers"].loc[2, "contract"] = "nachtstroom"
        t["tiers"]["square"] = ["s1", "nowhere", None]

    problems = problems_of(broken(tmp_path, edit))
    only(problems, layer="tiers", row="630kVA-timebound", field="contract")
    only(problems, layer="tiers", row="630kVA", field="square")


def test_profiles_need_one_row_per_slot(tmp_path: Path) -> None:
    def edit(t):
        t["profiles"] = t["profiles"].iloc[:5]

    only(problems_of(broken(tmp_path, edit)), layer="profiles", field="slot")


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    def edit(t):
        t["companies"].loc[2, "dwell_end"] = 30.0

    folder = broken(tmp_path, edit)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["solve", str(folder), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "row id 'c003'" in result.output and "field 'dwell_end'" in result.output
    assert not out.exists()
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 2


def test_energy_from_km_per_vehicle(tmp_path: Path) -> None:
    def edit(t):
        c = t["companies"] = t["companies"].drop(columns="kwh_per_day")
        c["van_km_per_day"], c["van_kwh_per_km"] = 70.0, 0.25
        c["truck_kwh_per_day"] = 150.0

    inst = load_park(broken(tmp_path, edit))
    assert inst.energy_kwh == pytest.approx(inst.vans * 17.5 + inst.trucks * 150.0)


def test_missing_energy_names_the_field(tmp_path: Path) -> None:
    def edit(t):
        t["companies"] = t["companies"].drop(columns="kwh_per_day")

    only(problems_of(broken(tmp_path, edit)), layer="companies", field="kwh_per_day")
