"""axe-core (npm), injected into every page of the built site, finds no violation in the content area.

Material's own chrome (header, sidebars, search dialog) is not ours to fix and is outside the
context we check, `.md-content`. THEME_EXCEPTIONS lists every rule we let pass inside it, with why.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from site_server import Site, draw_every_chart, serve_folder

from .external_checkers import FIXTURES, axe_check

pytestmark = pytest.mark.browser

# rule id -> why it is accepted inside .md-content; keep this empty unless a rule fails on markup
# that the theme, not our templates, puts into the content area.
THEME_EXCEPTIONS: dict[str, str] = {}


@pytest.fixture
def defects_site() -> Iterator[Site]:
    yield from serve_folder(FIXTURES / "defects")


def test_content_area_has_no_accessibility_violations(site: Site, browser: Browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    failures = []
    for path in site.pages():
        page.goto(site.url_of(path))
        draw_every_chart(page)  # the live charts too: they are drawn as they near the screen
        for violation in axe_check(page):
            if violation["id"] in THEME_EXCEPTIONS:
                continue
            rule, impact, nodes = violation["id"], violation["impact"], violation["nodes"]
            failures.append(f"{path}: {rule} ({impact}): {violation['help']} at {nodes}")
    context.close()
    assert not failures, f"{len(failures)} axe-core violations:\n" + "\n".join(failures)


def test_axe_reports_planted_defects(defects_site: Site, browser: Browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(defects_site.url + "index.html")
    found = {v["id"]: v for v in axe_check(page)}
    assert "image-alt" in found, found
    assert found["image-alt"]["impact"] == "critical"
    assert found["image-alt"]["nodes"] == ["img"], found["image-alt"]  # the one image without alt
    page.goto(defects_site.url + "clean.html")
    assert axe_check(page) == []
    context.close()
