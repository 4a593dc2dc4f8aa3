"""MkDocs hooks: valid HTML from the theme, theme templates compiled once a process, the chart
loader on pages with a chart, labels and sort values on the tables the templates mark, every
table in the wrapper Material's script would otherwise move it into, and links to other sites
marked as such.

The preview server (`make serve`, briefing/serve.py) builds many times in one process; the
theme's templates are then compiled once instead of on every rebuild.
"""

from __future__ import annotations

import html
import json
import math
import re
from fnmatch import fnmatch
from html.parser import HTMLParser

from briefing.cache import COMPILED_TEMPLATES
from briefing.engine import relative_url
from briefing.render import PRINT_FILES

# Material 9.8 writes tabindex="" on navigation section labels (with navigation.sections),
# which the HTML standard does not allow; a label without tabindex behaves the same.
_EMPTY_TABINDEX = re.compile(r'(<label class="md-nav__link[^"]*" for="[^"]*" id="[^"]*") tabindex=""')


def on_env(env, config, files):
    env.bytecode_cache = COMPILED_TEMPLATES
    return env


def on_post_template(output: str, template_name: str, config) -> str:
    return _EMPTY_TABINDEX.sub(r"\1", output)  # pages like 404.html, which on_post_page never sees


def on_post_page(output: str, page, config) -> str:
    output = load_chart_scripts(_EMPTY_TABINDEX.sub(r"\1", output), page)
    return without_footnote_tooltips(output) if fnmatch(page.file.src_uri, PRINT_FILES) else output


# The printable pages show what they print: their footnotes are listed at their end, with no
# tooltip for each mark. Material mounted one for each of the 228 marks of the printable page at
# load (~0.1 s of script at 4x CPU). Material reads its features from the __config of the page
# a reader opens first (instant navigation keeps them): from the printable page, other pages'
# footnote marks have no tooltip either until a page is loaded anew.
FOOTNOTE_TOOLTIPS = "content.footnote.tooltips"
_CONFIG_FEATURES = re.compile(
    r'(<script id="__config" type="application/json">\{.*?"features": )(\[[^\]]*\])', re.S
)


def without_footnote_tooltips(output: str) -> str:
    """The page without Material's footnote tooltips."""

    def dropped(config: re.Match) -> str:
        features = [feature for feature in json.loads(config[2]) if feature != FOOTNOTE_TOOLTIPS]
        return config[1] + json.dumps(features)

    return _CONFIG_FEATURES.sub(dropped, output, count=1)


# Only pages with a chart load the chart scripts (Vega's bundle is most of the site's JavaScript):
# docs/assets/chart-loader.js, placed inside the content, where Material's instant navigation
# re-creates scripts when it swaps a page in, adds Vega and charts.js once (see its comment).
CHART_LOADER = "assets/chart-loader.js"
CHART_MARK = 'class="vl-chart"'
_CONTENT_END = "</article>"  # Material's md-content__inner, inside data-md-component=container


def load_chart_scripts(output: str, page) -> str:
    """The page with the chart loader at the end of its content if it has a chart."""
    end = output.rfind(_CONTENT_END)
    if CHART_MARK not in output or end < 0:
        return output
    loader = f'<script src="{relative_url(CHART_LOADER, page.url)}"></script>'
    return output[:end] + loader + output[end:]


# Tables the templates mark by a wrapping <div> (md_in_html): "table-cards" for tables whose
# cells hold sentences, which become one card a row on narrow screens, each cell labelled by its
# column's header (data-label, shown by briefing.css); "table-sortable" for tables a reader can
# sort (docs/assets/tables.js), each figure ordered by the number the template put in a
# <data value> inside its cell (data-sort, which tablesort reads; "" where a cell of a figure
# column has none, sorted last), columns without figures left unsorted except the first (names).
CARDS, SORTABLE = "table-cards", "table-sortable"
# A card table's column with a cell this long holds sentences: class="prose" on its cells keeps
# it wide enough to read where the table is a table (briefing.css).
PROSE = 60
# briefing.css lays a card table out only as it nears the screen; until then the table holds the
# height its cards take on a phone, estimated from their text (in rem): a card's padding, and for
# each cell its padding and its lines of LINE_CHARACTERS. Generous on purpose (1.14-2.0 times the
# real height at 320-390 px, measured on the seed site's 47 card tables): boxes that reached past
# the estimate would sit over the content that follows, where an audit (axe-core, in Lighthouse)
# reads the background of a text the browser has not laid out yet (axe-core issue 2768).
CARD_REM, CELL_REM, LINE_REM, LINE_CHARACTERS = 1.6, 1.5, 1.2, 26


def cards_height(rows: list[list[int]]) -> int:
    """Estimated height in rem of a card table on a phone, from each row's cells' text lengths."""

    def cell(length: int) -> float:
        return CELL_REM + LINE_REM * max(1, math.ceil(length / LINE_CHARACTERS))

    return math.ceil(sum(CARD_REM + sum(map(cell, row)) for row in rows))


class _Table:
    def __init__(self, cards: bool, sortable: bool, wrapper_end: int) -> None:
        self.cards, self.sortable = cards, sortable
        self.wrapper_end = wrapper_end  # offset of the end of its wrapper's start tag
        self.rows: list[list[int]] = []  # each body row's cells' text lengths
        self.headers: list[tuple[int, str]] = []  # (offset of the <th> tag's end, its text)
        self.cells: list[tuple[int, int, str | None]] = []  # (offset, column, sort value)
        self.prose: set[int] = set()  # columns with a cell of at least PROSE characters
        self.column = 0
        self.in_head = False
        self.text: list[str] | None = None  # a header's text while inside it
        self.cell: list | None = None  # the open <td>: [offset, column, sort value, text length]


class _TableMarker(HTMLParser):
    """Finds the marked tables and where each <th> and <td> start tag ends; page text is never
    rebuilt, only attributes inserted at those offsets."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", page)]
        self.divs: list[tuple[set[str], int]] = []  # each open <div>'s classes, its start tag's end
        self.table: _Table | None = None
        self.depth = 0  # tables open inside the marked one (left alone)
        self.insertions: list[tuple[int, str]] = []

    def _tag_end(self) -> int:
        """Offset of the closing '>' (or '/>') of the start tag just read."""
        line, column = self.getpos()
        start = self.line_starts[line - 1] + column
        text = self.get_starttag_text() or ""
        return start + len(text) - (2 if text.endswith("/>") else 1)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.table is None:
            if tag == "div":
                self.divs.append((set((attributes.get("class") or "").split()), self._tag_end()))
            elif tag == "table" and self.divs and self.divs[-1][0] & {CARDS, SORTABLE}:
                classes, wrapper_end = self.divs[-1]
                self.table = _Table(CARDS in classes, SORTABLE in classes, wrapper_end)
            return
        table = self.table
        if tag == "table":
            self.depth += 1
        if self.depth:
            return
        if tag == "thead":
            table.in_head = True
        elif tag == "tr":
            table.column = 0
            if not table.in_head:
                table.rows.append([])
        elif tag == "th" and table.in_head:
            table.headers.append((self._tag_end(), ""))
            table.text = []
        elif tag == "td":
            table.cell = [self._tag_end(), table.column, None, 0]
        elif tag == "data" and table.cell is not None and table.cell[2] is None:
            table.cell[2] = attributes.get("value")

    def handle_endtag(self, tag: str) -> None:
        table = self.table
        if table is None:
            if tag == "div" and self.divs:
                self.divs.pop()
            return
        if tag == "table":
            if self.depth:
                self.depth -= 1
            else:
                self._finish(table)
                self.table = None
            return
        if self.depth:
            return
        if tag == "thead":
            table.in_head = False
        elif tag == "th" and table.text is not None:
            offset, _ = table.headers[-1]
            table.headers[-1] = (offset, " ".join("".join(table.text).split()))
            table.text = None
            table.column += 1
        elif tag == "td" and table.cell is not None:
            table.cells.append((table.cell[0], table.cell[1], table.cell[2]))
            table.rows[-1].append(table.cell[3])
            if table.cell[3] >= PROSE:
                table.prose.add(table.cell[1])
            table.cell = None
            table.column += 1

    def handle_data(self, data: str) -> None:
        if self.table is None or self.depth:
            return
        if self.table.text is not None:
            self.table.text.append(data)
        if self.table.cell is not None:
            self.table.cell[3] += len(" ".join(data.split()))

    def _finish(self, table: _Table) -> None:
        if table.cards:
            style = f' style="--cards-height: {cards_height(table.rows)}rem"'
            self.insertions.append((table.wrapper_end, style))
        figures = {column for _, column, value in table.cells if value is not None}
        if table.sortable:
            for column, (offset, _) in enumerate(table.headers):
                if column in figures:
                    self.insertions.append((offset, ' data-sort-method="number"'))
                elif column != 0:
                    self.insertions.append((offset, ' data-sort-method="none"'))
        for offset, column, value in table.cells:
            attributes = ""
            if table.cards and column < len(table.headers):
                attributes += f' data-label="{html.escape(table.headers[column][1], quote=True)}"'
            if table.cards and column in table.prose:
                attributes += ' class="prose"'
            if table.sortable and column in figures:
                attributes += f' data-sort="{html.escape(value or "", quote=True)}"'
            if attributes:
                self.insertions.append((offset, attributes))


def mark_tables(page: str) -> str:
    """A page's content with its marked tables' cells labelled and given their sort values."""
    if CARDS not in page and SORTABLE not in page:
        return page
    marker = _TableMarker(page)
    marker.feed(page)
    marker.close()
    parts, last = [], 0
    for offset, attributes in sorted(marker.insertions):
        parts += [page[last:offset], attributes]
        last = offset
    return "".join([*parts, page[last:]])


# Material's script wraps every table without a class in two <div>s (its sideways scroll) as a
# page loads; moving a table makes the browser style and lay it out again, on the printable page
# the largest part of a phone's blocking time (issue 13). The build writes the same wrapper, and
# the class keeps Material's script off the table; briefing.css gives it Material's table style.
_TABLE_TAG = re.compile(r"<table\b[^>]*>|</table>")
_WRAPPER_START = (
    '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="prewrapped">'
)
_WRAPPER_END = "</table></div></div>"


def wrap_tables(page: str) -> str:
    """A page's content with each table without attributes (Markdown's) in Material's wrapper;
    tables may nest."""
    bare: list[bool] = []  # whether each open table is without attributes

    def wrapped(tag: re.Match) -> str:
        if tag.group() != "</table>":
            bare.append(tag.group() == "<table>")
            return _WRAPPER_START if bare[-1] else tag.group()
        return _WRAPPER_END if bare and bare.pop() else tag.group()

    return _TABLE_TAG.sub(wrapped, page)


# Printed, a link to another site shows its address (briefing.css). The stylesheet cannot tell
# such a link by its address: Material's instant navigation makes every address in the page
# absolute once it has loaded (and so, printed, each footnote mark was followed by this page's
# own address). The build marks them while they are told apart by their address: absolute, and
# not under the site's own address (a page's citation links to itself).
_LINK_TAG = re.compile(r"<a\b[^>]*>")
_ABSOLUTE_HREF = re.compile(r'\shref="(?P<address>(?:https?:)?//[^"]*)"', re.I)


def mark_external_links(page: str, site_url: str | None) -> str:
    """A page's content with rel="external" on each link (without a rel) to another site."""

    def marked(tag: re.Match) -> str:
        start = tag.group()
        absolute = _ABSOLUTE_HREF.search(start)
        if " rel=" in start or not absolute or (site_url and absolute["address"].startswith(site_url)):
            return start
        return '<a rel="external"' + start[2:]

    return _LINK_TAG.sub(marked, page)


def on_page_content(output: str, page, config, files) -> str:
    return mark_external_links(wrap_tables(mark_tables(output)), config["site_url"])
