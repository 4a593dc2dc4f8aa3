"""Lighthouse (npm, pinned in package-lock.json) on the built site: one page of every kind.

Shared by tests/quality/test_lighthouse.py (the audits that do not depend on timing:
accessibility, best practices, SEO) and scripts/bench.py (performance, a timing: median of
three runs). Lighthouse runs with its default mobile preset in Debian's Chromium, one page at
a time, against the site served over 127.0.0.1 with gzip (tests/site_server.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIGHTHOUSE = REPO / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = "/usr/bin/chromium"
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
