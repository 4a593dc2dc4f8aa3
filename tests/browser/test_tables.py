"""Tables in a real browser: sentence tables read as cards on a phone and as tables on a desktop;
numeric tables sort by value with the mouse and the keyboard, say so to screen readers, and keep
working after Material's instant navigation. Each check is shown to fail on a planted defect
(the page or script served with the defect, through Playwright's routing)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, Route
from site_server import Site, Watch, new_page

from briefing.hooks import PROSE

pytestmark = pytest.mark.browser

PHONES = [320, 390]
SENTENCE = 40  # characters: a cell at least this long holds a sentence, not a value
# Each content table holding a sentence or marked to become cards (chart data tables, folded in
# <details>, aside): how its rows are laid out, the narrowest sentence cell's text width in
# characters (of its own font's average letter), whether its cells are labelled, and how far it
# scrolls sideways.
TABLE_STATE = """(sentence) => [...document.querySelectorAll('article table')]
  .filter(t => !t.closest('details'))
  .map(table => {
    const cells = [...table.querySelectorAll('tbody td')];
    const sentences = cells.filter(td => td.textContent.trim().length >= sentence);
    if (!sentences.length && !table.closest('.table-cards')) { return null; }
    const width = td => {
      const probe = document.createElement('span');
      probe.textContent = 'abcdefghijklmnopqrstuvwxyz'.repeat(2);
      probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
      td.appendChild(probe);
      const letter = probe.getBoundingClientRect().width / 52;
      probe.remove();
      const style = getComputedStyle(td);
      const inner = td.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return inner / letter;
    };
    const wrap = table.closest('.md-typeset__scrollwrap') || table;
    const before = td => getComputedStyle(td, '::before');
    return {
      heading: (table.closest('.table-cards, .table-sortable, .md-typeset__scrollwrap') || table)
        .previousElementSibling?.textContent.trim().slice(0, 40) || '',
      rows: getComputedStyle(table.querySelector('tbody tr')).display,
      head: table.tHead ? table.tHead.getBoundingClientRect().height : 0,
      narrowest: Math.min(999, ...sentences.map(width)),
      unlabelled: cells.filter(td => !td.dataset.label || before(td).display === 'none'
        || before(td).content === 'none').length,
      scroll: wrap.scrollWidth - wrap.clientWidth,
      // a card table's height laid out, and the one it holds off screen (briefing.css)
      ...(() => {
        const cards = table.closest('.table-cards');
        if (!cards) { return {}; }
        const held = parseFloat(getComputedStyle(cards).containIntrinsicHeight.split(' ').pop());
        cards.style.contentVisibility = 'visible';
        const height = cards.getBoundingClientRect().height;
        cards.style.contentVisibility = '';
        return {held: held, height: height};
      })(),
    };
  }).filter(Boolean)"""
CARDS = re.compile(r'<div class="[^"]*\btable-cards\b')
PAGE_SCROLL = "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"


def card_pages(site: Site) -> list[str]:
    return [
        site.url_of(path)
        for path in site.pages()
        if CARDS.search((site.root / path).read_text()) and path.name != "404.html"
    ]


def phone_problems(page: Page, url: str, width: int) -> list[str]:
    """What keeps a sentence table from reading on a phone this wide."""
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(url)
    problems = []
    tables = page.evaluate(TABLE_STATE, SENTENCE)
    if not tables:
        problems.append(f"{url}: no table with sentences or cards found")
    for t in tables:
        where = f"{url} at {width} px, table after {t['heading']!r}"
        if t["rows"] != "block":
            problems.append(f"{where}: rows are not cards (display {t['rows']})")
        if t["narrowest"] < 20:
            problems.append(f"{where}: a sentence gets {t['narrowest']:.0f} characters a line")
        if t["unlabelled"]:
            problems.append(f"{where}: {t['unlabelled']} cells show no column label")
        if t["scroll"] > 1:
            problems.append(f"{where}: scrolls sideways by {t['scroll']} px")
        if "held" in t and not t["held"] >= t["height"]:
            problems.append(f"{where}: holds {t['held']} px off screen, but takes {t['height']:.0f} px")
    if (scroll := page.evaluate(PAGE_SCROLL)) > 1:
        problems.append(f"{url} at {width} px: the page scrolls sideways by {scroll} px")
    return problems


def desktop_problems(page: Page, url: str) -> list[str]:
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(url)
    problems = []
    for t in page.evaluate(TABLE_STATE, PROSE):
        where = f"{url} at 1280 px, table after {t['heading']!r}"
        if t["rows"] != "table-row" or t["head"] < 10:
            problems.append(f"{where}: not a plain table (rows {t['rows']}, header {t['head']} px high)")
        if t["narrowest"] < 20:
            problems.append(f"{where}: a sentence gets {t['narrowest']:.0f} characters a line")
        if t["scroll"] > 1:
            problems.append(f"{where}: scrolls sideways by {t['scroll']} px")
    return problems


def serve_changed(page: Page, url_pattern: str, change: Callable[[str], str]) -> None:
    """Plant a defect: answer requests for url_pattern with the real response, changed."""

    def handle(route: Route) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=change(response.text()))

    page.route(url_pattern, handle)


def test_sentence_tables_are_cards_on_a_phone(site: Site, browser: Browser):
    pages = card_pages(site)
    assert {site.url + p for p in ("ai/", "overseas/", "outlook/", "timeline/", "method/", "data/")} <= set(
        pages
    ), pages
    watch = Watch()
    page = new_page(browser, watch)
    problems = [p for url in pages for width in PHONES for p in phone_problems(page, url, width)]
    assert not problems, "\n".join(problems)
    assert not watch.problems, watch.problems
    page.context.close()


def test_sentence_tables_are_plain_tables_on_a_desktop(site: Site, browser: Browser):
    watch = Watch()
    page = new_page(browser, watch)
    problems = [p for url in card_pages(site) for p in desktop_problems(page, url)]
    assert not problems, "\n".join(problems)
    page.context.close()


def test_the_phone_check_fails_on_a_sentence_table_without_cards(site: Site, browser: Browser):
    page = new_page(browser, Watch())
    serve_changed(page, site.url + "ai/", lambda text: text.replace('class="table-cards"', 'class="x"'))
    problems = phone_problems(page, site.url + "ai/", 390)
    assert any("rows are not cards" in p for p in problems), problems
    assert any("characters a line" in p for p in problems), problems
    assert any("scrolls sideways" in p for p in problems), problems
    assert any("show no column label" in p for p in problems), problems
    page.context.close()


def test_the_phone_check_fails_on_a_card_table_holding_less_than_it_takes(site: Site, browser: Browser):
    page = new_page(browser, Watch())
    too_little = "--cards-height: 5rem"
    serve_changed(page, site.url + "ai/", lambda text: re.sub(r"--cards-height: \d+rem", too_little, text))
    problems = phone_problems(page, site.url + "ai/", 390)
    assert any("holds 100 px off screen, but takes" in p for p in problems), problems
    page.context.close()


# The overview's at-a-glance table: the target column, from its button's name.
TARGET = "Target (vehicles)"
# each cell's text without its footnote marks (the evidence of its figure), and its sort value
ROWS = """([selector, column]) => [...document.querySelector(selector).tBodies[0].rows].map(r => {
    const cell = r.cells[column].cloneNode(true);
    cell.querySelectorAll('.footnote-ref').forEach(mark => mark.remove());
    return [cell.textContent.trim(), r.cells[column].getAttribute('data-sort')];
})"""
SORT_STATE = """(selector) => {
    const wrapper = document.querySelector(selector).closest('.table-sortable');
    return {
        sorted: [...wrapper.querySelectorAll('th[aria-sort]')].map(th => [th.textContent.trim(),
            th.getAttribute('aria-sort')]),
        status: (wrapper.querySelector('[role=status]') || {}).textContent,
    };
}"""


def sort_problems(page: Page, selector: str, name: str, smaller: str, larger: str, how: str) -> list[str]:
    """Sort the table at selector by the column whose header button is called name, twice (with
    how: click, Enter or Space); say what is wrong: order by value (smaller before larger going
    up, cells without a figure last), aria-sort on that header only, the status line's words."""
    headers = page.locator(f"{selector} thead th")
    names = [re.sub(r"\s+", " ", text).strip() for text in headers.all_text_contents()]
    if name not in names:
        return [f"no header {name!r} in {names}"]
    column = names.index(name)
    button = page.locator(f"{selector} thead th").nth(column).get_by_role("button", name=name, exact=True)
    if button.count() != 1:
        return [f"header {name!r} has no button to press"]
    problems = []
    for direction in ("ascending", "descending"):
        if how == "click":
            button.click()
        else:
            button.focus()
            page.keyboard.press(how)
        rows = page.evaluate(ROWS, [selector, column])
        texts = [text for text, _ in rows]
        # a cell holds the figure, or the figure and its year ("550,000 in 2026")
        at = {
            figure: next(
                (i for i, text in enumerate(texts) if text == figure or text.startswith(f"{figure} ")), None
            )
            for figure in (smaller, larger)
        }
        if None in at.values():
            return [f"{smaller!r} or {larger!r} not in column {name!r}: {texts}"]
        up = at[smaller] < at[larger]
        if up != (direction == "ascending"):
            problems.append(f"{how}, {direction}: {larger!r} sorted before {smaller!r}: {texts}")
        empty = [i for i, (_, value) in enumerate(rows) if value == ""]
        if empty and empty != list(range(len(rows) - len(empty), len(rows))):
            problems.append(f"{how}, {direction}: cells without a figure are not last: {texts}")
        state = page.evaluate(SORT_STATE, selector)
        if state["sorted"] != [[name, direction]]:
            problems.append(f"{how}, {direction}: aria-sort is {state['sorted']}")
        if state["status"] != f"Sorted by {name}, {direction}":
            problems.append(f"{how}, {direction}: the status line says {state['status']!r}")
    return problems


GLANCE = ".table-sortable table"


@pytest.mark.parametrize("how", ["click", "Enter", "Space"])
def test_numeric_tables_sort_by_value_and_say_so(site: Site, browser: Browser, how: str):
    watch = Watch()
    page = new_page(browser, watch)
    page.goto(site.url)
    page.wait_for_selector(".table-sort-ready")
    problems = sort_problems(page, GLANCE, TARGET, "550,000", "1 million", how)
    problems += sort_problems(page, GLANCE, "Increment (derived)", "about 140,000", "about 403,000", how)
    assert not problems, "\n".join(problems)
    assert not watch.problems, watch.problems
    page.context.close()


def test_the_other_sortable_tables_sort_by_value(site: Site, browser: Browser):
    page = new_page(browser, Watch())
    page.goto(site.url + "data/")
    page.wait_for_selector(".table-sort-ready")
    assert not sort_problems(page, GLANCE, "Rows", "5", "15", "click")  # 15 after 5, not after 1
    page.goto(site.url + "organisations/")
    page.wait_for_selector(".table-sort-ready")
    counts = page.evaluate(ROWS, [GLANCE, 5])
    low, high = min(counts, key=lambda c: float(c[1])), max(counts, key=lambda c: float(c[1]))
    if low[0] != high[0]:
        assert not sort_problems(page, GLANCE, "AI plans", low[0], high[0], "click")
    page.context.close()


def test_sortable_tables_read_whole_without_scripts(site: Site, browser: Browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(site.url)
    texts = page.locator(GLANCE).inner_text()
    assert (
        "1 million" in texts
        and "550,000" in texts
        and "year not stated" in texts
        and "AutoMundo China" in texts
    )
    assert page.locator(f"{GLANCE} button").count() == 0
    context.close()


@pytest.mark.parametrize(
    "defect, expected",
    [
        # the figures' numbers dropped: "1 million" sorts as 1
        ("no data-sort", f"{'1 million'!r} sorted before"),
        ("no aria-sort", "aria-sort is []"),
        ("silent", "the status line says"),
        ("no button", "has no button"),
    ],
)
def test_the_sort_check_fails_on_planted_defects(site: Site, browser: Browser, defect: str, expected: str):
    page = new_page(browser, Watch())
    if defect == "no data-sort":
        serve_changed(page, site.url, lambda text: re.sub(r' data-sort="[^"]*"', "", text))
    elif defect == "no aria-sort":
        serve_changed(
            page,
            "**/assets/tables.js",
            lambda text: text.replace(
                "window.Tablesort(table);",
                "window.Tablesort(table);\n"
                "table.addEventListener('afterSort', function () { headers.forEach(function (th) {"
                " th.removeAttribute('aria-sort'); }); });",
            ),
        )
    elif defect == "silent":
        serve_changed(page, "**/assets/tables.js", lambda text: text.replace("status.textContent =", "void"))
    else:
        serve_changed(
            page,
            "**/assets/tables.js",
            lambda text: text.replace('=== "none") { return; }', "!== null) {} return;"),
        )
    page.goto(site.url)
    page.wait_for_selector(".table-sort-ready", state="attached")
    how = "click" if defect != "no button" else "Enter"
    problems = sort_problems(page, GLANCE, TARGET, "550,000", "1 million", how)
    assert any(expected in p for p in problems), problems
    page.context.close()


def instant_navigation_problems(page: Page, site: Site) -> list[str]:
    """From the overview to the targets page and back through the sidebar, without a reload:
    each page's table still sorts."""
    page.goto(site.url)
    page.wait_for_selector(".table-sort-ready", state="attached")
    page.evaluate("window.__marker = 'first load'")
    problems = []
    for url, name, smaller, larger in [
        (site.url + "targets/", "Volume (vehicles)", "550,000", "550,000–600,000"),
        (site.url, TARGET, "550,000", "1 million"),
    ]:
        links = page.locator("nav.md-nav--primary a.md-nav__link")
        hrefs = links.evaluate_all("links => links.map(a => a.href.split('#')[0])")
        if url not in hrefs:
            return [f"no sidebar link to {url} in {hrefs}"]
        links.nth(hrefs.index(url)).click()
        page.wait_for_url(url)
        page.wait_for_function(
            "n => [...document.querySelectorAll('th')].some(th => th.textContent.trim() === n)", arg=name
        )
        if page.evaluate("window.__marker") != "first load":
            return [f"{url}: a full page load, not instant navigation"]
        page.wait_for_timeout(200)  # document$ fires once the new content is in
        problems += [f"{url}: {p}" for p in sort_problems(page, GLANCE, name, smaller, larger, "click")]
    return problems


def test_sorting_survives_instant_navigation(site: Site, browser: Browser):
    watch = Watch()
    page = new_page(browser, watch)
    problems = instant_navigation_problems(page, site)
    assert not problems, "\n".join(problems)
    assert not watch.problems, watch.problems
    page.context.close()


def test_the_navigation_check_fails_when_tables_are_set_up_on_first_load_only(site: Site, browser: Browser):
    page = new_page(browser, Watch())
    serve_changed(
        page,
        "**/assets/tables.js",
        lambda text: text.replace("if (window.document$) { window.document$.subscribe(setUpAll); }", ""),
    )
    problems = instant_navigation_problems(page, site)
    assert any("has no button" in p for p in problems), problems
    page.context.close()


def test_the_desktop_check_fails_when_cards_show_at_every_width(site: Site, browser: Browser):
    page = new_page(browser, Watch())
    serve_changed(
        page,
        "**/assets/briefing.css",
        lambda text: text.replace("@media screen and (max-width: 44.9375em)", "@media screen"),
    )
    problems = desktop_problems(page, site.url + "ai/")
    assert any("not a plain table" in p for p in problems), problems
    page.context.close()


def test_the_desktop_check_fails_when_the_sentence_column_is_not_kept_wide(site: Site, browser: Browser):
    page = new_page(browser, Watch())
    # Material's own table layout: every column at least 5rem, the sentences squeezed
    serve_changed(
        page,
        "**/assets/briefing.css",
        lambda text: text.replace(
            "@media screen and (min-width: 45em)", "@media print and (min-width: 45em)"
        ),
    )
    problems = desktop_problems(page, site.url + "overseas/")
    assert any("characters a line" in p for p in problems), problems
    page.context.close()
