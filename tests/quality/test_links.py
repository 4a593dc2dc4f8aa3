"""linkchecker, with [AnchorCheck], finds no broken link and no missing anchor in the served site.

The site is served under the sub-path /briefing/, where root-absolute links (`/x/`) break, and
warnings (missing anchors among them) count as failures.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from site_server import Site, serve_folder

from .external_checkers import FIXTURES, describe, link_check, problems


@pytest.fixture
def defects_site() -> Iterator[Site]:
    yield from serve_folder(FIXTURES / "defects")


def test_no_broken_links_or_anchors(site: Site):
    links = link_check(site.url)
    bad = problems(links)
    assert not bad, f"{len(bad)} linkchecker errors and warnings:\n" + "\n".join(map(describe, bad))
    # and the crawl reached every page but 404.html: none is only reachable by typing its address
    reached = {link.url.split("#")[0] for link in links}
    unreached = [str(p) for p in site.pages() if p.name != "404.html" and site.url_of(p) not in reached]
    assert not unreached, f"no link leads to {unreached}"


def test_linkchecker_reports_planted_defects(defects_site: Site):
    found = {Path(link.url).name: link for link in problems(link_check(defects_site.url))}
    assert set(found) == {"missing-page.html", "clean.html#no-such-anchor"}, found
    broken = found["missing-page.html"]
    assert not broken.valid and broken.result.startswith("404"), broken
    anchor = found["clean.html#no-such-anchor"]
    assert anchor.valid and "Anchor `no-such-anchor'" in anchor.warning, anchor
