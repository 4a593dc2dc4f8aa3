"""Shared helpers: small throwaway projects built from the real templates and schema."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MINI_DATA = REPO / "tests" / "fixtures" / "mini" / "data"


def make_project(root: Path, data_dir: Path = REPO / "data") -> Path:
    """A project at root with the real mkdocs.yml, templates and assets, and data_dir's CSVs.

    The schema always comes from the real data/datapackage.json, so fixtures follow it.
    """
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
    (root / "briefing").symlink_to(REPO / "briefing")  # mkdocs.yml names the hooks in it
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(REPO / "overrides", root / "overrides")
    shutil.copytree(
        REPO / "docs" / "assets", root / "docs" / "assets", ignore=shutil.ignore_patterns("vendor")
    )
    shutil.copytree(data_dir, root / "data", ignore=shutil.ignore_patterns("datapackage.json"))
    shutil.copy(REPO / "data" / "datapackage.json", root / "data" / "datapackage.json")
    return root


def run_build(project: Path, *arguments: str) -> subprocess.CompletedProcess:
    """scripts/build.py on project in a process of its own, as `make site` runs it."""
    return subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build.py"), "--project", str(project), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )


def tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under root as relative path -> bytes, to compare whole trees."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session", autouse=True)
def shared_image_cache(tmp_path_factory):
    """One image cache for every build the tests start: rendering each chart once is enough."""
    import os

    cache = tmp_path_factory.mktemp("image-cache")
    previous = os.environ.get("BRIEFING_CACHE_DIR")
    os.environ["BRIEFING_CACHE_DIR"] = str(cache)
    yield cache
    if previous is None:
        del os.environ["BRIEFING_CACHE_DIR"]
    else:
        os.environ["BRIEFING_CACHE_DIR"] = previous


@pytest.fixture
def mini_project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "mini", MINI_DATA)


@pytest.fixture
def real_project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "real")
