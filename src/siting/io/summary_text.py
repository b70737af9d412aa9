"""Pieces of the result files shared by the models: number format, status table."""

from __future__ import annotations

import numpy as np


def number(value) -> str:
    """A number as a planner reads it: thousands separators, 4 significant digits below 10 000."""
    if value is None:
        return "—"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def markdown_table(table) -> str:
    """A DataFrame as a Markdown table, every cell as str()."""
    head = "| " + " | ".join(str(c) for c in table.columns) + " |"
    rule = "|" + "|".join("---" for _ in table.columns) + "|"
    rows = ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def headline(summary: dict, title: str) -> list[str]:
    """The title and the first rows of the summary table: status, objective, bound, gap."""
    gap = summary["gap"]
    return [
        f"# siting — {title}",
        "",
        "| | |",
        "|---|---|",
        f"| status | **{summary['status']}** ({summary['message']}) |",
        f"| objective ({summary['objective_kind']}) | {number(summary['objective'])} |",
        f"| best bound | {number(summary['best_bound'])} |",
        f"| gap | {'' if gap is None else f'{100 * gap:.3f} %'} |",
    ]
