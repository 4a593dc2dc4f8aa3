import html
import json
import re
from pathlib import Path

import markdown
import pytest
from conftest import REPO

from briefing.cache import Cache
from briefing.charts import build_charts
from briefing.errors import TemplateError
from briefing.images import ChartImages
from briefing.model import build_model
from briefing.read import read_dataset
from briefing.render import (
    PRINT_PAGE,
    SiteInfo,
    _render,
    chart_attribute,
    make_environment,
    markdown_text,
    render_site,
)
from briefing.validate import validate_dataset

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[go](javascript:alert(3))",
    "a | b",
    "`code` and *stars* and _under_",
    "سلام עולם 🚗 中国汽车",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_free_text_renders_as_the_same_visible_text(text):
    rendered = markdown.markdown(markdown_text(text), extensions=["tables"])
    visible = html.unescape(re.sub(r"<[^>]+>", "", rendered))
    assert visible == text
    assert "<script" not in rendered and "onerror=" not in rendered.replace("onerror=alert", "")
    assert 'href="javascript' not in rendered


def test_a_pipe_does_not_cut_a_table_cell():
    table = f"| a | b |\n| --- | --- |\n| {markdown_text('x | y')} | z |\n"
    rendered = markdown.markdown(table, extensions=["tables"])
    assert re.findall(r"<td>(.*?)</td>", rendered) == ["x | y", "z"]


def test_chart_attribute_round_trips_through_a_single_quoted_attribute():
    spec = {"title": 'It\'s <b> & "quoted"'}
    attribute = chart_attribute(spec)
    assert "'" not in attribute and "<" not in attribute
    assert json.loads(html.unescape(attribute)) == spec


def write_template(tmp_path: Path, text: str) -> Path:
    (tmp_path / "page.md.j2").write_text(text)
    return tmp_path


def test_undefined_name_is_an_error_with_template_and_line(tmp_path):
    environment = make_environment(write_template(tmp_path, "# Title\n\n{{ org.hq }}\n"))
    with pytest.raises(TemplateError) as error:
        _render(environment, "page.md.j2", {"org": {"name": "x"}})
    assert str(error.value) == "templates/page.md.j2, line 3: 'dict object' has no attribute 'hq'"


def test_template_syntax_error_names_template_and_line(tmp_path):
    environment = make_environment(write_template(tmp_path, "ok\n{% if %}\n"))
    with pytest.raises(TemplateError) as error:
        _render(environment, "page.md.j2", {})
    assert str(error.value).startswith("templates/page.md.j2, line 2: ")


def test_templates_hold_no_literal_figure():
    """Every number on the site comes from data/ through the model, never from a template."""
    for template in (REPO / "templates").glob("*.j2"):
        text = template.read_text()
        layout = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", "", text, flags=re.S)
        figures = re.findall(r"\d", layout)
        assert not figures, f"{template.name} has a literal figure"


def test_templates_compile_once_and_again_once_edited(tmp_path, monkeypatch):
    import jinja2

    from briefing.render import make_environment

    compiled = []
    compile_template = jinja2.Environment.compile

    def counted(self, source, *arguments, **keywords):
        compiled.append(source)
        return compile_template(self, source, *arguments, **keywords)

    monkeypatch.setattr(jinja2.Environment, "compile", counted)
    template = tmp_path / "page.md.j2"
    template.write_text("one {{ x }}")
    assert make_environment(tmp_path).get_template("page.md.j2").render(x=1) == "one 1"
    assert make_environment(tmp_path).get_template("page.md.j2").render(x=2) == "one 2"
    assert compiled == ["one {{ x }}"]  # the second environment reused the compiled code
    template.write_text("two {{ x }}")
    assert make_environment(tmp_path).get_template("page.md.j2").render(x=3) == "two 3"
    assert compiled == ["one {{ x }}", "two {{ x }}"]
    # a fresh process (a new in-memory store) finds the compiled code in the build's cache folder
    from briefing import cache

    monkeypatch.setattr(cache.COMPILED_TEMPLATES, "_code", {})
    monkeypatch.setattr(cache.COMPILED_TEMPLATES, "_kept", cache.Cache(tmp_path / "cache"))
    assert make_environment(tmp_path).get_template("page.md.j2").render(x=4) == "two 4"
    assert compiled[2:] == ["two {{ x }}"]
    monkeypatch.setattr(cache.COMPILED_TEMPLATES, "_code", {})
    assert make_environment(tmp_path).get_template("page.md.j2").render(x=5) == "two 5"
    assert compiled[2:] == ["two {{ x }}"]


def test_only_the_pages_asked_for_are_rendered_each_as_in_the_whole_site():
    """What the preview's quick pass renders: the pages a browser shows, and every file that is
    not a page (the robots file, the data, the charts' downloads)."""
    model = build_model(validate_dataset(read_dataset(REPO / "data")))
    charts = build_charts(model, Cache(None))
    images = {
        chart_id: ChartImages(b'<svg width="720" height="400"/>', b"", b'<svg width="360" height="9"/>', True)
        for chart_id in charts
    }
    site = SiteInfo("Briefing", "http://127.0.0.1:8000/", "2026-11-24", directory_urls=True)
    whole = render_site(model, charts, images, {}, site, REPO / "templates", Cache(None))
    asked = {"targets.md", "organisations/byd.md"}
    some = render_site(model, charts, images, {}, site, REPO / "templates", Cache(None), only_pages=asked)

    assert {path for path in some if path.endswith(".md")} == asked
    assert {path: some[path] for path in asked} == {path: whole[path] for path in asked}
    others = {path: content for path, content in whole.items() if not path.endswith(".md")}
    assert {path: content for path, content in some.items() if not path.endswith(".md")} == others
    assert PRINT_PAGE in whole and "robots.txt" in others
