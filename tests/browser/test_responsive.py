"""Every chart reads on a phone: at 360, 390, 768 and 1280 px, on every page with charts.

For every chart the plot keeps at least half of its container's width, no text of the chart
leaves the container, is cut short ("…") or overlaps other text or the actions button, and every
text is drawn at 11 px or more (measured as drawn: Material's `svg {max-width: 100%}` scales a
chart that does not fit its container, silently); and the page does not scroll sideways. Each
check is shown to catch a defect planted in a copy of the real growth chart. Screenshots of every
kind of page at 390 px go to the test run's folder (its path is printed) for a person to look at.
"""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from site_server import TIMEOUT_MS, Site, Watch, draw_every_chart, serve_folder

from browser.test_site import chart_problems

pytestmark = pytest.mark.browser

WIDTHS = (360, 390, 768, 1280)
SCREENSHOT_WIDTH = 390
LEAST_PLOT_SHARE = 0.5
LEAST_TEXT_PX = 11
SLACK_PX = 0.5  # sub-pixel rounding of boxes

# Each drawn chart as the reader sees it. The plot is the x axis' domain line, or without one the
# box around the data marks. Text sizes are as drawn: the CSS size times the SVG's scale.
CHART_LAYOUT = """() => [...document.querySelectorAll('.vl-chart')].map(chart => {
    const svg = chart.querySelector('.vega-embed svg.marks');
    const box = chart.getBoundingClientRect();
    const rect = r => ({left: r.left, right: r.right, top: r.top, bottom: r.bottom});
    if (!svg) return {id: chart.id, box: rect(box), drawn: false};
    const drawnWidth = svg.getBoundingClientRect().width;
    const scale = svg.width.baseVal.value ? drawnWidth / svg.width.baseVal.value : 0;
    const domains = [...svg.querySelectorAll('.role-axis-domain line')]
        .map(line => line.getBoundingClientRect()).filter(r => r.height < 1);
    let plot = Math.max(0, ...domains.map(r => r.width));
    if (!domains.length) {
        const marks = [...svg.querySelectorAll('.role-mark')].map(m => m.getBoundingClientRect())
            .filter(r => r.width || r.height);
        plot = marks.length
            ? Math.max(...marks.map(r => r.right)) - Math.min(...marks.map(r => r.left)) : 0;
    }
    const shown = t => t.textContent.trim() && getComputedStyle(t).visibility !== 'hidden'
        && t.getAttribute('opacity') !== '0' && getComputedStyle(t).opacity !== '0';
    const texts = [...svg.querySelectorAll('text')].filter(shown).map(t => ({
        text: t.textContent,
        box: rect(t.getBoundingClientRect()),
        px: parseFloat(getComputedStyle(t).fontSize) * scale,
    }));
    const button = chart.querySelector('.vega-embed > details > summary');
    return {id: chart.id, drawn: true, box: rect(box), width: box.width, plot, scale, texts,
            button: button ? rect(button.getBoundingClientRect()) : null};
})"""
PAGE_SCROLL = "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _overlap(a: dict, b: dict) -> bool:
    return (
        min(a["right"], b["right"]) - max(a["left"], b["left"]) > 1
        and min(a["bottom"], b["bottom"]) - max(a["top"], b["top"]) > 1
    )


def _outside(inner: dict, outer: dict) -> bool:
    return (
        inner["left"] < outer["left"] - SLACK_PX
        or inner["right"] > outer["right"] + SLACK_PX
        or inner["top"] < outer["top"] - SLACK_PX
        or inner["bottom"] > outer["bottom"] + SLACK_PX
    )


def layout_problems(chart: dict) -> list[str]:
    """What keeps one chart (an item of CHART_LAYOUT) from reading well, one line each."""
    name = chart["id"] or "(no id)"
    if not chart["drawn"]:
        return [f"{name}: not drawn"]
    problems = []
    share = chart["plot"] / chart["width"] if chart["width"] else 0
    if share < LEAST_PLOT_SHARE:
        problems.append(
            f"{name}: the plot is {chart['plot']:.0f} px of the container's {chart['width']:.0f}"
            f" ({share:.2f})"
        )
    texts = chart["texts"]
    for i, text in enumerate(texts):
        words = repr(text["text"])
        if _outside(text["box"], chart["box"]):
            problems.append(f"{name}: {words} runs outside the chart's container")
        if text["px"] < LEAST_TEXT_PX - 0.01:
            problems.append(f"{name}: {words} is drawn at {text['px']:.1f} px")
        if text["text"].rstrip().endswith("…"):
            problems.append(f"{name}: {words} is cut short")
        if chart["button"] and _overlap(text["box"], chart["button"]):
            problems.append(f"{name}: {words} lies under the actions button")
        problems += [
            f"{name}: {words} overlaps {other['text']!r}"
            for other in texts[i + 1 :]
            if _overlap(text["box"], other["box"])
        ]
    return problems


def chart_layout(page: Page) -> list[dict]:
    return page.evaluate(CHART_LAYOUT)


def page_scroll_problem(page: Page) -> str | None:
    scroll_width, client_width = page.evaluate(PAGE_SCROLL)
    if scroll_width > client_width:
        return f"the page scrolls sideways: {scroll_width} px of content in {client_width} px"
    return None


def page_problems(page: Page) -> list[str]:
    """Every layout problem of the page's charts, and a sideways scroll."""
    problems = [problem for chart in chart_layout(page) for problem in layout_problems(chart)]
    scroll = page_scroll_problem(page)
    return problems + ([scroll] if scroll else [])


def chart_pages(site: Site) -> list[str]:
    return [
        site.url_of(path)
        for path in site.pages()
        if path.name != "404.html" and 'class="vl-chart"' in (site.root / path).read_text()
    ]


def new_phone_page(browser: Browser, watch: Watch, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme="light")
    context.set_default_timeout(TIMEOUT_MS)
    return watch.attach(context.new_page())


def settle(page: Page) -> None:
    """Two animation frames: a resize observed in one is refitted in the next."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.wait_for_timeout(100)


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chart_reads_at_this_width(site: Site, browser: Browser, width: int):
    pages = chart_pages(site)
    assert len(pages) >= 3, pages  # the home, targets and timeline pages
    watch = Watch()
    page = new_phone_page(browser, watch, width)
    failures, shares = [], []
    for url in pages:
        page.goto(url)
        failures += [f"{url}: {problem}" for problem in chart_problems(page)]
        settle(page)
        layout = chart_layout(page)
        shares += [
            f"{url.removeprefix(site.url) or 'home'} {c['id']} {c['plot'] / c['width']:.2f}" for c in layout
        ]
        failures += [f"{url}: {problem}" for problem in page_problems(page)]
    page.context.close()
    print(f"plot / container at {width} px: " + "; ".join(shares))
    assert not failures, "\n".join(failures)
    assert not watch.problems, watch.problems


def test_charts_refit_when_only_their_container_narrows(site: Site, browser: Browser):
    """No window resize: a sidebar, a scrollbar or a narrower column changes the container alone."""
    watch = Watch()
    page = new_phone_page(browser, watch, 1280)
    page.goto(site.url + "targets/")
    assert not chart_problems(page)
    for width in (300, 700, 340):
        page.evaluate(
            "w => document.querySelectorAll('.vl-chart').forEach(c => c.style.width = w + 'px')", width
        )
        settle(page)
        layout = chart_layout(page)
        assert all(abs(chart["scale"] - 1) < 0.01 for chart in layout), layout
        assert all(abs(chart["width"] - width) < 1 for chart in layout), layout
        problems = [problem for chart in layout for problem in layout_problems(chart)]
        assert not problems, f"{width} px: {problems}"
    page.context.close()
    assert not watch.problems, watch.problems


def test_charts_still_fit_after_the_palette_and_the_window_change(site: Site, browser: Browser):
    watch = Watch()
    page = new_phone_page(browser, watch, 1280)
    page.goto(site.url + "targets/")
    assert not chart_problems(page)
    page.locator("form[data-briefing-palette] label:visible").first.click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    draw_every_chart(page)
    for width in (390, 360, 768):
        page.set_viewport_size({"width": width, "height": 800})
        settle(page)
        problems = page_problems(page)
        assert not problems, f"{width} px: {problems}"
    page.context.close()
    assert not watch.problems, watch.problems


def page_kinds(site: Site) -> dict[str, str]:
    """One page of each kind: the home page, each section, and one organisation's own page."""
    kinds: dict[str, str] = {}
    for path in site.pages():
        if path.name == "404.html":
            continue
        parts = path.parts[:-1]
        kind = "home" if not parts else parts[0] if len(parts) == 1 else f"{parts[0]}-page"
        kinds.setdefault(kind, site.url_of(path))
    return kinds


def test_screenshots_of_every_kind_of_page_at_390_px(
    site: Site, browser: Browser, tmp_path_factory: pytest.TempPathFactory
):
    folder = tmp_path_factory.getbasetemp() / f"screenshots-{SCREENSHOT_WIDTH}"
    folder.mkdir(exist_ok=True)
    kinds = page_kinds(site)
    assert {"home", "targets", "timeline", "organisations-page", "people", "method", "print"} <= set(kinds)
    watch = Watch()
    page = new_phone_page(browser, watch, SCREENSHOT_WIDTH)
    for kind, url in kinds.items():
        page.goto(url)
        assert not chart_problems(page), url
        settle(page)
        page.screenshot(path=str(folder / f"{kind}.png"), full_page=True)
    page.context.close()
    print(f"screenshots at {SCREENSHOT_WIDTH} px of {len(kinds)} kinds of page: {folder}")
    assert sorted(p.stem for p in folder.glob("*.png")) == sorted(kinds)
    assert not watch.problems, watch.problems


# The static chart a page shows before its live chart is drawn (and without scripts): which
# image, and its drawn width over its own (the SVG's text is 11 px at its own size).
STATIC_CHARTS = """() => [...document.querySelectorAll('.vl-chart img.chart-static')].map(image => ({
    id: image.closest('.vl-chart').id, src: image.currentSrc,
    scale: image.getBoundingClientRect().width / image.naturalWidth}))"""


@pytest.mark.parametrize("width", (360, 390, 1280))
def test_the_static_chart_is_legible_before_the_live_one_is_drawn(site: Site, browser: Browser, width: int):
    """Without scripts (and until the live chart is drawn) a phone shows the chart's narrow
    image at about its own size: the wide one scaled to a phone drew 5 px text."""
    context = browser.new_context(viewport={"width": width, "height": 800}, java_script_enabled=False)
    page = context.new_page()
    for url in chart_pages(site):
        page.goto(url)
        for image in page.locator("img.chart-static").all():
            image.scroll_into_view_if_needed()  # lazy images load near the screen
            image.evaluate("image => image.decode()")
        for chart in page.evaluate(STATIC_CHARTS):
            narrow = width < 500
            assert chart["src"].endswith(".narrow.svg" if narrow else ".svg"), (url, chart)
            assert narrow or not chart["src"].endswith(".narrow.svg"), (url, chart)
            # 11 px text drawn at 10 px or more (the narrow image is 360 px wide; a 360 px
            # phone's column is 328)
            assert chart["scale"] >= 10 / LEAST_TEXT_PX, (url, chart)
    context.close()


LAYOUT_SHIFTS = """window.layoutShifts = [];
new PerformanceObserver(list => list.getEntries().forEach(entry => entry.hadRecentInput
    || window.layoutShifts.push({value: entry.value, sources: entry.sources.map(source =>
        source.node ? (source.node.id || source.node.className || source.node.nodeName) : "")}))
).observe({type: "layout-shift", buffered: true});"""
MOST_LAYOUT_SHIFT = 0.02  # Lighthouse counts under 0.1 as good


@pytest.mark.parametrize("width", (390, 1280))
def test_drawing_the_live_charts_moves_nothing_on_the_screen(site: Site, browser: Browser, width: int):
    """The live chart replaces the static one in its place: the first screen does not move
    (its caption and data table were pushed down, and an empty live chart moved up over it)."""
    watch = Watch()
    page = new_phone_page(browser, watch, width)
    page.add_init_script(LAYOUT_SHIFTS)
    page.goto(site.url + "targets/")
    page.wait_for_function(_FIRST_CHART_DRAWN)
    settle(page)
    shifts = page.evaluate("window.layoutShifts")
    assert sum(shift["value"] for shift in shifts) < MOST_LAYOUT_SHIFT, shifts
    page.context.close()
    assert not watch.problems, watch.problems


_FIRST_CHART_DRAWN = "() => document.querySelector('.vl-chart').classList.contains('vl-drawn')"

# Each static chart image's box on the page, in CSS pixels (without the chart scripts, which
# hide a static chart once its live one is drawn).
STATIC_BOXES = """() => [...document.querySelectorAll('img.chart-static')].map(image => {
    const box = image.getBoundingClientRect();
    return [Math.round(box.width), Math.round(box.height)];
})"""


def static_chart_boxes(browser: Browser, address: str, width: int, images_arrive: bool) -> list:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    page.route("**/vendor/vega-bundle.js", lambda route: route.abort())
    if images_arrive:
        page.goto(address)
        page.evaluate("document.querySelectorAll('img.chart-static').forEach(i => { i.loading = 'eager'; })")
        page.wait_for_function("() => [...document.images].every(image => image.complete)")
    else:
        page.route("**/charts/*.svg", lambda route: None)  # never answered: still on its way
        page.goto(address, wait_until="domcontentloaded")
    boxes = page.evaluate(STATIC_BOXES)
    context.close()
    return boxes


@pytest.mark.parametrize("width", (390, 1280))
def test_a_static_chart_holds_its_place_before_its_image_arrives(site: Site, browser: Browser, width: int):
    """On a slow connection a chart's image arrives after the page is drawn: its box is the
    same size before as after, so the text below it does not jump down when it comes."""
    arrived = static_chart_boxes(browser, site.url + "targets/", width, images_arrive=True)
    waiting = static_chart_boxes(browser, site.url + "targets/", width, images_arrive=False)
    assert len(arrived) >= 2 and all(height > 300 for _, height in arrived), arrived
    assert waiting == arrived, f"boxes before the images arrived {waiting}, after {arrived}"


# --- the checks catch planted defects --------------------------------------------------------

# A page holding one chart container as wide as a phone's, drawn straight with vega-embed (not
# charts.js): the spec as planted is what the reader gets.
PLANTED_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>planted</title>
<meta name="viewport" content="width=device-width">
<style>body {{ margin: 16px; font-family: sans-serif; }} .vl-chart {{ width: 358px; }} {css}</style>
<script src="vega-bundle.js"></script></head>
<body><div class="vl-chart" id="vl-planted" data-vega='{spec}'><div class="vl-live"></div></div>
<script>
const chart = document.getElementById("vl-planted");
vegaEmbed(chart.querySelector(".vl-live"), JSON.parse(chart.dataset.vega),
          {{mode: "vega", renderer: "svg", actions: false}})
  .then(() => chart.classList.add("vl-drawn"))
  .catch(error => chart.setAttribute("data-error", String(error)));
</script></body></html>
"""
MATERIAL_SVG_RULE = "svg { max-width: 100%; height: auto; }"  # Material's, which hides an overflow


def fixed_width(spec: dict) -> dict:
    """The chart drawn 900 px wide whatever its container: the defect the container sizing fixed."""
    spec["autosize"] = "none"
    for signal in spec["signals"]:
        if signal["name"] in ("width", "container_width"):
            for key in ("init", "update", "on"):
                signal.pop(key, None)
            signal["value"] = 900
    return spec


def unwrapped_title(spec: dict) -> dict:
    """The title and source as one line each with no limit: in fit mode their overhang is taken
    out of the plot (the defect charts.js's title wrapping fixed)."""
    spec["title"].pop("limit")
    return spec


PLANTED = {
    # defect: (how the spec is spoilt, extra CSS, what the checks must report)
    "fixed-width": (fixed_width, "", ["runs outside the chart's container", "scrolls sideways"]),
    "scaled-down": (fixed_width, MATERIAL_SVG_RULE, ["is drawn at"]),
    "title-overhang": (unwrapped_title, "", ["the plot is"]),
}


@pytest.fixture(scope="module")
def planted_site(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Pages each holding the real growth chart's Vega spec with one defect planted, served."""
    folder = tmp_path_factory.mktemp("planted")
    shutil.copy(site.root / "assets" / "vendor" / "vega-bundle.js", folder / "vega-bundle.js")
    spec = json.loads(
        attribute_value(site.root / "targets" / "index.html", 'id="vl-growth-targets" data-vega=\'')
    )
    for name, (spoil, css, _) in PLANTED.items():
        planted = spoil(json.loads(json.dumps(spec)))
        text = json.dumps(planted).replace("&", "&amp;").replace("'", "&#39;")
        (folder / f"{name}.html").write_text(PLANTED_PAGE.format(spec=text, css=css))
    yield from serve_folder(folder)


def attribute_value(page: Path, opening: str) -> str:
    """The HTML-unescaped value of the attribute that `opening` opens, in a built page."""
    text = page.read_text()
    start = text.index(opening) + len(opening)
    return html.unescape(text[start : text.index("'", start)])


@pytest.mark.parametrize("defect", PLANTED)
def test_the_checks_catch_a_planted_defect(planted_site: Site, browser: Browser, defect: str):
    watch = Watch()
    page = new_phone_page(browser, watch, SCREENSHOT_WIDTH)
    page.goto(planted_site.url + f"{defect}.html")
    draw_every_chart(page)
    problems = page_problems(page)
    page.context.close()
    for expected in PLANTED[defect][2]:
        assert any(expected in problem for problem in problems), (defect, expected, problems)
