"""Benchmark the real build on synthetic datasets of growing size.

    python scripts/bench.py --sizes 100,1000 --out results.json

Each size gets a synthetic dataset in the real schema (N organisations with targets,
plans, people, markets; marked SYNTHETIC; written to a temporary folder, never into data/)
and two builds in fresh processes: cold (empty cache, no previous site) and warm (the same
again, nothing changed). Then the preview (`make serve`) on the seed dataset: how long an edit
of data/ or templates/ takes to show. Then Lighthouse (mobile preset) on one page of every kind
of the seed dataset's site, served with gzip: the median of three runs (`--lighthouse-only` for
just that). Prints a table and the targets; writes JSON with --out.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from briefing.measure import (
    CATEGORIES,
    CHROMIUM,
    CHROMIUM_ARGS,
    LIGHTHOUSE,
    PAGE_KINDS,
    build_site,
    lighthouse,
    measure_site,
    scores,
)
from briefing.static_server import StaticServer
from briefing.synthetic import MARKETS, SOURCE, make_project, write_csv

REPO = Path(__file__).resolve().parents[1]

LARGE_TABLE_ROWS = 1_000_000
PREVIEW_EDITS = 10
# Asking the page more often would slow the page it measures (the times come from the browser).
PAGE_POLL_SECONDS = 0.05
PROBE_EVERY = 0.1  # seconds between the preview's probe requests
LIGHTHOUSE_RUNS = 3  # performance is a timing: the median of this many runs a page kind
QUICK_PASS_LINE = re.compile(r"^preview: quick pass .* in ([0-9.]+) s$", re.M)
# what a build prints after each stage (briefing.build.BuildReport): "<stage>: <what it did>, <seconds> s"
STAGE_LINE = re.compile(r"^(\w+): .*, ([0-9.]+) s$", re.M)


def run_build(project: Path) -> dict:
    """One build as `make site` runs it (scripts/build.py, in a fresh process): its stages' times
    from the lines it prints, its wall time (the process's start and imports included) and its
    peak memory (that of its largest process: the image workers count too)."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        started = time.perf_counter()
        build = subprocess.Popen(
            [sys.executable, str(REPO / "scripts" / "build.py"), "--project", str(project)],
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        with build.stdout:
            output = build.stdout.read()
        _, status, usage = os.wait4(build.pid, 0)  # this build's peak memory, not the other builds'
        wall = time.perf_counter() - started
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise SystemExit(f"build of {project} failed:\n{errors.read()}")
    stages = {name: float(seconds) for name, seconds in STAGE_LINE.findall(output)}
    return {
        "seconds": {"total": sum(stages.values()), **stages, "wall": wall},
        "peak_rss_mb": usage.ru_maxrss / 1024,
    }


def edit_one_row(project: Path) -> None:
    """One figure changed: the target volume of the organisation in the middle of the table, whose
    page lists it (no page added or removed)."""
    targets = project / "data" / "sales_targets.csv"
    rows = list(csv.reader(targets.read_text(encoding="utf-8").splitlines()))
    row, column = rows[(len(rows) + 1) // 2], rows[0].index("volume_low")
    row[column] = str(int(row[column]) + 1)
    write_csv(targets, rows[0], rows[1:])


def large_table_spec_kb() -> dict[str, float]:
    """The markets chart drawn from LARGE_TABLE_ROWS named markets: its specs (Vega-Lite, and the
    Vega the page carries) must hold aggregates only."""
    from types import SimpleNamespace

    from briefing.charts import draw, markets_plan, vega_spec

    plans = [
        {"org_name": f"Org {i % 5000}", "markets": [MARKETS[i % len(MARKETS)]], "market_sources": [SOURCE]}
        for i in range(LARGE_TABLE_ROWS)
    ]
    model = SimpleNamespace(overseas_plans=plans, sources={SOURCE: {"publisher": "Synthetic"}})
    spec = draw(markets_plan(model), "Source: synthetic")
    return {"vega_lite": len(json.dumps(spec)) / 1e3, "vega": len(json.dumps(vega_spec(spec))) / 1e3}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Timeout(RuntimeError):
    pass


def wait_until(condition, what: str, seconds: float, every: float = 0.01) -> float:
    """Seconds until condition() held, tried every `every` seconds; what says what did not happen."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise Timeout(f"preview: {what} in {seconds} s")
        time.sleep(every)
    return time.monotonic() - start


def in_page(page, script: str, argument: object = None) -> object:
    """What script returns in the browser's page; None while live reload swaps the document."""
    try:
        return page.evaluate(script, argument)
    except PlaywrightError:
        return None


SHOWS = "text => document.body.innerText.includes(text)"
# When the page now in the browser was first painted (ms since the epoch): the moment a
# reader sees the new version, before its scripts draw the charts.
FIRST_PAINT = """() => new Promise(done => new PerformanceObserver(entries => {
    const paint = entries.getEntriesByName('first-contentful-paint')[0];
    if (paint) done(performance.timeOrigin + paint.startTime);
}).observe({type: 'paint', buffered: true}))"""
# charts are drawn as they near the screen: the first one is in the first screen of the page watched
CHARTS_DRAWN = """() => document.querySelector('.vl-chart.vl-drawn') !== null"""
# where the page is and what its charts say, for a timeout's message
CHART_STATES = """() => [location.href, ...[...document.querySelectorAll('.vl-chart')].map(chart =>
    [chart.id, chart.className, chart.getAttribute('data-parsed'), chart.getAttribute('data-error')])]"""


class RequestProbe:
    """Asks the preview for a page unrelated to the edits every PROBE_EVERY seconds, from a
    process of its own (in this one it would wait on the browser's driver), and keeps each
    answer's time: the preview must answer at once, during its builds too."""

    def __init__(self, url: str) -> None:
        processes = multiprocessing.get_context("spawn")
        self._stopped = processes.Event()
        self._times, times = processes.Pipe(duplex=False)
        self._process = processes.Process(target=_probe, args=(url, self._stopped, times), daemon=True)
        self.seconds: list[float] = []

    def start(self) -> None:
        self._process.start()

    def stop(self) -> None:
        if self._process.pid is None:  # never started
            return
        self._stopped.set()
        self.seconds = self._times.recv()
        self._process.join(timeout=30)


def _probe(url: str, stopped, times) -> None:
    seconds = []
    while not stopped.wait(PROBE_EVERY):
        asked = time.perf_counter()
        with urllib.request.urlopen(url, timeout=60) as answer:
            answer.read()
        seconds.append(time.perf_counter() - asked)
    times.send(seconds)


def go_to(page, address: str, attempts: int = 3) -> None:
    """Open address; the page's own reload after the last build may abort a try, or win over it
    (the reload of the page before, which the build published as the log said it was done)."""
    for attempt in range(attempts):
        try:
            page.goto(address)
            page.wait_for_timeout(200)  # a reload that won shows here
            if page.url == address:
                return
        except PlaywrightError:
            if attempt == attempts - 1:
                raise
        time.sleep(0.5)
    raise Timeout(f"preview: could not open {address}; the browser shows {page.url}")


def preview_latency(organisations: int | None, edits: int = PREVIEW_EDITS) -> dict:
    """`make serve` on a dataset (None: the seed's), watched in Chromium: from saving an edit to
    the browser showing it (the server notices, rebuilds, the page's live reload fetches and
    paints it); and how long the preview took to answer a request meanwhile.

    Alternates an edit of one figure in data/ (one organisation's growth target, watched on its
    page) and of one sentence in templates/ (watched on the targets page, with the time to its
    first chart drawn); waits for the full pass after each (the quick pass shows the edit).
    """
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        project = make_project(Path(tmp) / "project", organisations)
        port = free_port()
        log = Path(tmp) / "serve.log"
        with log.open("w") as output:
            command = [sys.executable, str(REPO / "scripts" / "build.py"), "--project", str(project)]
            server = subprocess.Popen(
                [*command, "--serve", "--dev-addr", f"127.0.0.1:{port}"],
                stdout=output,
                stderr=subprocess.STDOUT,
                env=os.environ | {"PYTHONUNBUFFERED": "1"},
            )
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        probe = RequestProbe(f"http://127.0.0.1:{port}/people/")

        def full_passes() -> int:
            return log.read_text().count("preview: full pass")

        try:
            wait_until(lambda: "preview: serving" in log.read_text(), "not serving", 600)
            targets = project / "data" / "sales_targets.csv"
            template = project / "templates" / "targets.md.j2"
            rows = list(csv.reader(targets.read_text(encoding="utf-8").splitlines()))
            column, org = rows[0].index("growth_low_pct"), rows[1][rows[0].index("org_id")]
            # one reader, one tab: every open page reloads at every build, and a second tab would
            # load the two cores the preview shares with the browser twice over
            page = browser.new_page()
            address = {
                "data": f"http://127.0.0.1:{port}/organisations/{org}/",
                "templates": f"http://127.0.0.1:{port}/targets/",
            }
            probe.start()
            shown: dict[str, list[float]] = {"data": [], "templates": []}
            drawn = []
            for edit in range(edits):
                kind = "data" if edit % 2 == 0 else "templates"
                go_to(page, address[kind])
                if kind == "templates":  # its charts drawn before the edit, as a reader would see them
                    try:
                        wait_until(lambda: in_page(page, CHARTS_DRAWN), "", 60, PAGE_POLL_SECONDS)
                    except Timeout:
                        states = in_page(page, CHART_STATES)
                        raise Timeout(f"preview: no chart drawn before the edit in 60 s: {states}") from None
                passes = full_passes()
                saved = time.time()
                if kind == "data":
                    rows[1][column] = f"{90 + edit}.5"
                    text = f"{rows[1][column]}%"
                    write_csv(targets, rows[0], rows[1:])
                else:
                    text = f"Preview benchmark sentence {edit}."
                    template.write_text(f"{template.read_text(encoding='utf-8')}\n{text}\n", encoding="utf-8")
                painted: list = []

                def painted_with(text: str = text, page=page, painted: list = painted) -> bool:
                    if in_page(page, SHOWS, text):
                        painted.append(in_page(page, FIRST_PAINT))
                    return bool(painted) and painted[-1] is not None

                wait_until(painted_with, f"edit {edit} ({kind}) not shown", 60, PAGE_POLL_SECONDS)
                shown[kind].append(painted[-1] / 1000 - saved)
                if kind == "templates":
                    wait_until(
                        lambda page=page: in_page(page, CHARTS_DRAWN),
                        "no chart drawn after the edit",
                        60,
                        PAGE_POLL_SECONDS,
                    )
                    drawn.append(time.time() - saved)
                wait_until(lambda p=passes: full_passes() > p, "no full pass", 600)
        except Timeout as timeout:  # what the preview said last tells why
            last_lines = "".join(log.read_text().splitlines(True)[-15:])
            raise SystemExit(f"{timeout}; the preview's last lines:\n{last_lines}") from timeout
        finally:
            probe.stop()
            browser.close()
            server.terminate()
            server.wait(timeout=30)
        quick_passes = [float(s) for s in QUICK_PASS_LINE.findall(log.read_text())]
    every = shown["data"] + shown["templates"]
    return {
        "organisations": organisations,
        "edits": edits,
        "seconds_to_show": shown,
        "median": statistics.median(every),
        "max": max(every),
        "data_median": statistics.median(shown["data"]),
        "data_max": max(shown["data"]),
        "charts_drawn_median": statistics.median(drawn),
        "quick_pass_seconds": quick_passes,  # the server's share of each
        "requests": len(probe.seconds),
        "request_seconds_max": max(probe.seconds),
    }


def lighthouse_scores(runs: int = LIGHTHOUSE_RUNS) -> dict:
    """Lighthouse (mobile preset) on one page of every kind of the seed dataset's site, served
    over 127.0.0.1 with gzip as static hosts serve it (the tests' server): every category's
    median of `runs` runs, one page at a time, and every run's performance score."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "site"
        server = StaticServer(root, "/briefing/")
        try:
            build_site(root, SITE_URL=server.url)
            server.start()
            results = {}
            for kind, address in PAGE_KINDS.items():
                measured = [scores(lighthouse(server.url + address)) for _ in range(runs)]
                results[kind] = {
                    "address": address,
                    **{category: median_score(run[category] for run in measured) for category in measured[0]},
                    "performance_runs": [run["performance"] for run in measured],
                }
                print(f"lighthouse: {kind}: {results[kind]}", file=sys.stderr)
        finally:
            server.stop()
    return results


def median_score(values) -> float | None:
    """The median of the runs Lighthouse could score (None: a run it could not, e.g. with no
    paint in time on a loaded machine), None if it scored none."""
    scored = [value for value in values if value is not None]
    return statistics.median(scored) if scored else None


def print_lighthouse(results: dict) -> None:
    print(f"Lighthouse {LIGHTHOUSE_RUNS} runs a page (mobile preset, gzip): median scores")
    print(f"{'page kind':<36} {'perf.':>6} {'runs':>12} {'a11y':>5} {'b.p.':>5} {'SEO':>5}")
    for kind, row in results.items():
        runs = ",".join("-" if score is None else str(score) for score in row["performance_runs"])
        shown = {c: "-" if row[c] is None else f"{row[c]:.0f}" for c in ("performance", *CATEGORIES[1:])}
        print(
            f"{kind:<36} {shown['performance']:>6} {runs:>12} {shown['accessibility']:>5} "
            f"{shown['best-practices']:>5} {shown['seo']:>5}"
        )


def bench(sizes: list[int]) -> dict:
    if not LIGHTHOUSE.is_file():  # needed last, after half an hour: missing, fail now
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `npm ci` (make bench does)")
    large_table = large_table_spec_kb()  # first: seconds, where the rest takes half an hour
    runs = []
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = make_project(Path(tmp) / "project", size)
            cold = run_build(project)
            warm = run_build(project)
            edit_one_row(project)
            incremental = run_build(project)
            runs.append(
                run := {
                    "organisations": size,
                    **measure_site(project / "site"),
                    **cold,
                    "warm": {"seconds": warm["seconds"]},
                    "incremental": {"seconds": incremental["seconds"]},
                    "preview": preview_latency(size),
                }
            )
            print(json.dumps(run), file=sys.stderr, flush=True)  # kept in the log, should a later step fail
    return {
        "runs": runs,
        "large_table_chart_spec_kb": large_table,
        "preview": preview_latency(None),
        "lighthouse": lighthouse_scores(),
    }


def print_table(results: dict) -> None:
    print(
        f"{'orgs':>6} {'pages':>6} {'charts':>6} {'total s':>8} {'mkdocs s':>8} {'ms/page':>7} "
        f"{'warm s':>7} {'1 row s':>7} {'1 row mkdocs':>12} {'peak MB':>8} {'site MB':>8} "
        f"{'page KB':>8} {'max KB':>7}"
    )
    for run in results["runs"]:
        s, w, one = run["seconds"], run["warm"]["seconds"], run["incremental"]["seconds"]
        print(
            f"{run['organisations']:>6} {run['pages']:>6} {run['charts']:>6} "
            f"{s['total']:>8.2f} {s['mkdocs']:>8.2f} {1000 * s['mkdocs'] / run['pages']:>7.1f} "
            f"{w['total']:>7.2f} {one['wall']:>7.2f} {one['mkdocs']:>12.2f} "
            f"{run['peak_rss_mb']:>8.0f} {run['site_mb']:>8.1f} "
            f"{run['page_html_kb_mean']:>8.1f} {run['page_html_kb_max']:>7.0f}"
        )
    print("(1 row: make site's wall time after one changed figure, the process's start included)")
    shared, charts = results["runs"][-1]["shared_js_css_gzip_kb"], results["runs"][-1]["chart_js_gzip_kb"]
    large = results["large_table_chart_spec_kb"]
    print(
        f"JS+CSS every page loads, gzipped: {shared:.0f} KB, and a page with a chart {charts:.0f} KB more; "
        f"markets chart from {LARGE_TABLE_ROWS:,} rows: "
        f"{large['vega_lite']:.1f} KB of Vega-Lite spec, {large['vega']:.1f} KB of Vega spec on the page"
    )
    for preview in [results["preview"], *(run["preview"] for run in results["runs"])]:
        size = preview["organisations"]
        print(
            f"make serve, {'seed dataset' if size is None else f'{size:,} organisations'}: an edit "
            f"shows in {preview['median']:.2f} s (median of {preview['edits']} edits of data/ and "
            f"templates/), {preview['max']:.2f} s at most; one row of data/ {preview['data_median']:.2f} s, "
            f"{preview['data_max']:.2f} s at most; first chart drawn after "
            f"{preview['charts_drawn_median']:.2f} s (median); {preview['requests']} requests meanwhile, "
            f"answered in {preview['request_seconds_max']:.2f} s at most"
        )
    print_lighthouse(results["lighthouse"])


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100,1000", help="organisation counts, comma-separated")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument(
        "--lighthouse-only",
        action="store_true",
        help="only the Lighthouse scores of the seed dataset's pages",
    )
    parser.add_argument(
        "--preview-only", metavar="N", help="only the preview's latency, at N organisations (or 'seed')"
    )
    arguments = parser.parse_args()
    if arguments.preview_only:
        size = None if arguments.preview_only == "seed" else int(arguments.preview_only)
        results = {"preview": preview_latency(size)}
        print(json.dumps(results["preview"], indent=2))
    elif arguments.lighthouse_only:
        results = {"lighthouse": lighthouse_scores()}
        print_lighthouse(results["lighthouse"])
    else:
        results = bench([int(size) for size in arguments.sizes.split(",")])
        print_table(results)
    if arguments.out:
        arguments.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
