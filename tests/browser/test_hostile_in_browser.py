"""Hostile data in a real browser: nothing runs, nothing turns into a link or a handler, all shows as text.

The real project's data with a hostile value in every free-text field (poison() from
tests/test_hostile_input.py, which checks the built HTML files) is built, served on 127.0.0.1
and every page loaded in Chromium with its charts drawn, so markup that scripts create (vega's
charts, Material's navigation) is judged too, not only the HTML as written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from conftest import make_project
from playwright.sync_api import Browser
from site_server import PREFIX, TIMEOUT_MS, VIEWPORT, Site, build_site, draw_every_chart
from test_hostile_input import HOSTILE, poison

from briefing.static_server import StaticServer

pytestmark = pytest.mark.browser

LONG = max(HOSTILE, key=len)  # the 10,000-character value: looked for by its first characters
LONG_PREFIX = LONG[:1000]
# Inline event handlers Material itself puts outside the content area (none in 9.8.1); inside
# .md-content, where the data is rendered, none is allowed at all.
MATERIAL_HANDLERS: frozenset[tuple[str, str]] = frozenset()  # (tag, attribute)
# Every attribute that could carry a javascript: URL, and every on* attribute, anywhere in the
# DOM (including the SVG that vega draws); whitespace and control characters stripped as a
# browser strips them before reading the scheme.
LIVE_MARKUP = """() => {
    const urls = [], handlers = [];
    for (const element of document.querySelectorAll('*')) {
        for (const attribute of element.attributes) {
            const name = attribute.name.toLowerCase();
            const where = element.closest('.md-content') ? 'content' : 'chrome';
            const tag = element.tagName.toLowerCase();
            if (name.startsWith('on')) {
                handlers.push({where, tag, name, value: attribute.value.slice(0, 80)});
            }
            if (['href', 'xlink:href', 'src', 'action', 'formaction', 'data'].includes(name)) {
                const value = attribute.value.replace(/[\\u0000-\\u0020]/g, '').toLowerCase();
                if (value.startsWith('javascript:')) {
                    urls.push(`<${tag} ${name}="${attribute.value.slice(0, 80)}">`);
                }
            }
        }
    }
    return {urls, handlers};
}"""


@dataclass
class Visit:
    """What one page did and showed."""

    dialogs: list[str] = field(default_factory=list)
    javascript_urls: list[str] = field(default_factory=list)
    handlers: list[str] = field(default_factory=list)
    text: str = ""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, set[str]]]:
    """The poisoned project, built for and served at http://127.0.0.1:<port>/briefing/."""
    base = tmp_path_factory.mktemp("hostile-browser")
    project = make_project(base / "project")
    used = poison(project / "data")
    root = base / "site"
    server = StaticServer(root, PREFIX)  # binds the port first: the build needs the address for SITE_URL
    try:
        build_site(root, project, SITE_URL=server.url)
    except BaseException:
        server.httpd.server_close()
        raise
    server.start()
    try:
        yield Site(root.resolve(), server.url), used
    finally:
        server.stop()


@pytest.fixture(scope="module")
def visits(hostile_site: tuple[Site, set[str]], browser: Browser) -> dict[str, Visit]:
    """Every page of the poisoned site loaded with its charts drawn, recording any dialog."""
    site, _ = hostile_site
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    seen: dict[str, Visit] = {}
    current = Visit()
    hovered: set[str | None] = set()

    def on_dialog(dialog) -> None:
        current.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    for path in site.pages():
        current = seen[path.as_posix()] = Visit()
        page.goto(site.url_of(path), wait_until="load")
        draw_every_chart(page)
        # sweep the pointer down each chart (once per chart, wherever it first appears), so the
        # tooltips vega builds from the data are drawn too
        for chart in page.locator(".vl-chart").all():
            chart_id = chart.get_attribute("id")
            surface = chart.locator(".vl-live svg.marks")
            if chart_id in hovered or surface.count() != 1:
                continue
            hovered.add(chart_id)
            surface.scroll_into_view_if_needed()
            box = surface.bounding_box()
            for row in range(1, 8) if box else ():
                page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] * row / 8, steps=3)
        found = page.evaluate(LIVE_MARKUP)
        current.javascript_urls = found["urls"]
        current.handlers = [
            f"<{h['tag']} {h['name']}={h['value']!r}> ({h['where']})"
            for h in found["handlers"]
            if h["where"] == "content" or (h["tag"], h["name"]) not in MATERIAL_HANDLERS
        ]
        current.text = page.evaluate("document.body.innerText")
    context.close()
    return seen


def test_every_page_was_loaded(hostile_site: tuple[Site, set[str]], visits: dict[str, Visit]):
    site, used = hostile_site
    assert len(visits) == len(site.pages()) >= 20, sorted(visits)
    assert used == set(HOSTILE), f"poison() used {len(used)} of the {len(HOSTILE)} hostile values"


def test_no_dialog_ever_opened(visits: dict[str, Visit]):
    opened = {page: visit.dialogs for page, visit in visits.items() if visit.dialogs}
    assert not opened, opened


def test_no_javascript_url_in_the_dom(visits: dict[str, Visit]):
    found = {page: visit.javascript_urls for page, visit in visits.items() if visit.javascript_urls}
    assert not found, found


def test_no_inline_event_handler_in_the_content(visits: dict[str, Visit]):
    found = {page: visit.handlers for page, visit in visits.items() if visit.handlers}
    assert not found, found


def test_every_hostile_value_shows_as_text(hostile_site: tuple[Site, set[str]], visits: dict[str, Visit]):
    _, used = hostile_site
    missing = []
    for value in sorted(used):
        wanted = LONG_PREFIX if value == LONG else value
        if not any(wanted in visit.text for visit in visits.values()):
            missing.append(value[:60])
    assert not missing, f"not shown as text on any page: {missing}"
