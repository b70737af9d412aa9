"""`siting compare` of a rollout instance and rollout scenarios in sweeps: the two references
from one solve (year by year = the myopic plan, planned ahead = solve_rollout), every scenario
equal to an independent solve of the instance it describes (written out as its own folder), the
periods as a dimension of compare.md/compare.csv, bad scenario files named by file and key."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from tests.core import test_report_html as harness
from tests.rollout.test_rollout import _rollout_folder

from siting.cli.main import cli
from siting.errors import InstanceError
from siting.options import SolveOptions
from siting.rollout.api import solve_rollout
from siting.rollout.compare import PLANNED_AHEAD, YEAR_BY_YEAR
from siting.rollout.scenario import load_option, load_scenario

browser, open_page = harness.browser, harness.open_page  # the report.html harness's fixtures
EXACT = SolveOptions(profile="exact")
OPTIONS = [YEAR_BY_YEAR, PLANNED_AHEAD, "slower", "east reinforced"]

SLOWER = 'name = "slower"\ndescription = "two new sites by 2030"\n[periods.2030]\np = 2\n'
EAST = ('name = "east reinforced"\n[[grid.reinforcements]]\nsubstation = "G-east"\nkw = 600.0\nyear = 2030\n'
        'what = "new transformer"\n')


def scenario(root: Path, text: str, name: str = "scenario") -> Path:
    path = root / f"{name}.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("rollout-compare")
    folder = _rollout_folder(root)
    out = root / "out"
    args = ["compare", str(folder), "--out", str(out), "--profile", "exact",
            "--scenario", str(scenario(root, SLOWER, "slower")), "--scenario", str(scenario(root, EAST, "east"))]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out


def test_the_references_are_the_year_by_year_and_the_planned_ahead_plans(compared, tmp_path):
    table = pd.read_csv(compared / "compare.csv", index_col=0)
    assert list(table.columns) == ["year"] + OPTIONS
    whole = table[table["year"].isna()]
    assert (whole.loc["result", OPTIONS] == "optimal").all()
    run = solve_rollout(_rollout_folder(tmp_path), EXACT)
    objective = whole.loc["objective over the periods"].astype(float)
    assert objective[PLANNED_AHEAD] == pytest.approx(run.certificate.objective)
    assert objective[YEAR_BY_YEAR] == pytest.approx(run.myopic_certificate.objective)
    assert objective[PLANNED_AHEAD] >= objective[YEAR_BY_YEAR] - 1e-6  # maximising: ahead is never worse
    gain = float(whole.loc["gain of planning ahead over year by year", PLANNED_AHEAD])
    assert gain == pytest.approx(objective[PLANNED_AHEAD] - objective[YEAR_BY_YEAR])


def test_each_scenario_equals_a_solve_of_the_instance_it_describes(compared, tmp_path):
    table = pd.read_csv(compared / "compare.csv", index_col=0)
    objective = table[table["year"].isna()].loc["objective over the periods"]
    slower = _rollout_folder(tmp_path / "slower", lambda c: c["rollout"]["periods"][1].update(p=2))

    def east(layers):
        layers["demand"]["weight_2030"] = layers["demand"]["weight"] * 2.0
        grid = layers["grid_areas"]
        grid["available_kw_2030"] = grid["available_kw"] + 300.0 + np.where(grid["id"] == "G-east", 600.0, 0.0)

    from tests.conftest import write_tiny

    def toml(config):
        config["model"] = "rollout"
        config["rollout"] = {"start": "2026-Q1", "lead_quarters": 2, "periods": [
            {"year": 2026, "p": 2}, {"year": 2030, "demand": "weight_2030", "headroom": "available_kw_2030", "p": 4}]}

    reinforced = write_tiny(tmp_path / "east", edit=east, toml=toml)
    whole = table[table["year"].isna()]
    for name, folder in (("slower", slower), ("east reinforced", reinforced)):
        run = solve_rollout(folder, EXACT)
        assert float(objective[name]) == pytest.approx(run.certificate.objective), name
        assert float(whole.loc["objective of the same option planned year by year", name]) == pytest.approx(
            run.myopic_certificate.objective), name
    assert float(objective["slower"]) <= float(objective[PLANNED_AHEAD]) + 1e-6


def test_every_period_is_a_section_and_a_year_in_the_csv(compared):
    table = pd.read_csv(compared / "compare.csv", index_col=0)
    assert sorted(set(table["year"].dropna().astype(int))) == [2026, 2030]
    per_year = table[table["year"] == 2030]
    new_sites = per_year.loc["new sites open", OPTIONS].astype(float)
    assert new_sites["slower"] <= 2 and new_sites[PLANNED_AHEAD] <= 4
    served = table[table["year"] == 2026].loc["demand served, %", OPTIONS].astype(float)
    assert ((served >= 0) & (served <= 100)).all()
    text = (compared / "compare.md").read_text()
    for phrase in ("# Rollout options compared: 2026, 2030", "## 2026", "## 2030", "new sites opened this period",
                   "new transformer at G-east +600 kW from 2030", "2030: p = 2"):
        assert phrase in text, phrase
    assert {p.name for p in compared.glob("map-*.png")} == {
        "map-year-by-year.png", "map-planned-ahead.png", "map-slower.png", "map-east-reinforced.png"}
    page = (compared / "compare.html").read_text(encoding="utf-8")
    assert page.count('<tr class="option">') == 4 and page.count('class="siting-map"') == 4
    assert "<script src" not in page


def test_compare_html_draws_a_map_per_option(compared, open_page):
    harness.check_compare_page(open_page(compared / "compare.html"), OPTIONS, ("sites",))


def test_a_closed_site_never_opens(tmp_path):
    folder = _rollout_folder(tmp_path)
    run = solve_rollout(folder, EXACT)
    opened = run.solution.periods[-1].open & ~run.instance.first.is_existing
    chosen = str(run.instance.first.site_ids[np.flatnonzero(opened)[0]])
    inst = load_option(folder, load_scenario(scenario(tmp_path, f'[sites]\nclosed = ["{chosen}"]\n')))
    closed = solve_rollout(inst, EXACT)
    for q, s in zip(closed.instance.periods, closed.solution.periods, strict=True):
        assert chosen not in set(q.site_ids[s.open].astype(str))
    assert closed.certificate.objective <= run.certificate.objective + 1e-6


@pytest.mark.parametrize(("text", "field", "row"), [
    ("[periods.2027]\np = 3\n", "periods.2027", None),
    ('[[grid.reinforcements]]\nsubstation = "G-nowhere"\nkw = 100.0\nyear = 2030\n',
     "grid.reinforcements.substation", "G-nowhere"),
    ('[sites]\nclosed = ["E1"]\n', "sites.closed", "E1"),
    ('[sites]\nclosed = ["C99"]\n', "sites.closed", "C99"),
])
def test_a_bad_scenario_names_its_file_key_and_id(tmp_path, text, field, row):
    folder = _rollout_folder(tmp_path)
    path = scenario(tmp_path, text)
    with pytest.raises(InstanceError) as err:
        load_option(folder, load_scenario(path))
    problem = err.value.problems[0]
    assert problem.file == str(path) and problem.field == field and problem.row == row


def test_a_period_change_that_breaks_the_rules_is_the_scenarios_problem(tmp_path):
    folder = _rollout_folder(tmp_path)
    path = scenario(tmp_path, "[periods.2030]\np = 1\n")  # fewer than the 2 of 2026: counts are cumulative
    result = CliRunner().invoke(cli, ["compare", str(folder), "--scenario", str(path), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and "cumulative" in result.output
    assert not (tmp_path / "o").exists()


def test_the_documented_example_is_a_valid_scenario_file(tmp_path):
    import siting.rollout.scenario as module

    text = module.__doc__.split("```toml\n", 1)[1].split("```", 1)[0]
    sc = load_scenario(scenario(tmp_path, text))
    assert sc.periods[2030].p == 30 and sc.grid.reinforcements[0].kw == 10000.0
    assert "new 150/20 kV station at dso-OS-ZWOLLE +10,000 kW from 2030" in sc.changes()


def test_a_sweep_takes_rollout_scenarios_and_shows_every_period(tmp_path):
    """The runs as tasks (no Dask cluster), then the sweep table: per-period columns."""
    from siting.sweep import read_sweep, run_task
    from siting.sweep.report import SweepReport, sweep_table

    folder = _rollout_folder(tmp_path)
    scenario(tmp_path, SLOWER, "slower")
    path = tmp_path / "sweep.toml"
    path.write_text(f'instance = "{folder.name}"\nscenarios = ["slower.toml"]\n'
                    '[grid]\n"fast.radius" = [3000.0, 4000.0]\n[solve]\nprofile = "exact"\n')
    sweep = read_sweep(path)
    assert sweep.model == "rollout" and len(sweep.runs) == 2
    summaries = {}
    for spec in sweep.runs:
        summary = run_task(sweep.model, str(sweep.instance), spec, sweep.options)["summary"]
        assert summary["status"] == "optimal"
        assert summary["kpis"]["by_period"]["2030"]["new_sites"] <= 2  # the scenario's p for 2030
        direct = solve_rollout(load_option(folder, load_scenario(tmp_path / "slower.toml"), list(spec.overrides)),
                               sweep.options)
        assert summary["objective"] == pytest.approx(direct.objective, rel=1e-9)
        summaries[spec.name] = summary
    table = sweep_table(SweepReport(sweep, tmp_path / "out", summaries))
    assert "new_sites 2026" in table.columns and "gain_of_planning_ahead" in table.columns
    for row, spec in zip(table.to_dict("records"), sweep.runs, strict=True):
        by = summaries[spec.name]["kpis"]["by_period"]
        assert row["new_sites 2026"] == by["2026"]["new_sites"] and row["new_sites"] == by["2030"]["new_sites"]
        assert row["gain_of_planning_ahead"] == summaries[spec.name]["myopic"]["gain_of_planning_ahead"]


def test_a_sweep_stops_on_a_bad_rollout_scenario_before_any_run(tmp_path):
    from siting.sweep import read_sweep

    folder = _rollout_folder(tmp_path)
    scenario(tmp_path, "[periods.2027]\np = 3\n", "bad")
    path = tmp_path / "sweep.toml"
    path.write_text(f'instance = "{folder.name}"\nscenarios = ["bad.toml"]\n')
    with pytest.raises(InstanceError) as err:
        read_sweep(path)
    assert err.value.problems[0].field == "periods.2027" and "bad.toml" in err.value.problems[0].file


def test_the_bundled_scenarios_load_against_their_instance():
    folder = Path(__file__).resolve().parents[2] / "instances" / "nal-oost-rollout"
    paths = sorted((folder / "scenarios").glob("*.toml"))
    assert len(paths) >= 2
    for path in paths:
        assert "[estimate]" in path.read_text() or "[sourced]" in path.read_text(), path.name
        inst = load_option(folder, load_scenario(path))
        assert inst.n_periods == 3, path.name
