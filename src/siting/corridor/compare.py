"""Corridor options side by side (`siting compare`): solve the base instance and each scenario,
then one table (compare.md, compare.csv) and one map per option, written atomically."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.corridor.report import draw_map
from siting.corridor.scenario import Scenario, apply_scenario
from siting.io.summary_text import number
from siting.io.write import write_atomic

COMPARE_ROWS = [
    ("status", "result"),
    ("gap_pct", "distance to the proven best, %"),
    ("new_stations", "new hubs"),
    ("stations_open", "hubs open (new + existing)"),
    ("new_chargers", "new chargers"),
    ("new_kw", "new charging power, kW"),
    ("refuelled_flow", "e-trucks per day whose trip can be charged"),
    ("refuelled_pct", "share of all truck trips charged, %"),
    ("refuelled_truck_km", "truck-km per day charged"),
    ("energy_kwh_day", "charging energy per day, kWh"),
    ("cost", "investment, EUR"),
    ("grid_upgrades", "grid upgrades bought"),
    ("grid_use", "grid use (new load / allowed, kW) where hubs are added"),
    ("afir_core_longest_gap_km", "AFIR: longest gap on a TEN-T core road, km (limit 60)"),
    ("new_hubs", "where the new hubs are"),
]


def solve_scenarios(instance: str | Path, scenarios: list[Scenario], options, base: bool = True) -> list[tuple[Scenario, Any]]:
    """Solve the base instance (when `base`) and every scenario; paths are shared when the
    scenario does not change the network or the flows."""
    from siting.corridor.api import solve_corridor
    from siting.corridor.load import load_corridor
    from siting.io.folder import instance_folder

    folder = instance_folder(instance)
    loaded = [(sc, apply_scenario(load_corridor(folder, sc.overrides()), sc)) for sc in scenarios]  # all checked first
    runs = []
    if base:
        inst = load_corridor(folder)
        run = solve_corridor(inst, options)
        run.source = folder
        runs.append((Scenario(name="base", description="the instance as it is"), run))
    for sc, inst in loaded:
        run = solve_corridor(inst, options)
        run.source = folder
        runs.append((sc, run))
    return runs


def compare_frame(runs: list) -> pd.DataFrame:
    """One row per indicator, one column per option (scenario name)."""
    cols = {}
    for scenario, run in runs:
        k = run.certificate.kpis if run.certificate else {}
        values = {key: k.get(key) for key, _ in COMPARE_ROWS}
        values["status"] = run.status
        values["gap_pct"] = None if run.result.gap is None else round(100 * run.result.gap, 3)
        if run.solution is not None:
            inst, sol = run.instance, run.solution
            new = np.flatnonzero(sol.open & ~inst.is_existing)
            values["new_hubs"] = "; ".join(f"{inst.site_label(j)} in {inst.area_ids[inst.area_of_site[j]]}"
                                           if inst.area_of_site[j] >= 0 else inst.site_label(j) for j in new)
            if inst.grid is not None:
                load = inst.resources.new_load_kw(sol.chargers)
                allowed = inst.grid.allowed_kw(sol.upgrades)
                used = np.flatnonzero(load > 0)
                values["grid_use"] = "; ".join(f"{inst.grid.ids[g]} {load[g]:,.0f}/{allowed[g]:,.0f}" for g in used)
        cols[scenario.name] = [values[key] for key, _ in COMPARE_ROWS]
    return pd.DataFrame(cols, index=[label for _, label in COMPARE_ROWS])


def compare_markdown(frame: pd.DataFrame, runs: list) -> str:
    lines = ["# Corridor options compared", "",
             "Each column is one option (a scenario of the same instance). \"e-trucks per day whose trip can be "
             "charged\": trucks that can drive their round trip with the hubs of that option, under the rules of "
             "models/corridor.md. \"result\" optimal means no better plan exists under the option's rules.", ""]
    for scenario, run in runs:
        lines.append(f"- **{scenario.name}**: {scenario.description or '(no description)'}"
                     + (f" — map: map-{_slug(scenario.name)}.png" if run.solution is not None else ""))
    lines += ["", "| | " + " | ".join(frame.columns) + " |", "|---|" + "---|" * len(frame.columns)]
    for label, row in frame.iterrows():
        lines.append(f"| {label} | " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return number(value)
    return str(value).replace("|", "/")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "option"


def write_compare(runs: list, out: Path, overwrite: bool = False) -> tuple[Path, str]:
    """compare.md, compare.csv and map-<option>.png, written atomically into `out`; the folder they
    landed in (io.write.write_atomic) and the comparison's text."""
    frame = compare_frame(runs)
    text = compare_markdown(frame, runs)

    def contents(folder: Path) -> None:
        frame.to_csv(folder / "compare.csv", index_label="indicator")
        (folder / "compare.md").write_text(text)
        for scenario, run in runs:
            if run.solution is not None:
                draw_map(run, folder / f"map-{_slug(scenario.name)}.png", option=scenario.name)

    return write_atomic(out, overwrite, contents), text
