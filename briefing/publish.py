"""Stage 7, publish: MkDocs builds docs/ into a fresh folder beside site/, swapped in on success.

A failed or interrupted build leaves the previous site/ byte-for-byte as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

from briefing.engine import MkDocsConfig, build_pages
from briefing.errors import OutputError

SOURCE_MARKERS = ("mkdocs.yml", "templates", ".git", "pyproject.toml")


def publish_site(settings: MkDocsConfig, site_dir: Path) -> None:
    """MkDocs builds settings' docs/ into a fresh folder beside site_dir, swapped in once it succeeded."""
    _refuse_source_folder(site_dir, Path(settings.config_file_path))
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    settings.site_dir = str(staging)
    try:
        build_pages(settings)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        settings.site_dir = str(site_dir)
    _swap_into_place(staging, site_dir)


def _refuse_source_folder(site_dir: Path, config_file: Path) -> None:
    holds_sources = any((site_dir / marker).exists() for marker in SOURCE_MARKERS)
    if site_dir.exists() and (holds_sources or site_dir.resolve() in config_file.resolve().parents):
        raise OutputError(
            f"refusing to replace {site_dir}: it holds sources "
            f"(expected a build output folder such as site/; choose another --site-dir)"
        )


def _swap_into_place(staging: Path, site_dir: Path) -> None:
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
    shutil.rmtree(retired, ignore_errors=True)
