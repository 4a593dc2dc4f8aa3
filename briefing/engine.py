"""Every call into MkDocs, in one module: mkdocs.yml loaded once, and the builds made from it.

MkDocs 1.x is unmaintained, and Material for MkDocs 9.x reaches its end of life on 2027-05-05.
ProperDocs, MkDocs' maintained fork, keeps the same interface under the package name
`properdocs` (tests/test_end_to_end.py builds the seed site with it and finds the same pages):
moving to it is a change of this module's imports.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mkdocs.commands.build import build as _build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException
from mkdocs.plugins import PluginCollection
from mkdocs.structure.files import File
from mkdocs.structure.pages import Page
from mkdocs.utils import get_relative_url

from briefing.errors import PublishError

__all__ = ["MkDocsConfig", "build_changed_pages", "build_pages", "load_settings", "one_build", "relative_url"]

DEFAULT_SITE_URL = "http://127.0.0.1:8000/"
SEARCH_INDEX = "search/search_index.json"
# What MkDocs warns about on every dirty build (only the pages whose source changed): the
# callers make sure the rest of the site is the last build's of the same page set.
DIRTY_BUILD_WARNING = "A 'dirty' build is being performed"
# What build_changed_pages leaves to the full build after it, by plugin and event: Material's
# search parsing each page's HTML for the index, and literate-nav parsing SUMMARY.md (at 1,000
# organisations 0.1-0.15 s each). The plugins stay in the collection: the theme shows the
# search box where "material/search" is among them.
LEFT_TO_THE_FULL_BUILD = {"material/search": ("page_context", "post_build"), "literate-nav": ("files", "nav")}


def load_settings(config_file: Path, site_dir: Path | None = None, strict: bool = True) -> MkDocsConfig:
    """mkdocs.yml as MkDocs reads it (its !ENV tags resolved, its plugins loaded)."""
    overrides = {} if site_dir is None else {"site_dir": str(site_dir)}
    try:
        return load_config(str(config_file), strict=strict, **overrides)
    except MkDocsException as error:
        raise PublishError(f"{config_file.name}: {error}") from None


def site_url(settings: MkDocsConfig) -> str:
    """The site's public address, ending in a slash."""
    return (settings.site_url or DEFAULT_SITE_URL).rstrip("/") + "/"


def build_pages(settings: MkDocsConfig, dirty: bool = False) -> None:
    """MkDocs' build of docs/ into settings.site_dir (dirty: only pages whose source changed).

    Every warning fails a strict build; the error names them all, on one line.
    """
    with _warnings() as messages:
        try:
            _build(settings, dirty=dirty)
        except (MkDocsException, OSError) as error:
            details = "; ".join(messages) or str(error)
            command = "mkdocs build --strict" if settings.strict else "mkdocs build"
            config_name = Path(settings.config_file_path).name
            raise PublishError(f"{config_name}: {command} failed: {details}") from None


def build_changed_pages(settings: MkDocsConfig) -> None:
    """A dirty build of the pages whose source changed since the last build of settings, which
    it must follow: it keeps that build's navigation (the page set is the same) and its search
    index (a full build follows soon and writes both)."""
    if settings.nav is None:
        raise ValueError("build_changed_pages follows a build of the same settings")
    plugins = settings.plugins
    quick = PluginCollection()
    for name, plugin in plugins.items():
        quick[name] = plugin
    for name, events in LEFT_TO_THE_FULL_BUILD.items():
        if name in quick:
            for event in events:
                method = getattr(quick[name], f"on_{event}")
                quick.events[event] = [m for m in quick.events[event] if m != method]
    settings.plugins = quick
    try:
        build_pages(settings, dirty=True)
    finally:
        settings.plugins = plugins


@contextmanager
def one_build(settings: MkDocsConfig) -> Iterator[None]:
    """MkDocs' plugins told that a build starts and ends, as `mkdocs build` tells them (so that
    Material's search writes the index of this build's pages only). MkDocs keeps plugin instances
    across loads of mkdocs.yml in one process, and Material's search keeps the last index of a
    preview's dirty builds: a process that previewed must not publish (`make site` is its own)."""
    settings.plugins.on_startup(command="build", dirty=False)
    try:
        yield
    finally:
        settings.plugins.on_shutdown()


def relative_url(target: str, base: str) -> str:
    return get_relative_url(target, base)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage().replace("\n", " "))


class _QuietDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_BUILD_WARNING)


@contextmanager
def _warnings() -> Iterator[list[str]]:
    """MkDocs' warnings, each a message; its warning that a build is dirty is not one (filtered
    before strict mode counts it)."""
    collect, quiet = _Collect(), _QuietDirtyWarning()
    logger, build_logger = logging.getLogger("mkdocs"), logging.getLogger("mkdocs.commands.build")
    logger.addHandler(collect)
    build_logger.addFilter(quiet)
    try:
        yield collect.messages
    finally:
        logger.removeHandler(collect)
        build_logger.removeFilter(quiet)


def page_location(settings: MkDocsConfig, path: str) -> str:
    """Where a page of docs/ is published, as the search index names it ("" for the home page)."""
    return Page(
        None, File(path, settings.docs_dir, settings.site_dir, settings.use_directory_urls), settings
    ).url


def merged_search_index(last_full: bytes, dirty: bytes, rebuilt: set[str]) -> bytes | None:
    """The search index a full build writes, from the last full build's and a dirty build's
    (Material writes only the pages that build made, `rebuilt`, by location): each rebuilt page's
    entries from the newer index, none if it has none now, in the last one's page order,
    serialised as Material does. None where a rebuilt page the last index did not hold now has
    entries: its place in the order is not known."""
    last, partial = json.loads(last_full), json.loads(dirty)
    fresh: dict[str, list[dict]] = {}
    for entry in partial["docs"]:
        fresh.setdefault(entry["location"].split("#")[0], []).append(entry)
    rebuilt = rebuilt | fresh.keys()  # MkDocs also rebuilds a page whose file is newer, unchanged
    docs: list[dict] = []
    for entry in last["docs"]:
        page = entry["location"].split("#")[0]
        if page not in rebuilt:
            docs.append(entry)
        elif entry["location"] == page:  # the page's first entry: the newer ones in its place
            docs += fresh.pop(page, [])
    if any(fresh.values()):
        return None
    return json.dumps(
        {"config": partial["config"], "docs": docs}, separators=(",", ":"), default=str
    ).encode()
