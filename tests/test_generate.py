"""`siting generate`: the same seed gives the same files byte for byte; the instance solves."""

from __future__ import annotations

from click.testing import CliRunner

from siting.cli.main import cli
from siting.io.load import load_fast


def _generate(folder, seed):
    result = CliRunner().invoke(cli, ["generate", "fast", "--demand", "3000", "--candidates", "60", "--seed", str(seed),
                                      "--grid-areas", "6", "--p", "5", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_same_seed_same_bytes(tmp_path):
    first = _generate(tmp_path / "a" / "inst", 5)
    assert first == _generate(tmp_path / "b" / "inst", 5)
    assert first != _generate(tmp_path / "c" / "inst", 6)


def test_generated_instance_is_valid_and_merged_per_cell(tmp_path):
    _generate(tmp_path / "g", 1)
    inst = load_fast(tmp_path / "g")
    assert inst.name == "g"
    assert 0 < inst.n_demand <= 3000 and inst.weight.sum() == 3000  # points merged per 100 m cell
    assert inst.grid is not None and (inst.grid.available_kw == 0).any()
