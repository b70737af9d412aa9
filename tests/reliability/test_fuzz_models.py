"""Fuzzing the corridor and park loaders: malformed input is refused or loads into a valid instance.

The counterpart of test_fuzz_loaders.py (fast) for the other two models. hypothesis breaks one
column of one layer of a small CSV instance (empty cells, NaN, negative, absurd and non-numeric
values, wrong types, duplicate or empty ids, unknown references), changes a layer's shape (a
column dropped or renamed, a row repeated, every row removed) or sets hostile parameters, then
calls `load_corridor` / `load_park`. Whatever happens must be

- the project's InstanceError (exit code 2 in the CLI), every problem naming its file - and, when
  the edit is a defect the rules name (an empty cell or a bad number in a declared field, an
  empty or repeated id, an unknown reference, a required column missing), a problem naming that
  file and field: a defect never passes silently;
- or an instance whose arrays are consistent (finite, non-negative costs and capacities, unique
  ids, indices in range).

Never any other exception. Seeded (derandomize=True), so a failure reproduces. `make test` runs a
modest number of examples; the `slow` tier runs 3 x SLOW_EXAMPLES = 1 200 per model (cells,
shapes, parameters), the issue's >= 1 000, within CI's 45 minutes; SITING_FUZZ_EXAMPLES=N runs a
longer campaign.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siting.checks import LOOKUP_COLUMNS, MAP_LAYERS, Fields
from siting.config import ABSURD
from siting.corridor.instance import CorridorInstance
from siting.corridor.load import load_corridor
from siting.corridor.params import CorridorParams
from siting.corridor.validate import CORRIDOR_FIELDS
from siting.errors import InstanceError
from siting.park.instance import ParkInstance
from siting.park.load import load_park
from siting.park.params import ParkParams
from siting.park.synthetic import small_park
from siting.park.validate import PARK_FIELDS

# SITING_FUZZ_EXAMPLES=5000 runs a longer, randomised campaign (not seeded: for hunting, not for CI).
CAMPAIGN = int(os.environ.get("SITING_FUZZ_EXAMPLES", "0"))
QUICK_EXAMPLES = 30  # per test in `make test`
SLOW_EXAMPLES = 400  # per model and test in the slow tier: 1 200 malformed inputs per model
COMMON = dict(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
QUICK = settings(derandomize=not CAMPAIGN, max_examples=CAMPAIGN or QUICK_EXAMPLES, **COMMON)
SLOW = settings(derandomize=True, max_examples=SLOW_EXAMPLES, **COMMON)
CRS = "EPSG:28992"


# -- the two instances (every table as text, as a CSV file holds it) ------------------------------
def _text(df: pd.DataFrame) -> pd.DataFrame:
    return df.astype(str)


X0, Y0 = 200_000.0, 450_000.0


def corridor_tables() -> dict[str, pd.DataFrame]:
    """A road chain W - A - B - C - E (10 km apart) with a spur B - S; OD points near W, E and S."""
    nodes = pd.DataFrame({"id": ["W", "A", "B", "C", "E", "S"],
                          "x": X0 + np.array([0, 10_000, 20_000, 30_000, 40_000, 20_000]),
                          "y": Y0 + np.array([0, 0, 0, 0, 0, 10_000])})
    return {name: _text(df) for name, df in {
        "road_nodes": nodes,
        "roads": pd.DataFrame({"u": ["W", "A", "B", "C", "B"], "v": ["A", "B", "C", "E", "S"],
                               "length_km": [10.0] * 5, "road": ["A1"] * 4 + ["A50"],
                               "tent": ["core"] * 4 + [""]}),
        "od_points": pd.DataFrame({"id": ["pW", "pE", "pS"], "x": X0 + np.array([300, 39_800, 20_100]),
                                   "y": Y0 + np.array([200, -100, 10_200])}),
        "od_flows": pd.DataFrame({"origin": ["pW", "pW", "pS"], "destination": ["pE", "pS", "pE"],
                                  "trucks_per_day": [100.0, 40.0, 30.0]}),
        "candidates": pd.DataFrame({"id": ["cA", "cC", "cS"], "x": X0 + np.array([10_400, 29_700, 20_300]),
                                    "y": Y0 + np.array([500, -300, 9_800]), "fixed_cost": [1e6, 1.2e6, 8e5],
                                    "cost_per_charger": [3e5] * 3, "max_chargers": [4, 2, 3],
                                    "land_m2": [2000.0, 1500.0, 1000.0], "grid_area": ["G1", "G2", "G1"],
                                    "search_area": ["LoLa-A", "LoLa-A", "LoLa-S"]}),
        "existing": pd.DataFrame({"id": ["eB"], "x": [X0 + 20_000], "y": [Y0 + 100], "chargers": [2],
                                  "power_kw": [700.0]}),
        "grid_areas": pd.DataFrame({"id": ["G1", "G2"], "x": X0 + np.array([10_000, 30_000]), "y": [Y0, Y0],
                                    "available_kw": [5000.0, -500.0], "upgrade_kw": [0.0, 4000.0],
                                    "upgrade_cost": [0.0, 2e5]}),
        "search_areas": pd.DataFrame({"id": ["LoLa-A", "LoLa-S"], "name": ["around A", "spur"],
                                      "min_sites": [0, 0], "max_sites": [1, 2]}),
    }.items()}


CORRIDOR_PARAMS = {"objective": "flow", "range": 45.0, "p": 2, "kw_per_charger": 1000.0, "max_snap": 2000.0}


def park_tables() -> dict[str, pd.DataFrame]:
    """The small seeded park of the park tests, with a `parks` layer that is only drawn on the map."""
    tables, _ = small_park(0)
    tables = dict(tables)
    tables["parks"] = pd.DataFrame({"id": ["P1", "P2"], "name": ["Noord", "Zuid"], "ha_bruto": [12.5, 30.0],
                                    "x": [400.0, 600.0], "y": [400.0, 600.0]})
    return {name: _text(df) for name, df in tables.items()}


def park_config() -> dict:
    return small_park(0)[1]


SPATIAL = {"corridor": ("road_nodes", "od_points", "candidates", "existing", "grid_areas"),
           "park": ("companies", "squares", "grid_areas", "parks")}


def write_folder(folder: Path, model: str, tables: dict[str, pd.DataFrame], config: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    layers = {}
    for name, df in tables.items():
        df.to_csv(folder / f"{name}.csv", index=False)
        xy = {"x": "x", "y": "y"} if name in SPATIAL[model] else {}  # as the unbroken instance says
        layers[name] = {"file": f"{name}.csv", **xy}
    (folder / "instance.toml").write_text(tomli_w.dumps({**config, "model": model, "layers": layers}),
                                          encoding="utf-8")
    return folder


# -- what each model must refuse -------------------------------------------------------------------
@dataclass(frozen=True)
class Model:
    name: str
    tables: Callable[[], dict[str, pd.DataFrame]]
    config: Callable[[], dict]
    load: Callable
    fields: Fields  # the declared numeric fields (the validator's own table: the rule's scope)
    keyed: tuple[str, ...]  # layers whose rows have unique ids
    refs: dict[tuple[str, str], Callable[[dict], set[str]]]  # (layer, column) -> the ids it may name
    text: tuple[tuple[str, str], ...]  # (layer, column) of text that must not be empty
    params: tuple[str, ...]
    valid: Callable


def _ids(layer: str) -> Callable[[dict], set[str]]:
    return lambda tables: set(tables[layer]["id"])


def _profile_names(tables: dict) -> set[str]:
    return {c for c in tables["profiles"].columns if c != "slot"}


def check_corridor(inst: CorridorInstance) -> None:
    m, n = inst.n_sites, inst.n_od
    assert m > 0 and inst.network.n_nodes > 0
    assert len(set(inst.site_ids)) == m and all(isinstance(i, str) and i.strip() for i in inst.site_ids)
    for arr in (inst.fixed_cost, inst.cost_per_charger):
        assert arr.shape == (m,) and np.isfinite(arr).all() and (arr >= 0).all()
    for arr in (inst.max_chargers, inst.existing_chargers):
        assert arr.shape == (m,) and (arr >= 0).all()
    assert inst.land_m2.shape == (m,) and not np.isnan(inst.land_m2).any() and (inst.land_m2 >= 0).all()
    assert inst.flow.shape == (n,) and np.isfinite(inst.flow).all() and (inst.flow >= 0).all()
    assert (inst.od_origin != inst.od_destination).all()
    net = inst.network
    assert np.isfinite(net.length).all() and (net.length > 0).all()
    for idx in (net.u, net.v, inst.site_node, inst.od_origin, inst.od_destination):
        assert ((idx >= 0) & (idx < net.n_nodes)).all()
    assert np.isfinite(inst.area_min).all() and (inst.area_min >= 0).all()
    assert not np.isnan(inst.area_max).any() and (inst.area_max >= inst.area_min).all()
    assert ((inst.area_of_site >= -1) & (inst.area_of_site < len(inst.area_ids))).all()
    if inst.grid is not None:
        assert np.isfinite(inst.grid.available_kw).all()
        assert ((inst.grid_of_site >= -1) & (inst.grid_of_site < len(inst.grid.ids))).all()


def check_park(inst: ParkInstance) -> None:
    K, S, O, C = inst.n_companies, inst.n_squares, inst.n_tiers, inst.n_chargers
    assert K > 0 and S > 0 and O > 0
    for ids in (inst.company_ids, inst.square_ids, inst.charger_ids):
        assert len(set(ids)) == len(ids) and all(isinstance(i, str) and i.strip() for i in ids)
    for arr, size in ((inst.energy_kwh, K), (inst.max_kw, K), (inst.own_cost, K), (inst.own_annual, K),
                      (inst.square_m2, S), (inst.square_cost, S), (inst.square_annual, S),
                      (inst.tier_cost, O), (inst.tier_annual, O), (inst.charger_kw, C), (inst.charger_cost, C),
                      (inst.charger_annual, C), (inst.charger_m2, C)):
        assert arr.shape == (size,) and np.isfinite(arr).all() and (arr >= 0).all()
    assert (inst.vans >= 0).all() and (inst.trucks >= 0).all()
    assert not np.isnan(inst.land_m2).any() and (inst.land_m2 >= 0).all()
    assert np.isfinite(inst.tier_kw).all() and (inst.tier_kw > 0).all()
    assert ((inst.tier_square >= 0) & (inst.tier_square < S)).all()
    assert inst.window.shape == (K, inst.n_slots) and inst.window.dtype == bool
    assert np.isfinite(inst.own_kw).all() and np.isfinite(inst.tier_avail).all()
    assert ((inst.pair_company >= 0) & (inst.pair_company < K)).all()
    assert ((inst.pair_square >= 0) & (inst.pair_square < S)).all()
    assert np.isfinite(inst.pair_cost).all() and (inst.pair_cost >= 0).all()
    assert np.isfinite(inst.headroom_kw).all() and np.isfinite(inst.price).all()
    assert set(inst.charger_vehicle) <= {"van", "truck", "any"}


CORRIDOR = Model(
    name="corridor", tables=corridor_tables, config=lambda: {"name": "fuzz-corridor", "crs": CRS,
                                                              "corridor": dict(CORRIDOR_PARAMS)},
    load=load_corridor, fields=CORRIDOR_FIELDS | {"roads": {"length_km": (0.0, False, True)}},
    keyed=("candidates", "existing", "grid_areas", "search_areas", "road_nodes", "od_points"),
    refs={("candidates", "grid_area"): _ids("grid_areas"), ("existing", "grid_area"): _ids("grid_areas"),
          ("candidates", "search_area"): _ids("search_areas"), ("candidates", "node"): _ids("road_nodes"),
          ("od_flows", "origin"): _ids("od_points"), ("od_flows", "destination"): _ids("od_points"),
          ("roads", "u"): _ids("road_nodes"), ("roads", "v"): _ids("road_nodes")},
    text=(), params=tuple(CorridorParams.model_fields), valid=check_corridor)
PARK = Model(
    name="park", tables=park_tables, config=park_config, load=load_park, fields=PARK_FIELDS | MAP_LAYERS,
    keyed=("companies", "squares", "tiers", "charger_types", "grid_areas", "parks"),
    refs={("squares", "grid_area"): _ids("grid_areas"), ("companies", "grid_area"): _ids("grid_areas"),
          ("tiers", "square"): _ids("squares"),
          ("tiers", "contract"): lambda t: _profile_names(t) | {"firm"},
          ("grid_areas", "profile"): _profile_names, ("companies", "own_profile"): _profile_names},
    text=(("charger_types", "vehicle"),), params=tuple(ParkParams.model_fields), valid=check_park)
MODELS = {"corridor": CORRIDOR, "park": PARK}


def _blank(value: str) -> bool:
    return not value.strip()


def _number(value: str) -> float:
    return float(pd.to_numeric(pd.Series([value], dtype=object), errors="coerce").astype(float).iloc[0])


def defect_field(model: Model, tables: dict[str, pd.DataFrame], layer: str, column: str) -> str | None:
    """The field a refusal must name when column `column` of `layer` (as edited) breaks a rule."""
    values = list(tables[layer][column]) if column in tables[layer].columns else []
    spec = model.fields.get(layer, {}).get(column)
    if spec is not None:
        minimum, integer, _ = spec
        for value in values:
            x = _number(value)
            if not np.isfinite(x) or abs(x) > ABSURD or (minimum is not None and x < minimum) or (integer and x % 1):
                return column
    if column == "id" and layer in model.keyed:
        if any(_blank(v) for v in values) or len(set(v.strip() for v in values)) < len(values):
            return "id"
    if column in ("x", "y") and layer in SPATIAL[model.name]:
        if any(not np.isfinite(_number(v)) for v in values):
            return column
    known = model.refs.get((layer, column))
    if known is not None:
        ids = known(tables)
        if any(not _blank(v) and v.strip() not in ids for v in values):
            return column
        if column not in LOOKUP_COLUMNS and any(_blank(v) for v in values):
            return column
    if (layer, column) in model.text and any(_blank(v) for v in values):
        return column
    return None


def required_columns(model: Model, layer: str) -> set[str]:
    cols = {c for c, (_, _, required) in model.fields.get(layer, {}).items() if required}
    if layer in model.keyed:
        cols.add("id")
    cols |= {c for (name, c) in model.refs if name == layer and c in ("origin", "destination", "u", "v")}
    return cols


def load_or_refuse(model: Model, folder: Path, must_name: tuple[str, str | None] | None = None) -> None:
    """Load; an InstanceError names its files, and - for a known defect - that file and field."""
    try:
        inst = model.load(folder)
    except InstanceError as err:
        assert err.problems, "an InstanceError lists at least one problem"
        assert all(p.file and p.message for p in err.problems)
        if must_name is not None:
            file, field = must_name
            hits = [p for p in err.problems if p.file.endswith(file) and (field is None or p.field == field)]
            assert hits, f"the defect in {file} field {field} is not named:\n{err.describe()}"
        return
    assert must_name is None, f"a defect in {must_name[0]}, field {must_name[1]}, passed silently"
    model.valid(inst)


# -- strategies -------------------------------------------------------------------------------------
CELLS = st.one_of(
    st.sampled_from(["", " ", "NaN", "nan", "inf", "-inf", "1e400", "1e300", "NULL", "None", "-1", "-0.5", "0",
                     "-0", "1.5", "3", "2500", "1,5", "0x10", "abc", "true", "[]", "a\"b", "a,b", "line\nbreak",
                     "W", "B", "G1", "G2", "LoLa-A", "pW", "pE", "s1", "s2", "firm", "timebound", "tou",
                     "van", "any", "bus", "c001", "P1", "unknown-id"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-10**18, max_value=10**18).map(str),
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=6),
)
# columns the instances do not have but the model reads (a new column, drawn whole)
EXTRA = {"corridor": [("existing", "grid_area"), ("existing", "max_chargers"), ("existing", "land_m2"),
                      ("existing", "cost_per_charger"), ("candidates", "node")],
         "park": [("companies", "grid_area"), ("companies", "own_profile"), ("tiers", "square"),
                  ("squares", "annual_cost"), ("charger_types", "annual_cost"), ("companies", "max_kw_per_vehicle")]}


@st.composite
def cell_edits(draw, model: Model) -> tuple[dict[str, pd.DataFrame], str, str]:
    """One column of one layer with hostile cells in some rows (or a whole new column)."""
    tables = model.tables()
    if draw(st.integers(0, 7)) == 0:
        layer, column = draw(st.sampled_from(EXTRA[model.name]))
        tables[layer][column] = [draw(CELLS) for _ in range(len(tables[layer]))]
        return tables, layer, column
    layer = draw(st.sampled_from(sorted(tables)))
    df = tables[layer]
    column = draw(st.sampled_from(list(df.columns)))
    rows = draw(st.lists(st.integers(0, len(df) - 1), min_size=1, max_size=min(3, len(df)), unique=True))
    for k in rows:
        df.loc[k, column] = draw(CELLS)
    return tables, layer, column


@st.composite
def shape_edits(draw, model: Model) -> tuple[dict[str, pd.DataFrame], str, str | None, bool]:
    """(tables, layer, field, must refuse): a column dropped or renamed, a row repeated, no rows."""
    tables = model.tables()
    layer = draw(st.sampled_from(sorted(tables)))
    df = tables[layer]
    op = draw(st.sampled_from(["drop", "rename", "repeat", "empty"]))
    if op in ("drop", "rename"):
        column = draw(st.sampled_from(list(df.columns)))
        new = draw(st.sampled_from([column.upper(), f" {column}", column + "s", column.replace("_", " ")]))
        tables[layer] = df.drop(columns=[column]) if op == "drop" else df.rename(columns={column: new})
        must = column in required_columns(model, layer) or (column in ("x", "y") and layer in SPATIAL[model.name])
        must = must and (op == "drop" or new.strip() != column)  # the reader strips spaces around a header
        return tables, layer, column, must
    if op == "repeat":
        k = draw(st.integers(0, len(df) - 1))
        tables[layer] = pd.concat([df, df.iloc[[k]]], ignore_index=True)
        return tables, layer, "id", layer in model.keyed
    tables[layer] = df.iloc[0:0]
    return tables, layer, None, layer in model.keyed or layer in ("roads", "od_flows", "profiles")


SCALARS = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.text(max_size=10), st.lists(st.integers(-5, 5), max_size=3),
    st.sampled_from(["flow", "truck_km", "cost", "firm", "timebound", "tou", "netbewust", "", "none"]),
)


@st.composite
def param_edits(draw, model: Model) -> dict:
    """The instance.toml with a few model parameters set to hostile values (or removed)."""
    config = model.config()
    section = config.setdefault(model.name, {})
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(model.params + ("typo_key",)))
        if draw(st.integers(0, 4)) == 0:
            section.pop(key, None)
        else:
            section[key] = draw(SCALARS)
    return config


# -- the tests --------------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["corridor", "park"])
def model(request) -> Model:
    return MODELS[request.param]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory, model: Model) -> Path:
    return tmp_path_factory.mktemp(f"fuzz-{model.name}")


def test_references_are_valid(model: Model, folder: Path) -> None:
    """The unbroken instances load: every refusal below comes from the edit."""
    model.valid(model.load(write_folder(folder / "ok", model.name, model.tables(), model.config())))


def run_cell_edit(model: Model, folder: Path, data) -> None:
    tables, layer, column = data.draw(cell_edits(model))
    field = defect_field(model, tables, layer, column)
    write_folder(folder / "case", model.name, tables, model.config())
    load_or_refuse(model, folder / "case", None if field is None else (f"{layer}.csv", field))


def run_shape_edit(model: Model, folder: Path, data) -> None:
    tables, layer, field, must = data.draw(shape_edits(model))
    write_folder(folder / "case", model.name, tables, model.config())
    load_or_refuse(model, folder / "case", (f"{layer}.csv", field) if must else None)


def run_param_edit(model: Model, folder: Path, data) -> None:
    config = data.draw(param_edits(model))
    try:
        tomli_w.dumps(config)
    except (TypeError, ValueError):  # not representable in TOML
        return
    write_folder(folder / "case", model.name, model.tables(), config)
    load_or_refuse(model, folder / "case")


@QUICK
@given(data=st.data())
def test_cells(model: Model, folder: Path, data) -> None:
    run_cell_edit(model, folder, data)


@QUICK
@given(data=st.data())
def test_shapes(model: Model, folder: Path, data) -> None:
    run_shape_edit(model, folder, data)


@QUICK
@given(data=st.data())
def test_parameters(model: Model, folder: Path, data) -> None:
    run_param_edit(model, folder, data)


@pytest.mark.slow
@SLOW
@given(data=st.data())
def test_cells_slow(model: Model, folder: Path, data) -> None:
    run_cell_edit(model, folder, data)


@pytest.mark.slow
@SLOW
@given(data=st.data())
def test_shapes_slow(model: Model, folder: Path, data) -> None:
    run_shape_edit(model, folder, data)


@pytest.mark.slow
@SLOW
@given(data=st.data())
def test_parameters_slow(model: Model, folder: Path, data) -> None:
    run_param_edit(model, folder, data)
