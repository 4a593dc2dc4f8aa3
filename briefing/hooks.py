"""MkDocs hooks: valid HTML from the theme, and theme templates compiled once a process.

The preview server (`make serve`, briefing/serve.py) builds many times in one process; the
theme's templates are then compiled once instead of on every rebuild.
"""

from __future__ import annotations

import re

from briefing.cache import COMPILED_TEMPLATES

# Material 9.8 writes tabindex="" on navigation section labels (with navigation.sections),
# which the HTML standard does not allow; a label without tabindex behaves the same.
_EMPTY_TABINDEX = re.compile(r'(<label class="md-nav__link[^"]*" for="[^"]*" id="[^"]*") tabindex=""')


def on_env(env, config, files):
    env.bytecode_cache = COMPILED_TEMPLATES
    return env


def on_post_template(output: str, template_name: str, config) -> str:
    return _EMPTY_TABINDEX.sub(r"\1", output)  # pages like 404.html, which on_post_page never sees


def on_post_page(output: str, page, config) -> str:
    return _EMPTY_TABINDEX.sub(r"\1", output)
