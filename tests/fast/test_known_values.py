"""Known-value tests: published optima of public benchmarks, solved end to end.

Each row of `tests/fast/known_values.csv` names a reference file under `instances/reference/` (copied
there with its SOURCES.md; nothing is read from outside the repository), the importer format,
`--set` overrides, the metric and its published value. A case imports the file into tmp_path
with `siting.importers.convert`, solves with the `exact` profile and checks

* status == "optimal" and the metric equals the published value,
* the solver's objective agrees with its own best bound (proved optimal, zero gap),
* the independent checker (`verify_fast`) recomputes the same objective with no violations.

Swain's 55 points have no published MCLP table in any source we found, so they are compared
with spopt's MCLP (pulp + CBC) solved in the test on the same Euclidean cost matrix.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest

from siting.fast.api import solve_fast
from siting.importers import convert
from siting.options import SolveOptions

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "instances" / "reference"
MANIFEST = Path(__file__).with_name("known_values.csv")
EXACT = SolveOptions(profile="exact")
FLOAT_SLACK = 1e-6  # relative: solver objectives are floats (252.99999999999483 for 253)


def manifest_rows() -> list[dict[str, str]]:
    with open(MANIFEST, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _cases():
    for row in manifest_rows():
        marks = [pytest.mark.slow] if row["slow"].strip().lower() == "yes" else []
        yield pytest.param(row, id=f"{row['set']}-{row['instance']}", marks=marks)


def overrides_of(row: dict[str, str]) -> list[str]:
    return [item.strip() for item in row["overrides"].split(";") if item.strip()]


def close(value: float, expected: float, rel: float) -> bool:
    return abs(value - expected) <= max(rel, FLOAT_SLACK) * max(1.0, abs(expected))


def import_instance(fmt: str, source: Path, folder: Path) -> Path:
    folder.mkdir()
    convert(fmt, source, folder)
    return folder


def metric_value(run, metric: str) -> float:
    if metric == "objective":
        return run.objective
    if metric == "objective_per_weight":  # spopt's mean_dist = objective / sum of weights
        return run.objective / float(run.instance.weight.sum())
    if metric.startswith("kpi:"):
        return float(run.certificate.kpis[metric.removeprefix("kpi:")])
    raise ValueError(f"unknown metric {metric!r} in {MANIFEST.name}")


def assert_proved_and_certified(run) -> None:
    assert run.status == "optimal", run.result.message
    assert run.objective is not None and run.certificate is not None
    assert run.certificate.violations == []
    assert close(run.certificate.objective, run.objective, 0.0), (run.certificate.objective, run.objective)
    assert run.result.best_bound is not None
    assert close(run.result.best_bound, run.objective, 0.0), (run.result.best_bound, run.objective)


@pytest.mark.solver
@pytest.mark.parametrize("row", list(_cases()))
def test_known_value(row: dict[str, str], tmp_path: Path) -> None:
    folder = import_instance(row["format"], ROOT / row["file"], tmp_path / "instance")
    run = solve_fast(folder, EXACT, overrides=overrides_of(row))
    assert_proved_and_certified(run)
    expected = float(row["expected"])
    value = metric_value(run, row["metric"])
    tolerance = float(row["tolerance"])
    if tolerance == 0:  # an integer optimum: equal up to the solver's float noise
        assert close(value, expected, 0.0) and round(value) == expected, (value, expected)
    else:
        assert close(value, expected, tolerance), (value, expected)


def test_manifest_matches_reference_known_values() -> None:
    """Every value taken from a reference known_values.csv is copied without a typo."""
    rows = manifest_rows()
    assert rows
    for row in rows:
        assert (ROOT / row["file"]).exists(), row["file"]
        assert not Path(row["file"]).is_absolute() and "shared" not in Path(row["file"]).parts
        assert row["slow"] in ("yes", "no")
        if row["kind"] == "reproduction":  # not a published value: documented in SOURCES.md
            continue
        with open(REFERENCE / row["set"] / "known_values.csv", newline="", encoding="utf-8") as f:
            published = {r["instance"]: r["value"] for r in csv.DictReader(f)}
        assert row["instance"] in published, row["instance"]
        assert float(published[row["instance"]]) == float(row["expected"]), row["instance"]


# -- Swain's 55 points vs spopt -------------------------------------------------------------------
SWAIN = REFERENCE / "swain55" / "antoniomedrano-p-center" / "swain.txt"
# Total demand 640. Neither radius covers everything at p = 1: R = 5 never saturates up to p = 10,
# R = 10 reaches 640 at p = 9, R = 15 at p = 5. Integer coordinates put pairs at exactly d = R for
# all three radii (24, 18 and 20 ordered pairs), which tests the boundary convention: spopt's MCLP
# docstring writes N_i = {j | d_ij < S}, but its code (from_cost_matrix) sets
# aij[cost_matrix <= service_radius] = 1, the same closed disk as ours (d_ij <= R); both sides
# compute sqrt(dx*dx + dy*dy) of integers, so d = R exactly on both sides.
SWAIN_RADII = (5.0, 10.0, 15.0)
SWAIN_P = tuple(range(1, 11))


@pytest.fixture(scope="module")
def swain_instance(tmp_path_factory) -> Path:
    return import_instance("swain", SWAIN, tmp_path_factory.mktemp("swain") / "instance")


@pytest.fixture(scope="module")
def swain_points() -> tuple[np.ndarray, np.ndarray]:
    """x, y and weight read straight from the file (not through our importer): `55`, then id x y w."""
    data = np.loadtxt(SWAIN, skiprows=1)
    assert data.shape == (55, 4) and data[:, 3].sum() == 640
    return data[:, 1:3], data[:, 3]


def spopt_mclp(xy: np.ndarray, weight: np.ndarray, radius: float, p: int) -> float:
    import pulp
    from spopt.locate import MCLP

    dx = xy[:, None, 0] - xy[None, :, 0]
    dy = xy[:, None, 1] - xy[None, :, 1]
    cost = np.sqrt(dx * dx + dy * dy)
    model = MCLP.from_cost_matrix(cost, weight, service_radius=radius, p_facilities=p)
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.LpStatus[model.problem.status] == "Optimal"
    return float(pulp.value(model.problem.objective))


@pytest.mark.solver
@pytest.mark.parametrize("radius", SWAIN_RADII)
@pytest.mark.parametrize("p", SWAIN_P)
def test_swain_mclp_matches_spopt(swain_instance: Path, swain_points, radius: float, p: int) -> None:
    run = solve_fast(swain_instance, EXACT, overrides=[f"fast.radius={radius}", f"fast.p={p}"])
    assert_proved_and_certified(run)
    expected = spopt_mclp(*swain_points, radius, p)
    assert math.isclose(run.objective, expected, rel_tol=0, abs_tol=1e-6), (run.objective, expected)
    assert run.certificate.kpis["new_sites"] <= p
