"""The `siting` command line, through click's CliRunner (and one real subprocess).

What a user relies on: help with examples, exit codes (0 ok, 2 bad input), problems that name
file/layer/row/field without a traceback, a complete result folder, no overwriting without
--overwrite, and no half-written or temporary folders left behind.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyogrio
import pytest
from click.testing import CliRunner

from siting.cli.main import cli

SUBCOMMANDS = sorted(cli.commands)
SUMMARY_KEYS = {"status", "objective", "best_bound", "gap", "model", "objective_kind", "times", "solver",
                "instance", "kpis"}
TIME_KEYS = {"load", "precompute", "build", "solve", "total"}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str | Path):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def hidden_entries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def broken_copy(tiny_builder) -> Path:
    """The tiny instance with a negative weight at demand D03."""

    def edit(layers: dict) -> None:
        layers["demand"].loc[2, "weight"] = -2.0

    return tiny_builder(edit=edit)


# -- help -----------------------------------------------------------------------------------------
def test_there_are_subcommands() -> None:
    assert {"solve", "validate", "import"} <= set(SUBCOMMANDS)


@pytest.mark.parametrize("args", [[]] + [[name] for name in SUBCOMMANDS], ids=["siting"] + SUBCOMMANDS)
def test_help_has_examples(runner: CliRunner, args: list[str]) -> None:
    result = run(runner, *args, "--help")
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_installed_entry_point_help() -> None:
    exe = Path(sys.executable).parent / "siting"
    assert exe.exists(), f"console script not installed next to {sys.executable}"
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "Example" in proc.stdout
    assert "solve" in proc.stdout and "validate" in proc.stdout


# -- validate -------------------------------------------------------------------------------------
def test_validate_ok(runner: CliRunner, tiny_instance: Path) -> None:
    result = run(runner, "validate", tiny_instance)
    assert result.exit_code == 0, result.output
    assert "valid" in result.stdout
    assert "12 demand points" in result.stdout


def test_validate_broken_exits_2_with_location(runner: CliRunner, tiny_builder, tmp_path: Path) -> None:
    folder = broken_copy(tiny_builder)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run(runner, "validate", folder)
    assert result.exit_code == 2
    assert "data.gpkg" in result.stderr
    assert "layer 'demand'" in result.stderr
    assert "row id 'D03'" in result.stderr
    assert "field 'weight'" in result.stderr
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing created


def test_solve_broken_exits_2_and_writes_nothing(runner: CliRunner, tiny_builder, tmp_path: Path) -> None:
    folder = broken_copy(tiny_builder)
    out = tmp_path / "results" / "broken"
    result = run(runner, "solve", folder, "--out", out)
    assert result.exit_code == 2
    assert "row id 'D03'" in result.stderr and "field 'weight'" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()
    assert not out.parent.exists() or hidden_entries(out.parent) == []


# -- solve ----------------------------------------------------------------------------------------
@pytest.fixture
def solved(runner: CliRunner, tiny_instance: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out" / "tiny"
    result = run(runner, "solve", tiny_instance, "--out", out)
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.solver
def test_solve_writes_complete_result_folder(solved: Path, tiny_instance: Path) -> None:
    assert sorted(p.name for p in solved.iterdir()) == ["map.png", "report.html", "sites.gpkg", "summary.json",
                                                        "summary.md"]
    layers = {str(name) for name, _ in pyogrio.list_layers(solved / "sites.gpkg")}
    assert layers == {"sites", "assignments", "demand", "grid_use", "layer_styles"}  # + their QGIS styles
    summary = json.loads((solved / "summary.json").read_text())
    assert SUMMARY_KEYS <= set(summary)
    assert summary["status"] == "optimal"
    assert summary["model"] == "fast"
    assert summary["objective_kind"] == "served_demand"
    assert summary["objective"] == pytest.approx(67.0)  # all coverable demand (71 - white spot D12)
    assert summary["best_bound"] == pytest.approx(summary["objective"], rel=1e-4)
    assert summary["gap"] is not None and summary["gap"] <= 1e-4
    assert TIME_KEYS <= set(summary["times"])
    assert all(summary["times"][k] >= 0 for k in TIME_KEYS)
    assert {"name", "version", "options"} <= set(summary["solver"])
    assert summary["solver"]["name"] == "highs"
    assert summary["instance"]["name"] == "tiny"
    sha = summary["instance"]["sha256"]
    assert set(sha) == {"data.gpkg", "instance.toml"}
    assert all(len(h) == 64 for h in sha.values())
    assert summary["kpis"]["existing_sites"] == 2
    assert summary["kpis"]["white_spots"] == 1
    assert (solved / "map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "tiny" in (solved / "summary.md").read_text()
    assert hidden_entries(solved.parent) == []


@pytest.mark.solver
def test_solve_refuses_to_overwrite(runner: CliRunner, solved: Path, tiny_instance: Path) -> None:
    summary = solved / "summary.json"
    stat, data = summary.stat(), summary.read_bytes()
    result = run(runner, "solve", tiny_instance, "--out", solved)
    assert result.exit_code != 0
    assert "--overwrite" in result.output
    assert "Traceback" not in result.output
    assert summary.stat().st_mtime_ns == stat.st_mtime_ns
    assert summary.read_bytes() == data
    assert hidden_entries(solved.parent) == []


@pytest.mark.solver
def test_solve_overwrite(runner: CliRunner, solved: Path, tiny_instance: Path) -> None:
    before = (solved / "summary.json").stat().st_mtime_ns
    result = run(runner, "solve", tiny_instance, "--out", solved, "--overwrite", "--objective", "lscp")
    assert result.exit_code == 0, result.output
    summary = json.loads((solved / "summary.json").read_text())
    assert summary["objective_kind"] == "cost"
    assert (solved / "summary.json").stat().st_mtime_ns != before
    assert hidden_entries(solved.parent) == []


@pytest.mark.solver
def test_solve_json(runner: CliRunner, tiny_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "json"
    result = run(runner, "solve", tiny_instance, "--out", out, "--json")
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    written = json.loads((out / "summary.json").read_text())
    assert printed["status"] == written["status"] == "optimal"
    assert printed["objective"] == pytest.approx(written["objective"])


@pytest.mark.solver
def test_solve_set_p_zero(runner: CliRunner, tiny_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "p0"
    result = run(runner, "solve", tiny_instance, "--out", out, "--set", "fast.p=0", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["instance"]["parameters"]["p"] == 0
    assert summary["kpis"]["new_sites"] == 0
    assert summary["kpis"]["sites_open"] == 2  # the existing ones


@pytest.mark.solver
def test_solve_objective_mclp(runner: CliRunner, tiny_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "mclp"
    result = run(runner, "solve", tiny_instance, "--out", out, "--objective", "mclp", "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["objective_name"] == "mclp"
    assert summary["objective_kind"] == "covered_demand"
    assert summary["objective"] == pytest.approx(summary["kpis"]["covered_demand"])


def test_unknown_solver(runner: CliRunner, tiny_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "nosolver"
    result = run(runner, "solve", tiny_instance, "--out", out, "--solver", "nosuchsolver")
    assert result.exit_code != 0
    assert "nosuchsolver" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert hidden_entries(tmp_path) == []


def test_unknown_profile(runner: CliRunner, tiny_instance: Path, tmp_path: Path) -> None:
    out = tmp_path / "noprofile"
    result = run(runner, "solve", tiny_instance, "--out", out, "--profile", "nosuch")
    assert result.exit_code != 0
    assert "nosuch" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()
    assert hidden_entries(tmp_path) == []
