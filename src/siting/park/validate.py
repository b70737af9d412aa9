"""Named checks of a park instance, run before anything is built (see validate.py).

The generic checks (ids, numbers, references) are validate.py's; the ones here know the park
model: dwell windows inside the day, tiers with capacity, profiles with one value per slot,
companies that have somewhere to charge, and energy that fits a company's window.
Every problem names file, layer, row id and field; all of them are raised in one InstanceError.
"""

from __future__ import annotations

import numpy as np

from siting.checks import (
    MAX_REPORTED,
    Fields,
    check_fields,
    check_ids,
    check_map_layers,
    check_not_empty,
    check_numeric_field,
    check_reference,
    check_text_field,
)
from siting.config import InstanceConfig
from siting.errors import Problem
from siting.io.layers import Table, row_labels
from siting.park.instance import VEHICLE_KINDS

# layer -> field -> (minimum, integer, required)
PARK_FIELDS: Fields = {
    "companies": {
        "vans": (0.0, True, False),
        "trucks": (0.0, True, False),
        "kwh_per_day": (0.0, False, False),
        "van_kwh_per_day": (0.0, False, False),
        "truck_kwh_per_day": (0.0, False, False),
        "van_km_per_day": (0.0, False, False),
        "van_kwh_per_km": (0.0, False, False),
        "truck_km_per_day": (0.0, False, False),
        "truck_kwh_per_km": (0.0, False, False),
        "max_kw": (0.0, False, False),
        "max_kw_per_vehicle": (0.0, False, False),
        "dwell_start": (0.0, False, False),
        "dwell_end": (0.0, False, False),
        "own_kw": (0.0, False, False),
        "own_cost": (0.0, False, False),
        "own_annual_cost": (0.0, False, False),
    },
    "squares": {
        "land_m2": (0.0, False, False),
        "fixed_m2": (0.0, False, False),
        "fixed_cost": (0.0, False, False),
        "annual_cost": (0.0, False, False),
    },
    "tiers": {
        "capacity_kw": (None, False, True),
        "one_off_cost": (0.0, False, False),
        "annual_cost": (0.0, False, False),
    },
    "charger_types": {
        "power_kw": (0.0, False, True),
        "cost": (0.0, False, False),
        "annual_cost": (0.0, False, False),
        "m2": (0.0, False, False),
    },
    "grid_areas": {"available_kw": (None, False, True)},
    "assign_costs": {"annual_cost": (0.0, False, True), "distance": (0.0, False, False)},
    "profiles": {"slot": (0.0, True, True)},
}
KEYED = ("companies", "squares", "tiers", "charger_types", "grid_areas")


def _labels(table: Table) -> np.ndarray:
    return row_labels(table.df)


def check_required_layers(config: InstanceConfig, tables: dict[str, Table], file: str) -> list[Problem]:
    return [Problem(file, f"layer '{name}' is required by the park model", field=f"layers.{name}")
            for name in ("companies", "squares", "tiers") if name not in tables]


def check_dwell_window(companies: Table, day_hours: float) -> None:
    """dwell_start and dwell_end lie within the day [0, T h] and are not equal; both columns or
    neither (no columns: every company stays the whole day; an empty cell is refused by the
    numeric check)."""
    df = companies.df
    labels = _labels(companies)
    for name in ("dwell_start", "dwell_end"):
        if name not in df.columns:
            continue
        v = df[name].to_numpy(dtype=float)
        for k in np.flatnonzero(v > day_hours + 1e-9)[:MAX_REPORTED]:
            companies.problem(f"dwell window outside the day: {v[k]:g} h > {day_hours:g} h (the day has "
                              f"slots x slot_hours = {day_hours:g} h)", row=labels[k], field=name)
    given = [name for name in ("dwell_start", "dwell_end") if name in df.columns]
    if len(given) == 1:
        other = "dwell_end" if given == ["dwell_start"] else "dwell_start"
        companies.problem(f"{given[0]} is given but {other} is not: give both columns (0 and {day_hours:g} h "
                          "for a company that stays the whole day), or neither", field=other)
    if len(given) == 2:
        s, e = df["dwell_start"].to_numpy(float), df["dwell_end"].to_numpy(float)
        for k in np.flatnonzero(s == e)[:MAX_REPORTED]:
            companies.problem(f"empty dwell window: dwell_start = dwell_end = {s[k]:g}", row=labels[k], field="dwell_end")


def check_max_power(companies: Table) -> None:
    df = companies.df
    if "max_kw" not in df.columns and "max_kw_per_vehicle" not in df.columns:
        companies.problem("required column is missing (or give max_kw_per_vehicle)", field="max_kw")


ENERGY_SOURCES = (("kwh_per_day",), ("van_kwh_per_day",), ("truck_kwh_per_day",), ("van_km_per_day", "van_kwh_per_km"),
                  ("truck_km_per_day", "truck_kwh_per_km"))


def check_energy_given(companies: Table) -> None:
    """Daily energy: kwh_per_day, or per vehicle (kWh/day, or km/day x kWh/km) for vans and trucks."""
    df = companies.df
    if not any(set(cols) <= set(df.columns) for cols in ENERGY_SOURCES):
        companies.problem("required column is missing (or give van_/truck_kwh_per_day, or van_/truck_km_per_day "
                          "with van_/truck_kwh_per_km)", field="kwh_per_day")


def check_tier_capacity(tiers: Table) -> None:
    """A connection tier must carry power: capacity_kw > 0."""
    if "capacity_kw" not in tiers.df.columns:
        return
    v = tiers.df["capacity_kw"].to_numpy(dtype=float)
    labels = _labels(tiers)
    for k in np.flatnonzero(v <= 0)[:MAX_REPORTED]:
        tiers.problem(f"a connection tier with zero or negative capacity ({v[k]:g} kW) can serve nothing",
                      row=labels[k], field="capacity_kw")


def check_contracts_allowed(tiers: Table, allowed: list[str] | None, file: str) -> list[Problem]:
    """`park.contracts` (a scenario's allowed contract types) must leave at least one tier."""
    if allowed is None:
        return []
    df = tiers.df
    contracts = set(df["contract"].dropna()) if "contract" in df.columns else {"firm"}
    if contracts & set(allowed):
        return []
    return [Problem(file, f"park.contracts = {allowed} leaves no connection tier: the tiers' contracts are "
                          f"{', '.join(sorted(contracts))}", field="park.contracts")]


def check_vehicle_kind(chargers: Table) -> None:
    check_text_field(chargers, "vehicle", choices=tuple(VEHICLE_KINDS))


def check_profiles(tables: dict[str, Table], slots: int, file: str, config: InstanceConfig) -> list[Problem]:
    """Profiles have slots 0..T-1 once each; every profile a row or a parameter names exists."""
    problems: list[Problem] = []
    prof = tables.get("profiles")
    names: set[str] = set()
    if prof is not None and not prof.problems:
        df = prof.df
        names = {c for c in df.columns if c != "slot"}
        got = sorted(df["slot"].astype(int).tolist()) if "slot" in df.columns else []
        if len(got) != slots or got != list(range(slots)):
            prof.problem(f"needs one row per slot 0..{slots - 1} (park.slots = {slots}); got {len(got)} rows",
                         field="slot")
        for name in sorted(names):
            check_numeric_field(prof, name, 0.0, False, True)
    wanted = [("tiers", "contract"), ("companies", "own_profile"), ("grid_areas", "profile")]
    for layer, column in wanted:
        t = tables.get(layer)
        if t is None or column not in t.df.columns:
            continue
        known = names | ({"firm"} if column == "contract" else set())
        check_reference(t, column, known, "profile column")
    p = config.park
    for key in ("price_profile", "headroom_profile"):
        value = getattr(p, key)
        if value is not None and value not in names:
            problems.append(Problem(file, f"profile {value!r} is not a column of the profiles layer", field=f"park.{key}"))
    return problems


def check_company_options(companies: Table, has_square: np.ndarray, has_own: np.ndarray, distance: float,
                          by_table: bool) -> None:
    """A company needs a square within D (or an assign_costs row) or its own connection."""
    labels = _labels(companies)
    where = "no row in assign_costs" if by_table else f"no square within walking distance D = {distance:g}"
    for k in np.flatnonzero(~has_square & ~has_own)[:MAX_REPORTED]:
        companies.problem(f"{where} and no own connection (own_kw): the company has nowhere to charge",
                          row=labels[k], field="own_kw")


def check_window_energy(companies: Table, energy: np.ndarray, max_energy: np.ndarray, hours: np.ndarray,
                        max_kw: np.ndarray, unmet_allowed: bool) -> list[str]:
    """E_k <= Pmax_k h |W_k|. Without an unmet penalty a company that cannot get its energy is an
    error naming the row; with one it is a note (the rest is reported as unmet energy)."""
    labels = _labels(companies)
    notes = []
    for k in np.flatnonzero(energy > max_energy * (1 + 1e-9) + 1e-9):
        text = (f"needs {energy[k]:g} kWh/day but its dwell window of {hours[k]:g} h at max_kw = {max_kw[k]:g} kW "
                f"allows at most {max_energy[k]:g} kWh: infeasible for this company")
        if unmet_allowed:
            notes.append(f"company {labels[k]}: {text}; the shortfall is reported as unmet energy")
        elif len(companies.problems) < MAX_REPORTED:
            companies.problem(text + " (set park.unmet_penalty to plan with unmet energy instead)", row=labels[k],
                              field="kwh_per_day")
    return notes


def validate_park_tables(config: InstanceConfig, tables: dict[str, Table], file: str) -> list[Problem]:
    """The table-level checks; returns the problems found (does not raise)."""
    problems = check_required_layers(config, tables, file)
    for name in KEYED:
        if name in tables and not tables[name].problems:
            check_not_empty(tables[name])
            if not tables[name].problems:
                check_ids(tables[name])
    check_fields(tables, PARK_FIELDS)
    check_map_layers(tables)
    if "companies" in tables and not tables["companies"].problems:
        check_max_power(tables["companies"])
        check_energy_given(tables["companies"])
        check_dwell_window(tables["companies"], config.park.day_hours())
    if "tiers" in tables and not tables["tiers"].problems:
        check_tier_capacity(tables["tiers"])
        problems += check_contracts_allowed(tables["tiers"], config.park.contracts, file)
        if "squares" in tables:
            check_reference(tables["tiers"], "square", set(tables["squares"].ids().dropna()), "square")
    if "charger_types" in tables and not tables["charger_types"].problems:
        check_vehicle_kind(tables["charger_types"])
    if "grid_areas" in tables:
        known = set(tables["grid_areas"].ids().dropna())
        for name in ("squares", "companies"):
            if name in tables:
                check_reference(tables[name], "grid_area", known, "grid area")
    if "assign_costs" in tables and not tables["assign_costs"].problems:
        t = tables["assign_costs"]
        for col, layer in (("company_id", "companies"), ("square_id", "squares")):
            if col not in t.df.columns:
                t.problem("required column is missing", field=col)
            elif layer in tables:
                check_reference(t, col, set(tables[layer].ids().dropna()), layer[:-1], required=True)
    problems += check_profiles(tables, config.park.slots, file, config)
    if "assign_costs" not in tables:
        for name in ("companies", "squares"):
            t = tables.get(name)
            if t is not None and not t.problems and t.xy is None:
                t.problem("no geometry or x/y columns, and no assign_costs layer: cannot measure walking distances")
    return problems
