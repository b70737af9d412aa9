"""Why energy is not delivered (siting.park.why): the split of each company's unmet energy into
dwell window, grid / connection and economic parts, on parks built here with one square, one tier
and one grid area, so that every kWh of the split can be computed by hand:

- window: 100 kWh at 10 kW in a 6-hour window (60 kWh fit): 40 kWh no plan delivers;
- grid: 300 kWh at 100 kW in 12 hours, but 10 kW of headroom: 120 kWh fit, 180 kWh are the grid's;
- economic: 100 kWh at 50 kW with 1 000 kW of headroom, but the only tier costs EUR 1 M: at EUR
  0.10/kWh leaving it undelivered is cheaper; above the break-even penalty the company is served.

Each asserts the split, summary.json's KPIs and the reason summary.md gives; a seeded small park
checks the split against independent solves at other penalties.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from siting.options import SolveOptions
from siting.park import why
from siting.park.api import solve_park
from siting.park.load import load_park
from siting.park.params import annuity_factor
from siting.park.report import summary_dict, summary_markdown
from siting.park.synthetic import small_park, write_park_folder

pytestmark = pytest.mark.solver

EXACT = SolveOptions(profile="exact")
DAYS, PRICE = 250.0, 0.2  # park.days_per_year (default), park.energy_price


def company(id: str, kwh: float, kw: float, start: float, end: float) -> dict:
    return {
        "id": id,
        "x": 0.0,
        "y": 0.0,
        "vans": 1,
        "trucks": 0,
        "kwh_per_day": kwh,
        "max_kw": kw,
        "dwell_start": start,
        "dwell_end": end,
    }


def park(
    folder,
    companies: list[dict],
    *,
    headroom: float = 1000.0,
    tier_cost: float = 100.0,
    penalty: float = 1.0,
):
    """One square 100 m from the companies, one firm 500 kW tier, one grid area; 8 slots of 3 h."""
    tables = {
        "companies": pd.DataFrame(companies),
        "squares": pd.DataFrame({"id": ["s1"], "x": [100.0], "y": [0.0]}),
        "tiers": pd.DataFrame(
            {
                "id": ["t500"],
                "capacity_kw": [500.0],
                "one_off_cost": [tier_cost],
                "annual_cost": [0.0],
                "contract": ["firm"],
            }
        ),
        "grid_areas": pd.DataFrame(
            {"id": ["G1"], "x": [0.0], "y": [0.0], "available_kw": [headroom]}
        ),
    }
    config = {
        "name": "shortfall",
        "model": "park",
        "crs": "EPSG:28992",
        "park": {
            "slots": 8,
            "walking_distance": 500.0,
            "unmet_penalty": penalty,
            "energy_price": PRICE,
        },
    }
    return write_park_folder(folder, tables, config)


def solved(folder, **changes):
    inst = load_park(folder)
    if changes:
        inst = inst.with_params(**changes)
    run = solve_park(inst, EXACT)
    assert run.status == "optimal" and run.certificate.violations == []
    return run


def report(run):
    summary = summary_dict(run)
    return summary, summary_markdown(summary, run)


def split(summary: dict) -> tuple[float, float, float]:
    k = summary["kpis"]
    return (
        k["energy_unmet_window_kwh_per_day"],
        k["energy_unmet_grid_kwh_per_day"],
        k["energy_unmet_economic_kwh_per_day"],
    )


def test_a_window_too_short_is_the_window_and_needs_no_resolve(tmp_path, monkeypatch) -> None:
    run = solved(park(tmp_path, [company("late", 100.0, 10.0, 18.0, 24.0)]))
    monkeypatch.setattr(
        why, "solve", lambda *a, **k: pytest.fail("a re-solve for window shortfall only")
    )
    summary, md = report(run)
    assert split(summary) == pytest.approx((40.0, 0.0, 0.0), abs=1e-6)
    assert summary["kpis"]["energy_unmet_kwh_per_day"] == pytest.approx(40.0, abs=1e-6)
    assert summary["shortfall"]["status"] == "exact" and summary["shortfall"]["solves"] == []
    row = summary["companies_with_unmet_energy"][0]
    assert row["id"] == "late" and row["unmet_window_kwh_per_day"] == pytest.approx(40.0, abs=1e-6)
    assert "company late (40 kWh), because the dwell window is too short" in md
    assert "cannot carry more" not in md and "a choice, not a limit" not in md
    assert "| late | s1 | 100 | 40 | dwell window 40 |" in md


def test_what_the_grid_cannot_carry_is_the_grid(tmp_path) -> None:
    folder = park(tmp_path, [company("big", 300.0, 100.0, 18.0, 6.0)], headroom=10.0)
    run = solved(folder)
    summary, md = report(run)
    assert split(summary) == pytest.approx(
        (0.0, 180.0, 0.0), abs=1e-6
    )  # 10 kW x 12 h = 120 kWh delivered
    assert [s["stage"] for s in summary["shortfall"]["solves"]] == [
        "max_delivery"
    ]  # nothing more to price
    assert summary["shortfall"]["companies"][0]["grid_areas_full"] == ["G1"]
    assert "company big (180 kWh), because the grid and the connections cannot carry more" in md
    assert "Grid area G1 is at its headroom" in md
    assert "dwell window is too short" not in md and "a choice, not a limit" not in md
    # a prohibitive penalty delivers no more: it really is the grid's
    assert solved(folder, unmet_penalty=1e4).solution.unmet.sum() == pytest.approx(180.0, abs=1e-6)


def test_a_penalty_cheaper_than_the_only_connection_is_economic(tmp_path) -> None:
    folder = park(tmp_path, [company("small", 100.0, 50.0, 18.0, 6.0)], tier_cost=1e6, penalty=0.1)
    run = solved(folder)
    summary, md = report(run)
    assert split(summary) == pytest.approx((0.0, 0.0, 100.0), abs=1e-6)
    # serving it: the tier's annuity plus the electricity, per kWh of a year's 100 kWh/day
    served = (
        annuity_factor(0.05, 25.0) * 1e6 + DAYS * PRICE * 100.0
    )  # no square cost, chargers or walking
    per_kwh = served / (DAYS * 100.0)
    sf = summary["shortfall"]
    assert sf["status"] == "exact"
    assert sf["economic_cost_eur_per_kwh"] == pytest.approx(per_kwh, rel=1e-6)
    assert summary["kpis"]["energy_unmet_economic_cost_eur_per_kwh"] == pytest.approx(
        per_kwh, rel=1e-6
    )
    assert sf["economic_extra_cost_eur_per_year"] == pytest.approx(served, rel=1e-6)
    assert "company small (100 kWh), because it is a choice, not a limit" in md
    assert (
        f"€ {per_kwh:,.2f} per kWh on average" in md and "against a penalty of € 0.10 per kWh" in md
    )
    assert "cannot carry more" not in md and "dwell window is too short" not in md
    # the break-even is exact here (one plan either way): just above it the same company is served
    above = solved(folder, unmet_penalty=per_kwh * 1.01)
    assert above.solution.unmet.sum() == pytest.approx(0.0, abs=1e-6)
    assert above.solution.assign[0, 0] == 1.0
    assert solved(folder, unmet_penalty=per_kwh * 0.99).solution.unmet.sum() == pytest.approx(
        100.0, abs=1e-6
    )
    served_summary, served_md = report(above)
    assert split(served_summary) == pytest.approx((0.0, 0.0, 0.0), abs=1e-6)
    assert "All energy is delivered" in served_md


def test_the_three_parts_of_one_company_add_up(tmp_path) -> None:
    """Two companies share 10 kW of headroom (120 kWh in their 12 hours); one of them also needs
    more than 18:00-06:00 at 100 kW holds (1 300 of 1 200 kWh: window 100). Which of them gets the
    120 kWh is the plan's choice; each one's parts add up, and window + grid is what a prohibitive
    penalty leaves undelivered."""
    folder = park(
        tmp_path,
        [company("both", 1300.0, 100.0, 18.0, 6.0), company("cheap", 30.0, 10.0, 18.0, 6.0)],
        headroom=10.0,
        penalty=0.5,
    )
    run = solved(folder)
    summary, md = report(run)
    rows = {r["id"]: r for r in summary["companies_with_unmet_energy"]}
    for r in rows.values():
        parts = (
            r["unmet_window_kwh_per_day"]
            + r["unmet_grid_kwh_per_day"]
            + r["unmet_economic_kwh_per_day"]
        )
        assert parts == pytest.approx(r["unmet_kwh_per_day"], abs=1e-6)
    w, g, e = split(summary)
    assert w == pytest.approx(100.0, abs=1e-6)
    assert w + g == pytest.approx(solved(folder, unmet_penalty=1e4).solution.unmet.sum(), abs=1e-6)
    assert w + g + e == pytest.approx(summary["kpis"]["energy_unmet_kwh_per_day"], abs=1e-6)


@pytest.mark.parametrize("seed", [2, 3])
def test_split_agrees_with_solves_at_other_penalties(tmp_path, seed: int) -> None:
    """small_park with 120 kW of headroom at EUR 0.50/kWh: seed 2 has grid shortfall only, seed 3
    grid and economic. A prohibitive penalty leaves at most window + grid; above the reported cost
    per kWh the least-cost plan delivers more; each company's parts add up to its unmet energy."""
    tables, config = small_park(seed, grid_kw=120.0)
    config["park"]["unmet_penalty"] = 0.5
    folder = write_park_folder(tmp_path / f"p{seed}", tables, config)
    run = solved(folder)
    summary, _ = report(run)
    sf = why.attribute_shortfall(run, EXACT)
    assert sf.status == "exact"
    np.testing.assert_allclose(sf.window + sf.grid + sf.economic, run.solution.unmet, atol=1e-6)
    w, g, e = split(summary)
    assert g > 1.0
    strict = solved(folder, unmet_penalty=1e4).solution.unmet.sum()
    assert w - 1e-6 <= strict <= w + g + 1e-6
    if seed == 3:
        assert e > 1.0
        more = solved(folder, unmet_penalty=1.01 * sf.cost_per_kwh).solution.unmet.sum()
        assert more < run.solution.unmet.sum() - 1e-3
    else:
        assert e == 0.0 and sf.cost_per_kwh is None


def test_a_resolve_that_is_not_optimal_makes_the_split_bounded(tmp_path, monkeypatch) -> None:
    folder = park(tmp_path, [company("small", 100.0, 50.0, 18.0, 6.0)], tier_cost=1e6, penalty=0.1)
    run = solved(folder)
    real = why.solve

    def stopped(*args, **kwargs):
        result = real(*args, **kwargs)
        result.status = "time_limit"
        return result

    monkeypatch.setattr(why, "solve", stopped)
    summary, md = report(run)
    sf = summary["shortfall"]
    assert sf["status"] == "bounded"
    assert any("max-delivery re-solve ended time_limit" in n for n in sf["notes"])
    assert sf["economic_at_most_kwh_per_day"] == pytest.approx(100.0, abs=1e-6)
    assert "This split is bounded, not exact" in md
    assert sf["economic_cost_is_upper_bound"] and "at most € 3.04 per kWh on average" in md
    assert split(summary) == pytest.approx((0.0, 0.0, 100.0), abs=1e-6)  # a lower bound, reached


def test_no_unmet_energy_no_resolve(tmp_path, monkeypatch) -> None:
    run = solved(write_park_folder(tmp_path, *small_park(1)))
    assert run.solution.unmet.sum() == pytest.approx(0.0, abs=1e-6)
    monkeypatch.setattr(
        why, "solve", lambda *a, **k: pytest.fail("a re-solve without unmet energy")
    )
    summary, md = report(run)
    assert split(summary) == (0.0, 0.0, 0.0)
    assert "All energy is delivered" in md


def test_the_run_keeps_its_options_and_its_split(tmp_path, monkeypatch) -> None:
    """solve_park keeps the SolveOptions on the run; the shortfall re-solves use them (each capped
    at the plan's own solve time, at least 10 s), and
    the split is attributed once however often summary.json is built (two re-solves, not four)."""
    folder = park(tmp_path, [company("small", 100.0, 50.0, 18.0, 6.0)], tier_cost=1e6, penalty=0.1)
    fast = SolveOptions(profile="fast", threads=1, seed=7)
    run = solve_park(load_park(folder), fast)
    assert run.options is fast
    seen = []
    real = why.solve

    def counted(form, options, start=None):
        seen.append(options)
        return real(form, options, start)

    monkeypatch.setattr(why, "solve", counted)
    first, again = summary_dict(run), summary_dict(run)
    cap = max(why.RESOLVE_MIN_SECONDS, run.result.seconds)
    assert len(seen) == 2 and all(o == replace(fast, time_limit=min(fast.time_limit, cap)) for o in seen)
    assert first["shortfall"] == again["shortfall"] and run.shortfall is run.shortfall
    assert split(first) == pytest.approx((0.0, 0.0, 100.0), abs=1e-6)
