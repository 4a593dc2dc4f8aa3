"""A progress line on the terminal for a build stage that runs longer than a second.

Drawn on stderr only when it is a terminal (never in CI or in a log), and erased when the
stage ends, so the build's report lines stay as they are.
"""

from __future__ import annotations

import sys
import threading
import time

SHOW_AFTER_SECONDS = 1.0
REFRESH_SECONDS = 0.1
BAR_WIDTH = 24


class ProgressLine:
    """A background thread redrawing 'name [####....] done/total 2.3 s' until stopped."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.done: int | None = None
        self.total: int | None = None
        self._start = time.perf_counter()
        self._stopped = threading.Event()
        self._shown = False
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def advance(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
        if self._shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()

    def line(self) -> str:
        elapsed = time.perf_counter() - self._start
        if self.total:
            filled = BAR_WIDTH * (self.done or 0) // self.total
            bar = "#" * filled + "." * (BAR_WIDTH - filled)
            return f"{self.name} [{bar}] {self.done}/{self.total} {elapsed:.1f} s"
        return f"{self.name} … {elapsed:.1f} s"

    def _run(self) -> None:
        if self._stopped.wait(SHOW_AFTER_SECONDS):
            return
        while not self._stopped.wait(REFRESH_SECONDS):
            self._shown = True
            sys.stderr.write("\r\x1b[K" + self.line())
            sys.stderr.flush()
