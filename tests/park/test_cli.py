"""The park model through the CLI: `siting import orlib-cap/holmberg`, `siting validate`,
`siting solve` (registry entry "park") and its result folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from siting.cli.main import cli
from siting.errors import InstanceError
from siting.importers import convert
from siting.park.synthetic import small_park, write_park_folder

ROOT = Path(__file__).resolve().parents[2]
CAP41 = ROOT / "instances" / "reference" / "orlib-cap" / "cap41.txt"
P1 = ROOT / "instances" / "reference" / "holmberg-sscflp" / "p1"
FAST_KEYS = {"status", "objective", "best_bound", "gap", "model", "objective_kind", "times", "solver", "instance", "kpis"}


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize(("fmt", "source", "single"), [("orlib-cap", CAP41, False), ("holmberg", P1, True)])
def test_import_writes_a_valid_park_instance(runner: CliRunner, tmp_path: Path, fmt: str, source: Path,
                                             single: bool) -> None:
    out = tmp_path / "inst"
    result = runner.invoke(cli, ["import", fmt, str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"instance.toml", "companies.csv", "squares.csv", "tiers.csv",
                                                "assign_costs.csv"}
    result = runner.invoke(cli, ["validate", str(out)])
    assert result.exit_code == 0, result.output
    assert ("single source" in result.output) == single and "1 slots" in result.output


def test_orlib_cap_capacity_word_needs_a_value(tmp_path: Path) -> None:
    text = CAP41.read_text().replace(" 5000 7500.", " capacity 7500.", 1)
    src = tmp_path / "capx.txt"
    src.write_text(text)
    (tmp_path / "a").mkdir()
    with pytest.raises(InstanceError, match="capacity"):
        convert("orlib-cap", src, tmp_path / "a")
    from siting.importers.orlib_cap import convert as convert_cap

    (tmp_path / "b").mkdir()
    convert_cap(src, tmp_path / "b", capacity=5000.0)
    assert (tmp_path / "b" / "tiers.csv").read_text().splitlines()[1] == "cap1,1,5000"


def test_holmberg_truncated_file_names_the_token(tmp_path: Path) -> None:
    src = tmp_path / "p1"
    src.write_text(" ".join(P1.read_text().split()[:30]))
    (tmp_path / "x").mkdir()
    with pytest.raises(InstanceError, match="ends after 30 tokens"):
        convert("holmberg", src, tmp_path / "x")


@pytest.mark.solver
def test_solve_park_writes_complete_result_folder(runner: CliRunner, tmp_path: Path) -> None:
    folder = write_park_folder(tmp_path / "park", *small_park(1))
    out = tmp_path / "out"
    result = runner.invoke(cli, ["solve", str(folder), "--out", str(out), "--profile", "exact"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in out.iterdir()} == {"summary.json", "summary.md", "sites.gpkg", "load_per_slot.png",
                                                "map.png", "report.html"}
    summary = json.loads((out / "summary.json").read_text())
    assert FAST_KEYS <= set(summary)
    assert summary["model"] == "park" and summary["status"] == "optimal"
    assert summary["verified"]["feasible"] and summary["verified"]["objective"] == pytest.approx(summary["objective"])
    text = (out / "summary.md").read_text()
    for phrase in ("collective charging square", "Total cost", "per year", "Grid area G1"):
        assert phrase in text, phrase
    import pyogrio

    layers = {name for name, _ in pyogrio.list_layers(out / "sites.gpkg")}
    assert layers == {"squares", "companies", "assignments", "grid_use", "layer_styles"}  # + their QGIS styles
    squares = pyogrio.read_dataframe(out / "sites.gpkg", layer="squares")
    assert {"tier", "chargers", "companies"} <= set(squares.columns)
    companies = pyogrio.read_dataframe(out / "sites.gpkg", layer="companies")
    assert {"charges_at", "unmet_kwh_per_day"} <= set(companies.columns)
    # the same folder again needs --overwrite
    again = runner.invoke(cli, ["solve", str(folder), "--out", str(out)])
    assert again.exit_code != 0 and "--overwrite" in again.output


@pytest.mark.solver
def test_solve_imported_cap41_reports_capopt(runner: CliRunner, tmp_path: Path) -> None:
    inst = tmp_path / "cap41"
    assert runner.invoke(cli, ["import", "orlib-cap", str(CAP41), "--out", str(inst)]).exit_code == 0
    out = tmp_path / "res"
    result = runner.invoke(cli, ["solve", str(inst), "--out", str(out), "--profile", "exact", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["objective"] == pytest.approx(1040444.375, abs=1e-3)
    assert not (out / "map.png").exists()  # no coordinates: no map, but the load figure and tables


REAL = ROOT / "instances" / "rijssen-holten-park"


def test_real_instance_validates(runner: CliRunner) -> None:
    result = runner.invoke(cli, ["validate", str(REAL)])
    assert result.exit_code == 0, result.output
    assert "64 companies, 32 candidate squares" in result.output and "96 slots" in result.output


@pytest.mark.solver
def test_real_instance_without_squares_solves(runner: CliRunner, tmp_path: Path) -> None:
    """The quick scenario of the real instance (no squares: own connections only, ~2 s)."""
    out = tmp_path / "own"
    result = runner.invoke(cli, ["solve", str(REAL), "--set", "park.max_squares=0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["kpis"]["squares_open"] == 0
    assert summary["kpis"]["energy_unmet_kwh_per_day"] > 0  # the grid peak and small own connections bite
    assert "none at 16:00-21:00" in (out / "summary.md").read_text()
