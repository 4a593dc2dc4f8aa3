"""The preview in process: its static server answers from the last build while the next one is
made, and a page waiting for the next build hears of it (the subprocess test of `make serve`
is in test_editing_loop.py)."""

import gc
import pickle
import socket
import threading
import time
import urllib.request
import weakref
from pathlib import Path

import pytest
from conftest import REPO

import briefing.build
from briefing.build import BuildReport, Project
from briefing.cache import Cache
from briefing.charts import build_charts
from briefing.images import render_images
from briefing.model import build_model
from briefing.read import read_dataset
from briefing.render import SiteInfo, render_site
from briefing.serve import (
    RELOAD_PATH,
    RELOAD_WAIT_SECONDS,
    Builds,
    OpenPages,
    Preview,
    ServerProcess,
    images_keeping_the_last,
    page_sources,
    preview_server,
    set_aside_from_collection,
)
from briefing.validate import validate_dataset
from briefing.vendor import vendor_assets
from briefing.write import generated_files


def site_charts():
    return build_charts(build_model(validate_dataset(read_dataset(REPO / "data"))), Cache(None))


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
    server = ServerProcess(
        preview.served, preview.mount_path, builds, preview.open_pages, ("127.0.0.1", 0)
    ).start()
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

        # a page waiting on build 0 hears of build 1 once it is published (by another process)
        heard: list[str] = []
        waiting = threading.Thread(target=lambda: heard.append(fetch(f"{server.url}{RELOAD_PATH}?since=0")))
        waiting.start()
        builds.published()
        waiting.join(timeout=30)
        assert heard == ["1"]
        assert "var seen=1;" in fetch(url)  # pages served now wait for the build after it
    finally:
        server.stop()


def test_a_page_read_as_a_build_is_published_waits_for_that_build_and_reloads(tmp_path, monkeypatch):
    """A build published while a page is being read: the page must carry the number of the build
    before it, so that it reloads; with the newer number it would show the older page until the
    build after."""
    (tmp_path / "page.html").write_text("<html><body>the last build</body></html>")
    builds = Builds()
    read_bytes = Path.read_bytes

    def read_as_a_build_is_published(path: Path) -> bytes:
        body = read_bytes(path)
        if path.name == "page.html":
            builds.published()  # the next build swapped in just after this file was read
        return body

    monkeypatch.setattr(Path, "read_bytes", read_as_a_build_is_published)
    server = preview_server(
        tmp_path, "/", builds, OpenPages(tmp_path / "open.json"), ("127.0.0.1", 0)
    ).start()
    try:
        page = fetch(server.url + "page.html")
    finally:
        server.stop()
    assert "the last build" in page and "var seen=0;" in page and builds.number == 1


def test_the_quick_pass_keeps_the_last_images_of_a_chart_not_in_the_cache(tmp_path):
    charts = site_charts()
    cache = Cache(tmp_path / "cache")
    cached_id, waiting_id = "timeline", "growth-targets"
    render_images({cached_id: charts[cached_id]}, cache)
    last = tmp_path / "charts"  # what the last build wrote
    last.mkdir()
    for chart_id in (cached_id, waiting_id):
        (last / f"{chart_id}.svg").write_bytes(b"<svg>last</svg>")
        (last / f"{chart_id}.png").write_bytes(b"last png")
        (last / f"{chart_id}.narrow.svg").write_bytes(b"<svg>last narrow</svg>")

    images = images_keeping_the_last(last)(charts, cache, lambda done, total: None)

    assert list(images) == list(charts)
    assert images[waiting_id].files == {
        ".svg": b"<svg>last</svg>",
        ".png": b"last png",
        ".narrow.svg": b"<svg>last narrow</svg>",
    }
    assert images[waiting_id].kept and not images[waiting_id].cached
    assert images[cached_id].cached and images[cached_id].svg != b"<svg>last</svg>"  # the cache wins
    rendered = {chart_id for chart_id, image in images.items() if not image.cached and not image.kept}
    assert rendered == set(charts) - {cached_id, waiting_id}  # no last images: rendered now
    # the kept images went nowhere near the cache: the next full pass renders the real ones
    assert not render_images({waiting_id: charts[waiting_id]}, cache)[waiting_id].cached


def wait_for(condition, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_page_waiting_for_the_next_build_is_open_and_stays_so_while_it_reloads(tmp_path, monkeypatch):
    (tmp_path / "page.html").write_text("<html><body>a page</body></html>")
    builds, open_pages = Builds(), OpenPages(tmp_path / "open.json")
    server = preview_server(tmp_path, "/", builds, open_pages, ("127.0.0.1", 0)).start()
    try:
        assert "page=" in fetch(server.url + "page.html")  # the reload script names its page
        assert open_pages.read() == set()  # fetched, but no script of it waits (a probe, a crawler)
        waiting = threading.Thread(target=fetch, args=(f"{server.url}{RELOAD_PATH}?since=0&page=/other/",))
        waiting.start()
        assert wait_for(lambda: open_pages.read() == {"/other/"})
        builds.published()
        waiting.join(timeout=30)
        assert open_pages.read() == {"/other/"}  # answered: it reloads, and is open meanwhile
        monkeypatch.setattr("briefing.serve.OPEN_PAGE_SECONDS", 0)
        assert open_pages.read() == set()  # answered long ago, and not back since
    finally:
        server.stop()


def test_a_page_is_closed_as_soon_as_its_browser_leaves_it(tmp_path):
    builds, open_pages = Builds(), OpenPages(tmp_path / "open.json")
    server = preview_server(tmp_path, "/", builds, open_pages, ("127.0.0.1", 0)).start()
    try:
        browser = socket.create_connection(server.httpd.server_address[:2])
        browser.sendall(f"GET /{RELOAD_PATH}?since=0&page=/left/ HTTP/1.1\r\nHost: preview\r\n\r\n".encode())
        assert wait_for(lambda: open_pages.read() == {"/left/"})
        browser.close()  # as a browser does with a pending request when it leaves the page
        # before the wait's own end (RELOAD_WAIT_SECONDS), and with no build published
        assert wait_for(lambda: open_pages.read() == set(), seconds=RELOAD_WAIT_SECONDS / 2)
    finally:
        server.stop()


def test_addresses_name_their_markdown_files_with_directory_urls_or_without():
    assert page_sources(["/briefing/", "/briefing/organisations/beta/", "/elsewhere/"], "/briefing/") == {
        "index.md",
        "organisations/beta/index.md",
        "organisations/beta.md",
    }
    assert page_sources(["/organisations/beta.html", "/organisations/index.html"], "/") == {
        "organisations/beta/index.md",
        "organisations/beta.md",
        "organisations/index/index.md",
        "organisations/index.md",
    }


def test_the_quick_pass_remakes_only_the_pages_open_in_a_browser(preview):
    targets_page = preview.served / "targets" / "index.html"
    beta_page = preview.served / "organisations" / "beta" / "index.html"
    assert "<td>10%</td>" in beta_page.read_text() and ">10%<" in targets_page.read_text()
    preview.open_pages.answered("/targets/")  # as the server does: the page is reloading

    generated = generated_files(preview.project.docs_dir)
    targets = preview.project.data_dir / "sales_targets.csv"
    targets.write_text(targets.read_text().replace(",exact,10,,exact,", ",exact,11,,exact,"))
    assert preview.rebuild()  # quick, and a full pass should follow

    assert generated_files(preview.project.docs_dir) == generated  # the others kept, none removed
    assert ">11%<" in targets_page.read_text()
    assert "<td>10%</td>" in beta_page.read_text()  # no browser shows it: its last version
    preview.ask_for_full_pass()
    assert not preview.rebuild()
    assert "<td>11%</td>" in (preview.served / "organisations" / "beta" / "index.html").read_text()


def test_a_template_edit_does_not_make_the_model_or_charts_again(preview, monkeypatch):
    made, drawn = [], []
    build_model, build_charts = briefing.build.build_model, briefing.build.build_charts
    monkeypatch.setattr(briefing.build, "build_model", lambda *args: made.append(args) or build_model(*args))
    monkeypatch.setattr(
        briefing.build, "build_charts", lambda *args: drawn.append(args) or build_charts(*args)
    )
    template = preview.project.templates_dir / "targets.md.j2"
    template.write_text(template.read_text() + "\nA sentence added in the preview.\n")
    preview.open_pages.answered("/targets/")
    preview.rebuild()
    assert "A sentence added in the preview." in (preview.served / "targets" / "index.html").read_text()
    assert made == [] and drawn == []  # the data did not change: the last model and charts served

    targets = preview.project.data_dir / "sales_targets.csv"
    targets.write_text(targets.read_text().replace(",exact,10,,exact,", ",exact,11,,exact,"))
    preview.rebuild()
    assert len(made) == len(drawn) == 1 and ">11%<" in (preview.served / "targets" / "index.html").read_text()


def test_the_stages_after_the_model_leave_it_as_they_found_it(tmp_path):
    """What lets a process keep the last tables, records, model and charts for the next build
    (LAST_FRAMES, LAST_RECORDS, LAST_MODEL and LAST_CHARTS)."""
    dataset = validate_dataset(read_dataset(REPO / "data"))
    dataset_before = pickle.dumps(dataset)
    model = build_model(dataset)
    before = pickle.dumps(model)
    cache = Cache(tmp_path / "cache")
    charts = build_charts(model, cache)
    charts_before = pickle.dumps(charts)
    assert pickle.dumps(model) == before
    site = SiteInfo("Briefing", "https://example.org/", "2026-01-01", True)
    render_site(model, charts, render_images(charts, cache), vendor_assets(), site, REPO / "templates", cache)
    assert pickle.dumps(model) == before
    assert pickle.dumps(charts) == charts_before
    assert pickle.dumps(dataset) == dataset_before
    assert pickle.dumps(build_model(dataset)) == before  # made again from the records kept


def test_what_a_pass_set_aside_from_collection_is_collected_at_the_next():
    class Node:
        pass

    node = Node()
    node.itself = node  # a reference cycle: only the collector frees it
    gone = weakref.ref(node)
    try:
        set_aside_from_collection()
        assert gc.get_freeze_count() > 0
        del node
        gc.collect()
        assert gone() is not None  # set aside: a collection passes it by
        set_aside_from_collection()
        assert gone() is None
    finally:
        gc.unfreeze()
