"""The three external checkers, each run the same way on the real site and on the planted-defect fixture."""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from site_server import AXE_JS, VNU_JAR, require_npm_file

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LINKCHECKER_CONFIG = Path(__file__).resolve().parent / "linkcheckerrc"

# The one Nu checker error we accept, and only in this exact markup: Material puts
# autocomplete="off" on its hidden toggle checkboxes (drawer, search) so that Firefox does not
# restore them checked (menu or search open) when a reader comes back to a page. HTML does not
# allow autocomplete on a checkbox, hence the error: two a page, in the theme's own header, none
# in our content. Anything else, even the same message on any other checkbox, counts.
MATERIAL_AUTOCOMPLETE_MESSAGE = "Attribute “autocomplete” is only allowed when the input type is "
MATERIAL_TOGGLE = re.compile(
    r'<input class="md-toggle" data-md-toggle="[a-z]+" type="checkbox" id="__[a-z]+" autocomplete="off">'
)


@dataclass(frozen=True)
class Finding:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def is_material_toggle_autocomplete(message: dict) -> bool:
    extract = message.get("extract", "")
    start, length = message.get("hiliteStart", 0), message.get("hiliteLength", 0)
    return message["message"].startswith(MATERIAL_AUTOCOMPLETE_MESSAGE) and bool(
        MATERIAL_TOGGLE.fullmatch(extract[start : start + length])
    )


def nu_check(files: list[Path], root: Path) -> list[Finding]:
    """Nu HTML Checker errors in files (paths relative to root), less Material's toggle autocomplete."""
    if shutil.which("java") is None:
        pytest.fail("java is not installed: run `apt-get install -y default-jre-headless`", pytrace=False)
    jar = require_npm_file(VNU_JAR)
    result = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    # vnu exits 1 when it finds errors; its JSON report goes to stderr, after anything Java says
    start = result.stderr.find('{"')
    try:
        report = json.loads(result.stderr[start:]) if start >= 0 else None
    except json.JSONDecodeError:
        report = None
    if report is None:
        pytest.fail(f"vnu.jar gave no JSON report (exit {result.returncode}): {result.stderr[:500]}")
    findings = []
    for message in report["messages"]:
        if is_material_toggle_autocomplete(message):
            continue
        url = message.get("url", "")
        where = Path(url.removeprefix("file:")).resolve() if url.startswith("file:") else url
        if isinstance(where, Path) and root in where.parents:
            where = where.relative_to(root)
        line = message.get("lastLine", "?")
        findings.append(Finding(f"{where}:{line}", f"{message['type']}: {message['message']}"))
    return findings


@dataclass(frozen=True)
class LinkResult:
    url: str
    parent: str
    line: str
    result: str
    warning: str
    valid: bool


# linkchecker run as root switches to user nobody, who cannot read linkchecker's own files when
# the checkout sits in a private folder (`mktemp -d` makes one) and it loads them lazily. It only
# reads our own site on 127.0.0.1 here, so it keeps the test's user.
KEEP_USER = """import sys
from linkcheck.command import linkchecker
linkchecker.drop_privileges = lambda: None
sys.argv[0] = "linkchecker"
linkchecker.linkchecker()
"""


def link_check(url: str) -> list[LinkResult]:
    """Every link linkchecker followed from url (recursively, anchors included), good or bad."""
    if importlib.util.find_spec("linkcheck") is None:
        pytest.fail(
            "linkchecker is not installed: run `make test` (it installs requirements.lock)", pytrace=False
        )
    options = ["-f", str(LINKCHECKER_CONFIG), "--no-status", "--verbose", "-o", "csv"]
    result = subprocess.run(
        [sys.executable, "-c", KEEP_USER, *options, url],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
    )
    if result.returncode not in (0, 1):  # 1: errors or warnings found, 2: linkchecker itself failed
        pytest.fail(f"linkchecker failed (exit {result.returncode}): {result.stderr[-1000:]}", pytrace=False)
    rows = [line for line in result.stdout.splitlines(keepends=True) if not line.startswith("#")]
    return [
        LinkResult(
            url=row["url"],
            parent=row["parentname"],
            line=row["line"],
            result=row["result"],
            warning=row["warningstring"],
            valid=row["valid"] == "True",
        )
        for row in csv.DictReader(rows, delimiter=";")
    ]


def problems(links: list[LinkResult]) -> list[LinkResult]:
    """The errors (invalid links) and warnings (missing anchors among them): both count as failures."""
    return [link for link in links if not link.valid or link.warning]


def describe(link: LinkResult) -> str:
    what = link.result if not link.valid else link.warning
    return f"{link.url} (linked from {link.parent}, line {link.line}): {what}"


AXE_RUN = """async (context) => {
    const results = await axe.run(context, {resultTypes: ['violations']});
    return results.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => n.target.join(' ')),
    }));
}"""


def axe_check(page, context: str = ".md-content") -> list[dict]:
    """axe-core's violations in the context selector of a loaded page."""
    page.add_script_tag(path=str(require_npm_file(AXE_JS)))
    return page.evaluate(AXE_RUN, context)
