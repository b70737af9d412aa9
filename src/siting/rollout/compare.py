"""Rollout options side by side (`siting compare` of a rollout instance), the periods as a
dimension of every table: two reference options from one solve of the instance as it is — **year
by year** (each period planned alone, keeping what was built: rollout/myopic.py) and **planned
ahead** (the joined model) — then every scenario (rollout/scenario.py), planned ahead. One table
of the whole rollout (objective, the value of planning ahead), one per period with the base
model's figures (demand served or trucks charged, new sites, chargers, kW, investment, grid), one
of the grid areas whose headroom a plan uses up, per year; one map per option of the last
period's plan (map-*.png) and compare.html, written atomically."""

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
from siting.rollout.api import RolloutRun
from siting.rollout.bases import base_of
from siting.rollout.scenario import Scenario

YEAR_BY_YEAR = "year by year"
PLANNED_AHEAD = "planned ahead"


@dataclass
class Option:
    name: str
    description: str
    run: RolloutRun  # `solution`, `certificate` and `result` are the option's plan (see as_year_by_year)
    scenario: Scenario | None = None
    planned_ahead: RolloutRun | None = None  # the year-by-year option: the run it was taken from

    @cached_property
    def kpis(self) -> dict:
        return {} if self.run.certificate is None else self.run.certificate.kpis


def as_year_by_year(run: RolloutRun) -> RolloutRun:
    """The run with its year-by-year plan as the answer (its checker's certificate; the status is
    the worst of the periods' solves), so the tables and maps of the planned-ahead plan draw it."""
    from siting.solve import SolveResult

    results = run.myopic_results or []
    statuses = [r.status for r in results]
    status = next((s for s in statuses if s != "optimal"), "optimal") if statuses else "not run"
    gaps = [r.gap for r in results if r.gap is not None]
    cert = run.myopic_certificate
    result = SolveResult(status=status, x=None, objective=cert.objective if cert is not None else None,
                         best_bound=None, gap=max(gaps) if gaps else None,
                         solver=results[-1].solver if results else {}, seconds=sum(r.seconds for r in results))
    return replace(run, solution=run.myopic, certificate=cert, result=result)


def solve_scenarios(instance: str | Path, scenarios: list[Scenario], options) -> list[Option]:
    """The two reference options (one solve) and every scenario; every scenario is read and
    checked first."""
    from siting.io.folder import instance_folder
    from siting.rollout.api import solve_rollout
    from siting.rollout.load import load_rollout
    from siting.rollout.scenario import load_option

    folder = instance_folder(instance)
    check_option_names(scenarios, {YEAR_BY_YEAR, PLANNED_AHEAD})
    loaded = [(sc, load_option(folder, sc)) for sc in scenarios]  # bad scenario files stop here
    base = solve_rollout(load_rollout(folder), options)
    base.source = folder
    out = [Option(YEAR_BY_YEAR, "the instance as it is, each period planned alone with what the earlier "
                  "ones built kept (how a region plans that decides one year at a time)", as_year_by_year(base),
                  planned_ahead=base),
           Option(PLANNED_AHEAD, "the instance as it is, every period planned at once (lock-in between them)", base)]
    for sc, inst in loaded:
        run = solve_rollout(inst, options)
        run.source = folder
        out.append(Option(sc.name, sc.description, run, sc))
    return out


# -- figures ----------------------------------------------------------------------------------------
def _gain(option: Option) -> tuple[float | None, float | None, float | None]:
    """(the option's objective planned year by year; what planning ahead gains over it, in the
    objective's unit; in %) of a planned-ahead option."""
    if option.planned_ahead is not None or option.run.certificate is None:
        return None, None, None
    from siting.rollout.report import myopic_summary

    m = myopic_summary(option.run)
    return m.get("objective"), m.get("gain_of_planning_ahead"), m.get("gain_pct")


def whole_frame(options: list[Option]) -> pd.DataFrame:
    """The rollout as a whole: result, objective, the value of planning ahead, what changes."""
    rows = {"result": [], "distance to the proven best, %": [], "objective over the periods": [],
            "objective of the same option planned year by year": [],
            "gain of planning ahead over year by year": [], "… in %": [], "what the option changes": []}
    for option in options:
        run = option.run
        myopic, gain, pct = _gain(option)
        rows["result"].append(run.status)
        rows["distance to the proven best, %"].append(None if run.result.gap is None else round(100 * run.result.gap, 3))
        rows["objective over the periods"].append(run.certificate.objective if run.certificate else None)
        rows["objective of the same option planned year by year"].append(myopic)
        rows["gain of planning ahead over year by year"].append(gain)
        rows["… in %"].append(pct)
        rows["what the option changes"].append(option.scenario.changes() if option.scenario is not None
                                               else option.description)
    return pd.DataFrame(rows, index=[o.name for o in options]).T


def period_frames(options: list[Option]) -> dict[int, pd.DataFrame]:
    """Per year: one row per figure of the base model (rollout adapter's `period_rows`), one
    column per option, and where the sites opened by then are."""
    inst = options[-1].run.instance
    rows = base_of(inst.base).period_rows
    out = {}
    for year in inst.years:
        year = int(year)
        cols = {}
        for option in options:
            by = option.kpis.get("by_period", {}).get(year, {})
            cols[option.name] = [_clean(by.get(key)) for key, _, _ in rows] + [_new_sites_text(option, year)]
        labels = [f"{label}, {unit}" if unit else label for _, label, unit in rows] + ["new sites opened this period"]
        frame = pd.DataFrame(cols, index=labels)
        out[year] = frame.loc[~frame.isna().all(axis=1)]
    return out


def _clean(value):
    return 0.0 if isinstance(value, float) and abs(value) < 1e-9 else value


def _new_sites_text(option: Option, year: int) -> str | None:
    """The new sites that open in `year`'s period, by municipality ("Zwolle 2, Deventer 1")."""
    run = option.run
    if run.solution is None:
        return None
    from siting.rollout.report import municipalities

    t = int(np.flatnonzero(run.instance.years == year)[0])
    opened = run.solution.opened_in()
    first = run.instance.first
    new = np.flatnonzero((opened == t) & ~first.is_existing)
    if not len(new):
        return "none"
    place = municipalities(run)
    names = place[new] if place is not None else first.site_ids[new]
    counts = pd.Series([str(n) if n else "outside the municipalities" for n in names]).value_counts()
    return ", ".join(f"{name} {n}" for name, n in counts.sort_index().items())


def grid_frame(options: list[Option]) -> pd.DataFrame:
    """Per grid area and year where some option uses the headroom up: new load / allowed kW."""
    tables = {}
    for option in options:
        if option.run.solution is not None:
            from siting.rollout.report import grid_table

            tables[option.name] = grid_table(option.run)
    full = [t[t["full"]] for t in tables.values() if len(t)]
    if not full:
        return pd.DataFrame()
    keys = sorted({(r.grid_area, int(r.year)) for t in full for r in t.itertuples()})
    out = {}
    for option in options:
        table = tables.get(option.name)
        cells = []
        for area, year in keys:
            row = None if table is None or not len(table) else table[(table["grid_area"] == area)
                                                                    & (table["year"] == year)]
            if row is None or not len(row):
                cells.append(None)
                continue
            r = row.iloc[0]
            cells.append(f"{r.new_load_kw:,.0f} / {r.allowed_kw:,.0f} kW" + (", full" if r.full else ""))
        out[option.name] = cells
    return pd.DataFrame(out, index=[f"{area}, {year}" for area, year in keys])


# -- the files ------------------------------------------------------------------------------------
def compare_markdown(options: list[Option], frames: dict) -> str:
    inst = options[1].run.instance
    kind = base_of(inst.base).objective_kind(inst.first)
    measure = ("the discounted cost of the rollout (lower is better)" if kind == "cost"
               else "the weighted sum over the periods of each period's objective (higher is better)")
    lines = [f"# Rollout options compared: {', '.join(str(y) for y in inst.years)}", "",
             "Each column is one option. The first two are references from one solve of the instance as it is: "
             f"**{YEAR_BY_YEAR}** (each period planned alone, keeping what the earlier ones built) and "
             f"**{PLANNED_AHEAD}** (all periods planned at once). Every scenario is planned ahead. A site that opens "
             "stays open and chargers are only added (models/rollout.md). The objective is "
             f"{measure}; \"result\" optimal means no better plan exists under the option's rules.", ""]
    lines += option_lines(options)
    sections = [("", frames["whole"])]
    sections += [(f"## {year}", frame) for year, frame in frames["periods"].items()]
    sections.append(("## Grid areas whose headroom a plan uses up: new load / allowed kW, by year", frames["grid"]))
    lines += sections_markdown(sections)
    lines += ["", "Maps (map-*.png) show each option's plan in the last period."]
    return "\n".join(lines) + "\n"


def compare_csv(frames: dict) -> pd.DataFrame:
    """compare.csv: one indicator per row, the year as its own column (empty for the whole)."""
    parts = [frames["whole"].assign(year=None)]
    parts += [frame.assign(year=year) for year, frame in frames["periods"].items()]
    if not frames["grid"].empty:
        grid = frames["grid"]
        years = [int(label.rsplit(", ", 1)[1]) for label in grid.index]
        parts.append(grid.rename(index=lambda label: f"grid {label.rsplit(', ', 1)[0]}: new load / allowed kW")
                     .assign(year=years))
    out = pd.concat(parts)
    return out[["year"] + [c for c in out.columns if c != "year"]]


def _key_frame(options: list[Option], frames: dict) -> tuple[pd.DataFrame, list[tuple[str, str]]]:
    """compare.html's one-row-per-option table: the whole rollout, then the last year's figures."""
    last = max(frames["periods"])
    period = frames["periods"][last]
    whole = frames["whole"]
    frame = pd.concat([whole.loc[["result", "objective over the periods", "gain of planning ahead over year by year"]],
                       period.rename(index=lambda label: f"{last}: {label}")])
    keys = [("result", "result"), ("objective over the periods", "objective"),
            ("gain of planning ahead over year by year", "gain of planning ahead")]
    keys += [(f"{last}: {label}", f"{last}: {label}") for label in period.index]
    return frame, keys


def compare_html(options: list[Option], frames: dict, markdown: str) -> str:
    from siting.rollout.report import result_layers

    base = options[1].run
    outlines = outlines_of(base.source)
    maps = []
    last = int(base.instance.years[-1])
    for option in options:
        layers = {}
        if option.run.solution is not None:
            layers = {name: layer for name, layer in result_layers(option.run).items() if name != "grid_use"}
        new = frames["periods"][last].get(option.name)
        note = f"The plan by {last}; new sites over the periods by the year they open." if new is not None else ""
        maps.append({"title": f"Map — {option.name}", "note": note, "layers": layers, "crs": base.instance.crs,
                     "outlines": outlines})
    frame, keys = _key_frame(options, frames)
    return compare_page(f"siting — {base.instance.name}: rollout options compared", frame, keys, markdown, maps)


def draw_option_map(option: Option, path: Path) -> bool:
    """map-<option>.png: the last period's map of the base model, its title naming the option."""
    from siting.rollout.report import period_runs

    run = period_runs(option.run)[-1]
    named = replace(run, instance=replace(run.instance, name=f"{run.instance.name} — {option.name}"))
    return base_of(option.run.instance.base).draw_map(named, path)


def write_compare(options: list[Option], out: Path, overwrite: bool = False) -> tuple[Path, str]:
    """compare.md, compare.csv, compare.html and map-<option>.png, written atomically into `out`;
    the folder they landed in (io.write.write_atomic) and the comparison's text."""
    frames = {"whole": whole_frame(options), "periods": period_frames(options), "grid": grid_frame(options)}
    text = compare_markdown(options, frames)
    return write_compare_folder(out, overwrite, compare_csv(frames), text, options, draw_option_map,
                                lambda: compare_html(options, frames, text))
