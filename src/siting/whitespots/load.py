"""Load a white-spot instance folder: TOML -> layers -> checks -> arrays."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from siting.io.folder import open_config, site_grid_areas
from siting.io.layers import Table, grid_area_of_points, read_layers
from siting.io.maps import MapLayer, place_names
from siting.io.sites import column
from siting.resources import GridAreas
from siting.whitespots.cells import CELL_M, CODE, HOUSEHOLDS, URBANITY, cell_corners, cell_values
from siting.whitespots.instance import WhitespotsInstance
from siting.whitespots.params import WhitespotsConfig
from siting.whitespots.validate import validate_whitespots


def load_tables(path: str | Path, overrides: list[str] | None = None):
    folder, config, toml_file = open_config(path, overrides, WhitespotsConfig)
    tables = read_layers(folder, config)
    validate_whitespots(config, tables, toml_file)
    return folder, config, tables


def load_whitespots(path: str | Path, overrides: list[str] | None = None) -> WhitespotsInstance:
    """Read, check and convert an instance; raises InstanceError listing every problem."""
    _, config, tables = load_tables(path, overrides)
    return instance_from_tables(config, tables)


def _grid(tables: dict[str, Table]) -> tuple[GridAreas | None, np.ndarray | None]:
    if "grid_areas" not in tables:
        return None, None
    t = tables["grid_areas"]
    g = t.df
    grid = GridAreas(ids=g["id"].to_numpy(dtype=object), available_kw=column(g, "available_kw", 0.0),
                     upgrade_kw=column(g, "upgrade_kw", 0.0), upgrade_cost=column(g, "upgrade_cost", 0.0), xy=t.xy)
    year = (g["upgrade_year"].fillna("").astype(str).str.removesuffix(".0").to_numpy(dtype=object)
            if "upgrade_year" in g.columns else np.full(len(g), "", dtype=object))
    return grid, year


def _grid_index(grid: GridAreas | None, areas: np.ndarray) -> np.ndarray:
    if grid is None:
        return np.full(len(areas), -1, dtype=np.int64)
    index = {gid: k for k, gid in enumerate(grid.ids)}
    return np.array([index.get(a, -1) for a in areas], dtype=np.int64)


def instance_from_tables(config: WhitespotsConfig, tables: dict[str, Table]) -> WhitespotsInstance:
    muni = tables["municipalities"]
    muni_ids = muni.df["id"].to_numpy(dtype=object)
    muni_names = muni.df["name"].astype(str).to_numpy(dtype=object)
    cells = tables["cells"]
    corner, _ = cell_corners(cells.df[CODE])
    centre = corner + CELL_M / 2
    # the centre decides the municipality; half a cell of slack for simplified boundaries
    where = place_names(centre, MapLayer("municipalities", muni.geometry, np.arange(len(muni_ids)).astype(object)),
                        near=CELL_M / 2)
    inside = np.array([isinstance(w, int | np.integer) for w in where])
    grid, year = _grid(tables)
    cell_grid = np.full(int(inside.sum()), -1, dtype=np.int64)
    if grid is not None and inside.any():  # the substation's area: polygon containing the centre, else nearest
        cell_grid = _grid_index(grid, grid_area_of_points(centre[inside], tables["grid_areas"]))
    plan = tables["plan_locations"]
    by_name = {name: k for k, name in enumerate(muni_names)}
    by_id = {mid: k for k, mid in enumerate(muni_ids)}
    plan_muni = np.array([by_id.get(g, by_name.get(g, -1)) for g in plan.df["gemeente"]], dtype=np.int64)
    points = tables["public_points"]
    point_xy = points.xy if points.xy is not None else np.zeros((0, 2))
    return WhitespotsInstance(
        name=config.name, params=config.whitespots, crs=config.crs,
        cell_ids=cells.df[CODE].astype(str).str.strip().to_numpy(dtype=object)[inside],
        cell_corner=corner[inside],
        households=cell_values(cells, HOUSEHOLDS)[inside],
        urbanity=cell_values(cells, URBANITY)[inside],
        cell_municipality=where[inside].astype(np.int64),
        cell_grid=cell_grid,
        cells_outside=int((~inside).sum()),
        point_ids=points.df["id"].to_numpy(dtype=object) if len(points.df) else np.zeros(0, dtype=object),
        point_xy=point_xy,
        plan_ids=plan.df["id"].to_numpy(dtype=object),
        plan_xy=plan.xy,
        plan_status=plan.df["status"].to_numpy(dtype=object),
        plan_municipality=plan_muni,
        plan_land_m2=column(plan.df, "land_m2", np.inf),
        plan_grid=_grid_index(grid, site_grid_areas(tables, "plan_locations")) if grid is not None
        else np.full(len(plan.df), -1, dtype=np.int64),
        municipality_ids=muni_ids, municipality_names=muni_names,
        procedure=muni.df["procedure"].to_numpy(dtype=object),
        grid=grid, grid_upgrade_year=year,
    )
