"""The business-park region scan (`siting scan-parks`): one park instance per row of a parks table,
each solved twice — the best collective plan (squares allowed) and the reference "every company on
its own connection" (park/references.py) — and a table ranked by what collective charging saves.

Three parts, top down:

- **load** (`load_scan`): a scan folder (scan.toml, parks.csv, grid_areas.csv, tiers.csv,
  charger_types.csv, profiles.csv, as written by scripts/build_nal_oost_parks.py) -> `RegionScan`,
  every problem named by file, row and field;
- **pure** (`park_tables`, `park_instance`, `scan_park`, `rank`): a park row -> its park model tables
  (companies drawn from the row's totals, seeded by the scan's seed and the park id; candidate squares
  on a disc of the park's gross area) -> a `ParkInstance` through the park loader's one adapter
  (`park_instance_from_tables`) -> both solves, checked by `verify_park` -> one result row; `rank`
  orders the rows. No file is read or written here;
- **write** (`write_scan`): scan.csv, scan.md and scan_map.png, in one atomic folder.

`scan_parks` runs `scan_park` for every park, on a Dask client when one is given (the shared tables
are scattered once; one task per park, at most one per worker thread in flight, as sweep/run.py does).

Collective never costs more than the reference: the reference's plan (no square open) is a plan of
the collective model, with the same columns, and is handed to HiGHS as its MIP start; should a
time-limited solve still end above it, the reference plan is the collective answer (`plan_source`).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from siting.config import LayerSource, StrictModel, apply_overrides, parse_config, read_config
from siting.errors import InstanceError, Problem
from siting.options import SolveOptions
from siting.park.params import ParkConfig, ParkParams

SCAN_FILE = "scan.toml"
FILES = ("parks", "grid_areas", "tiers", "charger_types", "profiles")
PARK_COLUMNS = {  # column -> (minimum, integer)
    "ha_bruto": (0.0, False), "x": (None, False), "y": (None, False), "radius_m": (0.0, False),
    "companies": (1.0, True), "ev_vans": (0.0, True), "ev_trucks": (0.0, True),
    "van_kwh_per_day": (0.0, False), "truck_kwh_per_day": (0.0, False), "kwh_per_day": (0.0, False),
    "headroom_offpeak_kw": (0.0, False), "headroom_peak_kw": (0.0, False),
}
PARK_TEXT = ("id", "name", "gemeentenaam", "location_source", "grid_area")
GRID_BLOCKED_KWH = 0.5  # kWh/day of grid-bound shortfall from which a park counts as blocked by the grid
CONGESTION = "congestion"  # the profile column the scan adds per park: its headroom share per slot


# -- configuration --------------------------------------------------------------------------------
class ScanParams(StrictModel):
    """How a park row becomes a park instance ([scan] in scan.toml); tags in the instance README."""

    seed: int = 2026
    squares_max: int = Field(default=4, ge=1, description="candidate squares per park, at most")
    ha_per_square: float = Field(default=40.0, gt=0, description="one candidate square per this many gross ha")
    square_ring: float = Field(default=0.6, ge=0, le=1, description="squares 2.. on a ring at this share of the radius")
    square_land_m2: float = Field(default=2500.0, gt=0)
    square_fixed_m2: float = Field(default=150.0, ge=0)
    square_cost: float = Field(default=150_000.0, ge=0)
    square_annual_cost: float = Field(default=5_000.0, ge=0)
    truck_company_share: float = Field(default=0.5, gt=0, le=1, description="share of companies with trucks")
    van_kw: float = Field(default=11.0, gt=0, description="charging power per van")
    truck_kw: float = Field(default=100.0, gt=0, description="charging power per truck")
    own_kw: list[float] = Field(default=[20.0, 40.0, 60.0, 80.0], min_length=1)
    own_base_cost: float = Field(default=2_602.0, ge=0)
    own_cost_per_van_point: float = Field(default=2_500.0, ge=0)
    own_cost_per_truck: float = Field(default=30_000.0, ge=0)
    own_annual_per_van_point: float = Field(default=150.0, ge=0)
    own_annual_per_truck: float = Field(default=1_500.0, ge=0)
    vans_per_home_point: float = Field(default=1.5, gt=0)
    dwell_start: list[float] = Field(default=[16.0, 17.0, 18.0, 19.0], min_length=1)
    dwell_end: list[float] = Field(default=[6.0, 7.0, 8.0], min_length=1)


class ScanConfig(StrictModel):
    """scan.toml."""

    name: str
    description: str = ""
    crs: str = "EPSG:28992"
    scan: ScanParams = ScanParams()
    park: ParkParams = ParkParams()
    files: dict[str, str] = Field(default_factory=dict)
    credits: dict[str, str] = Field(default_factory=dict)


@dataclass(frozen=True)
class RegionScan:
    """A loaded scan folder: the parks table and the tables every park shares."""

    config: ScanConfig
    parks: pd.DataFrame  # one row per park, ids as text, in file order
    grid: pd.DataFrame  # substations (id, x, y, ...)
    tiers: pd.DataFrame
    charger_types: pd.DataFrame
    profiles: pd.DataFrame
    folder: Path | None = None
    maps: dict = field(default_factory=dict)  # name -> GeoDataFrame (municipalities, region), map only

    @property
    def name(self) -> str:
        return self.config.name

    def limited(self, n: int | None) -> RegionScan:
        """The first n parks (all when n is None)."""
        from dataclasses import replace

        return self if n is None else replace(self, parks=self.parks.head(n).reset_index(drop=True))


# -- load -----------------------------------------------------------------------------------------
def load_scan(path: str | Path, overrides: list[str] | None = None) -> RegionScan:
    """Read a scan folder (`overrides`: SECTION.KEY=VALUE on scan.toml, e.g. scan.square_cost=50000);
    raises InstanceError naming file, row and field of every problem."""
    from siting.checks import check_ids, check_numeric_field, raise_if_problems
    from siting.io.layers import read_layer

    folder = Path(path)
    toml = folder / SCAN_FILE
    if folder.is_dir() and not toml.exists():
        raise InstanceError(Problem(str(toml), "file not found (a park scan is a folder with scan.toml; "
                                    "build one with scripts/build_nal_oost_parks.py)"))
    config = parse_config(apply_overrides(read_config(toml), list(overrides or [])), ScanConfig, str(toml))
    if config.park.unmet_penalty is None:
        raise InstanceError(Problem(str(toml), "the scan compares plans that may leave energy unmet: set a "
                                    "penalty per kWh", field="park.unmet_penalty"))
    tables = {}
    for name in FILES:
        spatial = {"x": "x", "y": "y"} if name in ("parks", "grid_areas") else {}
        source = LayerSource(file=config.files.get(name, f"{name}.csv"), **spatial)
        tables[name] = read_layer(folder, name, source, config.crs)
    parks = tables["parks"]
    if not parks.problems:
        check_ids(parks)
        for col in PARK_TEXT:
            if col not in parks.df.columns:
                parks.problem("required column is missing", field=col)
        for col, (minimum, integer) in PARK_COLUMNS.items():
            check_numeric_field(parks, col, minimum, integer, True)
        if "grid_area" in parks.df.columns and not tables["grid_areas"].problems:
            known = set(tables["grid_areas"].ids())
            for label, area in zip(parks.df["id"], parks.df["grid_area"], strict=True):
                if area not in known:
                    parks.problem(f"grid area {area!r} is not in grid_areas", row=str(label), field="grid_area")
    raise_if_problems([], tables)
    frames = {name: _numbers(t.df) for name, t in tables.items()}
    maps = {}
    for name in ("municipalities", "region"):
        file = folder / config.files.get(name, f"{name}.geojson")
        if file.exists():
            import geopandas as gpd

            maps[name] = gpd.read_file(file).to_crs(config.crs)
    return RegionScan(config, frames["parks"].reset_index(drop=True), frames["grid_areas"], frames["tiers"],
                      frames["charger_types"], frames["profiles"], folder, maps)


def _numbers(df: pd.DataFrame) -> pd.DataFrame:
    """Every column whose filled cells are all numbers, as numbers (the CSV reader keeps text);
    ids and names stay text."""
    out = df.copy()
    for col in out.columns:
        if col in ("id", "name", "gemeentecode", "grid_area") or pd.api.types.is_numeric_dtype(out[col]):
            continue
        values = pd.to_numeric(out[col], errors="coerce")
        if values.notna().sum() == out[col].replace("", np.nan).notna().sum():
            out[col] = values
    return out


# -- one park -> its park model ---------------------------------------------------------------------
def _disc(rng: np.random.Generator, n: int, radius: float) -> np.ndarray:
    """n seeded points uniform on a disc of `radius` around (0, 0)."""
    angle = rng.uniform(0.0, 2 * np.pi, n)
    r = radius * np.sqrt(rng.uniform(0.0, 1.0, n))
    return np.column_stack([r * np.cos(angle), r * np.sin(angle)])


def draw_companies(row: pd.Series, p: ScanParams) -> pd.DataFrame:
    """The park's companies: its `companies` count, its electric vans and trucks split over them
    (vans over all, trucks over a `truck_company_share` of them), seeded by (seed, park id);
    companies left without a vehicle are dropped. Energy and power per company from the row's
    kWh per vehicle, so the companies add up to the row's `kwh_per_day` exactly."""
    rng = np.random.default_rng([p.seed, _id_number(row["id"])])
    n = int(row["companies"])
    weight = rng.uniform(0.5, 1.5, n)
    vans = rng.multinomial(int(row["ev_vans"]), weight / weight.sum())
    trucks = np.zeros(n, dtype=np.int64)
    if int(row["ev_trucks"]) > 0:
        m = max(1, int(round(p.truck_company_share * n)))
        with_trucks = rng.choice(n, m, replace=False)
        trucks[with_trucks] = rng.multinomial(int(row["ev_trucks"]), weight[with_trucks] / weight[with_trucks].sum())
    xy = _disc(rng, n, float(row["radius_m"])) + np.array([float(row["x"]), float(row["y"])])
    own_kw = rng.choice(np.asarray(p.own_kw, float), n)
    start, end = rng.choice(np.asarray(p.dwell_start), n), rng.choice(np.asarray(p.dwell_end), n)
    points = np.ceil(vans / p.vans_per_home_point)
    comp = pd.DataFrame({
        "id": [f"{row['id']}-c{k + 1:02d}" for k in range(n)],
        "x": np.round(xy[:, 0], 1), "y": np.round(xy[:, 1], 1),
        "vans": vans, "trucks": trucks,
        "kwh_per_day": vans * float(row["van_kwh_per_day"]) + trucks * float(row["truck_kwh_per_day"]),
        "max_kw": vans * p.van_kw + trucks * p.truck_kw,
        "dwell_start": start, "dwell_end": end,
        "own_kw": own_kw,
        "own_cost": p.own_base_cost + p.own_cost_per_van_point * points + p.own_cost_per_truck * trucks,
        "own_annual_cost": p.own_annual_per_van_point * points + p.own_annual_per_truck * trucks,
        "grid_area": str(row["grid_area"]),
    })
    return comp[comp["vans"] + comp["trucks"] > 0].reset_index(drop=True)


def _id_number(park_id) -> int:
    """A park id as a seed: its digits (IBIS RINs are numbers), else a stable hash of its text."""
    text = str(park_id)
    if text.isdigit():
        return int(text)
    return int.from_bytes(text.encode(), "little") % (2**63)


def candidate_squares(row: pd.Series, p: ScanParams) -> pd.DataFrame:
    """ceil(ha / ha_per_square) squares, at most `squares_max`: the park's centre, then evenly on a
    ring at `square_ring` x the radius."""
    n = int(min(p.squares_max, max(1, math.ceil(float(row["ha_bruto"]) / p.ha_per_square))))
    ring = p.square_ring * float(row["radius_m"])
    angle = 2 * np.pi * np.arange(n - 1) / max(n - 1, 1) + np.pi / 2
    xy = np.vstack([[0.0, 0.0], np.column_stack([ring * np.cos(angle), ring * np.sin(angle)])])
    xy = xy + np.array([float(row["x"]), float(row["y"])])
    return pd.DataFrame({
        "id": [f"{row['id']}-sq{j + 1}" for j in range(n)], "x": np.round(xy[:, 0], 1), "y": np.round(xy[:, 1], 1),
        "land_m2": p.square_land_m2, "fixed_m2": p.square_fixed_m2, "fixed_cost": p.square_cost,
        "annual_cost": p.square_annual_cost, "grid_area": str(row["grid_area"]),
    })


def park_tables(scan: RegionScan, row: pd.Series) -> dict[str, pd.DataFrame]:
    """The park model's layers for one park: its companies and squares, its share of the
    substation's headroom (off-peak `headroom_offpeak_kw`, in the `peak` slots `headroom_peak_kw`),
    and the shared tiers, charger types and profiles."""
    peak = scan.profiles.sort_values("slot")["peak"].to_numpy(float) > 0
    off, on = float(row["headroom_offpeak_kw"]), float(row["headroom_peak_kw"])
    profiles = scan.profiles.copy()
    profiles[CONGESTION] = np.where(peak, on / off if off > 0 else 0.0, 1.0)
    station = scan.grid.loc[scan.grid["id"] == row["grid_area"]].iloc[0]
    grid = pd.DataFrame({"id": [str(row["grid_area"])], "x": [float(station["x"])], "y": [float(station["y"])],
                         "available_kw": [off], "profile": [CONGESTION]})
    return {"companies": draw_companies(row, scan.config.scan), "squares": candidate_squares(row, scan.config.scan),
            "tiers": scan.tiers, "charger_types": scan.charger_types, "profiles": profiles, "grid_areas": grid}


def park_instance(scan: RegionScan, row: pd.Series):
    """One park's ParkInstance, through the park loader's checks and its one adapter."""
    from siting.checks import raise_if_problems
    from siting.io.layers import Table
    from siting.park.load import park_instance_from_tables
    from siting.park.validate import validate_park_tables

    frames = park_tables(scan, row)
    spatial = ("companies", "squares", "grid_areas")
    layers = {name: {"file": f"{name}.csv", **({"x": "x", "y": "y"} if name in spatial else {})} for name in frames}
    config = ParkConfig.model_validate({"name": f"{scan.name}/{row['id']}", "model": "park", "crs": scan.config.crs,
                                        "layers": layers, "park": scan.config.park.model_dump(exclude_unset=False)})
    label = f"{scan.name} park {row['id']}"
    tables = {}
    for name, df in frames.items():
        df = df.copy()
        for col in ("id", "grid_area", "square", "contract", "vehicle", "profile"):
            if col in df.columns:
                df[col] = df[col].astype(object).where(df[col].notna(), None)
        if "id" in df.columns:
            df["id"] = df["id"].astype(str)
        xy = df[["x", "y"]].to_numpy(float) if name in spatial else None
        tables[name] = Table(name, f"{label}: {name}", df, xy=xy, xy_field="x/y" if xy is not None else None)
    problems = validate_park_tables(config, tables, label)
    raise_if_problems(problems, tables)
    return park_instance_from_tables(config, tables)


# -- one park -> both plans -> one result row ---------------------------------------------------------
def solve_plan(inst, options: SolveOptions, warm: np.ndarray | None = None):
    """build -> solve (with `warm` as MIP start) -> extract -> verify: solve_park with a start given."""
    from siting.park.api import ParkRun, park_model
    from siting.park.extract import extract_park
    from siting.park.verify import verify_park
    from siting.pipeline import Phases, checked_answer
    from siting.solve import solve

    clock = Phases()
    form, idx, start, info = park_model(inst, options, clock)
    if warm is not None:
        start, info = warm, {"used": True, "source": "the reference plan"}
    result = solve(form, options, start)
    clock.end("solve", result.seconds)
    solution, certificate = checked_answer(result, lambda x: extract_park(form, inst, idx, x),
                                           lambda sol: verify_park(inst, sol))
    clock.end("extract")
    return ParkRun(instance=inst, index=idx, formulation=form, result=result, solution=solution,
                   certificate=certificate, times=clock.total(), warm_start=info, options=options)


def _plan_columns(prefix: str, run) -> dict:
    sol, cert = run.solution, run.certificate
    out = {f"{prefix}_status": run.status,
           f"{prefix}_cost_eur": round(float(cert.objective), 2) if cert is not None else np.nan,
           f"{prefix}_gap": run.result.gap}
    out[f"{prefix}_unmet_kwh_per_day"] = round(float(sol.unmet.sum()), 3) if sol is not None else np.nan
    return out


def _grid_use(inst, sol) -> tuple[float, int]:
    """(peak kW drawn in the park's grid area, hours with headroom > 0 drawn to within 0.1 %)."""
    load = sol.power.sum(axis=(0, 1)) + sol.own_power.sum(axis=0)
    head = np.maximum(inst.headroom_kw[0], 0.0)
    full = (head > 0) & (load >= head * 0.999 - 1e-6)
    return float(load.max(initial=0.0)), int(round(full.sum() * inst.hours))


def _shortfall_columns(run, options: SolveOptions) -> dict:
    """The collective plan's unmet energy split into window / grid / economic (park/why.py: two
    re-solves, only where energy beyond the dwell windows is unmet)."""
    from siting.park.why import attribute_shortfall

    split = attribute_shortfall(run, options) if run.solution is not None else None
    if split is None:
        return {f"unmet_{k}_kwh_per_day": np.nan for k in ("window", "grid", "economic")} | {"shortfall": ""}
    totals = split.totals()
    return {f"unmet_{k}_kwh_per_day": round(v, 3) for k, v in totals.items()} | {"shortfall": split.status}


def scan_park(scan: RegionScan, park_id: str, options: SolveOptions) -> dict:
    """Both plans of one park, as one row of the scan table."""
    from siting.park.references import own_connections_only

    t0 = time.perf_counter()
    row = scan.parks.loc[scan.parks["id"] == park_id].iloc[0]
    out = {"id": park_id, "name": row["name"], "gemeente": row["gemeentenaam"],
           "location_source": row["location_source"], "grid_area": row["grid_area"],
           "headroom_offpeak_kw": float(row["headroom_offpeak_kw"]), "headroom_peak_kw": float(row["headroom_peak_kw"]),
           "ha_bruto": float(row["ha_bruto"]), "ev_vans": int(row["ev_vans"]), "ev_trucks": int(row["ev_trucks"]),
           "kwh_per_day": round(float(row["kwh_per_day"]), 3), "x": float(row["x"]), "y": float(row["y"])}
    if int(row["ev_vans"]) + int(row["ev_trucks"]) == 0:
        return {**out, "status": "no_vehicles", "companies": 0, "squares_open": 0, "saving_eur": 0.0,
                "saving_pct": 0.0, "seconds": round(time.perf_counter() - t0, 3)}
    inst = park_instance(scan, row)
    own = solve_plan(own_connections_only(inst), options)
    warm = own.result.x if own.result.x is not None else None
    best = solve_plan(inst, options, warm)
    source = "solver"
    if best.certificate is None or (own.certificate is not None and best.certificate.objective > own.certificate.objective):
        best, source = own, "reference plan"  # a time-limited solve that ended above its start: keep the start
    out.update({"companies": inst.n_companies, "squares_candidate": inst.n_squares})
    out.update(_plan_columns("individual", own))
    out.update(_plan_columns("collective", best))
    out["plan_source"] = source
    if best.solution is not None and not best.solution.open.any() and best is not own \
            and out["collective_cost_eur"] < out["individual_cost_eur"]:
        # a plan without squares is a reference plan: within the solver's gap the collective solve found a
        # cheaper one, so that is the reference too (else a gap would show as a saving without a square)
        out["individual_cost_eur"] = out["collective_cost_eur"]
        out["individual_unmet_kwh_per_day"] = out["collective_unmet_kwh_per_day"]
    sol = best.solution
    if sol is not None:
        opened = np.flatnonzero(sol.open)
        out["squares_open"] = len(opened)
        out["tiers"] = "; ".join(str(inst.tier_ids[sol.tier[s]]) for s in opened)
        out["chargers"] = "; ".join(", ".join(f"{int(n)}x{c}" for n, c in zip(sol.chargers[s], inst.charger_ids, strict=True)
                                              if n > 0) for s in opened)
        out["companies_at_squares"] = int(round(sol.assign.sum()))
        out["collective_peak_kw"], out["grid_full_hours"] = _grid_use(inst, sol)
    ind, col = out["individual_cost_eur"], out["collective_cost_eur"]
    out["saving_eur"] = round(ind - col, 2)
    out["saving_pct"] = round(100.0 * (ind - col) / ind, 3) if ind > 0 else 0.0
    unmet = out.get("collective_unmet_kwh_per_day", 0.0)
    out["unmet_pct"] = round(100.0 * unmet / out["kwh_per_day"], 3) if out["kwh_per_day"] > 0 else 0.0
    out.update(_shortfall_columns(best, options))
    out["grid_blocked"] = bool(out["unmet_grid_kwh_per_day"] > GRID_BLOCKED_KWH)
    out["status"] = "ok" if {own.status, best.status} == {"optimal"} else f"{own.status}/{best.status}"
    out["seconds"] = round(time.perf_counter() - t0, 3)
    return out


# -- all parks, ranked ------------------------------------------------------------------------------
RANK_KEYS = (["saving_eur", "saving_pct", "id"], [False, False, True])


def rank(rows: list[dict]) -> pd.DataFrame:
    """The scan table, highest annual saving first (then saving %, then id); `rank` from 1."""
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["id"] = table["id"].astype(str)
    table = table.sort_values(RANK_KEYS[0], ascending=RANK_KEYS[1], kind="stable", na_position="last")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    return table.reset_index(drop=True)


def grid_blocked(table: pd.DataFrame) -> pd.DataFrame:
    """The parks whose collective plan leaves energy unmet, most grid-bound shortfall first."""
    if table.empty or "collective_unmet_kwh_per_day" not in table:
        return table.head(0)
    unmet = table[table["collective_unmet_kwh_per_day"].fillna(0.0) > GRID_BLOCKED_KWH]
    return unmet.sort_values(["unmet_grid_kwh_per_day", "collective_unmet_kwh_per_day", "id"],
                             ascending=[False, False, True], kind="stable")


def scan_parks(scan: RegionScan, options: SolveOptions, client=None, on_done=None) -> pd.DataFrame:
    """`scan_park` for every park, ranked. With a Dask `client` one task per park (the scan is
    scattered once; at most one task per worker thread in flight, so a dying worker takes one park
    with it); without one, in this process. `on_done(row)` is called as each park finishes."""
    ids = [str(i) for i in scan.parks["id"]]
    rows = []
    if client is None:
        for pid in ids:
            rows.append(scan_park(scan, pid, options))
            if on_done is not None:
                on_done(rows[-1])
        return rank(rows)
    from distributed import wait

    shared = client.scatter(scan, broadcast=True)
    todo, running = list(reversed(ids)), {}
    threads = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
    while todo or running:
        while todo and len(running) < threads:
            pid = todo.pop()
            running[client.submit(scan_park, shared, pid, options, key=f"siting-scan-{scan.name}-{pid}",
                                  pure=False)] = pid
        done, _ = wait(list(running), return_when="FIRST_COMPLETED")
        for fut in done:
            pid = running.pop(fut)
            rows.append(fut.result())  # an error in one park is a bug in the scan: raise it
            fut.release()
            if on_done is not None:
                on_done(rows[-1])
    return rank(rows)


# -- write ------------------------------------------------------------------------------------------
TOP = 15  # rows of each ranked table in scan.md
MD_SAVING = [("rank", "rank"), ("name", "park"), ("gemeente", "municipality"), ("ha_bruto", "ha"),
             ("kwh_per_day", "kWh/day"), ("individual_cost_eur", "own connections EUR/yr"),
             ("collective_cost_eur", "collective EUR/yr"), ("saving_eur", "saving EUR/yr"), ("saving_pct", "saving %"),
             ("squares_open", "squares"), ("tiers", "tier"), ("chargers", "chargers"),
             ("individual_unmet_kwh_per_day", "unmet own kWh/day"), ("location_source", "location")]
MD_GRID = [("name", "park"), ("gemeente", "municipality"), ("grid_area", "substation"),
           ("headroom_offpeak_kw", "headroom off-peak kW"), ("headroom_peak_kw", "headroom 16-21 h kW"),
           ("kwh_per_day", "kWh/day"), ("collective_unmet_kwh_per_day", "unmet kWh/day"), ("unmet_pct", "unmet %"),
           ("unmet_grid_kwh_per_day", "grid"), ("unmet_window_kwh_per_day", "window"),
           ("unmet_economic_kwh_per_day", "economic"), ("collective_peak_kw", "peak kW"),
           ("grid_full_hours", "hours at headroom")]


def _cell(value) -> str:
    if isinstance(value, float | np.floating):
        return "" if np.isnan(value) else f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    return "" if value is None else str(value)


def scan_markdown(table: pd.DataFrame, scan: RegionScan, seconds: float | None = None,
                  workers: int | None = None) -> str:
    from siting.io.summary_text import markdown_table as frame_table

    def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
        return frame_table(pd.DataFrame(rows, columns=headers))

    solved = table[table["status"] != "no_vehicles"]
    saving = solved[solved["saving_eur"] > 0.005]
    blocked = grid_blocked(table)
    statuses = table["status"].value_counts().to_dict()
    total_ind = float(solved["individual_cost_eur"].sum())
    total_col = float(solved["collective_cost_eur"].sum())
    ran = f" in {seconds:,.0f} s on {workers} worker(s)" if seconds is not None else ""
    lines = [
        f"# Business-park scan: {scan.name}", "",
        f"{len(table)} parks{ran}: " + ", ".join(f"{n} {s}" for s, n in sorted(statuses.items())) + ". "
        "Each park: the park model's least-cost plan with collective squares allowed vs every company on "
        "its own connection (the same companies, `park.max_squares = 0`), annualised EUR/year including the "
        f"penalty of EUR {scan.config.park.unmet_penalty:g}/kWh for energy not delivered.", "",
        f"- Collective charging saves on **{len(saving)}** of {len(solved)} parks: EUR {total_ind - total_col:,.0f} "
        f"per year in all ({100 * (total_ind - total_col) / total_ind if total_ind else 0:.2f} % of EUR {total_ind:,.0f}).",
        f"- Energy not delivered, collective plans: {solved['collective_unmet_kwh_per_day'].sum():,.0f} kWh/day "
        f"(own connections only: {solved['individual_unmet_kwh_per_day'].sum():,.0f}); grid-bound: "
        f"{solved['unmet_grid_kwh_per_day'].fillna(0).sum():,.0f} kWh/day on {int(solved['grid_blocked'].sum())} park(s).",
        f"- Locations: {int((table['location_source'] == 'ibis2017_polygon').sum())} parks from an IBIS polygon, "
        f"{int((table['location_source'] == 'municipality_point').sum())} at their municipality's point "
        "(estimated: they share its substation).", "",
        "The companies, fleets and several prices are estimates (instance README.md, SOURCES.md): read the "
        "ranking as where to look first, not as a business case.", "",
        "## Where collective charging saves most", "",
    ]
    rows = [[_cell(r[c]) for c, _ in MD_SAVING] for _, r in saving.head(TOP).iterrows()]
    lines += [markdown_table([h for _, h in MD_SAVING], rows) if rows else "No park saves with a collective square.", ""]
    if len(saving) > TOP:
        lines += [f"... and {len(saving) - TOP} more parks with a saving (scan.csv).", ""]
    lines += ["## Where the grid blocks it", "",
              "Parks whose collective plan leaves energy unmet, most grid-bound shortfall first. Split (park/why.py): "
              "*grid* = no plan delivers it within the headroom and tiers; *window* = the dwell window is too short "
              "at full power; *economic* = deliverable, but dearer than the penalty.", ""]
    rows = [[_cell(r[c]) for c, _ in MD_GRID] for _, r in blocked.head(TOP).iterrows()]
    lines += [markdown_table([h for _, h in MD_GRID], rows) if rows else "No park leaves energy unmet.", ""]
    areas = (solved.groupby("grid_area").agg(parks=("id", "size"), kwh_per_day=("kwh_per_day", "sum"),
                                              headroom_offpeak_kw=("headroom_offpeak_kw", "sum"),
                                              headroom_peak_kw=("headroom_peak_kw", "sum"),
                                              unmet=("collective_unmet_kwh_per_day", "sum"),
                                              saving=("saving_eur", "sum"))
             .sort_values(["unmet", "kwh_per_day"], ascending=False))
    lines += ["## Per substation", "", "Headroom: the scanned parks' shares of it (by gross ha).", "",
              markdown_table(["substation", "parks", "kWh/day", "headroom off-peak kW", "headroom 16-21 h kW",
                              "unmet kWh/day", "saving EUR/yr"],
                             [[str(g), str(int(r.parks)), _cell(r.kwh_per_day), _cell(r.headroom_offpeak_kw),
                               _cell(r.headroom_peak_kw), _cell(r.unmet), _cell(r.saving)] for g, r in areas.iterrows()]),
              "", "Every park, every column: scan.csv. Map: scan_map.png.", ""]
    return "\n".join(lines)


def _display_xy(table: pd.DataFrame) -> np.ndarray:
    """Map positions: parks that share a point (a municipality's) are spread on a small spiral
    around it, largest first, so that each stays visible; the legend says so."""
    xy = table[["x", "y"]].to_numpy(float).copy()
    for _, group in table.groupby(["x", "y"], sort=False):
        if len(group) < 2:
            continue
        order = group.sort_values("ha_bruto", ascending=False).index.to_numpy()
        k = np.arange(len(order))
        angle, radius = k * 2.39996, 900.0 * np.sqrt(k)  # golden angle, ~900 m apart
        xy[order, 0] += radius * np.cos(angle)
        xy[order, 1] += radius * np.sin(angle)
    return xy


def draw_scan_map(table: pd.DataFrame, scan: RegionScan, path: Path) -> bool:
    """Parks coloured by saving %, sized by kWh/day, ringed red where the grid blocks energy;
    substations as triangles; municipality outlines and names (io/maps.MapCanvas)."""
    from matplotlib.colors import Normalize
    from matplotlib.lines import Line2D

    from siting.io.maps import MapCanvas, MapLayer, save_map

    layers = {name: MapLayer(name, frame.geometry, frame["name"].astype(str).to_numpy(dtype=object)
                             if "name" in frame else None) for name, frame in scan.maps.items()}
    xy = _display_xy(table)
    grid = scan.grid[scan.grid["id"].isin(table["grid_area"])]
    pts = np.vstack([xy, grid[["x", "y"]].to_numpy(float)])
    canvas = MapCanvas.create((*pts.min(axis=0), *pts.max(axis=0)), scan.config.crs, layers=layers)
    canvas.credits = list(dict.fromkeys(scan.config.credits.values()))
    ax = canvas.ax

    def size(kwh):
        return 8.0 + 0.06 * np.asarray(kwh, float)

    solved = table["status"] != "no_vehicles"
    pct = table["saving_pct"].fillna(0.0).to_numpy(float)
    vmax = max(5.0, float(np.ceil(pct.max(initial=0.0))))
    norm = Normalize(0.0, vmax)
    handles = []
    for source, marker, label in (("ibis2017_polygon", "o", "park, located by its IBIS polygon"),
                                  ("municipality_point", "s", "park at its municipality's point (spread)")):
        m = solved.to_numpy() & (table["location_source"] == source).to_numpy()
        if m.any():
            art = ax.scatter(xy[m, 0], xy[m, 1], s=size(table["kwh_per_day"][m]), c=pct[m], cmap="viridis", norm=norm,
                             marker=marker, edgecolors="#404040", linewidths=0.4, zorder=4, label=label)
            handles.append(Line2D([], [], marker=marker, linestyle="none", markerfacecolor="#bdbdbd",
                                  markeredgecolor="#404040", markersize=6, label=label))
            mappable = art
    blocked = table["grid_blocked"].fillna(False).to_numpy(bool) if "grid_blocked" in table else np.zeros(len(table), bool)
    unmet = table.get("collective_unmet_kwh_per_day", pd.Series(0.0, index=table.index)).fillna(0.0).to_numpy() > 0.5
    for mask, colour, label in ((unmet & ~blocked, "#fd8d3c", "energy not delivered (window / economic)"),
                                (blocked, "#cb181d", "energy not delivered: grid-bound")):
        if mask.any():
            handles.append(ax.scatter(xy[mask, 0], xy[mask, 1], s=size(table["kwh_per_day"][mask]) * 2.2,
                                      facecolors="none", edgecolors=colour, linewidths=1.2, zorder=5, label=label))
    none = ~solved.to_numpy()
    if none.any():
        handles.append(ax.scatter(xy[none, 0], xy[none, 1], s=6, marker="x", c="#969696", linewidths=0.6, zorder=3,
                                  label="no electric vehicle estimated"))
    full = grid["offtake_free_2023_kw"].to_numpy(float) <= 0
    for mask, colour, label in ((full, "#cb181d", "substation, no free capacity (2023)"),
                                (~full, "#31a354", "substation with free capacity (2023)")):
        if mask.any():
            handles.append(ax.scatter(grid["x"][mask], grid["y"][mask], marker="^", s=46, facecolors="none",
                                      edgecolors=colour, linewidths=1.0, zorder=3, label=label))
    canvas.section("Parks", handles + canvas.size_key("o", [200.0, 1000.0, 3000.0], "kWh/day", size))
    if solved.any():
        canvas.colour_key(mappable, "collective saving, % of own-connection cost")
    top = table[(table["saving_eur"] > 0.005) & solved].head(12)
    canvas.label_sites(xy[top.index.to_numpy()], top["name"].astype(str).str.title().tolist(),
                       top["saving_eur"].to_numpy(float), size(top["kwh_per_day"]), noun="saving parks",
                       order="largest saving first")
    canvas.avoid(xy, size(table["kwh_per_day"]), soft=True)
    canvas.note("Parks without a polygon sit at their municipality's point; they are spread on a small "
                "spiral around it to stay visible (not their location).")
    fig = canvas.finish(f"Business-park scan: {scan.name}",
                        f"{int(solved.sum())} parks: collective charging squares vs every company on its own connection")
    return save_map(fig, path)


def write_scan(table: pd.DataFrame, scan: RegionScan, out: Path, overwrite: bool = False, *,
               seconds: float | None = None, workers: int | None = None) -> tuple[Path, str]:
    """scan.csv, scan.md and scan_map.png in one atomic folder; (the folder written, scan.md)."""
    from siting.io.write import write_atomic

    text = scan_markdown(table, scan, seconds, workers)

    def contents(folder: Path) -> None:
        table.to_csv(folder / "scan.csv", index=False, float_format="%.3f", lineterminator="\n")
        (folder / "scan.md").write_text(text)
        draw_scan_map(table, scan, folder / "scan_map.png")

    return write_atomic(out, overwrite, contents), text
