"""compare.html: the corridor comparison as one self-contained page a project leader opens from
disk or mails on: a table with one row per option (the figures that decide), the full tables of
compare.md, and one map per option (roads by charged truck flow, LoLa search areas, municipalities,
hubs, substations). The page, its scripts and its policy come from siting.io.html (report.html's);
nothing here draws.
"""

from __future__ import annotations

import html

import pandas as pd

from siting.io.html import maps_page, markdown_html
from siting.io.summary_text import number

KEY_ROWS = [  # (compare_frame label, column title) of the one-row-per-option table
    ("e-trucks per day whose round trip can be charged", "e-trucks/day charged"),
    ("share of all truck trips charged, %", "share, %"),
    ("extra e-trucks per day over existing stations only", "extra over existing only"),
    ("new hubs", "new hubs"),
    ("investment, EUR (least cost at this service)", "investment, EUR"),
    ("annual cost, EUR/yr (investment annuity + grid fees)", "annual cost, EUR/yr"),
    ("investment per extra e-truck/day over existing stations only, EUR", "EUR per extra truck/day"),
    ("grid items used", "grid items used"),
    ("why this plan", "why this plan"),
]


def _text(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return number(value)
    return str(value)


def options_table(frame: pd.DataFrame) -> str:
    """One row per option (columns of compare_frame), escaped."""
    head = "<th>option</th>" + "".join(f"<th>{html.escape(title)}</th>" for _, title in KEY_ROWS)
    rows = []
    for option in frame.columns:
        cells = "".join(f"<td>{html.escape(_text(frame.loc[label, option]))}</td>" for label, _ in KEY_ROWS)
        rows.append(f'<tr class="option"><th scope="row">{html.escape(str(option))}</th>{cells}</tr>')
    return (f'<section id="options"><h2>Options at a glance</h2><div><table id="options-table">'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></div></section>")


def compare_html(options: list, frames: dict[str, pd.DataFrame], markdown: str) -> str:
    from siting.corridor.report import result_layers
    from siting.io.maps import read_map_layers
    from siting.io.report import MAP_OUTLINES

    inst = options[1].run.instance
    source = options[1].run.source
    outlines = {name: layer.geometry for name, layer in read_map_layers(source, MAP_OUTLINES).items()}
    body = options_table(frames["options"]) + '\n<section id="tables">' + markdown_html(markdown) + "</section>"
    maps = []
    for option in options:
        run = option.run
        k = option.kpis
        layers = {}
        if run.solution is not None:
            drawn = result_layers(run)
            layers = {"hubs" if name == "sites" else name: layer for name, layer in drawn.items() if name != "flows"}
        note = (f"{k.get('refuelled_flow', 0):,.0f} e-trucks/day charged ({k.get('refuelled_pct', 0):.1f} %), "
                f"{k.get('new_stations', 0)} new hubs, EUR {k.get('cost', 0):,.0f}. Roads: width by charged "
                "e-trucks/day; grey roads carry no charged flow.") if k else ""
        maps.append({"title": f"Map — {option.name}", "note": note, "layers": layers, "crs": inst.crs,
                     "outlines": outlines})
    return maps_page(f"siting — {inst.name}: corridor options compared", body, maps)
