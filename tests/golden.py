"""The golden-output fixture: the mini project's generated Markdown, committed under tests/golden/.

Regenerate only on purpose, after reading the diff: `python tests/golden.py --regenerate`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import MINI_DATA, REPO, make_project

from briefing.build import BuildReport, Project, build

GOLDEN = REPO / "tests" / "golden" / "mini"
# The golden pages carry their build date ("built 2026-11-24"): the build is dated by this
# fixed SOURCE_DATE_EPOCH, never by the clock, so the comparison holds on any day.
GOLDEN_BUILD_EPOCH = "1795478400"  # 2026-11-24 00:00 UTC


def generated_pages(root: Path) -> dict[str, str]:
    """Build the mini project's docs/ under root and return its Markdown pages."""
    project = make_project(root / "mini", MINI_DATA)
    with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": GOLDEN_BUILD_EPOCH}):
        build(Project.at(project), BuildReport(say=lambda line: None), publish=False)
    docs = project / "docs"
    return {str(p.relative_to(docs)): p.read_text() for p in sorted(docs.rglob("*.md"))}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--regenerate", action="store_true", help="overwrite tests/golden/mini")
    if not parser.parse_args().regenerate:
        parser.print_help()
        return 2
    with tempfile.TemporaryDirectory() as root:
        pages = generated_pages(Path(root))
    shutil.rmtree(GOLDEN, ignore_errors=True)
    for relative, text in pages.items():
        (GOLDEN / relative).parent.mkdir(parents=True, exist_ok=True)
        (GOLDEN / relative).write_text(text)
    print(f"wrote {len(pages)} pages to {GOLDEN.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
