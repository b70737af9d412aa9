"""Fuzzing the TOML and CSV loaders: any input loads into a valid instance or raises InstanceError.

hypothesis writes random instance.toml files (free text, random bytes, and well-formed TOML with
plausible keys and hostile values) and random CSV layers (random columns, values, quoting, line
ends and encodings) into a copy of the tiny CSV instance, then calls `load_fast`. Whatever
happens must be a FastInstance with consistent arrays or the project's own InstanceError -
never a KeyError, ValueError or anything else a user would see as a traceback. Seeded
(derandomize=True), so a failure reproduces.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import tiny_config, write_tiny

from siting.errors import InstanceError
from siting.fast.instance import FastInstance
from siting.fast.load import load_fast

# SITING_FUZZ_EXAMPLES=5000 runs a longer, randomised campaign (not seeded: for hunting, not for CI).
CAMPAIGN = int(os.environ.get("SITING_FUZZ_EXAMPLES", "0"))
FUZZ = settings(derandomize=not CAMPAIGN, max_examples=CAMPAIGN or 60, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny CSV instance; each example overwrites one file and the next restores it."""
    return write_tiny(tmp_path_factory.mktemp("fuzz") / "tiny-csv", csv=True)


def load_or_instance_error(folder: Path, overrides: list[str] | None = None) -> None:
    try:
        inst = load_fast(folder, overrides)
    except InstanceError as err:
        assert err.problems, "an InstanceError lists at least one problem"
        assert all(p.file and p.message for p in err.problems)
        return
    assert isinstance(inst, FastInstance)
    n, m = inst.n_demand, inst.n_sites
    assert n > 0 and m > 0
    assert inst.weight.shape == (n,) and np.isfinite(inst.weight).all() and (inst.weight >= 0).all()
    for arr in (inst.fixed_cost, inst.cost_per_charger, inst.max_chargers, inst.existing_chargers):
        assert arr.shape == (m,) and np.isfinite(arr).all() and (arr >= 0).all()
    assert len(set(inst.demand_ids)) == n and len(set(inst.site_ids)) == m
    assert all(isinstance(i, str) and i for i in [*inst.demand_ids, *inst.site_ids])
    for xy in (inst.demand_xy, inst.site_xy):
        assert xy is None or np.isfinite(xy).all()


class Restore:
    """Put the original bytes of a file back after an example changed it."""

    def __init__(self, path: Path):
        self.path, self.original = path, path.read_bytes()

    def __enter__(self) -> Path:
        return self.path

    def __exit__(self, *exc) -> None:
        self.path.write_bytes(self.original)


# -- TOML -----------------------------------------------------------------------------------------
KEYS = ["name", "description", "model", "crs", "layers", "fast", "objective", "radius", "p", "budget",
        "decay_beta", "kw_per_charger", "simultaneity", "sessions_per_charger", "m2_per_charger", "site_m2",
        "min_chargers", "serve_all", "demand", "candidates", "existing", "grid_areas", "coverage", "file", "layer",
        "x", "y", "lon", "lat", "coords_crs", "radus", "corridor", "park", ""]
SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.text(max_size=12),
    st.sampled_from(["fast", "mclp", "lscp", "pmedian", "capacitated", "EPSG:28992", "EPSG:4326", "EPSG:99999",
                     "demand.csv", "candidates.csv", "x", "y", "../../etc/passwd", "", "corridor", "park"]),
)
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=4)), max_leaves=12)


PATHS = ["name", "description", "model", "crs", "fast", "layers", "fast.objective", "fast.radius", "fast.p",
         "fast.budget", "fast.decay_beta", "fast.kw_per_charger", "fast.simultaneity", "fast.sessions_per_charger",
         "fast.m2_per_charger", "fast.site_m2", "fast.min_chargers", "fast.serve_all", "layers.demand",
         "layers.demand.file", "layers.demand.x", "layers.demand.y", "layers.demand.lon", "layers.demand.lat",
         "layers.demand.coords_crs", "layers.candidates.layer", "layers.candidates.file", "layers.existing",
         "layers.grid_areas.x", "layers.coverage", "layers.graph", "layers.distances.file"]


@st.composite
def mutated_configs(draw) -> dict:
    """The tiny instance.toml with a few keys set, replaced or deleted: mostly real keys, some typos."""
    config = tiny_config(csv=True)
    for _ in range(draw(st.integers(1, 3))):
        if draw(st.integers(0, 9)) == 0:
            path = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=3))
        else:
            path = draw(st.sampled_from(PATHS)).split(".")
        target = config
        for part in path[:-1]:
            nxt = target.get(part)
            if not isinstance(nxt, dict):
                nxt = target[part] = {}
            target = nxt
        if draw(st.integers(0, 4)) == 0 and path[-1] in target:
            del target[path[-1]]
        else:
            target[path[-1]] = draw(VALUES)
    return config


@FUZZ
@given(config=mutated_configs())
def test_toml_with_hostile_values(folder: Path, config: dict) -> None:
    with Restore(folder / "instance.toml") as path:
        try:
            text = tomli_w.dumps(config)
        except (TypeError, ValueError):  # not representable in TOML (e.g. mixed arrays in old tomli-w)
            return
        path.write_text(text, encoding="utf-8")
        load_or_instance_error(folder)


@FUZZ
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_toml_free_text(folder: Path, text: str) -> None:
    with Restore(folder / "instance.toml") as path:
        path.write_text(text, encoding="utf-8", newline="")
        load_or_instance_error(folder)


@FUZZ
@given(data=st.binary(max_size=300), keep=st.integers(0, 400))
def test_toml_bytes(folder: Path, data: bytes, keep: int) -> None:
    """A damaged instance.toml: random bytes spliced into the real one."""
    with Restore(folder / "instance.toml") as path:
        original = path.read_bytes()
        path.write_bytes(original[:keep] + data + original[keep + len(data):])
        load_or_instance_error(folder)


@FUZZ
@given(overrides=st.lists(st.one_of(
    st.text(max_size=30),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(["fast.p", "fast.radius", "fast.objective", "crs", "name",
                                                         "layers.demand.file", "fast", "fast.p.q", "model"]),
              st.one_of(st.text(max_size=10), st.integers().map(str), st.floats().map(repr))),
), max_size=3))
def test_set_overrides(folder: Path, overrides: list[str]) -> None:
    load_or_instance_error(folder, overrides)


# -- CSV ------------------------------------------------------------------------------------------
COLUMNS = ["id", "weight", "x", "y", "node", "grid_area", "name", "fixed_cost", "chargers", " id ", "Weight", ""]
CELLS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.floats(min_value=150_000, max_value=250_000).map(lambda v: f"{v:.1f}"),
    st.floats(min_value=0, max_value=20).map(lambda v: f"{v:.2f}".replace(".", ",")),
    st.sampled_from(["", "NaN", "nan", "inf", "-inf", "1e400", "NULL", "None", "D01", "D01", "C1", "\ufeffD02", "  ",
                     "1,5", "3.0", "0", "-0", "0x10", "1_000", "Ïd", "a\"b", "a,b", "line\nbreak", "\x00"]),
    st.text(max_size=8),
)
ENCODINGS = ["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-8-sig", "cp1252", "utf-16"]


GOOD = {
    "id": st.integers(1, 30).map(lambda k: f"D{k:02d}"),
    "weight": st.floats(0, 50).map(lambda v: f"{v:.2f}"),
    "x": st.floats(190_000, 215_000).map(lambda v: f"{v:.1f}"),
    "y": st.floats(445_000, 460_000).map(lambda v: f"{v:.1f}"),
}


@st.composite
def csv_files(draw) -> bytes:
    """A demand.csv: mostly the right columns and UTF-8, with hostile cells, quoting and line ends."""
    columns = draw(st.permutations(["id", "weight", "x", "y"]))
    columns = columns[: draw(st.integers(2, 4))] if draw(st.integers(0, 4)) == 0 else list(columns)
    columns += draw(st.lists(st.sampled_from(COLUMNS) | st.text(max_size=6), max_size=2))
    n_rows = draw(st.integers(0, 8))
    rows = [[draw(GOOD[c] if c in GOOD and draw(st.integers(0, 3)) else CELLS) for c in columns]
            for _ in range(n_rows)]
    if draw(st.integers(0, 5)) == 0:  # a ragged row now and then
        rows.append(draw(st.lists(CELLS, max_size=len(columns) + 2)))
    buffer = io.StringIO()
    quoting = draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC]))
    delimiter = draw(st.sampled_from([",", ",", ",", ",", ";", "\t"]))
    writer = csv.writer(buffer, quoting=quoting, delimiter=delimiter,
                        lineterminator=draw(st.sampled_from(["\n", "\r\n", "\r"])))
    writer.writerow(columns)
    writer.writerows(rows)
    encoding = draw(st.sampled_from(ENCODINGS))
    return buffer.getvalue().encode(encoding, errors="replace")


@FUZZ
@given(content=csv_files())
def test_csv_layer_random_table(folder: Path, content: bytes) -> None:
    with Restore(folder / "demand.csv") as path:
        path.write_bytes(content)
        load_or_instance_error(folder)


@FUZZ
@given(rows=st.lists(st.tuples(CELLS, CELLS), min_size=1, max_size=6), column=st.sampled_from(
    ["fixed_cost", "cost_per_charger", "max_chargers", "land_m2", "id", "grid_area", "x", "y"]))
def test_csv_candidate_cells(folder: Path, rows: list[tuple[str, str]], column: str) -> None:
    """The real candidates.csv with random values in one column: the checks, not the parser, decide."""
    import pandas as pd

    with Restore(folder / "candidates.csv") as path:
        df = pd.read_csv(io.BytesIO(path.read_bytes()), dtype=str, keep_default_na=False)
        values = [cell for pair in rows for cell in pair][: len(df)]
        df.loc[: len(values) - 1, column] = values
        path.write_text(df.to_csv(index=False), encoding="utf-8")
        load_or_instance_error(folder)


@FUZZ
@given(data=st.binary(max_size=400), keep=st.integers(0, 300))
def test_csv_bytes(folder: Path, data: bytes, keep: int) -> None:
    with Restore(folder / "existing.csv") as path:
        original = path.read_bytes()
        path.write_bytes(original[:keep] + data)
        load_or_instance_error(folder)

