"""Lighthouse 12.2.3 (npm, pinned), mobile preset, on one page of every kind of the built site,
served over 127.0.0.1 with gzip as static hosts serve it (tests/site_server.py).

Asserted: the audits that do not depend on timing, accessibility, best practices and SEO, each
100 on every page kind. Performance is a timing (and this machine is shared): it is measured by
`make bench` (scripts/bench.py, median of three runs) and only printed here. Pages are audited
one after another, one Chromium at a time. Each category is shown to lose points for a defect
planted in tests/quality/fixtures/lighthouse/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_server import Site, require_npm_file, serve_folder

from briefing.measure import LIGHTHOUSE, PAGE_KINDS, failed_audits, lighthouse, scores

pytestmark = pytest.mark.browser

ASSERTED = ("accessibility", "best-practices", "seo")
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "lighthouse"


@pytest.fixture
def defects_site() -> Iterator[Site]:
    yield from serve_folder(FIXTURE)


def test_every_page_kind_scores_100_for_accessibility_best_practices_and_seo(site: Site):
    require_npm_file(LIGHTHOUSE)
    failures, table = [], []
    for kind, address in PAGE_KINDS.items():
        report = lighthouse(site.url + address)
        scored = scores(report)
        table.append(f"{kind}: {scored}")
        for category in ASSERTED:
            if scored[category] != 100:
                failures.append(f"{kind} ({address or 'home'}): {category} {scored[category]}")
                failures += [f"    {audit}" for audit in failed_audits(report, category)]
    print("\n".join(["Lighthouse (performance is not asserted; see make bench):", *table]))
    assert not failures, "\n".join(failures)


def test_lighthouse_catches_planted_defects(defects_site: Site):
    require_npm_file(LIGHTHOUSE)
    report = lighthouse(defects_site.url + "index.html", ASSERTED)
    scored = scores(report)
    assert all(scored[category] < 100 for category in ASSERTED), scored
    failed = {category: " ".join(failed_audits(report, category)) for category in ASSERTED}
    assert re.match(r"image-alt\b", failed["accessibility"]), failed  # an image without alt text
    assert "errors-in-console" in failed["best-practices"], failed  # an error in the console
    assert "meta-description" in failed["seo"], failed  # no meta description


def test_every_page_has_a_meta_description(site: Site):
    """Lighthouse audits one page of each kind; every page, 404 included, has a description."""
    missing = [
        str(path)
        for path in site.pages()
        if not re.search(r'<meta name="description" content="[^"]{20,}">', (site.root / path).read_text())
    ]
    assert not missing, missing
