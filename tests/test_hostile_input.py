"""Data is untrusted text: hostile values in every free-text field stay inert and visible."""

import csv
import html
import io
import json
import subprocess
import sys
from html.parser import HTMLParser

import pytest
from conftest import REPO

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "[go](javascript:alert(3))",
    "left | right",
    "`tick` **bold** _under_ *star*",
    "مرحبا שלום 🚗 中国汽车",
    "x" * 10_000,
]


def free_text_fields(resource):
    """String fields that hold prose: no allowed-value list and no id pattern."""
    return [
        f["name"]
        for f in resource["schema"]["fields"]
        if f["type"] == "string" and not {"enum", "pattern"} & set(f.get("constraints", {}))
    ]


def poison(data_dir):
    """Put a hostile value into every free-text field of every row; return the values used."""
    descriptor = json.loads((data_dir / "datapackage.json").read_text())
    used = set()
    counter = 0
    for resource in descriptor["resources"]:
        path = data_dir / resource["path"]
        rows = list(csv.DictReader(io.StringIO(path.read_text())))
        for row in rows:
            for name in free_text_fields(resource):
                if row[name] or name != "headquarters":
                    row[name] = HOSTILE[counter % len(HOSTILE)]
                    used.add(row[name])
                    counter += 1
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(out.getvalue())
    return used


class PageAudit(HTMLParser):
    """What a browser would run, the visible text, and the cell count of each row of each table."""

    def __init__(self):
        super().__init__()
        self.live, self.text, self.tables, self.inline_scripts = [], [], [], []
        self.open = None  # "script" or "style" while inside one

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}>")
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                self.live.append(f"<{tag} {name}={value}>")
        if tag in ("script", "style"):
            self.open = tag
            if tag == "script" and "src" not in attributes:
                self.inline_scripts.append("")
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append(0)
        elif tag in ("td", "th"):
            self.tables[-1][-1] += 1

    def handle_endtag(self, tag):
        if tag == self.open:
            self.open = None

    def handle_data(self, data):
        if self.open is None:
            self.text.append(data)
        elif self.open == "script" and self.inline_scripts:
            self.inline_scripts[-1] += data


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from conftest import make_project

    project = make_project(tmp_path_factory.mktemp("hostile"))
    used = poison(project / "data")
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build.py"), "--project", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return project / "site", used


def audits(site):
    for page in sorted(site.rglob("*.html")):
        audit = PageAudit()
        audit.feed(page.read_text())
        yield page.relative_to(site), audit


def test_no_hostile_value_becomes_live_markup(hostile_site):
    site, _ = hostile_site
    for page, audit in audits(site):
        assert audit.live == [], f"{page}: {audit.live}"
        assert not [script for script in audit.inline_scripts if "alert(" in script], page


def test_every_hostile_value_shows_as_the_same_text(hostile_site):
    site, used = hostile_site
    visible = "\n".join(html.unescape("".join(audit.text)) for _, audit in audits(site))
    for value in used:
        assert value in visible, f"{value[:40]!r} not shown as text"


def test_no_table_cell_is_cut_short(hostile_site):
    site, _ = hostile_site
    checked = 0
    for page, audit in audits(site):
        for header, *rows in (table for table in audit.tables if table):
            assert all(cells == header for cells in rows), f"{page}: {[header, *rows]}"
            checked += len(rows)
    assert checked > 50


def test_an_id_that_would_leave_the_output_folder_is_rejected(real_project):
    organisations = real_project / "data" / "organisations.csv"
    organisations.write_text(organisations.read_text().replace("\nnio,", "\n../x,", 1))
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build.py"), "--project", str(real_project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "data/organisations.csv, row 2, column org_id: '../x' does not match the pattern" in result.stderr
    assert not (real_project / "x.md").exists() and not (real_project / "site").exists()
