"""Corridor options side by side (`siting compare`): the two reference options (existing stations
only, the base instance) and every scenario, each solved for its service and then for the least
cost at that service (least_cost.py); one table (compare.md, compare.csv), a table per LoLa search
area and per grid area, a "why" line per option, one map per option (map-*.png) and compare.html,
written atomically."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from siting.corridor.least_cost import TOL, LeastCost, least_cost
from siting.corridor.names import PlaceNames, place_names
from siting.corridor.references import BASE, EXISTING_ONLY, existing_only
from siting.corridor.report import draw_map
from siting.corridor.scenario import GridItem, Scenario, apply_scenario
from siting.corridor.why import why_line
from siting.io.compare import option_lines, sections_markdown, write_compare_folder

MAX_FLOWS = 8


@dataclass
class Option:
    name: str
    description: str
    plan: LeastCost
    scenario: Scenario | None = None
    why: str = ""

    @property
    def run(self):
        return self.plan.run

    @property
    def kpis(self) -> dict:
        return self.run.certificate.kpis if self.run.certificate is not None else {}


def solve_scenarios(instance: str | Path, scenarios: list[Scenario], options) -> list[Option]:
    """The reference options and every scenario, each with its least-cost stage; paths are shared
    when a scenario does not change the network or the flows."""
    from siting.corridor.api import solve_corridor
    from siting.corridor.load import load_corridor
    from siting.corridor.spec import paths_affected_by
    from siting.io.folder import instance_folder

    folder = instance_folder(instance)
    loaded = [(sc, apply_scenario(load_corridor(folder, sc.overrides()), sc)) for sc in scenarios]  # all checked first
    base = load_corridor(folder)

    def solved(inst, paths=None) -> LeastCost:
        run = solve_corridor(inst, options, paths=paths)
        run.source = folder
        return least_cost(run, options)

    base_plan = solved(base)
    paths = base_plan.first.paths
    ref = least_cost(_sourced(solve_corridor(existing_only(base), options, paths=paths), folder), options)
    out = [Option(EXISTING_ONLY, "no new hubs, no new chargers, no grid items: what the existing stations charge", ref),
           Option(BASE, "the instance as it is", base_plan)]
    for sc, inst in loaded:
        shared = None if any(paths_affected_by(key) for key in sc.set) else paths
        out.append(Option(sc.name, sc.description, solved(inst, shared), sc))
    names = place_names(base, folder)
    for option in out:
        option.why = why_line(option.run, option.plan.first, names)
    return out


def _sourced(run, folder):
    run.source = folder
    return run


# -- figures per option ---------------------------------------------------------------------------
def annuity(inst) -> float:
    """Capital recovery factor r / (1 - (1 + r)^-n): investment to an equal yearly payment."""
    r, n = inst.params.interest_rate, inst.params.lifetime_years
    return 1.0 / n if r == 0 else r / (1.0 - (1.0 + r) ** -n)


def grid_items_used(option: Option, names: PlaceNames) -> tuple[list[GridItem], list[str], float]:
    """(items bought, their descriptions, their annual cost) of an option's plan."""
    if option.scenario is None or option.run.solution is None:
        return [], [], 0.0
    inst, sol = option.run.instance, option.run.solution
    index = {str(g): k for k, g in enumerate(inst.grid.ids)} if inst.grid is not None else {}
    used = [it for it in option.scenario.available_items() if sol.upgrades[index[it.substation]]]
    text = [f"{names.grid_name(index[it.substation])}: {it.what}, {it.kw:,.0f} kW, EUR {it.cost:,.0f} "
            f"(+ EUR {it.annual_cost:,.0f}/yr), from {it.year}" for it in used]
    return used, text, float(sum(it.annual_cost for it in used))


def _figures(option: Option, reference: float, names: PlaceNames) -> dict:
    run, k = option.run, option.kpis
    values = {"status": run.status, "plan": option.plan.note,
              "gap_pct": None if run.result.gap is None else round(100 * run.result.gap, 3)}
    values |= {key: k.get(key) for key in ("new_stations", "stations_open", "new_chargers", "new_kw",
                                           "refuelled_flow", "refuelled_pct", "refuelled_truck_km",
                                           "energy_kwh_day", "cost", "afir_core_longest_gap_km")}
    values["why"] = option.why
    if run.solution is None:
        return values
    inst, sol = run.instance, run.solution
    extra = k["refuelled_flow"] - reference
    values["extra_flow"] = extra
    values["eur_per_extra_truck"] = k["cost"] / extra if extra > 1e-6 * max(1.0, reference) else None
    items, text, fees = grid_items_used(option, names)
    values["annual_cost"] = k["cost"] * annuity(inst) + fees
    values["first_cost"] = option.plan.first.certificate.kpis["cost"]
    late = option.scenario.late_items() if option.scenario is not None else []
    values["grid_items"] = "; ".join(text + [f"not available by {option.scenario.year}: "
                                             f"{names.grid_name(list(inst.grid.ids).index(it.substation))} "
                                             f"{it.what} ({it.year})" for it in late]) or "none"
    free = option.scenario.grid.extra_kw if option.scenario is not None else {}
    if free:
        values["grid_items"] += "; free by assumption: " + ", ".join(
            f"{names.grid_name(list(inst.grid.ids).index(g))} +{kw:,.0f} kW" for g, kw in free.items())
    new = np.flatnonzero(sol.open & ~inst.is_existing)
    values["new_hubs"] = "; ".join(f"{names.site[j]} ({sol.chargers[j]} chargers)" for j in new) or "none"
    values["new_hub_ids"] = " ".join(str(inst.site_ids[j]) for j in new)
    return values


ROWS = [  # (key, label): the main table, in the order a project leader reads it
    ("status", "result"),
    ("gap_pct", "distance to the proven best, %"),
    ("refuelled_flow", "e-trucks per day whose round trip can be charged"),
    ("refuelled_pct", "share of all truck trips charged, %"),
    ("extra_flow", "extra e-trucks per day over existing stations only"),
    ("refuelled_truck_km", "truck-km per day charged"),
    ("new_stations", "new hubs"),
    ("stations_open", "hubs open (new + existing)"),
    ("new_chargers", "new chargers"),
    ("new_kw", "new charging power, kW"),
    ("energy_kwh_day", "charging energy per day, kWh"),
    ("cost", "investment, EUR (least cost at this service)"),
    ("annual_cost", "annual cost, EUR/yr (investment annuity + grid fees)"),
    ("eur_per_extra_truck", "investment per extra e-truck/day over existing stations only, EUR"),
    ("first_cost", "investment of the flow-only plan (first stage), EUR"),
    ("grid_items", "grid items used"),
    ("afir_core_longest_gap_km", "AFIR: longest gap on a TEN-T core road, km (limit 60)"),
    ("why", "why this plan"),
    ("new_hubs", "where the new hubs are"),
    ("new_hub_ids", "new hub ids (for scenario files)"),
]


def compare_frame(options: list[Option], names: PlaceNames) -> pd.DataFrame:
    """One row per indicator, one column per option."""
    reference = options[0].kpis.get("refuelled_flow", 0.0)
    cols = {}
    for option in options:
        values = _figures(option, reference, names)
        cols[option.name] = [values.get(key) for key, _ in ROWS]
    return pd.DataFrame(cols, index=[label for _, label in ROWS])


def area_frame(options: list[Option], names: PlaceNames) -> pd.DataFrame:
    """New hubs and new chargers per LoLa search area (and outside them), per option."""
    inst = options[0].run.instance
    labels = [*names.area.tolist(), "outside the search areas"]
    out = {}
    for option in options:
        sol, oinst = option.run.solution, option.run.instance
        cells = []
        for a in range(len(labels)):
            if sol is None:
                cells.append(None)
                continue
            in_area = (oinst.area_of_site == (a if a < len(inst.area_ids) else -1)) & ~oinst.is_existing & sol.open
            hubs, chargers = int(in_area.sum()), int(sol.chargers[in_area].sum())
            cells.append(f"{hubs} hub{'s' * (hubs != 1)}, {chargers} chargers" if hubs else "—")
        out[option.name] = cells
    return pd.DataFrame(out, index=labels)


def grid_frame(options: list[Option], names: PlaceNames) -> pd.DataFrame:
    """New load / allowed kW in every grid area that some option adds load to."""
    inst = options[0].run.instance
    if inst.grid is None:
        return pd.DataFrame()
    loads, allowed = {}, {}
    for option in options:
        run = option.run
        if run.solution is None:
            continue
        loads[option.name] = run.instance.resources.new_load_kw(run.solution.chargers)
        allowed[option.name] = run.instance.grid.allowed_kw(run.solution.upgrades)
    used = np.flatnonzero(np.any([v > 0 for v in loads.values()], axis=0)) if loads else []
    rows = [f"{names.grid_name(g)} (headroom {inst.grid.available_kw[g]:,.0f} kW)" for g in used]
    out = {}
    for option in options:
        if option.name not in loads:
            out[option.name] = [None] * len(used)
            continue
        load, top = loads[option.name], allowed[option.name]
        out[option.name] = [("—" if load[g] <= 0 else f"{load[g]:,.0f} / {top[g]:,.0f}"
                             + (" full" if load[g] >= top[g] - 1e-6 else "")) for g in used]
    return pd.DataFrame(out, index=rows)


def flows_frame(options: list[Option], names: PlaceNames) -> pd.DataFrame:
    """The heaviest flows the base plan does not charge, by place names, and which options do."""
    base = next(o for o in options if o.name == BASE).run
    if base.certificate is None:
        return pd.DataFrame()
    inst = base.instance
    charged = {o.name: o.run.certificate.details["refuelled"] for o in options if o.run.certificate is not None}
    missing = np.flatnonzero(~charged[BASE])
    top = missing[np.argsort(-inst.flow[missing], kind="stable")][:MAX_FLOWS]
    from siting.corridor.model import refuellable_at_all

    possible = refuellable_at_all(inst, base.paths, base.cover)
    frame = pd.DataFrame({"trucks/day": inst.flow[top].round(1),
                          "could hubs charge it": np.where(possible[top], "yes", "no (see why this plan)")},
                         index=[names.od[q] for q in top])
    for name, ok in charged.items():
        if name not in (BASE, EXISTING_ONLY):
            frame[name] = np.where(ok[top], "charged", "—")
    return frame


# -- the files ------------------------------------------------------------------------------------
def compare_markdown(options: list[Option], frames: dict[str, pd.DataFrame]) -> str:
    inst = options[0].run.instance
    lines = ["# Corridor options compared", "",
             "Each column is one option. The first two are references: **existing stations only** (no new hub, no "
             "new charger, no grid item) and **base** (the instance as it is). \"e-trucks per day whose round trip "
             "can be charged\": trucks that can drive their round trip with the hubs of that option, under the rules "
             "of models/corridor.md. Every plan is the least cost at its option's best service (two stages: most "
             f"trucks charged, then least investment keeping that service within a relative {TOL:g}). \"result\" "
             "optimal means no better plan exists under the option's rules. Annual cost: investment over "
             f"{inst.params.lifetime_years:g} years at {100 * inst.params.interest_rate:g} % [estimate] plus the "
             "grid items' yearly fees.", ""]
    lines += option_lines(options)
    sections = [("", frames["options"]), ("## New hubs per LoLa search area", frames["areas"]),
                ("## Grid: new load / allowed kW per substation where hubs are added", frames["grid"]),
                ("## Heaviest flows the base plan does not charge", frames["flows"])]
    lines += sections_markdown(sections)
    return "\n".join(lines) + "\n"


def compare_csv(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """compare.csv: the main table, then the search-area and grid rows, one indicator per row."""
    parts = [frames["options"]]
    parts += [frames["areas"].rename(index=lambda a: f"search area {a}: new hubs")] if not frames["areas"].empty else []
    parts += [frames["grid"].rename(index=lambda g: f"grid {g}: new / allowed kW")] if not frames["grid"].empty else []
    return pd.concat(parts)


def write_compare(options: list[Option], out: Path, overwrite: bool = False) -> tuple[Path, str]:
    """compare.md, compare.csv, compare.html and map-<option>.png, written atomically into `out`;
    the folder they landed in (io.write.write_atomic) and the comparison's text."""
    from siting.corridor.compare_html import compare_html

    base = options[1].run
    names = place_names(base.instance, base.source)
    frames = {"options": compare_frame(options, names), "areas": area_frame(options, names),
              "grid": grid_frame(options, names), "flows": flows_frame(options, names)}
    text = compare_markdown(options, frames)
    return write_compare_folder(out, overwrite, compare_csv(frames), text, options,
                                lambda option, path: draw_map(option.run, path, option=option.name),
                                lambda: compare_html(options, frames, text))
