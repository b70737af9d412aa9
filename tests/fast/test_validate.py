"""Every input defect is reported by `load_fast` as an InstanceError that says where it is.

Each case builds a broken copy of the tiny instance (tests/conftest.py) and asserts that one of
the reported problems names the right file, layer, row id and field, with a recognisable
message. A few cases are positive: input that looks odd but is valid must load unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point, Polygon

from siting.errors import InstanceError
from siting.fast.load import load_fast

GPKG, TOML = "data.gpkg", "instance.toml"


@dataclass(frozen=True)
class Defect:
    """One broken copy of the tiny instance and the problem it must produce."""

    file: str  # file name the problem must name
    layer: str | None
    row: str | None
    field: str | None
    message: str  # substring of the problem's message
    edit: Callable[[dict], None] | None = None  # changes the layer tables
    toml: Callable[[dict], None] | None = None  # changes instance.toml (a dict)
    after: Callable[[Path], None] | None = None  # changes the written files
    csv: bool = False


def _set(layer: str, row: int, column: str, value):
    def edit(layers: dict) -> None:
        df = layers[layer]
        if isinstance(value, float) and df[column].dtype.kind in "iu":
            df[column] = df[column].astype(float)  # a column with 2.5 in it is a float column
        df.loc[row, column] = value

    return edit


def _as_text(layer: str, column: str, row: int, value: str):
    """Make `column` a text column (as a spreadsheet export would) with one bad cell."""

    def edit(layers: dict) -> None:
        df = layers[layer]
        df[column] = df[column].map(lambda v: f"{v:g}")
        df.loc[row, column] = value

    return edit


def _drop(layer: str, column: str):
    def edit(layers: dict) -> None:
        layers[layer] = layers[layer].drop(columns=column)

    return edit


def _geometry(layer: str, row: int, geom):
    def edit(layers: dict) -> None:
        gdf = layers[layer]
        geoms = list(gdf.geometry)
        geoms[row] = geom
        layers[layer] = gdf.set_geometry(type(gdf.geometry)(geoms, crs=gdf.crs))

    return edit


def _no_crs(layer: str):
    def edit(layers: dict) -> None:
        layers[layer] = layers[layer].set_crs(None, allow_override=True)

    return edit


def _grid_area_column(row: int, value: str):
    def edit(layers: dict) -> None:
        df = layers["candidates"]
        df["grid_area"] = [None] * len(df)
        df.loc[row, "grid_area"] = value

    return edit


def _toml_set(path: str, value):
    def toml(config: dict) -> None:
        *parents, last = path.split(".")
        target = config
        for part in parents:
            target = target[part]
        target[last] = value

    return toml


def _rename_key(section: str, old: str, new: str):
    def toml(config: dict) -> None:
        config[section][new] = config[section].pop(old)

    return toml


def _append_text(text: str):
    def after(folder: Path) -> None:
        with open(folder / TOML, "a", encoding="utf-8") as f:
            f.write(text)

    return after


BOW_TIE = Polygon([(200_700, 450_800), (200_900, 451_000), (200_900, 450_800), (200_700, 451_000)])

DEFECTS = {
    "missing file": Defect("missing.gpkg", "candidates", None, None, "file not found",
                           toml=_toml_set("layers.candidates.file", "missing.gpkg")),
    "missing gpkg layer": Defect(GPKG, "candidates", None, None, "layer 'candidatez' not found",
                                 toml=_toml_set("layers.candidates.layer", "candidatez")),
    "missing required column": Defect(GPKG, "demand", None, "weight", "required column is missing",
                                      edit=_drop("demand", "weight")),
    "unknown toml key": Defect(TOML, None, None, "fast.radus", "did you mean 'radius'?",
                               toml=_rename_key("fast", "radius", "radus")),
    "toml syntax error": Defect(TOML, None, None, None, "not valid TOML",
                                after=_append_text("\n[fast\np = 3\n")),
    "duplicate id": Defect(GPKG, "candidates", "C1", "id", "duplicate id", edit=_set("candidates", 1, "id", "C1")),
    "empty id": Defect(GPKG, "demand", "#4", "id", "id is empty", edit=_set("demand", 3, "id", "")),
    "nan weight": Defect(GPKG, "demand", "D03", "weight", "value is missing", edit=_set("demand", 2, "weight", np.nan)),
    "negative cost": Defect(GPKG, "candidates", "C3", "fixed_cost", "must be >= 0",
                            edit=_set("candidates", 2, "fixed_cost", -5.0)),
    "text in numeric column": Defect(GPKG, "candidates", "C4", "cost_per_charger", "not a number: 'abc'",
                                     edit=_as_text("candidates", "cost_per_charger", 3, "abc")),
    "decimal comma (csv)": Defect("demand.csv", "demand", "D05", "weight", "decimal comma",
                                  edit=_as_text("demand", "weight", 4, "3,5"), csv=True),
    "non-integer max_chargers": Defect(GPKG, "candidates", "C2", "max_chargers", "whole number",
                                       edit=_set("candidates", 1, "max_chargers", 2.5)),
    "infinite value": Defect(GPKG, "grid_areas", "G-east", "available_kw", "infinite",
                             edit=_set("grid_areas", 2, "available_kw", np.inf)),
    "invalid geometry (bow-tie)": Defect(GPKG, "demand", "D06", "geometry", "invalid geometry",
                                         edit=_geometry("demand", 5, BOW_TIE)),
    "empty geometry": Defect(GPKG, "demand", "D07", "geometry", "empty", edit=_geometry("demand", 6, Point())),
    "geographic instance crs": Defect(TOML, None, None, "crs", "geographic",
                                      toml=_toml_set("crs", "EPSG:4326")),
    "layer without crs": Defect(GPKG, "existing", None, None, "no CRS", edit=_no_crs("existing")),
    "unknown grid_area reference": Defect(GPKG, "candidates", "C5", "grid_area", "unknown grid area id 'G-nowhere'",
                                          edit=_grid_area_column(4, "G-nowhere")),
    "radius zero": Defect(TOML, None, None, "fast.radius", "radius must be > 0", toml=_toml_set("fast.radius", 0.0)),
    "radius negative": Defect(TOML, None, None, "fast.radius", "radius must be > 0",
                              toml=_toml_set("fast.radius", -100.0)),
    "p larger than candidates": Defect(TOML, None, None, "fast.p", "larger than the number of candidates (6)",
                                       toml=_toml_set("fast.p", 7)),
    "existing id duplicated in candidates": Defect(GPKG, "existing", "C3", "id", "also used in layer 'candidates'",
                                                   edit=_set("existing", 0, "id", "C3")),
}


def matching(err: InstanceError, d: Defect) -> list:
    return [
        p for p in err.problems
        if Path(p.file).name == d.file and p.layer == d.layer and p.row == d.row and p.field == d.field
        and d.message in p.message
    ]


@pytest.mark.parametrize("case", list(DEFECTS), ids=list(DEFECTS))
def test_defect_is_reported_with_its_location(case: str, tiny_builder) -> None:
    d = DEFECTS[case]
    folder = tiny_builder(csv=d.csv, edit=d.edit, toml=d.toml)
    if d.after is not None:
        d.after(folder)
    with pytest.raises(InstanceError) as info:
        load_fast(folder)
    err = info.value
    assert matching(err, d), (
        f"expected a problem in {d.file}, layer {d.layer}, row {d.row}, field {d.field} "
        f"saying {d.message!r}; got:\n{err.describe()}"
    )
    assert err.exit_code == 2
    assert "Traceback" not in err.describe()


# -- positive cases ---------------------------------------------------------------------------------
def test_tiny_instance_loads(tiny_instance: Path) -> None:
    inst = load_fast(tiny_instance)
    assert inst.n_demand == 12
    assert list(inst.site_ids) == ["C1", "C2", "C3", "C4", "C5", "C6", "E1", "E2"]
    assert inst.is_existing.tolist() == [False] * 6 + [True] * 2
    assert inst.existing_chargers.tolist() == [0] * 6 + [2, 1]
    # nearest substation: west, west, centre, centre, east, east | centre, east
    assert inst.grid_of_site.tolist() == [0, 0, 1, 1, 2, 2, 1, 2]
    assert inst.grid.available_kw.tolist() == [600.0, -150.0, 300.0]
    assert inst.crs == "EPSG:28992"


def _same_arrays(a, b) -> None:
    np.testing.assert_array_equal(a.demand_ids, b.demand_ids)
    np.testing.assert_array_equal(a.site_ids, b.site_ids)
    np.testing.assert_array_equal(a.weight, b.weight)
    np.testing.assert_array_equal(a.fixed_cost, b.fixed_cost)
    np.testing.assert_array_equal(a.max_chargers, b.max_chargers)
    np.testing.assert_array_equal(a.grid_of_site, b.grid_of_site)
    np.testing.assert_allclose(a.demand_xy, b.demand_xy, rtol=0, atol=1e-6)
    np.testing.assert_allclose(a.site_xy, b.site_xy, rtol=0, atol=1e-6)


def test_csv_and_gpkg_give_the_same_instance(tiny_instance: Path, tiny_csv_instance: Path) -> None:
    _same_arrays(load_fast(tiny_instance), load_fast(tiny_csv_instance))


def test_layer_in_other_crs_is_reprojected(tiny_instance: Path, tiny_builder) -> None:
    def to_wgs84(layers: dict) -> None:
        layers["candidates"] = layers["candidates"].to_crs("EPSG:4326")

    reference = load_fast(tiny_instance)
    folder = tiny_builder(edit=to_wgs84)
    import pyogrio

    assert pyogrio.read_info(folder / GPKG, layer="candidates")["crs"] == "EPSG:4326"
    inst = load_fast(folder)
    # the round trip 28992 -> 4326 -> 28992 is exact to well below a millimetre
    np.testing.assert_allclose(inst.site_xy, reference.site_xy, rtol=0, atol=1e-3)
    np.testing.assert_array_equal(inst.grid_of_site, reference.grid_of_site)


def test_csv_with_bom_and_crlf_is_accepted(tiny_csv_instance: Path) -> None:
    reference = load_fast(tiny_csv_instance)
    for path in tiny_csv_instance.glob("*.csv"):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert (tiny_csv_instance / "demand.csv").read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert b"\r\n" in (tiny_csv_instance / "demand.csv").read_bytes()
    inst = load_fast(tiny_csv_instance)
    _same_arrays(inst, reference)
    assert inst.demand_ids[0] == "D01"  # no BOM glued to the first id or header


def test_all_problems_reported_in_one_run(tiny_builder) -> None:
    """Two independent defects in two layers: both are listed, not only the first."""

    def two_defects(layers: dict) -> None:
        layers["demand"].loc[0, "weight"] = -1.0
        layers["candidates"]["max_chargers"] = layers["candidates"]["max_chargers"].astype(float)
        layers["candidates"].loc[5, "max_chargers"] = 1.5

    with pytest.raises(InstanceError) as info:
        load_fast(tiny_builder(edit=two_defects))
    where = {(p.layer, p.row, p.field) for p in info.value.problems}
    assert ("demand", "D01", "weight") in where
    assert ("candidates", "C6", "max_chargers") in where
