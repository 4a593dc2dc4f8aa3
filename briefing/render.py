"""Stage 5, render: the model and charts through the Jinja2 templates into site files.

The result maps each path under docs/ to its bytes; nothing here touches the disk except
reading the templates.
"""

from __future__ import annotations

import html
import json
import re
import traceback
import urllib.parse
from pathlib import Path

import jinja2
import vl_convert

from briefing.charts import Chart
from briefing.errors import TemplateError
from briefing.formatting import bounded, number, with_unit
from briefing.model import Model

VEGA_LITE_VERSION = "6.4"
VEGA_BUNDLE_PATH = "assets/vendor/vega-bundle.js"
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")

# (template, output path) of the pages that exist once per site
SITE_PAGES = [
    ("index.md.j2", "index.md"),
    ("targets.md.j2", "targets.md"),
    ("overseas.md.j2", "overseas.md"),
    ("ai.md.j2", "ai.md"),
    ("outlook.md.j2", "outlook.md"),
    ("organisations.md.j2", "organisations/index.md"),
    ("people.md.j2", "people.md"),
    ("timeline.md.j2", "timeline.md"),
    ("method.md.j2", "method.md"),
    ("data.md.j2", "data.md"),
    ("nav.md.j2", "SUMMARY.md"),
]


def markdown_text(value: object) -> str:
    """Free text made inert in Markdown: HTML escaped, Markdown syntax backslash-escaped."""
    if value is None:
        return "—"
    text = " ".join(str(value).split())
    return MARKDOWN_SPECIALS.sub(r"\\\1", html.escape(text, quote=False))


def front_matter_value(value: object) -> str:
    """A YAML front-matter value; HTML-escaped because the theme puts it into <title> and meta tags raw."""
    return json.dumps(html.escape(str(value)), ensure_ascii=False)


def link_url(url: str) -> str:
    """An http(s) URL made safe as a Markdown link target: no scheme tricks, no breaking characters."""
    if not re.match(r"https?://", url):
        raise TemplateError(f"refusing to link to '{url}' (expected an http(s) URL)")
    return urllib.parse.quote(url, safe=":/?#@!$&*+,;=%~-._")


def chart_attribute(spec: dict) -> str:
    """A chart spec as the value of a single-quoted HTML attribute."""
    return html.escape(json.dumps(spec, separators=(",", ":"), sort_keys=True), quote=True)


def make_environment(templates_dir: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown output: free text goes through the md filter instead
    )
    environment.filters.update(
        md=markdown_text,
        front_matter=front_matter_value,
        link_url=link_url,
        number=number,
        bounded=bounded,
        with_unit=with_unit,
        chart_attribute=chart_attribute,
    )
    return environment


def render_site(model: Model, charts: dict[str, Chart], templates_dir: Path) -> dict[str, bytes]:
    environment = make_environment(templates_dir)
    context = {"model": model, "charts": charts, "vega_bundle": VEGA_BUNDLE_PATH}
    files = {path: _render(environment, template, context) for template, path in SITE_PAGES}
    for org in model.organisations.values():
        files[f"organisations/{org.id}.md"] = _render(
            environment, "organisation.md.j2", context | {"org": org}
        )
    encoded = {path: text.encode("utf-8") for path, text in files.items()}
    encoded[VEGA_BUNDLE_PATH] = vega_bundle()
    for file_name, raw in model.data_files.items():
        encoded[f"data/{file_name}"] = raw
    return encoded


def vega_bundle() -> bytes:
    # the bundle declares top-level names; the wrapper keeps all but the window globals private
    script = vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    return f"(function () {{\n{script}\n}})();\n".encode()


def _render(environment: jinja2.Environment, template: str, context: dict) -> str:
    try:
        return environment.get_template(template).render(context)
    except jinja2.TemplateSyntaxError as error:
        raise TemplateError(
            f"templates/{error.name or template}, line {error.lineno}: {error.message}"
        ) from None
    except jinja2.TemplateNotFound as error:
        raise TemplateError(
            f"templates/{error.name}: template not found (expected a file in templates/)"
        ) from None
    except Exception as error:  # undefined names and runtime errors inside a template
        raise TemplateError(f"{_template_location(error, template)}: {error}") from None


def _template_location(error: Exception, template: str) -> str:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename.endswith(".j2")]
    if not frames:
        return f"templates/{template}"
    frame = frames[-1]
    return f"templates/{Path(frame.filename).name}, line {frame.lineno}"
