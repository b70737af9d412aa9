"""The comparison kit shared by the models' `siting compare` (corridor/compare.py, park/compare.py):
tables with one column per option as Markdown, the cell format, file names per option, and
compare.html — a row per option of the figures that decide, the tables of compare.md, and one map
per option (the page, its scripts and its policy are siting.io.html's). Nothing here knows a model.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from siting.io.html import maps_page, markdown_html
from siting.io.summary_text import number


def check_option_names(scenarios, taken: set[str]) -> None:
    """Each option names one column: a scenario may not take a reference's (`taken`) or another
    scenario's name; each clash is an InstanceError naming the scenario file."""
    from siting.errors import InstanceError, Problem

    seen = set(taken)
    problems = []
    for sc in scenarios:
        if sc.name in seen:
            problems.append(Problem(sc.file or sc.name, f"the option name '{sc.name}' is taken (names are column "
                                    "titles: give each scenario its own)", field="name"))
        seen.add(sc.name)
    if problems:
        raise InstanceError(problems)


def write_compare_folder(out: Path, overwrite: bool, table: pd.DataFrame, text: str, options,
                         draw_map: Callable[[Any, Path], Any], page: Callable[[], str]) -> tuple[Path, str]:
    """compare.csv (`table`), compare.md (`text`), map-<option>.png (`draw_map(option, path)` for
    each option with a plan) and compare.html (`page()`), written atomically into `out`; the folder
    they landed in (io.write.write_atomic) and the text."""
    from siting.io.write import write_atomic

    def contents(folder: Path) -> None:
        table.to_csv(folder / "compare.csv", index_label="indicator")
        (folder / "compare.md").write_text(text)
        for option in options:
            if option.run.solution is not None:
                draw_map(option, folder / f"map-{slug(option.name)}.png")
        (folder / "compare.html").write_text(page(), encoding="utf-8")

    return write_atomic(out, overwrite, contents), text


def md_table(frame: pd.DataFrame) -> list[str]:
    """The lines of a Markdown table: the index as the first, unnamed column."""
    lines = ["| | " + " | ".join(str(c) for c in frame.columns) + " |",
             "|---|" + "---|" * len(frame.columns)]
    for label, row in frame.iterrows():
        lines.append(f"| {md_cell(label)} | " + " | ".join(md_cell(v) for v in row) + " |")
    return lines


def md_cell(value) -> str:
    """A table cell: "—" for nothing, numbers as a planner reads them, no "|" inside."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        return number(value)
    return str(value).replace("|", "/")


def option_lines(options) -> list[str]:
    """One bullet per option of a comparison: its name, description and map file."""
    return [f"- **{o.name}**: {o.description or '(no description)'}"
            + (f" — map: map-{slug(o.name)}.png" if o.run.solution is not None else "") for o in options]


def sections_markdown(sections: list[tuple[str, pd.DataFrame]]) -> list[str]:
    """The tables of compare.md, each under its title (none for the first), empty ones left out."""
    lines: list[str] = []
    for title, frame in sections:
        if frame.empty:
            continue
        lines += ["", title, ""] if title else [""]
        lines += md_table(frame)
    return lines


def slug(name: str) -> str:
    """An option's name as part of a file name (map-<slug>.png)."""
    return "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-") or "option"


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    return str(value)


def options_table(frame: pd.DataFrame, key_rows: list[tuple[str, str]]) -> str:
    """One row per option (the columns of `frame`), with the `key_rows` (frame label, column
    title) as columns; every text escaped."""
    head = "<th>option</th>" + "".join(f"<th>{html.escape(title)}</th>" for _, title in key_rows)
    rows = []
    for option in frame.columns:
        cells = "".join(f"<td>{html.escape(_text(frame.loc[label, option]))}</td>"
                        for label, _ in key_rows)
        rows.append(f'<tr class="option"><th scope="row">{html.escape(str(option))}</th>'
                    f"{cells}</tr>")
    return (f'<section id="options"><h2>Options at a glance</h2><div><table id="options-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>")


def outlines_of(source) -> dict:
    """The instance's own outline layers (municipalities, region) for the maps, by name."""
    from siting.io.maps import read_map_layers
    from siting.io.report import MAP_OUTLINES

    return {name: layer.geometry for name, layer in read_map_layers(source, MAP_OUTLINES).items()}


def compare_page(title: str, frame: pd.DataFrame, key_rows: list[tuple[str, str]], markdown: str,
                 maps: list[dict]) -> str:
    """compare.html: the options table, compare.md's tables and the maps ({"title", "note",
    "layers", "crs", "outlines"} each, as siting.io.html.maps_page takes them)."""
    body = (options_table(frame, key_rows) + '\n<section id="tables">' + markdown_html(markdown)
            + "</section>")
    return maps_page(title, body, maps)
