"""briefing/hooks.py's table and link marking: card tables' cells labelled by their headers,
sortable tables' figures given the numbers they sort by, links to other sites marked as such;
everything else on the page left byte for byte."""

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import material
from conftest import REPO

from briefing.hooks import mark_tables, on_page_content, on_post_page, wrap_tables


def table(wrapper: str | None, header: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th>{h}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>\n" for row in rows)
    markup = f"<table>\n<thead>\n<tr>{head}</tr>\n</thead>\n<tbody>\n{body}</tbody>\n</table>"
    return f'<div class="{wrapper}">\n{markup}\n</div>' if wrapper else markup


class Cells(HTMLParser):
    """Each <td> and <th>'s attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.td: list[dict[str, str | None]] = []
        self.th: list[dict[str, str | None]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("td", "th"):
            getattr(self, tag).append(dict(attrs))


def cells(page: str) -> Cells:
    parser = Cells()
    parser.feed(page)
    return parser


def test_card_table_cells_are_labelled_by_their_column_headers():
    page = table(
        "table-cards", ["Organisation", "Plan <em>(as stated)</em>"], [["Xpeng", "A long plan."]] * 2
    )
    marked = mark_tables(page)
    assert [td["data-label"] for td in cells(marked).td] == ["Organisation", "Plan (as stated)"] * 2
    # nothing but the attributes changes (see the test on the cards' height)
    for attribute in (' data-label="Organisation"', ' data-label="Plan (as stated)"'):
        marked = marked.replace(attribute, "")
    assert re.sub(r' style="--cards-height: \d+rem"', "", marked) == page


def test_labels_are_escaped_and_hostile_cell_text_stays_inert():
    header = ["Say &quot;hi&quot; &lt;b&gt; | ' &amp; مرحبا 🚗", "Evidence"]
    hostile = "&lt;script&gt;alert(1)&lt;/script&gt; | &quot;quoted&quot; ' مرحبا שלום 🚗 &lt;img src=x"
    page = table("table-cards", header, [["a", hostile]])
    marked = mark_tables(page)
    labels = [td["data-label"] for td in cells(marked).td]
    assert labels == ['Say "hi" <b> | \' & مرحبا 🚗', "Evidence"]
    assert 'data-label="Say &quot;hi&quot; &lt;b&gt; | &#x27; &amp; مرحبا 🚗"' in marked
    assert hostile in marked and "<script" not in marked


def test_only_tables_in_a_marked_wrapper_are_touched():
    plain = table(None, ["Plan"], [["A long plan."]])
    other = table("admonition", ["Plan"], [["A long plan."]])
    chart_data = '<details class="chart-data">' + table(None, ["Year"], [["2026"]]) + "</details>"
    page = "\n".join([plain, other, chart_data, "<p>table-cards is only a word here</p>"])
    assert mark_tables(page) == page
    assert on_page_content(page, page=None, config={"site_url": None}, files=None) == wrap_tables(page)


WRAPPER_START = (
    '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table class="prewrapped">'
)


def test_every_markdown_table_is_in_materials_wrapper_already_so_its_script_leaves_it_in_place():
    """Material's script moves each table without a class into this wrapper at load (a restyle
    and layout of the table on a phone): the build writes it, and the class keeps the script off."""
    inner = table(None, ["Inner"], [["x"]])
    page = "\n".join([table("table-cards", ["Outer", "Other"], [[inner, "y"]]), table(None, ["A"], [["b"]])])
    wrapped = wrap_tables(page)
    # Material's selector for the tables it wraps finds none
    assert "<table>" not in wrapped and wrapped.count(WRAPPER_START) == 3
    # the wrappers nest as the tables do, and nothing else changes
    assert wrapped.replace(WRAPPER_START, "<table>").replace("</table></div></div>", "</table>") == page
    assert wrapped.index("Inner") < wrapped.index("</table></div></div>") < wrapped.index("<td>y</td>")


def cards_height(page: str) -> list[int]:
    return [int(rem) for rem in re.findall(r'<div class="[^"]*" style="--cards-height: (\d+)rem">', page)]


def test_card_tables_hold_the_height_of_their_cards_estimated_from_their_text():
    """briefing.css lays out a card table only near the screen; until then it holds this height."""
    short = table("table-cards", ["Name", "Plan"], [["Xpeng", "Short."]])
    two_rows = table("table-cards", ["Name", "Plan"], [["Xpeng", "Short."]] * 2)
    long_plan = table("table-cards", ["Name", "Plan"], [["Xpeng", "A plan of many words. " * 10]])
    linked = table("table-cards", ["Name", "Plan"], [["Xpeng", '<a href="https://example.com/">Short.</a>']])
    sortable = table("table-sortable", ["Plan"], [["Short."]])
    [one, two, long, with_link] = cards_height(mark_tables("\n".join([short, two_rows, long_plan, linked])))
    # a card's padding, then each of its two cells' padding and lines (1.6 + 2 * (1.5 + 1.2))
    assert one == 7 and with_link == one
    assert two == 14
    assert long == 17  # 1.6 + (1.5 + 1.2) + (1.5 + 9 * 1.2): its 219 characters take 9 lines
    assert cards_height(mark_tables(sortable)) == []
    assert 'style="' not in mark_tables(sortable)


def test_a_table_the_page_gave_attributes_is_left_to_material():
    page = '<table class="highlight"><tr><td><table><tr><td>x</td></tr></table></td></tr></table>'
    wrapped = wrap_tables(page)
    assert wrapped.startswith('<table class="highlight">') and wrapped.endswith("</td></tr></table>")
    assert wrapped.count('class="prewrapped"') == 1 and wrapped.count("</div></div>") == 1


def test_a_table_nested_in_a_card_table_cell_is_left_alone():
    inner = table(None, ["Inner"], [["x"]])
    page = table("table-cards", ["Outer", "Other"], [[inner, "y"]])
    marked = cells(mark_tables(page))
    assert [td.get("data-label") for td in marked.td] == ["Outer", None, "Other"]


def test_sortable_table_cells_carry_their_figures_and_headers_say_how_they_sort():
    rows = [
        ["Leapmotor", '<data value="1000000">1 million</data>', '<a href="x">Source</a>'],
        ["Xpeng", '<data value="575000">550,000–600,000</data>', "—"],
        ["Nio", "—", "—"],
    ]
    page = table("table-sortable", ["Automaker", "Target", "Source"], rows)
    marked = cells(mark_tables(page))
    assert [th.get("data-sort-method") for th in marked.th] == [None, "number", "none"]
    assert [td.get("data-sort") for td in marked.td] == [
        None,
        "1000000",
        None,
        None,
        "575000",
        None,
        None,
        "",
        None,
    ]
    assert not any("data-label" in td for td in marked.td)  # not a card table


def test_a_table_both_sortable_and_cards_gets_both():
    page = table("table-sortable table-cards", ["Table", "Rows"], [["Sources", '<data value="1">1</data>']])
    marked = cells(mark_tables(page))
    assert marked.td == [{"data-label": "Table"}, {"data-label": "Rows", "data-sort": "1"}]


def test_figures_on_the_built_pages_read_as_they_are_written():
    """The cell's text is what the template wrote; the number only goes into attributes."""
    page = table("table-sortable", ["Year"], [['<data value="2026">2026</data>'], ["year not stated"]])
    marked = mark_tables(page)
    text = html.unescape(marked)
    assert "year not stated" in text and ">2026</data>" in text


def test_a_card_tables_sentence_column_is_marked_as_prose():
    sentence = "Xpeng aims this year to be the first globally to mass produce three AI products."
    page = table("table-cards", ["Organisation", "Plan"], [["Xpeng", sentence], ["Nio", "short"]])
    marked = cells(mark_tables(page))
    assert [td.get("class") for td in marked.td] == [None, "prose", None, "prose"]
    plain = table("table-sortable", ["Organisation", "Plan"], [["Xpeng", sentence]])
    assert not any("class" in td for td in cells(mark_tables(plain)).td)  # cards only


def declarations(block: str) -> frozenset[tuple[str, str]]:
    pairs = (part.split(":", 1) for part in block.split(";") if part.strip())
    return frozenset((name.strip(), " ".join(value.split())) for name, value in pairs)


def test_the_prewrapped_tables_carry_materials_table_style():
    """briefing.css gives class="prewrapped" tables the rules Material's installed CSS has for
    tables without a class: every declaration block of those rules is in briefing.css (left out:
    right-to-left text, and the space after a table, which sits in its wrapper)."""
    stylesheets = Path(material.__file__).parent / "templates" / "assets" / "stylesheets"
    rules = re.findall(
        r"([^{}]*table:not\(\[class\]\)[^{}]*)\{([^{}]*)\}",
        next(stylesheets.glob("main.*.min.css")).read_text(),
    )
    theirs = {
        declarations(block) for selector, block in rules if not ("[dir=rtl]" in selector or "+*" in selector)
    }
    ours_css = (REPO / "docs/assets/briefing.css").read_text()
    ours = {declarations(block) for block in re.findall(r"table\.prewrapped[^{}]*\{([^{}]*)\}", ours_css)}
    assert len(theirs) >= 9, "Material's classless-table rules were not found: has its CSS changed?"
    assert theirs <= ours, f"Material's table rules missing from briefing.css: {theirs - ours}"


def test_links_to_other_sites_are_marked_external_and_nothing_else_changes():
    page = (
        '<p><a href="https://example.com/a">a</a> <a href="//example.org/">b</a>'
        ' <a href="#fn:e1" class="footnote-ref">1</a> <a href="../method/">c</a>'
        ' <a href="https://briefing.example/b/targets/">https://briefing.example/b/targets/</a>'
        ' <a rel="noopener" href="https://example.net/">d</a> <abbr title="x">y</abbr></p>'
    )
    assert on_page_content(page, None, {"site_url": "https://briefing.example/b/"}, None) == (
        '<p><a rel="external" href="https://example.com/a">a</a>'
        ' <a rel="external" href="//example.org/">b</a>'
        ' <a href="#fn:e1" class="footnote-ref">1</a> <a href="../method/">c</a>'
        ' <a href="https://briefing.example/b/targets/">https://briefing.example/b/targets/</a>'
        ' <a rel="noopener" href="https://example.net/">d</a> <abbr title="x">y</abbr></p>'
    )
    # without an address of its own, a site's absolute links are all to other sites
    assert on_page_content('<a href="https://x.example/">x</a>', None, {"site_url": None}, None) == (
        '<a rel="external" href="https://x.example/">x</a>'
    )


def test_the_printable_pages_have_no_footnote_tooltips_and_the_others_keep_them():
    config = (
        '<script id="__config" type="application/json">{"base": "..", "features": '
        '["navigation.instant", "content.footnote.tooltips", "search.highlight"], "search": "x"}</script>'
    )
    page = f"<html><body><article><p>x</p></article>{config}</body></html>"

    def features(path: str) -> list[str]:
        built = on_post_page(page, SimpleNamespace(file=SimpleNamespace(src_uri=path), url=""), None)
        found = re.search(r'<script id="__config" type="application/json">(.*?)</script>', built)
        return json.loads(found[1])["features"]

    for printable in ("print.md", "print-targets.md"):
        assert features(printable) == ["navigation.instant", "search.highlight"], printable
    for other in ("targets.md", "organisations/print-media.md", "index.md"):
        assert features(other) == ["navigation.instant", "content.footnote.tooltips", "search.highlight"], (
            other
        )
