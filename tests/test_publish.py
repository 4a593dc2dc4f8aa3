import pytest
from conftest import tree_bytes

from briefing.engine import load_settings
from briefing.errors import OutputError, PublishError
from briefing.publish import publish_site


@pytest.fixture
def docs_project(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [the other page](other.md).\n")
    (tmp_path / "docs" / "other.md").write_text("# Other\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nsite_url: http://127.0.0.1/\n")
    return tmp_path


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
