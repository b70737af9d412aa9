"""Turn a solved park run into its result folder (written atomically):

summary.json (the fast model's top-level keys), summary.md (plain words for a logistics
advisor), sites.gpkg (squares, companies, assignments, grid_use), load_per_slot.png and map.png.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from siting.io.maps import (
    MAP_LAYERS,
    MapCanvas,
    integer_keys,
    map_paths,
    place_names,
    pyplot,
    read_map_layers,
    save_map,
)
from siting.io.report import id_labels, summary_base, write_run
from siting.io.write import point_layer, segment_layer
from siting.park import why
from siting.park.api import ParkRun
from siting.park.instance import name_and_id
from siting.park.verify import connection_kw, grid_load_kw, square_load_kw

MAX_LISTED = 40


# -- tables ---------------------------------------------------------------------------------------
def squares_table(run: ParkRun) -> pd.DataFrame:
    inst, sol = run.instance, run.solution
    S = inst.n_squares
    tier = sol.tier
    chosen = tier >= 0
    names = np.array([inst.tier_ids[o] if o >= 0 else "" for o in tier], dtype=object)
    contract = np.array([inst.tier_contract[o] if o >= 0 else "" for o in tier], dtype=object)
    users = [", ".join(str(c) for c in inst.company_ids[sol.assign[:, s] > 1e-6]) for s in range(S)]
    chargers = [", ".join(f"{n} x {c}" for n, c in zip(sol.chargers[s], inst.charger_ids, strict=True) if n > 0)
                for s in range(S)]
    load = square_load_kw(sol)
    energy = inst.hours * load.sum(axis=1)
    grid_ids = inst.grid.ids if inst.grid is not None else np.array([], dtype=object)
    return pd.DataFrame({
        "id": inst.square_ids.astype(str),
        "name": inst.square_names,
        "status": np.where(sol.open, "open", "closed"),
        "tier": names,
        "tier_kw": np.where(chosen, inst.tier_kw[np.maximum(tier, 0)], 0.0),
        "contract": contract,
        "chargers": chargers,
        "n_chargers": sol.chargers.sum(axis=1),
        "charger_kw": sol.chargers @ inst.charger_kw if inst.n_chargers else np.zeros(S),
        "companies": users,
        "n_companies": (sol.assign > 1e-6).sum(axis=0),
        "vehicles": inst.vehicles @ sol.assign,
        "energy_kwh_per_day": energy,
        "peak_kw": load.max(axis=1, initial=0.0),
        "land_m2": inst.land_m2,
        "grid_area": id_labels(grid_ids, inst.square_grid),
    })


def companies_table(run: ParkRun) -> pd.DataFrame:
    inst, sol = run.instance, run.solution
    where = []
    for k in range(inst.n_companies):
        parts = [inst.square_label(s) + (f" ({100 * sol.assign[k, s]:.0f} %)" if sol.assign[k, s] < 1 - 1e-6 else "")
                 for s in np.flatnonzero(sol.assign[k] > 1e-6)]
        if sol.own[k] > 1e-6:
            parts.append("own connection" + (f" ({100 * sol.own[k]:.0f} %)" if sol.own[k] < 1 - 1e-6 else ""))
        where.append(", ".join(parts) or "nowhere")
    delivered = inst.hours * (sol.power.sum(axis=(1, 2)) + sol.own_power.sum(axis=1))
    return pd.DataFrame({
        "id": inst.company_ids.astype(str),
        "name": inst.company_names,
        "charges_at": where,
        "vans": inst.vans,
        "trucks": inst.trucks,
        "energy_kwh_per_day": inst.energy_kwh,
        "delivered_kwh_per_day": delivered,
        "unmet_kwh_per_day": sol.unmet,
        "window_slots": inst.window.sum(axis=1),
        "max_kw": inst.max_kw,
    })


def grid_table(run: ParkRun) -> pd.DataFrame:
    inst, sol = run.instance, run.solution
    if inst.grid is None:
        return pd.DataFrame()
    load = grid_load_kw(inst, sol)
    G, T = load.shape
    return pd.DataFrame({
        "grid_area": np.repeat(inst.grid.ids.astype(str), T),
        "slot": np.tile(np.arange(T), G),
        "hour": np.tile(np.arange(T) * inst.hours, G),
        "load_kw": load.ravel(),
        "headroom_kw": np.maximum(inst.headroom_kw, 0.0).ravel(),
    })


# -- summary --------------------------------------------------------------------------------------
def window_shortfall(run: ParkRun) -> float:
    """kWh/day that no plan can deliver: energy beyond a company's window at full power."""
    return float(why.window_shortfall(run.instance).sum())


ECONOMIC_COST_KIND = ("average: the annual cost of the cheapest max-delivery plan minus that of "
                      "the least-cost plan (penalties excluded), divided by days_per_year x the "
                      "extra kWh/day")


def shortfall_dict(run: ParkRun, shortfall: why.Shortfall) -> dict:
    """summary.json's `shortfall`: how sure the split is, the re-solves, the price of the economic
    part and one row per company with energy not delivered."""
    ids = run.instance.company_ids
    areas = shortfall.grid_areas_full
    rows = [{"id": str(ids[k]), "name": run.instance.company_names[k], "unmet_kwh_per_day": float(shortfall.unmet[k]),
             **{f"{kind}_kwh_per_day": float(getattr(shortfall, kind)[k])
                for kind in ("window", "grid", "economic")},
             "grid_areas_full": areas[k] if areas else []}
            for k in np.flatnonzero(shortfall.unmet > 1e-6)]
    bounded = shortfall.status == "bounded"
    return {"status": shortfall.status, "notes": shortfall.notes,
            "penalty_eur_per_kwh": shortfall.penalty,
            "economic_cost_eur_per_kwh": shortfall.cost_per_kwh,
            "economic_cost_kind": ECONOMIC_COST_KIND,
            "economic_extra_cost_eur_per_year": shortfall.extra_cost,
            "economic_cost_is_upper_bound": shortfall.cost_upper_bound,
            "economic_at_most_kwh_per_day": shortfall.economic_at_most if bounded else None,
            "solves": shortfall.solves, "companies": rows}


def summary_dict(run: ParkRun) -> dict:
    """summary.json; the shortfall split is the run's own (`run.shortfall`: attributed once, with
    the run's SolveOptions, however often this is called)."""
    inst = run.instance
    out = summary_base(
        run, model="park", objective_kind="annual_cost", objective_name="annualised cost (EUR/year)",
        parameters=inst.params.model_dump(), instance_extra={"annuity_factors": inst.annuity()},
        size={**run.formulation.summary(), "companies": inst.n_companies, "squares": inst.n_squares,
              "tier_options": inst.n_tiers, "charger_types": inst.n_chargers, "slots": inst.n_slots,
              "pairs": inst.n_pairs},
        extra={"notes": list(inst.notes)})
    out["kpis"] = dict(out["kpis"])  # the certificate's own dict stays as the checker wrote it
    if run.solution is not None:
        sq = squares_table(run)
        out["squares"] = sq[sq["status"] == "open"].drop(columns=["status"]).to_dict(orient="records")
        shortfall = run.shortfall
        co = companies_table(run)
        short = co["unmet_kwh_per_day"] > 1e-6
        listed = co[short][["id", "name", "charges_at", "energy_kwh_per_day", "unmet_kwh_per_day"]]
        listed = listed.copy()
        for kind in ("window", "grid", "economic"):
            listed[f"unmet_{kind}_kwh_per_day"] = getattr(shortfall, kind)[short.to_numpy()]
        out["companies_with_unmet_energy"] = listed.to_dict(orient="records")
        for kind, value in shortfall.totals().items():
            out["kpis"][f"energy_unmet_{kind}_kwh_per_day"] = value
        if shortfall.cost_per_kwh is not None:
            out["kpis"]["energy_unmet_economic_cost_eur_per_kwh"] = shortfall.cost_per_kwh
        out["shortfall"] = shortfall_dict(run, shortfall)
        if shortfall.solves:
            out["times"]["shortfall"] = round(shortfall.seconds, 4)
    return out


def _label(row) -> str:
    """"Name (id)" of a summary row (a square or a company), the id where it has no name."""
    return name_and_id(row.get("name") or "", row["id"])


def _eur(value: float) -> str:
    return f"€ {value:,.0f}".replace(",", " ")


def _kwh(value: float) -> str:
    return f"{value:,.0f} kWh".replace(",", " ")


STATUS_WORDS = {
    "optimal": "the plan below is **proven optimal** (the cheapest plan under these assumptions)",
    "time_limit": "the solver stopped at its time limit: the plan below is the best found, not proven optimal",
    "interrupted": "the solver was interrupted: the plan below is the best found so far, not proven optimal",
    "infeasible": "**no plan satisfies all constraints**",
    "unbounded": "the model is unbounded (a data error)",
    "error": "something went wrong (see the message)",
}


def _hours(slots: np.ndarray, h: float) -> str:
    """Slot runs as clock times, e.g. '16:00-21:00'."""
    if not len(slots):
        return ""
    runs, start = [], slots[0]
    for a, b in zip(slots[:-1], slots[1:], strict=True):
        if b != a + 1:
            runs.append((start, a))
            start = b
    runs.append((start, slots[-1]))
    clock = lambda t: f"{int(t * h) % 24:02d}:{int(round(t * h * 60)) % 60:02d}"  # noqa: E731
    return ", ".join(f"{clock(a)}-{clock(b + 1)}" for a, b in runs)


def _grid_sentences(run: ParkRun) -> list[str]:
    """Per grid area with charging load: peak load, headroom, and the hours it is full."""
    inst, sol = run.instance, run.solution
    load = grid_load_kw(inst, sol)
    limit = np.maximum(inst.headroom_kw, 0.0)
    out = []
    for g in np.flatnonzero((inst.square_grid[:, None] == np.arange(inst.grid.size)).any(axis=0)
                            | (inst.company_grid[:, None] == np.arange(inst.grid.size)).any(axis=0)):
        full = np.flatnonzero(load[g] >= limit[g] - 1e-6 * (1 + limit[g]))
        closed = np.flatnonzero(limit[g] <= 1e-9)
        text = (f"- Grid area {inst.grid.ids[g]}: peak charging load {load[g].max():,.0f} kW; headroom "
                f"{limit[g].max():,.0f} kW at best")
        if len(closed):
            text += f", none at {_hours(closed, inst.hours)} (no charging possible then)"
        busy = np.setdiff1d(full, closed)
        text += (f"; the grid is the limit at {_hours(busy, inst.hours)}." if len(busy) else
                 "; outside those hours the grid is not the limit.")
        out.append(text)
    return out


REASONS = {  # kind -> (its name in the table, the reason in a planner's words)
    "window": ("dwell window",
               "the dwell window is too short: their vehicles need more than they can take at full "
               "charging power in the hours they are parked (no plan can deliver this)"),
    "grid": ("grid / connection",
             "the grid and the connections cannot carry more in the hours their vehicles are parked: "
             "it stays undelivered even when every kWh must be delivered wherever physically possible "
             "(it would need more grid headroom or a bigger connection tier than is on offer)"),
    "economic": ("penalty cheaper",
                 "it is a choice, not a limit: the grid could carry it, but paying the penalty is "
                 "cheaper than the connection, chargers and electricity that would serve it"),
}


def _named(rows: list[dict], kind: str) -> str:
    """'companies c1 (40 kWh), c2 (12 kWh)': those with energy of this kind not delivered."""
    key = f"unmet_{kind}_kwh_per_day"
    rows = sorted((r for r in rows if r[key] > 1e-6), key=lambda r: -r[key])
    named = ", ".join(f"{_label(r)} ({_kwh(r[key])})" for r in rows[:8])
    more = f" and {len(rows) - 8} more" if len(rows) > 8 else ""
    return f"compan{'ies' if len(rows) > 1 else 'y'} {named}{more}"


def _grid_limit_sentence(shortfall: dict) -> str:
    """Which grid areas are full while the grid-limited companies are parked (max-delivery plan)."""
    full = sorted({a for r in shortfall["companies"] if r["grid_kwh_per_day"] > 1e-6
                   for a in r["grid_areas_full"]})
    if not full:
        return (" No grid area is full while they are parked: the connection tiers, chargers or land "
                "of the squares within reach (or their own connection) are the limit.")
    many = len(full) > 1
    return (f" Grid area{'s' * many} {', '.join(full)} {'are' if many else 'is'} at "
            f"{'their' if many else 'its'} headroom while these vehicles are parked.")


def _economic_sentence(shortfall: dict) -> str:
    """What serving the economic shortfall would cost, per year and per kWh, against the penalty."""
    price, penalty = shortfall["economic_cost_eur_per_kwh"], shortfall["penalty_eur_per_kwh"]
    if price is None:
        return ""
    bound = "at most " if shortfall["economic_cost_is_upper_bound"] else ""
    return (f" Serving it would cost {bound}{_eur(shortfall['economic_extra_cost_eur_per_year'])} per "
            f"year more, {bound}€ {price:,.2f} per kWh on average (the cost difference of the two "
            f"plans divided by the extra kWh), against a penalty of € {penalty:,.2f} per kWh: with a "
            f"penalty above € {price:,.2f} per kWh the plan would deliver more.")


def _shortfall_sentences(summary: dict) -> list[str]:
    """The unmet energy by reason (why.attribute_shortfall), one line per kind, naming companies."""
    k, sf, rows = summary["kpis"], summary["shortfall"], summary["companies_with_unmet_energy"]
    lines = []
    for kind in ("window", "grid", "economic"):
        value = k[f"energy_unmet_{kind}_kwh_per_day"]
        if value <= 1e-6:
            continue
        text = f"  - {_kwh(value)} per day at {_named(rows, kind)}, because {REASONS[kind][1]}."
        if kind == "grid":
            text += _grid_limit_sentence(sf)
        if kind == "economic":
            text += _economic_sentence(sf)
        lines.append(text)
    if sf["status"] != "exact":
        lines.append("  - This split is bounded, not exact: " + "; ".join(sf["notes"]) + ".")
    return lines


def _why_cell(row: dict) -> str:
    parts = [f"{REASONS[kind][0]} {row[f'unmet_{kind}_kwh_per_day']:,.0f}"
             for kind in ("window", "grid", "economic") if row[f"unmet_{kind}_kwh_per_day"] > 1e-6]
    return "; ".join(parts) or "—"


def summary_markdown(summary: dict, run: ParkRun) -> str:
    inst, k = run.instance, summary["kpis"]
    lines = [f"# Business-park charging plan — {inst.name}", ""]
    gap = summary["gap"]
    status = STATUS_WORDS.get(summary["status"], summary["status"])
    if summary["status"] != "optimal" and gap is not None:
        status += f" (at most {100 * gap:.2f} % above the best possible)"
    if run.solution is None and summary["status"] in ("time_limit", "interrupted"):
        status = f"**no plan**: {summary['message']}"  # stopped before any feasible plan was found
    lines += [f"Status: {status}.", ""]
    if summary["diagnosis"]:
        lines += ["## Why there is no plan", ""] + [f"- {d}" for d in summary["diagnosis"]] + [""]
    if run.solution is None:
        return "\n".join(lines) + "\n"
    sq = pd.DataFrame(summary["squares"])
    n_open = len(sq)
    at_home = k["companies_at_home"]
    lines += ["## In short", ""]
    if n_open:
        lines.append(f"- **{n_open} collective charging square{'s' if n_open != 1 else ''}** "
                     f"({', '.join(_label(r) for _, r in sq.iterrows())}) serve{'s' if n_open == 1 else ''} {k['companies_at_squares']} of the "
                     f"{k['companies']} companies.")
        for _, row in sq.iterrows():
            contract = "firm contract" if row["contract"] == "firm" else f"time-bound contract ('{row['contract']}')"
            lines.append(f"  - Square {_label(row)}: grid connection **{row['tier']}** ({row['tier_kw']:,.0f} kW, "
                         f"{contract}); {row['chargers'] or 'no chargers'}; used by {row['n_companies']} companies "
                         f"({row['vehicles']:.0f} vehicles), {_kwh(row['energy_kwh_per_day'])} per day, peak "
                         f"{row['peak_kw']:,.0f} kW.")
    else:
        why = ("the scenario allows none (park.max_squares = 0)" if inst.params.max_squares == 0 else
               "it is cheaper for every company to charge on its own")
        lines.append(f"- **No collective charging square**: {why}.")
    if at_home:
        lines.append(f"- **{at_home} compan{'ies' if at_home != 1 else 'y'}** charge on their own connection.")
    lines.append(f"- **Total cost: {_eur(k['annual_cost'])} per year** (annualised: one-off costs spread over their "
                 f"lifetime at {100 * inst.params.discount_rate:g} % interest).")
    parts = [("squares", "squares (civil works)"), ("connections", "grid connections of the squares"),
             ("chargers", "chargers"), ("own_connections", "own connections"), ("energy", "electricity"),
             ("assignment", "walking/driving"), ("unmet_penalty", "penalty for energy not delivered")]
    lines += [f"  - {label}: {_eur(k['cost_' + key])}" for key, label in parts if k.get("cost_" + key, 0) > 0.5]
    unmet, demand = k["energy_unmet_kwh_per_day"], k["energy_demand_kwh_per_day"]
    if unmet > 1e-6:
        lines.append(f"- **Energy not delivered: {_kwh(unmet)} per day** of {_kwh(demand)} "
                     f"({100 * unmet / demand:.1f} %), at {k['companies_with_unmet_energy']} "
                     f"compan{'ies' if k['companies_with_unmet_energy'] != 1 else 'y'}.")
        lines += _shortfall_sentences(summary)
    else:
        lines.append(f"- **All energy is delivered**: {_kwh(demand)} per day; the grid does not force any shortfall.")
    if inst.grid is not None:
        lines += _grid_sentences(run)
    if summary["notes"]:
        lines += ["", "## Notes on the input", ""] + [f"- {n}" for n in summary["notes"][:MAX_LISTED]]
    if summary["companies_with_unmet_energy"]:
        lines += ["", "## Companies that do not get all their energy", "",
                  "| company | charges at | needs kWh/day | not delivered kWh/day | why |",
                  "|---|---|---|---|---|"]
        for row in summary["companies_with_unmet_energy"][:MAX_LISTED]:
            lines.append(f"| {_label(row)} | {row['charges_at']} | {row['energy_kwh_per_day']:,.0f} | "
                         f"{row['unmet_kwh_per_day']:,.0f} | {_why_cell(row)} |")
    co = companies_table(run)
    lines += ["", "## Where each company charges", "", "| company | vans | trucks | kWh/day | charges at |",
              "|---|---|---|---|---|"]
    for _, row in co.head(MAX_LISTED).iterrows():
        lines.append(f"| {_label(row)} | {row['vans']} | {row['trucks']} | {row['energy_kwh_per_day']:,.0f} | "
                     f"{row['charges_at']} |")
    if len(co) > MAX_LISTED:
        lines.append(f"| … {len(co) - MAX_LISTED} more in sites.gpkg | | | | |")
    t, s = summary["times"], summary["size"]
    lines += ["", "## Technical", "",
              f"- Solver: {summary['solver'].get('name')} {summary['solver'].get('version', '')}, objective "
              f"{summary['objective']:,.2f}, best bound {summary['best_bound'] or 0:,.2f}; independent check: "
              f"{'agrees' if summary['verified'] and summary['verified']['feasible'] else 'DISAGREES'}.",
              f"- Model: {s['variables']} variables, {s['constraints']} constraints, {s['nonzeros']} nonzeros; "
              f"{s['companies']} companies, {s['squares']} candidate squares, {s['slots']} slots.",
              f"- Time: {t.get('total', 0):.2f} s (load {t.get('load', 0):.2f}, build {t.get('build', 0):.2f}, "
              f"solve {t.get('solve', 0):.2f})."]
    return "\n".join(lines) + "\n"


# -- gpkg -----------------------------------------------------------------------------------------
def result_layers(run: ParkRun) -> dict:
    inst, sol = run.instance, run.solution
    crs = inst.crs
    layers = {"squares": point_layer(squares_table(run), inst.square_xy, crs),
              "companies": point_layer(companies_table(run), inst.company_xy, crs)}
    q = np.flatnonzero(sol.assign[inst.pair_company, inst.pair_square] > 1e-6)
    k, s = inst.pair_company[q], inst.pair_square[q]
    assign = pd.DataFrame({"company_id": inst.company_ids[k].astype(str), "square_id": inst.square_ids[s].astype(str),
                           "share": sol.assign[k, s], "distance": inst.pair_distance[q], "annual_cost": inst.pair_cost[q]})
    has_xy = inst.company_xy is not None and inst.square_xy is not None
    layers["assignments"] = segment_layer(assign, inst.company_xy[k] if has_xy else None,
                                          inst.square_xy[s] if has_xy else None, crs)
    if inst.grid is not None:
        layers["grid_use"] = point_layer(grid_table(run), None, crs)
    return layers


# -- figures --------------------------------------------------------------------------------------
def draw_load(run: ParkRun, path: Path) -> bool:
    """load_per_slot.png: load per slot at each open square against its connection and chargers,
    and per grid area against its headroom."""
    inst, sol = run.instance, run.solution
    plt = pyplot()
    open_s = np.flatnonzero(sol.open)
    areas = []
    if inst.grid is not None:  # the areas with squares or companies in them
        used = np.r_[inst.square_grid, inst.company_grid]
        areas = [g for g in range(inst.grid.size) if np.any(used == g)]
    panels = [("square", s) for s in open_s] + [("grid", g) for g in areas]
    if not panels:
        return False
    hours = np.arange(inst.n_slots) * inst.hours
    load, conn = square_load_kw(sol), connection_kw(inst, sol)
    grid = grid_load_kw(inst, sol)
    fig, axes = plt.subplots(len(panels), 1, figsize=(9, 2.4 * len(panels)), dpi=100, sharex=True, squeeze=False)
    for ax, (kind, i) in zip(axes[:, 0], panels, strict=True):
        if kind == "square":
            ax.step(hours, load[i], where="post", color="#2171b5", label="charging load")
            ax.step(hours, conn[i], where="post", color="#cb181d", linestyle="--",
                    label=f"connection {inst.tier_ids[sol.tier[i]]}")
            if inst.n_chargers:
                ax.axhline(float(sol.chargers[i] @ inst.charger_kw), color="#636363", linestyle=":",
                           label="installed charger power")
            ax.set_title(f"square {inst.square_label(i)}", fontsize=9)
        else:
            ax.step(hours, grid[i], where="post", color="#238b45", label="all charging load in the area")
            ax.step(hours, np.maximum(inst.headroom_kw[i], 0), where="post", color="#cb181d", linestyle="--",
                    label="grid headroom")
            ax.set_title(f"grid area {inst.grid.ids[i]}", fontsize=9)
        ax.set_ylabel("kW")
        ax.legend(fontsize=7, loc="upper right")
    axes[-1, 0].set_xlabel("hour of the day")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return True


def draw_map(run: ParkRun, path: Path) -> bool:
    """map.png (see map_of); False (no map) without coordinates of companies and squares."""
    fig = map_of(run)
    return fig is not None and save_map(fig, path)


def map_of(run: ParkRun):
    """The map of a plan: business parks, companies by where they charge (size by vehicles), the
    line from each company to its square, candidate squares, the chosen squares (size by chargers,
    labelled with their park, chargers and connection tier), over the instance's municipalities.
    The figure, or None without coordinates."""
    inst, sol = run.instance, run.solution
    if inst.company_xy is None or inst.square_xy is None:
        return None
    from matplotlib.collections import LineCollection, PathCollection

    c, s = inst.company_xy, inst.square_xy
    layers = read_map_layers(run.source, (*MAP_LAYERS, "parks"))
    parks = layers.get("parks")
    extent = np.vstack([c, s] + ([parks.geometry.total_bounds.reshape(2, 2)] if parks is not None else []))
    canvas = MapCanvas.create((*extent.min(axis=0), *extent.max(axis=0)), inst.crs, run.source, pad=0.06,
                              layers=layers)
    ax = canvas.ax
    area = []
    if parks is not None:
        area.append(canvas.area_key(ax.add_collection(PathCollection(
            map_paths(parks.geometry), facecolor="#efe9d8", edgecolor="#9c9481", linewidths=0.6, zorder=1,
            label="business park"))))
    k, j = np.nonzero(sol.assign > 1e-6)
    lines = ax.add_collection(LineCollection(np.stack([c[k], s[j]], axis=1), colors="#6baed6", linewidths=0.8, zorder=2,
                                             label="company → the square it charges at"))
    home = sol.own > 0.5
    short = sol.unmet > 1e-6
    vehicle_size = lambda v: 10 + 4 * np.asarray(v)  # noqa: E731
    size = vehicle_size(inst.vehicles)
    companies = [
        ax.scatter(c[~home, 0], c[~home, 1], s=size[~home], c="#2171b5", linewidths=0, zorder=3,
                   label="company charging at a square"),
        ax.scatter(c[home, 0], c[home, 1], s=size[home], c="#fd8d3c", linewidths=0, zorder=3,
                   label="company on its own connection"),
        ax.scatter(c[short, 0], c[short, 1], s=size[short] + 40, facecolors="none", edgecolors="#cb181d",
                   linewidths=1.2, zorder=4, label="energy not delivered") if short.any() else None,
        *canvas.size_key("o", integer_keys(inst.vehicles), ("vehicle", "vehicles"), vehicle_size,
                         markerfacecolor="#9ecae1", markeredgewidth=0),
    ]
    chargers = sol.chargers.sum(axis=1)
    square_size = lambda n: 80 + 6 * np.asarray(n)  # noqa: E731
    squares = [
        ax.scatter(s[~sol.open, 0], s[~sol.open, 1], marker="s", s=26, facecolors="none", edgecolors="#636363",
                   linewidths=0.8, zorder=3, label="candidate square (not used)"),
        ax.scatter(s[sol.open, 0], s[sol.open, 1], marker="*", s=square_size(chargers[sol.open]), c="#238b45",
                   edgecolors="black", linewidths=0.6, zorder=5, label="collective charging square"),
        *canvas.size_key("*", integer_keys(chargers[sol.open]), ("charger", "chargers"), square_size,
                         markerfacecolor="#238b45",
                         markeredgecolor="black"),
    ]
    canvas.section("Plan", squares + [lines])
    canvas.section("Companies", companies)
    canvas.section("Map", area)
    canvas.avoid(s[sol.open], square_size(chargers[sol.open]))
    canvas.avoid(s[~sol.open], 26, soft=True)
    canvas.avoid(c, size, soft=True)
    chosen = np.flatnonzero(sol.open)
    where = place_names(s[chosen], parks, near=200.0)
    where = np.where(where != "", where, canvas.place_of(s[chosen]))
    texts = [f"{w or inst.square_ids[q]} · {chargers[q]} chargers\n{inst.tier_ids[sol.tier[q]]}"
             for w, q in zip(where, chosen, strict=True)]
    canvas.label_sites(s[chosen], texts, chargers[chosen], square_size(chargers[chosen]), noun="squares")
    kp = run.certificate.kpis if run.certificate else {}
    n = len(chosen)
    title = f"{inst.name}: {n} collective charging square{'s' * (n != 1)}"
    parts = []
    if "companies" in kp:
        parts.append(f"{kp.get('companies_at_squares', 0)} of {kp['companies']} companies charge at a square")
    if "annual_cost" in kp:
        parts.append(f"{_eur(kp['annual_cost'])} per year")
    parts.append(f"status {run.status}")
    return canvas.finish(title, " · ".join(parts))


def write_park_results(run: ParkRun, out: Path, overwrite: bool = False) -> dict:
    return write_run(run, out, overwrite, summary_dict(run), layers=result_layers, markdown=summary_markdown,
                     pictures={"load_png": ("load_per_slot.png", draw_load), "map": ("map.png", draw_map)})
