"""The offline copy (`make offline`) read from the file system: every page draws its charts from
local files only, navigation works and the downloads are there.

The real project's data, templates and assets are copied into a throwaway project (so the
build does not rewrite the repository's docs/) and built the way the Makefile's `offline`
target builds it: BRIEFING_DIRECTORY_URLS=false BRIEFING_SEARCH=false, into --site-dir.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urldefrag, urlsplit
from urllib.request import url2pathname

import pytest
from conftest import make_project
from playwright.sync_api import Browser, Page
from site_server import Watch, build_site, draw_every_chart, new_page

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = ("file", "data", "blob")
CHART_STATE = """() => [...document.querySelectorAll('.vl-chart')].map(c => ({
    id: c.id,
    error: c.getAttribute('data-error'),
    drawn: c.classList.contains('vl-drawn'),
    live: c.querySelectorAll('.vl-live svg.marks').length,
    parsed: c.getAttribute('data-parsed'),
}))"""
# MkDocs writes 404.html with root-absolute links for a web server to answer missing addresses
# with; no reader reaches it from the file system, so it is not opened here.
NOT_OPENED = {"404.html"}


@pytest.fixture(scope="module")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The offline variant of the real project, built into a temporary folder."""
    base = tmp_path_factory.mktemp("offline")
    project = make_project(base / "project")
    site_dir = base / "site-offline"
    build_site(
        site_dir,
        project,
        SITE_URL="http://127.0.0.1:8000/",  # not the session's: the copy is opened from disk
        BRIEFING_DIRECTORY_URLS="false",
        BRIEFING_SEARCH="false",
    )
    return site_dir


def pages_of(site_dir: Path) -> list[Path]:
    return sorted(
        page for page in site_dir.rglob("*.html") if page.relative_to(site_dir).as_posix() not in NOT_OPENED
    )


def path_of(url: str) -> Path:
    parts = urlsplit(urldefrag(url).url)
    assert parts.scheme == "file", f"{url} is not a file: URL"
    return Path(url2pathname(parts.path))


def chart_problems(page: Page) -> list[str]:
    draw_every_chart(page)
    return [
        f"chart {chart['id']} not drawn: {chart}"
        for chart in page.evaluate(CHART_STATE)
        # a file:// page starts no worker: charts.js parses the specs itself
        if chart["error"] or not chart["drawn"] or chart["live"] != 1 or chart["parsed"] != "here"
    ]


def test_the_offline_copy_uses_html_file_names(offline_site: Path):
    pages = {page.relative_to(offline_site).as_posix() for page in pages_of(offline_site)}
    assert {"index.html", "method.html", "targets.html"} <= pages, sorted(pages)
    assert not (offline_site / "search").exists(), "search is on: under file:// it fetches from a CDN"


def test_every_page_draws_its_charts_from_local_files_only(offline_site: Path, browser: Browser):
    watch = Watch(allowed=lambda url: urlsplit(url).scheme in LOCAL_SCHEMES)
    page = new_page(browser, watch)
    failures: dict[str, list[str]] = {}
    charts = 0
    for path in pages_of(offline_site):
        watch.problems = []
        page.goto(path.as_uri(), wait_until="load")
        problems = chart_problems(page)
        charts += page.locator(".vl-chart").count()
        problems += watch.problems
        if problems:
            failures[path.relative_to(offline_site).as_posix()] = problems
    page.context.close()
    assert not failures, "\n".join(f"{name}: {problem}" for name, ps in failures.items() for problem in ps)
    built = len(list((offline_site / "charts").glob("*.png")))
    assert built >= 3 and charts >= built, f"{charts} live charts on the offline copy's pages, {built} built"


def test_a_nav_link_opens_another_page_and_a_csv_download_is_there(offline_site: Path, browser: Browser):
    watch = Watch(allowed=lambda url: urlsplit(url).scheme in LOCAL_SCHEMES)
    page = new_page(browser, watch)
    home = offline_site / "index.html"
    page.goto(home.as_uri())
    links = page.locator("nav.md-nav--primary a.md-nav__link[href]")
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    # the first page the sidebar links to that is not this one and has a chart
    targets = [
        (index, href)
        for index, href in enumerate(hrefs)
        if path_of(href) != home and 'class="vl-chart"' in path_of(href).read_text()
    ]
    assert targets, f"the home page's navigation links no other page with a chart: {hrefs}"
    index, href = targets[0]
    links.nth(index).click()
    page.wait_for_url(href)
    assert page.evaluate("location.protocol") == "file:"
    assert not chart_problems(page), chart_problems(page)
    downloads = page.locator(".chart-downloads a[href$='.csv']")
    assert downloads.count() >= 1, f"{href}: no CSV download link"
    for url in downloads.evaluate_all("links => links.map(a => a.href)"):
        csv_file = path_of(url)
        assert csv_file.is_file(), f"{href}: the CSV download {url} is not a file"
        assert offline_site.resolve() in csv_file.resolve().parents, f"{url} is outside the offline copy"
        assert csv_file.read_text().count("\n") >= 2, f"{url} holds no rows"
    assert not watch.problems, watch.problems
    page.context.close()
