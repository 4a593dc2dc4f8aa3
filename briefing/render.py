"""Stage 5, render: the model and charts through the Jinja2 templates into site files.

The result maps each path under docs/ to its bytes; nothing here touches the disk except
reading the templates.
"""

from __future__ import annotations

import html
import json
import pickle
import re
import sys
import traceback
import urllib.parse
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import jinja2

from briefing import figures, formatting
from briefing.cache import COMPILED_TEMPLATES, Cache, cache_key, digest
from briefing.changes import CHANGES_FILE
from briefing.charts import Chart
from briefing.errors import TemplateError
from briefing.formatting import bounded, citation, period, sentence_case
from briefing.images import NARROW_SCREEN, ChartImages
from briefing.model import Model, Organisation

CHARTS_DIR = "charts"
NAVIGATION_FILE = "SUMMARY.md"  # the literate-nav plugin reads the navigation from it
NAV_GROUP_SIZE = 25
# The printable page: the briefing's pages in reading order, as one. Their Markdown links
# hold there too (MkDocs resolves them from the Markdown file, and all these sit at the root).
PRINT_PAGE = "print.md"
PRINT_ORDER = [
    "index.md",
    "targets.md",
    "overseas.md",
    "ai.md",
    "outlook.md",
    "people.md",
    "timeline.md",
    "method.md",
]
PRINT_BODY = "<!-- the briefing's pages -->"
# Beyond this much Markdown (250–300 KB of HTML) the briefing prints in parts, a page for each
# section, so that no page is too heavy for a phone or for MkDocs; each part sits at the root too.
PRINT_BUDGET = 100_000
PRINT_FILES = "print*.md"  # the printable page and its parts
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
CITE_LINE = re.compile(r'^<p class="cite-this-page">.*\n', re.M)
FIGURE = re.compile(r'<figure class="chart(?:-printed)?" id="(?P<id>[^"]+)">.*?</figure>\n', re.S)
MARKDOWN_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")

ORGANISATION_TEMPLATES = ("organisation.md.j2", "_macros.j2")  # the page's, then those it imports
RENDER_CODE = (sys.modules[__name__], formatting, figures)  # the filters a page goes through

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
    ("changes.md.j2", "changes.md"),
    ("nav.md.j2", NAVIGATION_FILE),
    ("robots.txt.j2", "robots.txt"),
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


def cell_text(value: object) -> str:
    """A value of a chart's data as its CSV download writes it (years stay 2026, not 2,026)."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def chart_attribute(spec: dict) -> str:
    """A chart spec as the value of a single-quoted HTML attribute."""
    return html.escape(json.dumps(spec, separators=(",", ":"), sort_keys=True), quote=True)


def sort_value(low: object, high: object = None) -> str:
    """The number a sortable table orders a figure by: its middle if a range, its one stated end if
    a bound; low may be a figure of the model (a Derived or an Interval). "" for no figure."""
    interval = getattr(low, "interval", low)
    if hasattr(interval, "low"):
        low, high = interval.low, interval.high
    ends = [float(end) for end in (low, high) if isinstance(end, int | float) and not isinstance(end, bool)]
    ends = [end for end in ends if end == end]  # NaN: no figure
    if not ends:
        return ""
    return f"{sum(ends) / len(ends):.15g}"


def sortable(text: object, low: object, high: object = None) -> str:
    """A table cell's figure with the number it sorts by (briefing/hooks.py copies the value onto
    the cell as data-sort); unchanged where there is no figure ("—", "year not stated")."""
    value = sort_value(low, high)
    return f'<data value="{value}">{text}</data>' if value else str(text)


def attributed(statement: str, name: str | None) -> str:
    """A statement with whom it comes from, unless it names them already."""
    text = markdown_text(statement)
    if not name or name.casefold() in statement.casefold():
        return text
    return f"{text} ({markdown_text(name)})"


class EvidenceNotes:
    """A page's evidence as footnotes: each excerpt or summary once, however many facts on the
    page cite it, each naming its own source.

    `cite(row)` gives the footnote reference for a row's evidence; `notes()` the definitions
    of those cited since the last call (the printable page shares one across its pages, so a
    note defined on an earlier page is not defined again); `cited()` the sources the page has
    cited so far, in the order of sources.csv.
    """

    def __init__(self, sources: dict[str, dict]):
        self.sources = sources
        self.labels: dict[tuple[str, str], str] = {}
        self.pending: list[tuple[str, dict]] = []

    def cite(self, row: dict) -> str:
        key = (row["source_id"], row["evidence"])
        if key not in self.labels:
            self.labels[key] = f"e{len(self.labels) + 1}"
            self.pending.append((self.labels[key], row))
        return f"[^{self.labels[key]}]"

    def source(self, row: dict) -> str:
        """The row's source by its publisher, linked, with the footnote to its evidence a
        no-break space apart: a short name ("Carz") and its mark, side by side or wrapped one
        above the other, would be touch targets too close together."""
        source = self.sources[row["source_id"]]
        link = f"[{markdown_text(source['publisher'])}]({link_url(source['url'])})"
        return f"{link}\N{NO-BREAK SPACE}{self.cite(row)}"

    def notes(self) -> str:
        lines = [f"[^{label}]: {self.note(row)}" for label, row in self.pending]
        self.pending = []
        return "\n".join(lines)

    def note(self, row: dict) -> str:
        """A verbatim excerpt in quotation marks; a summary (a source whose text is not held)
        marked as ours, with where in the source it stands."""
        source = self.sources[row["source_id"]]
        publisher = markdown_text(source["publisher"])
        if source["text_held"]:
            return f"“{markdown_text(row['evidence'])}” ({publisher})"
        where = f", {markdown_text(row['locator'])}" if row.get("locator") else ""
        return f"*Summary, not a quotation:* {markdown_text(row['evidence'])} ({publisher}{where})"

    def cited(self) -> list[dict]:
        used = {source_id for source_id, _ in self.labels}
        return [source for source_id, source in self.sources.items() if source_id in used]


def make_environment(templates_dir: Path) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown output: free text goes through the md filter instead
        bytecode_cache=COMPILED_TEMPLATES,
    )
    environment.filters.update(
        md=markdown_text,
        front_matter=front_matter_value,
        link_url=link_url,
        bounded=bounded,
        citation=citation,
        sentence=sentence_case,
        attributed=attributed,
        chart_attribute=chart_attribute,
        cell=cell_text,
        sortable=sortable,
        period=period,
        count="{:,}".format,
    )
    return environment


@dataclass(frozen=True)
class SiteInfo:
    """Facts about this build that pages state: where the site lives and when it was built."""

    site_name: str
    site_url: str
    build_date: str
    directory_urls: bool  # MkDocs' use_directory_urls: false for the offline copy


def page_url(path: str, directory_urls: bool) -> str:
    """Where MkDocs publishes a Markdown page, relative to the site root."""
    pure = PurePosixPath(path)
    if not directory_urls:
        return str(pure.with_suffix(".html"))
    folder = pure.parent if pure.stem == "index" else pure.parent / pure.stem
    return "" if str(folder) == "." else f"{folder}/"


def page_context(path: str, site: SiteInfo, model: Model) -> dict:
    """Per page: its public URL, links to the site's files and pages for use in raw HTML, and
    the page's evidence notes.

    MkDocs rewrites links in Markdown but not inside raw HTML blocks (charts, figures), so
    those are made relative to where this page is published.
    """
    url = page_url(path, site.directory_urls)
    root = "../" * url.count("/")

    def href(target: str) -> str:
        """A link from this page to a page (.md) or file of the site."""
        published = page_url(target, site.directory_urls) if target.endswith(".md") else target
        return root + published if published else root or "./"

    return {
        "page_path": path,
        "page_url": site.site_url + url,
        "href": href,
        "evidence": EvidenceNotes(model.sources),
    }


@dataclass(frozen=True)
class NavEntry:
    """An organisation's page, or a section of them named by its first and last."""

    label: str
    org: Organisation | None = None
    children: tuple[NavEntry, ...] = ()


def navigation_tree(organisations: list[Organisation]) -> list[NavEntry]:
    """Organisations for the navigation: at most NAV_GROUP_SIZE entries at any level.

    Material renders the open sections of the navigation, with their siblings, into every
    page; nesting sections keeps that to a few dozen entries however many organisations
    there are.
    """
    with_pages = [org for org in organisations if org.has_page]
    entries = [NavEntry(org.name, org) for org in sorted(with_pages, key=lambda org: org.name.casefold())]
    while len(entries) > NAV_GROUP_SIZE:
        chunks = [entries[i : i + NAV_GROUP_SIZE] for i in range(0, len(entries), NAV_GROUP_SIZE)]
        entries = [
            NavEntry(f"{_first(chunk[0])} – {_last(chunk[-1])}", children=tuple(chunk)) for chunk in chunks
        ]
    return entries


def _first(entry: NavEntry) -> str:
    return _first(entry.children[0]) if entry.children else entry.label


def _last(entry: NavEntry) -> str:
    return _last(entry.children[-1]) if entry.children else entry.label


def render_site(
    model: Model,
    charts: dict[str, Chart],
    images: dict[str, ChartImages],
    assets: dict[str, bytes],
    site: SiteInfo,
    templates_dir: Path,
    cache: Cache,
    only_pages: Set[str] | None = None,
) -> dict[str, bytes]:
    """The site's files under docs/, by path: its pages' Markdown, the assets, the charts'
    downloads and the data.

    only_pages: the Markdown pages to render, by path, and not the printable ones, which print
    them all; None renders every page.
    """
    environment = make_environment(templates_dir)
    context = {
        "model": model,
        "charts": charts,
        # for the images' width and height
        "chart_sizes": {chart_id: image.sizes for chart_id, image in images.items()},
        "narrow_screen": NARROW_SCREEN,
        "site": site,
        "navigation": navigation_tree(list(model.organisations.values())),
    }
    pages = {
        path: _render(environment, template, context | page_context(path, site, model))
        for template, path in SITE_PAGES
        if only_pages is None or path in only_pages or not path.endswith(".md")
    }
    pages |= organisation_pages(environment, site, model, cache, only_pages)
    if only_pages is None:
        pages |= printable_pages(environment, context, site, model, pages)
    files = {path: text.encode() for path, text in pages.items()} | assets
    for chart in charts.values():
        files |= chart_downloads(chart, images[chart.chart_id], [model.sources[s] for s in chart.source_ids])
    for file_name, raw in model.data_files.items():
        files[f"data/{file_name}"] = raw
    files[f"data/{CHANGES_FILE}"] = (json.dumps(model.changes, indent=2, ensure_ascii=False) + "\n").encode()
    return files


@dataclass(frozen=True)
class OrganisationsAndSources:
    """What of the model an organisation's page may read besides its organisation."""

    organisations: dict[str, Organisation]
    sources: dict[str, dict]


def organisation_pages(
    environment: jinja2.Environment, site: SiteInfo, model: Model, cache: Cache, only: Set[str] | None = None
) -> dict[str, str]:
    """A page for each organisation that has one, rendered again only when what it shows changed.

    A page is given its organisation, the sources and the other organisations (for links), and
    nothing else of the model (StrictUndefined stops a template reaching for more), so it is
    kept in the cache under those: an edit of one row renders again the pages of the
    organisations it touches, not a thousand.
    """
    shown = OrganisationsAndSources(model.organisations, model.sources)
    shared = digest(
        pickle.dumps(
            (
                site,
                model.sources,
                [(org.id, org.name, org.has_page) for org in model.organisations.values()],
                [environment.loader.get_source(environment, name)[0] for name in ORGANISATION_TEMPLATES],
            )
        )
    )
    pages = {}
    for org in model.organisations.values():
        if not org.has_page:
            continue
        path = f"organisations/{org.id}.md"
        if only is not None and path not in only:
            continue
        key = cache_key("organisation page", RENDER_CODE, shared, path, digest(pickle.dumps(org)))
        kept = cache.get(key)
        if kept is None:
            context = {"model": shown, "site": site, "org": org} | page_context(path, site, model)
            kept = cache.put(key, _render(environment, ORGANISATION_TEMPLATES[0], context).encode())
        pages[path] = kept.decode()
    return pages


def printable_pages(
    environment: jinja2.Environment, context: dict, site: SiteInfo, model: Model, pages: dict[str, str]
) -> dict[str, str]:
    """The whole briefing on one page; beyond PRINT_BUDGET, a page listing the parts, one a section.

    The printed pages are rendered again for the printable page's own address: their raw-HTML
    links (charts, downloads, evidence rows) must be relative to it, not to each page. Parts are
    rendered only once the whole is known to be too long: each part defines its own notes, so the
    whole cannot be cut into parts after the fact.
    """
    template_of = {path: template for template, path in SITE_PAGES}

    def printable(path: str, sections: list[str], part: dict | None = None, parts: list | None = None) -> str:
        print_context = context | page_context(path, site, model) | {"part": part, "parts": parts or []}
        printed = [_render(environment, template_of[section], print_context) for section in sections]
        return _render(environment, "print.md.j2", print_context).replace(PRINT_BODY, printable_body(printed))

    whole = printable(PRINT_PAGE, PRINT_ORDER)
    if len(whole) <= PRINT_BUDGET:
        return {PRINT_PAGE: whole}
    parts = [
        {
            "path": f"print-{'overview' if section == 'index.md' else PurePosixPath(section).stem}.md",
            "title": page_title(pages[section]),
        }
        for section in PRINT_ORDER
    ]
    printed = {PRINT_PAGE: printable(PRINT_PAGE, [], parts=parts)}
    for number, (section, part) in enumerate(zip(PRINT_ORDER, parts, strict=True), 1):
        printed[part["path"]] = printable(
            part["path"], [section], part | {"number": number, "of": len(parts)}
        )
    return printed


def page_title(page: str) -> str:
    """The title in a rendered page's front matter."""
    value = re.search(r"^title: (.*)$", FRONT_MATTER.match(page)[0], re.M)[1]
    return html.unescape(json.loads(value)) if value.startswith('"') else value


def printable_body(pages: list[str]) -> str:
    """The pages' Markdown as one document: no front matter or cite lines, headings one level
    down, each chart once (element ids must stay unique)."""
    seen_figures: set[str] = set()
    parts = []
    for page in pages:
        body = FRONT_MATTER.sub("", page, count=1)
        body = CITE_LINE.sub("", body)
        body = re.sub(r"^(#+) ", r"#\1 ", body, flags=re.M)

        def once(figure: re.Match) -> str:
            first = figure["id"] not in seen_figures
            seen_figures.add(figure["id"])
            return figure[0] if first else ""

        parts.append(FIGURE.sub(once, body).strip())
    return "\n\n".join(parts)


def chart_downloads(chart: Chart, images: ChartImages, sources: list[dict]) -> dict[str, bytes]:
    """What a reader can take away: the plotted data, its description, its sources (those of
    the rows it plots) and the chart as images (and the narrow image phones show)."""
    sidecar = {
        "title": chart.title,
        "description": chart.description,
        "sources": [
            {
                key: source[key]
                for key in (
                    "source_id",
                    "publisher",
                    "title",
                    "url",
                    "date",
                    "date_text",
                    "original_publisher",
                    "original_title",
                    "original_date_text",
                )
            }
            for source in sources
        ],
        "derived": list(chart.derived),
        "columns": [{"name": name, "description": text} for name, text in chart.columns.items()],
    }
    stem = f"{CHARTS_DIR}/{chart.chart_id}"
    return {
        f"{stem}.csv": chart.data.to_csv(index=False, lineterminator="\n").encode(),
        f"{stem}.json": (json.dumps(sidecar, indent=2, ensure_ascii=False) + "\n").encode(),
    } | {stem + ending: image for ending, image in images.files.items()}


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
