"""sites.gpkg carries a default QGIS style for every result layer that has geometry (issue 19).

Each model solves a small instance through the CLI; the GeoPackage must then hold a layer_styles
table registered as an attributes table, exactly one default style per layer with geometry, QML
that parses with the renderer the layer is meant to have, categories and classes that fit the
values written, and only field names the layer has. pyogrio must still read every layer.
"""

from __future__ import annotations

import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import pytest
from click.testing import CliRunner
from tests.conftest import write_tiny
from tests.corridor.test_load import write_instance as write_corridor

from siting.cli.main import cli
from siting.io.write import point_layer, segment_layer, write_gpkg
from siting.park.synthetic import small_park, write_park_folder

COLUMNS = ["id", "f_table_catalog", "f_table_schema", "f_table_name", "f_geometry_column", "styleName", "styleQML",
           "styleSLD", "useAsDefault", "description", "owner", "ui", "update_time"]
MARKER, LINE = "marker", "line"
# per run: layer -> (renderer, symbol type); a layer not named here must have no style (no geometry)
PLAN = {
    "fast": {"sites": ("categorizedSymbol", MARKER), "assignments": ("singleSymbol", LINE),
             "demand": ("graduatedSymbol", MARKER), "grid_use": ("graduatedSymbol", MARKER)},
    "fast-mclp": {"sites": ("categorizedSymbol", MARKER), "assignments": ("singleSymbol", LINE),
                  "demand": ("categorizedSymbol", MARKER), "grid_use": ("graduatedSymbol", MARKER)},
    "corridor": {"sites": ("categorizedSymbol", MARKER), "roads": ("graduatedSymbol", LINE),
                 "grid_use": ("graduatedSymbol", MARKER)},
    "park": {"squares": ("categorizedSymbol", MARKER), "companies": ("categorizedSymbol", MARKER),
             "assignments": ("singleSymbol", LINE)},
}
GEOMETRY_TYPE = {MARKER: "0", LINE: "1"}


# -- the runs -------------------------------------------------------------------------------------
def _instance(model: str, folder: Path) -> Path:
    if model == "fast":
        return write_tiny(folder)  # capacitated: demand has served_share
    if model == "fast-mclp":
        return write_tiny(folder, toml=lambda c: c["fast"].update(objective="mclp"))  # demand is covered or not
    if model == "corridor":
        return write_corridor(folder, toml=lambda c: c["corridor"].update(p=3, range=25.0))  # new stations beside eB
    return write_park_folder(folder, *small_park(1))


@pytest.fixture(scope="module", params=list(PLAN))
def solved(request, tmp_path_factory) -> tuple[str, Path]:
    """(run name, its sites.gpkg)."""
    base = tmp_path_factory.mktemp(request.param)
    result = CliRunner().invoke(cli, ["solve", str(_instance(request.param, base / "in")), "--out", str(base / "out")])
    assert result.exit_code == 0, result.output
    return request.param, base / "out" / "sites.gpkg"


def _styles(gpkg: Path) -> pd.DataFrame:
    with sqlite3.connect(gpkg) as con:
        return pd.read_sql_query("SELECT * FROM layer_styles ORDER BY id", con)


def _layers_with_geometry(gpkg: Path) -> dict[str, str]:
    """feature table -> geometry column, for the tables with at least one geometry."""
    out = {}
    with sqlite3.connect(gpkg) as con:
        rows = con.execute("SELECT c.table_name, g.column_name FROM gpkg_contents c JOIN gpkg_geometry_columns g "
                           "ON c.table_name = g.table_name WHERE c.data_type = 'features'").fetchall()
        for table, column in rows:
            if con.execute(f'SELECT 1 FROM "{table}" WHERE "{column}" IS NOT NULL LIMIT 1').fetchone():
                out[table] = column
    return out


def _fields(expression: str) -> set[str]:
    """The field names a QGIS expression uses: "quoted" identifiers, or the whole text when it is
    a bare field name (as in attr="status")."""
    if re.fullmatch(r"\w+", expression):
        return {expression}
    return set(re.findall(r'"([^"]+)"', expression))


def _used_fields(root: ET.Element) -> set[str]:
    renderer = root.find("renderer-v2")
    used = _fields(renderer.get("attr", "")) if renderer.get("attr") else set()
    for option in root.iter("Option"):
        if option.get("name") == "expression":
            used |= _fields(option.get("value"))
    text = root.find("labeling/settings/text-style")
    if text is not None:
        used |= _fields(text.get("fieldName"))
    return used


# -- the tests ------------------------------------------------------------------------------------
@pytest.mark.solver
def test_layer_styles_is_a_registered_attributes_table(solved) -> None:
    _, gpkg = solved
    with sqlite3.connect(gpkg) as con:
        contents = con.execute("SELECT data_type, identifier FROM gpkg_contents WHERE table_name = 'layer_styles'")
        assert contents.fetchall() == [("attributes", "layer_styles")]
        assert con.execute("PRAGMA application_id").fetchone()[0] == 0x47504B47  # still a GeoPackage ("GPKG")
    assert list(_styles(gpkg).columns) == COLUMNS


@pytest.mark.solver
def test_one_default_style_per_layer_with_geometry(solved) -> None:
    run, gpkg = solved
    styles = _styles(gpkg)
    geometry = _layers_with_geometry(gpkg)
    assert set(geometry) == set(PLAN[run])  # grid_use of fast and corridor is drawn at its substations
    assert sorted(styles["f_table_name"]) == sorted(geometry)
    assert (styles["useAsDefault"] == 1).all()
    for row in styles.itertuples():
        assert row.f_geometry_column == geometry[row.f_table_name]
        assert row.styleName == row.f_table_name and row.description


@pytest.mark.solver
def test_each_style_is_the_planned_qml_and_names_only_fields_the_layer_has(solved) -> None:
    run, gpkg = solved
    for row in _styles(gpkg).itertuples():
        renderer_type, symbol_type = PLAN[run][row.f_table_name]
        root = ET.fromstring(row.styleQML)
        assert root.tag == "qgis" and root.get("version").startswith("3.")
        assert set(root.get("styleCategories").split("|")) >= {"Symbology", "Labeling"}
        renderer = root.find("renderer-v2")
        assert renderer is not None and renderer.get("type") == renderer_type, row.f_table_name
        symbols = renderer.findall("symbols/symbol")
        assert symbols and {s.get("type") for s in symbols} == {symbol_type}
        assert root.findtext("layerGeometryType") == GEOMETRY_TYPE[symbol_type]
        fields = set(pyogrio.read_info(gpkg, layer=row.f_table_name)["fields"])
        used = _used_fields(root)
        assert used <= fields, (row.f_table_name, used - fields)
        if renderer_type != "singleSymbol":
            assert _fields(renderer.get("attr")), row.f_table_name


def _categories(root: ET.Element) -> list[str]:
    return [c.get("value") for c in root.find("renderer-v2").iter("category")]


def _ranges(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(r.get("lower")), float(r.get("upper"))) for r in root.find("renderer-v2").iter("range")]


def _expected_category(run: str, layer: str, df: pd.DataFrame) -> pd.Series:
    """What each feature is, in the words of the plan: its status, whether it is covered, where
    a company charges."""
    if layer == "demand":
        return df["covered"].map({True: "covered", False: "not covered"})
    if layer == "companies":
        return pd.Series(np.where(df["unmet_kwh_per_day"] > 1e-3, "energy not delivered",
                                  np.where(df["charges_at"] == "own connection", "own connection", "at a square")))
    return df["status"]


def _graduated_value(layer: str, df: pd.DataFrame) -> pd.Series:
    if layer == "grid_use":  # headroom used; an area without headroom is over with new load, apart without
        ratio = df["new_load_kw"] / df["available_kw"].where(df["available_kw"] > 0)
        return ratio.fillna(pd.Series(np.where(df["new_load_kw"] > 0, np.inf, -1.0), index=df.index))
    return df[{"demand": "served_share", "roads": "refuelled_trucks_per_day"}[layer]]


@pytest.mark.solver
def test_categories_and_classes_fit_the_values_written(solved) -> None:
    run, gpkg = solved
    for row in _styles(gpkg).itertuples():
        root = ET.fromstring(row.styleQML)
        df = pyogrio.read_dataframe(gpkg, layer=row.f_table_name)
        kind = root.find("renderer-v2").get("type")
        if kind == "categorizedSymbol":  # exactly the categories the data has: no empty legend entries
            assert sorted(_categories(root)) == sorted(set(_expected_category(run, row.f_table_name, df)))
        elif kind == "graduatedSymbol":  # every feature falls in a class, so every one is drawn
            ranges = _ranges(root)
            assert all(lo < hi for lo, hi in ranges) and ranges == sorted(ranges)
            values = _graduated_value(row.f_table_name, df).clip(upper=1e11)
            assert all(any(lo <= v <= hi for lo, hi in ranges) for v in values), row.f_table_name


@pytest.mark.solver
def test_sites_are_sized_by_chargers_and_labelled(solved) -> None:
    run, gpkg = solved
    styles = _styles(gpkg).set_index("f_table_name")
    sites = "squares" if run == "park" else "sites"
    root = ET.fromstring(styles.loc[sites, "styleQML"])
    sizes = [o for o in root.iter("Option") if o.get("name") == "size" and o.get("type") == "Map"]
    assert sizes and all("chargers" in o.find("Option[@name='expression']").get("value") for o in sizes)
    label = root.find("labeling/settings/text-style").get("fieldName")
    assert ('"name"' if run == "corridor" else '"id"') in label
    assert root.get("labelsEnabled") == "1"


@pytest.mark.solver
def test_the_geopackage_still_reads_with_pyogrio(solved) -> None:
    run, gpkg = solved
    names = [str(n) for n, _ in pyogrio.list_layers(gpkg)]
    assert set(PLAN[run]) <= set(names) and names[-1] == "layer_styles"
    for name in names:
        assert len(pyogrio.read_dataframe(gpkg, layer=name)) == pyogrio.read_info(gpkg, layer=name)["features"]
    assert len(pyogrio.read_dataframe(gpkg, layer="layer_styles")) == len(PLAN[run])


# -- without a solver -----------------------------------------------------------------------------
def _frames() -> dict:
    df = pd.DataFrame({"id": ["a", "b"], "weight": [1.0, 2.0]})
    xy = np.array([[0.0, 0.0], [1000.0, 500.0]])
    return {"points": point_layer(df, xy, "EPSG:28992"), "lines": segment_layer(df, xy, xy[::-1], "EPSG:28992"),
            "sites": point_layer(df, xy, "EPSG:28992"),  # a sites layer without status or chargers
            "table": point_layer(df, None, "EPSG:28992")}


def test_a_layer_without_a_style_of_its_own_gets_the_plain_one_of_its_geometry(tmp_path: Path) -> None:
    write_gpkg(tmp_path / "x.gpkg", _frames(), "EPSG:28992")
    styles = _styles(tmp_path / "x.gpkg").set_index("f_table_name")
    assert sorted(styles.index) == ["lines", "points", "sites"]  # "table" has no geometry
    for name, symbol in [("points", MARKER), ("lines", LINE), ("sites", MARKER)]:
        renderer = ET.fromstring(styles.loc[name, "styleQML"]).find("renderer-v2")
        assert renderer.get("type") == "singleSymbol" and renderer.find("symbols/symbol").get("type") == symbol


def test_the_same_layers_give_the_same_styles_and_a_rewrite_keeps_one(tmp_path: Path) -> None:
    a, b = tmp_path / "a.gpkg", tmp_path / "b.gpkg"
    write_gpkg(a, _frames(), "EPSG:28992")
    write_gpkg(b, _frames(), "EPSG:28992")
    pd.testing.assert_frame_equal(_styles(a), _styles(b))
    write_gpkg(a, {"more": point_layer(pd.DataFrame({"id": ["c"]}), np.zeros((1, 2)), "EPSG:28992")}, "EPSG:28992")
    assert sorted(_styles(a)["f_table_name"]) == ["lines", "more", "points", "sites"]
    from siting.io.styles import write_styles

    write_styles(a, ["points"])
    assert list(_styles(a)["f_table_name"]).count("points") == 1
