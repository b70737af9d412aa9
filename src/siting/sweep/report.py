"""The sweep's own outputs: sweep.csv, sweep.md and plots/<parameter>.png, each written atomically.

One row per run, in the sweep file's order: the swept values, status, objective, bound, gap, the
model's main KPIs (its spec's `main_kpis`) and the run's seconds. A run that has no summary (the
sweep was interrupted) appears with status `not run`.
"""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from siting.sweep.spec import FAILED, Sweep, label, safe_name

PLOTTED = ("objective", "served_demand_pct", "covered_demand_pct", "mean_distance", "cost", "new_chargers")
MAX_PLOTTED = 4


@dataclass
class SweepReport:
    """What happened to each run: its summary (read back or new) and whether it ran now."""

    sweep: Sweep
    out: Path
    summaries: dict[str, dict] = field(default_factory=dict)  # run name -> summary.json content
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> list[str]:
        return [n for n, s in self.summaries.items() if s.get("status") in FAILED]


def main_kpis(model: str) -> tuple[str, ...]:
    """The KPIs the model's spec names for the table (registry.ModelSpec.main_kpis)."""
    from siting.registry import model_spec

    return model_spec(model).main_kpis


def sweep_table(report: SweepReport) -> pd.DataFrame:
    sweep = report.sweep
    summaries = [report.summaries.get(spec.name) for spec in sweep.runs]
    kpi_keys = [k for k in main_kpis(sweep.model) if any(s and k in s.get("kpis", {}) for s in summaries)]
    if not kpi_keys:  # the model names none (or its runs report none of them): its first numeric KPIs
        seen: dict[str, None] = {}
        for s in summaries:
            for k, v in (s or {}).get("kpis", {}).items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    seen.setdefault(k)
        kpi_keys = list(seen)[:6]
    rows = []
    for spec, s in zip(sweep.runs, summaries, strict=True):
        s = s or {"status": "not run", "kpis": {}, "times": {}}
        row = {"run": spec.name, **{axis: spec.values.get(axis) for axis in sweep.axes}}
        row |= {"status": s.get("status"), "objective": s.get("objective"), "best_bound": s.get("best_bound"),
                "gap": s.get("gap")}
        row |= {k: s.get("kpis", {}).get(k) for k in kpi_keys}
        row |= period_columns(s, kpi_keys)
        row |= {"seconds": s.get("times", {}).get("total"), "solve_seconds": s.get("times", {}).get("solve"),
                "message": s.get("message", "")}
        rows.append(row)
    return pd.DataFrame(rows)


def period_columns(summary: dict, kpi_keys: list[str]) -> dict:
    """A rollout run's periods as columns: each main KPI per year ("new_sites 2030"; the KPIs
    without a year are the last period's) and the value of planning ahead over year by year."""
    by_period = summary.get("kpis", {}).get("by_period")
    if not by_period:
        return {}
    years = sorted(by_period, key=int)[:-1]
    out = {f"{k} {year}": by_period[year].get(k) for k in kpi_keys for year in years}
    out["gain_of_planning_ahead"] = summary.get("myopic", {}).get("gain_of_planning_ahead")
    return out


def write_file_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """write(tmp_path) then rename over `path`: a reader never sees half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.tmp-", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def sweep_markdown(report: SweepReport, table: pd.DataFrame) -> str:
    sweep = report.sweep
    counts = table["status"].value_counts().to_dict()
    lines = [f"# Sweep {sweep.name}", ""]
    if sweep.description:
        lines += [sweep.description, ""]
    lines += [f"Instance `{sweep.instance}` ({sweep.model}); {len(table)} runs: "
              + ", ".join(f"{n} {status}" for status, n in counts.items())
              + (f"; {len(report.skipped)} taken from an earlier sweep (--resume)" if report.skipped else "")
              + (" — **interrupted**: run again with --resume" if report.interrupted else "") + ".", ""]
    shown = [c for c in table.columns if c != "message"]
    lines.append("| " + " | ".join(shown) + " |")
    lines.append("|" + "---|" * len(shown))
    for _, row in table.iterrows():
        lines.append("| " + " | ".join(_cell(row[c], c) for c in shown) + " |")
    failed = table[table["status"].isin(["failed", "error", "infeasible"])]
    if len(failed):
        lines += ["", "## Runs without a plan", ""] + [f"- `{r['run']}`: {r['status']} — {r['message']}" for _, r in failed.iterrows()]
    plots = sorted(p.name for p in (report.out / "plots").glob("*.png"))
    if plots:
        lines += ["", "## Plots", ""] + [f"![{p}](plots/{p})" for p in plots]
    return "\n".join(lines) + "\n"


def _cell(value, column: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if column == "gap":
        return f"{100 * value:.3f} %"
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"
    return str(value)


def plot_sweep(report: SweepReport, table: pd.DataFrame, folder: Path) -> list[Path]:
    """One PNG per swept parameter: each main KPI against it, one line per other combination."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    metrics = [m for m in PLOTTED if m in table.columns and pd.to_numeric(table[m], errors="coerce").notna().any()]
    metrics = metrics[:MAX_PLOTTED]
    axes = [a for a in report.sweep.axes if table[a].astype(str).nunique() > 1]
    if not metrics or not axes:
        return []
    folder.mkdir(exist_ok=True)
    written = []
    for axis in axes:
        others = [a for a in axes if a != axis]
        numeric = pd.to_numeric(table[axis], errors="coerce").notna().all()
        fig, subplots = plt.subplots(1, len(metrics), figsize=(4.2 * len(metrics), 3.6), dpi=100, squeeze=False)
        groups = table.groupby([table[o].astype(str) for o in others], sort=False) if others else [((), table)]
        for _, rows in groups:
            legend = ", ".join(f"{o.rsplit('.', 1)[-1]}={label(rows[o].iloc[0])}" for o in others) or None
            rows = rows.sort_values(axis, key=lambda c: pd.to_numeric(c) if numeric else c.astype(str))
            x = pd.to_numeric(rows[axis]) if numeric else rows[axis].astype(str)
            for ax, metric in zip(subplots[0], metrics, strict=True):
                ax.plot(x, pd.to_numeric(rows[metric], errors="coerce"), marker="o", label=legend)
        for ax, metric in zip(subplots[0], metrics, strict=True):
            ax.set_xlabel(axis)
            ax.set_title(metric.replace("_", " "))
            ax.grid(alpha=0.3)
        if others:
            subplots[0][-1].legend(fontsize=7)
        fig.suptitle(f"{report.sweep.name}: KPIs against {axis} (failed runs left out)", fontsize=10)
        fig.tight_layout()
        path = folder / f"{safe_name(axis)}.png"
        write_file_atomic(path, lambda tmp, fig=fig: fig.savefig(tmp, format="png"))
        plt.close(fig)
        written.append(path)
    return written


def write_sweep_report(report: SweepReport) -> pd.DataFrame:
    """sweep.csv, plots/*.png and sweep.md in `report.out`."""
    out = report.out
    table = sweep_table(report)
    write_file_atomic(out / "sweep.csv", lambda tmp: table.to_csv(tmp, index=False))
    ok = table[~table["status"].isin(["failed", "not run"])]
    plot_sweep(report, ok.reset_index(drop=True), out / "plots")
    write_file_atomic(out / "sweep.md", lambda tmp: tmp.write_text(sweep_markdown(report, table)))
    return table
