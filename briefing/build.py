"""The build: read, validate, model, chart, render, write, publish — one stage after another."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Set
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from briefing import model as model_stage
from briefing import read, validate
from briefing.cache import COMPILED_TEMPLATES, Cache, LastValue, cache_key, digest
from briefing.changes import change_log, change_record
from briefing.charts import Chart, build_charts
from briefing.engine import MkDocsConfig, load_settings, site_url
from briefing.images import ChartImages, render_images
from briefing.model import Model, build_model
from briefing.progress import ProgressLine
from briefing.publish import publish_site
from briefing.read import read_data_history, read_dataset, read_published
from briefing.render import SiteInfo, render_site
from briefing.validate import Dataset, validate_dataset
from briefing.vendor import vendor_assets
from briefing.write import WriteReport, write_docs


@dataclass(frozen=True)
class Project:
    """Where a project keeps its inputs and outputs."""

    root: Path
    site_dir: Path
    cache_dir: Path

    @classmethod
    def at(cls, root: Path, site_dir: Path | None = None, cache_dir: Path | None = None) -> Project:
        # the cache may live elsewhere (BRIEFING_CACHE_DIR), e.g. shared by a test session's builds
        shared_cache = os.environ.get("BRIEFING_CACHE_DIR")
        cache_dir = cache_dir or (Path(shared_cache).resolve() if shared_cache else root / ".cache")
        return cls(root, site_dir or root / "site", cache_dir)

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def docs_dir(self) -> Path:
        return self.root / "docs"

    @property
    def config_file(self) -> Path:
        return self.root / "mkdocs.yml"

    @property
    def publish_record(self) -> Path:
        """What the last build of site_dir was made of (briefing/publish.py), in the cache."""
        return self.cache_dir / "published" / f"{digest(str(self.site_dir).encode())}.json"


def site_info(settings: MkDocsConfig) -> SiteInfo:
    """The site's name and public address as MkDocs reads them, and the build date.

    The date honours SOURCE_DATE_EPOCH, so fixed-date builds are reproducible.
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    built = time.gmtime(int(epoch)) if epoch else time.gmtime()
    return SiteInfo(
        settings.site_name, site_url(settings), time.strftime("%Y-%m-%d", built), settings.use_directory_urls
    )


@dataclass
class BuildReport:
    """What each stage did and how long it took, in the order the stages ran."""

    say: Callable[[str], None] = print
    live: bool = False  # draw a progress line for slow stages (on a terminal only)
    seconds: dict[str, float] = field(default_factory=dict)
    _progress: ProgressLine | None = None

    @contextmanager
    def stage(self, name: str, summary: Callable[[], str] = lambda: "done") -> Iterator[None]:
        start = time.perf_counter()
        self._progress = ProgressLine(name) if self.live else None
        try:
            yield
        finally:
            if self._progress is not None:
                self._progress.stop()
                self._progress = None
        self.seconds[name] = time.perf_counter() - start
        self.say(f"{name}: {summary()}, {self.seconds[name]:.2f} s")

    def advance(self, done: int, total: int) -> None:
        """How far the running stage has got, for its progress line."""
        if self._progress is not None:
            self._progress.advance(done, total)


def _count_cached(outputs: dict, made: str) -> str:
    cached = sum(output.cached for output in outputs.values())
    return f"{len(outputs) - cached} {made}, {cached} cached"


def _count_images(images: dict[str, ChartImages]) -> str:
    fresh = {chart_id: image for chart_id, image in images.items() if not image.kept}
    kept = len(images) - len(fresh)
    return _count_cached(fresh, "rendered") + (f", {kept} left as they were" if kept else "")


# The model and charts of the last build in this process: a template edit in the preview makes
# neither again (0.15-0.2 s and 0.08 s at 1,000 organisations).
LAST_MODEL: LastValue[Model] = LastValue()
LAST_CHARTS: LastValue[dict[str, Chart]] = LastValue()


def check(project: Project, report: BuildReport, cache: Cache) -> Dataset:
    """Read and validate data/; the same files validated by the same code before are valid still."""
    with report.stage("read"):
        raw = read_dataset(project.data_dir)
    key = cache_key(
        "validated", (read, validate), {name: digest(content) for name, content in raw.files.items()}
    )
    with report.stage("validate", lambda: f"{sum(len(t.rows) for t in raw.tables.values())} rows valid"):
        return cache.remembered(key, lambda: validate_dataset(raw, cache))


# The images stage: each chart's images, from the charts, the cache and a progress callback.
ImagesStage = Callable[[dict[str, Chart], Cache, Callable[[int, int], None]], dict[str, ChartImages]]


def build(
    project: Project,
    report: BuildReport,
    publish: bool = True,
    settings: MkDocsConfig | None = None,
    images_of: ImagesStage = render_images,
    only_pages: Set[str] | None = None,
    kept_files: Callable[[dict[str, bytes]], dict[str, bytes]] = lambda files: {},
) -> WriteReport:
    """The whole pipeline; returns what the writer did to docs/.

    settings: mkdocs.yml as loaded once by the caller (the preview keeps it between builds).
    images_of, only_pages and kept_files let a caller compose the stages otherwise: only_pages
    are rendered (None: every page), and kept_files adds to the rendered files (the preview's
    first pass after an edit keeps the last images of charts not in the cache, renders the
    pages a browser shows and keeps the last Markdown of the others).
    """
    cache = Cache(project.cache_dir)
    COMPILED_TEMPLATES.keep_in(Cache(project.cache_dir))  # its own: stages count their hits
    dataset = check(project, report, cache)
    settings = settings or load_settings(project.config_file, project.site_dir)
    site = site_info(settings)
    with report.stage("model"):
        history = read_data_history(project.data_dir, dataset.files)
        changes = (
            change_log(dataset.descriptor, history, dataset.files, site.build_date)
            if history
            else [
                change_record(
                    dataset.descriptor, read_published(project.site_dir), dataset.files, site.build_date
                )
            ]
        )
        inputs = {name: digest(content) for name, content in dataset.files.items()}
        key = cache_key("model", (model_stage,), inputs, changes)
        model = LAST_MODEL.remembered(key, lambda: build_model(dataset, changes))
    with report.stage("charts", lambda: _count_cached(charts, "built")):
        charts = LAST_CHARTS.remembered(key, lambda: build_charts(model, cache))
    with report.stage("images", lambda: _count_images(images)):
        images = images_of(charts, cache, report.advance)
        assets = vendor_assets()
    with report.stage(
        "render", lambda: f"{len(files)} files ({cache.hits - hits} organisation pages from the cache)"
    ):
        hits = cache.hits
        files = render_site(model, charts, images, assets, site, project.templates_dir, cache, only_pages)
        files |= kept_files(files)
    with report.stage(
        "write",
        lambda: (
            f"{len(written.written)} written, {written.unchanged} unchanged, {len(written.removed)} removed"
        ),
    ):
        written = write_docs(files, project.docs_dir)
    if publish:
        with report.stage("mkdocs", lambda: f"site in {project.site_dir}, {how}"):
            how = publish_site(settings, project.site_dir, project.publish_record)
    cache.prune()
    return written
