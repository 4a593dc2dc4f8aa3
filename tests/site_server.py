"""The real site, built once per test session and served under a sub-path, plus Chromium and npm checks.

Shared by tests/browser/ and tests/quality/: their conftest.py files import the fixtures below.
The site is served at http://127.0.0.1:<free port>/briefing/ and built with SITE_URL set to that
address, so Material's instant navigation (which only intercepts links listed in sitemap.xml) and
root-absolute links are judged as they would be on a host that publishes under a sub-path.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, Response

from briefing import measure
from briefing.measure import CHROMIUM, CHROMIUM_ARGS
from briefing.static_server import StaticServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser

REPO = Path(__file__).resolve().parents[1]
PREFIX = "/briefing/"
NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"


def require_chromium() -> str:
    """The Chromium executable, or a one-line failure (never a skip) saying how to install it."""
    found = shutil.which("chromium")
    if found is None:
        pytest.fail("chromium is not installed: run `apt-get install -y chromium`", pytrace=False)
    return CHROMIUM if Path(CHROMIUM).is_file() else found


def require_npm_file(path: Path) -> Path:
    """A file from node_modules/, or a one-line failure saying how to install it."""
    if not path.is_file():
        pytest.fail(
            f"{path.relative_to(REPO)} is missing: run `npm ci` at the repository root", pytrace=False
        )
    return path


@dataclass
class Site:
    """A folder served over HTTP: files at `root`, pages at `url` (ending in the prefix)."""

    root: Path
    url: str

    def pages(self) -> list[Path]:
        """Every HTML file of the site, relative to root, sorted."""
        return sorted(p.relative_to(self.root) for p in self.root.rglob("*.html"))

    def url_of(self, page: Path) -> str:
        """The address a reader uses for page: `x/index.html` is served as `x/`."""
        text = page.as_posix()
        if text == "index.html":
            return self.url
        if text.endswith("/index.html"):
            text = text[: -len("index.html")]
        return self.url + text


def build_site(site_dir: Path, project: Path = REPO, **environment: str) -> None:
    """measure.build_site, failing the test with the build's output."""
    try:
        measure.build_site(site_dir, project, **environment)
    except measure.BuildFailed as failure:
        pytest.fail(str(failure), pytrace=False)


class _Shared:
    """One resource for the whole session, however many conftest.py files declare a fixture for it.

    tests/browser/ and tests/quality/ each import the fixtures below into their own conftest.py,
    which gives pytest two session-scoped fixture definitions; counting users here keeps it to one
    build, one server and one Chromium, torn down when the last user is done.
    """

    def __init__(self) -> None:
        self.value: object = None
        self.users = 0
        self.close: Callable[[], None] = lambda: None

    @contextmanager
    def use(self, open_: Callable[[], tuple[object, Callable[[], None]]]) -> Iterator[object]:
        if self.users == 0:
            self.value, self.close = open_()
        self.users += 1
        try:
            yield self.value
        finally:
            self.users -= 1
            if self.users == 0:
                close, self.value, self.close = self.close, None, lambda: None
                close()


_SITE = _Shared()
_BROWSER = _Shared()


def _open_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Site, Callable[[], None]]:
    root = tmp_path_factory.mktemp("served") / "site"
    # binds the port first: the build needs the address for SITE_URL; the header lets linkchecker
    # lift its per-host rate limit to maxrequestspersecond (tests/quality/linkcheckerrc)
    server = StaticServer(root, PREFIX, headers={"LinkChecker": "local test server"})
    try:
        build_site(root, SITE_URL=server.url)
    except BaseException:
        server.stop()
        raise
    server.start()
    return Site(root, server.url), server.stop


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The real project, built once per session and served at http://127.0.0.1:<port>/briefing/."""
    with _SITE.use(lambda: _open_site(tmp_path_factory)) as value:
        assert isinstance(value, Site)
        yield value


def serve_folder(root: Path, prefix: str = PREFIX) -> Iterator[Site]:
    """Serve an existing folder (a fixture site) for the length of a fixture."""
    server = StaticServer(root, prefix).start()
    try:
        yield Site(root.resolve(), server.url)
    finally:
        server.stop()


def _open_browser() -> tuple[Browser, Callable[[], None]]:
    executable = require_chromium()
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except BaseException:
        playwright.stop()
        raise

    def close() -> None:
        chromium.close()
        playwright.stop()

    return chromium, close


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian Chromium driven by Playwright, launched once per session with a fresh profile."""
    with _BROWSER.use(_open_browser) as value:
        yield cast("Browser", value)


VIEWPORT = {"width": 1280, "height": 900}  # wide enough for Material's sidebar navigation
TIMEOUT_MS = 15_000
# true once a chart has drawn (and not been set to redraw) or failed
_CHART_SETTLED = """c => (c.classList.contains('vl-drawn') && !c.classList.contains('vl-stale'))
    || c.hasAttribute('data-error')"""


def draw_every_chart(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """Charts draw as they near the screen (docs/assets/charts.js): bring each into view in turn,
    as a reader scrolling down would, until it has drawn or failed; then back to the top.
    Raises Playwright's TimeoutError if one does neither within `timeout` ms."""
    charts = page.locator(".vl-chart")
    for index in range(charts.count()):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed(timeout=timeout)
        page.wait_for_function(_CHART_SETTLED, arg=chart.element_handle(), timeout=timeout)
    page.evaluate("window.scrollTo(0, 0)")


@dataclass
class Watch:
    """Everything a page did that a reader should never see: errors, warnings, other hosts, 4xx/5xx."""

    expected_status: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # which addresses a page may load: by default only this machine's server
    allowed: Callable[[str], bool] = lambda url: urlsplit(url).hostname == "127.0.0.1"

    def attach(self, page: Page) -> Page:
        page.on("console", self.on_console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("request", self.on_request)
        page.on("requestfailed", self.on_failed)
        page.on("response", self.on_response)
        return page

    def on_console(self, message: ConsoleMessage) -> None:
        url = message.location.get("url")
        if message.text.startswith("Failed to load resource") and url in self.expected_status:
            return  # Chromium logs every 4xx, including the 404 page we asked for
        if message.type in ("error", "warning", "assert"):
            self.problems.append(f"console {message.type}: {message.text} ({message.location.get('url')})")

    def on_request(self, request: Request) -> None:
        if urlsplit(request.url).scheme in ("data", "blob", "about"):
            return
        if not self.allowed(request.url):
            self.problems.append(f"request to another host: {request.url}")

    def on_failed(self, request: Request) -> None:
        if request.failure == "net::ERR_ABORTED":
            return  # cancelled by the page itself (e.g. by leaving it), not refused by the server
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def on_response(self, response: Response) -> None:
        expected = self.expected_status.get(response.url, 200)
        if response.status >= 400 and response.status != expected:
            self.problems.append(f"HTTP {response.status}: {response.url}")


def new_page(browser: Browser, watch: Watch) -> Page:
    context = browser.new_context(viewport=VIEWPORT, color_scheme="light")
    context.set_default_timeout(TIMEOUT_MS)
    return watch.attach(context.new_page())
