import os
import re
import subprocess
import sys

import pytest
from conftest import run_build, tree_bytes

from briefing.engine import build_changed_pages, build_pages, load_settings
from briefing.errors import OutputError, PublishError
from briefing.publish import publish_site


@pytest.fixture
def docs_project(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [the other page](other.md).\n")
    (tmp_path / "docs" / "other.md").write_text("# Other\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nsite_url: http://127.0.0.1/\n")
    return tmp_path


def test_a_build_of_the_changed_pages_keeps_the_last_navigation_and_search_index(tmp_path):
    """The preview's quick pass: the page shows the edit at once; SUMMARY.md and the search index
    are the full build's to read and write."""
    docs, site = tmp_path / "docs", tmp_path / "site"
    docs.mkdir()
    (docs / "index.md").write_text("# Home\n\nFirst words.\n")
    (docs / "other.md").write_text("# Other\n")
    (docs / "SUMMARY.md").write_text("- [Home](index.md)\n- [Other](other.md)\n")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: t\nsite_url: http://127.0.0.1/\ntheme: material\nplugins:\n  - search\n  - literate-nav\n"
    )
    settings = load_settings(tmp_path / "mkdocs.yml", site)
    settings.plugins.on_startup(command="serve", dirty=True)
    build_pages(settings)
    index = (site / "search" / "search_index.json").read_bytes()
    plugins = settings.plugins

    def navigation() -> list[str]:
        return re.findall(r'<a href="([^"]*)" class="md-nav__link', (site / "index.html").read_text())

    assert navigation() == [".", "other/"]
    (docs / "index.md").write_text("# Home\n\nNew words.\n")
    (docs / "SUMMARY.md").write_text("- [Other](other.md)\n- [Home](index.md)\n")
    build_changed_pages(settings)
    assert "New words." in (site / "index.html").read_text()
    assert 'for="__search"' in (site / "index.html").read_text()  # the search box stays
    assert navigation() == [".", "other/"]  # the last build's
    assert (site / "search" / "search_index.json").read_bytes() == index
    assert settings.plugins is plugins

    build_pages(settings)  # as the preview's full pass: both read and written
    assert navigation() == ["other/", "."]
    assert "New words" in (site / "search" / "search_index.json").read_text()
    settings.plugins.on_shutdown()


def test_publishes_into_place_and_leaves_no_stray_folders(docs_project):
    publish_site(load_settings(docs_project / "mkdocs.yml"), docs_project / "site")
    assert (docs_project / "site" / "other" / "index.html").exists()
    publish_site(load_settings(docs_project / "mkdocs.yml"), docs_project / "site")
    assert sorted(p.name for p in docs_project.iterdir()) == ["docs", "mkdocs.yml", "site"]


def test_a_strict_warning_keeps_the_previous_site(docs_project):
    publish_site(load_settings(docs_project / "mkdocs.yml"), docs_project / "site")
    before = tree_bytes(docs_project / "site")
    (docs_project / "docs" / "index.md").write_text("# Home\n\n[broken](missing.md)\n")
    with pytest.raises(PublishError, match=r"missing\.md"):
        publish_site(load_settings(docs_project / "mkdocs.yml"), docs_project / "site")
    assert tree_bytes(docs_project / "site") == before
    assert sorted(p.name for p in docs_project.iterdir()) == ["docs", "mkdocs.yml", "site"]


def test_refuses_to_replace_a_folder_holding_sources(docs_project):
    with pytest.raises(OutputError, match="holds sources"):
        publish_site(load_settings(docs_project / "mkdocs.yml"), docs_project)
    assert (docs_project / "docs" / "index.md").exists()


def test_an_incremental_build_is_the_full_build_after_a_sequence_of_edits(
    mini_project, tmp_path, monkeypatch
):
    """After each edit, the site the build publishes (incremental where it can be) is byte for
    byte the site a full MkDocs build makes of the same docs/; an edit that changes the page set
    or mkdocs.yml, or puts a page back into the search index, falls back to a full build and says
    why."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    site = mini_project / "site"
    data = mini_project / "data"
    organisations, targets = data / "organisations.csv", data / "sales_targets.csv"
    template, config = mini_project / "templates" / "targets.md.j2", mini_project / "mkdocs.yml"
    omega = (
        "omega,Omega Autos,automaker,,fixture-source,Omega Autos,\n",
        "omega-total,omega,total,,one year,2030,this year,90000,,exact,20,,exact,,"
        "Omega targets 90000 vehicles.,fixture-source,90000,\n",
    )
    edits = [
        (
            "a figure",
            lambda: targets.write_text(targets.read_text().replace(",exact,10,,exact,", ",exact,11,,exact,")),
        ),
        ("a template", lambda: template.write_text(template.read_text() + "\nA sentence the edit adds.\n")),
        # MkDocs' dirty build renders a page whose file is newer than its output, changed or not
        ("a page's file touched", lambda: os.utime(mini_project / "docs" / "targets.md")),
        ("a page left out of search", lambda: template.write_text(template.read_text().replace(*in_search))),
        (
            "a page back in search",
            lambda: template.write_text(template.read_text().replace(*reversed(in_search))),
        ),
        (
            "an organisation added",
            lambda: (
                organisations.write_text(organisations.read_text() + omega[0]),
                targets.write_text(targets.read_text() + omega[1]),
            ),
        ),
        (
            "an organisation removed",
            lambda: (
                organisations.write_text(organisations.read_text().replace(omega[0], "")),
                targets.write_text(targets.read_text().replace(omega[1], "")),
            ),
        ),
        (
            "mkdocs.yml",
            lambda: config.write_text(config.read_text().replace('site_name: "', 'site_name: "Edited ', 1)),
        ),
    ]
    in_search = ("title: Sales targets\n", "title: Sales targets\nsearch:\n  exclude: true\n")
    expected = [
        "incremental (",
        "incremental (",
        "incremental (0 pages)",
        "incremental (",
        "full: a page entered the search index",
        "full: files were added",
        "full: files were added",
        "full: mkdocs.yml",
    ]

    def published() -> str:
        # each build in a process of its own, as `make site` runs: MkDocs keeps plugin instances
        # across builds in one process, and a preview tested earlier in this one left Material's
        # search merging into its last index
        result = run_build(mini_project)
        assert result.returncode == 0, result.stderr
        return next(line for line in result.stdout.splitlines() if line.startswith("mkdocs: "))

    assert "full: no record of the last build" in published()
    for (edit, make), how in zip(edits, expected, strict=True):
        make()
        line = published()
        assert how in line, f"{edit}: {line}"
        full = tmp_path / f"full-{edit.replace(' ', '-')}"
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(full)],
            cwd=mini_project,
            check=True,
        )
        assert tree_bytes(site) == tree_bytes(full), f"{edit}: the incremental site differs"


def test_a_setting_the_environment_changes_makes_the_next_build_full(docs_project, monkeypatch):
    config = docs_project / "mkdocs.yml"
    config.write_text('site_name: t\nsite_url: !ENV [PUBLISH_TEST_SITE_URL, "http://127.0.0.1/"]\n')
    record = docs_project / "record.json"

    def publish() -> str:
        return publish_site(load_settings(config), docs_project / "site", record)

    assert publish() == "full: no record of the last build"
    assert publish() == "incremental (0 pages)"
    monkeypatch.setenv("PUBLISH_TEST_SITE_URL", "http://127.0.0.1/briefing/")
    assert publish().startswith("full: mkdocs.yml")
    assert 'href="http://127.0.0.1/briefing/' in (docs_project / "site" / "index.html").read_text()


def test_the_site_before_the_last_is_kept_and_brought_up_to_date_by_the_next_build(docs_project, monkeypatch):
    """An incremental build starts from the replaced site kept beside the build record, made
    file for file like the last one: whatever differs in it (a file changed, added or removed)
    does not reach the published site, which is the full build's."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    config, record = docs_project / "mkdocs.yml", docs_project / "cache" / "record.json"
    # titles in the navigation: a dirty build does not read the pages it leaves (as SUMMARY.md)
    config.write_text(config.read_text() + "nav:\n  - Home: index.md\n  - Other: other.md\n")
    spare = record.with_suffix(".site")

    def publish(site) -> str:
        return publish_site(load_settings(config), site, record if site.name == "site" else None)

    publish(docs_project / "site")
    assert not spare.exists()
    (docs_project / "docs" / "index.md").write_text("# Home\n\nSee [the other page](other.md) now.\n")
    assert publish(docs_project / "site") == "incremental (1 pages)"
    assert "now." not in (spare / "index.html").read_text()  # the first build's site
    (spare / "other" / "index.html").write_text("changed")
    (spare / "stray" / "page.html").parent.mkdir()
    (spare / "stray" / "page.html").write_text("added")
    (spare / "404.html").unlink()
    (docs_project / "docs" / "other.md").write_text("# Other\n\nEdited.\n")
    assert publish(docs_project / "site") == "incremental (1 pages)"
    assert publish(docs_project / "full").startswith("full: ")  # no record: no spare either
    assert tree_bytes(docs_project / "site") == tree_bytes(docs_project / "full")
    assert "Edited." not in (spare / "other" / "index.html").read_text()  # the second build's site
    assert sorted(p.name for p in docs_project.iterdir()) == ["cache", "docs", "full", "mkdocs.yml", "site"]
