"""The built briefing reads as an analyst would write it: classes of editorial error, each checked
on every page of the real site."""

import html
import re

import pytest
from conftest import make_project

from briefing.build import BuildReport, Project, build
from briefing.model import build_model
from briefing.read import read_dataset
from briefing.render import attributed
from briefing.validate import validate_dataset


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("editorial"))
    build(Project.at(project), BuildReport(say=lambda line: None))
    model = build_model(validate_dataset(read_dataset(project / "data")))
    pages = {
        str(path.relative_to(project / "site")): path.read_text()
        for path in sorted((project / "site").rglob("*.html"))
        if path.name != "404.html"
    }
    return model, pages


def visible_text(page: str) -> str:
    """A page's content as a reader sees it: tags dropped, entities decoded, no chart specs."""
    content = page.split('<article class="md-content__inner', 1)[-1].split("</article>", 1)[0]
    content = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", content, flags=re.S)
    content = re.sub(r"data-vega='[^']*'", "", content)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", content)).split())


def test_reported_speech_is_never_in_quotation_marks(built):
    model, pages = built
    reported = [q for q in model.quotes if q["kind"] == "reported"]
    assert reported, "the dataset has reported statements to check"
    problems = []
    for name, page in pages.items():
        quoted = " ".join(re.findall(r"<blockquote>(.*?)</blockquote>", page, flags=re.S))
        text = visible_text(page)
        for q in reported:
            words = " ".join(q["text"].split())
            if f"“{words}”" in text or f"“{words[:1].upper()}{words[1:]}”" in text:
                problems.append(f"{name}: reported statement {q['quote_id']} in quotation marks")
            if html.escape(words, quote=False)[:40] in quoted:
                problems.append(f"{name}: reported statement {q['quote_id']} set as a block quote")
    assert problems == []


def test_each_direct_quote_is_a_block_of_its_own(built):
    model, pages = built
    direct = [html.escape(q["text"], quote=False) for q in model.quotes if q["kind"] == "direct"]
    problems = []
    for name, page in pages.items():
        for block in re.findall(r"<blockquote>(.*?)</blockquote>", page, flags=re.S):
            held = [text for text in direct if text in block]
            if len(held) > 1:
                problems.append(f"{name}: {len(held)} quotes run together in one block")
    assert problems == []
    assert any("<blockquote>" in page for page in pages.values()), "no direct quote was shown"


def test_no_unit_is_pluralised_after_one(built):
    _, pages = built
    plural_after_one = re.compile(r"(?<![\d.,–-])1 (?:years|regions|months|units|percents)\b")
    unit_inside_range = re.compile(r"\d (?:years|regions)–\d")
    problems = [
        f"{name}: {match[0]!r}"
        for name, page in pages.items()
        for pattern in (plural_after_one, unit_inside_range)
        for match in pattern.finditer(visible_text(page))
    ]
    assert problems == []


def test_every_derived_figure_shown_has_its_formula_on_the_same_page(built):
    model, pages = built
    derived = [t[name] for t in model.targets for name in ("implied_base", "increment") if t[name]]
    derived += [model.market["base"], model.market["increment"], model.combined["increment"]]
    problems = []
    for name, page in pages.items():
        text = visible_text(page)
        for figure in derived:
            if figure.text in text and not any(formula in text for formula in figure.formulas):
                problems.append(f"{name}: {figure.text!r} without its formula {figure.formulas}")
    assert problems == []
    assert "about 597,000" in visible_text(pages["index.html"])  # the rounded base, not 597,015
    assert "597,015" not in visible_text(pages["index.html"]).split("How the derived figures")[0]


def test_each_evidence_excerpt_shows_once_a_page(built):
    model, pages = built
    excerpts = {
        e["evidence"] for rows in model.evidence.values() for e in rows.rows if len(e["evidence"]) > 40
    }
    problems = []
    for name, page in pages.items():
        if name == "method/index.html":  # the full evidence table, by table: once within each
            continue
        text = visible_text(page)
        for excerpt in excerpts:
            count = text.count(f"“{' '.join(excerpt.split())}”")
            if count > 1:
                problems.append(f"{name}: {excerpt[:50]!r}… shown {count} times")
    assert problems == []


def test_topics_keep_their_capitals_and_attributions_are_not_repeated(built):
    _, pages = built
    text = " ".join(visible_text(page) for page in pages.values())
    assert "AI as KPI" in text
    assert "Ai as kpi" not in text
    assert attributed("Roland Berger forecasts more.", "Roland Berger") == "Roland Berger forecasts more\\."
    assert attributed("The market will grow.", "CAAM") == "The market will grow\\. (CAAM)"


def test_hedges_stay_as_stated_on_the_overview(built):
    _, pages = built
    text = visible_text(pages["index.html"])
    assert "under 430,000" in text  # one bound, from the target's low end
    assert "429,688–468,750" not in text and "468,750" not in text
    assert "34.7 million" in text
    assert "times the market growth" not in text  # a company's rate over the market's is no comparison


def test_a_year_column_holds_years(built):
    """'Timing: annual' is a sales period, not a year: a target's year is a year or says there is
    none (in the targets' Year column, and after the volume at a glance: "3.45 million in 2026")."""
    _, pages = built
    years = {
        "targets/index.html": ("Year", re.compile(r"^(?:\d{4}|year not stated|every year)$")),
        "index.html": (
            "Target (vehicles)",
            re.compile(r"^(?:—|\S.* (?:in \d{4}|\((?:year not stated|every year)\)))$"),
        ),
    }
    problems, checked = [], set()
    for name, (header, allowed) in years.items():
        for table in re.findall(r"<table\b.*?</table>", pages[name], flags=re.S):
            headers = [visible_text(h) for h in re.findall(r"<th\b.*?</th>", table, flags=re.S)]
            if header not in headers:
                continue
            checked.add(name)
            column = headers.index(header)
            for row in re.findall(r"<tr\b.*?</tr>", table, flags=re.S)[1:]:
                cells = re.findall(r"<td\b.*?</td>", row, flags=re.S)
                text = visible_text(re.sub(r"<sup\b.*?</sup>", "", cells[column]))  # less its footnote mark
                if not allowed.match(text):
                    problems.append(f"{name}: {header} cell {text!r}")
    assert problems == []
    assert checked == set(years), "each table of targets states its years"
