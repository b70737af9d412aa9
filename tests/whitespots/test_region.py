"""The bundled NAL-Oost instance end to end (slow: about 7 s on the shared 2-core VM; `make test-slow`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from siting.cli.main import cli

INSTANCE = Path(__file__).resolve().parents[2] / "instances" / "nal-oost-basisnetwerk"


@pytest.mark.slow
@pytest.mark.solver
def test_region_run_writes_every_report(tmp_path):
    out = tmp_path / "ws"
    result = CliRunner().invoke(cli, ["whitespots", str(INSTANCE), "--out", str(out)])
    assert result.exit_code == 0, result.output
    import json

    summary = json.loads((out / "summary.json").read_text())
    w = summary["white_spots"]
    assert summary["status"] == "optimal" and w["white"] == w["a"] + w["b"] + w["c"] > 0
    assert w["locations_needed"] == w["lscp_cells"]  # a location lies in one cell: one per fillable cell
    assert len((out / "municipalities.csv").read_text().splitlines()) == 77  # header + 76 municipalities
    assert summary["times"]["total"] < 60
