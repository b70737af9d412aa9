"""Business-park options side by side (`siting compare` of a park instance): the two reference
options (every company on its own connection, the base instance) and every scenario
(park/scenario.py), each solved for its least annualised cost; one table (compare.md,
compare.csv) with the energy not delivered and its causes and the cost split, a table of the peak
load at each square against its connection and one per grid area against its headroom, the
energy not delivered per company, one map per option (map-*.png) and compare.html, written
atomically."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from siting.io.compare import (
    check_option_names,
    compare_page,
    option_lines,
    outlines_of,
    sections_markdown,
    write_compare_folder,
)
from siting.park.api import ParkRun
from siting.park.references import BASE, OWN_ONLY, REFERENCE_PENALTY, own_connections_only
from siting.park.scenario import Scenario
from siting.park.verify import connection_kw, grid_load_kw, square_load_kw

MAX_COMPANIES = 20  # rows of the energy-not-delivered table


@dataclass
class Option:
    name: str
    description: str
    run: ParkRun
    scenario: Scenario | None = None

    @property
    def fixed_open(self) -> np.ndarray:
        """bool [S]: the squares the option fixes open (its instance's `fixed_open`)."""
        return self.run.instance.fixed_open

    @cached_property
    def kpis(self) -> dict:
        """The KPIs of summary.json (the checker's, with the run's split of energy not delivered,
        `run.shortfall`: attributed once per run, shared with a result folder written from it)."""
        if self.run.certificate is None:
            return {}
        from siting.park.report import summary_dict

        return summary_dict(self.run)["kpis"]


def solve_scenarios(instance: str | Path, scenarios: list[Scenario], options) -> list[Option]:
    """The reference options and every scenario; every scenario is read and checked first."""
    from siting.io.folder import instance_folder
    from siting.park.load import load_park
    from siting.park.scenario import load_option

    folder = instance_folder(instance)
    check_option_names(scenarios, {OWN_ONLY, BASE})
    loaded = [(sc, load_option(folder, sc)) for sc in scenarios]  # bad scenario files stop here
    base = load_park(folder)
    penalty = "" if base.params.unmet_penalty is not None else (
        f"; energy not delivered priced at EUR {REFERENCE_PENALTY:g}/kWh (the instance sets no penalty)")
    out = [Option(OWN_ONLY, "no collective square (park.max_squares = 0): each company charges on its own "
                  f"connection; a company without one gets no energy{penalty}",
                  solve_option(own_connections_only(base), options, folder=folder)),
           Option(BASE, "the instance as it is", solve_option(base, options, folder=folder))]
    for sc, inst in loaded:
        out.append(Option(sc.name, sc.description, solve_option(inst, options, folder=folder), sc))
    return out


def solve_option(inst, options, folder: Path | None = None) -> ParkRun:
    """`solve_park` of an option's instance (the squares its scenario fixes open are part of it:
    `ParkInstance.fixed_open`), its results drawn over the instance folder's map layers."""
    from siting.park.api import solve_park

    run = solve_park(inst, options)
    run.source = folder
    return run


# -- figures per option ---------------------------------------------------------------------------
def investment(inst, sol) -> float:
    """One-off EUR of a plan: squares' civil works, connection fees, chargers, own upgrades."""
    chosen = sol.tier[sol.tier >= 0]
    return float(inst.square_cost[sol.open].sum() + inst.tier_cost[chosen].sum()
                 + (sol.chargers @ inst.charger_cost).sum() + sol.own @ inst.own_cost)


def connection_fees(inst, sol) -> float:
    """EUR per year of periodic connection fees: the squares' tiers and the own connections."""
    return float(inst.tier_annual[sol.tier[sol.tier >= 0]].sum() + sol.own @ inst.own_annual)


def square_names(run: ParkRun) -> np.ndarray:
    """Each square as a planner reads it: "Name (id)" where the squares layer names it (or its
    business park: "Noordermors 2 (sq-693-2)"), else its id."""
    inst = run.instance
    return np.array([inst.square_label(s) for s in range(inst.n_squares)], dtype=object)


def _squares_text(inst, sol, fixed_open, names: np.ndarray) -> tuple[str, str]:
    """(where the squares are, in words; their ids) of a plan."""
    words, ids = [], []
    for s in np.flatnonzero(sol.open):
        o = sol.tier[s]
        chargers = ", ".join(f"{n} x {c}" for n, c in zip(sol.chargers[s], inst.charger_ids, strict=True) if n)
        fixed = " (fixed open)" if fixed_open[s] else ""
        words.append(f"{names[s]}{fixed}: {inst.tier_ids[o]} ({inst.tier_kw[o]:,.0f} kW, "
                     f"{inst.tier_contract[o]}), {chargers or 'no chargers'}, "
                     f"{int((sol.assign[:, s] > 1e-6).sum())} companies")
        ids.append(str(inst.square_ids[s]))
    return "; ".join(words) or "none", " ".join(ids) or "none"


KPI_KEYS = ("annual_cost", "cost_squares", "cost_connections", "cost_chargers", "cost_own_connections",
            "cost_energy", "cost_assignment", "cost_unmet_penalty", "energy_demand_kwh_per_day",
            "energy_unmet_kwh_per_day", "energy_unmet_window_kwh_per_day", "energy_unmet_grid_kwh_per_day",
            "energy_unmet_economic_kwh_per_day", "companies_with_unmet_energy", "squares_open",
            "companies_at_squares", "companies_at_home", "chargers", "charger_kw_total", "connection_kw_total",
            "peak_square_load_kw", "peak_grid_load_kw")


def _figures(option: Option, names: np.ndarray) -> dict:
    run, k = option.run, option.kpis
    values = {"status": run.status, "gap_pct": None if run.result.gap is None else round(100 * run.result.gap, 3)}
    values |= {key: _clean(k.get(key)) for key in KPI_KEYS}
    values["changes"] = option.scenario.changes() if option.scenario is not None else option.description
    if run.solution is None:
        return values
    inst, sol = run.instance, run.solution
    demand = k["energy_demand_kwh_per_day"]
    values["unmet_pct"] = 100.0 * k["energy_unmet_kwh_per_day"] / demand if demand > 0 else 0.0
    values["cost_without_penalty"] = k["annual_cost"] - k["cost_unmet_penalty"]
    values["investment"] = investment(inst, sol)
    values["connection_fees"] = connection_fees(inst, sol)
    values["squares"], values["square_ids"] = _squares_text(inst, sol, option.fixed_open, names)
    return {key: _clean(value) for key, value in values.items()}


def _clean(value):
    """Solver noise (|v| < 1e-9, e.g. 1e-12 kW at a square no company uses) as 0."""
    return 0.0 if isinstance(value, float) and abs(value) < 1e-9 else value


ROWS = [  # (key, label): the main table, in the order a logistics advisor reads it
    ("status", "result"),
    ("gap_pct", "distance to the proven best, %"),
    ("annual_cost", "annual cost, EUR/yr (annualised, penalty included)"),
    ("cost_without_penalty", "annual cost without the penalty, EUR/yr"),
    ("investment", "one-off investment, EUR (squares, connections, chargers, own upgrades)"),
    ("connection_fees", "connection fees, EUR/yr (the squares' tiers and own connections)"),
    ("cost_squares", "cost: squares (civil works), EUR/yr"),
    ("cost_connections", "cost: grid connections of the squares, EUR/yr"),
    ("cost_chargers", "cost: chargers, EUR/yr"),
    ("cost_own_connections", "cost: own connections, EUR/yr"),
    ("cost_energy", "cost: electricity, EUR/yr"),
    ("cost_assignment", "cost: walking/driving, EUR/yr"),
    ("cost_unmet_penalty", "cost: penalty for energy not delivered, EUR/yr"),
    ("energy_demand_kwh_per_day", "energy needed, kWh/day"),
    ("energy_unmet_kwh_per_day", "energy not delivered, kWh/day"),
    ("unmet_pct", "energy not delivered, % of the need"),
    ("energy_unmet_window_kwh_per_day", "… of which the dwell window is too short (no plan delivers it), kWh/day"),
    ("energy_unmet_grid_kwh_per_day", "… of which the grid and the connections cannot carry, kWh/day"),
    ("energy_unmet_economic_kwh_per_day", "… of which is cheaper left undelivered at the penalty, kWh/day"),
    ("companies_with_unmet_energy", "companies not getting all their energy"),
    ("squares_open", "collective squares"),
    ("companies_at_squares", "companies charging at a square"),
    ("companies_at_home", "companies charging on their own connection"),
    ("chargers", "chargers at the squares"),
    ("charger_kw_total", "charger power at the squares, kW"),
    ("connection_kw_total", "connection capacity of the squares, kW"),
    ("peak_square_load_kw", "highest load at one square, kW"),
    ("peak_grid_load_kw", "highest charging load in one grid area, kW"),
    ("changes", "what the option changes"),
    ("squares", "where the squares are"),
    ("square_ids", "open square ids (for scenario files)"),
]
OPTIONAL = {"energy_unmet_economic_kwh_per_day", "peak_grid_load_kw"}  # left out when no option has them


def compare_frame(options: list[Option], names: np.ndarray) -> pd.DataFrame:
    """One row per indicator, one column per option (`names`: square_names)."""
    cols = {}
    for option in options:
        values = _figures(option, names)
        cols[option.name] = [values.get(key) for key, _ in ROWS]
    frame = pd.DataFrame(cols, index=[label for _, label in ROWS])
    empty = [label for key, label in ROWS if key in OPTIONAL and frame.loc[label].isna().all()]
    return frame.drop(index=empty)


def _hour(t: int, hours: float) -> str:
    minutes = int(round(t * hours * 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def squares_frame(options: list[Option], names: np.ndarray) -> pd.DataFrame:
    """Per square open in some option: peak load / connection kW (tier, contract) per option."""
    solved = [o for o in options if o.run.solution is not None]
    if not solved:
        return pd.DataFrame()
    used = np.flatnonzero(np.any([o.run.solution.open for o in solved], axis=0))
    out = {}
    for option in options:
        sol, inst = option.run.solution, option.run.instance
        if sol is None:
            out[option.name] = [None] * len(used)
            continue
        load, conn = square_load_kw(sol), connection_kw(inst, sol)
        cells = []
        for s in used:
            if not sol.open[s]:
                cells.append("—")
                continue
            t = int(np.argmax(load[s]))
            full = int(np.sum(load[s] >= conn[s] - 1e-6 * (1 + conn[s])) if load[s].max(initial=0) > 0 else 0)
            o = sol.tier[s]
            cells.append(f"{load[s, t]:,.0f} / {conn[s].max(initial=0):,.0f} kW ({inst.tier_ids[o]}, "
                         f"{inst.tier_contract[o]})" + (f", full in {full} slots" if full else ""))
        out[option.name] = cells
    return pd.DataFrame(out, index=[str(names[s]) for s in used])


def grid_frame(options: list[Option]) -> pd.DataFrame:
    """Per grid area with charging load: peak load / headroom in that slot, and the slots at the
    limit, per option (each option's own headroom: a scenario may change it)."""
    inst = options[0].run.instance
    if inst.grid is None:
        return pd.DataFrame()
    loads = {o.name: grid_load_kw(o.run.instance, o.run.solution) for o in options if o.run.solution is not None}
    used = np.flatnonzero(np.any([v.max(axis=1, initial=0.0) > 1e-9 for v in loads.values()], axis=0)) if loads else []
    out = {}
    for option in options:
        if option.name not in loads:
            out[option.name] = [None] * len(used)
            continue
        load, oinst = loads[option.name], option.run.instance
        limit = np.maximum(oinst.headroom_kw, 0.0)
        cells = []
        for g in used:
            t = int(np.argmax(load[g]))
            full = int(np.sum((load[g] >= limit[g] - 1e-6 * (1 + limit[g])) & (load[g] > 1e-9)))
            cells.append("—" if load[g, t] <= 1e-9 else f"{load[g, t]:,.0f} / {limit[g, t]:,.0f} kW at "
                         f"{_hour(t, oinst.hours)}" + (f", at the limit in {full} slots" if full else ""))
        out[option.name] = cells
    rows = [f"{inst.grid.ids[g]} (headroom {np.maximum(inst.headroom_kw[g], 0).min():,.0f}–"
            f"{np.maximum(inst.headroom_kw[g], 0).max():,.0f} kW in the base)" for g in used]
    return pd.DataFrame(out, index=rows)


def unmet_frame(options: list[Option]) -> pd.DataFrame:
    """kWh/day not delivered per company that misses energy in some option (the largest first)."""
    solved = {o.name: o.run.solution.unmet for o in options if o.run.solution is not None}
    if not solved:
        return pd.DataFrame()
    unmet = np.array(list(solved.values()))
    worst = unmet.max(axis=0)
    rows = np.flatnonzero(worst > 1e-6)
    rows = rows[np.argsort(-worst[rows], kind="stable")][:MAX_COMPANIES]
    inst = options[0].run.instance
    out = {o.name: ([("—" if solved[o.name][k] <= 1e-6 else float(solved[o.name][k])) for k in rows]
                    if o.name in solved else [None] * len(rows)) for o in options}
    return pd.DataFrame(out, index=[inst.company_label(k) for k in rows])


# -- the files ------------------------------------------------------------------------------------
def compare_markdown(options: list[Option], frames: dict[str, pd.DataFrame]) -> str:
    inst = options[1].run.instance
    p = inst.params
    penalty = (f"EUR {p.unmet_penalty:g}/kWh, park.unmet_penalty" if p.unmet_penalty is not None else
               "none in the instance: all energy must be delivered; the reference prices it at EUR "
               f"{REFERENCE_PENALTY:g}/kWh so that it delivers all it can")
    lines = ["# Business-park options compared", "",
             "Each column is one option. The first two are references: **every company on its own connection** "
             "(no collective square; a company without an own connection gets no energy) and **base** (the "
             "instance as it is). Every plan is the least annualised cost of its option under the rules of "
             "models/park.md: one-off costs spread over their lifetime at "
             f"{100 * p.discount_rate:g} % interest, plus yearly fees, electricity and the penalty for energy not "
             f"delivered ({penalty}). \"result\" optimal means no cheaper plan exists under the option's rules.",
             ""]
    lines += option_lines(options)
    sections = [("", frames["options"]),
                ("## Peak load / connection kW at each square", frames["squares"]),
                ("## Grid: peak charging load / headroom kW per grid area", frames["grid"]),
                ("## Energy not delivered per company, kWh/day", frames["unmet"])]
    lines += sections_markdown(sections)
    return "\n".join(lines) + "\n"


def compare_csv(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """compare.csv: the main table, then the square, grid and company rows, one indicator per row."""
    parts = [frames["options"]]
    parts += [frames["squares"].rename(index=lambda s: f"square {s}: peak / connection kW")] \
        if not frames["squares"].empty else []
    parts += [frames["grid"].rename(index=lambda g: f"grid {g}: peak / headroom kW")] \
        if not frames["grid"].empty else []
    parts += [frames["unmet"].rename(index=lambda k: f"company {k}: not delivered kWh/day")] \
        if not frames["unmet"].empty else []
    return pd.concat(parts)


KEY_ROWS = [  # (compare_frame label, column title) of compare.html's one-row-per-option table
    ("annual cost, EUR/yr (annualised, penalty included)", "annual cost, EUR/yr"),
    ("energy not delivered, kWh/day", "not delivered, kWh/day"),
    ("companies not getting all their energy", "companies short"),
    ("collective squares", "squares"),
    ("one-off investment, EUR (squares, connections, chargers, own upgrades)", "one-off investment, EUR"),
    ("connection fees, EUR/yr (the squares' tiers and own connections)", "connection fees, EUR/yr"),
    ("cost: chargers, EUR/yr", "chargers, EUR/yr"),
    ("cost: penalty for energy not delivered, EUR/yr", "penalty, EUR/yr"),
    ("where the squares are", "where the squares are"),
]


def compare_html(options: list[Option], frames: dict[str, pd.DataFrame], markdown: str) -> str:
    from siting.park.report import result_layers

    base = options[1].run
    outlines = outlines_of(base.source)
    maps = []
    for option in options:
        run, k = option.run, option.kpis
        layers = {}
        if run.solution is not None:
            layers = {name: layer for name, layer in result_layers(run).items() if name != "grid_use"}
        note = (f"{k.get('squares_open', 0)} squares, {k.get('companies_at_squares', 0)} of {k.get('companies', 0)} "
                f"companies at a square, {k.get('energy_unmet_kwh_per_day', 0):,.0f} kWh/day not delivered, "
                f"EUR {k.get('annual_cost', 0):,.0f} per year.") if k else ""
        maps.append({"title": f"Map — {option.name}", "note": note, "layers": layers, "crs": base.instance.crs,
                     "outlines": outlines})
    return compare_page(f"siting — {base.instance.name}: business-park options compared", frames["options"],
                        KEY_ROWS, markdown, maps)


def draw_option_map(option: Option, path: Path) -> bool:
    """map-<option>.png: the plan's map (park/report.py), its title naming the option."""
    from siting.park.report import draw_map

    run = option.run
    named = replace(run, instance=replace(run.instance, name=f"{run.instance.name} — {option.name}"))
    return draw_map(named, path)


def write_compare(options: list[Option], out: Path, overwrite: bool = False) -> tuple[Path, str]:
    """compare.md, compare.csv, compare.html and map-<option>.png, written atomically into `out`;
    the folder they landed in (io.write.write_atomic) and the comparison's text."""
    names = square_names(options[1].run)
    frames = {"options": compare_frame(options, names), "squares": squares_frame(options, names),
              "grid": grid_frame(options), "unmet": unmet_frame(options)}
    text = compare_markdown(options, frames)
    return write_compare_folder(out, overwrite, compare_csv(frames), text, options, draw_option_map,
                                lambda: compare_html(options, frames, text))
