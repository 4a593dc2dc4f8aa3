"""A content-addressed cache: outputs kept under the hash of everything they depend on.

Lives in a git-ignored folder (.cache/ in the project); deleting it only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path


def content_key(*parts: object) -> str:
    """A stable hash of JSON-serialisable parts (specs, versions, names)."""
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


@dataclass
class Cache:
    """Bytes by content key; counts hits and misses so stages can report them."""

    root: Path | None  # None: a cache that never keeps anything (tests of cold builds)
    hits: int = field(default=0, init=False)
    misses: int = field(default=0, init=False)

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        if path is not None and path.is_file():
            self.hits += 1
            return path.read_bytes()
        self.misses += 1
        return None

    def put(self, key: str, content: bytes) -> bytes:
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(content)
            partial.replace(path)  # never leave a half-written entry behind
        return content

    def _path(self, key: str) -> Path | None:
        return None if self.root is None else self.root / key[:2] / key
