"""report.html in a real headless browser (Debian's chromium driven by playwright): for each model,
solved on a small instance, the page opens from file:// with every http(s) request refused and
none attempted, without console or page errors; the map draws one SVG path per feature of each
layer in sites.gpkg (and of the instance's outline layers); clicking a site opens a popup with the
figures sites.gpkg has for it; the map's screenshot is not blank. Text from data stays text.

Without chromium (or the playwright package) the browser tests skip, unless
SITING_REQUIRE_BROWSER=1 (CI: .ci/run) makes that a failure.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import pytest
import shapely
import tomli_w
from tests.conftest import CRS, X0, Y0, write_tiny

from siting.importers import convert
from siting.io import html as report_page
from siting.io.report import MAP_OUTLINES
from siting.io.write import point_layer, segment_layer, write_result_folder
from siting.options import SolveOptions
from siting.park.synthetic import small_park, write_park_folder
from siting.registry import model_of, model_spec

# one worker builds the results fixture (a solve of every instance, two bundled ones among them)
pytestmark = [pytest.mark.solver, pytest.mark.xdist_group("report-html")]

ROOT = Path(__file__).resolve().parents[2]
XSS = '<img src=x onerror="window.__xss=1">'
SITE_LAYER = {"fast": "sites", "corridor": "sites", "park": "squares", "planar": "sites",
              "nal-oost-fast": "sites", "rijssen-holten-park": "squares"}
POPUP_FIELDS = {  # what a planner looks for on a clicked site
    "fast": {"id", "status", "chargers", "new_kw", "cost"},
    "corridor": {"id", "name", "status", "chargers", "new_kw", "cost"},
    "park": {"id", "status", "tier", "tier_kw", "n_chargers", "charger_kw"},
    "planar": {"id", "status", "chargers", "cost"},
}
POPUP_FIELDS["nal-oost-fast"], POPUP_FIELDS["rijssen-holten-park"] = POPUP_FIELDS["fast"], POPUP_FIELDS["park"]


# -- instances and their results ------------------------------------------------------------------
def _square(cx: float, cy: float, r: float):
    return shapely.box(cx - r, cy - r, cx + r, cy + r)


def _fast_instance(folder: Path) -> Path:
    """The tiny instance with a region and two municipalities (outlines only) and an existing site
    whose id is markup."""

    def edit(layers: dict) -> None:
        layers["existing"].loc[0, "id"] = "E1 " + XSS
        layers["region"] = gpd.GeoDataFrame({"id": ["R"]}, geometry=[_square(X0 + 2500, Y0 + 3000, 11_000)], crs=CRS)
        layers["municipalities"] = gpd.GeoDataFrame(
            {"id": ["west", "east"], "name": ["West <b>", "East"]},
            geometry=[_square(X0 - 4000, Y0, 4000), _square(X0 + 5000, Y0, 4000)], crs=CRS)

    def toml(config: dict) -> None:
        for name in ("region", "municipalities"):
            config["layers"][name] = {"file": "data.gpkg", "layer": name}

    return write_tiny(folder, edit=edit, toml=toml)


def _park_instance(folder: Path) -> Path:
    tables, config = small_park(0)
    write_park_folder(folder, tables, config)
    parks = gpd.GeoDataFrame({"id": ["P1"], "name": ["Park"]}, geometry=[_square(500, 500, 450)], crs=CRS)
    parks.to_file(folder / "parks.geojson", driver="GeoJSON")
    data = tomllib.loads((folder / "instance.toml").read_text())
    data["layers"]["parks"] = {"file": "parks.geojson"}
    (folder / "instance.toml").write_text(tomli_w.dumps(data))
    return folder


def _corridor_instance(folder: Path) -> Path:
    shutil.copytree(ROOT / "instances" / "nal-oost-corridor", folder,
                    ignore=shutil.ignore_patterns("sweeps", "scenarios"))
    return folder


def _planar_instance(folder: Path) -> Path:
    """Swain's 55 points, without a CRS: drawn on Leaflet's planar CRS."""
    folder.mkdir()
    convert("swain", ROOT / "instances/reference/swain55/antoniomedrano-p-center/swain.txt", folder)
    return folder


def _bundled(name: str):
    """A bundled instance as it ships (the corridor case above is nal-oost-corridor already)."""
    return lambda folder: shutil.copytree(ROOT / "instances" / name, folder, ignore=shutil.ignore_patterns("sweeps"))


INSTANCES = {"fast": _fast_instance, "corridor": _corridor_instance, "park": _park_instance,
             "planar": _planar_instance, "nal-oost-fast": _bundled("nal-oost-fast"),
             "rijssen-holten-park": _bundled("rijssen-holten-park")}


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> dict[str, tuple[Path, dict[str, int]]]:
    """model -> (result folder, outline layer -> features), each solved once. Session scope: a
    worker that runs other modules between these tests would tear a module fixture down and
    solve everything again (make test built it twice, 87 s and 97 s)."""
    root = tmp_path_factory.mktemp("report-html")
    out = {}
    for model, build in INSTANCES.items():
        folder = build(root / f"{model}-instance")
        outlines = _outline_layers(folder)
        spec = model_spec(model_of(folder))
        # the bundled park is proven in seconds on a quiet machine, in a minute under load: the page
        # needs a plan, not its proof
        bundled = model in ("nal-oost-fast", "rijssen-holten-park")
        run = spec.solve(spec.load(folder, []), SolveOptions(time_limit=5.0) if bundled else SolveOptions())
        run.source = folder
        assert run.status == "optimal" or (bundled and run.status == "time_limit" and run.objective is not None), \
            run.result.message
        spec.write(run, root / model, False)
        out[model] = (root / model, outlines)
    return out


def _outline_layers(instance: Path) -> dict[str, int]:
    """Features of the instance's map-only layers: what the map draws under the results."""
    layers = tomllib.loads((instance / "instance.toml").read_text())["layers"]
    return {name: len(gpd.read_file(instance / layers[name]["file"], layer=layers[name].get("layer")))
            for name in MAP_OUTLINES if name in layers}


def _drawn_layers(folder: Path) -> dict[str, int]:
    """Features with geometry per layer of sites.gpkg: what the map must draw."""
    out = {}
    for name, geometry_type in pyogrio.list_layers(folder / "sites.gpkg"):
        if geometry_type is not None:
            frame = pyogrio.read_dataframe(folder / "sites.gpkg", layer=name)
            count = int((~(frame.geometry.isna() | frame.geometry.is_empty)).sum())
            if count:
                out[name] = count
    return out


# -- the browser ----------------------------------------------------------------------------------
def _missing(reason: str):
    if os.environ.get("SITING_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; SITING_REQUIRE_BROWSER=1 requires the browser tests to run")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright package is not installed (pip install playwright; no `playwright install` needed)")
    executable = os.environ.get("SITING_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not executable:
        _missing("no chromium on PATH (Debian: apt-get install chromium)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--disable-dev-shm-usage"])
        yield launched
        launched.close()


class Page:
    """A page opened from file:// that records every request, console error and page error and
    refuses every http(s) request."""

    def __init__(self, browser, path: Path) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.requests, self.refused, self.errors = [], [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"page error: {e}"))
        self.page.route("**/*", self._route)
        self.url = path.resolve().as_uri()
        self.page.goto(self.url)
        self.page.wait_for_selector("[data-ready='1']", state="attached", timeout=20_000)

    def _route(self, route) -> None:
        if route.request.url.startswith(("http:", "https:")):
            self.refused.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    def offline_and_clean(self) -> None:
        assert not self.refused, f"the page tried the network: {self.refused[:5]}"
        assert self.requests == [self.url], f"requests besides the page itself: {self.requests[:5]}"
        assert not self.errors, self.errors

    def close(self) -> None:
        self.context.close()


def check_compare_page(page: Page, options: list[str], layers: tuple[str, ...]) -> None:
    """A compare.html as a planner sees it: one row and one drawn map per option (in order), each
    map with features in every one of `layers`, offline and without errors."""
    p = page.page
    rows = p.locator("#options-table tbody tr")
    assert [rows.nth(k).locator("th").inner_text() for k in range(rows.count())] == options
    maps = p.locator(".siting-map")
    assert maps.count() == len(options)
    for k in range(len(options)):
        m = maps.nth(k)
        assert m.get_attribute("data-ready") == "1"
        for layer in layers:
            assert int(m.get_attribute(f"data-layer-{layer}")) > 0, (options[k], layer)
    page.offline_and_clean()


@pytest.fixture
def open_page(browser):
    pages = []

    def opener(path: Path) -> Page:
        pages.append(Page(browser, path))
        return pages[-1]

    yield opener
    for p in pages:
        p.close()


def _popup(page) -> dict[str, str] | None:
    return page.evaluate("""() => {
        const box = document.querySelector('.leaflet-popup-content');
        if (!box) return null;
        const out = {title: box.querySelector('strong').textContent};
        box.querySelectorAll('tr').forEach(tr => { out[tr.cells[0].textContent] = tr.cells[1].textContent; });
        return out;
    }""")


def _click_a_site(page, layer: str) -> None:
    """A real mouse click on the first site of `layer` that no other feature covers."""
    page.locator("#map").scroll_into_view_if_needed()
    point = page.evaluate("""(cls) => {
        for (const path of document.querySelectorAll('#map path.siting-layer-' + cls)) {
            const r = path.getBoundingClientRect(), x = r.x + r.width / 2, y = r.y + r.height / 2;
            if (r.width > 0 && document.elementFromPoint(x, y) === path) return [x, y];
        }
        return null;
    }""", layer)
    assert point is not None, f"no {layer} feature can be clicked"
    page.mouse.click(*point)
    page.wait_for_selector(".leaflet-popup-content", timeout=5_000)


def _expected_text(value) -> str:
    """The popup's text for a value of sites.gpkg (report.js fmt)."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return "—"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    return str(value)


def _same_figure(shown: str, value) -> bool:
    if isinstance(value, (bool, np.bool_, str)) or value is None or (isinstance(value, float) and math.isnan(value)):
        return shown == _expected_text(value)
    number = float(shown.replace(",", ""))
    return math.isclose(number, float(value), rel_tol=1e-3, abs_tol=0.5 if abs(value) >= 1e4 else 1e-9)


def _colours(png: bytes) -> tuple[int, float]:
    """(distinct colours, share of pixels unlike the most common one) of a screenshot."""
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).reshape(-1, 3)
    values, counts = np.unique(pixels, axis=0, return_counts=True)
    return len(values), 1.0 - counts.max() / counts.sum()


# -- the tests ------------------------------------------------------------------------------------
@pytest.mark.parametrize("model", list(INSTANCES))
def test_report_is_written_and_recorded(results, model: str) -> None:
    folder, _ = results[model]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["report_html"] == "report.html"
    text = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text  # everything inline
    assert "content=\"default-src &#x27;none&#x27;;" in text  # and the browser is told to fetch nothing


@pytest.mark.parametrize("model", list(INSTANCES))
def test_report_opens_offline_and_draws_every_feature(results, open_page, model: str) -> None:
    folder, outlines = results[model]
    page = open_page(folder / "report.html")
    expected = {**outlines, **_drawn_layers(folder)}
    assert SITE_LAYER[model] in expected
    assert set(outlines) >= {"fast": {"region", "municipalities"}, "park": {"parks"}}.get(model, set())
    drawn = {name: page.page.locator(f"#map path.siting-layer-{name}").count() for name in expected}
    assert drawn == expected
    assert int(page.page.get_attribute("#map", "data-features")) == sum(expected.values())
    assert page.page.locator("#map path.siting-feature").count() == sum(expected.values())
    legend = page.page.inner_text(".siting-legend")
    for name in expected:
        assert f"({expected[name]:,}" in legend, (name, legend)
    page.offline_and_clean()


@pytest.mark.parametrize("model", list(INSTANCES))
def test_clicking_a_site_shows_its_figures(results, open_page, model: str) -> None:
    folder, _ = results[model]
    page = open_page(folder / "report.html")
    layer = SITE_LAYER[model]
    _click_a_site(page.page, layer)
    popup = _popup(page.page)
    assert popup is not None and POPUP_FIELDS[model] <= set(popup), popup
    sites = pyogrio.read_dataframe(folder / "sites.gpkg", layer=layer)
    row = sites[sites["id"] == popup["id"]]
    assert len(row) == 1, popup["id"]
    for field, value in row.drop(columns="geometry").iloc[0].items():
        assert _same_figure(popup[field], value), (field, popup[field], value)
    page.offline_and_clean()


@pytest.mark.parametrize("model", list(INSTANCES))
def test_the_map_is_not_blank(results, open_page, model: str) -> None:
    folder, _ = results[model]
    page = open_page(folder / "report.html")
    colours, drawn = _colours(page.page.locator("#map").screenshot(animations="disabled"))
    assert colours > 20 and drawn > 0.01, (colours, drawn)
    page.page.evaluate("document.querySelectorAll('.siting-legend input').forEach(b => b.click())")  # all off
    assert page.page.locator("#map path.siting-feature").count() == 0
    page.offline_and_clean()


@pytest.mark.parametrize("model", ["fast", "planar"])
def test_the_map_zooms(results, open_page, model: str) -> None:
    """The zoom control doubles the distance on screen between two sites."""
    folder, _ = results[model]
    page = open_page(folder / "report.html").page
    # the two sites nearest the map's centre (the zoom keeps the centre, so both stay in view: the
    # SVG renderer draws a marker outside the view as an empty path), picked once by index
    pick = """() => {
        const m = document.getElementById('map').getBoundingClientRect();
        const [cx, cy] = [m.x + m.width / 2, m.y + m.height / 2];
        const sites = Array.from(document.querySelectorAll('#map path.siting-layer-sites'));
        const far = r => Math.hypot(r.x + r.width / 2 - cx, r.y + r.height / 2 - cy);
        const order = sites.map((p, i) => [far(p.getBoundingClientRect()), i]).sort((u, v) => u[0] - v[0]);
        const first = order[0][1], at = sites[first].getBoundingClientRect();
        const second = order.find(([, i]) => {
            const r = sites[i].getBoundingClientRect();
            return Math.hypot(r.x - at.x, r.y - at.y) > 5;
        })[1];
        return [first, second];
    }"""
    first, second = page.evaluate(pick)
    spread = f"""() => {{
        const sites = Array.from(document.querySelectorAll('#map path.siting-layer-sites'));
        const [a, b] = [sites[{first}], sites[{second}]].map(p => p.getBoundingClientRect());
        return Math.hypot(a.x + a.width / 2 - b.x - b.width / 2, a.y + a.height / 2 - b.y - b.height / 2);
    }}"""
    before = page.evaluate(spread)
    page.click(".leaflet-control-zoom-in")
    for _ in range(100):  # the zoom is animated; the page's policy forbids wait_for_function's eval
        page.wait_for_timeout(50)
        if page.evaluate(spread) == pytest.approx(2 * before, rel=0.02):
            break
    assert before > 0 and page.evaluate(spread) == pytest.approx(2 * before, rel=0.02)


def test_planar_instance_uses_the_plain_crs(results, open_page) -> None:
    folder, _ = results["planar"]
    page = open_page(folder / "report.html")
    assert page.page.evaluate("JSON.parse(document.getElementById('siting-data').textContent).planar") is True
    assert page.page.locator(".leaflet-control-scale").count() == 0  # no metres on an abstract plane
    assert "no CRS" in page.page.inner_text(".notes")


def test_text_from_data_stays_text(results, open_page) -> None:
    folder, _ = results["fast"]
    page = open_page(folder / "report.html")
    assert page.page.evaluate("window.__xss") is None
    assert page.page.locator("img").count() == 0
    assert XSS in page.page.inner_text("#table-sites")
    page.page.evaluate("""(id) => {  // the existing site with the markup id: its popup shows the id as text
        const data = JSON.parse(document.getElementById('siting-data').textContent);
        const sites = data.layers.find(l => l.name === 'sites');
        const k = sites.rows.findIndex(r => r[0] === id);
        document.querySelectorAll('#map path.siting-layer-sites')[k]
            .dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: 300, clientY: 300}));
    }""", "E1 " + XSS)
    page.page.wait_for_selector(".leaflet-popup-content")
    assert _popup(page.page)["id"] == "E1 " + XSS
    assert page.page.evaluate("window.__xss") is None and page.page.locator("img").count() == 0
    page.offline_and_clean()


def test_half_a_million_demand_points_stay_a_small_page(tmp_path: Path, open_page) -> None:
    """Demand beyond MAX_POINTS is drawn as cells, assignments beyond MAX_LINES as the heaviest;
    the page says so and stays small."""
    n, m = 500_000, 1_000
    rng = np.random.default_rng(5)
    demand_xy = rng.normal(size=(n, 2)) * 20_000 + [X0, Y0]
    site_xy = rng.normal(size=(m, 2)) * 20_000 + [X0, Y0]
    weight = rng.random(n)
    site_of = rng.integers(0, m, n)
    layers = {
        "sites": point_layer(pd.DataFrame({"id": [f"s{k}" for k in range(m)], "status": "new", "chargers": 2,
                                           "new_kw": 300.0, "cost": 250_000.0}), site_xy, CRS),
        "assignments": segment_layer(pd.DataFrame({"demand_id": np.arange(n).astype(str),
                                                   "site_id": site_of.astype(str), "weight": weight}),
                                     demand_xy, site_xy[site_of], CRS),
        "demand": point_layer(pd.DataFrame({"id": np.arange(n).astype(str), "weight": weight,
                                            "covered": rng.random(n) < 0.7}), demand_xy, CRS),
    }
    summary = {"instance": {"name": "big"}, "model": "fast", "status": "optimal"}
    path = tmp_path / "report.html"
    report_page.write_report_html(path, summary, "# big\n", layers, CRS, {})
    size = path.stat().st_size
    assert size < 6_000_000, size
    text = path.read_text(encoding="utf-8")
    assert "500,000 points drawn as" in text and "5,000 heaviest (by weight) of 500,000" in text
    assert "first 500 of 500,000 rows" in text
    page = open_page(path)
    cells = int(page.page.get_attribute("#map", "data-layer-demand"))
    assert 1_000 < cells <= report_page.MAX_POINTS
    assert int(page.page.get_attribute("#map", "data-layer-assignments")) == report_page.MAX_LINES
    assert int(page.page.get_attribute("#map", "data-layer-sites")) == m
    page.offline_and_clean()


def test_aggregated_cells_keep_the_totals() -> None:
    rng = np.random.default_rng(2)
    xy = rng.random((20_000, 2)) * 1000
    table = pd.DataFrame({"weight": rng.random(20_000), "covered": rng.random(20_000) < 0.5})
    cells, centre, size = report_page._aggregate(table, xy, 500)
    assert len(cells) <= 500 and len(centre) == len(cells) and size > 0
    assert cells["points"].sum() == 20_000
    assert cells["weight"].sum() == pytest.approx(table["weight"].sum())
    covered = (table["weight"] * table["covered"]).sum()
    assert (cells["covered"] * cells["weight"]).sum() == pytest.approx(covered)


def test_without_a_plan_the_page_has_the_summary_and_no_map(tmp_path: Path, open_page) -> None:
    summary = {"instance": {"name": "none"}, "model": "fast", "status": "infeasible"}
    write_result_folder(tmp_path / "out", False, summary, solved=False, layers=dict, crs=CRS, pictures={},
                        markdown=lambda: "# no plan\n\n- total capacity 3 < demand 5 <script>x</script>\n")
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["report_html"] == "report.html"
    page = open_page(tmp_path / "out" / "report.html")
    assert page.page.locator("#map").count() == 0
    assert "total capacity 3 < demand 5 <script>x</script>" in page.page.inner_text("#summary")
    page.offline_and_clean()


def test_summary_markup_is_escaped_and_images_are_off() -> None:
    markup = "| a |\n|---|\n| <b>x</b> ![i](http://example.org/i.png) [j](javascript:alert(1)) |\n"
    out = report_page._markdown_html(markup)
    assert "<b>" not in out and "&lt;b&gt;" in out and "<img" not in out and 'href="javascript' not in out


def test_the_page_policy_refuses_what_data_might_smuggle_in(results, tmp_path: Path, open_page) -> None:
    """Markup that got past the escaping would still fetch nothing and run nothing: the page's
    Content-Security-Policy admits only its own scripts (by hash)."""
    folder, _ = results["fast"]
    text = (folder / "report.html").read_text(encoding="utf-8")
    smuggled = '<img src="http://example.invalid/x.png"><script>window.__xss = 1</script>'
    (tmp_path / "report.html").write_text(text.replace("<main>", "<main>" + smuggled, 1), encoding="utf-8")
    page = open_page(tmp_path / "report.html")
    assert page.page.evaluate("window.__xss") is None
    assert not page.refused  # refused by the page itself, before any request
    assert any("Content Security Policy" in e for e in page.errors), page.errors
    assert int(page.page.get_attribute("#map", "data-features")) > 0  # the page's own scripts still ran


def test_the_harness_sees_a_fetch_and_an_error(tmp_path: Path, open_page) -> None:
    """The checks above are not blind: a page that fetches and throws is caught."""
    bad = tmp_path / "bad.html"
    bad.write_text('<img src="http://example.invalid/x.png"><div data-ready="1"></div><script>nosuch()</script>')
    page = open_page(bad)
    page.page.wait_for_timeout(200)
    with pytest.raises(AssertionError):
        page.offline_and_clean()
    assert page.refused == ["http://example.invalid/x.png"] and any("nosuch" in e for e in page.errors)
