"""Every number written on the site comes from data/ or from the model: nothing typed by hand."""

import re
from html.parser import HTMLParser

import pytest
from conftest import make_project

from briefing.build import BuildReport, Project, build
from briefing.cache import Cache
from briefing.charts import build_charts
from briefing.figures import readable
from briefing.model import build_model
from briefing.read import read_dataset
from briefing.validate import validate_dataset

NUMBER = re.compile(r"(?<![\w.-])\d[\d,]*(?:\.\d+)?(?![\w-])")


def numbers_in(text: str) -> set[float]:
    return {float(match.replace(",", "")) for match in NUMBER.findall(text)}


def known_numbers(project) -> set[float]:
    """Numbers found anywhere in data/ (cells, the schema), the model's derived values, and the
    counts and values of what each chart plots."""
    known = set()
    for path in (project / "data").iterdir():
        in_file = numbers_in(path.read_text())
        # as pages write them: 34700000 -> "34.7 million"
        known |= in_file | {n for value in in_file for n in numbers_in(readable(value))}
    dataset = validate_dataset(read_dataset(project / "data"))
    model = build_model(dataset)
    for frame in dataset.tables.values():
        known.add(float(len(frame)))
        known |= {float(frame[column].nunique()) for column in frame.columns}
        known |= {float(frame[column].count()) for column in frame.columns}
    derived = [t[name] for t in model.targets for name in ("implied_base", "increment") if t[name]]
    if model.market:
        derived += [model.market["base"], model.market["increment"]]
    if model.combined:
        derived.append(model.combined["increment"])
    derived += [row[name] for row in model.reported_bases for name in ("base", "gap")]
    for figure in derived:
        known |= numbers_in(" ".join([figure.text, *figure.formulas]))
    known.add(float(len(model.timeline)))
    known.add(float(len(model.organisations)))
    for chart in build_charts(model, Cache(None)).values():
        known.add(float(len(chart.data)))
        known |= {float(chart.data[column].nunique()) for column in chart.data.columns}
        known |= numbers_in(chart.description)
    return known


class ProseText(HTMLParser):
    """The text of a page's content, prose and tables: no scripts, styles, code (ids), chart
    data tables (the chart's own plotted values) or theme chrome."""

    # footnote markers (sup) are reference numbers, not figures
    SKIPPED = frozenset({"script", "style", "code", "svg", "details", "nav", "header", "footer", "sup"})

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.inside_content = 0
        self.chunks = []

    def handle_starttag(self, tag, attrs):
        if "md-content" in (dict(attrs).get("class") or ""):
            self.inside_content = 1
        if tag in self.SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.inside_content and not self.depth:
            self.chunks.append(data)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = make_project(tmp_path_factory.mktemp("figures"))
    build(Project.at(project), BuildReport(say=lambda line: None))
    return project


def test_every_figure_in_the_prose_is_in_the_data_or_the_model(built):
    known = known_numbers(built)
    strays = {}
    for page in sorted((built / "site").rglob("*.html")):
        if page.name == "404.html":
            continue
        parser = ProseText()
        parser.feed(page.read_text())
        text = " ".join(parser.chunks)
        # the cite line's address and build date come from the site's settings and the clock
        text = re.sub(r"built \d{4}-\d{2}-\d{2}|https?://\S+", "", text)
        unknown = numbers_in(text) - known
        if unknown:
            strays[str(page.relative_to(built / "site"))] = sorted(unknown)
    assert strays == {}


def test_a_figure_typed_into_a_template_is_caught(built, tmp_path):
    project = make_project(tmp_path / "typed")
    page = project / "templates" / "outlook.md.j2"
    page.write_text(
        page.read_text().replace("# Market outlook", "# Market outlook\n\nSales may reach 41.3 million.")
    )
    build(Project.at(project), BuildReport(say=lambda line: None))
    parser = ProseText()
    parser.feed((project / "site" / "outlook" / "index.html").read_text())
    assert 41.3 in numbers_in(" ".join(parser.chunks)) - known_numbers(project)
