"""The build: read, validate, model, chart, render, write, publish — one stage after another."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from briefing.charts import build_charts
from briefing.model import build_model
from briefing.publish import publish_site
from briefing.read import read_dataset
from briefing.render import render_site
from briefing.validate import Dataset, validate_dataset
from briefing.write import write_docs


@dataclass(frozen=True)
class Project:
    """Where a project keeps its inputs and outputs."""

    root: Path
    site_dir: Path

    @classmethod
    def at(cls, root: Path, site_dir: Path | None = None) -> Project:
        return cls(root, site_dir or root / "site")

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


@dataclass
class BuildReport:
    """What each stage did and how long it took, in the order the stages ran."""

    say: Callable[[str], None] = print
    seconds: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def stage(self, name: str, summary: Callable[[], str] = lambda: "done") -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start
        self.say(f"{name}: {summary()}, {self.seconds[name]:.2f} s")


def check(project: Project, report: BuildReport) -> Dataset:
    """Read and validate data/ without building anything."""
    with report.stage("read"):
        raw = read_dataset(project.data_dir)
    with report.stage("validate", lambda: f"{sum(len(t.rows) for t in raw.tables.values())} rows valid"):
        return validate_dataset(raw)


def build(project: Project, report: BuildReport, publish: bool = True) -> None:
    dataset = check(project, report)
    with report.stage("model"):
        model = build_model(dataset)
    with report.stage("charts", lambda: f"{len(charts)} built"):
        charts = build_charts(model)
    with report.stage("render", lambda: f"{len(files)} files"):
        files = render_site(model, charts, project.templates_dir)
    with report.stage(
        "write",
        lambda: (
            f"{len(written.written)} written, {written.unchanged} unchanged, {len(written.removed)} removed"
        ),
    ):
        written = write_docs(files, project.docs_dir)
    if publish:
        with report.stage("mkdocs", lambda: f"site in {project.site_dir}"):
            publish_site(project.config_file, project.site_dir)
