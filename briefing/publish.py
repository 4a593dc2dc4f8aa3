"""Stage 7, publish: MkDocs builds docs/ into a fresh folder beside site/, swapped in on success.

A failed or interrupted build leaves the previous site/ byte-for-byte as it was.

When only the content of docs/ changed since the last build (the same files, the same
mkdocs.yml, theme overrides and hooks), the build is incremental: the fresh folder starts as a
copy of site/ and MkDocs renders only the pages whose Markdown changed (its dirty build); the
search index is put back together as a full build writes it. The copy is the site before the
last, kept beside the build record once it is replaced and brought up to date file by file:
copying the whole site and deleting the replaced one took half of publishing one edit at
1,000 organisations (0.31 s of 0.64 s). The result is byte-identical to a
full build (tests/test_publish.py compares the two after a sequence of edits). Anything else is
a full build, and the reason is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
from importlib import metadata
from pathlib import Path

from briefing import hooks
from briefing.engine import (
    SEARCH_INDEX,
    MkDocsConfig,
    build_pages,
    merged_search_index,
    one_build,
    page_location,
)
from briefing.errors import OutputError
from briefing.render import NAVIGATION_FILE

SOURCE_MARKERS = ("mkdocs.yml", "templates", ".git", "pyproject.toml")


# a setting of mkdocs.yml the environment may change: `!ENV NAME` or `!ENV [NAME, default]`
ENVIRONMENT_TAG = re.compile(r"!ENV\s+\[?\s*([A-Za-z_][A-Za-z0-9_]*)")
# what renders the pages: another version of one makes every page anew
THEME_PACKAGES = ("mkdocs", "mkdocs-material", "mkdocs-literate-nav")


def publish_site(settings: MkDocsConfig, site_dir: Path, record_file: Path | None = None) -> str:
    """MkDocs builds settings' docs/ into a fresh folder beside site_dir, swapped in once it
    succeeded; returns how: "incremental (N pages)" or "full: <why>". record_file keeps what the
    build was made of, for the next one to be incremental (without it, every build is full)."""
    config_file = Path(settings.config_file_path)
    _refuse_source_folder(site_dir, config_file)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    record = _build_record(settings)
    last = _last_record(record_file)
    why_full = _why_full(record, last, site_dir)
    spare = None if record_file is None else record_file.with_suffix(".site")  # the site before the last
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    settings.site_dir = str(staging)
    try:
        if why_full is None:
            changed = _changed_pages(record, last)
            why_full = _build_incremental(settings, site_dir, staging, changed, spare)
            how = f"incremental ({len(changed)} pages)"
        if why_full is not None:
            with one_build(settings):
                build_pages(settings)  # a full build empties its folder first
            how = f"full: {why_full}"
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        settings.site_dir = str(site_dir)
    _swap_into_place(staging, site_dir, spare)
    if record_file is not None:
        record_file.parent.mkdir(parents=True, exist_ok=True)
        record_file.write_text(json.dumps(record, sort_keys=True))
    return how


def _build_incremental(
    settings: MkDocsConfig, site_dir: Path, staging: Path, changed: list[str], spare: Path | None
) -> str | None:
    """The last site copied into staging, and MkDocs' dirty build of the changed pages over it;
    returns why a full build is needed after all, or None."""
    _copy_site(site_dir, staging, spare)
    last_index = (staging / SEARCH_INDEX).read_bytes()
    with one_build(settings):
        build_pages(settings, dirty=True)
    index = merged_search_index(
        last_index, (staging / SEARCH_INDEX).read_bytes(), {page_location(settings, name) for name in changed}
    )
    if index is None:
        return "a page entered the search index"
    (staging / SEARCH_INDEX).write_bytes(index)
    return None


def _copy_site(site_dir: Path, staging: Path, spare: Path | None) -> None:
    """staging made a copy of site_dir, each file with its modification time (MkDocs' dirty
    build compares it with the page's source): the spare site brought up to date where there is
    one, else a copy of every file."""
    if spare is not None and spare.is_dir():
        staging.rmdir()
        try:
            os.rename(spare, staging)
        except OSError:  # another build took it first, or it is on another file system
            staging.mkdir()
        else:
            _mirror(site_dir, staging)
            return
    shutil.copytree(site_dir, staging, dirs_exist_ok=True, copy_function=shutil.copy2)


def _mirror(source: Path, copy: Path) -> None:
    """copy made file for file like source, copying only the files whose size or modification
    time differ (every file a build writes gets a new time)."""
    wanted, present = _file_stats(source), _file_stats(copy)
    for relative, stat in wanted.items():
        if present.pop(relative, None) != stat:
            (copy / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source / relative, copy / relative)
    for relative in present:
        (copy / relative).unlink()
    for folder, _, _ in sorted(os.walk(copy), reverse=True):  # the deepest first
        if not (source / Path(folder).relative_to(copy)).is_dir():
            os.rmdir(folder)


def _file_stats(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under root by its path relative to root: (size, modification time in ns)."""
    stats = {}
    for folder, _, names in os.walk(root):
        for name in names:
            stat = os.stat(os.path.join(folder, name))
            stats[os.path.relpath(os.path.join(folder, name), root)] = (stat.st_size, stat.st_mtime_ns)
    return stats


def _build_record(settings: MkDocsConfig) -> dict:
    """What a build is made of: every file of docs/ by its hash, and the rest of its inputs."""
    docs = Path(settings.docs_dir)
    overrides = Path(settings.config_file_path).parent / "overrides"
    inputs = hashlib.sha256()
    for path in [Path(settings.config_file_path), Path(hooks.__file__), *sorted(overrides.rglob("*"))]:
        if path.is_file():
            inputs.update(str(path).encode() + b"\0" + path.read_bytes())
    from_environment = ENVIRONMENT_TAG.findall(Path(settings.config_file_path).read_text(encoding="utf-8"))
    inputs.update(json.dumps({name: os.environ.get(name) for name in sorted(from_environment)}).encode())
    inputs.update(json.dumps({name: metadata.version(name) for name in THEME_PACKAGES}).encode())
    return {
        "inputs": inputs.hexdigest(),
        "docs": {
            path.relative_to(docs).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(docs.rglob("*"))
            if path.is_file()
        },
    }


def _last_record(record_file: Path | None) -> dict | None:
    try:
        return None if record_file is None else json.loads(record_file.read_text())
    except (FileNotFoundError, ValueError):
        return None


def _why_full(record: dict, last: dict | None, site_dir: Path) -> str | None:
    """Why this build cannot be incremental, or None when it can."""
    if last is None or not (site_dir / SEARCH_INDEX).is_file():
        return "no record of the last build"
    if last["inputs"] != record["inputs"]:
        return "mkdocs.yml, the theme, its overrides or the hooks changed"
    if last["docs"].keys() != record["docs"].keys():
        return "files were added to docs/ or removed from it"
    if last["docs"].get(NAVIGATION_FILE) != record["docs"].get(NAVIGATION_FILE):
        return "the navigation changed"  # every page shows it
    return None


def _changed_pages(record: dict, last: dict) -> list[str]:
    return [
        name
        for name, digest in record["docs"].items()
        if name.endswith(".md") and last["docs"][name] != digest
    ]


def _refuse_source_folder(site_dir: Path, config_file: Path) -> None:
    holds_sources = any((site_dir / marker).exists() for marker in SOURCE_MARKERS)
    if site_dir.exists() and (holds_sources or site_dir.resolve() in config_file.resolve().parents):
        raise OutputError(
            f"refusing to replace {site_dir}: it holds sources "
            f"(expected a build output folder such as site/; choose another --site-dir)"
        )


def _swap_into_place(staging: Path, site_dir: Path, spare: Path | None) -> None:
    """staging becomes site_dir; the replaced site is kept as the spare, or deleted."""
    staging.chmod(0o755)  # mkdtemp makes it private; static hosts and link checkers read it
    if not site_dir.exists():
        os.rename(staging, site_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=site_dir.parent))
    # an interrupt between the two renames would leave no site/ at all: hold it until both are done
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        os.rename(site_dir, retired / site_dir.name)
        os.rename(staging, site_dir)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    if spare is not None:
        shutil.rmtree(spare, ignore_errors=True)  # a full build made its site without it
        with contextlib.suppress(OSError):  # the cache is on another file system: deleted below
            os.rename(retired / site_dir.name, spare)
    shutil.rmtree(retired, ignore_errors=True)
