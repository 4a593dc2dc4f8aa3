"""The command line: parse arguments, run the build, turn a project error into one clean message."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from briefing.build import BuildReport, Project, build, check
from briefing.cache import Cache
from briefing.errors import BriefingError
from briefing.serve import serve


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/build.py",
        description=(
            "Build the briefing: read and validate data/, render templates/ into Markdown in "
            "docs/, then publish the site with MkDocs into site/ (swapped in only when the "
            "whole build succeeds)."
        ),
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path.cwd(),
        help="project folder holding data/, templates/ and mkdocs.yml (default: the current folder)",
    )
    parser.add_argument(
        "--site-dir", type=Path, default=None, help="where to publish the site (default: PROJECT/site)"
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help="where rendered chart images are kept between builds "
        "(default: $BRIEFING_CACHE_DIR, else PROJECT/.cache)",
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="only validate data/; build nothing")
    mode.add_argument("--docs-only", action="store_true", help="render docs/ but do not run MkDocs")
    mode.add_argument(
        "--serve",
        action="store_true",
        help="preview the site at --dev-addr, showing each edit of data/ or templates/ within a second",
    )
    parser.add_argument(
        "--dev-addr", default="127.0.0.1:8000", help="HOST:PORT the preview serves at (default: %(default)s)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    project = Project.at(
        arguments.project.resolve(),
        arguments.site_dir and arguments.site_dir.resolve(),
        arguments.cache_dir and Path(arguments.cache_dir).resolve(),
    )
    report = BuildReport(live=sys.stderr.isatty() and not os.environ.get("CI"))
    try:
        if arguments.check:
            check(project, report, Cache(project.cache_dir))
        elif arguments.serve:
            serve(project, arguments.dev_addr)
        else:
            build(project, report, publish=not arguments.docs_only)
    except BriefingError as error:
        print(error, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("build interrupted; site/ left as it was", file=sys.stderr)
        return 130
    return 0
