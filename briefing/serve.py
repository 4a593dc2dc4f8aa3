"""`make serve`: a live preview that shows an edit of data/ or templates/ within a second.

`mkdocs serve` notices a change by polling every 0.5 s, then loads the configuration again,
compiles every theme template again and rebuilds every page. This preview hears of a save from
the system (inotify) at once, keeps one configuration (and compiled templates, see
hooks.on_env), and splits the work an edit causes in two passes:

- quick: the pipeline rendering only the pages open in a browser (every other page, and the
  printable ones, keep their last Markdown; charts whose static images are not cached keep their
  last images, the live chart already shows the edit), then MkDocs rebuilds the open pages whose
  Markdown changed, with the last navigation and search index; browsers reload;
- full, once edits pause for a second: the new images, the printable page and every page, so
  navigation, search and downloads agree again; browsers reload once more.

An edit that changes the navigation (pages added, removed or renamed) gets the full pass at
once. A bad edit keeps the last good pages: the error is printed and shown on every page.

Pages are served by a plain static server (briefing/static_server.py) from the last build, in
a process of its own, while passes run in this one: a request never waits for a build. Each page
carries a line of script that waits on the preview for the next build and then reloads.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import select
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatch
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import watchdog.events
import watchdog.observers

from briefing import charts, validate
from briefing.build import BuildReport, ImagesStage, Project, build
from briefing.cache import Cache
from briefing.engine import MkDocsConfig, build_changed_pages, build_pages, load_settings
from briefing.errors import BriefingError
from briefing.images import ENDINGS, ChartImages, cached_images, render_images
from briefing.render import CHARTS_DIR, NAVIGATION_FILE, PRINT_FILES
from briefing.static_server import Handler, StaticServer
from briefing.write import WriteReport, generated_files

FILE_CHANGES = (
    watchdog.events.FileCreatedEvent,
    watchdog.events.FileModifiedEvent,
    watchdog.events.FileMovedEvent,
    watchdog.events.FileDeletedEvent,
    watchdog.events.FileClosedEvent,  # closed after writing
)
SETTLE_SECONDS = 0.025  # a save seen, wait this long for the rest of it (editors write in steps)
# The full pass waits until edits pause this long, so that a run of edits each shows quickly.
FULL_PASS_AFTER_SECONDS = 1.0
RELOAD_PATH = ".preview/reload"  # under the site's path: a browser waits there for the next build
RELOAD_WAIT_SECONDS = 25  # then answers anyway, and the page asks again
# A page whose wait for a build was answered this recently is still open (reloading, say).
OPEN_PAGE_SECONDS = 5.0
LEFT_CHECK_SECONDS = 0.25  # how often a wait checks that its browser is still there


# the server's process is started afresh (not forked from one running threads)
PROCESSES = multiprocessing.get_context("spawn")


class Builds:
    """The number of the build being served; pages wait on it to reload. Shared between
    processes: the passes publish builds in one, the server answers in another."""

    def __init__(self) -> None:
        self._number = PROCESSES.Value("i", 0, lock=False)  # guarded by _changed
        self._changed = PROCESSES.Condition()

    @property
    def number(self) -> int:
        return self._number.value

    def published(self) -> None:
        with self._changed:
            self._number.value += 1
            self._changed.notify_all()

    def after(self, seen: int, timeout: float) -> int:
        """The build's number once it is not `seen` (or after timeout)."""
        with self._changed:
            self._changed.wait_for(lambda: self._number.value != seen, timeout)
            return self._number.value


class OpenPages:
    """The pages open in a browser, by address: a page is open while its reload script waits on
    the preview for the next build, and for OPEN_PAGE_SECONDS after it was answered (it reloads,
    then waits again); not once its browser went away. The server's process counts them and
    keeps the count in a file, which the passes read."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self._lock = threading.Lock()
        # address -> [requests waiting, when one was last waiting or answered (0: its browser left)]
        self._pages: dict[str, list[float]] = {}

    # to the server's process, the file only: the counts are kept there
    def __getstate__(self) -> Path:
        return self.file

    def __setstate__(self, file: Path) -> None:
        self.__init__(file)

    def waits(self, address: str) -> None:
        self._change(address, +1, time.time())

    def answered(self, address: str) -> None:
        self._change(address, -1, time.time())

    def left(self, address: str) -> None:
        self._change(address, -1, 0.0)

    def _change(self, address: str, waiting: int, at: float) -> None:
        with self._lock:
            page = self._pages.setdefault(address, [0, 0.0])
            page[0] += waiting
            page[1] = at
            fresh = self.file.with_suffix(".next")
            fresh.write_text(json.dumps(self._pages))
            fresh.replace(self.file)

    def read(self) -> set[str]:
        """The addresses open now: waiting, or answered in the last OPEN_PAGE_SECONDS."""
        try:
            pages = json.loads(self.file.read_text())
        except (OSError, ValueError):
            return set()
        now = time.time()
        return {
            address for address, (waiting, at) in pages.items() if waiting or now - at < OPEN_PAGE_SECONDS
        }


def reload_script(mount_path: str, number: int) -> bytes:
    """A page's line of script: wait for a build after `number`, then reload."""
    address = json.dumps(mount_path + RELOAD_PATH)
    return (
        f"<script>(function(){{var seen={number};function wait(){{"
        f"fetch({address}+'?since='+seen+'&page='+encodeURIComponent(location.pathname),{{cache:'no-store'}})"
        ".then(function(r){return r.text()})"
        ".then(function(t){if(+t!==seen){location.reload()}else{wait()}},function(){setTimeout(wait,1000)})"
        "}wait()})()</script>"
    ).encode()


class PreviewHandler(Handler):
    """The static server's handler, plus the reload wait and a reload script in every page."""

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path != self.server.prefix + RELOAD_PATH:
            super().do_GET()
            return
        query = parse_qs(parts.query)
        seen, page = query.get("since", ["-1"])[0], query.get("page", [""])[0]
        self.server.open_pages.waits(page)
        number = None
        try:
            number = self._build_after(int(seen) if seen.lstrip("-").isdigit() else -1)
        finally:
            (self.server.open_pages.left if number is None else self.server.open_pages.answered)(page)
        if number is None:
            self.close_connection = True
            return
        body = str(number).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _build_after(self, seen: int) -> int | None:
        """The build's number once it is not `seen` (or after RELOAD_WAIT_SECONDS); None once the
        browser closed the connection (it left the page: the page is not open any more)."""
        deadline = time.monotonic() + RELOAD_WAIT_SECONDS
        while True:
            remaining = deadline - time.monotonic()
            number = self.server.builds.after(seen, max(0.0, min(LEFT_CHECK_SECONDS, remaining)))
            if number != seen or remaining <= 0:
                return number
            if self._browser_left():
                return None

    def _browser_left(self) -> bool:
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            # a closed connection reads as empty; a browser sends nothing else while it waits
            return bool(readable) and not self.connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return True

    def text_body(self, target: str) -> tuple[bytes | None, str | None]:
        # the build's number before its file: a build published in between then makes the page
        # reload once more, where the other order would leave it showing the older build
        number = self.server.builds.number
        body = Path(target).read_bytes()
        if target.endswith(".html"):
            body = body.replace(b"</body>", reload_script(self.server.prefix, number) + b"</body>", 1)
        return body, None


def preview_server(
    served: Path, mount_path: str, builds: Builds, open_pages: OpenPages, address: tuple[str, int]
) -> StaticServer:
    server = StaticServer(served, mount_path, {"Cache-Control": "no-store"}, address, PreviewHandler)
    server.httpd.builds, server.httpd.open_pages = builds, open_pages
    return server


class ServerProcess:
    """The preview's server in a process of its own: a pass holds the build's process (Python
    runs one thread at a time), and requests served from it waited up to a second at 1,000
    organisations; from its own process, the server answers at once."""

    def __init__(
        self, served: Path, mount_path: str, builds: Builds, open_pages: OpenPages, address: tuple[str, int]
    ) -> None:
        self.url: str | None = None
        self._answer, answer = PROCESSES.Pipe(duplex=False)
        self.process = PROCESSES.Process(
            target=_run_server, args=(served, mount_path, builds, open_pages, address, answer), daemon=True
        )

    def start(self) -> ServerProcess:
        """Started once it listens (at self.url); raises OSError as binding its address did (a
        port in use)."""
        self.process.start()
        self.url, error = self._answer.recv()
        if error is not None:
            self.process.join()
            raise OSError(error)
        return self

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


def _run_server(
    served: Path,
    mount_path: str,
    builds: Builds,
    open_pages: OpenPages,
    address: tuple[str, int],
    answer: Connection,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it stops us
    try:
        server = preview_server(served, mount_path, builds, open_pages, address)
    except OSError as error:
        answer.send((None, str(error)))
        return
    answer.send((server.url, None))
    server.httpd.serve_forever()


@dataclass
class Preview:
    """The preview's state between passes.

    The server serves `served`, a symbolic link to the current build: a full pass builds into
    a new folder and moves the link in one step once it succeeded, so a full build that fails
    (say, on a theme override that does not compile) leaves the last good pages served, not
    the half-empty folder MkDocs clears before a full build.
    """

    project: Project
    served: Path
    dev_addr: str
    report: BuildReport
    open_pages: OpenPages = field(init=False)
    config: MkDocsConfig | None = None
    config_text: bytes = b""  # mkdocs.yml as config was loaded from it
    full_pass_due: bool = True  # the first pass, one after a failure, and one asked for

    def __post_init__(self) -> None:
        self.open_pages = OpenPages(self.served.with_name("open-pages.json"))

    def ask_for_full_pass(self) -> None:
        self.full_pass_due = True

    @property
    def mount_path(self) -> str:
        return urlsplit(self.config.site_url).path

    def load_config(self) -> None:
        """Load mkdocs.yml (again, once it changed): a full pass follows."""
        if self.config is not None:
            self.config.plugins.on_shutdown()
        self.config_text = self.project.config_file.read_bytes()
        # strict off: a warning is shown in the terminal, never the end of the preview
        config = load_settings(self.project.config_file, site_dir=self.served, strict=False)
        config.site_url = f"http://{self.dev_addr}{urlsplit(config.site_url or '/').path or '/'}"
        # dirty=True: the search plugin then merges a quick pass's pages into the last index
        config.plugins.on_startup(command="serve", dirty=True)
        self.config, self.full_pass_due = config, True

    def rebuild(self) -> bool:
        """One pass, quick unless a full one is due; True when a full pass should follow."""
        start = time.perf_counter()
        try:
            if self.project.config_file.read_bytes() != self.config_text:
                self.load_config()
            quick = self._build_pages(quick=not self.full_pass_due)
        except Exception as error:  # the preview's boundary: e.g. a slip in an edited theme override
            print(f"ERROR: still serving the last good pages; MkDocs failed: {error}", file=sys.stderr)
            self.full_pass_due = True
            return False
        self.full_pass_due = False
        kind = "quick pass (changed pages; images and every page follow)" if quick else "full pass"
        print(f"preview: {kind} in {time.perf_counter() - start:.2f} s", flush=True)
        return quick

    def _build_pages(self, quick: bool) -> bool:
        """The pipeline, then MkDocs; whether that was a quick pass."""
        try:
            shown = page_sources(self.open_pages.read(), self.mount_path)
            stages = quick_stages(self.project.docs_dir, shown) if quick else {}
            written = build(self.project, self.report, publish=False, settings=self.config, **stages)
            error = None
        except BriefingError as problem:
            written, error = None, str(problem)
            print(f"ERROR: still serving the last good pages; fix this and save:\n{error}", file=sys.stderr)
        self.config.extra["build_error"] = error  # the theme shows it as a banner on every page
        quick = quick and written is not None and not _navigation_changed(written)
        if quick:
            build_changed_pages(self.config)  # into the served folder
        else:
            self._build_and_switch()
        return quick

    def _build_and_switch(self) -> None:
        previous = self.served.resolve() if self.served.is_symlink() else None
        fresh = tempfile.mkdtemp(prefix="build-", dir=self.served.parent)
        self.config.site_dir = fresh
        try:
            build_pages(self.config)
        except BaseException:
            shutil.rmtree(fresh, ignore_errors=True)
            self.config.site_dir = str(previous or self.served)
            raise
        link = self.served.with_name("next")
        link.symlink_to(fresh, target_is_directory=True)
        link.replace(self.served)  # one rename: the old build or the new, never neither
        if previous is not None:
            shutil.rmtree(previous, ignore_errors=True)


def page_sources(addresses: Iterable[str], mount_path: str) -> set[str]:
    """The Markdown files under docs/ that may be the pages at these addresses (with directory
    URLs or without)."""
    sources = set()
    for address in addresses:
        if address.startswith(mount_path):
            page = address[len(mount_path) :]
            stem = page.removesuffix(".html").rstrip("/")
            sources |= {f"{stem}/index.md", f"{stem}.md"} if stem else {"index.md"}
    return sources


def quick_stages(docs_dir: Path, shown: set[str]) -> dict:
    """How the quick pass composes the pipeline: it renders the pages open in a browser
    (`shown`, their Markdown files) and the navigation (read for changes to the page set), and
    keeps the last Markdown of the others, so the edit shows sooner (the full pass after it
    makes everything anew). The printable pages repeat the others: MkDocs would render each
    edit twice."""
    rendered = {path for path in shown if not fnmatch(path, PRINT_FILES)} | {NAVIGATION_FILE}

    def kept_files(files: dict[str, bytes]) -> dict[str, bytes]:
        last = [path for path in generated_files(docs_dir) if path.endswith(".md") and path not in files]
        return read_files(docs_dir, last)

    return {
        "images_of": images_keeping_the_last(docs_dir / CHARTS_DIR),
        "only_pages": rendered,
        "kept_files": kept_files,
    }


def images_keeping_the_last(charts_dir: Path) -> ImagesStage:
    """The images stage, except that a chart whose images are not in the cache keeps the last
    ones written (its live chart shows the edit already) instead of being rendered now."""

    def images_of(charts: dict, cache: Cache, progress: Callable[[int, int], None]) -> dict[str, ChartImages]:
        cached = cached_images(charts, cache)
        last = read_chart_images(charts_dir, set(charts) - set(cached))
        at_hand = set(cached) | set(last)
        to_render = {chart_id: chart for chart_id, chart in charts.items() if chart_id not in at_hand}
        made = cached | render_images(to_render, cache, progress)
        return {
            chart_id: made[chart_id]
            if chart_id in made
            else ChartImages(*last[chart_id], cached=False, kept=True)
            for chart_id in charts
        }

    return images_of


def read_chart_images(charts_dir: Path, chart_ids: Iterable[str]) -> dict[str, tuple[bytes, ...]]:
    """The images the last build wrote for each chart (in ChartImages' order), where it wrote all."""
    names = {chart_id: [chart_id + ending for ending in ENDINGS] for chart_id in chart_ids}
    found = read_files(charts_dir, [name for chart_names in names.values() for name in chart_names])
    return {
        chart_id: tuple(found[name] for name in chart_names)
        for chart_id, chart_names in names.items()
        if set(chart_names) <= found.keys()
    }


def read_files(folder: Path, relative_paths: Iterable[str]) -> dict[str, bytes]:
    """Those of the files that exist under folder, by their relative path."""
    paths = {relative: folder / relative for relative in relative_paths}
    return {relative: path.read_bytes() for relative, path in paths.items() if path.is_file()}


def _navigation_changed(written: WriteReport) -> bool:
    return NAVIGATION_FILE in written.written or bool(written.removed)


class Passes:
    """Runs the preview's passes one at a time, in a thread of its own: a quick pass once a
    save has settled, a full pass once edits pause; each pass published to the pages."""

    def __init__(self, preview: Preview, builds: Builds) -> None:
        self.preview, self.builds = preview, builds
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._edit_at: float | None = None  # when the last save settles
        self._full_at: float | None = None  # when the full pass is due
        self._stopped = False
        self.thread = threading.Thread(target=self._run, name="preview-passes", daemon=True)

    def edited(self) -> None:
        with self._lock:
            self._edit_at, self._full_at = time.monotonic() + SETTLE_SECONDS, None
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()
        self.thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stopped:
            with self._lock:
                due = self._edit_at if self._edit_at is not None else self._full_at
            self._wake.wait(None if due is None else max(0.0, due - time.monotonic()))
            self._wake.clear()
            with self._lock:
                now = time.monotonic()
                edit = self._edit_at is not None and now >= self._edit_at
                full = not edit and self._full_at is not None and now >= self._full_at
                if edit:
                    self._edit_at = None
                if full:
                    self._full_at = None
            if self._stopped or not (edit or full):
                continue
            if full:
                self.preview.ask_for_full_pass()
            full_should_follow = self.preview.rebuild()
            self.builds.published()
            if not full_should_follow:
                set_aside_from_collection()
            if full_should_follow:
                with self._lock:
                    if self._edit_at is None:
                        self._full_at = time.monotonic() + FULL_PASS_AFTER_SECONDS


def set_aside_from_collection() -> None:
    """Exempt what the process holds after a full pass (the last model, MkDocs' pages and
    plugins, the libraries) from Python's cyclic garbage collector, whose every full collection
    walked it all: 0.1 s, once or twice a quick pass at 1,000 organisations. What the last call
    set aside is collected first, so nothing is kept longer than until the next full pass."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class _Edits(watchdog.events.FileSystemEventHandler):
    """The system's file events (inotify on Linux) that change a watched file: reading data/
    and templates/, as every pass does, must not start another pass."""

    def __init__(self, passes: Passes, only: Path | None = None) -> None:
        self.passes, self.only = passes, only

    def on_any_event(self, event: watchdog.events.FileSystemEvent) -> None:
        if not isinstance(event, FILE_CHANGES):
            return
        paths = {Path(os.fsdecode(event.src_path)), Path(os.fsdecode(getattr(event, "dest_path", "") or "."))}
        if self.only is None or self.only in paths:
            self.passes.edited()


def watch_edits(project: Project, passes: Passes) -> watchdog.observers.Observer:
    observer = watchdog.observers.Observer()
    for folder in (
        project.data_dir,
        project.templates_dir,
        project.docs_dir / "assets",
        project.root / "overrides",
    ):
        if folder.is_dir():
            observer.schedule(_Edits(passes), str(folder), recursive=True)
    observer.schedule(_Edits(passes, only=project.config_file), str(project.config_file.parent))
    return observer


def _interrupt(signal_number: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(project: Project, dev_addr: str) -> None:
    """Build, then serve the preview at dev_addr until interrupted (Ctrl-C, or SIGTERM)."""
    signal.signal(signal.SIGTERM, _interrupt)  # a stop from a process manager cleans up too
    host, _, port = dev_addr.rpartition(":")
    with tempfile.TemporaryDirectory(prefix="briefing-preview-") as workspace:
        report = BuildReport(say=lambda line: print(line, flush=True))
        preview = Preview(project, Path(workspace) / "site", dev_addr, report)
        preview.load_config()
        builds = Builds()
        passes = Passes(preview, builds)
        observer = watch_edits(project, passes)
        server = None
        try:
            preview.rebuild()  # the first pages, before there is anything to serve
            # what the first edit would otherwise wait for: vl-convert's engine, frictionless' set-up
            charts.warm_up()
            validate.warm_up()
            set_aside_from_collection()
            # edits are watched before the first page is served: an edit saved as soon as the
            # reader sees the page is not lost (the watch started after the server did, and a
            # save in between went unseen)
            passes.thread.start()
            observer.start()
            server = ServerProcess(
                preview.served, preview.mount_path, builds, preview.open_pages, (host, int(port))
            ).start()
            print(f"preview: serving {preview.config.site_url} (Ctrl-C stops it)", flush=True)
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("preview: stopped", file=sys.stderr)
        finally:
            observer.stop()
            if passes.thread.is_alive():
                passes.stop()
            if server is not None:
                server.stop()
            preview.config.plugins.on_shutdown()
