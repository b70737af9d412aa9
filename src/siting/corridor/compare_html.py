"""compare.html: the corridor comparison as one self-contained page a project leader opens from
disk or mails on: a table with one row per option (the figures that decide), the full tables of
compare.md, and one map per option (roads by charged truck flow, LoLa search areas, municipalities,
hubs, substations). The page, its options table, its scripts and its policy come from
siting.io.compare and siting.io.html (report.html's); nothing here draws.
"""

from __future__ import annotations

import pandas as pd

from siting.io.compare import compare_page, outlines_of

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


def compare_html(options: list, frames: dict[str, pd.DataFrame], markdown: str) -> str:
    from siting.corridor.report import result_layers

    inst = options[1].run.instance
    outlines = outlines_of(options[1].run.source)
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
    title = f"siting — {inst.name}: corridor options compared"
    return compare_page(title, frames["options"], KEY_ROWS, markdown, maps)
