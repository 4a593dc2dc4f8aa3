"""Stage 6, write: put the rendered files under docs/, touching only files whose bytes changed.

A manifest of what the last build generated lets a build remove pages that no longer exist
without ever touching the hand-written files beside them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefing.errors import OutputError

MANIFEST_NAME = ".generated.json"


@dataclass(frozen=True)
class WriteReport:
    written: list[str]
    unchanged: int
    removed: list[str]


def checked_path(root: Path, relative: str) -> Path:
    """root/relative, refusing any path that would land outside root."""
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in relative:
        raise OutputError(
            f"refusing to write '{relative}': it would land outside {root.name}/ "
            "(expected a relative path without '..'; check the ids in data/)"
        )
    return root.joinpath(*pure.parts)


def generated_files(docs_dir: Path) -> list[str]:
    """The files under docs/ the last build generated, by relative path."""
    manifest = docs_dir / MANIFEST_NAME
    return json.loads(manifest.read_text()) if manifest.exists() else []


def write_docs(files: dict[str, bytes], docs_dir: Path) -> WriteReport:
    targets = {relative: checked_path(docs_dir, relative) for relative in files}
    previous = generated_files(docs_dir)
    written, unchanged = [], 0
    for relative, path in targets.items():
        content = files[relative]
        if path.is_file() and path.read_bytes() == content:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(relative)
    removed = sorted(set(previous) - set(files))
    for relative in removed:
        checked_path(docs_dir, relative).unlink(missing_ok=True)
    (docs_dir / MANIFEST_NAME).write_text(json.dumps(sorted(files), indent=1) + "\n")
    return WriteReport(written, unchanged, removed)
