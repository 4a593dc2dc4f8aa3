"""The script that makes numeric tables sortable: tablesort (npm, package.json's dependencies),
served by the site itself under a comment naming its version and holding its licence."""

from __future__ import annotations

import json
from pathlib import Path

from briefing.errors import SetupError

TABLESORT_PATH = "assets/vendor/tablesort.js"
# the library, then its number sort (the figure columns: briefing/hooks.py names them)
TABLESORT_SCRIPTS = ["dist/tablesort.min.js", "dist/sorts/tablesort.number.min.js"]
NODE_MODULES = Path(__file__).resolve().parents[1] / "node_modules"


def tablesort_assets(node_modules: Path = NODE_MODULES) -> dict[str, bytes]:
    package = node_modules / "tablesort"

    def installed(relative: str) -> bytes:
        path = package / relative
        if not path.is_file():
            raise SetupError(
                f"{node_modules.name}/tablesort/{relative} is missing: run `make site`, "
                f"or `npm ci --omit=dev` in {node_modules.parent}"
            )
        return path.read_bytes()

    version = json.loads(installed("package.json"))["version"]
    licence = installed("LICENCE").decode().strip()
    code = b"\n".join(installed(script).strip() for script in TABLESORT_SCRIPTS)
    return {TABLESORT_PATH: f"/*! tablesort {version}\n\n{licence}\n*/\n".encode() + code + b"\n"}
