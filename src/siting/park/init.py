"""A new park instance folder to fill in (`siting init park`): every layer the loader reads,
written with its header, one example company, default charger types and connection tiers, and
candidate squares, one per business park of a parks layer when one is given.

The folder validates and solves as written. Units of every column are in its README.md (CSV
headers stay plain column names: the loader reads no comment lines), every key of instance.toml
is commented with its unit, meaning and tag. Tags as in ../shared/DOMAIN.md: [sourced] as
published, [derived] arithmetic on sourced values, [estimate] no source.

Pure functions build the tables and texts (`park_tables`, `instance_toml`, `readme_text`);
`write_park_template` writes them atomically and never into a folder that has files in it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from siting.checks import check_not_empty
from siting.config import LayerSource, did_you_mean
from siting.errors import InstanceError, Problem, SitingError
from siting.generate import write_csv
from siting.io.layers import SPATIAL_SUFFIXES, read_layer
from siting.io.write import write_atomic
from siting.park.generate import CHARGERS, profiles, tiers

CRS = "EPSG:28992"  # RD New: the projected CRS (metres) of Dutch data
SLOTS = 96
# The share of a business park's gross area offered as its square's parcel [estimate]: 1.5 % of
# a mean Rijssen-Holten park (330 ha / 20 = 16.5 ha) is the 2 500 m² parcel of rijssen-holten-park.
LAND_SHARE = 0.015
EXAMPLE_LAND_M2 = 2_500.0  # the parcel of the example square without --parks [estimate]
SQUARE_COSTS = {"fixed_m2": 150.0, "fixed_cost": 150_000.0, "annual_cost": 5_000.0}  # [estimate], README
EXAMPLE_HEADROOM_KW = 1_000.0  # placeholder for the DSO's figure [estimate]
ID_FIELDS = ("id", "rin", "fid")  # IBIS calls a park's number `rin`
NAME_FIELDS = ("name", "naam", "plannaam")

# Example rows (no --parks): near Rijssen, in RD New metres [estimate: made up].
EXAMPLE_SQUARE_XY = (229_500.0, 480_000.0)
COMPANY_OFFSET = (100.0, 100.0)  # the example company stands 141 m from the first square


@dataclass(frozen=True)
class Parks:
    """Business-park polygons read from a file: ids, names, one representative point each, area."""

    source: Path
    ids: np.ndarray
    names: np.ndarray
    xy: np.ndarray  # (n, 2), in CRS: a point inside each polygon
    area_m2: np.ndarray
    geometry: object  # GeoSeries of the polygons in CRS


# ---------------------------------------------------------------------------------------------
# reading the parks layer


def _field(file: str, columns: list[str], given: str | None, options: tuple[str, ...], option: str) -> str | None:
    """The column `given` (an error when absent), else the first of `options` present (any case)."""
    if given is not None:
        if given not in columns:
            raise InstanceError(Problem(file, f"no column {given!r} ({option}){did_you_mean(given, columns)}; the "
                                              f"layer has: {', '.join(columns) or 'no columns'}", layer="parks",
                                        field=given))
        return given
    lower = {c.lower(): c for c in columns}
    return next((lower[o] for o in options if o in lower), None)


def _text_values(values: pd.Series) -> np.ndarray:
    """Cells as stripped text; empty cells (blank, NULL, NaN) as None. 12.0 reads as "12"."""
    out = []
    for v in values.to_numpy(dtype=object):
        if v is None or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        else:
            out.append(str(v).strip() or None)
    return np.array(out, dtype=object)


def read_parks(path: str | Path, layer: str | None = None, id_field: str | None = None,
               name_field: str | None = None, crs: str = CRS) -> Parks:
    """Business-park polygons from a GeoPackage / GeoJSON / shapefile, reprojected to `crs`.

    Ids come from `id_field` (default: the first of id, rin, fid; else the row number), names
    from `name_field` (default: name, naam, plannaam; else "park <id>"). Raises InstanceError
    naming the file, row and field of every problem: no polygons, missing or invalid geometry,
    no CRS, an empty or repeated id."""
    path = Path(path)
    file = str(path)
    if path.suffix.lower() not in SPATIAL_SUFFIXES:
        raise InstanceError(Problem(file, f"unsupported file type {path.suffix!r} for --parks: give business-park "
                                          "polygons as .gpkg, .geojson or .shp", layer="parks"))
    table = read_layer(path.parent, "parks", LayerSource(file=path.name, layer=layer), crs)
    if not table.problems:
        check_not_empty(table)
    if table.problems:
        raise InstanceError(table.problems)
    df = table.df
    if table.geometry is None:
        raise InstanceError(Problem(file, "no polygons: --parks needs the outlines of the business parks "
                                          "(polygons), not points or a table", layer="parks", field="geometry"))
    columns = [str(c) for c in df.columns]
    id_col = _field(file, columns, id_field, ID_FIELDS, "--id-field")
    name_col = _field(file, columns, name_field, NAME_FIELDS, "--name-field")
    ids = _text_values(df[id_col]) if id_col else np.array([str(k + 1) for k in range(len(df))], dtype=object)
    label = [i if i is not None else f"#{k + 1}" for k, i in enumerate(ids)]
    problems = []
    kinds = table.geometry.geom_type.to_numpy(dtype=object)
    for k in np.flatnonzero(~np.isin(kinds, ["Polygon", "MultiPolygon"])):
        problems.append(Problem(file, f"a {kinds[k]}, not a polygon: every row must be a business park's outline",
                                layer="parks", row=label[k], field="geometry"))
    seen: dict[str, int] = {}
    for k, i in enumerate(ids):
        if i is None:
            problems.append(Problem(file, "empty id (choose another column with --id-field)", layer="parks",
                                    row=label[k], field=id_col))
        elif i in seen:
            problems.append(Problem(file, f"id {i!r} repeated (also row #{seen[i] + 1}); choose another column "
                                          "with --id-field", layer="parks", row=f"#{k + 1}", field=id_col))
        else:
            seen[i] = k
    if problems:
        raise InstanceError(problems[:20] + ([Problem(file, f"... and {len(problems) - 20} more problems")]
                                             if len(problems) > 20 else []))
    names = _text_values(df[name_col]) if name_col else np.full(len(df), None, dtype=object)
    names = np.array([n if n is not None else f"park {i}" for n, i in zip(names, ids, strict=True)], dtype=object)
    geometry = table.geometry.reset_index(drop=True)
    return Parks(source=path, ids=ids, names=names, xy=table.xy, area_m2=geometry.area.to_numpy(dtype=float),
                 geometry=geometry)


# ---------------------------------------------------------------------------------------------
# the tables


def slug(text: str) -> str:
    """Lower-case ASCII words joined by '-': "Vletgaarsmaten 1" -> "vletgaarsmaten-1"."""
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")


def square_ids(names, ids) -> list[str]:
    """sq-<park name>, made unique with -2, -3, ... (the park's id where the name has no letters)."""
    out: list[str] = []
    for name, pid in zip(names, ids, strict=True):
        base = f"sq-{slug(str(name)) or slug(str(pid)) or 'park'}"
        candidate, n = base, 1
        while candidate in out:
            n += 1
            candidate = f"{base}-{n}"
        out.append(candidate)
    return out


def squares_from_parks(parks: Parks, share: float = LAND_SHARE) -> pd.DataFrame:
    """One candidate square per park at a point inside it, parcel = share x the park's area."""
    return pd.DataFrame({
        "id": square_ids(parks.names, parks.ids),
        "park": parks.names,
        "x": np.round(parks.xy[:, 0], 1),
        "y": np.round(parks.xy[:, 1], 1),
        "land_m2": np.round(share * parks.area_m2, 0),
        **SQUARE_COSTS,
    })


def example_square() -> pd.DataFrame:
    return pd.DataFrame({"id": ["sq-example"], "park": ["example park"], "x": [EXAMPLE_SQUARE_XY[0]],
                         "y": [EXAMPLE_SQUARE_XY[1]], "land_m2": [EXAMPLE_LAND_M2],
                         **{k: [v] for k, v in SQUARE_COSTS.items()}})


def example_company(xy: tuple[float, float]) -> pd.DataFrame:
    """One company with 4 electric vans and 1 truck (values and tags in COLUMNS / README.md)."""
    vans, trucks = 4, 1
    points = int(np.ceil(vans / 1.5))  # home AC chargers, one per 1.5 vans (as rijssen-holten-park)
    return pd.DataFrame({
        "id": ["example-company"], "x": [round(xy[0], 1)], "y": [round(xy[1], 1)], "vans": [vans],
        "trucks": [trucks], "van_km_per_day": [70.0], "van_kwh_per_km": [0.22], "truck_km_per_day": [138.0],
        "truck_kwh_per_km": [1.1], "max_kw": [vans * 11.0 + trucks * 100.0], "dwell_start": [17.0],
        "dwell_end": [7.0], "own_kw": [40.0], "own_cost": [2_602.0 + 2_500.0 * points + 30_000.0 * trucks],
        "own_annual_cost": [150.0 * points + 1_500.0 * trucks],
    })


def example_grid_area(xy: tuple[float, float]) -> pd.DataFrame:
    return pd.DataFrame({"id": ["example-substation"], "x": [round(xy[0], 1)], "y": [round(xy[1], 1)],
                         "available_kw": [EXAMPLE_HEADROOM_KW]})


def park_tables(parks: Parks | None = None, share: float = LAND_SHARE) -> dict[str, pd.DataFrame]:
    """Every CSV layer of the new folder, by layer name (the file is <layer>.csv)."""
    squares = example_square() if parks is None else squares_from_parks(parks, share)
    xy = squares[["x", "y"]].to_numpy(dtype=float)
    first = xy[int(np.argmax(squares["land_m2"].to_numpy()))]  # the company by the largest square
    company = example_company((first[0] + COMPANY_OFFSET[0], first[1] + COMPANY_OFFSET[1]))
    centre = xy.mean(axis=0)
    grid = example_grid_area((centre[0] - 200.0, centre[1] - 100.0))
    return {"companies": company, "squares": squares, "tiers": tiers(), "charger_types": CHARGERS.copy(),
            "grid_areas": grid, "profiles": profiles(SLOTS, np.zeros(0), [])}


# ---------------------------------------------------------------------------------------------
# the texts: units of every column (README.md) and every key of instance.toml

# layer -> [(column, unit, meaning and the example value's source)]
COLUMNS: dict[str, list[tuple[str, str, str]]] = {
    "companies": [
        ("id", "text", "unique name of the company"),
        ("x, y", "m (crs)", "where its vehicles park at night"),
        ("vans, trucks", "vehicles (integer)", "electric vans and trucks to charge; example 4 and 1 [estimate: "
                                               "DOMAIN 'park' fleet 5–20 vans, 2–10 trucks, electric share]"),
        ("van_km_per_day", "km/day", "per van; 70 [sourced: CBS average van ≤70 km/day, autoreview.nl 2024]"),
        ("van_kwh_per_km", "kWh/km", "per van; 0.22 [sourced: e-Transit test 22–25 kWh/100 km, 2025]"),
        ("truck_km_per_day", "km/day", "per truck; 138 [sourced: CBS 2021, rigid truck 36 000 km/yr ≈ 138 per "
                                       "working day; a tractor 294]"),
        ("truck_kwh_per_km", "kWh/km", "per truck; 1.1 [sourced: NL prognosis ~1.1 kWh/km]"),
        ("max_kw", "kW", "charging power of all its vehicles together; 144 = 4 × 11 + 1 × 100 [derived: AC 11 kW "
                         "per van, RWS 2021; ≤100 kW per truck at a depot, Nature Energy 2021]"),
        ("dwell_start, dwell_end", "hour of the day, 0–24", "the vehicles are parked from start to end (17 → 7 "
                                                            "wraps past midnight: 14 h) [estimate, within the "
                                                            "sourced depot window of 8–14 h]"),
        ("own_kw", "kW", "spare headroom of the company's own connection for charging (0: no own option); 40 "
                         "[estimate]"),
        ("own_cost", "EUR one-off", "upgrade to 3×160 A €2 602 [sourced; old: Enexis 2016] + home chargers "
                                    "€2 500 per 1.5 vans and €30 000 per truck [estimate]"),
        ("own_annual_cost", "EUR/year", "€150 per home AC charger, €1 500 per truck charger [estimate]"),
    ],
    "squares": [
        ("id", "text", "unique name of the candidate square (laadplein)"),
        ("park", "text", "the business park it lies on (not read by the model; shown in reports)"),
        ("x, y", "m (crs)", "location of the parcel"),
        ("land_m2", "m²", "parcel area for chargers, lanes and the substation"),
        ("fixed_m2", "m²", "area an open square always uses (MV substation, lanes); 150 [estimate]"),
        ("fixed_cost", "EUR one-off", "civil works and MV substation; €150 000 [estimate; a trafohuisje alone "
                                      "≤ €100 000, sourced: Stedin 2022]"),
        ("annual_cost", "EUR/year", "upkeep, lease; €5 000 [estimate]"),
    ],
    "tiers": [
        ("id", "text", "unique name of the connection option"),
        ("capacity_kw", "kW", "contracted capacity; kVA taken as kW (power factor 1) [categories sourced: "
                              "Enexis/Liander; power factor estimate]"),
        ("one_off_cost", "EUR one-off", "connection fee [sourced; old: Enexis eenmalige tarieven 2016; "
                                        "3×80 A estimate]"),
        ("annual_cost", "EUR/year", "periodic fee, 12 × the monthly one [sourced; old: Liander 2017; 3×80 A, "
                                    "3×160 A estimate]; time-bound −50 % [estimate]"),
        ("contract", "firm or a profiles column", "firm: always available; timebound: no transport "
                                                  "16:00–21:00 [sourced: Stcrt 2024-23594, Stedin netbewust]"),
    ],
    "charger_types": [
        ("id", "text", "unique name of the charger type"),
        ("power_kw", "kW", "AC 11, DC 50, DC 100 [sourced]"),
        ("cost", "EUR one-off", "hardware and installation; €2 500 / €30 000 / €60 000 [estimate]"),
        ("annual_cost", "EUR/year", "operation and maintenance; €150 / €1 500 / €3 000 [estimate]"),
        ("m2", "m²", "area per charger incl. its bay; 15 / 30 / 100 (truck bay 4 × 25 m) [estimate]"),
        ("vehicle", "van, truck or any", "which vehicles it can charge"),
    ],
    "grid_areas": [
        ("id", "text", "unique name of the substation (grid area)"),
        ("x, y", "m (crs)", "its location: squares and companies belong to the nearest one"),
        ("available_kw", "kW", "offtake headroom (≤ 0: a queue); 1 000 is a placeholder [estimate]: take the "
                               "figure from the DSO's capaciteitskaart"),
    ],
    "profiles": [
        ("slot", "0 … 95", "quarter-hour of the day (slot t = [t/4 h, (t+1)/4 h))"),
        ("timebound", "share 0–1", "availability of a time-bound contract: 0 in 16:00–21:00 [window sourced: "
                                   "Stedin netbewust call]"),
        ("tou", "price factor", "energy price × 1.3 in 16:00–21:00 [estimate]"),
    ],
}


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _key(line: str, comment: str, width: int = 34) -> str:
    return f"{line:<{width}} # {comment}"


def instance_toml(name: str, parks: Parks | None = None, share: float = LAND_SHARE) -> str:
    """instance.toml with every key commented (unit, meaning, tag); optional keys commented out."""
    if parks is None:
        squares_said = "one example square"
    else:
        squares_said = f"one candidate square per business park of {parks.source.name} ({len(parks.ids)} parks)"
    lines = [
        "# A park instance written by `siting init park`: collective charging squares (laadpleinen) on",
        "# business parks (models/park.md). Fill in the CSV files as README.md says, then run",
        "#   siting validate <this folder>   and   siting solve <this folder>",
        "# Tags: [sourced] as published, [derived] arithmetic on sourced values, [estimate] no source.",
        "# Change one parameter for one run with --set, e.g. siting solve <folder> --set park.max_squares=0",
        "",
        _key(f"name = {_toml_string(name)}", "the instance's name, used in result folder names"),
        _key(f"description = {_toml_string(f'park instance from siting init: {squares_said}, one example company')}",
             "free text, shown in the reports"),
        _key('model = "park"', "the model that reads this folder"),
        _key(f'crs = "{CRS}"', "projected CRS of every x/y column, metres (EPSG:28992 = RD New)"),
        "",
        "# Layers: one table each; file is relative to this folder. x/y name the coordinate columns.",
    ]
    layer_notes = {
        "companies": "required: the companies whose vehicles charge, one row each",
        "squares": "required: candidate squares (parcels), one row each",
        "tiers": "required: connection options; a row without `square` is offered at every square",
        "charger_types": "charger types a square can install",
        "grid_areas": "substations with their headroom; nearest one per square and company",
        "profiles": "one row per slot: contract availability and price factors (columns named in tiers.contract "
                    "and park.price_profile)",
    }
    for layer, note in layer_notes.items():
        lines += ["", _key(f"[layers.{layer}]", note), _key(f'file = "{layer}.csv"', "the file of this layer")]
        if layer in ("companies", "squares", "grid_areas"):
            lines += [_key('x = "x"', "column of the x coordinate, m"), _key('y = "y"', "column of the y coordinate, m")]
    lines.append("")
    if parks is None:
        lines += ['# [layers.parks]                   # optional, drawn on the map only: business-park polygons',
                  '# file = "parks.geojson"           # (siting init park OUT --parks FILE writes it)']
    else:
        lines += [_key("[layers.parks]", f"drawn on the map only: the business parks of {parks.source.name}"),
                  _key('file = "parks.geojson"', "polygons with id, name and area_ha"),
                  _key('# attribution = "..."', "the credit the parks' licence asks for, printed on the maps")]
    lines += [
        "",
        _key("[park]", "the model's parameters (models/park.md, Parameters)"),
        _key(f"slots = {SLOTS}", "T: slots of one representative day; 96 = quarter-hours [default]"),
        _key("# slot_hours = 0.25", "h: hours per slot; default 24 / slots"),
        _key("walking_distance = 750.0", "D, m: a company may use a square at most this far (straight line) "
                                         "[estimate]"),
        _key("single_source = true", "each company charges at one place; false: it may split its energy"),
        _key("unmet_penalty = 0.6", "EUR per kWh not delivered, e.g. a diesel day [estimate]; remove the key "
                                    "to demand all energy"),
        _key("energy_price = 0.25", "EUR/kWh, times the price_profile [estimate: current tariffs unknown]"),
        _key('price_profile = "tou"', "profiles column: price factor per slot (×1.3 in 16:00–21:00) [estimate]"),
        _key("days_per_year = 250.0", "charging (working) days per year: daily energy -> yearly cost [estimate]"),
        _key("discount_rate = 0.05", "r, per year, in the annuity r / (1 - (1 + r)^-L) [estimate]"),
        _key("life_square = 20.0", "L, years: square civil works [estimate]"),
        _key("life_connection = 25.0", "L, years: grid connection (tier, own upgrade) [estimate]"),
        _key("life_chargers = 10.0", "L, years: chargers [estimate]"),
        _key("vehicles_per_point = 1.5", "rho: vehicles sharing one charge point overnight [estimate]"),
        _key("walk_cost_per_m = 0.0", "EUR per year per metre per vehicle: the cost of walking to a square"),
        _key("max_chargers = 200", "chargers per type and square where the land does not bound them"),
        _key("# max_squares = 2", "at most this many squares open (0: everyone on their own connection)"),
        _key('# contracts = ["firm"]', "only tiers with these contracts (default: every tier)"),
        _key("reserve_contracts = true", "a square's contracted kW must fit the grid headroom in every slot "
                                         "its contract covers, as a DSO grants it [modelling choice]"),
        _key("small_connection_kw = 55.4", "kW: tiers up to 3×80 A are small consumption, granted without "
                                           "headroom [sourced: large consumer = above 3×80 A]"),
        _key('# headroom_profile = "congestion"', "profiles column applied to every grid area without its own "
                                                  "`profile` column"),
    ]
    return "\n".join(lines) + "\n"


def _markdown_row(cells) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def readme_text(name: str, tables: dict[str, pd.DataFrame], parks: Parks | None = None,
                share: float = LAND_SHARE) -> str:
    """What the folder holds, what to fill in, and the unit of every column."""
    sq = tables["squares"]
    if parks is None:
        squares_said = (f"one example square `sq-example` with a parcel of {EXAMPLE_LAND_M2:,.0f} m² [estimate]: "
                        "replace it with your candidate parcels")
    else:
        small = int((sq["land_m2"] < sq["fixed_m2"] + CHARGERS["m2"].min()).sum())
        squares_said = (f"{len(sq)} candidate squares, one per business park of `{parks.source.name}`, at a point "
                        f"inside the park; parcel `land_m2` = {share * 100:g} % of the park's area [estimate: 1.5 % of a "
                        "mean Rijssen-Holten park of 16.5 ha is the 2 500 m² parcel of rijssen-holten-park]. "
                        "Replace them with real parcels where you know them")
        if small:
            squares_said += (f". {small} of them are too small for even one AC charger (land_m2 < fixed_m2 + "
                             "15 m²): give them a real parcel or delete them")
    lines = [
        f"# {name} — collective charging squares on business parks (model `park`)",
        "",
        "Written by `siting init park`. It validates and solves as written, but its company is an",
        "example: the plan means nothing until you fill in your own data.",
        "",
        "```sh",
        f"siting validate {name}",
        f"siting solve {name} --out results/{name}",
        "```",
        "",
        "## What to fill in",
        "",
        "1. `companies.csv` — one row per company with electric vehicles: replace `example-company`.",
        "   Give the daily energy per vehicle (km/day × kWh/km) or one `kwh_per_day` column instead.",
        f"2. `squares.csv` — {squares_said}.",
        "3. `grid_areas.csv` — the substation(s) and their free offtake capacity (`available_kw`) from",
        "   your grid operator's capaciteitskaart; the 1 000 kW written here is a placeholder.",
        "4. `tiers.csv`, `charger_types.csv` — defaults from rijssen-holten-park (fees of Enexis 2016 and",
        "   Liander 2017: old prices); replace them with current offers where you have them.",
        "5. `instance.toml` — the parameters, each with its unit and tag.",
        "",
        "Column names are fixed (rename in QGIS or Excel); save CSV as UTF-8, comma-separated, with a",
        "decimal point. A column you leave out takes its default (models/park.md); an empty cell is an",
        "error, so delete a column rather than leave cells blank.",
        "",
        "Tags: **[sourced]** as published, **[derived]** arithmetic on sourced values, **[estimate]** no",
        "source — a plan built on estimates is an illustration, not advice.",
        "",
        "## Columns and units",
        "",
        "| file | column | unit | meaning, example value and tag |",
        "|---|---|---|---|",
    ]
    for layer, columns in COLUMNS.items():
        for column, unit, meaning in columns:
            lines.append(_markdown_row([f"`{layer}.csv`", f"`{column}`", unit, meaning]))
    if parks is not None:
        lines.append(_markdown_row(["`parks.geojson`", "`id`, `name`, `area_ha`", "text, text, ha",
                                    f"the parks of `{parks.source.name}` (map only); area from the polygon"]))
    return "\n".join(lines) + "\n"


def parks_frame(parks: Parks):
    """The map-only `parks` layer of the new folder: id, name, area_ha, polygons in CRS."""
    import geopandas as gpd

    return gpd.GeoDataFrame({"id": parks.ids, "name": parks.names, "area_ha": np.round(parks.area_m2 / 1e4, 2)},
                            geometry=parks.geometry.to_numpy(), crs=CRS)


# ---------------------------------------------------------------------------------------------
# writing


def check_new_folder(out: Path) -> None:
    """The folder must not exist, or be empty: `siting init` never writes beside a user's files."""
    if out.exists() and not out.is_dir():
        raise SitingError(f"{out} is a file, not a folder: choose a new folder name for the instance")
    if out.is_dir() and any(out.iterdir()):
        raise SitingError(f"{out} exists and is not empty: siting init never writes into a folder with files "
                          "in it; choose a new folder name")


def write_park_template(out: str | Path, parks: Parks | None = None, share: float = LAND_SHARE,
                        name: str | None = None) -> Path:
    """Write the folder atomically (a temporary sibling, renamed when complete); returns where it landed."""
    out = Path(out)
    check_new_folder(out)
    name = name or out.resolve().name
    tables = park_tables(parks, share)

    def contents(folder: Path) -> None:
        for layer, frame in tables.items():
            write_csv(folder / f"{layer}.csv", frame)
        if parks is not None:
            parks_frame(parks).to_file(folder / "parks.geojson", driver="GeoJSON")
        (folder / "instance.toml").write_text(instance_toml(name, parks, share), encoding="utf-8")
        (folder / "README.md").write_text(readme_text(name, tables, parks, share), encoding="utf-8")

    if out.is_dir():
        out.rmdir()  # empty (checked): replaced by the complete folder; rmdir refuses if files appeared
    return write_atomic(out, False, contents)
