"""The built site in a real browser: every page draws its charts, stays on 127.0.0.1 and logs no error.

Debian Chromium through Playwright, against the real project built once per session and served
under /briefing/ (see tests/site_server.py). These tests fail, never skip, when Chromium is missing.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from site_server import TIMEOUT_MS, VIEWPORT, Site, Watch, draw_every_chart, new_page

pytestmark = pytest.mark.browser

# What each chart container holds: its error if it failed, how many live chart surfaces
# (vega-embed's, visible; not the static fallback image) it shows, and where its spec was parsed.
CHART_STATE = """() => [...document.querySelectorAll('.vl-chart')].map(c => ({
    id: c.id,
    error: c.getAttribute('data-error'),
    drawn: c.classList.contains('vl-drawn'),
    parsed: c.getAttribute('data-parsed'),
    surfaces: [...c.querySelectorAll('.vega-embed svg.marks, .vega-embed canvas.marks')]
        .filter(s => s.getBoundingClientRect().width > 0).length,
}))"""


def chart_problems(page: Page) -> list[str]:
    """Wait until every chart has drawn or failed, then say what is wrong with any of them."""
    problems = []
    try:
        draw_every_chart(page)
    except PlaywrightTimeoutError:
        problems.append("charts did not finish drawing")
    for chart in page.evaluate(CHART_STATE):
        if chart["error"] or not chart["drawn"] or chart["surfaces"] != 1:
            problems.append(f"chart {chart['id'] or '(no id)'} not drawn properly: {chart}")
        elif chart["parsed"] != "aside":
            # served over HTTP, the worker parses every spec (charts.js): the page's thread only
            # builds and draws the view
            problems.append(f"chart {chart['id']} was parsed on the page's thread: {chart}")
    return problems


def chart_count(page: Page) -> int:
    return page.locator(".vl-chart").count()


class _Outline(HTMLParser):
    """A built page's title and the ids of its chart containers, as the HTML file has them."""

    def __init__(self) -> None:
        super().__init__()
        self.title, self.charts, self._in_title = "", [], False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self._in_title = tag == "title"
        if "vl-chart" in (attributes.get("class") or "").split():
            self.charts.append(attributes.get("id") or "")

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def pages_with_charts(site: Site) -> dict[str, _Outline]:
    """URL -> outline of every page with at least one chart."""
    outlines = {}
    for path in site.pages():
        outline = _Outline()
        outline.feed((site.root / path).read_text())
        if outline.charts and path.name != "404.html":
            outlines[site.url_of(path)] = outline
    return outlines


def test_the_site_has_pages_and_charts(site: Site):
    pages = site.pages()
    assert Path("index.html") in pages and Path("404.html") in pages, pages
    # the home page, the targets and the timeline, and the printable briefing
    assert len(pages_with_charts(site)) >= 3, "expected charts on the home page and at least two more"
    sitemap = (site.root / "sitemap.xml").read_text()
    for page in pages:
        if page.name != "404.html":
            assert f"<loc>{site.url_of(page)}</loc>" in sitemap, f"{page} is not in sitemap.xml"


def test_every_page_draws_its_charts_and_stays_on_this_host(site: Site, browser: Browser):
    watch = Watch()
    page = new_page(browser, watch)
    failures: dict[str, list[str]] = {}
    drawn = 0
    for path in site.pages():
        # 404.html is what the server answers for any missing address: load it the way readers meet it
        url = site.url + "no-such-page/" if path.name == "404.html" else site.url_of(path)
        watch.expected_status = {url: 404} if path.name == "404.html" else {}
        watch.problems = []
        response = page.goto(url, wait_until="load")
        assert response is not None
        if response.status != watch.expected_status.get(url, 200):
            watch.problems.append(f"HTTP {response.status} for the page itself")
        problems = chart_problems(page)
        drawn += chart_count(page)
        page.wait_for_load_state("networkidle")  # late requests: fonts, icons, search index
        problems += watch.problems
        if problems:
            failures[str(path)] = problems
    page.context.close()
    assert not failures, "\n".join(f"{page}: {problem}" for page, ps in failures.items() for problem in ps)
    assert drawn >= 4


def test_instant_navigation_draws_charts_without_reloading(site: Site, browser: Browser):
    chart_pages = pages_with_charts(site)
    assert site.url in chart_pages and len(chart_pages) >= 3, sorted(chart_pages)
    watch = Watch()
    page = new_page(browser, watch)
    page.goto(site.url)
    assert not chart_problems(page)
    page.evaluate("window.__marker = 'first load'")
    # Click from page to page through the sidebar, as a reader would, to every page with charts
    # that the current page links to (navigation.prune shows only the current section's pages).
    visited = [site.url]
    while len(visited) < len(chart_pages):
        links = page.locator("nav.md-nav--primary a.md-nav__link")
        hrefs = links.evaluate_all("links => links.map(a => a.href.split('#')[0])")
        targets = [i for i, href in enumerate(hrefs) if href in chart_pages and href not in visited]
        if not targets:
            break
        expected = hrefs[targets[0]]
        outline = chart_pages[expected]
        links.nth(targets[0]).click()
        page.wait_for_url(expected)
        # the new page's content is in: its title and exactly its chart containers
        page.wait_for_function(
            """([title, ids]) => document.title === title && JSON.stringify(
                [...document.querySelectorAll('.vl-chart')].map(c => c.id)) === JSON.stringify(ids)""",
            arg=[outline.title, outline.charts],
        )
        assert page.evaluate("window.__marker") == "first load", f"{expected}: a full page load, not instant"
        problems = chart_problems(page)
        assert not problems, f"{expected}: {problems}"
        visited.append(expected)
    assert len(visited) == len(chart_pages), (
        f"reached only {visited} of {sorted(chart_pages)} through the sidebar"
    )
    assert not watch.problems, watch.problems
    page.context.close()


def test_charts_redraw_when_the_palette_is_toggled(site: Site, browser: Browser):
    watch = Watch()
    page = new_page(browser, watch)
    chart_pages = pages_with_charts(site)
    # the page with the most charts: each must follow the palette
    page.goto(max(chart_pages, key=lambda url: len(chart_pages[url].charts)))
    assert not chart_problems(page)
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    label_fill = "() => getComputedStyle(document.querySelector('.vl-chart .vega-embed svg.marks text')).fill"
    light_fill = page.evaluate(label_fill)
    for scheme in ("slate", "default"):
        # remember the chart surfaces drawn so far: a redraw replaces them
        page.evaluate(
            "document.querySelectorAll('.vl-chart .vega-embed svg.marks').forEach(s => s.dataset.old = '1')"
        )
        page.locator("form[data-briefing-palette] label:visible").first.click()
        page.wait_for_function(
            "s => document.body.getAttribute('data-md-color-scheme') === s", arg=scheme, timeout=TIMEOUT_MS
        )
        try:
            draw_every_chart(page)
            page.wait_for_function(
                """() => [...document.querySelectorAll('.vl-chart')].every(c =>
                    c.querySelector('.vega-embed svg.marks')
                    && !c.querySelector('.vega-embed svg.marks[data-old]'))""",
                timeout=TIMEOUT_MS,
            )
        except PlaywrightTimeoutError:
            pytest.fail(f"charts were not redrawn within {TIMEOUT_MS} ms of switching to {scheme!r}")
        problems = chart_problems(page)
        assert not problems, f"{scheme}: {problems}"
        fill = page.evaluate(label_fill)
        if scheme == "slate":
            assert fill != light_fill, f"charts kept their light colours in dark mode ({fill})"
        else:
            assert fill == light_fill, f"charts did not return to light colours ({fill} != {light_fill})"
    assert not watch.problems, watch.problems
    page.context.close()


def test_the_palette_follows_the_system_until_the_reader_chooses_and_keeps_the_choice(
    site: Site, browser: Browser
):
    """The light/dark toggle (docs/assets/palette.js, in place of Material's palette component):
    a dark system gets the dark palette; a click switches and is kept on the next page, reloaded
    and under instant navigation; the toggle shown is the one that leads to the other palette."""
    watch = Watch()
    context = browser.new_context(viewport=VIEWPORT, color_scheme="dark")
    page = watch.attach(context.new_page())
    scheme = "() => document.body.getAttribute('data-md-color-scheme')"
    page.goto(site.url)
    page.wait_for_function(f"() => ({scheme})() === 'slate'", timeout=TIMEOUT_MS)
    toggle = page.locator("form[data-briefing-palette] label:visible")
    assert toggle.count() == 1 and toggle.get_attribute("title") == "Switch to light mode"
    toggle.click()
    page.wait_for_function(f"() => ({scheme})() === 'default'", timeout=TIMEOUT_MS)
    assert toggle.get_attribute("title") == "Switch to dark mode"
    page.locator(".md-nav__link", has_text="Sales targets").first.click()  # instant navigation
    page.wait_for_url(site.url + "targets/")
    assert page.evaluate(scheme) == "default"
    page.reload()
    assert page.evaluate(scheme) == "default", "the choice was not kept: the dark system won again"
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "normal"
    page.locator("form[data-briefing-palette] label:visible").click()
    page.wait_for_function(f"() => ({scheme})() === 'slate'", timeout=TIMEOUT_MS)
    assert page.evaluate("getComputedStyle(document.documentElement).colorScheme") == "dark"
    assert not watch.problems, watch.problems
    context.close()


def test_search_finds_pages_under_the_sub_path(site: Site, browser: Browser):
    """Search works where the site is served (/briefing/): its index and worker load from there."""
    watch = Watch()
    page = new_page(browser, watch)
    page.goto(site.url)
    page.locator(".md-search__input").first.click()
    page.keyboard.type("Leapmotor")  # Material searches on key events, which fill() does not send
    result = page.locator(".md-search-result__item a").first
    result.wait_for(timeout=TIMEOUT_MS)
    href = result.get_attribute("href")
    assert urlsplit(href).path.startswith("/briefing/"), href
    result.click()
    page.wait_for_load_state()
    assert "Leapmotor" in page.inner_text(".md-content")
    assert watch.problems == []


# What print adds after each link of the article: its address, or nothing
PRINTED_AFTER_LINKS = """() => [...document.querySelectorAll('article a')].map(a => ({
    href: a.getAttribute('href'), rel: a.rel, after: getComputedStyle(a, '::after').content}))"""


def test_printed_links_to_other_sites_show_their_address_and_others_nothing(site: Site, browser: Browser):
    """Printed, a source's address is written out; a footnote mark or a link within the site
    is not followed by an address (Material makes every address absolute once a page loads)."""
    watch = Watch()
    page = watch.attach(new_page(browser, watch))
    page.goto(site.url + "print/", wait_until="load")
    page.wait_for_function(
        "() => document.querySelector('a.footnote-ref').getAttribute('href').startsWith('http')"
    )
    page.emulate_media(media="print")
    links = page.evaluate(PRINTED_AFTER_LINKS)
    external = [link for link in links if urlsplit(link["href"]).hostname != "127.0.0.1"]
    # within the site: relative as built (an absolute one, the page's citation, may print)
    internal = [link for link in links if link not in external and link["rel"] != "external"]
    assert len(external) > 20 and len(internal) > 100, (len(external), len(internal))
    assert all(link["after"] == f'" <{link["href"]}>"' for link in external), external[:3]
    assert all(link["after"] in ("none", "normal") for link in internal), [
        link for link in internal if link["after"] not in ("none", "normal")
    ][:3]
    page.context.close()
    assert not watch.problems, watch.problems
