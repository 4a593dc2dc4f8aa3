"""Measuring the built site: what its pages load (gzipped), Lighthouse's audits in Debian's
Chromium, and the real project built into a folder to be measured.

Shared by the tests (tests/quality/test_lighthouse.py asserts the audits that do not depend on
timing: accessibility, best practices, SEO; tests/test_end_to_end.py the size of what a page
loads) and `make bench` (scripts/bench.py: performance, a timing, the median of three runs).
Lighthouse runs with its default mobile preset, one page at a time, against the site served
over 127.0.0.1 with gzip (briefing/static_server.py).
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# Flags that let Chromium run headless as root here without reaching for any other host.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
# one page of every kind, as addresses relative to the site's root
PAGE_KINDS = {
    "overview": "",
    "targets": "targets/",
    "briefing page without a chart (AI)": "ai/",
    "organisation": "organisations/xpeng/",
    "method": "method/",
    "data": "data/",
    "print": "print/",
}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --no-first-run --disable-background-networking"


def lighthouse(url: str, categories: tuple[str, ...] = CATEGORIES, timeout: float = 120) -> dict:
    """Lighthouse's report (its JSON) for one address; raises with its output when it fails."""
    if not LIGHTHOUSE.is_file():
        raise FileNotFoundError(
            f"{LIGHTHOUSE.relative_to(REPO)} is missing: run `npm ci` at the repository root"
        )
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        result = subprocess.run(
            [
                str(LIGHTHOUSE),
                url,
                "--output=json",
                f"--output-path={report}",
                f"--only-categories={','.join(categories)}",
                f"--chrome-flags={CHROME_FLAGS}",
                "--quiet",
            ],
            env={**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": tmp},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0 or not report.is_file():
            raise RuntimeError(
                f"lighthouse {url} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
            )
        return json.loads(report.read_text())


def scores(report: dict) -> dict[str, int]:
    """Each category's score out of 100 (None when Lighthouse could not score it)."""
    return {
        name: None if category["score"] is None else round(category["score"] * 100)
        for name, category in report["categories"].items()
    }


def failed_audits(report: dict, category: str) -> list[str]:
    """The audits of category that lose points, each with what Lighthouse says it found."""
    failures = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            items = (audit.get("details") or {}).get("items") or []
            found = [
                (item.get("node") or {}).get("snippet") or item.get("url") or item.get("source") or ""
                for item in items[:5]
            ]
            failures.append(f"{ref['id']} ({audit['title']}): {found}")
    return failures


class BuildFailed(RuntimeError):
    pass


def build_site(site_dir: Path, project: Path = REPO, **environment: str) -> None:
    """Build project (by default the real one) into site_dir with these environment variables
    set (SITE_URL, SOURCE_DATE_EPOCH, ...); raise BuildFailed with its output."""
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "scripts" / "build.py"),
            "--project",
            str(project),
            "--site-dir",
            str(site_dir),
        ],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    if result.returncode != 0:
        raise BuildFailed(f"scripts/build.py failed:\n{result.stdout}{result.stderr}")
    print(f"built {site_dir} with {environment} in {time.perf_counter() - start:.1f} s")


def shared_assets(site: Path) -> list[Path]:
    """The JavaScript and CSS every page loads: Material's and ours."""
    return [
        *site.glob("assets/javascripts/bundle.*.js"),
        *site.glob("assets/stylesheets/*.css"),
        site / "assets/briefing.css",
        site / "assets/palette.js",  # the light/dark toggle (mkdocs.yml's extra_javascript)
        *site.glob("assets/tables.js"),  # sortable tables (mkdocs.yml's extra_javascript)
    ]


def chart_assets(site: Path) -> list[Path]:
    """What a page with a chart loads besides: the loader in its content, which adds the chart
    scripts (Vega and vega-embed, charts.js and the worker it parses specs in); pages without a
    chart load none of it."""
    return [
        site / "assets/chart-loader.js",
        site / "assets/vendor/vega-bundle.js",
        site / "assets/charts.js",
        site / "assets/chart-parser.js",
    ]


def measure_site(site: Path) -> dict:
    pages = list(site.rglob("*.html"))
    largest = max(pages, key=lambda p: p.stat().st_size)
    return {
        "pages": len(pages),
        "charts": len(list(site.glob("charts/*.png"))),  # one PNG a chart
        "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6,
        "page_html_kb_mean": sum(p.stat().st_size for p in pages) / len(pages) / 1e3,
        "page_html_kb_max": largest.stat().st_size / 1e3,
        "largest_page": largest.relative_to(site).as_posix(),
        # a missing asset fails here rather than shrinking the figure; a page with a chart loads both
        "shared_js_css_gzip_kb": gzipped_kb(shared_assets(site)),
        "chart_js_gzip_kb": gzipped_kb(chart_assets(site)),
    }


def gzipped_kb(paths: list[Path]) -> float:
    return sum(len(gzip.compress(p.read_bytes())) for p in paths) / 1e3
