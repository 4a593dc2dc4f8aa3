"""The preview in process: its static server answers from the last build while the next one is
made, and a page waiting for the next build hears of it (the subprocess test of `make serve`
is in test_editing_loop.py)."""

import threading
import urllib.request

import pytest

from briefing.build import BuildReport, Project
from briefing.serve import RELOAD_PATH, Builds, Preview, preview_server


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read().decode("utf-8")


@pytest.fixture
def preview(mini_project, tmp_path):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    preview = Preview(
        Project.at(mini_project), workspace / "site", "127.0.0.1:8123", BuildReport(say=lambda line: None)
    )
    preview.load_config()
    preview.rebuild()
    yield preview
    preview.config.plugins.on_shutdown()


def test_pages_are_served_from_the_last_build_while_the_next_is_made(preview):
    builds = Builds()
    server = preview_server(preview.served, preview.mount_path, builds, ("127.0.0.1", 0)).start()
    try:
        url = server.url + "targets/"
        before = fetch(url)
        assert "Beta Cars" in before and f"{RELOAD_PATH}" in before and ">11%<" not in before

        targets = preview.project.data_dir / "sales_targets.csv"
        targets.write_text(targets.read_text().replace(",exact,10,,exact,", ",exact,11,,exact,"))
        preview.ask_for_full_pass()
        full_pass = threading.Thread(target=preview.rebuild)
        full_pass.start()
        answered_during_the_pass = 0
        while full_pass.is_alive():
            page = fetch(url)
            assert page.rstrip().endswith("</html>"), "a page cut short"  # the last build or the next
            answered_during_the_pass += full_pass.is_alive()
        full_pass.join()
        assert answered_during_the_pass >= 1, "no request was answered while the pass ran"
        assert ">11%<" in fetch(url)

        # a page waiting on build 0 hears of build 1 once it is published
        heard: list[str] = []
        waiting = threading.Thread(target=lambda: heard.append(fetch(f"{server.url}{RELOAD_PATH}?since=0")))
        waiting.start()
        builds.published()
        waiting.join(timeout=30)
        assert heard == ["1"]
        assert "var seen=1;" in fetch(url)  # pages served now wait for the build after it
    finally:
        server.stop()
