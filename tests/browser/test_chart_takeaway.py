"""What a reader takes away from every chart: its source, its data, its images, its text alternative.

For every `figure.chart` on every page of the real site (built once per session and served under
/briefing/, see tests/site_server.py): the sources line names the publisher and links evidence
rows on the method page; the CSV download holds exactly the rows the chart plots; the JSON
sidecar describes every column and the source; the SVG and PNG downloads are valid images; the
static image's text alternative is the caption's description; the data table opens with one row
per CSV row. Then how the chart shows: the static SVG without JavaScript, the live chart in its
place with JavaScript, and the static SVG again (without navigation) in print.
"""

from __future__ import annotations

import csv
import io
import json
import math
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from playwright.sync_api import Browser, Locator, Page
from site_server import REPO, TIMEOUT_MS, VIEWPORT, Site, draw_every_chart

pytestmark = pytest.mark.browser

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Each figure as the page shows it. The caption's first paragraph is "<strong>title</strong> ¶
# description": the description is the text after the permalink.
FIGURES = """() => [...document.querySelectorAll('figure.chart')].map(figure => {
    const permalink = figure.querySelector('figcaption .chart-permalink');
    let description = null;
    if (permalink) {
        description = '';
        for (let node = permalink.nextSibling; node; node = node.nextSibling) {
            description += node.textContent;
        }
    }
    const source = figure.querySelector('figcaption .chart-source');
    const img = figure.querySelector('.vl-chart img.chart-static');
    const chart = figure.querySelector('.vl-chart');
    return {
        id: figure.id,
        spec: chart ? chart.getAttribute('data-vega') : null,
        description,
        alt: img ? img.getAttribute('alt') : null,
        source_text: source ? source.textContent : null,
        source_links: source ? [...source.querySelectorAll('a')].map(a => a.href) : [],
        downloads: [...figure.querySelectorAll('figcaption .chart-downloads a')].map(a => a.href),
    };
})"""
# How one element shows: its box, and for an image whether it decoded.
SHOWN = """element => {
    const box = element.getBoundingClientRect();
    return {width: box.width, height: box.height, natural: element.naturalWidth ?? null,
            display: getComputedStyle(element).display};
}"""


def shows(state: dict | None) -> bool:
    return bool(state) and state["width"] > 0 and state["height"] > 0


class _Figures(HTMLParser):
    """How many chart figures a built page holds, and every element id it has."""

    def __init__(self) -> None:
        super().__init__()
        self.figures, self.ids = 0, set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        if tag == "figure" and "chart" in (attributes.get("class") or "").split():
            self.figures += 1


def outline(site: Site, page: Path) -> _Figures:
    parsed = _Figures()
    parsed.feed((site.root / page).read_text())
    return parsed


def file_of(site: Site, url: str) -> Path:
    """The built file a URL of the served site answers with (directory URLs end in index.html)."""
    url = urldefrag(url).url
    assert url.startswith(site.url), f"{url} is outside the site at {site.url}"
    relative = url[len(site.url) :]
    if relative == "" or relative.endswith("/"):
        relative += "index.html"
    return Path(relative)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:  # raises on 404
        return response.read()


def same_value(cell: str, value: object) -> bool:
    """A CSV cell against the plotted JSON value: empty means null, numbers compare numerically."""
    if cell == "":
        return value is None or value == ""
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, int | float):
        try:
            return math.isclose(float(cell), value, rel_tol=1e-9, abs_tol=1e-9)
        except ValueError:
            return False
    return cell == str(value)


@dataclass
class Figure:
    """One chart figure on one page: what its markup says, its downloads, and how it showed."""

    page: str
    index: int
    info: dict
    files: dict[str, bytes] = field(default_factory=dict)  # extension -> downloaded bytes
    missing: list[str] = field(default_factory=list)  # download links that did not answer
    live: dict = field(default_factory=dict)  # with JavaScript, after drawing
    table: dict = field(default_factory=dict)  # the data table, closed and then opened
    printed: dict = field(default_factory=dict)  # with print media
    static_without_js: dict | None = None

    @property
    def name(self) -> str:
        return f"{self.page} figure {self.index} ({self.info['id'] or 'no id'})"

    @property
    def spec(self) -> dict:
        return json.loads(self.info["spec"] or "{}")

    @property
    def plotted(self) -> list | None:
        """The rows the chart draws: the values of its Vega spec's one data set named "plotted"."""
        named = [data for data in self.spec.get("data", []) if data.get("name") == "plotted"]
        return named[0].get("values") if len(named) == 1 else None

    @property
    def csv_rows(self) -> tuple[list[str], list[dict[str, str]]]:
        reader = csv.DictReader(io.StringIO(self.files["csv"].decode()))
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def source_rows() -> dict[str, dict[str, str]]:
    """The real project's data/sources.csv, by publisher."""
    with (REPO / "data" / "sources.csv").open(newline="") as handle:
        return {row["publisher"]: row for row in csv.DictReader(handle)}


def source_row() -> dict[str, str]:
    """The source every chart of the real project cites: its first article (every chart plots
    a row of it)."""
    return next(iter(source_rows().values()))


def chart_pages(site: Site) -> list[Path]:
    return [page for page in site.pages() if outline(site, page).figures]


def new_page(browser: Browser, **options: object) -> Page:
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light", **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context.new_page()


def shown(locator: Locator) -> dict | None:
    """How the one element a locator finds shows, or None when there is no such element."""
    return locator.evaluate(SHOWN) if locator.count() == 1 else None


def _record_live(page: Page, figure: Figure, index: int) -> None:
    container = page.locator("figure.chart").nth(index)
    figure.live = {
        "drawn": container.locator(".vl-chart").evaluate("c => c.classList.contains('vl-drawn')"),
        "error": container.locator(".vl-chart").get_attribute("data-error"),
        "live": [s.evaluate(SHOWN) for s in container.locator(".vl-live svg.marks").all()],
        "static": shown(container.locator("img.chart-static")),
    }


def _record_table(page: Page, figure: Figure, index: int) -> None:
    details = page.locator("figure.chart").nth(index).locator("details.chart-data")
    if details.count() != 1:
        figure.table = {"found": details.count()}
        return
    table = details.locator("table")
    closed = {"open": details.evaluate("d => d.open"), "visible": table.is_visible()}
    details.locator("summary").click()
    page.wait_for_function("d => d.open", arg=details.element_handle())
    table.wait_for(state="visible")
    figure.table = {
        "found": 1,
        "closed": closed,
        "open": details.evaluate("d => d.open"),
        "visible": table.is_visible(),
        "rows": table.locator("tbody tr").count(),
    }


@pytest.fixture(scope="module")
def figures(site: Site, browser: Browser) -> list[Figure]:
    """Every chart figure on the site, seen once with JavaScript (on screen, table opened, print)
    and once without, with its four downloads fetched."""
    pages = chart_pages(site)
    assert pages, "no page of the site has a chart figure"
    found: list[Figure] = []
    page = new_page(browser)
    for path in pages:
        page.emulate_media(media="screen")
        page.goto(site.url_of(path), wait_until="load")
        draw_every_chart(page)
        infos = page.evaluate(FIGURES)
        assert len(infos) == outline(site, path).figures, f"{path}: figures in the DOM differ from the file"
        sidebar_on_screen = shown(page.locator(".md-sidebar--primary"))
        on_page = [Figure(str(path), index, info) for index, info in enumerate(infos)]
        for index, figure in enumerate(on_page):
            _record_live(page, figure, index)
        for index, figure in enumerate(on_page):
            _record_table(page, figure, index)
        page.emulate_media(media="print")
        sidebar_in_print = shown(page.locator(".md-sidebar--primary"))
        for index, figure in enumerate(on_page):
            container = page.locator("figure.chart").nth(index)
            figure.printed = {
                "static": shown(container.locator("img.chart-static")),
                "live": shown(container.locator(".vl-live")),
                "sidebar_on_screen": sidebar_on_screen,
                "sidebar": sidebar_in_print,
            }
        found += on_page
    page.context.close()

    page = new_page(browser, java_script_enabled=False)
    for path in pages:
        page.goto(site.url_of(path), wait_until="load")
        statics = page.locator("figure.chart").evaluate_all(
            f"figures => figures.map(f => {{ const img = f.querySelector('img.chart-static');"
            f" return img ? ({SHOWN})(img) : null; }})"
        )
        for figure, static in zip([f for f in found if f.page == str(path)], statics, strict=True):
            figure.static_without_js = static
    page.context.close()

    for figure in found:
        for url in figure.info["downloads"]:
            extension = urldefrag(url).url.rsplit(".", 1)[-1]
            try:
                figure.files[extension] = fetch(url)
            except OSError as error:
                figure.missing.append(f"{url}: {error}")
    return found


def failures_of(problems: list[str]) -> str:
    return "\n".join(problems)


def test_the_site_has_charts(site: Site, figures: list[Figure]):
    """Every chart the build drew (one with a constant quantity is not drawn) is on a page."""
    built = {f"chart-{path.stem}" for path in (site.root / "charts").glob("*.png")}
    ids = {figure.info["id"] for figure in figures}
    assert built, "the build drew no chart"
    assert ids == built, f"charts on the pages {sorted(ids)} differ from the charts built {sorted(built)}"


def test_every_chart_cites_the_publisher_and_links_evidence_rows(site: Site, figures: list[Figure]):
    source = source_row()
    method = next((p for p in site.pages() if p.as_posix() in ("method/index.html", "method.html")), None)
    assert method is not None, "the site has no method page"
    method_ids = outline(site, method).ids
    problems = []
    for figure in figures:
        text, links = figure.info["source_text"], figure.info["source_links"]
        if text is None:
            problems.append(f"{figure.name}: no .chart-source line")
            continue
        if source["publisher"] not in text:
            problems.append(f"{figure.name}: the sources line does not name {source['publisher']!r}: {text}")
        if source["url"] not in links:
            problems.append(f"{figure.name}: the sources line does not link {source['url']}")
        evidence = [link for link in links if urldefrag(link).fragment.startswith("evidence-")]
        if not evidence:
            problems.append(f"{figure.name}: the sources line links no #evidence-… anchor: {links}")
        for link in evidence:
            target, fragment = urldefrag(link)
            if not target.startswith(site.url) or file_of(site, target) != method:
                problems.append(f"{figure.name}: evidence link {link} is not on the method page ({method})")
            elif fragment not in method_ids:
                problems.append(f"{figure.name}: evidence link {link}: no id {fragment!r} on {method}")
    assert not problems, failures_of(problems)


def test_every_chart_has_its_four_downloads(figures: list[Figure]):
    problems = []
    for figure in figures:
        problems += [f"{figure.name}: download link broken: {missing}" for missing in figure.missing]
        extensions = sorted(figure.files)
        if extensions != ["csv", "json", "png", "svg"]:
            problems.append(
                f"{figure.name}: downloads fetched: {extensions}, links {figure.info['downloads']}"
            )
    assert not problems, failures_of(problems)


def test_every_chart_csv_holds_exactly_the_plotted_rows(figures: list[Figure]):
    problems = []
    for figure in (f for f in figures if "csv" in f.files):
        plotted = figure.plotted
        if not isinstance(plotted, list):
            problems.append(f"{figure.name}: the Vega spec in data-vega has no data 'plotted' with values")
            continue
        header, rows = figure.csv_rows
        if len(rows) != len(plotted):
            problems.append(f"{figure.name}: the CSV has {len(rows)} rows, the chart plots {len(plotted)}")
            continue
        for number, (row, values) in enumerate(zip(rows, plotted, strict=True), start=1):
            if set(header) != set(values):
                problems.append(f"{figure.name}: CSV columns {header} != plotted fields {sorted(values)}")
                break
            different = {
                name: (row[name], values[name]) for name in header if not same_value(row[name], values[name])
            }
            if different:
                problems.append(f"{figure.name}: CSV row {number} differs from the plotted data: {different}")
    assert not problems, failures_of(problems)


def test_every_chart_sidecar_describes_each_column_and_the_source(figures: list[Figure]):
    sources = source_rows()
    problems = []
    for figure in (f for f in figures if {"csv", "json"} <= set(f.files)):
        header, rows = figure.csv_rows
        try:
            sidecar = json.loads(figure.files["json"])
        except ValueError as error:
            problems.append(f"{figure.name}: the JSON sidecar does not parse: {error}")
            continue
        described = {
            column.get("name"): column.get("description")
            for column in sidecar.get("columns", [])
            if isinstance(column, dict)
        }
        undescribed = [name for name in header if not (described.get(name) or "").strip()]
        if undescribed:
            problems.append(f"{figure.name}: the sidecar describes no {undescribed}")
        extra = sorted(set(described) - set(header))
        if extra:
            problems.append(f"{figure.name}: the sidecar describes columns the CSV lacks: {extra}")
        # exactly the sources of the rows it plots, each as sources.csv has it
        cited = {s.get("publisher"): s for s in sidecar.get("sources") or [] if isinstance(s, dict)}
        plotted = {name for row in rows for name in (row.get("source") or "").split("; ") if name}
        if set(cited) != plotted:
            problems.append(f"{figure.name}: the sidecar cites {sorted(cited)}, its rows {sorted(plotted)}")
        for publisher, source in cited.items():
            known = sources.get(publisher, {})
            if source.get("url") != known.get("url") or source.get("source_id") != known.get("source_id"):
                problems.append(f"{figure.name}: the sidecar's source {source} is not in data/sources.csv")
    assert not problems, failures_of(problems)


def test_every_chart_image_download_is_a_valid_image(figures: list[Figure]):
    problems = []
    for figure in figures:
        if "svg" in figure.files:
            try:
                root = ET.fromstring(figure.files["svg"])
            except ET.ParseError as error:
                problems.append(f"{figure.name}: the SVG does not parse as XML: {error}")
            else:
                if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
                    problems.append(f"{figure.name}: the SVG's root is <{root.tag}>, not <svg>")
        if "png" in figure.files and not figure.files["png"].startswith(PNG_SIGNATURE):
            problems.append(f"{figure.name}: the PNG does not start with the PNG signature")
    assert not problems, failures_of(problems)


def test_every_static_image_has_the_caption_description_as_alt(figures: list[Figure]):
    problems = []
    for figure in figures:
        alt, description = figure.info["alt"], figure.info["description"]
        if alt is None:
            problems.append(f"{figure.name}: no img.chart-static or no alt attribute")
        elif not alt.strip():
            problems.append(f"{figure.name}: the static image's alt is empty")
        elif description is None:
            problems.append(f"{figure.name}: the caption has no permalink and description")
        elif " ".join(alt.split()) != " ".join(description.split()):
            problems.append(f"{figure.name}: alt {alt!r} differs from the caption's {description!r}")
    assert not problems, failures_of(problems)


def test_every_data_table_opens_with_one_row_per_csv_row(figures: list[Figure]):
    problems = []
    for figure in figures:
        table = figure.table
        if table.get("found") != 1:
            problems.append(f"{figure.name}: {table.get('found')} details.chart-data, expected 1")
            continue
        if table["closed"] != {"open": False, "visible": False}:
            problems.append(f"{figure.name}: the data table shows before its summary is clicked")
        if not (table["open"] and table["visible"]):
            problems.append(f"{figure.name}: clicking the summary did not show the table: {table}")
        if "csv" in figure.files and table["rows"] != len(figure.csv_rows[1]):
            problems.append(
                f"{figure.name}: the table has {table['rows']} body rows, the CSV {len(figure.csv_rows[1])}"
            )
    assert not problems, failures_of(problems)


def test_without_javascript_every_static_chart_shows(figures: list[Figure]):
    problems = []
    for figure in figures:
        static = figure.static_without_js
        if not shows(static):
            problems.append(f"{figure.name}: the static SVG has no box without JavaScript: {static}")
        elif not static["natural"]:
            problems.append(f"{figure.name}: the static SVG did not load (naturalWidth 0)")
    assert not problems, failures_of(problems)


def test_with_javascript_the_live_chart_replaces_the_static_one(figures: list[Figure]):
    problems = []
    for figure in figures:
        live = figure.live
        if live["error"] or not live["drawn"]:
            problems.append(f"{figure.name}: not drawn: {live['error']}")
        if [shows(state) for state in live["live"]] != [True]:
            problems.append(f"{figure.name}: expected one visible live chart, found {live['live']}")
        if shows(live["static"]):
            problems.append(f"{figure.name}: the static image still shows beside the live chart")
    assert not problems, failures_of(problems)


def test_print_shows_the_static_chart_without_navigation(figures: list[Figure]):
    problems = []
    for figure in figures:
        printed = figure.printed
        if not shows(printed["static"]) or not printed["static"]["natural"]:
            problems.append(f"{figure.name}: the static chart does not show in print: {printed['static']}")
        if shows(printed["live"]):
            problems.append(f"{figure.name}: the live chart shows in print beside the static one")
        if not shows(printed["sidebar_on_screen"]):
            problems.append(f"{figure.page}: the navigation sidebar does not show on screen (viewport?)")
        if shows(printed["sidebar"]):
            problems.append(f"{figure.page}: the navigation sidebar shows in print")
    assert not problems, failures_of(sorted(set(problems), key=problems.index))
