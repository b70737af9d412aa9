"""`siting solve --write-model FILE.lp|.mps`: the model handed on is the model solved.

The written file is read back by a fresh HiGHS and solved: its optimum must be siting's optimum
(objective constant included), for every model and both formats.
"""

from __future__ import annotations

import json
from pathlib import Path

import highspy
import pytest
from click.testing import CliRunner

from siting.cli.main import cli
from siting.options import SolveOptions

REPO = Path(__file__).resolve().parents[2]


def instance_of(model: str, tmp_path: Path, tiny_folder: Path) -> Path:
    """Small instances of each model (a fresh HiGHS needs 20 s on the Rijssen-Holten park's MPS)."""
    if model == "park":
        from siting.park.synthetic import small_park, write_park_folder

        return write_park_folder(tmp_path / "park", *small_park(1))
    return REPO / "instances" / "nal-oost-corridor" if model == "corridor" else tiny_folder


def solve_file(path: Path) -> tuple[str, float, float]:
    """(status, objective, bound) of a fresh HiGHS on the file, at siting's default gap."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", SolveOptions().gap)
    assert h.readModel(str(path)) == highspy.HighsStatus.kOk
    h.run()
    info = h.getInfo()
    bound = info.mip_dual_bound if h.getNumCol() and info.mip_node_count >= 0 else info.objective_function_value
    return h.modelStatusToString(h.getModelStatus()), info.objective_function_value, bound


@pytest.mark.solver
@pytest.mark.parametrize("model", ["fast", "corridor", "park"])
def test_written_model_solves_to_the_same_optimum(tmp_path: Path, tiny_folder: Path, model: str) -> None:
    """Both solves stop within the default gap: their [bound, objective] intervals must meet, so
    the two models have the same optimum (up to that gap); the tiny fast model is proven exactly."""
    instance = instance_of(model, tmp_path, tiny_folder)
    runner = CliRunner()
    for suffix in (".mps", ".lp"):
        out, model_file = tmp_path / f"out{suffix}", tmp_path / f"{model}{suffix}"
        result = runner.invoke(cli, ["solve", str(instance), "--out", str(out), "--json",
                                     "--write-model", str(model_file)])
        assert result.exit_code == 0, result.output
        summary = json.loads((out / "summary.json").read_text())
        assert summary["status"] == "optimal"
        assert f"Model written to {model_file}" in result.stderr
        status, objective, bound = solve_file(model_file)
        assert status == "Optimal"
        low, high = sorted((summary["objective"], summary["best_bound"]))
        tol = 1e-6 * max(1.0, abs(objective))
        assert min(objective, bound) <= high + tol and max(objective, bound) >= low - tol, (summary, objective, bound)
        if summary["gap"] == 0:
            assert objective == pytest.approx(summary["objective"], rel=1e-9, abs=1e-9)


def test_written_names_follow_the_blocks(tmp_path: Path, tiny_folder: Path) -> None:
    """Columns and rows carry their block's name, as in models/fast.md, so the file can be read."""
    model_file = tmp_path / "tiny.lp"
    result = CliRunner().invoke(cli, ["solve", str(tiny_folder), "--out", str(tmp_path / "out"), "--json",
                                      "--write-model", str(model_file)])
    assert result.exit_code == 0, result.output
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(model_file))
    names = {h.getColName(j)[1].split("(")[0] for j in range(h.getNumCol())}
    assert "x" in names  # the open decision of models/fast.md


def test_the_objective_constant_is_kept(tmp_path: Path) -> None:
    """A formulation with a constant term (fixed existing coverage, merged classes) keeps it."""
    import numpy as np

    from siting.formulation import Formulation
    from siting.formulation.emit import write_model

    form = Formulation("constant", sense="max")
    x = form.add_var("x", 2, ub=1.0, domain="binary", cost=np.array([3.0, 2.0]))
    form.add_constraint("budget", 1, [(x, np.array([0, 0]), np.array([0, 1]), 1.0)], upper=1.0)
    form.offset = 10.0
    for suffix in (".mps", ".lp"):
        write_model(form, tmp_path / f"c{suffix}")
        assert solve_file(tmp_path / f"c{suffix}")[:2] == ("Optimal", pytest.approx(13.0))


def test_refusals_come_before_any_solve(tmp_path: Path, tiny_folder: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "out"
    wrong = runner.invoke(cli, ["solve", str(tiny_folder), "--out", str(out), "--write-model", str(tmp_path / "m.txt")])
    assert wrong.exit_code == 2 and ".lp or .mps" in wrong.output
    existing = tmp_path / "keep.mps"
    existing.write_text("a colleague's model\n")
    kept = runner.invoke(cli, ["solve", str(tiny_folder), "--out", str(out), "--write-model", str(existing)])
    assert kept.exit_code != 0 and "--overwrite" in kept.output
    assert existing.read_text() == "a colleague's model\n"
    no_folder = runner.invoke(cli, ["solve", str(tiny_folder), "--out", str(out),
                                    "--write-model", str(tmp_path / "missing" / "m.mps")])
    assert no_folder.exit_code == 2 and "does not exist" in no_folder.output
    assert not out.exists()
