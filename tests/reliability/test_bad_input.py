"""Every malformed instance of the catalogue is refused cleanly by `siting validate` and `siting solve`.

For each case of scripts/make_bad_instances.py (one defect each): exit code 2, a one-paragraph
message on stderr that names the file and, where the case has them, the layer, row id and field
- all on one line, with the expected words - no traceback, and no result folder or temporary
folder left behind. Positive cases (odd but valid input) exit 0; the graph with an island
reports its demand point as a white spot.

All cases run in-process through click's CliRunner (fast); a representative sample also runs the
installed `siting` script as a real subprocess, as a planner would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from siting.cli.main import cli

from .catalogue import CASE_NAMES, Case, build_catalogue

SITING = Path(sys.executable).parent / "siting"
SUBPROCESS_SAMPLE = [  # one per kind of input: TOML, GeoPackage, CSV, file system, real data, positives
    "toml_unknown_key", "gpkg_not_a_gpkg", "csv_unreadable", "csv_decimal_comma", "nal_point_in_new_york",
    "ok_csv_bom_crlf", "ok_graph_white_spot", "f25_od_no_path", "park_dwell_after_midnight",
]
MODEL_OF_REFERENCE = {"nal-oost-corridor": "corridor", "frlm25": "corridor", "rijssen-holten-park": "park"}
# issue 18: one rule for empty cells (an empty cell in a present column is an error in every model),
# an OD flow from a place to itself, and the parks layer that is only drawn on the map
EMPTY_CELL_CASES = [
    "corr_empty_candidate_land", "corr_empty_candidate_max_chargers", "corr_empty_existing_power",
    "corr_empty_search_area_min", "corr_empty_search_area_max", "f25_empty_fixed_cost",
    "park_empty_charger_cost", "park_empty_square_land", "park_empty_square_fixed_m2", "park_empty_tier_one_off_cost",
    "park_empty_tier_contract", "park_dwell_half_given", "park_parks_empty_area",
    "csv_empty_max_chargers", "nal_empty_existing_land", "graph_empty_node",
]
SAME_ENDS_CASES = ["corr_od_same_ends", "f25_od_same_node"]
MAP_LAYER_CASES = ["park_parks_duplicate_id", "park_parks_no_id", "park_parks_negative_area", "park_parks_empty_area",
                   "park_parks_empty_geometry", "nal_region_duplicate_id", "corr_municipalities_duplicate_id",
                   "park_municipalities_negative_population"]


@pytest.fixture(scope="session")
def catalogue(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Path]]:
    return build_catalogue(tmp_path_factory)


def assert_reported(stderr: str, case: Case) -> None:
    """One paragraph, no traceback, and one line naming everything the case locates."""
    text = stderr.strip()
    assert "Traceback" not in text, text
    assert text.startswith("Error:"), text
    assert "\n\n" not in text, f"more than one paragraph:\n{text}"
    wanted = [case.file]
    wanted += [f"layer '{case.layer}'"] if case.layer else []
    wanted += [f"row id '{case.row}'"] if case.row is not None else []
    wanted += [f"field '{case.field}'"] if case.field else []
    wanted += [case.message] if case.message else []
    assert any(all(w in line for w in wanted) for line in text.splitlines()), (
        f"{case.name} ({case.defect}): no line contains all of {wanted}:\n{text}")


def assert_nothing_written(parent: Path) -> None:
    assert list(parent.iterdir()) == [], f"left behind: {sorted(p.name for p in parent.iterdir())}"


def white_spot_ids(out: Path) -> list[str]:
    return [w["id"] for w in json.loads((out / "summary.json").read_text())["white_spots"]]


def test_catalogue_covers_the_issue(catalogue) -> None:
    cases = [c for c, _ in catalogue.values()]
    bad = [c for c in cases if not c.accept]
    assert len(bad) >= 40
    assert sorted(catalogue) == sorted(CASE_NAMES)
    assert all(c.file for c in bad), "every bad case names the file its message must name"
    for _, folder in catalogue.values():
        assert folder.is_dir()
    per_model = {m: [c.name for c in bad if MODEL_OF_REFERENCE.get(c.reference, "fast") == m]
                 for m in ("fast", "corridor", "park")}
    assert len(per_model["corridor"]) >= 10 and len(per_model["park"]) >= 10, per_model
    # the cases the issue names for these models
    named = {"f25_od_no_path": "origin/destination", "park_dwell_after_midnight": "dwell_end",
             "corr_scenario_missing_site": "sites.open"}
    for name, field in named.items():
        assert catalogue[name][0].field == field
    for name in EMPTY_CELL_CASES + SAME_ENDS_CASES + MAP_LAYER_CASES:
        case = catalogue[name][0]
        assert not case.accept and case.field, name
        assert case.row is not None or case.field == "id", f"{name}: the message must name the row"
    for name in EMPTY_CELL_CASES:
        assert catalogue[name][0].message.startswith("value is missing (an empty cell"), name
    models = {MODEL_OF_REFERENCE.get(catalogue[n][0].reference, "fast") for n in EMPTY_CELL_CASES}
    assert models == {"fast", "corridor", "park"}, "the empty-cell rule is tested in every model"


@pytest.mark.parametrize("name", CASE_NAMES)
def test_case_in_process(name: str, catalogue, tmp_path: Path) -> None:
    case, folder = catalogue[name]
    runner = CliRunner()
    checked = runner.invoke(cli, ["validate", str(folder)], catch_exceptions=False)
    out = tmp_path / "out"
    if case.accept:
        assert checked.exit_code == 0, checked.output
        assert "valid" in checked.stdout
        if not case.solve:
            return
        solved = runner.invoke(cli, ["solve", str(folder), "--out", str(out)], catch_exceptions=False)
        assert solved.exit_code == 0, solved.output
        assert (out / "summary.json").is_file()
        if case.white_spot:
            assert case.white_spot in white_spot_ids(out)
            assert case.white_spot in (out / "summary.md").read_text()
        return
    assert checked.exit_code == 2, checked.output
    assert_reported(checked.stderr, case)
    solved = runner.invoke(cli, ["solve", str(folder), "--out", str(out)], catch_exceptions=False)
    assert solved.exit_code == 2, solved.output
    assert_reported(solved.stderr, case)
    assert_nothing_written(tmp_path)


@pytest.mark.parametrize("name", SUBPROCESS_SAMPLE)
def test_case_real_subprocess(name: str, catalogue, tmp_path: Path) -> None:
    case, folder = catalogue[name]
    out = tmp_path / "out"
    checked = subprocess.run([SITING, "validate", folder], capture_output=True, text=True, timeout=120)
    solved = subprocess.run([SITING, "solve", folder, "--out", out], capture_output=True, text=True,
                            timeout=300, cwd=tmp_path)
    if case.accept:
        assert checked.returncode == 0, checked.stderr
        assert solved.returncode == 0, solved.stderr
        if case.white_spot:
            assert case.white_spot in white_spot_ids(out)
        return
    for proc in (checked, solved):
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        assert_reported(proc.stderr, case)
    assert_nothing_written(tmp_path)


def test_debug_shows_the_traceback(catalogue) -> None:
    """--debug is the one way to get a traceback: the InstanceError propagates."""
    _, folder = catalogue["csv_decimal_comma"]
    result = CliRunner().invoke(cli, ["validate", str(folder), "--debug"])
    assert type(result.exception).__name__ == "InstanceError"


def test_white_spot_is_the_island(catalogue) -> None:
    """D05 reaches a site on the reference graph and none once its edges lead to an island."""
    from siting.fast.load import load_fast
    from siting.fast.pairs import fast_pairs

    def reachable(folder: Path) -> bool:
        inst = load_fast(folder)
        pairs = fast_pairs(inst)
        i = list(inst.demand_ids).index("D05")
        return pairs.indptr[i + 1] > pairs.indptr[i]

    assert reachable(catalogue["ok_reference_tiny-graph"][1])
    assert not reachable(catalogue["ok_graph_white_spot"][1])

