"""The scripts the site ships from npm (package.json's dependencies, installed by `make site`):
the chart runtime (Vega, then vega-embed, in one file) and tablesort, each under a comment
naming its version and holding its licence."""

from __future__ import annotations

import json
import re
from pathlib import Path

from briefing.errors import SetupError

NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"
VEGA_BUNDLE_PATH = "assets/vendor/vega-bundle.js"
# in load order: Vega draws the pages' compiled specs, vega-embed adds the actions menu and the
# tooltips (the same file is the worker's that parses the specs: docs/assets/chart-parser.js)
VEGA_SCRIPTS = {"vega": "build/vega.min.js", "vega-embed": "build/vega-embed.min.js"}
# the maps are not shipped (and would not match a concatenation)
SOURCE_MAP_COMMENT = re.compile(rb"^//# sourceMappingURL=.*$", re.M)
TABLESORT_PATH = "assets/vendor/tablesort.js"
# the library, then its number sort (the figure columns: briefing/hooks.py names them)
TABLESORT_SCRIPTS = ["dist/tablesort.min.js", "dist/sorts/tablesort.number.min.js"]


def vendor_assets(node_modules: Path = NODE_MODULES) -> dict[str, bytes]:
    return chart_scripts(node_modules) | tablesort(node_modules)


def chart_scripts(node_modules: Path = NODE_MODULES) -> dict[str, bytes]:
    """Vega and vega-embed in one script, written once into the site's assets."""
    scripts = [
        licensed(
            package,
            SOURCE_MAP_COMMENT.sub(b"", installed(f"{package}/{script}", node_modules)).rstrip(),
            node_modules,
        )
        for package, script in VEGA_SCRIPTS.items()
    ]
    return {VEGA_BUNDLE_PATH: b"".join(scripts)}


def tablesort(node_modules: Path = NODE_MODULES) -> dict[str, bytes]:
    code = b"\n".join(installed(f"tablesort/{script}", node_modules).strip() for script in TABLESORT_SCRIPTS)
    return {TABLESORT_PATH: licensed("tablesort", code, node_modules, licence_file="LICENCE")}


def licensed(package: str, code: bytes, node_modules: Path, licence_file: str = "LICENSE") -> bytes:
    """A package's code under a comment naming its version and holding its licence."""
    version = json.loads(installed(f"{package}/package.json", node_modules))["version"]
    licence = installed(f"{package}/{licence_file}", node_modules).decode().strip()
    return f"/*! {package} {version}\n\n{licence}\n*/\n".encode() + code + b"\n"


def installed(relative: str, node_modules: Path = NODE_MODULES) -> bytes:
    path = node_modules / relative
    if not path.is_file():
        raise SetupError(
            f"{node_modules.name}/{relative} is missing: run `make site`, "
            f"or `npm ci --omit=dev` in {node_modules.parent}"
        )
    return path.read_bytes()
