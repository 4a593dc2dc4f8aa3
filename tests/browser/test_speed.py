"""Pages load what they need and no more (issue 13): the chart scripts only where a chart is,
still drawn after instant navigation from a page without one; chart images with their size,
lazy below the first chart."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from site_server import Site, Watch, new_page

from briefing.hooks import CHART_LOADER, load_chart_scripts

from .test_site import chart_problems

pytestmark = pytest.mark.browser

CHART_SCRIPTS = ("vega-bundle.js", "charts.js", "chart-loader.js", "chart-parser.js")
SCRIPT_SRC = re.compile(r'<script\b[^>]*\bsrc="([^"]+)"')
IMG = re.compile(r"<img\b[^>]*>")


def chart_scripts_in(html: str) -> list[str]:
    """The chart scripts a page's HTML loads."""
    return [src for src in SCRIPT_SRC.findall(html) if src.rsplit("/", 1)[-1] in CHART_SCRIPTS]


def test_only_pages_with_a_chart_load_the_chart_scripts(site: Site):
    with_charts, without = [], []
    for path in site.pages():
        html = (site.root / path).read_text()
        scripts = chart_scripts_in(html)
        if 'class="vl-chart"' in html:
            with_charts.append(path)
            # one loader, inside the content (instant navigation re-creates scripts found there)
            assert len(scripts) == 1 and scripts[0].endswith(CHART_LOADER), (path, scripts)
            article = html[html.index('<article class="md-content__inner') : html.rindex("</article>")]
            assert chart_scripts_in(article) == scripts, path
        else:
            without.append(path)
            assert scripts == [], f"{path} has no chart but loads {scripts}"
            assert "vega-bundle" not in html and "charts.js" not in html, path
    assert len(with_charts) >= 3 and len(without) >= 10, (with_charts, without)
    loader = (site.root / CHART_LOADER).read_text()
    assert '"vendor/vega-bundle.js", "charts.js"' in loader


def test_the_script_check_catches_a_chart_script_on_a_page_without_a_chart():
    class Page:
        url = "ai/"

    planted = '<html><body><article class="md-content__inner md-typeset"><p>text</p></article>'
    assert load_chart_scripts(planted, Page()) == planted  # no chart: nothing added
    planted = planted.replace("<p>text</p>", '<script src="../assets/vendor/vega-bundle.js"></script>')
    assert chart_scripts_in(planted) == ["../assets/vendor/vega-bundle.js"]  # what the test above fails on
    charted = planted.replace("<script", '<div class="vl-chart"></div><script')
    assert chart_scripts_in(load_chart_scripts(charted, Page()))[-1] == "../assets/chart-loader.js"


def test_every_image_has_its_size_and_only_the_first_chart_loads_eagerly(site: Site):
    checked = 0
    for path in site.pages():
        images = IMG.findall((site.root / path).read_text())
        charts = [tag for tag in images if 'class="chart-static"' in tag]
        for tag in images:
            assert re.search(r'\swidth="[1-9][0-9]*"', tag) and re.search(r'\sheight="[1-9][0-9]*"', tag), (
                f"{path}: {tag[:120]} has no width and height"
            )
            checked += 1
        if path.as_posix() == "print/index.html":
            assert all('loading="lazy"' not in tag for tag in charts), path  # there to be printed
            continue
        assert all('loading="lazy"' not in tag for tag in charts[:1]), path
        assert all('loading="lazy"' in tag for tag in charts[1:]), path
    assert checked >= 5
    # the size is the SVG's own: its aspect ratio is kept
    html = (site.root / "targets" / "index.html").read_text()
    for chart_id, width, height in re.findall(
        r'src="\.\./charts/([a-z-]+)\.svg"[^>]*width="(\d+)" height="(\d+)"', html
    ):
        svg = (site.root / "charts" / f"{chart_id}.svg").read_text()
        assert f'width="{width}" height="{height}"' in svg[:400], chart_id


def test_instant_navigation_from_a_page_without_a_chart_draws_the_charts(site: Site, browser: Browser):
    watch = Watch()
    page = new_page(browser, watch)
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url.rsplit("/", 1)[-1]))
    page.goto(site.url + "outlook/")  # no chart
    page.wait_for_load_state("networkidle")
    assert not [name for name in loaded if name in CHART_SCRIPTS], loaded
    assert page.evaluate("typeof window.vegaEmbed") == "undefined"
    page.evaluate("window.__marker = 'first load'")
    for step, (link, address) in enumerate(
        [("Sales targets", "targets/"), ("Timeline", "timeline/"), ("Sales targets", "targets/")]
    ):
        page.locator("nav.md-nav--primary a.md-nav__link", has_text=link).first.click()
        page.wait_for_url(site.url + address)
        page.wait_for_function("() => document.querySelector('.vl-chart') !== null")
        assert page.evaluate("window.__marker") == "first load", f"{address}: a full page load, not instant"
        problems = chart_problems(page)
        assert not problems, f"step {step}, {address}: {problems}"
    # the chart scripts were fetched and run once, however many chart pages followed: Vega's
    # bundle by the page and by its one parsing worker
    assert loaded.count("charts.js") == 1 and loaded.count("chart-parser.js") == 1, loaded
    assert loaded.count("vega-bundle.js") == 2, loaded
    assert page.evaluate("document.querySelectorAll('script[src$=\"vega-bundle.js\"]').length") == 1
    assert not watch.problems, watch.problems
    page.context.close()


def test_charts_below_the_first_screen_load_and_draw_only_as_they_near_it(site: Site, browser: Browser):
    """The overview opens on text: on a phone, no chart script loads and no chart is drawn until
    the reader scrolls towards one; then it is drawn."""
    watch = Watch()
    context = browser.new_context(viewport={"width": 390, "height": 800})
    page = watch.attach(context.new_page())
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url.rsplit("/", 1)[-1]))
    page.goto(site.url)
    page.wait_for_load_state("networkidle")
    charts = page.locator(".vl-chart")
    assert charts.count() >= 1
    assert charts.first.evaluate("c => c.getBoundingClientRect().top") > 2 * 800, "a chart is near the screen"
    assert not [name for name in loaded if name in ("vega-bundle.js", "charts.js", "chart-parser.js")], loaded
    assert page.evaluate("typeof window.vegaEmbed") == "undefined"
    charts.first.scroll_into_view_if_needed()
    page.wait_for_function("c => c.classList.contains('vl-drawn')", arg=charts.first.element_handle())
    assert loaded.count("charts.js") == 1 and loaded.count("chart-parser.js") == 1, loaded
    assert not watch.problems, watch.problems
    context.close()


def test_the_printable_page_shows_what_it_prints_and_loads_no_chart_script(site: Site):
    """The static charts, no live chart and no chart script: the printable page is there to be
    printed, and a live chart would only stand in front of the image that prints."""
    html = (site.root / "print" / "index.html").read_text()
    assert html.count('class="chart-printed"') >= 3
    assert 'class="vl-chart"' not in html and "chart-loader.js" not in html and "vega" not in html
