"""compare.html in a real headless browser (the harness of tests/core/test_report_html.py: Debian's
chromium via playwright, every http(s) request refused and none attempted, no console or page
error): one table row per option, one drawn map per option, and no blank map. Skips without
chromium unless SITING_REQUIRE_BROWSER=1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.core import test_report_html as harness
from tests.corridor.test_load import write_instance

from siting.cli.main import cli

pytestmark = pytest.mark.solver

browser, open_page = harness.browser, harness.open_page  # the report.html harness's fixtures
OPTIONS = ["existing stations only", "base", "C fixed", "G1 item"]


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("compare-html")
    folder = write_instance(root / "chain")
    a = root / "a.toml"
    a.write_text('name = "C fixed"\n[set]\n"corridor.p" = 1\n[sites]\nopen = ["cC"]\n')
    b = root / "b.toml"
    b.write_text('name = "G1 item"\n[[grid.items]]\nsubstation = "G1"\nkw = 2000.0\ncost = 1.0e5\nyear = 2027\n')
    out = root / "cmp"
    res = CliRunner().invoke(cli, ["compare", str(folder), "--scenario", str(a), "--scenario", str(b),
                                   "--out", str(out), "--profile", "exact"])
    assert res.exit_code == 0, res.output
    return out


def test_compare_html_is_self_contained(compared):
    text = (compared / "compare.html").read_text(encoding="utf-8")
    assert "<script src" not in text and "<link" not in text
    assert "content=\"default-src &#x27;none&#x27;;" in text


def test_compare_html_has_a_row_and_a_map_per_option(compared, open_page):
    page = open_page(compared / "compare.html")
    p = page.page
    rows = p.locator("#options-table tbody tr")
    assert rows.count() == len(OPTIONS)
    assert [rows.nth(k).locator("th").inner_text() for k in range(len(OPTIONS))] == OPTIONS
    maps = p.locator(".siting-map")
    assert maps.count() == len(OPTIONS)
    for k in range(len(OPTIONS)):
        m = maps.nth(k)
        assert m.get_attribute("data-ready") == "1"
        assert int(m.get_attribute("data-features")) > 0
        assert int(m.get_attribute("data-layer-hubs")) > 0 and int(m.get_attribute("data-layer-roads")) > 0
        m.scroll_into_view_if_needed()
        colours, drawn = harness._colours(m.screenshot(animations="disabled"))
        assert colours > 20 and drawn > 0.01, (k, colours, drawn)
    assert "New hubs per LoLa search area" in p.inner_text("#tables")
    page.offline_and_clean()


def test_a_broken_page_fails_the_checks(compared, open_page, tmp_path):
    """The checks above are not blind: a map whose data is gone throws, and the harness sees it."""
    text = (compared / "compare.html").read_text(encoding="utf-8")
    broken = tmp_path / "compare.html"
    broken.write_text(text.replace('id="map-data-1"', 'id="gone"', 1), encoding="utf-8")
    page = open_page(broken)
    page.page.wait_for_timeout(200)
    assert page.errors
    assert page.page.locator(".siting-map[data-ready='1']").count() < len(OPTIONS)
