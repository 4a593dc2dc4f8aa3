"""Many sources, one briefing (issue 14): each row credited to its own source, on pages and in
chart source lines; figures that sources state differently shown side by side; relative dates
resolved per source; and a new source, automaker and target added by CSV rows alone."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import MINI_DATA, make_project

from briefing.build import BuildReport, Project, build
from briefing.errors import DataError
from briefing.read import read_dataset
from briefing.validate import validate_dataset

HELD = "fixture-source"  # the mini fixture's one source, whose text we hold
WIRE, GAZETTE = "fixture-wire-2", "fixture-gazette"
# Two sources whose text we do not hold: a wire that restates Alpha's target with another growth
# and names a new automaker, and a gazette written the year before, whose "this year" is 2029.
THREE_SOURCES = {
    "sources": [
        {
            "source_id": WIRE,
            "title": "Fixture wire round-up of 2030 targets",
            "publisher": "Fixture Wire Two",
            "url": "https://example.org/wire-2",
            "reference_year": "2030",
            "date": "2030-01-05",
            "text_held": "false",
        },
        {
            "source_id": GAZETTE,
            "title": "Fixture gazette year in review",
            "publisher": "Fixture Gazette",
            "url": "https://example.org/gazette",
            "reference_year": "2029",
            "date_text": "December 2029",
            "text_held": "false",
        },
    ],
    "sales_targets": [
        {
            "target_id": "alpha-total-wire",
            "org_id": "alpha",
            "scope": "total",
            "horizon": "one year",
            "year": "2030",
            "volume_low": "200000",
            "volume_high": "250000",
            "volume_qualifier": "range",
            "growth_low_pct": "24",
            "growth_high_pct": "26",
            "growth_qualifier": "range",
            "description": "Alpha targets 200,000 to 250,000 vehicles, 24% to 26% growth.",
            "source_id": WIRE,
            "evidence": "Alpha aims at 200,000 to 250,000 vehicles in 2030, growth of 24% to 26%",
            "locator": "table of targets, Alpha row",
        }
    ],
    "events": [
        {
            "event_id": "gazette-alliance",
            "org_id": "beta",
            "kind": "strategy launch",
            "description": "Beta formed an alliance.",
            "timing_text": "this year",
            "year": "2029",
            "year_basis": "relative to reference year",
            "source_id": GAZETTE,
            "evidence": "Beta formed an alliance in 2029, the year the review covers",
            "locator": "paragraph on Beta",
        }
    ],
}
# What an analyst adds for news of a new automaker: a source, the automaker, its target.
NEW_AUTOMAKER = {
    "sources": [
        {
            "source_id": "delta-news",
            "title": "Delta sets its first target",
            "publisher": "Delta Daily",
            "url": "https://example.org/delta",
            "reference_year": "2030",
            "date": "2030-02-01",
            "text_held": "false",
        }
    ],
    "organisations": [
        {
            "org_id": "delta",
            "name": "Delta Vehicles",
            "kind": "automaker",
            "source_id": "delta-news",
            "evidence": "Delta Vehicles, a carmaker",
            "locator": "first paragraph",
        }
    ],
    "sales_targets": [
        {
            "target_id": "delta-total-2030",
            "org_id": "delta",
            "scope": "total",
            "horizon": "one year",
            "year": "2030",
            "volume_low": "300000",
            "volume_qualifier": "exact",
            "growth_low_pct": "50",
            "growth_qualifier": "exact",
            "description": "Delta targets 300,000 vehicles, 50% growth.",
            "source_id": "delta-news",
            "evidence": "Delta aims at 300,000 vehicles in 2030, 50% more",
            "locator": "second paragraph",
        }
    ],
}


def add_rows(data: Path, rows_by_table: dict[str, list[dict]]) -> None:
    """Append rows to the CSVs, by column name, as an analyst would in a spreadsheet."""
    for table, rows in rows_by_table.items():
        path = data / f"{table}.csv"
        header = next(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(
            [row.get(column, "") for column in header] for row in rows
        )
        with path.open("a", encoding="utf-8") as file:
            file.write(out.getvalue())


def project_with(root: Path, *additions: dict) -> Path:
    project = make_project(root, MINI_DATA)
    for rows in additions:
        add_rows(project / "data", rows)
    return project


def docs(project: Path, page: str) -> str:
    return (project / "docs" / page).read_text(encoding="utf-8")


def chart_sources(project: Path, chart_id: str) -> list[str]:
    sidecar = json.loads((project / "docs" / "charts" / f"{chart_id}.json").read_text(encoding="utf-8"))
    return [source["source_id"] for source in sidecar["sources"]]


@pytest.fixture(scope="module")
def three(tmp_path_factory) -> Path:
    project = project_with(tmp_path_factory.mktemp("three") / "project", THREE_SOURCES)
    build(Project.at(project), BuildReport(say=lambda line: None), publish=False)
    return project


def test_each_row_is_credited_to_its_own_source_and_kind_of_evidence(three: Path):
    targets = docs(three, "targets.md")
    alpha_rows = [line for line in targets.splitlines() if line.startswith("| [Alpha Motors]")]
    assert len(alpha_rows) == 2  # the same target from two sources: two rows
    assert "[Fixture Press](https://example.org/fixture)" in alpha_rows[0]
    assert "[Fixture Wire Two](https://example.org/wire-2)" in alpha_rows[1]
    # a verbatim excerpt of the held source is quoted; the wire's summary is marked as ours
    assert "“200000 to 250000” (Fixture Press)" in targets
    assert (
        "*Summary, not a quotation:* Alpha aims at 200,000 to 250,000 vehicles in 2030, growth of 24% "
        "to 26% (Fixture Wire Two, table of targets, Alpha row)"
    ) in targets
    # every page ends by listing the sources it draws on, and only those
    assert "Sources of this page:" in targets and "Fixture Gazette" not in targets
    timeline = docs(three, "timeline.md")
    assert "Fixture Gazette" in timeline.split("Sources of this page:")[1]


def test_chart_source_lines_list_exactly_the_plotted_rows_sources(three: Path):
    assert chart_sources(three, "growth-targets") == [HELD, WIRE]  # the gazette states no target
    assert chart_sources(three, "timeline") == [HELD, WIRE, GAZETTE]  # dated rows of all three
    assert chart_sources(three, "target-volumes") == [HELD, WIRE]
    subtitle = json.loads((three / "docs" / "charts" / "growth-targets.json").read_text())["sources"]
    assert [s["publisher"] for s in subtitle] == ["Fixture Press", "Fixture Wire Two"]


def test_figures_the_sources_state_differently_stand_side_by_side(three: Path):
    overview = docs(three, "index.md")
    alpha = [line.split(" | ") for line in overview.splitlines() if line.startswith("| [Alpha Motors]")]
    # one row a source: the target both state alike, the growth each states its own way
    assert [row[1] for row in alpha] == [
        "[Fixture Press](https://example.org/fixture)",
        "[Fixture Wire Two](https://example.org/wire-2)",
    ]
    assert all("200,000–250,000</data> in 2030" in row[2] for row in alpha)
    assert ">over 25%</data>" in alpha[0][3] and ">24%–26%</data>" in alpha[1][3]


def test_relative_dates_resolve_against_each_rows_own_source(three: Path):
    timeline = docs(three, "timeline.md")
    (alliance,) = [
        line for line in timeline.splitlines() if line.startswith("| 2029<sup>†</sup> | this year |")
    ]
    assert "Beta formed an alliance" in alliance  # the gazette's "this year"
    assert "(Fixture Gazette, paragraph on Beta)" in timeline  # its summary, with the locator
    assert "Fixture Gazette: 2029" in timeline and "Fixture Press: 2030" in timeline


@pytest.mark.parametrize(
    ("table", "column", "value", "expected"),
    [
        (
            "sales_targets",
            "source_id",
            "no-such-source",
            "data/sales_targets.csv, row 4, column source_id: 'no-such-source' is not a known source_id in "
            "data/sources.csv (expected an id listed there; add that row first or fix the id)",
        ),
        (
            "events",
            "locator",
            "",
            "data/events.csv, row 4, column locator: is empty, but the text of source 'fixture-gazette' "
            "is not held (expected where in the source the fact stands, e.g. 'table of 2026 targets, "
            "Geely row'; add it, or the source's text and a verbatim excerpt)",
        ),
    ],
    ids=["unknown-source", "summary-without-locator"],
)
def test_a_wrongly_sourced_row_is_rejected_with_file_row_and_column(
    tmp_path: Path, table: str, column: str, value: str, expected: str
):
    rows = json.loads(json.dumps(THREE_SOURCES))
    rows[table][0][column] = value
    project = project_with(tmp_path / "project", rows)
    with pytest.raises(DataError) as raised:
        validate_dataset(read_dataset(project / "data"))
    assert str(raised.value).splitlines() == [expected]


def test_a_new_source_automaker_and_target_by_csv_rows_alone(tmp_path: Path):
    project = project_with(tmp_path / "project", NEW_AUTOMAKER)
    build(Project.at(project), BuildReport(say=lambda line: None))
    site = project / "site"
    # its page, a row at a glance, a place in the charts, and the source in each source line
    page = (site / "organisations" / "delta" / "index.html").read_text(encoding="utf-8")
    assert "Delta Vehicles" in page and "Delta Daily" in page
    (row,) = [
        line for line in docs(project, "index.md").splitlines() if line.startswith("| [Delta Vehicles]")
    ]
    assert '| [Delta Daily](https://example.org/delta) | <data value="300000">300,000</data> in 2030' in row
    for chart_id in ("growth-targets", "target-volumes", "timeline"):
        plotted = (project / "docs" / "charts" / f"{chart_id}.csv").read_text(encoding="utf-8")
        assert "Delta Vehicles" in plotted, chart_id
        assert "delta-news" in chart_sources(project, chart_id), chart_id
    targets = (site / "targets" / "index.html").read_text(encoding="utf-8")
    assert "Delta Daily, “Delta sets its first target”" in targets  # in the charts' source lines


def git(project: Path, *arguments: str, date: str | None = None) -> None:
    dates = (
        {"GIT_AUTHOR_DATE": f"{date}T12:00:00Z", "GIT_COMMITTER_DATE": f"{date}T12:00:00Z"} if date else {}
    )
    subprocess.run(
        ["git", "-c", "user.name=Analyst", "-c", "user.email=analyst@example.org", *arguments],
        cwd=project,
        env={**os.environ, **dates},
        check=True,
        capture_output=True,
    )


def test_what_changed_follows_the_datas_git_history_newest_first(tmp_path: Path):
    """The Pages workflow builds on a fresh runner with no previous site: the page still says what
    changed since the previous version of the data, and when, from the data's own history."""
    project = project_with(tmp_path / "project")
    git(project, "init", "-q")
    git(project, "add", "data")
    git(project, "commit", "-q", "-m", "first data", date="2030-01-01")
    add_rows(project / "data", NEW_AUTOMAKER)
    git(project, "add", "data")
    git(project, "commit", "-q", "-m", "Delta's target", date="2030-02-02")
    targets = project / "data" / "sales_targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8").replace(",110000,", ",115000,"), encoding="utf-8")

    build(Project.at(project), BuildReport(say=lambda line: None), publish=False)
    page = docs(project, "changes.md")
    newest, earlier = page.split("## Earlier versions")
    # the edit not yet committed, against the last commit
    assert "compared with the version of 2030-02-02" in newest
    assert "| `beta-total` | `volume_low` | 110000 | 115000 |" in newest
    # then each commit against the one before, dated, and the first version
    assert earlier.index("### 2030-02-02, compared with 2030-01-01") < earlier.index(
        "### 2030-01-01: the first version"
    )
    assert "**Rows added:** `delta-total-2030`" in earlier and "**Rows added:** `delta-news`" in earlier
