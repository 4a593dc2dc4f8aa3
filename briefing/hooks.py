"""MkDocs hooks: valid HTML from the theme, and the editing loop of `make serve`.

Under `mkdocs serve`, which watches data/ and templates/ (see `watch:` in mkdocs.yml), each
rebuild first runs the pipeline up to the writer; the writer rewrites only files whose bytes
changed, so the server's own watch on docs/ does not loop. A bad edit keeps the last good
pages and shows the error in the terminal and as a banner on every page. `mkdocs build`
skips that part: the build script renders before it publishes.
"""

from __future__ import annotations

import html
import logging
import re
import sys
from pathlib import Path

from briefing.build import BuildReport, Project, build
from briefing.errors import BriefingError

log = logging.getLogger("mkdocs.briefing")
_state = {"serving": False, "error": None}
# Material 9.8 writes tabindex="" on navigation section labels (with navigation.sections),
# which the HTML standard does not allow; a label without tabindex behaves the same.
_EMPTY_TABINDEX = re.compile(r'(<label class="md-nav__link[^"]*" for="[^"]*" id="[^"]*") tabindex=""')


def on_startup(command: str, dirty: bool) -> None:
    _state["serving"] = command == "serve"


def on_pre_build(config) -> None:
    if not _state["serving"]:
        return
    project = Project.at(Path(config["config_file_path"]).parent)
    try:
        build(project, BuildReport(say=log.info), publish=False)
        _state["error"] = None
    except BriefingError as error:
        _state["error"] = str(error)
        # printed, not logged: an error logged under mkdocs would abort the strict rebuild
        print(f"ERROR: still serving the last good pages; fix this and save:\n{error}", file=sys.stderr)


def on_post_template(output: str, template_name: str, config) -> str:
    return _EMPTY_TABINDEX.sub(r"\1", output)  # pages like 404.html, which on_post_page never sees


def on_post_page(output: str, page, config) -> str:
    output = _EMPTY_TABINDEX.sub(r"\1", output)
    if not _state["error"]:
        return output
    banner = (
        '<div class="build-error" role="alert"><strong>The last edit did not build; this is the '
        f"last good version.</strong><pre>{html.escape(_state['error'])}</pre></div>"
    )
    return _insert_banner(output, banner)


def _insert_banner(output: str, banner: str) -> str:
    start = output.find("<body")
    end = output.find(">", start) + 1
    return output[:end] + banner + output[end:]
