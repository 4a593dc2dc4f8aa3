"""A content-addressed cache: outputs kept under the hash of everything they depend on.

Lives in a git-ignored folder (.cache/ in the project); deleting it only costs time.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TypeVar

import jinja2

T = TypeVar("T")


def content_key(*parts: object) -> str:
    """A stable hash of JSON-serialisable parts (specs, versions, names)."""
    encoded = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(encoded.encode()).hexdigest()


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def code_version(*modules: ModuleType) -> str:
    """A hash of the modules' source: a cached result of their code is void once it changes."""
    return digest(b"".join(Path(module.__file__).read_bytes() for module in modules))


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

    def remembered(self, key: str, compute: Callable[[], T]) -> T:
        """compute()'s value, from the cache when it holds one under key (pickled: trusted local files)."""
        cached = self.get(key)
        if cached is not None:
            return pickle.loads(cached)
        value = compute()
        self.put(key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        return value

    def _path(self, key: str) -> Path | None:
        return None if self.root is None else self.root / key[:2] / key


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja2 templates compiled once a process, kept in memory.

    Each build makes new Jinja2 environments (ours, and MkDocs' for the theme), which would
    compile every template again: ~0.2 s a build for the theme alone, felt in the preview loop.
    A template whose source changed is compiled again (Jinja2 checks each entry's checksum).
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()
