#!/usr/bin/env python3
"""Generate the bad-input catalogue: malformed copies of valid instances, one defect each.

Reference instances (all valid):

    tiny-gpkg            fast: the tiny spatial instance of tests/conftest.py as data.gpkg (EPSG:28992)
    tiny-csv             fast: the same data as CSV files with x/y columns
    tiny-graph           fast: the tiny demand and sites on a road graph (graph.csv, `node` columns, no CRS)
    nal-oost-fast        fast: instances/nal-oost-fast (real data, GeoPackage)
    nal-oost-corridor    corridor: instances/nal-oost-corridor (real data, GeoPackage, scenarios/)
    frlm25               corridor: instances/reference/frlm25 imported (CSV, OD ends are road node ids)
    rijssen-holten-park  park: instances/rijssen-holten-park (CSV, real parks, synthetic companies)

Each case copies one reference, breaks exactly one thing in its files (TOML, CSV text,
GeoPackage layers, file system) and records where the error must be reported: file name, layer,
row id, field and a substring of the message. A few cases are positive (odd but valid input:
a UTF-8 BOM and Windows line ends, a single-part MultiPoint layer, a graph with a white spot);
they must load and solve. `cases.json` in the output folder lists every case.

Run:  .venv/bin/python scripts/make_bad_instances.py OUT [--base REPO]
Used by tests/reliability/test_bad_input.py through `make_catalogue(base, out)`.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sqlite3
import sys
import tomllib
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
TOML, GPKG = "instance.toml", "data.gpkg"
REFERENCES = ("tiny-gpkg", "tiny-csv", "tiny-graph", "nal-oost-fast", "nal-oost-corridor", "frlm25",
              "rijssen-holten-park")
LARGE = ("nal-oost-fast", "nal-oost-corridor", "rijssen-holten-park")  # validated, not solved, as positives


@dataclass(frozen=True)
class Case:
    """One malformed (or odd but valid) instance and where its error must be reported."""

    name: str  # also the folder name in the catalogue
    reference: str  # one of REFERENCES
    defect: str  # what is wrong, in one line
    accept: bool = False  # positive case: the instance is valid and must solve
    file: str | None = None  # name of the file the message names
    layer: str | None = None
    row: str | None = None
    field: str | None = None
    message: str | None = None  # a substring of the problem's message
    solve: bool = True  # positive cases: also solve (False for the large reference)
    white_spot: str | None = None  # positive graph case: demand id reported as a white spot

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Case:
        return cls(**data)


Mutation = Callable[[Path], "Case | None"]  # may return a Case with facts known only at run time
CASES: list[tuple[Case, Mutation]] = []


def case(name: str, reference: str, defect: str, **expect) -> Callable[[Mutation], Mutation]:
    def register(mutate: Mutation) -> Mutation:
        CASES.append((Case(name, reference, defect, **expect), mutate))
        return mutate

    return register


# -- file helpers ---------------------------------------------------------------------------------
def read_toml(folder: Path) -> dict:
    return tomllib.loads((folder / TOML).read_text(encoding="utf-8"))


def edit_toml(folder: Path, change: Callable[[dict], None]) -> None:
    import tomli_w

    data = read_toml(folder)
    change(data)
    (folder / TOML).write_text(tomli_w.dumps(data), encoding="utf-8")


def set_key(path: str, value) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target.setdefault(part, {})
        target[last] = value

    return change


def rename_key(path: str, new: str) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        *parents, last = path.split(".")
        target = data
        for part in parents:
            target = target[part]
        target[new] = target.pop(last)

    return change


def edit_gpkg(folder: Path, layer: str, change: Callable) -> None:
    """`change(gdf)` returns the new GeoDataFrame of `layer`, which replaces it in data.gpkg."""
    import pyogrio

    path = folder / GPKG
    gdf = change(pyogrio.read_dataframe(path, layer=layer))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="'crs' was not provided")
        pyogrio.write_dataframe(gdf, path, layer=layer, driver="GPKG")  # replaces that layer only


def set_geometry(row: int, geom) -> Callable:
    def change(gdf):
        geoms = list(gdf.geometry)
        geoms[row] = geom
        return gdf.set_geometry(type(gdf.geometry)(geoms, crs=gdf.crs))

    return change


def set_value(row: int, column: str, value, as_text: bool = False) -> Callable:
    def change(df):
        if as_text:
            df[column] = df[column].map(lambda v: f"{v:g}").astype(object)
        elif isinstance(value, float) and df[column].dtype.kind in "iu":
            df[column] = df[column].astype(float)
        df.loc[row, column] = value
        return df

    return change


def read_csv(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)


def write_csv(folder: Path, name: str, df: pd.DataFrame) -> None:
    df.to_csv(folder / f"{name}.csv", index=False)


def edit_csv(folder: Path, name: str, change: Callable[[pd.DataFrame], pd.DataFrame | None]) -> None:
    df = read_csv(folder, name)
    out = change(df)
    write_csv(folder, name, df if out is None else out)


def csv_cell(row: int, column: str, value: str) -> Callable:
    def change(df: pd.DataFrame) -> None:
        df.loc[row, column] = value

    return change


def nal_id(folder: Path, layer: str, row: int) -> str:
    import pyogrio

    df = pyogrio.read_dataframe(folder / GPKG, layer=layer, read_geometry=False)
    return str(df["id"].iloc[row])


# -- references -----------------------------------------------------------------------------------
def _tiny_writer(base: Path):
    """`write_tiny` of tests/conftest.py (one definition of the tiny instance)."""
    spec = importlib.util.spec_from_file_location("_siting_tiny_conftest", base / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.write_tiny


def write_graph_reference(folder: Path, csv_reference: Path) -> None:
    """The tiny CSV instance on a road graph: every point is a node, edges to its 3 nearest."""
    import tomli_w
    from scipy.spatial import cKDTree

    folder.mkdir(parents=True)
    frames = {name: read_csv(csv_reference, name) for name in ("demand", "candidates", "existing", "grid_areas")}
    points = pd.concat([frames[n][["id", "x", "y"]] for n in ("demand", "candidates", "existing")], ignore_index=True)
    xy = points[["x", "y"]].astype(float).to_numpy()
    _, near = cKDTree(xy).query(xy, k=4)
    edges = {tuple(sorted((int(a), int(b)))) for a, row in enumerate(near) for b in row[1:]}
    nodes = "n-" + points["id"]
    graph = pd.DataFrame(sorted(edges), columns=["a", "b"])
    graph["u"] = nodes.to_numpy()[graph["a"]]
    graph["v"] = nodes.to_numpy()[graph["b"]]
    graph["length"] = np.round(np.hypot(*(xy[graph["a"]] - xy[graph["b"]]).T) * 1.3, 1)  # detour factor
    write_csv(folder, "graph", graph[["u", "v", "length"]])
    area = {"C1": "G-west", "C2": "G-west", "C3": "G-centre", "C4": "G-centre", "C5": "G-east", "C6": "G-east",
            "E1": "G-centre", "E2": "G-east"}
    for name in ("demand", "candidates", "existing"):
        df = frames[name].drop(columns=["x", "y"])
        df["node"] = "n-" + df["id"]
        if name != "demand":
            df["grid_area"] = df["id"].map(area)
        write_csv(folder, name, df)
    write_csv(folder, "grid_areas", frames["grid_areas"].drop(columns=["x", "y"]))
    config = read_toml(csv_reference)
    config["name"] = "tiny-graph"
    config.pop("crs")
    config["layers"] = {name: {"file": f"{name}.csv"} for name in ("demand", "candidates", "existing", "grid_areas", "graph")}
    (folder / TOML).write_text(tomli_w.dumps(config), encoding="utf-8")


def write_references(base: Path, out: Path) -> dict[str, Path]:
    write_tiny = _tiny_writer(base)
    refs = out / "_reference"
    if refs.exists():
        shutil.rmtree(refs)
    paths = {name: refs / name for name in REFERENCES}
    write_tiny(paths["tiny-gpkg"])
    write_tiny(paths["tiny-csv"], csv=True)
    write_graph_reference(paths["tiny-graph"], paths["tiny-csv"])
    for name in ("nal-oost-fast", "nal-oost-corridor", "rijssen-holten-park"):
        shutil.copytree(base / "instances" / name, paths[name], ignore=shutil.ignore_patterns("sweeps", "*.md"))
    from siting.importers import convert

    paths["frlm25"].mkdir()  # the importer writes into an existing folder (write_atomic makes it in the CLI)
    convert("frlm25", base / "instances" / "reference" / "frlm25", paths["frlm25"], range_=12.0, p=3)
    return paths


# == the catalogue ================================================================================
# -- files and layers -----------------------------------------------------------------------------
@case("toml_missing", "tiny-gpkg", "the folder has no instance.toml", file=TOML, message="file not found")
def _(f: Path) -> None:
    (f / TOML).unlink()


@case("toml_empty", "tiny-gpkg", "instance.toml is an empty file", file=TOML, field="name",
      message="required key is missing")
def _(f: Path) -> None:
    (f / TOML).write_bytes(b"")


@case("toml_is_directory", "tiny-gpkg", "instance.toml is a folder", file=TOML, message="is a folder")
def _(f: Path) -> None:
    (f / TOML).unlink()
    (f / TOML).mkdir()


@case("layer_file_missing", "tiny-gpkg", "a layer names a file that does not exist", file="missing.gpkg",
      layer="candidates", message="file not found")
def _(f: Path) -> None:
    edit_toml(f, set_key("layers.candidates.file", "missing.gpkg"))


@case("csv_empty_file", "tiny-csv", "demand.csv has zero bytes", file="demand.csv", layer="demand",
      message="the file is empty")
def _(f: Path) -> None:
    (f / "demand.csv").write_bytes(b"")


@case("csv_header_only", "tiny-csv", "candidates.csv has a header and no rows", file="candidates.csv",
      layer="candidates", message="no rows")
def _(f: Path) -> None:
    edit_csv(f, "candidates", lambda df: df.iloc[:0])


@case("gpkg_layer_missing", "tiny-gpkg", "instance.toml names a GeoPackage layer that does not exist",
      file=GPKG, layer="candidates", message="did you mean 'candidates'")
def _(f: Path) -> None:
    edit_toml(f, set_key("layers.candidates.layer", "candidatez"))


@case("gpkg_layer_empty", "tiny-gpkg", "the existing layer has no features", file=GPKG, layer="existing",
      message="no rows")
def _(f: Path) -> None:
    edit_gpkg(f, "existing", lambda gdf: gdf.iloc[:0])


@case("required_layer_missing", "tiny-gpkg", "instance.toml has no demand layer", file=TOML,
      field="layers.demand", message="required")
def _(f: Path) -> None:
    edit_toml(f, lambda d: d["layers"].pop("demand"))


@case("gpkg_not_a_gpkg", "tiny-gpkg", "data.gpkg is a text file", file=GPKG, layer="demand",
      message="not a readable")
def _(f: Path) -> None:
    (f / GPKG).write_text("id,weight\nD01,3\n")


@case("gpkg_empty_file", "tiny-gpkg", "data.gpkg has zero bytes", file=GPKG, layer="demand",
      message="not a readable")
def _(f: Path) -> None:
    (f / GPKG).write_bytes(b"")


@case("gpkg_truncated", "tiny-gpkg", "data.gpkg is cut off after 4 kB (an interrupted copy)", file=GPKG,
      layer="demand", message="not a readable")
def _(f: Path) -> None:
    data = (f / GPKG).read_bytes()
    (f / GPKG).write_bytes(data[:4096])


@case("csv_is_directory", "tiny-csv", "candidates.csv is a folder", file="candidates.csv", layer="candidates",
      message="is a folder")
def _(f: Path) -> None:
    (f / "candidates.csv").unlink()
    (f / "candidates.csv").mkdir()


@case("csv_unreadable", "tiny-csv", "existing.csv cannot be read (no permission; as root: a broken link)",
      file="existing.csv", layer="existing")
def _(f: Path) -> Case:
    path = f / "existing.csv"
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # root reads anything: use a dangling link
        path.unlink()
        path.symlink_to(f / "moved-away.csv")
        return Case("csv_unreadable", "tiny-csv", "existing.csv is a broken link (running as root)",
                    file="existing.csv", layer="existing", message="broken link")
    path.chmod(0)
    return Case("csv_unreadable", "tiny-csv", "existing.csv has no read permission", file="existing.csv",
                layer="existing", message="permission denied")


@case("unsupported_file_type", "tiny-csv", "a layer file is .xlsx", file="demand.xlsx", layer="demand",
      message="unsupported file type")
def _(f: Path) -> None:
    (f / "demand.csv").rename(f / "demand.xlsx")
    edit_toml(f, set_key("layers.demand.file", "demand.xlsx"))


# -- columns and types ----------------------------------------------------------------------------
@case("gpkg_text_in_numeric", "tiny-gpkg", "cost_per_charger is a text column with 'abc' in it", file=GPKG,
      layer="candidates", row="C4", field="cost_per_charger", message="not a number: 'abc'")
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_value(3, "cost_per_charger", "abc", as_text=True))


@case("nal_weight_text_decimal_comma", "nal-oost-fast", "demand weight stored as text, one with a decimal comma",
      file=GPKG, layer="demand", field="weight", message="decimal comma")
def _(f: Path) -> Case:
    edit_gpkg(f, "demand", set_value(10, "weight", "12,5", as_text=True))
    return Case("nal_weight_text_decimal_comma", "nal-oost-fast",
                "demand weight stored as text, one with a decimal comma", file=GPKG, layer="demand",
                row=nal_id(f, "demand", 10), field="weight", message="decimal comma")


@case("csv_text_in_integer", "tiny-csv", "max_chargers is 'four'", file="candidates.csv", layer="candidates",
      row="C2", field="max_chargers", message="not a number: 'four'")
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(1, "max_chargers", "four"))


@case("missing_required_column", "tiny-gpkg", "the demand layer has no weight column", file=GPKG,
      layer="demand", field="weight", message="required column is missing")
def _(f: Path) -> None:
    edit_gpkg(f, "demand", lambda gdf: gdf.drop(columns="weight"))


@case("csv_missing_id_column", "tiny-csv", "the id column of candidates.csv is called 'ident'",
      file="candidates.csv", layer="candidates", field="id", message="required column is missing")
def _(f: Path) -> None:
    edit_csv(f, "candidates", lambda df: df.rename(columns={"id": "ident"}))


@case("csv_column_name_case", "tiny-csv", "the weight column is called 'Weight'", file="demand.csv",
      layer="demand", field="weight", message="rename it to 'weight'")
def _(f: Path) -> None:
    edit_csv(f, "demand", lambda df: df.rename(columns={"weight": "Weight"}))


@case("csv_missing_coordinate_column", "tiny-csv", "instance.toml names an x column the CSV does not have",
      file="demand.csv", layer="demand", field="xcoord", message="coordinate column missing")
def _(f: Path) -> None:
    edit_toml(f, set_key("layers.demand.x", "xcoord"))


@case("csv_semicolon_separated", "tiny-csv", "demand.csv uses ';' between fields (Excel, Dutch locale)",
      file="demand.csv", layer="demand", message="';'")
def _(f: Path) -> None:
    df = read_csv(f, "demand")
    df.to_csv(f / "demand.csv", index=False, sep=";")


@case("csv_ragged_row", "tiny-csv", "one row of candidates.csv has an extra field", file="candidates.csv",
      layer="candidates", message="line 4")
def _(f: Path) -> None:
    lines = (f / "candidates.csv").read_text().splitlines()
    lines[3] += ",extra"
    (f / "candidates.csv").write_text("\n".join(lines) + "\n")


@case("csv_not_utf8", "tiny-csv", "demand.csv saved as Windows-1252 with an accented name", file="demand.csv",
      layer="demand", message="UTF-8")
def _(f: Path) -> None:
    df = read_csv(f, "demand")
    df["name"] = "Deventer"
    df.loc[2, "name"] = "Zwolle-Zuid Café"
    (f / "demand.csv").write_bytes(df.to_csv(index=False).encode("cp1252"))


# -- ids ------------------------------------------------------------------------------------------
@case("duplicate_id_gpkg", "tiny-gpkg", "two candidates have id C1", file=GPKG, layer="candidates", row="C1",
      field="id", message="duplicate id")
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_value(1, "id", "C1"))


@case("duplicate_id_csv", "tiny-csv", "two demand points have id D03", file="demand.csv", layer="demand",
      row="D03", field="id", message="duplicate id")
def _(f: Path) -> None:
    edit_csv(f, "demand", csv_cell(3, "id", "D03"))


@case("empty_id", "tiny-csv", "the 4th demand row has no id", file="demand.csv", layer="demand", row="#4",
      field="id", message="id is empty")
def _(f: Path) -> None:
    edit_csv(f, "demand", csv_cell(3, "id", ""))


@case("fractional_id", "tiny-gpkg", "candidate ids are decimal numbers (1.5, 2.5, ...)", file=GPKG,
      layer="candidates", row="#1", field="id", message="whole number")
def _(f: Path) -> None:
    def change(gdf):
        gdf["id"] = np.arange(len(gdf)) + 1.5
        return gdf

    edit_gpkg(f, "candidates", change)


@case("binary_id", "tiny-gpkg", "candidate ids are a BLOB column; one is not text at all", file=GPKG,
      layer="candidates", row="#3", field="id", message="binary")
def _(f: Path) -> None:
    db = sqlite3.connect(f / GPKG)
    for fn in ("ST_IsEmpty", "ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):  # GeoPackage triggers call these
        db.create_function(fn, 1, lambda g: 0)
    with db:
        db.execute("ALTER TABLE candidates RENAME COLUMN id TO id_text")
        db.execute("ALTER TABLE candidates ADD COLUMN id BLOB")
        db.execute("UPDATE candidates SET id = CAST(id_text AS BLOB)")
        db.execute("UPDATE candidates SET id = X'00FF10' WHERE fid = 3")
        db.execute("ALTER TABLE candidates DROP COLUMN id_text")
    db.close()


@case("site_id_in_both_layers", "tiny-gpkg", "existing site E1 renamed to candidate id C3", file=GPKG,
      layer="existing", row="C3", field="id", message="also used in layer 'candidates'")
def _(f: Path) -> None:
    edit_gpkg(f, "existing", set_value(0, "id", "C3"))


# -- numbers --------------------------------------------------------------------------------------
@case("nan_weight", "tiny-gpkg", "demand D03 has no weight (NULL)", file=GPKG, layer="demand", row="D03",
      field="weight", message="value is missing")
def _(f: Path) -> None:
    edit_gpkg(f, "demand", set_value(2, "weight", np.nan))


@case("csv_nan_text", "tiny-csv", "demand D05 weight is the text 'NaN'", file="demand.csv", layer="demand",
      row="D05", field="weight", message="not a number")
def _(f: Path) -> None:
    edit_csv(f, "demand", csv_cell(4, "weight", "NaN"))


@case("inf_available_kw", "tiny-gpkg", "grid area G-east has infinite available_kw", file=GPKG,
      layer="grid_areas", row="G-east", field="available_kw", message="infinite")
def _(f: Path) -> None:
    edit_gpkg(f, "grid_areas", set_value(2, "available_kw", np.inf))


@case("csv_inf_text", "tiny-csv", "candidate C5 fixed_cost is 'inf'", file="candidates.csv", layer="candidates",
      row="C5", field="fixed_cost", message="infinite")
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(4, "fixed_cost", "inf"))


@case("negative_fixed_cost", "tiny-gpkg", "candidate C3 costs -5", file=GPKG, layer="candidates", row="C3",
      field="fixed_cost", message="must be >= 0")
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_value(2, "fixed_cost", -5.0))


@case("negative_weight_csv", "tiny-csv", "demand D08 weight is -2", file="demand.csv", layer="demand", row="D08",
      field="weight", message="must be >= 0")
def _(f: Path) -> None:
    edit_csv(f, "demand", csv_cell(7, "weight", "-2"))


@case("absurd_land_m2", "tiny-gpkg", "candidate C6 has 1e300 m2 of land", file=GPKG, layer="candidates",
      row="C6", field="land_m2", message="absurdly large")
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_value(5, "land_m2", 1e300))


@case("csv_overflow", "tiny-csv", "candidate C1 cost_per_charger is 1e400 (overflows to infinity)",
      file="candidates.csv", layer="candidates", row="C1", field="cost_per_charger", message="absurdly large")
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(0, "cost_per_charger", "1e400"))


@case("negative_chargers", "tiny-gpkg", "existing site E2 has -1 chargers", file=GPKG, layer="existing", row="E2",
      field="chargers", message="must be >= 0")
def _(f: Path) -> None:
    edit_gpkg(f, "existing", set_value(1, "chargers", -1))


@case("fractional_max_chargers", "tiny-gpkg", "candidate C2 max_chargers is 2.5", file=GPKG,
      layer="candidates", row="C2", field="max_chargers", message="whole number")
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_value(1, "max_chargers", 2.5))


@case("csv_decimal_comma", "tiny-csv", "demand D05 weight is '3,5'", file="demand.csv", layer="demand",
      row="D05", field="weight", message="decimal comma")
def _(f: Path) -> None:
    edit_csv(f, "demand", csv_cell(4, "weight", "3,5"))


@case("csv_decimal_comma_coordinate", "tiny-csv", "candidate C2 x is '196000,5'", file="candidates.csv",
      layer="candidates", row="C2", field="x", message="decimal comma")
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(1, "x", "196000,5"))


@case("nal_grid_available_missing", "nal-oost-fast", "one substation has no available_kw", file=GPKG,
      layer="grid_areas", field="available_kw", message="value is missing")
def _(f: Path) -> Case:
    edit_gpkg(f, "grid_areas", set_value(5, "available_kw", np.nan))
    return Case("nal_grid_available_missing", "nal-oost-fast", "one substation has no available_kw", file=GPKG,
                layer="grid_areas", row=nal_id(f, "grid_areas", 5), field="available_kw", message="value is missing")


@case("toml_nan_radius", "tiny-gpkg", "radius = nan in instance.toml", file=TOML, field="fast.radius",
      message="finite number")
def _(f: Path) -> None:
    edit_toml(f, set_key("fast.radius", float("nan")))


@case("toml_inf_budget", "tiny-gpkg", "budget = inf in instance.toml", file=TOML, field="fast.budget",
      message="finite number")
def _(f: Path) -> None:
    edit_toml(f, set_key("fast.budget", float("inf")))


@case("toml_negative_p", "tiny-gpkg", "p = -3 in instance.toml", file=TOML, field="fast.p",
      message="greater than or equal to 0")
def _(f: Path) -> None:
    edit_toml(f, set_key("fast.p", -3))


@case("toml_huge_p", "tiny-gpkg", "p = 10**18 in instance.toml", file=TOML, field="fast.p",
      message="absurdly large")
def _(f: Path) -> None:
    edit_toml(f, set_key("fast.p", 10**18))


# -- geometry -------------------------------------------------------------------------------------
BOW_TIE = [(200_700, 450_800), (200_900, 451_000), (200_900, 450_800), (200_700, 451_000)]


@case("invalid_geometry", "tiny-gpkg", "demand D06 is a self-intersecting polygon", file=GPKG, layer="demand",
      row="D06", field="geometry", message="invalid geometry")
def _(f: Path) -> None:
    from shapely.geometry import Polygon

    edit_gpkg(f, "demand", set_geometry(5, Polygon(BOW_TIE)))


@case("empty_geometry", "tiny-gpkg", "demand D07 has an empty point", file=GPKG, layer="demand", row="D07",
      field="geometry", message="empty")
def _(f: Path) -> None:
    from shapely.geometry import Point

    edit_gpkg(f, "demand", set_geometry(6, Point()))


@case("null_geometry", "tiny-gpkg", "candidate C2 has no geometry (NULL)", file=GPKG, layer="candidates",
      row="C2", field="geometry", message="missing geometry")
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_geometry(1, None))


@case("multipoint_several", "tiny-gpkg", "candidate C4 is a MultiPoint of 3 points", file=GPKG,
      layer="candidates", row="C4", field="geometry", message="3 points")
def _(f: Path) -> None:
    from shapely.geometry import MultiPoint

    edit_gpkg(f, "candidates", set_geometry(3, MultiPoint([(198_800, 449_000), (199_000, 449_100), (199_200, 449_000)])))


@case("linestring_candidate", "tiny-gpkg", "candidate C5 is a line", file=GPKG, layer="candidates", row="C5",
      field="geometry", message="LineString")
def _(f: Path) -> None:
    from shapely.geometry import LineString

    edit_gpkg(f, "candidates", set_geometry(4, LineString([(205_900, 450_000), (206_400, 450_300)])))


@case("nal_3d_geometry", "nal-oost-fast", "one existing site has a Z coordinate (GPS export)", file=GPKG,
      layer="existing", field="geometry", message="3D")
def _(f: Path) -> Case:
    from shapely.geometry import Point

    def change(gdf):
        p = gdf.geometry.iloc[7]
        return set_geometry(7, Point(p.x, p.y, 12.5))(gdf)

    edit_gpkg(f, "existing", change)
    return Case("nal_3d_geometry", "nal-oost-fast", "one existing site has a Z coordinate (GPS export)", file=GPKG,
                layer="existing", row=nal_id(f, "existing", 7), field="geometry", message="3D")


# -- outside the region ---------------------------------------------------------------------------
@case("nal_point_in_new_york", "nal-oost-fast", "a demand point lies in New York (lon/lat typo)", file=GPKG,
      layer="demand", field="geometry", message="outside")
def _(f: Path) -> Case:
    from pyproj import Transformer
    from shapely.geometry import Point

    x, y = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True).transform(-74.0, 40.7)
    edit_gpkg(f, "demand", set_geometry(100, Point(x, y)))
    return Case("nal_point_in_new_york", "nal-oost-fast", "a demand point lies in New York (lon/lat typo)",
                file=GPKG, layer="demand", row=nal_id(f, "demand", 100), field="geometry", message="outside")


@case("csv_swapped_xy", "tiny-csv", "candidate C3 has x and y swapped", file="candidates.csv", layer="candidates",
      row="C3", field="x/y", message="outside the area of EPSG:28992")
def _(f: Path) -> None:
    def change(df: pd.DataFrame) -> None:
        df.loc[2, ["x", "y"]] = df.loc[2, ["y", "x"]].to_numpy()

    edit_csv(f, "candidates", change)


@case("csv_x_typo", "tiny-csv", "candidate C5 x typed 345900 instead of 205900 (still in the Netherlands)",
      file="candidates.csv", layer="candidates", row="C5", field="x/y", message="km from the bounding box")
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(4, "x", "345900"))


@case("csv_lonlat_as_xy", "tiny-csv", "candidates.csv x/y hold lon/lat degrees but the CRS is EPSG:28992",
      file="candidates.csv", layer="candidates", row="C1", field="x/y", message="outside")
def _(f: Path) -> None:
    from pyproj import Transformer

    def change(df: pd.DataFrame) -> None:
        lon, lat = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True).transform(
            df["x"].astype(float), df["y"].astype(float))
        df["x"], df["y"] = np.round(lon, 6).astype(str), np.round(lat, 6).astype(str)

    edit_csv(f, "candidates", change)


@case("csv_projected_as_lonlat", "tiny-csv", "demand.csv declared lon/lat but holds metres", file="demand.csv",
      layer="demand", row="D01", field="y", message="latitude")
def _(f: Path) -> None:
    def change(d: dict) -> None:
        d["layers"]["demand"] = {"file": "demand.csv", "lon": "x", "lat": "y"}

    edit_toml(f, change)


# -- CRS ------------------------------------------------------------------------------------------
@case("toml_crs_geographic", "tiny-gpkg", "crs = EPSG:4326 (degrees) in instance.toml", file=TOML, field="crs",
      message="geographic")
def _(f: Path) -> None:
    edit_toml(f, set_key("crs", "EPSG:4326"))


@case("toml_crs_missing", "tiny-gpkg", "instance.toml has no crs but the layers have geometry", file=GPKG,
      layer="demand", message="set crs")
def _(f: Path) -> None:
    edit_toml(f, lambda d: d.pop("crs"))


@case("toml_crs_unknown", "tiny-gpkg", "crs = EPSG:99999 (no such CRS)", file=TOML, field="crs",
      message="unknown CRS")
def _(f: Path) -> None:
    edit_toml(f, set_key("crs", "EPSG:99999"))


@case("layer_without_crs", "tiny-gpkg", "the existing layer has geometry but no CRS", file=GPKG,
      layer="existing", message="no CRS")
def _(f: Path) -> None:
    edit_gpkg(f, "existing", lambda gdf: gdf.set_crs(None, allow_override=True))


@case("csv_unknown_coords_crs", "tiny-csv", "coords_crs = 'RD New' is not a CRS", file="demand.csv",
      layer="demand", field="coords_crs", message="unknown CRS")
def _(f: Path) -> None:
    edit_toml(f, set_key("layers.demand.coords_crs", "RD New"))


# -- TOML -----------------------------------------------------------------------------------------
@case("toml_syntax_error", "tiny-gpkg", "an unterminated string", file=TOML, message="not valid TOML")
def _(f: Path) -> None:
    text = (f / TOML).read_text(encoding="utf-8")
    (f / TOML).write_text(text.replace('description = "test instance"', 'description = "test instance'))


@case("toml_decimal_comma", "tiny-gpkg", "radius = 3000,5 (a decimal comma)", file=TOML, message="decimal comma")
def _(f: Path) -> None:
    text = (f / TOML).read_text(encoding="utf-8")
    (f / TOML).write_text(text.replace("radius = 3000.0", "radius = 3000,5"))


@case("toml_unknown_key", "tiny-gpkg", "radius misspelt radus", file=TOML, field="fast.radus",
      message="did you mean 'radius'?")
def _(f: Path) -> None:
    edit_toml(f, rename_key("fast.radius", "radus"))


@case("toml_unknown_top_key", "tiny-gpkg", "description misspelt descripton", file=TOML, field="descripton",
      message="did you mean 'description'?")
def _(f: Path) -> None:
    edit_toml(f, rename_key("description", "descripton"))


@case("toml_unknown_layer_key", "tiny-gpkg", "layer misspelt layr in [layers.demand]", file=TOML,
      field="layers.demand.layr", message="did you mean 'layer'?")
def _(f: Path) -> None:
    edit_toml(f, rename_key("layers.demand.layer", "layr"))


@case("toml_unknown_layer_name", "tiny-gpkg", "[layers.candidate] instead of [layers.candidates]", file=TOML,
      field="layers", message="did you mean 'candidates'?")
def _(f: Path) -> None:
    edit_toml(f, rename_key("layers.candidates", "candidate"))


@case("toml_wrong_type", "tiny-gpkg", "p = \"ten\"", file=TOML, field="fast.p", message="integer")
def _(f: Path) -> None:
    edit_toml(f, set_key("fast.p", "ten"))


@case("toml_unknown_objective", "tiny-gpkg", "objective = \"mclpp\"", file=TOML, field="fast.objective",
      message="did you mean 'mclp'?")
def _(f: Path) -> None:
    edit_toml(f, set_key("fast.objective", "mclpp"))


@case("toml_not_utf8", "tiny-gpkg", "instance.toml saved as Windows-1252 with an accented description",
      file=TOML, message="UTF-8")
def _(f: Path) -> None:
    edit_toml(f, set_key("description", "Café Zwolle"))
    text = (f / TOML).read_text(encoding="utf-8")
    (f / TOML).write_bytes(text.encode("cp1252"))


@case("toml_unknown_model", "tiny-gpkg", "model = \"fastt\"", file=TOML, field="model", message="unknown model")
def _(f: Path) -> None:
    edit_toml(f, set_key("model", "fastt"))


@case("toml_layers_not_a_table", "tiny-gpkg", "layers = \"data.gpkg\" instead of [layers.*] tables",
      file=TOML, field="layers", message="dictionary")
def _(f: Path) -> None:
    edit_toml(f, set_key("layers", "data.gpkg"))


# -- references across layers ---------------------------------------------------------------------
@case("unknown_grid_area", "tiny-csv", "candidate C5 refers to grid area G-nowhere", file="candidates.csv",
      layer="candidates", row="C5", field="grid_area", message="unknown grid area id 'G-nowhere'")
def _(f: Path) -> None:
    def change(df: pd.DataFrame) -> None:
        df["grid_area"] = ""
        df.loc[4, "grid_area"] = "G-nowhere"

    edit_csv(f, "candidates", change)


def _pairs_layer(f: Path, name: str, rows: list[tuple], columns: list[str]) -> None:
    write_csv(f, name, pd.DataFrame(rows, columns=columns))
    edit_toml(f, set_key(f"layers.{name}", {"file": f"{name}.csv"}))


@case("coverage_unknown_candidate", "tiny-csv", "coverage.csv pairs D02 with candidate C9", file="coverage.csv",
      layer="coverage", row="#3", field="candidate_id", message="unknown candidate id 'C9'")
def _(f: Path) -> None:
    _pairs_layer(f, "coverage", [("D01", "C1"), ("D02", "C1"), ("D02", "C9"), ("D05", "C3")],
                 ["demand_id", "candidate_id"])


@case("distances_unknown_demand", "tiny-csv", "distances.csv names demand D99", file="distances.csv",
      layer="distances", row="#2", field="demand_id", message="unknown demand id 'D99'")
def _(f: Path) -> None:
    _pairs_layer(f, "distances", [("D01", "C1", 600.0), ("D99", "C1", 900.0), ("D05", "C3", 500.0)],
                 ["demand_id", "candidate_id", "distance"])


@case("distances_negative", "tiny-csv", "distances.csv has a distance of -100", file="distances.csv",
      layer="distances", row="#3", field="distance", message="must be >= 0")
def _(f: Path) -> None:
    _pairs_layer(f, "distances", [("D01", "C1", 600.0), ("D02", "C1", 900.0), ("D05", "C3", -100.0)],
                 ["demand_id", "candidate_id", "distance"])


@case("graph_unknown_node", "tiny-graph", "demand D03 sits on node n-999, which is not in graph.csv",
      file="demand.csv", layer="demand", row="D03", field="node", message="unknown graph node id 'n-999'")
def _(f: Path) -> None:
    edit_csv(f, "demand", csv_cell(2, "node", "n-999"))


@case("graph_negative_length", "tiny-graph", "one edge of graph.csv has length -50", file="graph.csv",
      layer="graph", row="#2", field="length", message="must be >= 0")
def _(f: Path) -> None:
    edit_csv(f, "graph", csv_cell(1, "length", "-50"))


@case("graph_node_column_missing", "tiny-graph", "a graph instance whose candidates have coordinates but no node",
      file="candidates.csv", layer="candidates", field="node", message="node column")
def _(f: Path) -> None:
    ref = f.parent / "_reference" / "tiny-csv"
    write_csv(f, "candidates", read_csv(ref, "candidates"))
    edit_toml(f, lambda d: d.update(crs="EPSG:28992") or d["layers"]["candidates"].update(x="x", y="y"))


# -- corridor -------------------------------------------------------------------------------------
CORR, F25, PARK = "nal-oost-corridor", "frlm25", "rijssen-holten-park"
SCENARIO = "scenarios/a1-a35-first.toml"


def corridor_case(name: str, defect: str, layer: str, row: int, **expect) -> Callable[[Mutation], Mutation]:
    """A nal-oost-corridor case whose row id (the layer's `id`) is read from the copy at run time."""
    def register(mutate: Mutation) -> Mutation:
        def run(f: Path) -> Case:
            mutate(f)
            return Case(name, CORR, defect, file=GPKG, layer=layer, row=nal_id(f, layer, row), **expect)

        CASES.append((Case(name, CORR, defect, file=GPKG, layer=layer, **expect), run))
        return mutate

    return register


def edit_scenario(folder: Path, text_to_add: str) -> None:
    path = folder / SCENARIO
    path.write_text(path.read_text(encoding="utf-8") + text_to_add, encoding="utf-8")


@case("corr_scenario_missing_site", CORR, "a scenario file fixes open a site id that is not a candidate",
      file=SCENARIO, row="osm_node_404", field="sites.open", message="unknown site id 'osm_node_404'")
def _(f: Path) -> None:
    edit_scenario(f, '\n[sites]\nopen = ["osm_node_404"]\n')


@case("corr_scenario_unknown_search_area", CORR, "a scenario allows search area Lola-01 (should be LoLa-01)",
      file=SCENARIO, row="Lola-01", field="search_areas.allowed", message="did you mean 'LoLa-01'?")
def _(f: Path) -> None:
    path = f / SCENARIO
    path.write_text(path.read_text(encoding="utf-8").replace('"LoLa-01"', '"Lola-01"'), encoding="utf-8")


@case("corr_scenario_bad_parameter", CORR, "a scenario sets corridor.p = -6", file=SCENARIO, field="corridor.p",
      message="greater than or equal to 0")
def _(f: Path) -> None:
    path = f / SCENARIO
    path.write_text(path.read_text(encoding="utf-8").replace('"corridor.p" = 6', '"corridor.p" = -6'), encoding="utf-8")


@case("corr_od_negative_flow", CORR, "an OD flow of -36.45 trucks/day", file=GPKG, layer="od_flows", row="#1",
      field="trucks_per_day", message="must be >= 0")
def _(f: Path) -> None:
    edit_gpkg(f, "od_flows", set_value(0, "trucks_per_day", -36.45))


@case("corr_od_unknown_point", CORR, "an OD flow starts at od point 999999, which does not exist", file=GPKG,
      layer="od_flows", row="#5", field="origin", message="unknown od point '999999'")
def _(f: Path) -> None:
    edit_gpkg(f, "od_flows", set_value(4, "origin", "999999"))


@case("corr_road_unknown_node", CORR, "a road starts at node 1234567, not in road_nodes", file=GPKG, layer="roads",
      row="#3", field="u", message="unknown road node '1234567'")
def _(f: Path) -> None:
    edit_gpkg(f, "roads", set_value(2, "u", "1234567"))


@case("corr_road_zero_length", CORR, "a road of length 0 km", file=GPKG, layer="roads", row="#10",
      field="length_km", message="must be > 0")
def _(f: Path) -> None:
    edit_gpkg(f, "roads", set_value(9, "length_km", 0.0))


@corridor_case("corr_candidate_off_the_road", "a candidate moved 80 km north (22 km from the nearest road node)", "candidates", 7,
               field="geometry", message="more than max_snap")
def _(f: Path) -> None:
    from shapely.geometry import Point

    def change(gdf):
        p = gdf.geometry.iloc[7]
        return set_geometry(7, Point(p.x, p.y + 80_000))(gdf)

    edit_gpkg(f, "candidates", change)


@corridor_case("corr_existing_negative_chargers", "an existing station with -2 chargers", "existing", 3,
               field="chargers", message="must be >= 0")
def _(f: Path) -> None:
    edit_gpkg(f, "existing", set_value(3, "chargers", -2))


@corridor_case("corr_candidate_duplicate_id", "two candidates share one id (a copy-paste in QGIS)", "candidates", 0,
               field="id", message="duplicate id")
def _(f: Path) -> None:
    def change(gdf):
        gdf.loc[5, "id"] = gdf.loc[0, "id"]
        return gdf

    edit_gpkg(f, "candidates", change)


@corridor_case("corr_search_area_min_above_max", "a search area needs at least 3 and at most 2 new hubs",
               "search_areas", 1, field="min_sites", message="min_sites 3 > max_sites 2")
def _(f: Path) -> None:
    edit_gpkg(f, "search_areas", set_value(1, "min_sites", 3))


@case("corr_range_nan", CORR, "range = nan in [corridor]", file=TOML, field="corridor.range", message="finite")
def _(f: Path) -> None:
    edit_toml(f, set_key("corridor.range", float("nan")))


@case("corr_unknown_parameter", CORR, "battery_kwh misspelt batery_kwh", file=TOML, field="corridor.batery_kwh",
      message="did you mean 'battery_kwh'?")
def _(f: Path) -> None:
    edit_toml(f, rename_key("corridor.battery_kwh", "batery_kwh"))


@case("corr_missing_od_layer", CORR, "instance.toml has no od_flows layer", file=TOML, field="layers.od_flows",
      message="required by the corridor model")
def _(f: Path) -> None:
    edit_toml(f, lambda d: d["layers"].pop("od_flows"))


# one rule for empty cells (issue 18): an empty cell in a present column is an error, never a default
EMPTY = "value is missing (an empty cell"


@corridor_case("corr_empty_candidate_land", "a candidate's land_m2 is NULL (was read as: no land limit)",
               "candidates", 2, field="land_m2", message=EMPTY)
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_value(2, "land_m2", np.nan))


@corridor_case("corr_empty_candidate_max_chargers", "a candidate's max_chargers is NULL (was read as: the "
               "corridor.max_chargers default)", "candidates", 4, field="max_chargers", message=EMPTY)
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", set_value(4, "max_chargers", np.nan))


@corridor_case("corr_empty_existing_power", "an existing station's power_kw is NULL", "existing", 1,
               field="power_kw", message=EMPTY)
def _(f: Path) -> None:
    edit_gpkg(f, "existing", set_value(1, "power_kw", np.nan))


@corridor_case("corr_empty_search_area_min", "a search area's min_sites is NULL (was read as 0)", "search_areas", 3,
               field="min_sites", message=EMPTY)
def _(f: Path) -> None:
    edit_gpkg(f, "search_areas", set_value(3, "min_sites", np.nan))


@corridor_case("corr_empty_search_area_max", "a search area's max_sites is NULL (was read as: no maximum)",
               "search_areas", 0, field="max_sites", message=EMPTY)
def _(f: Path) -> None:
    edit_gpkg(f, "search_areas", set_value(0, "max_sites", np.nan))


@case("corr_od_same_ends", CORR, "an OD flow from an od point to itself (was excluded silently)", file=GPKG,
      layer="od_flows", row="#3", field="destination", message="origin and destination are the same od point")
def _(f: Path) -> None:
    def change(df):
        df.loc[2, "destination"] = df.loc[2, "origin"]
        return df

    edit_gpkg(f, "od_flows", change)


def _cut_node(df: pd.DataFrame, node: str) -> pd.DataFrame:
    return df[(df["u"] != node) & (df["v"] != node)]


@case("f25_od_no_path", F25, "node 25 loses its roads: no path for the OD pairs that end there", file="od_flows.csv",
      layer="od_flows", row="#24", field="origin/destination", message="no path in the road graph from origin '1'")
def _(f: Path) -> None:
    edit_csv(f, "roads", lambda df: pd.concat([_cut_node(df, "25"), pd.DataFrame({"u": ["25"], "v": ["26"],
                                                                                  "length": ["3"]})]))


@case("f25_od_unknown_node", F25, "an OD flow ends at node 52 (the network has 25)", file="od_flows.csv",
      layer="od_flows", row="#2", field="destination", message="unknown road node '52'")
def _(f: Path) -> None:
    edit_csv(f, "od_flows", csv_cell(1, "destination", "52"))


@case("f25_candidate_unknown_node", F25, "candidate 7 sits on node 77", file="candidates.csv", layer="candidates",
      row="7", field="node", message="unknown road node id '77'")
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(6, "node", "77"))


@case("f25_flow_text", F25, "a flow typed as '62,09' (decimal comma)", file="od_flows.csv", layer="od_flows",
      row="#2", field="trucks_per_day", message="decimal comma")
def _(f: Path) -> None:
    edit_csv(f, "od_flows", csv_cell(1, "trucks_per_day", "62,09"))


@case("f25_road_self_loop", F25, "a road from node 4 to node 4", file="roads.csv", layer="roads", row="#5",
      field="v", message="a road from a node to itself")
def _(f: Path) -> None:
    def change(df: pd.DataFrame) -> None:
        df.loc[4, "v"] = df.loc[4, "u"]

    edit_csv(f, "roads", change)


@case("f25_od_same_node", F25, "an OD flow from road node 1 to road node 1", file="od_flows.csv", layer="od_flows",
      row="#2", field="destination", message="origin and destination are the same road node '1'")
def _(f: Path) -> None:
    edit_csv(f, "od_flows", csv_cell(1, "destination", "1"))


@case("f25_empty_fixed_cost", F25, "candidate 3 has an empty fixed_cost cell (was read as free)",
      file="candidates.csv", layer="candidates", row="3", field="fixed_cost", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(2, "fixed_cost", ""))


# -- park -----------------------------------------------------------------------------------------
def _park_toml(f: Path, change) -> None:
    edit_toml(f, change)


@case("park_dwell_after_midnight", PARK, "a company leaves at 31 h (7 h the next morning typed as 24 + 7)",
      file="companies.csv", layer="companies", row="c001", field="dwell_end", message="dwell window outside the day")
def _(f: Path) -> None:
    edit_csv(f, "companies", csv_cell(0, "dwell_end", "31.0"))


@case("park_dwell_negative", PARK, "a company arrives at -1 h", file="companies.csv", layer="companies", row="c003",
      field="dwell_start", message="must be >= 0")
def _(f: Path) -> None:
    edit_csv(f, "companies", csv_cell(2, "dwell_start", "-1"))


@case("park_dwell_empty", PARK, "arrival and departure both at 17 h: an empty window", file="companies.csv",
      layer="companies", row="c002", field="dwell_end", message="empty dwell window")
def _(f: Path) -> None:
    edit_csv(f, "companies", csv_cell(1, "dwell_end", "17.0"))


@case("park_dwell_half_given", PARK, "a departure without an arrival", file="companies.csv", layer="companies",
      row="c004", field="dwell_start", message="value is missing (an empty cell")
def _(f: Path) -> None:
    edit_csv(f, "companies", csv_cell(3, "dwell_start", ""))


@case("park_negative_energy", PARK, "a company needs -100.2 kWh per day", file="companies.csv", layer="companies",
      row="c002", field="kwh_per_day", message="must be >= 0")
def _(f: Path) -> None:
    edit_csv(f, "companies", csv_cell(1, "kwh_per_day", "-100.2"))


@case("park_energy_text", PARK, "max_kw typed as 'veel'", file="companies.csv", layer="companies", row="c005",
      field="max_kw", message="not a number: 'veel'")
def _(f: Path) -> None:
    edit_csv(f, "companies", csv_cell(4, "max_kw", "veel"))


@case("park_unknown_grid_area", PARK, "a square refers to grid area Holten (only Rijssen exists)", file="squares.csv",
      layer="squares", row="sq-130003-1", field="grid_area", message="unknown grid area id 'Holten'")
def _(f: Path) -> None:
    def change(df: pd.DataFrame) -> None:
        df["grid_area"] = ""
        df.loc[0, "grid_area"] = "Holten"

    edit_csv(f, "squares", change)


@case("park_tier_unknown_square", PARK, "a connection tier for square sq-999 that does not exist", file="tiers.csv",
      layer="tiers", row="3x80A", field="square", message="unknown square id 'sq-999'")
def _(f: Path) -> None:
    def change(df: pd.DataFrame) -> None:
        df["square"] = ""
        df.loc[0, "square"] = "sq-999"

    edit_csv(f, "tiers", change)


@case("park_tier_unknown_contract", PARK, "a tier's contract names profile 'timebond' (typo)", file="tiers.csv",
      layer="tiers", field="contract", message="unknown profile column id 'timebond'")
def _(f: Path) -> Case:
    df = read_csv(f, "tiers")
    k = int(np.flatnonzero(df["contract"] == "timebound")[0])
    df.loc[k, "contract"] = "timebond"
    write_csv(f, "tiers", df)
    return Case("park_tier_unknown_contract", PARK, "a tier's contract names profile 'timebond' (typo)",
                file="tiers.csv", layer="tiers", row=str(df.loc[k, "id"]), field="contract",
                message="unknown profile column id 'timebond'")


@case("park_tier_zero_capacity", PARK, "a connection tier of 0 kW", file="tiers.csv", layer="tiers", row="3x160A",
      field="capacity_kw", message="zero or negative capacity")
def _(f: Path) -> None:
    edit_csv(f, "tiers", csv_cell(1, "capacity_kw", "0"))


@case("park_missing_tier_layer", PARK, "instance.toml has no tiers layer", file=TOML, field="layers.tiers",
      message="required by the park model")
def _(f: Path) -> None:
    edit_toml(f, lambda d: d["layers"].pop("tiers"))


@case("park_profile_missing_slot", PARK, "profiles.csv lacks slot 95 (the last quarter hour)", file="profiles.csv",
      layer="profiles", field="slot", message="needs one row per slot 0..95")
def _(f: Path) -> None:
    edit_csv(f, "profiles", lambda df: df.iloc[:-1])


@case("park_charger_vehicle_kind", PARK, "a charger type for vehicle 'bus'", file="charger_types.csv",
      layer="charger_types", row="AC11", field="vehicle", message="vehicle must be one of")
def _(f: Path) -> None:
    edit_csv(f, "charger_types", csv_cell(0, "vehicle", "bus"))


@case("park_price_profile_unknown", PARK, "price_profile = \"tuo\" (typo of tou)", file=TOML,
      field="park.price_profile", message="not a column of the profiles layer")
def _(f: Path) -> None:
    edit_toml(f, set_key("park.price_profile", "tuo"))


@case("park_company_nowhere", PARK, "a company 20 km from every square without its own connection",
      file="companies.csv", layer="companies", row="c002", field="own_kw", message="nowhere to charge")
def _(f: Path) -> None:
    def change(df: pd.DataFrame) -> None:
        df.loc[1, "y"] = str(float(df.loc[1, "y"]) + 20_000)
        df.loc[1, "own_kw"] = "0"

    edit_csv(f, "companies", change)


@case("park_duplicate_company", PARK, "two companies with id c010", file="companies.csv", layer="companies",
      row="c010", field="id", message="duplicate id")
def _(f: Path) -> None:
    edit_csv(f, "companies", csv_cell(10, "id", "c010"))


@case("park_empty_charger_cost", PARK, "a charger type's cost is blank (was read as a free charger)",
      file="charger_types.csv", layer="charger_types", row="AC11", field="cost", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "charger_types", csv_cell(0, "cost", ""))


@case("park_empty_square_land", PARK, "a square's land_m2 is blank (was read as: no land limit)",
      file="squares.csv", layer="squares", row="sq-130003-1", field="land_m2", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "squares", csv_cell(0, "land_m2", ""))


@case("park_empty_square_fixed_m2", PARK, "a square's fixed_m2 is blank (was read as 0 m2)",
      file="squares.csv", layer="squares", row="sq-130060-1", field="fixed_m2", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "squares", csv_cell(1, "fixed_m2", ""))


@case("park_empty_tier_one_off_cost", PARK, "a tier's one_off_cost is blank (was read as free)",
      file="tiers.csv", layer="tiers", row="3x80A", field="one_off_cost", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "tiers", csv_cell(0, "one_off_cost", ""))


@case("park_empty_tier_contract", PARK, "a tier's contract is blank (was read as firm)",
      file="tiers.csv", layer="tiers", row="3x160A", field="contract", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "tiers", csv_cell(1, "contract", ""))


PARKS = "parks.geojson"  # the business parks: only drawn on the map, checked all the same


def edit_geojson(folder: Path, name: str, change: Callable) -> None:
    import pyogrio

    path = folder / name
    gdf = change(pyogrio.read_dataframe(path))
    path.unlink()
    pyogrio.write_dataframe(gdf, path, driver="GeoJSON")


def parks_id(folder: Path, row: int) -> str:
    import pyogrio

    return str(pyogrio.read_dataframe(folder / PARKS, read_geometry=False)["id"].iloc[row])


def parks_case(name: str, defect: str, row: int | None, **expect) -> Callable[[Mutation], Mutation]:
    """A rijssen-holten-park case in the parks layer; the row id is read from the copy at run time."""
    def register(mutate: Mutation) -> Mutation:
        def run(f: Path) -> Case:
            label = None if row is None else parks_id(f, row)
            mutate(f)
            return Case(name, PARK, defect, file=PARKS, layer="parks", row=label, **expect)

        CASES.append((Case(name, PARK, defect, file=PARKS, layer="parks", **expect), run))
        return mutate

    return register


@parks_case("park_parks_duplicate_id", "two business parks share one id", 0, field="id", message="duplicate id")
def _(f: Path) -> None:
    def change(gdf):
        gdf.loc[3, "id"] = gdf.loc[0, "id"]
        return gdf

    edit_geojson(f, PARKS, change)


@parks_case("park_parks_no_id", "the parks layer has no id column", None, field="id",
            message="required column is missing")
def _(f: Path) -> None:
    edit_geojson(f, PARKS, lambda gdf: gdf.drop(columns=["id"]))


@parks_case("park_parks_negative_area", "a business park of -12.5 ha", 2, field="ha_bruto", message="must be >= 0")
def _(f: Path) -> None:
    edit_geojson(f, PARKS, set_value(2, "ha_bruto", -12.5))


@parks_case("park_parks_empty_area", "a business park whose ha_bruto is null", 1, field="ha_bruto", message=EMPTY)
def _(f: Path) -> None:
    edit_geojson(f, PARKS, set_value(1, "ha_bruto", np.nan))


@parks_case("park_parks_empty_geometry", "a business park without geometry", 4, field="geometry",
            message="empty or missing geometry")
def _(f: Path) -> None:
    edit_geojson(f, PARKS, set_geometry(4, None))


# -- fast: the same rule --------------------------------------------------------------------------
@case("csv_empty_max_chargers", "tiny-csv", "a candidate's max_chargers cell is blank (was read as the default)",
      file="candidates.csv", layer="candidates", row="C2", field="max_chargers", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "candidates", csv_cell(1, "max_chargers", ""))


@case("graph_empty_node", "tiny-graph", "demand D03 has an empty node cell (crashed the distance kernel)",
      file="demand.csv", layer="demand", row="D03", field="node", message=EMPTY)
def _(f: Path) -> None:
    edit_csv(f, "demand", csv_cell(2, "node", ""))


@case("nal_empty_existing_land", "nal-oost-fast", "an existing site's land_m2 is NULL (was read as: no limit)",
      file=GPKG, layer="existing", field="land_m2", message=EMPTY)
def _(f: Path) -> Case:
    edit_gpkg(f, "existing", set_value(6, "land_m2", np.nan))
    return Case("nal_empty_existing_land", "nal-oost-fast", "an existing site's land_m2 is NULL (was read as: no limit)",
                file=GPKG, layer="existing", row=nal_id(f, "existing", 6), field="land_m2", message=EMPTY)


@case("nal_region_duplicate_id", "nal-oost-fast", "the region layer (only drawn on the map) repeats an id",
      file=GPKG, layer="region", field="id", message="duplicate id")
def _(f: Path) -> Case:
    def change(gdf):
        gdf.loc[1, "id"] = gdf.loc[0, "id"]
        return gdf

    edit_gpkg(f, "region", change)
    return Case("nal_region_duplicate_id", "nal-oost-fast", "the region layer (only drawn on the map) repeats an id",
                file=GPKG, layer="region", row=nal_id(f, "region", 0), field="id", message="duplicate id")


@corridor_case("corr_municipalities_duplicate_id", "two municipalities (only drawn on the map) share one id",
               "municipalities", 0, field="id", message="duplicate id")
def _(f: Path) -> None:
    def change(gdf):
        gdf.loc[1, "id"] = gdf.loc[0, "id"]
        return gdf

    edit_gpkg(f, "municipalities", change)


MUNICIPALITIES = "municipalities.geojson"


@case("park_municipalities_negative_population", PARK, "a municipality (map only) of -5 inhabitants",
      file=MUNICIPALITIES, layer="municipalities", field="inwoners_2023", message="must be >= 0")
def _(f: Path) -> Case:
    import pyogrio

    row = str(pyogrio.read_dataframe(f / MUNICIPALITIES, read_geometry=False)["id"].iloc[2])
    edit_geojson(f, MUNICIPALITIES, set_value(2, "inwoners_2023", -5))
    return Case("park_municipalities_negative_population", PARK, "a municipality (map only) of -5 inhabitants",
                file=MUNICIPALITIES, layer="municipalities", row=row, field="inwoners_2023", message="must be >= 0")


# -- odd but valid: must be accepted --------------------------------------------------------------
@case("ok_csv_bom_crlf", "tiny-csv", "every CSV has a UTF-8 BOM and Windows line ends (Excel)", accept=True)
def _(f: Path) -> None:
    for path in sorted(f.glob("*.csv")):
        text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))


@case("ok_toml_bom_crlf", "tiny-gpkg", "instance.toml has a UTF-8 BOM and Windows line ends (Notepad)",
      accept=True)
def _(f: Path) -> None:
    text = (f / TOML).read_text(encoding="utf-8")
    (f / TOML).write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))


@case("ok_layer_in_wgs84", "tiny-gpkg", "the candidates layer is stored in EPSG:4326: reprojected, accepted",
      accept=True)
def _(f: Path) -> None:
    edit_gpkg(f, "candidates", lambda gdf: gdf.to_crs("EPSG:4326"))


@case("ok_single_part_multipoint", "tiny-gpkg", "candidates stored as single-part MultiPoints (QGIS default)",
      accept=True)
def _(f: Path) -> None:
    import shapely

    def change(gdf):
        return gdf.set_geometry(type(gdf.geometry)(shapely.multipoints([[p] for p in gdf.geometry]), crs=gdf.crs))

    edit_gpkg(f, "candidates", change)


@case("ok_graph_white_spot", "tiny-graph", "demand D05 is on a road-graph island: a white spot, not an error",
      accept=True, white_spot="D05")
def _(f: Path) -> None:
    def change(df: pd.DataFrame) -> pd.DataFrame:
        df = df[(df["u"] != "n-D05") & (df["v"] != "n-D05")]
        island = pd.DataFrame({"u": ["n-D05"], "v": ["n-island"], "length": ["250.0"]})
        return pd.concat([df, island], ignore_index=True)

    edit_csv(f, "graph", change)


for _name in REFERENCES:  # the references themselves: the catalogue starts from valid input
    CASES.append((Case(f"ok_reference_{_name}", _name, "the unchanged reference instance", accept=True,
                       solve=_name not in LARGE), lambda f: None))


def make_catalogue(base: Path = REPO, out: Path = Path("bad-instances")) -> list[Case]:
    """Write every case under `out` (one folder each) and `out/cases.json`; return the cases.

    `base` is the repository root: tests/conftest.py (the tiny instance) and
    instances/nal-oost-fast are read from it. Existing case folders in `out` are replaced.
    """
    base, out = Path(base), Path(out)
    out.mkdir(parents=True, exist_ok=True)
    refs = write_references(base, out)
    cases = []
    for template, mutate in CASES:
        folder = out / template.name
        if folder.exists() or folder.is_symlink():
            shutil.rmtree(folder)
        shutil.copytree(refs[template.reference], folder)
        actual = mutate(folder) or template
        cases.append(actual)
    (out / "cases.json").write_text(json.dumps([c.to_json() for c in cases], indent=2) + "\n")
    return cases


def load_manifest(out: Path) -> list[Case]:
    return [Case.from_json(d) for d in json.loads((Path(out) / "cases.json").read_text())]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="catalogue folder (replaced case by case)")
    parser.add_argument("--base", type=Path, default=REPO, help="repository root (default: this checkout)")
    args = parser.parse_args(argv)
    cases = make_catalogue(args.base, args.out)
    bad = sum(not c.accept for c in cases)
    print(f"{len(cases)} cases ({bad} malformed, {len(cases) - bad} valid) in {args.out}/; manifest cases.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
