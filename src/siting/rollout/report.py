"""The result folder of a rollout: summary.json and summary.md (per period, and year by year
against planned ahead), sites.gpkg (every site with its chargers per year; the grid use per
year), map-<year>.png per period (the base model's map), plan.csv, grid_by_period.csv, and for
the grid operators connection_requests.csv and rollout_plan_quarterly.csv (quarterly.py). The
same for every base; what differs (map, sizes, the rows per period) comes from its adapter."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from siting.io.maps import place_names, read_map_layers
from siting.io.report import id_labels, problem_lines, size_row, summary_base, write_run
from siting.io.summary_text import headline, markdown_table, number
from siting.io.write import point_layer
from siting.rollout.api import RolloutRun
from siting.rollout.bases import base_of
from siting.rollout.quarterly import connection_requests, quarterly_plan

MAX_LISTED = 25


# -- per period -----------------------------------------------------------------------------------
def period_runs(run: RolloutRun) -> list:
    """Each period's plan as a single-year run of the base model (its instance, its slice of the
    answer), so the base model's map and tables draw it."""
    base = base_of(run.instance.base)
    out = []
    for t in range(run.instance.n_periods):
        cert = run.certificate.details["periods"][t] if run.certificate is not None else None
        x = run.stacked.period_vector(run.result.x, t) if run.result.x is not None else None
        result = replace(run.result, x=x, objective=cert.objective if cert else None, best_bound=None, gap=None)
        out.append(base.period_run(run, t, result, cert))
    return out


def served_by_site(run: RolloutRun) -> np.ndarray:
    """float[T, J]: what each site serves per period (fast: demand served or within reach;
    corridor: kWh charged or refuelled trucks passing): the busiest site's request comes first."""
    return base_of(run.instance.base).served_by_site(run)


def municipalities(run: RolloutRun) -> np.ndarray | None:
    layer = read_map_layers(run.source, ("municipalities",)).get("municipalities")
    xy = run.instance.first.site_xy
    if layer is None or layer.names is None or xy is None:
        return None
    return place_names(xy, layer)


def plan_table(run: RolloutRun) -> pd.DataFrame:
    """Every site that is open in some period: when it opens and its chargers and kW per year."""
    inst, sol = run.instance, run.solution
    first = inst.first
    chargers = sol.chargers()
    opened = sol.opened_in()
    keep = np.flatnonzero(opened >= 0)
    grid_ids = first.grid.ids if first.grid is not None else np.array([], dtype=object)
    place = municipalities(run)
    df = pd.DataFrame({
        "id": first.site_ids[keep].astype(str),
        "municipality": place[keep] if place is not None else "",
        "grid_area": id_labels(grid_ids, first.grid_of_site[keep]),
        "status": np.where(first.is_existing[keep], "existing", "new"),
        "opens": np.where(first.is_existing[keep], 0, inst.years[opened[keep]]),
        "existing_chargers": first.existing_chargers[keep],
    })
    kw = first.params.kw_per_charger
    for t, year in enumerate(inst.years):
        df[f"chargers_{year}"] = chargers[t, keep]
    for t, year in enumerate(inst.years):
        df[f"new_kw_{year}"] = kw * (chargers[t, keep] - first.existing_chargers[keep])
    df.index = keep
    return df


def grid_table(run: RolloutRun) -> pd.DataFrame:
    """Per grid area with sites and per period: headroom H_gt, the plan's new load, what is left."""
    inst = run.instance
    if inst.first.grid is None:
        return pd.DataFrame()
    rows = []
    grid_use = base_of(inst.base).grid_use
    for year, q, s in zip(inst.years, inst.periods, run.solution.periods):
        load, allowed = grid_use(q, s)
        for g in np.unique(q.grid_of_site[q.grid_of_site >= 0]):
            rows.append({"grid_area": str(q.grid.ids[g]), "year": int(year),
                         "headroom_kw": float(q.grid.available_kw[g]), "allowed_kw": float(allowed[g]),
                         "new_load_kw": float(load[g]), "left_kw": float(allowed[g] - load[g]),
                         "full": bool(load[g] >= allowed[g] - 1e-6 and load[g] > 0)})
    return pd.DataFrame(rows)


# -- summary ----------------------------------------------------------------------------------------
def myopic_summary(run: RolloutRun) -> dict:
    """The year-by-year plan's objective against the planned-ahead one: the value of planning ahead."""
    mine = run.myopic_certificate
    if mine is None:
        return {"status": "infeasible" if run.myopic_results else "not run"}
    out = {"objective": mine.objective, "period_objectives": mine.kpis["period_objectives"],
           "statuses": [r.status for r in run.myopic_results]}
    if run.certificate is not None:
        integrated = run.certificate.objective
        maximise = run.formulation.sense == "max"
        gain = integrated - mine.objective if maximise else mine.objective - integrated
        out |= {"integrated_objective": integrated, "gain_of_planning_ahead": gain,
                "gain_pct": 100.0 * gain / abs(mine.objective) if mine.objective else None}
    return out


def summary_dict(run: RolloutRun) -> dict:
    inst = run.instance
    q = inst.first
    base = base_of(inst.base)
    kind = base.objective_kind(q)
    weighting = "discounted cost increments" if kind == "cost" else "sum over periods of omega_t x objective_t"
    return summary_base(
        run, model="rollout", objective_kind=kind, objective_name=f"{q.params.objective} over {inst.n_periods} "
        f"periods ({weighting})", parameters={"rollout": inst.params.model_dump(), inst.base: q.params.model_dump()},
        size={**run.formulation.summary(), "periods": inst.n_periods, **base.size(run)},
        extra={"years": [int(y) for y in inst.years], "period_weights": inst.period_weights().tolist(),
               "discount": inst.discount().tolist(), "myopic": myopic_summary(run)})


def summary_markdown(summary: dict, run: RolloutRun) -> str:
    inst = run.instance
    lines = headline(summary, f"{summary['instance']['name']} — rollout {', '.join(map(str, summary['years']))}")
    lines += [size_row(summary["size"]), f"| time | {summary['times'].get('total', 0):.2f} s (year by year "
              f"{summary['times'].get('myopic', 0):.2f}, planned ahead {summary['times'].get('solve', 0):.2f}) |"]
    lines += problem_lines(summary, "The independent check")
    if run.solution is None:
        return "\n".join(lines) + "\n"
    by = summary["kpis"]["by_period"]
    years = summary["years"]
    lines += ["", "## The plan per period", "", "| | " + " | ".join(map(str, years)) + " |",
              "|---|" + "---|" * len(years)]
    for key, label, unit in base_of(inst.base).period_rows:
        if key in by[years[0]]:
            lines.append(f"| {label}{f' ({unit})' if unit else ''} | "
                         + " | ".join(number(by[y][key]) for y in years) + " |")
    lines += _myopic_lines(summary)
    plan = plan_table(run)
    new = plan[plan["status"] == "new"].sort_values(["opens", "id"]).head(MAX_LISTED)
    if len(new):
        table = pd.DataFrame({"site": new["id"], "municipality": [m or "—" for m in new["municipality"]],
                              "opens": new["opens"], "grid area": new["grid_area"]})
        for year in years:
            table[f"chargers {year}"] = new[f"chargers_{year}"].to_numpy()
        lines += ["", f"## New sites, by the year they open (first {MAX_LISTED})" if len(new) == MAX_LISTED
                  else "## New sites, by the year they open", "", markdown_table(table)]
    grid = grid_table(run)
    if len(grid):
        full = grid[grid["full"]]
        if len(full):
            lines += ["", "## Where the grid is the limit", ""]
            for area, rows in full.groupby("grid_area", sort=True):
                lines.append(f"- {area}: full in {', '.join(str(y) for y in rows['year'])} "
                             f"(headroom {', '.join(number(v) for v in rows['headroom_kw'])} kW).")
    lines += ["", "## For the grid operators", "",
              f"`rollout_plan_quarterly.csv`: per grid area, the connections and kW to request in each of the "
              f"{inst.params.horizon_quarters} quarters from {inst.params.start} ({inst.params.lead_quarters} "
              "quarters before they are needed); `connection_requests.csv`: every request, with the site, "
              "its municipality and when it is needed. Within a period the requests are spread evenly over its "
              "quarters, busiest site first (an assumption: the plan fixes what stands by each year, not the order)."]
    return "\n".join(lines) + "\n"


def _myopic_lines(summary: dict) -> list[str]:
    m = summary["myopic"]
    if "gain_of_planning_ahead" not in m:
        return ["", f"Planning year by year found no plan ({m.get('status')})."]
    unit = "EUR (discounted)" if summary["objective_kind"] == "cost" else "(weighted over the periods)"
    better = "less cost" if summary["objective_kind"] == "cost" else "more"
    pct = f" ({m['gain_pct']:.2f} %)" if m["gain_pct"] is not None else ""
    return ["", "## Planning ahead against planning year by year", "",
            f"Planned ahead, the objective is {number(m['integrated_objective'])} {unit}; planning each year "
            f"alone (keeping what was built) gives {number(m['objective'])}: {number(m['gain_of_planning_ahead'])} "
            f"{better}{pct}. Per year, year by year: "
            + ", ".join(f"{y} {number(v)}" for y, v in m["period_objectives"].items()) + "."]


# -- layers and files -----------------------------------------------------------------------------
def result_layers(run: RolloutRun) -> dict:
    inst = run.instance
    plan = plan_table(run)
    xy = inst.first.site_xy[plan.index.to_numpy()] if inst.first.site_xy is not None else None
    layers = {"sites": point_layer(plan.reset_index(drop=True), xy, inst.crs)}
    grid = grid_table(run)
    if len(grid) and inst.first.grid.xy is not None:
        index = {str(g): k for k, g in enumerate(inst.first.grid.ids)}
        layers["grid_use"] = point_layer(grid, inst.first.grid.xy[[index[g] for g in grid["grid_area"]]], inst.crs)
    return layers


def write_extras(run: RolloutRun, folder: Path) -> dict:
    if run.solution is None:
        return {}
    plan = plan_table(run)
    plan.to_csv(folder / "plan.csv", index=False)
    grid = grid_table(run)
    if len(grid):
        grid.to_csv(folder / "grid_by_period.csv", index=False)
    place = municipalities(run)
    requests = connection_requests(run.instance, run.solution, served_by_site(run), place)
    requests.drop(columns=["_request"]).to_csv(folder / "connection_requests.csv", index=False)
    quarterly_plan(run.instance, requests).to_csv(folder / "rollout_plan_quarterly.csv", index=False)
    files = {"plan_csv": "plan.csv", "connection_requests_csv": "connection_requests.csv",
             "rollout_plan_quarterly_csv": "rollout_plan_quarterly.csv"}
    if len(grid):
        files["grid_by_period_csv"] = "grid_by_period.csv"
    return files


def write_rollout_results(run: RolloutRun, out: Path, overwrite: bool = False) -> dict:
    runs = period_runs(run) if run.solution is not None else []
    draw_map = base_of(run.instance.base).draw_map
    pictures = {f"map_{y}": (f"map-{y}.png", lambda r, path, k=k: draw_map(runs[k], path))
                for k, y in enumerate(run.instance.years)} if runs else {}
    return write_run(run, out, overwrite, summary_dict(run), layers=result_layers, markdown=summary_markdown,
                     pictures=pictures, extras=write_extras)
