"""linkchecker finds no broken link in the served site, and no link points to an anchor its
page lacks (checked from the built files: linkchecker's own anchor check parses a page again
for each anchor, minutes for this site).

The site is served under the sub-path /briefing/, where root-absolute links (`/x/`) break, and
linkchecker's warnings count as failures.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from site_server import Site, serve_folder

from .external_checkers import FIXTURES, describe, link_check, problems


@pytest.fixture
def defects_site() -> Iterator[Site]:
    yield from serve_folder(FIXTURES / "defects")


class _Anchors(HTMLParser):
    """A page's ids (and a names) and the addresses it links to."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.ids |= {value for name in ("id", "name") if (value := attributes.get(name))}
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])


def missing_anchors(root: Path) -> tuple[int, list[str]]:
    """How many links from the folder's pages point to an anchor of one of them, and each that
    points to an anchor its page lacks."""
    pages = {}
    for path in sorted(root.rglob("*.html")):
        parser = _Anchors()
        parser.feed(path.read_text(encoding="utf-8"))
        pages[path.relative_to(root).as_posix()] = parser
    base = "http://site/"
    checked, missing = 0, []
    for name, page in pages.items():
        for link in page.links:
            address = urlsplit(urljoin(base + name, link))
            if not address.fragment or address.netloc != "site":
                continue
            target = PurePosixPath(unquote(address.path.removeprefix("/")))
            target_name = (
                (target / "index.html").as_posix() if address.path.endswith("/") else target.as_posix()
            )
            if target_name not in pages:
                continue  # a missing page: linkchecker reports it
            checked += 1
            if unquote(address.fragment) not in pages[target_name].ids:
                missing.append(f"{name}: {link} (no id {unquote(address.fragment)!r} on {target_name})")
    return checked, missing


def test_every_link_to_an_anchor_finds_it(site: Site):
    checked, missing = missing_anchors(site.root)
    assert not missing, "\n".join(missing)
    assert checked > 500  # footnotes, their way back, the evidence tables, the chart permalinks


def test_the_anchor_check_finds_a_planted_missing_anchor():
    assert missing_anchors(FIXTURES / "defects") == (
        2,
        ["index.html: clean.html#no-such-anchor (no id 'no-such-anchor' on clean.html)"],
    )


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
    assert set(found) == {"missing-page.html"}, found
    broken = found["missing-page.html"]
    assert not broken.valid and broken.result.startswith("404"), broken
