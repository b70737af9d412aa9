"""The CBS 500 m grid ("Kaart van 500 meter bij 500 meter met statistieken", `cbs_vk500_<year>.gpkg`), read
in its published schema: nothing is renamed, so a planner points instance.toml at CBS's own file.

The schema this module relies on:
- `crs28992res500m`: the cell code, "E" + 4 digits + "N" + 4 digits: the south-west corner in RD New
  (EPSG:28992) in hectometres, e.g. "E2005N4735" = x 200 500 m, y 473 500 m. The position is taken
  from the code, not from the geometry, so a CSV export without geometry reads the same;
- `aantal_part_huishoudens`: private households in the cell;
- `stedelijkheid` (optional): CBS urbanity class 1 (very urban) .. 5 (not urban).
CBS writes no-data codes instead of counts where a value is secret or unknown (-99997 "geheim", and
the other codes from -99999 to -99990): such a cell has an unknown count, so it cannot be shown to
reach the household threshold; it is counted as "no data" and never as a white spot.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from siting.checks import EMPTY_CELL, MAX_REPORTED, check_numeric_field, missing_column_message
from siting.io.layers import Table, empty_cells

CODE = "crs28992res500m"
HOUSEHOLDS = "aantal_part_huishoudens"
URBANITY = "stedelijkheid"
CELL_M = 500.0
NODATA_LOW, NODATA_HIGH = -99999.0, -99990.0  # CBS no-data codes (-99997: secret)
_CODE = re.compile(r"E(\d{4})N(\d{4})")


def is_nodata(values: np.ndarray) -> np.ndarray:
    return (values >= NODATA_LOW) & (values <= NODATA_HIGH) & (np.mod(values, 1) == 0)


def cell_corners(codes: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(south-west corners (n, 2) in metres, bool per row: the code does not parse). NaN where bad."""
    text = codes.astype(object).to_numpy()
    xy = np.full((len(text), 2), np.nan)
    bad = np.zeros(len(text), bool)
    for k, value in enumerate(text):
        match = _CODE.fullmatch(value.strip()) if isinstance(value, str) else None
        if match is None:
            bad[k] = True
        else:
            xy[k] = float(match.group(1)) * 100.0, float(match.group(2)) * 100.0
    return xy, bad


def check_cells(table: Table) -> None:
    """The CBS columns: codes that parse, lie on the 500 m grid and are unique; household counts that are
    whole numbers >= 0 or a CBS no-data code; urbanity 1..5 or no data. An empty cell is an error, as in
    every layer (src/siting/checks.py): CBS itself never leaves one empty."""
    df = table.df
    if CODE not in df.columns:
        table.problem(missing_column_message(table, CODE) + " (the CBS cell code, e.g. 'E2005N4735')", field=CODE)
        return
    labels = np.array([str(c) if isinstance(c, str) and c.strip() else f"#{k + 1}"
                       for k, c in enumerate(df[CODE])], dtype=object)
    empty = empty_cells(df[CODE])
    for k in np.flatnonzero(empty)[:MAX_REPORTED]:
        table.problem(EMPTY_CELL, row=f"#{k + 1}", field=CODE)
    xy, bad = cell_corners(df[CODE])
    for k in np.flatnonzero(bad & ~empty)[:MAX_REPORTED]:
        table.problem(f"not a CBS cell code: {df[CODE].iloc[k]!r} (expected 'E' + 4 digits + 'N' + 4 digits, "
                      "the south-west corner in hectometres, e.g. 'E2005N4735')", row=labels[k], field=CODE)
    off = ~bad & (np.mod(xy, CELL_M) != 0).any(axis=1)
    for k in np.flatnonzero(off)[:MAX_REPORTED]:
        table.problem(f"cell {df[CODE].iloc[k]} is not on the 500 m grid (corner {xy[k, 0]:.0f}, {xy[k, 1]:.0f} m): "
                      "is this the 100 m file (crs28992res100m)?", row=labels[k], field=CODE)
    dup = df[CODE][df[CODE].duplicated(keep="first") & ~empty]
    for value in dup.unique()[:MAX_REPORTED]:
        table.problem("duplicate cell code (each cell appears once)", row=str(value), field=CODE)
    if "id" not in df.columns:  # so that every check names a row by its cell code, as CBS and QGIS show it
        df["id"] = df[CODE].astype(object).where(~empty, None)
    _check_count(table, HOUSEHOLDS, required=True, labels=labels)
    _check_count(table, URBANITY, required=False, labels=labels, upper=5.0, lower=1.0)


def _check_count(table: Table, name: str, required: bool, labels: np.ndarray, lower: float = 0.0,
                 upper: float | None = None) -> None:
    """A whole number in [lower, upper], or a CBS no-data code."""
    df = table.df
    if name not in df.columns:
        if required:
            table.problem(missing_column_message(table, name), field=name)
        return
    before = len(table.problems)
    check_numeric_field(table, name, minimum=None, integer=True, required=required)
    if len(table.problems) > before:
        return
    v = df[name].to_numpy(dtype=float)
    nodata = is_nodata(v)
    out = ~nodata & ((v < lower) | ((v > upper) if upper is not None else False))
    bounds = f"{lower:g}..{upper:g}" if upper is not None else f">= {lower:g}"
    for k in np.flatnonzero(out)[:MAX_REPORTED]:
        table.problem(f"must be {bounds} or a CBS no-data code (-99999..-99990, e.g. -99997 'geheim'), got {v[k]:g}",
                      row=labels[k], field=name)


def cell_values(table: Table, name: str) -> np.ndarray:
    """A checked CBS count as floats, NaN for no data (and for a column that is absent)."""
    if name not in table.df.columns:
        return np.full(len(table.df), np.nan)
    v = table.df[name].to_numpy(dtype=float)
    return np.where(is_nodata(v), np.nan, v)


__all__ = ["CODE", "HOUSEHOLDS", "URBANITY", "CELL_M", "check_cells", "cell_corners", "cell_values", "is_nodata"]
