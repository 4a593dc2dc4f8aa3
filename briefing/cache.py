"""A content-addressed cache: outputs kept under the hash of everything they depend on.

Lives in a git-ignored folder (.cache/ in the project); deleting it only costs time.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Generic, TypeVar

import jinja2

T = TypeVar("T")


# The libraries whose versions shape what is cached (findings, specs, images): a cached result
# made by another version of one of them is a miss, not a stale hit.
LIBRARIES = ("altair", "frictionless", "jinja2", "pandas", "vl-convert-python")
# An entry: this mark, the SHA-256 of its content, then the content. A truncated or altered
# entry (a full disk, a crash mid-write on a file system without atomic rename) fails the check
# and is a miss, like an absent one.
ENTRY_MARK = b"briefing-cache-1\n"
# Entries unused for this long are removed (each use refreshes an entry's time).
KEEP_UNUSED_DAYS = 30


def cache_key(kind: str, code: tuple[ModuleType, ...], *parts: object) -> str:
    """The one key of the build's cache: what is cached (kind), the source of the modules that
    compute it (code), the versions of the libraries it depends on and its inputs (JSON-
    serialisable parts: specs, names, digests). Change any and the key changes."""
    modules = [code_version(module) for module in code]
    encoded = json.dumps(
        [kind, modules, library_versions(), parts], sort_keys=True, separators=(",", ":"), default=str
    )
    return hashlib.sha256(encoded.encode()).hexdigest()


@functools.cache
def library_versions() -> dict[str, str]:
    return {name: metadata.version(name) for name in LIBRARIES}


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@functools.cache
def code_version(module: ModuleType) -> str:
    """A hash of a module's source: a cached result of its code is void once it changes."""
    return digest(Path(module.__file__).read_bytes())


@dataclass
class Cache:
    """Bytes by cache key; counts hits and misses so stages can report them."""

    root: Path | None  # None: a cache that never keeps anything (tests of cold builds)
    hits: int = field(default=0, init=False)
    misses: int = field(default=0, init=False)

    def get(self, key: str) -> bytes | None:
        path = self._path(key)
        content = None if path is None else _read_entry(path)
        if content is None:
            self.misses += 1
            return None
        self.hits += 1
        os.utime(path)  # used now: kept by prune()
        return content

    def put(self, key: str, content: bytes) -> bytes:
        path = self._path(key)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(ENTRY_MARK + hashlib.sha256(content).digest() + content)
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

    def prune(self, keep_unused_days: float = KEEP_UNUSED_DAYS) -> int:
        """Remove the entries (and stray partial writes) unused for keep_unused_days; how many."""
        if self.root is None or not self.root.is_dir():
            return 0
        oldest = time.time() - keep_unused_days * 86400
        removed = 0
        for path in self.root.glob("??/*"):
            try:
                if path.stat().st_mtime < oldest:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:  # another build removed or replaced it first
                continue
        return removed

    def _path(self, key: str) -> Path | None:
        return None if self.root is None else self.root / key[:2] / key


def _read_entry(path: Path) -> bytes | None:
    """An entry's content, or None when it is absent or fails its check."""
    try:
        entry = path.read_bytes()
    except FileNotFoundError:
        return None
    header = len(ENTRY_MARK) + hashlib.sha256().digest_size
    content = entry[header:]
    if (
        entry[: len(ENTRY_MARK)] != ENTRY_MARK
        or entry[len(ENTRY_MARK) : header] != hashlib.sha256(content).digest()
    ):
        return None
    return content


class LastValue(Generic[T]):
    """The value last computed, kept in this process's memory under its key: a process that builds
    again and again (the preview) skips a stage whose inputs have not changed since. For values
    the stages after never change (each table's typed frame and records, the model, the charts:
    tests/test_preview.py holds them to it)."""

    def __init__(self) -> None:
        self._key: str | None = None
        self._value: T | None = None

    def remembered(self, key: str, compute: Callable[[], T]) -> T:
        if key != self._key:
            self._value = compute()
            self._key = key
        return self._value


class CompiledTemplates(jinja2.BytecodeCache):
    """Jinja2 templates compiled once, kept in memory and, once a build names its cache
    (keep_in), in the cache folder.

    Each build makes new Jinja2 environments (ours, and MkDocs' for the theme), which would
    compile every template again, and so would each fresh process (`make site`): ~0.7 s a build
    at 1,000 organisations. A template whose source changed is compiled again (Jinja2 checks each
    entry's checksum of the source, and its own and Python's versions).
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}
        self._kept: Cache | None = None

    def keep_in(self, cache: Cache) -> None:
        self._kept = cache

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is None and self._kept is not None:
            code = self._kept.get(_compiled_key(bucket))
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()
        if self._kept is not None:
            self._kept.put(_compiled_key(bucket), self._code[bucket.key])


def _compiled_key(bucket: jinja2.bccache.Bucket) -> str:
    return cache_key("compiled template", (), bucket.key)


COMPILED_TEMPLATES = CompiledTemplates()
