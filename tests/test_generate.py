"""`siting generate {fast,corridor,park}`: the same seed gives the same files byte for byte, another
seed other files; the generated instance passes `siting validate` and solves to optimality."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from siting.cli.main import cli
from siting.fast.load import load_fast
from siting.options import SolveOptions
from siting.registry import model_spec

SMALL = {  # kind -> options of a small instance (each solves in a few seconds)
    "fast": ["--demand", "3000", "--candidates", "60", "--grid-areas", "6", "--p", "5"],
    "corridor": ["--nodes", "150", "--od-pairs", "40", "--candidates", "30", "--towns", "20", "--motorway-towns", "5",
                 "--grid-areas", "6", "--p", "4"],
    "park": ["--companies", "8", "--squares", "3", "--parks", "2", "--slots", "24"],
}


def _generate(kind, folder, seed, *extra):
    result = CliRunner().invoke(cli, ["generate", kind, *SMALL[kind], "--seed", str(seed), "--out", str(folder), *extra])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("kind", list(SMALL))
def test_same_seed_same_bytes(kind, tmp_path):
    first = _generate(kind, tmp_path / "a" / "inst", 5)
    assert first == _generate(kind, tmp_path / "b" / "inst", 5)
    other = _generate(kind, tmp_path / "c" / "inst", 6)
    assert first.keys() == other.keys() and first != other


@pytest.mark.parametrize("kind", list(SMALL))
def test_existing_folder_needs_overwrite(kind, tmp_path):
    _generate(kind, tmp_path / "g", 1)
    result = CliRunner().invoke(cli, ["generate", kind, *SMALL[kind], "--seed", "2", "--out", str(tmp_path / "g")])
    assert result.exit_code != 0 and "--overwrite" in result.output
    assert _generate(kind, tmp_path / "g", 2, "--overwrite") == _generate(kind, tmp_path / "h" / "g", 2)


@pytest.mark.solver
@pytest.mark.parametrize("kind", list(SMALL))
def test_generated_instance_validates_and_solves(kind, tmp_path):
    folder = tmp_path / f"{kind}-small"
    _generate(kind, folder, 1)
    result = CliRunner().invoke(cli, ["validate", str(folder)])
    assert result.exit_code == 0 and "valid" in result.output, result.output
    api = model_spec(kind)
    run = api.solve(api.load(folder, []), SolveOptions(profile="default", time_limit=60))
    assert run.status == "optimal", run.result.message
    assert run.certificate is not None and run.certificate.violations == []


def test_generated_fast_instance_is_merged_per_cell(tmp_path):
    _generate("fast", tmp_path / "g", 1)
    inst = load_fast(tmp_path / "g")
    assert inst.name == "g"
    assert 0 < inst.n_demand <= 3000 and inst.weight.sum() == 3000  # points merged per 100 m cell
    assert inst.grid is not None and (inst.grid.available_kw == 0).any()


def test_generated_corridor_is_connected_with_motorways_and_search_areas(tmp_path):
    from siting.corridor.load import load_corridor

    _generate("corridor", tmp_path / "g", 1)
    inst = load_corridor(tmp_path / "g")
    assert inst.network.n_nodes == 150 and inst.n_od == 40 and inst.excluded == ()  # one connected graph
    assert "core" in set(inst.network.tent) and len(inst.area_ids) == 5 and (inst.area_of_site >= 0).any()
    assert inst.is_existing.sum() == 5 and inst.grid is not None


def test_fast_without_grid_areas(tmp_path):
    result = CliRunner().invoke(cli, ["generate", "fast", "--demand", "500", "--candidates", "20", "--grid-areas", "0",
                                      "--out", str(tmp_path / "g")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "g" / "grid_areas.csv").exists()
    assert load_fast(tmp_path / "g").grid is None
