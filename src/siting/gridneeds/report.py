"""The result folder of a grid-needs analysis, written atomically (io.write.write_atomic):

- grid_needs.csv  one row per grid area (and period): headroom, the kW the plan needs with and
                  without the grid limit, shortfall, binding, the gain of each headroom step with
                  its interval, exactness and status;
- grid_needs.md   the areas where the grid blocks the plan, ranked by the value of the first step
                  (+1 MW), in words a programme manager can paste into a pMIEK / RES submission;
- grid_needs.png  substations sized by the kW shortfall, coloured by the value of +1 MW;
- summary.json    every re-solve's status, objective, bound and seconds; the times.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from siting import __version__
from siting.gridneeds.api import GridNeedsRun, gains_something, needs_table, ranked_areas
from siting.gridneeds.models import adapter
from siting.io.summary_text import markdown_table, number


def write_grid_needs(run: GridNeedsRun, out: Path, overwrite: bool = False) -> dict:
    from siting.io.write import write_atomic, write_json

    table = needs_table(run)
    summary = summary_dict(run)

    def contents(folder: Path) -> None:
        table.to_csv(folder / "grid_needs.csv", index=False, float_format="%.6g")
        (folder / "grid_needs.md").write_text(markdown_text(run, table), encoding="utf-8")
        summary["map"] = write_map(run, table, folder / "grid_needs.png")
        write_json(folder / "summary.json", summary)

    written = write_atomic(out, overwrite, contents)
    summary["written_to"] = str(written)
    return summary


def summary_dict(run: GridNeedsRun) -> dict:
    def one(r) -> dict:
        return {"label": r.label, "status": r.status, "objective": r.objective, "best_bound": r.best_bound,
                "gap": r.gap, "seconds": round(r.seconds, 4), "verified": r.verified, "message": r.message}

    return {"analysis": "grid_needs", "model": run.model, "instance": getattr(run.instance, "name", ""),
            "source": None if run.source is None else str(run.source), "objective_kind": run.objective_kind,
            "sense": run.sense, "gain_unit": run.unit, "mw": list(run.mw), "status": run.status,
            "base_objective": run.base.objective, "binding_areas": [str(run.area_ids[g]) for g in run.binding_areas],
            "resolves": [one(r) for r in run.resolves()], "workers": run.workers,
            "times": {k: round(v, 4) for k, v in run.times.items()}, "siting_version": __version__}


# -- grid_needs.md --------------------------------------------------------------------------------
def place_label(row) -> str:
    name = str(row["name"] or "").strip()
    place = str(row["municipality"] or "").strip()
    area = str(row["grid_area"])
    label = f"{name} ({area})" if name and name != area else area
    return f"{label} in {place}" if place else label


def kw(value: float) -> str:
    return "—" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:,.0f}"


def markdown_text(run: GridNeedsRun, table) -> str:
    rollout = run.model == "rollout"
    per_area = _per_area(run, table)
    ranked = ranked_areas(run)
    base = run.base
    lines = [
        f"# Grid needs for charging — {getattr(run.instance, 'name', '')}",
        "",
        f"What the grid headroom costs the {run.model} plan, per substation"
        + (" and period" if rollout else "") + ". For the provincial energy programme (pMIEK) and the RES: "
        "where more offtake capacity would let the charging plan do more, and how much.",
        "",
        f"- Plan with today's headroom: **{number(base.objective)}** {_plain_unit(run)} ({_status_words(base)}).",
        f"- Plan without any grid limit: **{number(run.unlimited.objective)}** ({_status_words(run.unlimited)}).",
        f"- Substations where the headroom is used up: **{len(run.binding_areas)}** of {len(run.area_ids)}"
        f" (with sites: {int(run.has_sites.sum())}).",
        "",
    ]
    steps = ", ".join(f"+{m:g} MW" for m in run.mw)
    blocking = [g for g in ranked if gains_something(run, g)]
    idle = [g for g in ranked if g not in blocking]
    if blocking:
        lines += [f"## Where the grid blocks the plan (ranked by the value of +{run.mw[0]:g} MW)", ""]
        rows = []
        for rank, g in enumerate(blocking, 1):
            r = per_area[g]
            row = {"#": rank, "substation": r["label"], "headroom kW": kw(r["headroom"]),
                   "plan needs kW": kw(r["with"]), "would need without limit kW": kw(r["without"]),
                   "short kW": kw(r["short"]), "one new site needs kW": kw(float(run.step_kw[g]))}
            if rollout:
                row["used up in"] = r["periods"]
            for m in run.mw:
                gain = run.gains[(g, m)]
                pct = "" if gain.pct is None else f" ({gain.pct:+.2f} %)"
                row[f"+{m:g} MW gains"] = gain.text() + pct
            rows.append(row)
        import pandas as pd

        lines += [markdown_table(pd.DataFrame(rows)), ""]
        top = per_area[blocking[0]]
        gain = run.gains[(blocking[0], run.mw[0])]
        first = run.mw[0]
        if (gain.low or 0) > 0:
            lines += [f"In words: at **{top['label']}** {first:g} MW more offtake capacity would add "
                      f"{gain.text()} {_plain_unit(run)} to the plan"
                      + (f" ({gain.pct:+.2f} %)" if gain.pct is not None else "") + "; "
                      f"without any grid limit the plan would draw {kw(top['without'])} kW there instead of "
                      f"{kw(top['with'])} kW.", ""]
        later = [g for g in blocking if not (run.gains[(g, first)].low or 0) > 0]
        if later:
            lines += [f"At {len(later)} of these substations +{first:g} MW is not enough and more is: there a new "
                      f"site needs more than {first:g} MW (minimum size × kW per charger), e.g. "
                      + "; ".join(f"{per_area[g]['label']} ({kw(float(run.step_kw[g]))} kW)" for g in later[:3])
                      + ".", ""]
    else:
        lines += ["## Where the grid blocks the plan", "",
                  "Nowhere: no substation where more headroom (" + steps + ") would improve the plan.", ""]
    if idle:
        names = ", ".join(per_area[g]["label"] for g in idle[:15]) + (
            f" and {len(idle) - 15} more (grid_needs.csv, binding = True)" if len(idle) > 15 else "")
        lines += [f"Headroom used up, but {steps} there gains nothing (within the solver's tolerance) at "
                  f"{len(idle)} substation(s): {names}. The plan is held back there by something else (the number "
                  "of sites, the budget, land, or no more demand in reach).", ""]
    short = [g for g in range(len(run.area_ids)) if per_area[g]["short"] > 0 and g not in set(ranked)]
    if short:
        lines += ["Areas with headroom left where the plan without any limit would still draw more (it moves "
                  "sites there from blocked areas): " + ", ".join(f"{per_area[g]['label']} (+{kw(per_area[g]['short'])} kW)"
                                                             for g in short) + ".", ""]
    lines += [
        "## How this was computed",
        "",
        "- **Without limit**: every area's headroom raised to what its sites could ever draw (+1 kW), so no "
        "grid row binds (upgrades stay offered and are not needed); the instance otherwise unchanged.",
        "- **kW the plan needs**: new load P × s × (chargers − existing) of the chargers that serve the plan's "
        "demand (the opening size, or what the assigned demand uses of a charger's capacity); chargers that "
        "serve no one cost nothing in this objective and are not counted (the plan's own counts are the "
        "`plan_load_*` columns of grid_needs.csv).",
        "- **Used up (binding)**: the headroom left is less than one new site of the minimum size needs.",
        f"- **Gain**: the plan re-solved with {steps} headroom at that substation only"
        + (" (in every period)" if rollout else "") + f", against the base plan, in {run.unit}. "
        "A number is exact when both solves are proven optimal and their bounds meet; otherwise the range "
        "the solver's bounds allow is given (\"at least …\" when the re-solve has no bound). Re-solves, not "
        "duals: the model has integer decisions.",
        f"- Re-solves: {len(run.resolves())} ({_statuses(run)}), "
        + (f"on {run.workers} Dask worker(s)" if run.workers else "in one process")
        + f"; {run.times.get('total', 0):.1f} s in all.",
        "",
    ]
    return "\n".join(lines)


def _plain_unit(run: GridNeedsRun) -> str:
    return run.unit.removesuffix(" saved") if run.sense == "min" else run.unit


def _status_words(r) -> str:
    if r.status == "optimal":
        return "proven optimal" + (f", gap {100 * r.gap:.3g} %" if r.gap else "")
    gap = "" if r.gap is None else f", gap {100 * r.gap:.3g} %"
    return f"{r.status}{gap}"


def _statuses(run: GridNeedsRun) -> str:
    counts: dict[str, int] = {}
    for r in run.resolves():
        counts[r.status] = counts.get(r.status, 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))


def _per_area(run: GridNeedsRun, table) -> list[dict]:
    """Per area over the periods: the row of the period where it is shortest of headroom."""
    out = []
    for g, area in enumerate(run.area_ids):
        rows = table[table["grid_area"] == area]
        worst = rows.loc[rows["shortfall_kw"].fillna(0).idxmax()] if len(rows) else None
        out.append({"label": place_label(rows.iloc[0]), "headroom": float(worst["headroom_kw"]),
                    "with": float(worst["load_with_limit_kw"]), "without": float(worst["load_without_limit_kw"]),
                    "short": float(np.nan_to_num(worst["shortfall_kw"])),
                    "periods": ", ".join(str(p) for p in rows.loc[rows["binding"], "period"])})
    return out


# -- grid_needs.png -------------------------------------------------------------------------------
def write_map(run: GridNeedsRun, table, path: Path) -> str:
    """The map, or why there is none (substations without coordinates)."""
    grid = adapter(run.model).grid(run.instance)
    if grid.xy is None or not len(grid.xy):
        return "no map: the grid areas have no coordinates"
    from matplotlib.colors import Normalize

    from siting.io.maps import MapCanvas, save_map

    xy = np.asarray(grid.xy, float)
    per_area = _per_area(run, table)
    short = np.array([a["short"] for a in per_area])
    first = run.mw[0]
    value = np.array([run.gains[(g, first)].value if (g, first) in run.gains and
                      run.gains[(g, first)].value is not None else np.nan for g in range(len(xy))])
    canvas = MapCanvas.create(map_bounds(run, xy), run.instance.crs, run.source)
    ax = canvas.ax
    top = max(float(short.max()), 1.0)

    def size(v):
        return 30.0 + 470.0 * np.sqrt(np.asarray(v, float) / top)

    binding = np.zeros(len(xy), bool)
    binding[run.binding_areas] = True
    handles = [ax.scatter(xy[~binding, 0], xy[~binding, 1], marker="^", s=16, facecolors="none",
                          edgecolors="#969696", linewidths=0.7, zorder=3, label="substation, headroom left")]
    if binding.any():
        vmax = max(float(np.nanmax(value)) if np.isfinite(value).any() else 1.0, 1e-9)
        pts = ax.scatter(xy[binding, 0], xy[binding, 1], marker="^", s=size(short[binding]), c=value[binding],
                         cmap="YlOrRd", norm=Normalize(0.0, vmax), edgecolors="#252525", linewidths=0.6, zorder=4,
                         label="substation, headroom used up")
        canvas.colour_key(pts, f"+{first:g} MW gains ({_plain_unit(run)})")
        if short.max() > 0:
            keys = [v for v in (top / 4, top) if v > 0]
            handles += canvas.size_key("^", [round(v, -1) or v for v in keys], "kW short", size)
        handles.insert(1, pts)
        order = [g for g in ranked_areas(run) if gains_something(run, g)][:12]
        canvas.label_sites(xy[order], [per_area[g]["label"].split(" in ")[0] for g in order],
                           [-k for k in range(len(order))], size(short[order]), noun="blocked substations",
                           order=f"highest value of +{first:g} MW first")
    canvas.section("Grid", handles)
    canvas.note("Marker size: kW the plan would draw without the grid limit beyond what it draws with it. "
                f"Colour: what +{first:g} MW at that substation adds to the plan (re-solves; grid_needs.md).")
    import logging

    quiet = logging.getLogger("matplotlib.axes._base")  # a thin extent: the aspect widens it, as meant
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        fig = canvas.finish(f"Grid needs for charging — {getattr(run.instance, 'name', '')}",
                            f"{len(run.binding_areas)} substations with the headroom used up; {run.model} plan, "
                            f"{number(run.base.objective)} {_plain_unit(run)}")
        save_map(fig, path)
    finally:
        quiet.setLevel(level)
    return "grid_needs.png"


def map_bounds(run: GridNeedsRun, xy: np.ndarray) -> tuple[float, float, float, float]:
    """The substations and the sites, never thinner than a tenth of the wider side."""
    q = adapter(run.model).periods(run.instance)[0][1]
    points = [xy] + ([np.asarray(q.site_xy, float)] if getattr(q, "site_xy", None) is not None else [])
    allxy = np.vstack(points)
    lo, hi = allxy.min(axis=0), allxy.max(axis=0)
    grow = np.maximum(0.1 * (hi - lo).max() - (hi - lo), 0.0) / 2 + 1e-6
    return (*(lo - grow), *(hi + grow))
