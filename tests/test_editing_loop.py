"""The editing loop: failed builds keep the site, one edit rebuilds only what depends on it,
the "What changed" page reports the edit, and the preview (`make serve`) re-renders and shows errors."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from conftest import REPO, make_project, tree_bytes

TARGETS_CSV = Path("data") / "sales_targets.csv"
LEAPMOTOR = "leapmotor-total-2026"
GROWTH = "growth_low_pct"
# Every docs/ file that depends on one growth figure of one sales target.
SALES_TARGET_DEPENDANTS = {
    "changes.md",
    "data/changes.json",
    "data/sales_targets.csv",
    "index.md",
    "method.md",  # its rounding example is the first target's base
    "targets.md",
    "organisations/leapmotor.md",
    *(
        f"charts/{chart}.{ext}"
        for chart in ("growth-targets", "target-volumes")
        for ext in ("csv", "json", "png", "svg", "narrow.svg")
    ),
} - {"charts/growth-targets.json"}  # its notes describe the range of growths: another source's 67.5% stays
WHOLE_BRIEFING = {"print.md"}  # every page on one, where the templates have it
DAY = 86_400
JAN_1_2026 = 1_767_225_600


# --- helpers -----------------------------------------------------------------------------


def build_command(project: Path, *arguments: str) -> list[str]:
    return [sys.executable, str(REPO / "scripts" / "build.py"), "--project", str(project), *arguments]


def run_build(project: Path, *arguments: str, epoch: int | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    if epoch is not None:
        env["SOURCE_DATE_EPOCH"] = str(epoch)
    return subprocess.run(
        build_command(project, *arguments), capture_output=True, text=True, check=False, env=env
    )


def stage_counts(stdout: str) -> dict[str, tuple[int, ...]]:
    """The numbers each stage line reports, e.g. 'charts: 2 built, 3 cached, 0.5 s' -> (2, 3)."""
    counts = {}
    for line in stdout.splitlines():
        name, _, rest = line.partition(": ")
        counts[name] = tuple(int(n) for n in re.findall(r"(?:^|, )(\d+) [a-z]", rest))
    return counts


def set_cell(path: Path, key: str, column: str, value: str) -> str:
    """Set one cell of a CSV row (by its first column), leaving every other line as it was."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = next(csv.reader(lines[:1]))
    index = header.index(column)
    [number] = [n for n, line in enumerate(lines) if next(csv.reader([line]))[0] == key]
    row = next(csv.reader([lines[number]]))
    old, row[index] = row[index], value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    before = list(csv.reader(lines))
    lines[number] = out.getvalue()
    path.write_text("".join(lines), encoding="utf-8")
    after = list(csv.reader(path.read_text(encoding="utf-8").splitlines(keepends=True)))
    before[number][index] = value
    assert after == before, "the edit must change exactly one cell"
    return old


def strays(project: Path) -> list[str]:
    """Hidden entries at the project's top: staging or retired copies of site/ left behind."""
    return sorted(p.name for p in project.iterdir() if p.name.startswith("."))


def generated_files(project: Path) -> dict[str, tuple[int, bytes]]:
    """Every file the last build generated under docs/, as (mtime in ns, bytes)."""
    docs = project / "docs"
    listed = json.loads((docs / ".generated.json").read_text())
    return {name: ((docs / name).stat().st_mtime_ns, (docs / name).read_bytes()) for name in listed}


# --- 1. a failed build keeps site/ as it was ---------------------------------------------


def test_template_syntax_error_keeps_the_site_and_leaves_no_stray_folder(real_project):
    assert run_build(real_project).returncode == 0
    before = tree_bytes(real_project / "site")
    template = real_project / "templates" / "targets.md.j2"
    template.write_text(template.read_text() + "\n{% if model %}\nunclosed block\n")
    result = run_build(real_project)
    assert result.returncode == 1
    assert re.fullmatch(r"templates/targets\.md\.j2, line \d+: .+\n", result.stderr), result.stderr
    assert "mkdocs:" not in result.stdout
    assert tree_bytes(real_project / "site") == before
    assert strays(real_project) == []


def test_mkdocs_strict_warning_keeps_the_site_and_leaves_no_stray_folder(real_project):
    assert run_build(real_project).returncode == 0
    before = tree_bytes(real_project / "site")
    template = real_project / "templates" / "method.md.j2"
    template.write_text(template.read_text() + "\nSee [x](missing.md).\n")
    set_cell(real_project / TARGETS_CSV, LEAPMOTOR, GROWTH, "67")  # a finished build would differ
    result = run_build(real_project)
    assert result.returncode == 1
    assert result.stderr.startswith("mkdocs.yml: mkdocs build --strict failed: "), result.stderr
    assert "missing.md" in result.stderr and result.stderr.count("\n") == 1, result.stderr
    assert "write: " in result.stdout and "mkdocs:" not in result.stdout
    assert "[x](missing.md)" in (real_project / "docs" / "method.md").read_text()
    assert tree_bytes(real_project / "site") == before
    assert strays(real_project) == []


def test_interrupt_during_mkdocs_keeps_the_site_and_leaves_no_stray_folder(real_project):
    assert run_build(real_project).returncode == 0
    before = tree_bytes(real_project / "site")
    set_cell(real_project / TARGETS_CSV, LEAPMOTOR, GROWTH, "67")  # a finished build would differ
    build = subprocess.Popen(
        build_command(real_project),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    lines: queue.Queue[str] = queue.Queue()

    def read_lines() -> None:
        for line in build.stdout:
            lines.put(line)
        lines.put("")  # the end of the output

    reader = threading.Thread(target=read_lines, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        seen = []
        while not seen or not seen[-1].startswith("write: "):
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line, "the build ended before its write stage"
            seen.append(line)
        build.send_signal(signal.SIGINT)  # the mkdocs stage is running now
        returncode = build.wait(timeout=60)
        reader.join(timeout=10)
        stderr = build.stderr.read()
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        build.stdout.close()
        build.stderr.close()
    while not lines.empty():
        seen.append(lines.get())
    print(f"\ninterrupted build, stdout:\n{''.join(seen)}stderr:\n{stderr}")
    assert returncode == 130, stderr
    assert "build interrupted; site/ left as it was" in stderr
    assert not any(line.startswith("mkdocs:") for line in seen), seen
    assert tree_bytes(real_project / "site") == before
    assert strays(real_project) == []


# --- 2. one edit rebuilds only its dependants --------------------------------------------


def test_editing_one_value_rebuilds_only_its_dependants(real_project):
    assert run_build(real_project).returncode == 0
    charts = len(list((real_project / "docs" / "charts").glob("*.json")))
    total = len(json.loads((real_project / "docs" / ".generated.json").read_text()))

    again = run_build(real_project)
    assert again.returncode == 0, again.stderr
    counts = stage_counts(again.stdout)
    assert counts["charts"] == (0, charts)
    assert counts["images"] == (0, charts)
    assert counts["write"] == (0, total, 0)

    before = generated_files(real_project)
    assert set_cell(real_project / TARGETS_CSV, LEAPMOTOR, GROWTH, "66.5") == "67.5"
    edited = run_build(real_project)
    assert edited.returncode == 0, edited.stderr
    counts = stage_counts(edited.stdout)
    assert counts["charts"] == (2, charts - 2)  # growth-targets and target-volumes plot sales targets
    assert counts["images"] == (2, charts - 2)
    written, unchanged, removed = counts["write"]
    assert (written + unchanged, removed) == (total, 0)

    after = generated_files(real_project)
    touched = {name for name in after if after[name][0] != before[name][0]}
    differ = {name for name in after if after[name][1] != before[name][1]}
    assert len(touched) == written
    assert touched == differ == SALES_TARGET_DEPENDANTS | (WHOLE_BRIEFING & set(after))


# --- 3. the "What changed" page ----------------------------------------------------------


def changes_page(project: Path) -> str:
    return (project / "site" / "changes" / "index.html").read_text()


def change_rows(page: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S)
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []
    cells = [re.findall(r"<td\b[^>]*>(.*?)</td>", row, re.S) for row in rows]  # cells carry data-label
    return [[re.sub(r"</?code>", "", cell).strip() for cell in row] for row in cells]


def test_what_changed_lists_the_edited_figure_old_and_new(real_project):
    record = real_project / "site" / "data" / "changes.json"
    assert run_build(real_project, epoch=JAN_1_2026).returncode == 0
    first = "This is the first build of the briefing (2026-01-01): there is no earlier build to compare with."
    assert first in changes_page(real_project)
    assert change_rows(changes_page(real_project)) == []
    assert json.loads(record.read_text()) == {
        "build_date": "2026-01-01",
        "previous_build_date": None,
        "tables": [],
    }

    assert set_cell(real_project / TARGETS_CSV, LEAPMOTOR, GROWTH, "68.5") == "67.5"
    result = run_build(real_project, epoch=JAN_1_2026 + DAY)
    assert result.returncode == 0, result.stderr
    page = changes_page(real_project)
    assert "Changes in the build of 2026-01-02, compared with the build of 2026-01-01." in page
    assert change_rows(page) == [[LEAPMOTOR, GROWTH, "67.5", "68.5"]]
    expected = {
        "build_date": "2026-01-02",
        "previous_build_date": "2026-01-01",
        "tables": [
            {
                "table": "sales_targets",
                "added": [],
                "removed": [],
                "changed": [{"key": LEAPMOTOR, "column": GROWTH, "old": "67.5", "new": "68.5"}],
            }
        ],
    }
    assert json.loads(record.read_text()) == expected
    kept = record.read_bytes()

    result = run_build(real_project, epoch=JAN_1_2026 + 2 * DAY)  # nothing changed
    assert result.returncode == 0, result.stderr
    assert record.read_bytes() == kept
    page = changes_page(real_project)
    assert "Changes in the build of 2026-01-02, compared with the build of 2026-01-01." in page
    assert change_rows(page) == [[LEAPMOTOR, GROWTH, "67.5", "68.5"]]
    assert "built 2026-01-03" in page  # the page itself is of the new build


# --- 4. the serve loop -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None


def wait_for(url: str, condition, seconds: float, server: subprocess.Popen, log: Path) -> str:
    deadline = time.monotonic() + seconds
    page = None
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the preview exited:\n{log.read_text()}"
        page = fetch(url)
        if page is not None and condition(page):
            return page
        time.sleep(0.2)
    raise AssertionError(f"no page at {url} met the condition in {seconds} s; server log:\n{log.read_text()}")


BANNER = '<div class="build-error" role="alert">'


def test_serve_shows_an_edit_first_then_its_images_and_a_bad_edit_as_a_banner(tmp_path):
    project = make_project(tmp_path / "serve")
    targets = project / TARGETS_CSV
    port = free_port()
    root = f"http://127.0.0.1:{port}/"
    url = f"{root}targets/"
    log = tmp_path / "serve.log"
    # its own empty cache (project/.cache): which images are cached must not depend on other tests
    env = {key: value for key, value in os.environ.items() if key != "BRIEFING_CACHE_DIR"}
    temporary = tmp_path / "tmp"  # where the preview builds; it must be empty once it stopped
    temporary.mkdir()
    env["TMPDIR"] = str(temporary)
    with log.open("w") as output:
        server = subprocess.Popen(
            build_command(project, "--serve", "--dev-addr", f"127.0.0.1:{port}"),
            env=env | {"PYTHONUNBUFFERED": "1"},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        page = wait_for(url, lambda page: "<td>67.5%</td>" in page, 180, server, log)
        assert "71.5%" not in page and BANNER not in page
        # the page cites the preview's own address (mkdocs.yml's default is port 8000)
        assert f'<a href="{url}">{url}</a>, built' in page
        stated = page.count("<td>67.5%</td>")  # the first article's and CarNewsChina's
        image = fetch(f"{root}charts/growth-targets.svg")
        assert image is not None and "67.5" in image

        set_cell(targets, LEAPMOTOR, GROWTH, "71.5")
        edited = time.monotonic()
        page = wait_for(url, lambda page: "<td>71.5%</td>" in page, 30, server, log)
        print(f"\npreview: the edit showed after {time.monotonic() - edited:.2f} s (make bench measures it)")
        assert page.count("<td>67.5%</td>") == stated - 1 and BANNER not in page
        # the quick pass showed the edit; the full pass after it renders the chart's new images
        # and the printable page
        wait_for(f"{root}charts/growth-targets.svg", lambda svg: "71.5" in svg, 30, server, log)
        wait_for(f"{root}print/", lambda page: '<data value="71.5">' in page, 30, server, log)
        passes = re.findall(r"^preview: (quick|full) pass", log.read_text(), re.M)
        assert passes[-2:] == ["quick", "full"], passes
        assert re.search(r"^images: 0 rendered, 1 cached, 2 left as they were", log.read_text(), re.M)
        home = wait_for(root, lambda home: "71.5" in home, 30, server, log)  # every page, full pass

        set_cell(targets, LEAPMOTOR, GROWTH, "abc")
        error = (
            "data/sales_targets.csv, row 2, column growth_low_pct: 'abc' is not a number "
            "(expected a percentage, e.g. 28.0)"
        )
        page = wait_for(url, lambda page: BANNER in page, 30, server, log)
        shown = re.search(f"{re.escape(BANNER)}<strong>[^<]*</strong><pre>([^<]*)</pre></div>", page)
        assert shown is not None and html.unescape(shown.group(1)) == error
        assert "<td>71.5%</td>" in page  # the last good version, still served
        assert page.count(BANNER) == 1
        home = fetch(root)
        assert home is not None and BANNER in home  # on every page
        assert f"ERROR: still serving the last good pages; fix this and save:\n{error}\n" in log.read_text()

        set_cell(targets, LEAPMOTOR, GROWTH, "72.5")
        page = wait_for(url, lambda page: BANNER not in page, 30, server, log)
        page = wait_for(url, lambda page: "<td>72.5%</td>" in page, 30, server, log)
        assert BANNER not in page

        # a theme override that does not compile: the last good pages stay, the error is printed
        override = project / "overrides" / "main.html"
        good_override = override.read_text()
        override.write_text(good_override + "{% if %}\n")
        wait_for(url, lambda page: "MkDocs failed:" in log.read_text(), 30, server, log)
        assert "<td>72.5%</td>" in (fetch(url) or "")
        override.write_text(good_override)
        # mkdocs.yml is read again once it changes
        config = project / "mkdocs.yml"
        config.write_text(config.read_text().replace('site_name: "', 'site_name: "Edited ', 1))
        edited_title = "<title>Sales targets - Edited Chinese automakers"
        wait_for(url, lambda page: edited_title in page, 30, server, log)
        assert not (project / "site").exists()  # the preview never publishes
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert "preview: stopped" in log.read_text()
    assert list(temporary.iterdir()) == []
