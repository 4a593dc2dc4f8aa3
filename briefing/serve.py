"""`make serve`: a live preview that shows an edit of data/ or templates/ within a second.

`mkdocs serve` notices a change by polling every 0.5 s, then loads the configuration again,
compiles every theme template again and rebuilds every page. This preview hears of a save from
the system (inotify) at once, keeps one configuration (and compiled templates, see
hooks.on_env), and splits the work an edit causes in two passes:

- quick: the pipeline, with charts whose static images are not cached keeping their last
  images (the live chart already shows the edit) and the printable page its last version, then
  MkDocs rebuilds only the pages whose Markdown changed; browsers reload;
- full, once edits pause for a second: the new images, the printable page and every page, so
  navigation, search and downloads agree again; browsers reload once more.

An edit that changes the navigation (pages added, removed or renamed) gets the full pass at
once. A bad edit keeps the last good pages: the error is printed and shown on every page.
"""

from __future__ import annotations

import logging
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import watchdog.events
import watchdog.observers

from briefing.build import BuildReport, Project, build
from briefing.engine import LiveReloadServer, MkDocsConfig, build_pages, load_settings, require_pinned_version
from briefing.errors import BriefingError
from briefing.render import NAVIGATION_FILE
from briefing.write import WriteReport

FILE_CHANGES = [
    watchdog.events.FileCreatedEvent,
    watchdog.events.FileModifiedEvent,
    watchdog.events.FileMovedEvent,
    watchdog.events.FileDeletedEvent,
    watchdog.events.FileClosedEvent,  # closed after writing
]
SETTLE_SECONDS = 0.025  # a save seen, wait this long for the rest of it (editors write in steps)
# The full pass waits until edits pause this long: MkDocs' server holds every request while a
# build runs, so run at once it would hold the page the quick pass made for another ~0.8 s.
FULL_PASS_AFTER_SECONDS = 1.0
# What the quick pass's own MkDocs build warns about, every time; the full pass follows it.
DIRTY_BUILD_WARNING = "A 'dirty' build is being performed"


class _ChangeObserver(watchdog.observers.Observer):
    """The system's file events (inotify on Linux), only those that change a file: reading
    data/ and templates/, as every pass does, must not start another pass."""

    def schedule(self, event_handler, path, *, recursive=False, event_filter=None, follow_symlink=False):
        return super().schedule(
            event_handler, path, recursive=recursive, event_filter=FILE_CHANGES, follow_symlink=follow_symlink
        )


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server, told of changes by the system, able to queue a rebuild."""

    def __init__(self, builder, host: str, port: int, root: str, mount_path: str) -> None:
        super().__init__(builder, host, port, root, mount_path)
        # the system's own file events (inotify on Linux) instead of MkDocs' polling every 0.5 s:
        # a save is seen at once, and an idle preview costs nothing
        self.observer = _ChangeObserver()
        self.build_delay = SETTLE_SECONDS  # MkDocs waits 0.1 s
        self._timer: threading.Timer | None = None

    def rebuild_later(self, seconds: float, prepare: Callable[[], None]) -> None:
        """Rebuild in `seconds` (prepare() first), unless rebuild_later is called again before."""
        if self._timer is not None:
            self._timer.cancel()

        def fire() -> None:
            prepare()
            # what the server's own file watcher does on a change (mkdocs 1.6, pinned)
            with self._rebuild_cond:
                self._want_rebuild = True
                self._rebuild_cond.notify_all()

        self._timer = threading.Timer(seconds, fire)
        self._timer.daemon = True
        self._timer.start()

    def shutdown(self, wait: bool = False) -> None:
        if self._timer is not None:
            self._timer.cancel()
        super().shutdown(wait)


class _QuietDirtyWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(DIRTY_BUILD_WARNING)


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
    config: MkDocsConfig | None = None
    config_text: bytes = b""  # mkdocs.yml as config was loaded from it
    full_pass_due: bool = True  # the first pass, one after a failure, and one asked for

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
            written = build(self.project, self.report, publish=False, quick=quick, settings=self.config)
            error = None
        except BriefingError as problem:
            written, error = None, str(problem)
            print(f"ERROR: still serving the last good pages; fix this and save:\n{error}", file=sys.stderr)
        self.config.extra["build_error"] = error  # the theme shows it as a banner on every page
        quick = quick and written is not None and not _navigation_changed(written)
        if quick:
            build_pages(self.config, dirty=True)  # into the served folder: only changed pages
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


def _navigation_changed(written: WriteReport) -> bool:
    return NAVIGATION_FILE in written.written or bool(written.removed)


def _interrupt(signal_number: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(project: Project, dev_addr: str) -> None:
    """Build, then serve the preview at dev_addr until interrupted (Ctrl-C, or SIGTERM)."""
    require_pinned_version()
    signal.signal(signal.SIGTERM, _interrupt)  # a stop from a process manager cleans up too
    logging.getLogger("mkdocs.commands.build").addFilter(_QuietDirtyWarning())
    host, _, port = dev_addr.rpartition(":")
    with tempfile.TemporaryDirectory(prefix="briefing-preview-") as workspace:
        report = BuildReport(say=lambda line: print(line, flush=True))
        preview = Preview(project, Path(workspace) / "site", dev_addr, report)
        preview.load_config()

        def rebuild() -> None:
            if preview.rebuild():
                server.rebuild_later(FULL_PASS_AFTER_SECONDS, preview.ask_for_full_pass)

        server = PreviewServer(rebuild, host, int(port), str(preview.served), preview.mount_path)
        try:
            rebuild()
            for watched in (
                project.data_dir,
                project.templates_dir,
                project.docs_dir / "assets",
                project.root / "overrides",
                project.config_file,
            ):
                if watched.exists():
                    server.watch(str(watched))
            preview.config.plugins.on_serve(server, config=preview.config, builder=rebuild)
            print(f"preview: serving {preview.config.site_url} (Ctrl-C stops it)", flush=True)
            server.serve()
        except KeyboardInterrupt:
            print("preview: stopped", file=sys.stderr)
        finally:
            server.shutdown()
            preview.config.plugins.on_shutdown()
