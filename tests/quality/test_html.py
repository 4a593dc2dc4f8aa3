"""The Nu HTML Checker (npm vnu-jar, on the system Java) finds no error in any page of the built site."""

from __future__ import annotations

from collections import Counter

from site_server import Site

from .external_checkers import FIXTURES, nu_check


def test_every_page_is_valid_html(site: Site):
    pages = site.pages()
    assert len(pages) > 10
    findings = nu_check([site.root / page for page in pages], site.root)
    kinds = Counter(finding.message for finding in findings)
    summary = [f"{count} x {message}" for message, count in kinds.most_common()]
    assert not findings, "\n".join([f"{len(findings)} Nu checker errors:", *summary, "", *map(str, findings)])


def test_the_nu_checker_reports_planted_defects():
    folder = FIXTURES / "defects"
    findings = nu_check([folder / "index.html", folder / "clean.html"], folder.resolve())
    on_index = [f.message for f in findings if f.where.startswith("index.html:")]
    everything = "\n".join(map(str, findings))
    assert any("“chartbox”" in m for m in on_index), everything  # the invalid tag
    assert any("An “img” element must have an “alt” attribute" in m for m in on_index), everything
    # the autocomplete filter is narrow: an ordinary checkbox still counts, Material's toggle does not
    assert any("Attribute “autocomplete”" in m for m in on_index), everything
    assert not [f for f in findings if f.where.startswith("clean.html:")], everything
